//! The encrypted SQLite store: documents plus their projection, in one file.

mod audit;
mod codes;
mod consent;
#[cfg(test)]
mod consent_tests;
mod docs;
mod duplicates;
mod erase;
#[cfg(test)]
pub(crate) mod erase_tests;
mod hub_link;
mod open;
mod ops;
mod queries;
#[cfg(test)]
mod renewal_tests;
mod retention;
#[cfg(test)]
mod retention_tests;
mod subject_access;
mod sync;
#[cfg(test)]
mod tests;
mod trail;
#[cfg(test)]
mod trail_tests;

use std::collections::HashMap;
use std::path::PathBuf;

use automerge::{ActorId, Automerge};
use rusqlite::Connection;

pub use audit::{AuditAction, AuditEntry};
pub use consent::WithdrawnFamily;
pub use docs::Applied;
pub use hub_link::{HubLink, HubLinkStatus, SyncOutcome};
pub use open::{DeviceConfig, Key, key_connection};
pub use queries::{AttendanceEntry, HouseholdHit, MeetingSummary};
pub use retention::RetentionDue;
pub(crate) use subject_access::SubjectAccessRecord;
pub use sync::WriteCheck;
pub use trail::{TrailAction, TrailEntry, TrailScope};

use crate::doc::DocRef;
use crate::env::Environment;
use crate::ids::{DeviceId, PersonId, ProjectId};

/// One device's store: an SQLite file (SQLCipher-encrypted) holding the
/// automerge documents and the projection tables derived from them.
///
/// Every write is one automerge change per touched document and one SQLite
/// transaction holding the change bytes and the new projection rows.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    env: Box<dyn Environment>,
    device: DeviceId,
    project: ProjectId,
    actor: ActorId,
    /// The person using the app, recorded in every change's message
    /// ([`Store::set_operator`]).
    operator: Option<PersonId>,
    /// Documents loaded so far (all of them after `open`).
    docs: HashMap<DocRef, Automerge>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("device", &self.device)
            .field("project", &self.project)
            .field("docs", &self.docs.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// This device's id.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The project this store belongs to.
    pub fn project(&self) -> ProjectId {
        self.project
    }

    /// Where the database file is (`None` in memory).
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// Read access to the projection for the crate's reports (indicators,
    /// exports): plain SQL over the tables of `migrations/`.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
