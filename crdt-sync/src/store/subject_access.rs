//! What the reports (`taccuino-reports`) need from the store besides SQL:
//! the labs a selection names, and for the subject access extract (GDPR
//! arts. 15 and 20) the family behind a code, the duplicates merged into it,
//! the store's clock, and the audit row that records who took the extract.
//! See `docs/decisions/0013-subject-access.md`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::ids::{HouseholdId, LabId, PersonId};

/// What the audit log records of a subject access extract: which family
/// (id and code, no personal data) and the files produced. `by_person` is
/// added by [`Store::record_audit`](crate::AuditLog::record_audit) from the operator.
#[derive(Debug, Serialize, Deserialize)]
pub struct SubjectAccessRecord {
    /// The family.
    pub household: HouseholdId,
    /// Its human code.
    pub code: String,
    /// Its lab, when the store knows it.
    pub lab: Option<LabId>,
    /// The names of the files produced.
    #[serde(default)]
    pub files: Vec<String>,
    /// Who took the extract, read back from the audit entry.
    #[serde(default, skip_serializing)]
    pub by_person: Option<PersonId>,
}

impl Store {
    /// The store's clock (the date printed on an extract).
    pub fn now(&mut self) -> DateTime<Utc> {
        self.env.now()
    }
}
