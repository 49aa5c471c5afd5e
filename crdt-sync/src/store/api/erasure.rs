//! Erasing a family (GDPR art. 17): requests, tombstones, and what is kept of an erased family.

use crate::error::Result;
use crate::{ErasedHousehold, ErasureReason, ErasureRequest, HouseholdId, LabId, PersonId, Tombstone};

/// Erasing a family (GDPR art. 17): requests, tombstones, and what is kept of an erased family.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Erasure: super::Sealed {
    /// The family `id` if it was erased on this device.
    fn erased_household(&self, id: HouseholdId) -> Result<Option<ErasedHousehold>>;

    /// The families erased on this device, of one lab or all, by code.
    fn erased_households(&self, lab: Option<LabId>) -> Result<Vec<ErasedHousehold>>;

    /// The tombstone of an erased family, read from its lab document.
    fn tombstone(&mut self, id: HouseholdId) -> Result<Option<Tombstone>>;

    /// Open erasure requests (not yet confirmed), of one lab or all.
    fn erasure_requests(&mut self, lab: Option<LabId>) -> Result<Vec<ErasureRequest>>;

    /// A lab lead asks for the erasure of family `id`; a coordinator
    /// confirms it with [`Store::erase_household`](crate::Erasure::erase_household). Writes
    /// `erasure_requests.<id>` in the family's lab document. Asking again
    /// updates the request.
    fn request_erasure(
        &mut self,
        id: HouseholdId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<ErasureRequest>;

    /// Erases family `id` (a coordinator's act; the hub refuses tombstones
    /// from any other device, see [`WriteCheck::NoErasure`](crate::WriteCheck::NoErasure)).
    ///
    /// Writes the tombstone to the family's lab document, then (in the same
    /// SQLite transaction) drops the family's document and projection rows,
    /// keeping only an aggregate trace so the indicators count it as before;
    /// then vacuums the file. Families merged into it are erased with it
    /// (each gets its own tombstone in its own lab's document): they are the
    /// same family. Returns the tombstones written, the family's first.
    ///
    /// Erasing an erased family again changes nothing and returns its
    /// tombstone. A family this store does not know is [`Error::NotFound`](crate::Error::NotFound);
    /// one with a duplicate merged into it whose merge is not confirmed is
    /// [`Error::Merge`](crate::Error::Merge) (confirm or undo that merge first: an unconfirmed
    /// merge may join two different families, and erasure cannot be undone).
    fn erase_household(
        &mut self,
        id: HouseholdId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<Vec<Tombstone>>;

    /// Makes freed pages leave the file: checkpoints the WAL (truncating
    /// it), vacuums, and checkpoints again. `secure_delete` has already
    /// zeroed deleted content in the pages it wrote; the checkpoint moves
    /// those pages over the old ones in the database file, and `VACUUM`
    /// rewrites the file without free pages. Run after erasures are applied
    /// (and at open when a previous run could not): the cost is a rewrite of
    /// the whole file (see `docs/decisions/0009-erasure.md`).
    fn scrub(&mut self) -> Result<()>;
}
