//! The encrypted SQLite store: documents plus their projection, in one file.

mod api;
mod audit;
#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod bounded_tests;
mod checks;
mod codes;
mod conflicts;
#[cfg(test)]
mod conflicts_tests;
mod consent;
#[cfg(test)]
mod consent_tests;
mod directory;
mod docs;
mod duplicates;
mod erase;
#[cfg(test)]
mod erase_tests;
mod families;
mod hub_link;
mod loaded;
mod maintenance;
mod meetings;
#[cfg(test)]
mod nomenclature_tests;
mod open;
mod points;
mod project;
mod readable;
mod reader;
#[cfg(test)]
mod renewal_tests;
mod replication;
mod retention;
#[cfg(test)]
mod retention_tests;
mod rows;
mod staff;
mod sync;
#[cfg(test)]
mod tests;
mod trail;
#[cfg(test)]
mod training_tests;
mod volunteer_erasure;
mod volunteer_retention;
mod volunteers;
mod waiting;

use std::collections::HashMap;
use std::path::PathBuf;

use automerge::ActorId;
use rusqlite::Connection;

pub use crate::authz::WriteCheck;
pub use api::{
    AuditLog, AuditTrail, Conflicts, Consents, Erasure, Families, Maintenance, Meetings, ProjectSettings,
    Replication, Retention, Staff, SyncMemory, VolunteerRegister,
};
pub use audit::{AuditAction, AuditEntry, SubjectAccessRecord};
pub use conflicts::{ConflictSubject, OpenConflict};
pub use consent::WithdrawnFamily;
pub use docs::Applied;
pub use hub_link::{HubLink, HubLinkStatus, SyncOutcome};
pub use open::{DeviceConfig, Key, key_connection};
pub use reader::Reader;
pub use retention::RetentionDue;
pub use rows::{AttendanceEntry, HouseholdHit, MeetingSummary};
pub(crate) use trail::message_person;
pub use trail::{TrailAction, TrailEntry, TrailScope};
pub use volunteer_retention::VolunteerDue;
pub use volunteers::{CoverWarning, FieldChange, VolunteerChange};

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
    /// Whether this device wrote a change under `actor` (which then leaves
    /// it at the next sync or bundle: [`Store::renew_actor`]).
    actor_wrote: bool,
    /// The person using the app, recorded in every change's message
    /// ([`Store::set_operator`]).
    operator: Option<PersonId>,
    /// Documents loaded so far (none at `open`: each on first use), each
    /// with its heads once read.
    docs: loaded::Loaded,
    /// The author of each person document's first change, with the heads
    /// it was read at ([`Store::doc_facts`]); `None` when its first changes
    /// have several.
    origins: HashMap<DocRef, (Vec<automerge::ChangeHash>, Option<ActorId>)>,
    /// The device directory, read at these project heads.
    directory: Option<(Vec<automerge::ChangeHash>, std::sync::Arc<crate::authz::Directory>)>,
    /// Per cached document, the changes waiting in its queue for a
    /// dependency (bounded by [`crate::doc::limits::MAX_WAITING_CHANGES`]).
    waiting: HashMap<DocRef, waiting::Waiting>,
    /// Inside [`Replication::in_one_transaction`]: commits are savepoints
    /// of its transaction, and a family's erasure is scrubbed after it.
    batch: Option<Batch>,
    /// The hub's answers to `readable_docs`, per grant, with the facts
    /// token they were decided under ([`readable::Remembered`]).
    readable: readable::Remembered,
}

/// What a batch of commits in one transaction owes once it commits.
#[derive(Debug, Default)]
struct Batch {
    /// A family was erased: scrub the file after the transaction.
    scrub: bool,
    /// A volunteer's entry was erased: scrub the file after the
    /// transaction, if it commits.
    scrub_volunteers: bool,
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

    /// Today, in Pavia, as this store's clock says (the default date of a
    /// consent record or a withdrawal).
    pub fn today(&mut self) -> chrono::NaiveDate {
        self.env.today()
    }

    /// The store's clock (the date printed on a subject access extract).
    pub fn now(&mut self) -> chrono::DateTime<chrono::Utc> {
        self.env.now()
    }

    /// Where the database file is (`None` in memory).
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// Read-only access to the projection, for the reports (indicators,
    /// exports): plain SQL over the tables of `migrations/`, each statement
    /// checked read-only before it runs.
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(&self.conn)
    }

    /// The connection itself, for this crate's tests.
    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
