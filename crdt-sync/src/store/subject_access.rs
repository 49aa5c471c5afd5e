//! What the reports (`taccuino-reports`) need from the store besides SQL:
//! the labs a selection names, and for the subject access extract (GDPR
//! arts. 15 and 20) the family behind a code, the duplicates merged into it,
//! the store's clock, and the audit row that records who took the extract.
//! See `docs/decisions/0013-subject-access.md`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AuditAction, AuditEntry, Store};
use crate::domain::Lab;
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId, PersonId};
use crate::selection::Labs;

/// What the audit log records of a subject access extract: which family
/// (id and code, no personal data) and the files produced. `by_person` is
/// added by [`Store::record_audit`] from the operator.
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
    /// The family whose human code is `code` (`PV01-0042`; spaces around it
    /// and lower case are forgiven). An erased family is [`Error::Erased`],
    /// an unknown code [`Error::NotFound`].
    pub fn household_by_code(&self, code: &str) -> Result<HouseholdId> {
        let code = code.trim().to_uppercase();
        let mut stmt = self.conn.prepare_cached("SELECT id FROM households WHERE code = ?1 ORDER BY id")?;
        let found: Option<String> = stmt.query_map([&code], |r| r.get(0))?.next().transpose()?;
        if let Some(id) = found {
            return id.parse().map_err(|_| Error::Internal(format!("the projection holds a bad id {id:?}")));
        }
        let mut stmt =
            self.conn.prepare_cached("SELECT id FROM erased_households WHERE code = ?1 ORDER BY id")?;
        let erased: Option<String> = stmt.query_map([&code], |r| r.get(0))?.next().transpose()?;
        match erased.and_then(|id| id.parse().ok()) {
            Some(household) => Err(Error::Erased { household, code }),
            None => Err(Error::not_found("household", code)),
        }
    }

    /// The labs `labs` names, by number; [`Error::NotFound`] for an id this
    /// store lacks.
    pub fn resolve_labs(&self, labs: &Labs) -> Result<Vec<Lab>> {
        let all = self.labs()?;
        match labs {
            Labs::All => Ok(all),
            Labs::Only(ids) => {
                if let Some(missing) = ids.iter().find(|id| !all.iter().any(|l| l.id == **id)) {
                    return Err(Error::not_found("lab", missing));
                }
                Ok(all.into_iter().filter(|l| ids.contains(&l.id)).collect())
            }
        }
    }

    /// The households merged into `h` (directly, or resolved to it through
    /// a chain of merges), by id; confirmed or not.
    pub fn duplicates_of(&self, h: HouseholdId) -> Result<Vec<HouseholdId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM households WHERE (merged_into = ?1 OR canonical_id = ?1) AND id <> ?1 ORDER BY id",
        )?;
        let rows: Vec<String> =
            stmt.query_map([h.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(rows.into_iter().filter_map(|s| s.parse().ok()).collect())
    }

    /// The store's clock (the date printed on an extract).
    pub fn now(&mut self) -> DateTime<Utc> {
        self.env.now()
    }

    /// Records a subject access extract in the audit log.
    pub fn record_subject_access(&mut self, record: &SubjectAccessRecord) -> Result<AuditEntry> {
        self.record_audit(AuditAction::SubjectAccess, record)
    }
}
