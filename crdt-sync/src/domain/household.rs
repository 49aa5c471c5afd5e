//! A family: its members, contacts, consent and pathways. All of it lives in
//! the family's own household document, so erasing the family is dropping
//! that one document.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::consent::{Consent, ConsentScope, LegalStatus, NewConsent, Restriction, Withdrawal};
use super::keyed_enum;
use super::member::{AgeStatus, Member, NewMember};
use crate::ids::{HouseholdId, LabId, MemberId, PathwayId, PersonId};

keyed_enum!(
    /// Areas of difficulty a family is supported in.
    Area {
        /// Economic difficulty.
        Economic => "economic",
        /// Relational difficulty.
        Relational => "relational",
        /// Social difficulty.
        Social => "social",
    }
);

keyed_enum!(
    /// Who sent the family to the lab.
    ReferralSource {
        /// The municipality's social services.
        SocialServices => "social_services",
        /// A school.
        School => "school",
        /// A parish.
        Parish => "parish",
        /// Another association.
        Association => "association",
        /// Word of mouth.
        WordOfMouth => "word_of_mouth",
        /// The family came on its own.
        SelfReferred => "self_referred",
        /// Something else.
        Other => "other",
    }
);

keyed_enum!(
    /// Kinds of pathway (*percorso*).
    PathwayKind {
        /// *Tutoraggio familiare*.
        FamilyTutoring => "family_tutoring",
        /// *Mediazione dei conflitti*.
        ConflictMediation => "conflict_mediation",
        /// *Sostegno alla genitorialità*.
        ParentingSupport => "parenting_support",
        /// *Cura di sé*.
        SelfCare => "self_care",
    }
);

keyed_enum!(
    /// Where a pathway stands.
    PathwayStatus {
        /// Ongoing.
        Active => "active",
        /// Paused.
        Suspended => "suspended",
        /// Finished.
        Closed => "closed",
    }
);

/// How to reach a family.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Contacts {
    /// Phone number.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// Home address.
    pub address: String,
}

/// A pathway the family follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Pathway {
    /// Id.
    pub id: PathwayId,
    /// Kind.
    pub kind: PathwayKind,
    /// Start date.
    pub start: NaiveDate,
    /// End date, once closed.
    pub end: Option<NaiveDate>,
    /// The operator who follows it.
    pub operator: Option<PersonId>,
    /// Status.
    pub status: PathwayStatus,
    /// Free notes (merged character by character when edited concurrently).
    pub notes: String,
}

/// A family, as read from its household document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Household {
    /// Id (also the id of its document).
    pub id: HouseholdId,
    /// Human code (`PV03-0042`).
    pub code: String,
    /// The lab that registered it.
    pub lab: LabId,
    /// The member who is the reference person.
    pub reference: Option<MemberId>,
    /// Members, ordered by id (creation order).
    pub members: Vec<Member>,
    /// Contacts.
    pub contacts: Contacts,
    /// Areas of difficulty.
    pub areas: BTreeSet<Area>,
    /// Who referred them.
    pub referral: Option<ReferralSource>,
    /// The legal basis record; `None` when the document has no complete one
    /// (registered by an app older than issue 6): "legal basis missing".
    pub consent: Option<Consent>,
    /// Withdrawals of consent, oldest first.
    pub withdrawals: Vec<Withdrawal>,
    /// Set while processing is restricted (art. 18): the family is frozen.
    pub restriction: Option<Restriction>,
    /// Where the family stands with its legal basis (derived from the three above).
    pub legal_status: LegalStatus,
    /// Pathways, ordered by id.
    pub pathways: Vec<Pathway>,
    /// Set when a lead merged this family into another.
    pub merged_into: Option<HouseholdId>,
    /// Whether that merge was confirmed (and can no longer be undone).
    pub merge_confirmed: bool,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

impl Household {
    /// Whether the family withdrew the processing basis itself (after the
    /// current record was given: a newer record re-establishes it).
    pub fn processing_withdrawn(&self) -> bool {
        self.withdrawals.iter().any(|w| {
            w.scopes.contains(&ConsentScope::DataProcessing)
                && self.consent.as_ref().is_none_or(|c| w.date >= c.date)
        })
    }

