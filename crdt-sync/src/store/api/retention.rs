//! The retention policy, and the families it makes due for erasure.

use crate::error::Result;
use crate::{HouseholdId, PersonId, RetentionDue, RetentionPolicy, Tombstone};
use chrono::NaiveDate;

/// The retention policy, and the families it makes due for erasure.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Retention: super::Sealed {
    /// The project's retention policy (the defaults where never set).
    fn retention_policy(&mut self) -> Result<RetentionPolicy>;

    /// Writes the retention policy to the project document (a
    /// coordinator's act: the hub accepts the project document only from
    /// coordinators).
    fn set_retention_policy(&mut self, p: RetentionPolicy) -> Result<()>;

    /// The families due for erasure on `today` under the project's retention
    /// policy, by code: exactly those whose last activity (over the family
    /// and its merged duplicates) is at least `inactive_years` whole years
    /// before `today`. Erased families are never listed (their rows are
    /// gone); a duplicate merged into another family is not listed on its
    /// own but under its family (`merged`), which it follows.
    fn retention_due(&mut self, today: NaiveDate) -> Result<Vec<RetentionDue>>;

    /// Erases, with
    /// [`ErasureReason::Retention`](crate::ErasureReason::Retention), the
    /// families a coordinator
    /// confirmed from [`Store::retention_due`](crate::Store::retention_due), each with its merged
    /// duplicates (through
    /// [`Store::erase_household`](crate::Erasure::erase_household)). Every
    /// confirmed id is
    /// checked again against `today` first: if any is not due (any more),
    /// nothing is erased and the error is [`Error::NotDue`](crate::Error::NotDue); one with an
    /// unconfirmed merge is [`Error::Merge`](crate::Error::Merge), also before anything is
    /// erased. Returns the tombstones written.
    fn erase_due(
        &mut self,
        today: NaiveDate,
        confirmed: &[HouseholdId],
        by_person: Option<PersonId>,
    ) -> Result<Vec<Tombstone>>;
}
