//! The families: registering them, their members and pathways, finding them, and
//! merging duplicates.

use crate::error::Result;
use crate::{
    AttendanceEntry, FieldConflict, Household, HouseholdHit, HouseholdId, HouseholdPatch, MemberId,
    MemberPatch, NewHousehold, NewMember, NewPathway, PathwayId, PathwayPatch,
};

/// The families: registering them, their members and pathways, finding them, and
/// merging duplicates.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Families: super::Sealed {
    /// Families that may be the same as `id`: a member with the same
    /// surname and a similar first name ("Nicolò Bianchi" and "Nicolo
    /// Bianchi", "Giuseppe" and "Giuseppina" do not match, "Mohamed" and
    /// "Mohammed" do), or the same phone number. Families already merged are
    /// left out. Best matches first, at most `limit`.
    fn likely_duplicates(&mut self, id: HouseholdId, limit: usize) -> Result<Vec<HouseholdHit>>;

    /// Registers a family: its own household document, plus its code in the
    /// lab's index, in one transaction.
    fn create_household(&mut self, h: NewHousehold) -> Result<HouseholdId>;

    /// Edits a family's own fields. A new legal basis record
    /// (`patch.consent`) is checked as by [`Store::renew_consent`](crate::Consents::renew_consent).
    fn update_household(&mut self, id: HouseholdId, patch: HouseholdPatch) -> Result<()>;

    /// Adds a member to a family. A member who is a minor today needs a
    /// guardian on the family's current legal basis record: without one the
    /// member is refused (`Error::Invalid` on `member.birth_year`) until a
    /// record naming one is given
    /// ([`Store::renew_consent`](crate::Consents::renew_consent)). A family with
    /// no record at all is not refused (see `check_minor_member`).
    fn add_member(&mut self, household: HouseholdId, m: NewMember) -> Result<MemberId>;

    /// Edits a member. A birth year that makes an adult (or a member of
    /// unknown age) a minor today is refused as by [`Store::add_member`](crate::Store::add_member),
    /// and so is one that would make the family's guardian a minor.
    fn update_member(&mut self, household: HouseholdId, member: MemberId, patch: MemberPatch) -> Result<()>;

    /// Starts a pathway for a family.
    fn add_pathway(&mut self, household: HouseholdId, pw: NewPathway) -> Result<PathwayId>;

    /// Edits a pathway.
    fn update_pathway(
        &mut self,
        household: HouseholdId,
        pathway: PathwayId,
        patch: PathwayPatch,
    ) -> Result<()>;

    /// Marks `loser` as the same family as `winner`. Attendance of the loser
    /// counts for the winner; nothing is deleted, and
    /// [`Store::undo_merge`](crate::Store::undo_merge)
    /// reverses it until [`Store::confirm_merge`](crate::Store::confirm_merge).
    fn merge_households(&mut self, loser: HouseholdId, winner: HouseholdId) -> Result<()>;

    /// Reverses an unconfirmed merge.
    fn undo_merge(&mut self, loser: HouseholdId) -> Result<()>;

    /// Confirms a merge (the lead's decision); it can no longer be undone.
    fn confirm_merge(&mut self, loser: HouseholdId) -> Result<()>;

    /// One family, read from its household document.
    /// An erased family is [`Error::Erased`](crate::Error::Erased), with its code.
    fn household(&mut self, id: HouseholdId) -> Result<Household>;

    /// Families whose names or code start with the words typed, accents
    /// ignored ("nicolo" finds "Nicolò", "pv03-004" finds "PV03-0042").
    fn search_households(&self, query: &str, limit: u32) -> Result<Vec<HouseholdHit>>;

    /// Every attendance of a family, including those recorded for families
    /// merged into it, by date.
    fn attendance_history(&self, id: HouseholdId) -> Result<Vec<AttendanceEntry>>;

    /// A family's code, from the projection (`None` if it is unknown here).
    fn household_code(&self, id: HouseholdId) -> Result<Option<String>>;

    /// The family this one counts as (itself unless merged).
    fn canonical_household(&self, id: HouseholdId) -> Result<HouseholdId>;

    /// Fields of a family where two values were entered concurrently.
    fn household_conflicts(&mut self, id: HouseholdId) -> Result<Vec<FieldConflict>>;

    /// The family whose human code is `code` (`PV01-0042`; spaces around it
    /// and lower case are forgiven). An erased family is [`Error::Erased`](crate::Error::Erased),
    /// an unknown code [`Error::NotFound`](crate::Error::NotFound).
    fn household_by_code(&self, code: &str) -> Result<HouseholdId>;

    /// The households merged into `h` (directly, or resolved to it through
    /// a chain of merges), by id; confirmed or not.
    fn duplicates_of(&self, h: HouseholdId) -> Result<Vec<HouseholdId>>;
}
