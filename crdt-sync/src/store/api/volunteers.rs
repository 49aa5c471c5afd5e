//! The volunteers' register of an organisation (CTS art. 17): its
//! partner organisations, each volunteer's entry and the entry's history.

use crate::domain::{ErasureReason, Organisation, VolunteerEntry, VolunteerRecord, VolunteerTombstone};
use crate::error::Result;
use crate::ids::{OrganisationId, PersonId};
use chrono::NaiveDate;

use crate::store::{CoverWarning, VolunteerChange, VolunteerDue};

/// The volunteers' register: the project's partner organisations, and
/// each volunteer's entry, which only the coordinators of the volunteer's
/// organisation receive and write (decision 0033).
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed).
pub trait VolunteerRegister: super::Sealed {
    /// The project's partner organisations, by name.
    fn organisations(&mut self) -> Result<Vec<Organisation>>;

    /// Adds a partner organisation to the project document (coordinators:
    /// the caller checks `Action::ChangeProjectSettings`).
    fn add_organisation(&mut self, name: &str) -> Result<OrganisationId>;

    /// The organisation this device was enrolled for, as the directory the
    /// hub writes says (`None`: none, or not synced yet).
    fn own_organisation(&mut self) -> Result<Option<OrganisationId>>;

    /// Creates or changes a volunteer's entry, after checking it
    /// ([`VolunteerEntry`]): only a coordinator of the entry's organisation
    /// may ([`crate::Error::NotOfOrganisation`]); a new entry is in this
    /// device's organisation.
    fn keep_volunteer(&mut self, person: PersonId, entry: VolunteerEntry) -> Result<VolunteerRecord>;

    /// One volunteer's entry, if this replica holds it.
    fn volunteer(&mut self, person: PersonId) -> Result<Option<VolunteerRecord>>;

    /// Every entry this replica holds, by start date.
    fn volunteers(&mut self) -> Result<Vec<VolunteerRecord>>;

    /// Every change to one entry, oldest first: when, by which device and
    /// person, and each field before and after.
    fn volunteer_history(&mut self, person: PersonId) -> Result<Vec<VolunteerChange>>;

    /// Erases `person`'s entry (GDPR art. 17; decision 0033): writes a
    /// tombstone into the project document, and drops the entry's document
    /// here in the same commit; every replica holding it drops it when the
    /// tombstone reaches it, and refuses it from then on
    /// ([`crate::Error::VolunteerErased`]). Only a coordinator of the
    /// entry's organisation may ([`crate::Error::NotOfOrganisation`]); an
    /// entry this replica does not hold is [`crate::Error::NotFound`].
    /// Erasing an erased entry again changes nothing and returns its
    /// tombstone.
    fn erase_volunteer(
        &mut self,
        person: PersonId,
        reason: ErasureReason,
        by_person: Option<PersonId>,
    ) -> Result<VolunteerTombstone>;

    /// The tombstones of the entries of this device's organisation, by
    /// time: what its register shows of erased entries.
    fn erased_volunteers(&mut self) -> Result<Vec<VolunteerTombstone>>;

    /// The entries of this device's organisation due for erasure on
    /// `today` under the project's retention policy: those whose
    /// volunteering ended at least `volunteer_years` whole years before
    /// (an entry with no end is never due), by end date.
    fn volunteers_due(&mut self, today: NaiveDate) -> Result<Vec<VolunteerDue>>;

    /// Erases, with [`ErasureReason::Retention`], the entries a coordinator
    /// confirmed from [`VolunteerRegister::volunteers_due`]. Every one is
    /// checked again against `today` first: if any is not due (any more),
    /// nothing is erased ([`crate::Error::VolunteerNotDue`]).
    fn erase_volunteers_due(
        &mut self,
        today: NaiveDate,
        confirmed: &[PersonId],
        by_person: Option<PersonId>,
    ) -> Result<Vec<VolunteerTombstone>>;

    /// Meetings from `from` to `to` led by a volunteer whose entry this
    /// device holds and whose volunteering or insurance did not cover the
    /// meeting's date, by date. Labs hold no entries: the warning is the
    /// organisation's coordinators' to see.
    fn facilitator_cover(&mut self, from: NaiveDate, to: NaiveDate) -> Result<Vec<CoverWarning>>;
}