    /// The consents in force: the record's scopes minus those withdrawn since.
    pub fn active_scopes(&self) -> BTreeSet<ConsentScope> {
        let Some(c) = &self.consent else {
            return BTreeSet::new();
        };
        let mut scopes = c.scopes.clone();
        for w in self.withdrawals.iter().filter(|w| w.date >= c.date) {
            scopes.retain(|s| !w.scopes.contains(s));
        }
        scopes
    }

    /// The status from the record, the withdrawals and the restriction.
    pub(crate) fn derive_legal_status(&self) -> LegalStatus {
        if self.restriction.is_some() {
            LegalStatus::Restricted
        } else if self.processing_withdrawn() {
            LegalStatus::PendingDecision
        } else if self.consent.is_none() {
            LegalStatus::Missing
        } else {
            LegalStatus::Valid
        }
    }

    /// The reference person, if set and still a member.
    pub fn reference_member(&self) -> Option<&Member> {
        let id = self.reference?;
        self.members.iter().find(|m| m.id == id)
    }
}

/// Input for a new family: the reference person is its first member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewHousehold {
    /// The lab that registers it.
    pub lab: LabId,
    /// The reference person.
    pub reference: NewMember,
    /// Other members.
    pub others: Vec<NewMember>,
    /// Contacts.
    pub contacts: Contacts,
    /// Areas of difficulty.
    pub areas: BTreeSet<Area>,
    /// Referral.
    pub referral: Option<ReferralSource>,
    /// The legal basis record: required, a family is never registered without it.
    pub consent: NewConsent,
}

impl NewHousehold {
    /// Whether the legal basis record needs a guardian: the reference person
    /// or another member is a minor on `date` (the record's date).
    pub fn needs_guardian(&self, date: NaiveDate) -> bool {
        std::iter::once(&self.reference)
            .chain(&self.others)
            .any(|m| AgeStatus::of(m.birth_year, date) == AgeStatus::Minor)
    }
}

/// A change to a family's own fields; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct HouseholdPatch {
    /// New contacts.
    pub contacts: Option<Contacts>,
    /// New areas.
    pub areas: Option<BTreeSet<Area>>,
    /// New referral (`Some(None)` clears it).
    pub referral: Option<Option<ReferralSource>>,
    /// A new legal basis record (replaces the old one; checked like a new one).
    pub consent: Option<Consent>,
    /// New reference person (must be a member).
    pub reference: Option<MemberId>,
}

/// Input for a new pathway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewPathway {
    /// Kind.
    pub kind: PathwayKind,
    /// Start date.
    pub start: NaiveDate,
    /// Operator.
    pub operator: Option<PersonId>,
    /// Notes.
    pub notes: String,
}

/// A change to a pathway; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct PathwayPatch {
    /// Status.
    pub status: Option<PathwayStatus>,
    /// End date (`Some(None)` clears it).
    pub end: Option<Option<NaiveDate>>,
    /// Operator (`Some(None)` clears it).
    pub operator: Option<Option<PersonId>>,
    /// Notes (the whole new text; stored as a text diff).
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Keyed;

    #[test]
    fn age_status_by_year() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        assert_eq!(AgeStatus::of(Some(2010), on), AgeStatus::Minor);
        assert_eq!(AgeStatus::of(Some(2009), on), AgeStatus::Minor);
        assert_eq!(AgeStatus::of(Some(2008), on), AgeStatus::NewlyAdult);
        assert_eq!(AgeStatus::of(Some(2005), on), AgeStatus::NewlyAdult);
        assert_eq!(AgeStatus::of(Some(2004), on), AgeStatus::Adult);
        assert_eq!(AgeStatus::of(None, on), AgeStatus::Unknown);
    }

    #[test]
    fn keys_round_trip() {
        for a in Area::ALL {
            assert_eq!(Area::from_key(a.key()), Some(*a));
        }
        assert_eq!(PathwayKind::from_key("nonsense"), None);
    }
}
