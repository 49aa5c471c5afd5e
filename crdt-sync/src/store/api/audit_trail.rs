//! The audit trail: who did what to a family or a lab, read from the documents'
//! history on any replica.

use crate::error::Result;
use crate::{TrailEntry, TrailScope};

/// The audit trail: who did what to a family or a lab, read from the documents'
/// history on any replica.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait AuditTrail: super::Sealed {
    /// The audit trail of one family or one lab, oldest first. Exports are
    /// those made on this device (the audit log is local); every other
    /// entry is read from the documents (or, for erasures, from the
    /// tombstones copied into the audit log) and is the same on every
    /// replica that holds them.
    fn audit_trail(&mut self, scope: TrailScope) -> Result<Vec<TrailEntry>>;
}
