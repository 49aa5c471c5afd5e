//! A family's legal basis: consent renewed or withdrawn, and the restriction of
//! its processing (GDPR arts. 6, 7, 18).

use crate::error::Result;
use crate::{
    Consent, HouseholdId, LabId, LegalStatus, PersonId, RestrictionReason, WithdrawnFamily, WithdrawnScopes,
};
use chrono::NaiveDate;

/// A family's legal basis: consent renewed or withdrawn, and the restriction of
/// its processing (GDPR arts. 6, 7, 18).
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Consents: super::Sealed {
    /// Records that the family withdrew consent on `date` (art. 7(3)), for
    /// some scopes or all of them. Withdrawing
    /// [`crate::ConsentScope::DataProcessing`] (or everything) puts the
    /// family in [`LegalStatus::PendingDecision`]: a coordinator then erases
    /// it ([`Store::erase_household`](crate::Erasure::erase_household) with
    /// [`crate::ErasureReason::Withdrawal`]) or restricts it
    /// ([`Store::restrict_household`](crate::Store::restrict_household)). Allowed
    /// on a restricted family: the
    /// withdrawal is the family's right and must be kept.
    fn withdraw_consent(
        &mut self,
        household: HouseholdId,
        scopes: WithdrawnScopes,
        date: NaiveDate,
        recorded_by: PersonId,
    ) -> Result<LegalStatus>;

    /// The families waiting for a coordinator's decision after withdrawing
    /// the processing itself ([`LegalStatus::PendingDecision`]), of one lab
    /// or all, oldest withdrawal first. Families merged into another are
    /// left out (the decision is taken on the family they joined); restricted
    /// and erased ones are decided already.
    fn withdrawn_families(&mut self, lab: Option<LabId>) -> Result<Vec<WithdrawnFamily>>;

    /// Records a new legal basis record for a registered family: a newer
    /// privacy notice, other scopes, a guardian for a child born since, or
    /// a first record for a family registered before records existed.
    ///
    /// Checked like a record at registration against the family's members
    /// as they are now (a guardian is needed when one of them is a minor on
    /// `consent.date`; a member guardian must be an adult member of the
    /// family), and not dated before the record it replaces
    /// (`Error::Invalid` on `household.consent.*`). The new record replaces
    /// the old one whole in one change of the household document; the old
    /// one stays in the document's history, and the audit trail shows the
    /// change as [`crate::TrailAction::ConsentRecorded`].
    /// `data_processing` follows the basis, as at registration; withdrawals
    /// dated before the new record no longer count
    /// ([`Household::active_scopes`](crate::Household::active_scopes)). Refused
    /// on a restricted family
    /// ([`Error::Restricted`](crate::Error::Restricted)) and an erased one
    /// ([`Error::Erased`](crate::Error::Erased)).
    /// Returns the family's status.
    fn renew_consent(&mut self, household: HouseholdId, consent: Consent) -> Result<LegalStatus>;

    /// Restricts the family's processing (art. 18): from then on every edit
    /// of its document and new attendance are refused
    /// ([`Error::Restricted`](crate::Error::Restricted))
    /// and exports leave it out; the indicators still count it.
    fn restrict_household(
        &mut self,
        id: HouseholdId,
        reason: RestrictionReason,
        by: Option<PersonId>,
    ) -> Result<()>;

    /// Lifts a restriction (the coordinator's decision: the accuracy was
    /// verified, the objection rejected). Lifting a family that is not
    /// restricted is an error, so a double click does not hide a mistake.
    fn lift_restriction(&mut self, id: HouseholdId, by: Option<PersonId>) -> Result<()>;
}
