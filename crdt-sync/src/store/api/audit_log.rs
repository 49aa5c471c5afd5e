//! This device's audit log: exports, subject access extracts and other acts
//! recorded with who did them.

use crate::error::Result;
use crate::{AuditAction, AuditEntry, SubjectAccessRecord};
use serde::Serialize;

/// This device's audit log: exports, subject access extracts and other acts
/// recorded with who did them.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait AuditLog: super::Sealed {
    /// Appends a row to the audit log, stamped with this device and the
    /// store's clock, in its own transaction.
    /// The person set with [`Store::set_operator`](crate::Store::set_operator),
    /// if any, is added to the
    /// details as `by_person`.
    fn record_audit(&mut self, action: AuditAction, details: &impl Serialize) -> Result<AuditEntry>;

    /// The newest `limit` rows of the audit log, newest first.
    fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;

    /// Records a subject access extract in the audit log.
    fn record_subject_access(&mut self, record: &SubjectAccessRecord) -> Result<AuditEntry>;
}
