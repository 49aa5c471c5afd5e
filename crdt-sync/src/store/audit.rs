//! The audit log: a local, append-only record of sensitive actions on this
//! device (migration `0002_audit_log.sql`). Every export writes a row with
//! its options; a full export, with names, is its own action so that a
//! coordinator reviewing the log finds it at a glance.

use super::Store;
use crate::store::api::*;
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Keyed, keyed_enum};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, HouseholdId, LabId, PersonId};

keyed_enum!(
    /// What was done.
    AuditAction {
        /// A pseudonymised export (codes, birth years, areas; no names or contacts).
        Export => "export",
        /// A full export, with names and contacts (coordinators only).
        FullExport => "export_full",
        /// A family's data was erased on this device (confirmed here, or a
        /// tombstone received): ids, code, reason and who, no personal data.
        Erasure => "erasure",
        /// A subject access extract (GDPR arts. 15 and 20) of one family was
        /// taken: its id and code and the files' names, no personal data.
        SubjectAccess => "subject_access",
        /// A volunteer's entry in an organisation's register was erased on
        /// this device (confirmed here, or a tombstone received): the
        /// person's and organisation's ids, reason and who.
        VolunteerErasure => "volunteer_erasure",
        /// A subject access extract of one volunteer's register entry was
        /// taken (decision 0033): the person's and organisation's ids and
        /// the files' names.
        VolunteerSubjectAccess => "volunteer_subject_access",
        /// A training session's sign-in sheet was printed (decision 0030):
        /// the session's id, date and title, the ids of the people listed,
        /// the file's name.
        TrainingSignInSheet => "training_sign_in_sheet",
        /// A certificate of attendance was issued (decision 0030): the
        /// person's id and code, the issue date, the file's name.
        TrainingCertificate => "training_certificate",
        /// An organisation's yearly register of volunteers was written
        /// (decision 0033): the organisation's id, the year, the digest
        /// printed on it, the ids of the people listed and the files'
        /// names. Their personal data are in the files, not in the log.
        VolunteersRegister => "volunteers_register",
    }
);

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct AuditEntry {
    /// Id (UUID v7).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The device that did it.
    pub device: DeviceId,
    /// The action's key (`export`, `export_full`, or one a newer app wrote).
    pub action: String,
    /// What exactly, as JSON (an export's options and the files it produced).
    pub details: serde_json::Value,
}

/// Appends a row to the audit log on `conn` (inside the caller's
/// transaction, if it holds one).
pub(super) fn record(
    conn: &rusqlite::Connection,
    env: &mut dyn crate::env::Environment,
    device: DeviceId,
    action: AuditAction,
    details: &impl Serialize,
) -> Result<AuditEntry> {
    let details = serde_json::to_value(details)
        .map_err(|e| Error::Internal(format!("audit details are not JSON: {e}")))?;
    let entry =
        AuditEntry { id: env.new_uuid(), at: env.now(), device, action: action.key().to_owned(), details };
    conn.execute(
        "INSERT INTO audit_log (id, at, device_id, action, details) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            entry.id.to_string(),
            entry.at.timestamp_millis(),
            entry.device.to_string(),
            entry.action,
            entry.details.to_string()
        ],
    )?;
    Ok(entry)
}

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

impl AuditLog for Store {
    fn record_audit(&mut self, action: AuditAction, details: &impl Serialize) -> Result<AuditEntry> {
        let mut details = serde_json::to_value(details)
            .map_err(|e| Error::Internal(format!("audit details are not JSON: {e}")))?;
        if let (Some(person), Some(map)) = (self.operator, details.as_object_mut()) {
            map.insert("by_person".into(), serde_json::Value::String(person.to_string()));
        }
        record(&self.conn, &mut *self.env, self.device, action, &details)
    }

    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, device_id, action, details FROM audit_log ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, device, action, details): (String, i64, String, String, String) = row?;
            let damaged = |what: &str| Error::Internal(format!("audit_log row {id}: bad {what}"));
            out.push(AuditEntry {
                id: id.parse().map_err(|_| damaged("id"))?,
                at: DateTime::from_timestamp_millis(at).ok_or_else(|| damaged("time"))?,
                device: device.parse().map_err(|_| damaged("device"))?,
                action,
                details: serde_json::from_str(&details).map_err(|_| damaged("details"))?,
            });
        }
        Ok(out)
    }

    fn record_subject_access(&mut self, record: &SubjectAccessRecord) -> Result<AuditEntry> {
        self.record_audit(AuditAction::SubjectAccess, record)
    }
}
