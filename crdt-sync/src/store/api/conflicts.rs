//! Fields where concurrent edits left two values, across the register.

use crate::doc::DocRef;
use crate::error::Result;
use crate::store::OpenConflict;

/// The queue of conflicting edits: every field, in every document this
/// store holds, where two devices entered different values, and choosing
/// one (decision 0031).
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Conflicts: super::Sealed {
    /// How many fields are in conflict, read from the projection alone.
    fn conflict_count(&self) -> Result<u32>;

    /// The first `limit` conflicts, by document then field, with what each
    /// document is (a family, a meeting, a person...), the competing values
    /// and who wrote them. Only the documents that have conflicts are loaded
    /// (the projection says which).
    fn open_conflicts(&mut self, limit: u32) -> Result<Vec<OpenConflict>>;

    /// Settles the conflict at `path` of `doc` with the value `choice` (a
    /// [`ConflictValue::id`](crate::ConflictValue::id)): the value is written
    /// again, which supersedes the others on every replica. `NotFound` when
    /// the field is no longer in conflict or `choice` is not one of its
    /// values; `Invalid` for a privileged part (tombstones, restrictions:
    /// their own commands write them, [`crate::authz::authors::privileged_roots`]);
    /// `Restricted` for a restricted family. Who may write `doc` is the
    /// caller's to check ([`crate::authz::access`]), as for any edit.
    fn resolve_conflict(&mut self, doc: DocRef, path: &str, choice: &str) -> Result<()>;
}
