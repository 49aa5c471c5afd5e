//! Erasure of a family (GDPR art. 17): the order that stays in the lab
//! document once the family's own document is gone everywhere.
//!
//! A lab lead may *request* an erasure ([`ErasureRequest`]); only a
//! coordinator *confirms* it by writing the [`Tombstone`]. Neither holds
//! personal data: ids, the family's human code, times, who and why.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keyed_enum;
use crate::ids::{DeviceId, HouseholdId, LabId, OrganisationId, PersonId};

keyed_enum!(
    /// Why a family was erased.
    ErasureReason {
        /// The family asked for it (art. 17(1)(a)/(c)).
        Request => "request",
        /// The family withdrew its consent.
        Withdrawal => "withdrawal",
        /// The retention period ended.
        Retention => "retention",
        /// Another ground, recorded on paper.
        Other => "other",
    }
);

/// The order to erase a family, kept in its lab's document at
/// `erased.<household_id>`. Every replica that sees it drops the family's
/// document and refuses it from then on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Tombstone {
    /// The erased family.
    pub household: HouseholdId,
    /// The lab whose document holds the tombstone (and lists the family).
    pub lab: LabId,
    /// Its human code (`PV03-0042`), the only thing registers still show.
    pub code: String,
    /// When the erasure was confirmed.
    pub at: DateTime<Utc>,
    /// The device that confirmed it (a coordinator's).
    pub by_device: DeviceId,
    /// The person who confirmed it, when known.
    pub by_person: Option<PersonId>,
    /// Why.
    pub reason: ErasureReason,
    /// Who requested it (a lab lead), when it was requested first.
    pub requested_by: Option<PersonId>,
    /// Who confirmed it (the coordinator; equal to `by_person`).
    pub confirmed_by: Option<PersonId>,
}

/// A lab lead's request to erase a family, at `erasure_requests.<household_id>`
/// in the lab document, until a coordinator confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ErasureRequest {
    /// The family.
    pub household: HouseholdId,
    /// Its lab.
    pub lab: LabId,
    /// Its code.
    pub code: String,
    /// When it was requested.
    pub at: DateTime<Utc>,
    /// The requesting device.
    pub by_device: DeviceId,
    /// The requesting person, when known.
    pub by_person: Option<PersonId>,
    /// Why.
    pub reason: ErasureReason,
}

/// A family erased on this device, as registers show it: its code only
/// ("famiglia cancellata").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct ErasedHousehold {
    /// The family's id.
    pub id: HouseholdId,
    /// The lab that registered it.
    pub lab: LabId,
    /// Its code.
    pub code: String,
    /// When the erasure was confirmed.
    pub erased_at: DateTime<Utc>,
    /// Why.
    pub reason: ErasureReason,
}

/// The order to erase a volunteer's entry in an organisation's register
/// (decision 0033), kept in the project document at
/// `erased_volunteers.<person_id>`. Every replica that holds the entry's
/// document drops it and refuses it from then on. No personal data: the
/// person's id (her person document stays), the organisation, times, who
/// and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct VolunteerTombstone {
    /// The volunteer whose entry was erased.
    pub person: PersonId,
    /// The organisation whose register held the entry; only its
    /// coordinators may write the tombstone.
    pub organisation: OrganisationId,
    /// When the erasure was confirmed.
    pub at: DateTime<Utc>,
    /// The device that confirmed it (a coordinator's of the organisation).
    pub by_device: DeviceId,
    /// The person who confirmed it, when known.
    pub by_person: Option<PersonId>,
    /// Why.
    pub reason: ErasureReason,
}
