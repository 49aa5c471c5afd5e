//! A family's legal basis record (GDPR arts. 6, 7, 9), its withdrawals and
//! the restriction of its processing (art. 18). All of it lives in the
//! family's household document (see docs/decisions/0010).
//!
//! A family is registered only with a [`NewConsent`]; [`check_new`] and
//! [`check_record`] are the rules, pure, so that the store, the app and the
//! tests agree on them.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::member::{AgeStatus, Member, NewMember};
use super::validate::{check_date, check_name};
use super::{Keyed, keyed_enum};
use crate::error::{Error, Result};
use crate::ids::{MemberId, PersonId};

keyed_enum!(
    /// What a family consented to.
    ConsentScope {
        /// Processing of personal data for the project: present exactly when
        /// the legal basis is consent; withdrawing it withdraws that basis.
        DataProcessing => "data_processing",
        /// Photos during activities.
        Photos => "photos",
        /// Being contacted by phone or message.
        Contact => "contact",
    }
);

keyed_enum!(
    /// The lawful basis of the processing (GDPR art. 6(1)).
    LegalBasis {
        /// The family consented (art. 6(1)(a)).
        Consent => "consent",
        /// A task in the public interest, e.g. a social services referral (art. 6(1)(e)).
        PublicTask => "public_task",
        /// The legitimate interest of the project's partners (art. 6(1)(f)).
        LegitimateInterest => "legitimate_interest",
        /// To protect someone's vital interests (art. 6(1)(d)).
        VitalInterest => "vital_interest",
        /// A legal obligation (art. 6(1)(c)).
        LegalObligation => "legal_obligation",
    }
);

keyed_enum!(
    /// The condition for special categories of data (GDPR art. 9(2)), when
    /// notes may reveal health, origin or religion.
    SpecialCondition {
        /// Explicit consent (art. 9(2)(a)).
        ExplicitConsent => "explicit_consent",
        /// Social security and social protection law (art. 9(2)(b)).
        SocialProtection => "social_protection",
        /// Health or social care, under a professional's secrecy (art. 9(2)(h)).
        SocialCare => "social_care",
        /// Vital interests of someone unable to consent (art. 9(2)(c)).
        VitalInterest => "vital_interest",
        /// Substantial public interest under Union or Member State law (art. 9(2)(g)).
        PublicInterest => "public_interest",
    }
);

keyed_enum!(
    /// Why processing is restricted (GDPR art. 18(1)).
    RestrictionReason {
        /// The family contests the accuracy of its data (18(1)(a)).
        Accuracy => "accuracy",
        /// Processing was unlawful and the family opposes erasure (18(1)(b)).
        Unlawful => "unlawful",
        /// The family needs the data kept for legal claims (18(1)(c)).
        LegalClaims => "legal_claims",
        /// An objection is being verified (18(1)(d)).
        Objection => "objection",
        /// The family withdrew its consent and asked that its data be kept, not erased.
        Withdrawal => "withdrawal",
    }
);

/// Who gives consent for the minors of the family, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Guardian {
    /// A member of the family (an adult).
    Member {
        /// The member.
        member: MemberId,
    },
    /// Someone outside the family (a guardian appointed by the court, a relative).
    Named {
        /// First and last name.
        name: String,
    },
}

/// The guardian, when registering a family (its members have no ids yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewGuardian {
    /// A member of the new family: 0 is the reference person, `n` is `others[n - 1]`.
    Member {
        /// Position among the members.
        index: u16,
    },
    /// Someone outside the family.
    Named {
        /// First and last name.
        name: String,
    },
}

/// The family's legal basis record, as signed on paper (GDPR arts. 6, 7, 9).
///
/// `scopes` holds [`ConsentScope::DataProcessing`] exactly when `basis` is
/// [`LegalBasis::Consent`] (the store keeps it so), plus the optional
/// photos and contact consents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Consent {
    /// The art. 6 basis.
    pub basis: LegalBasis,
    /// The art. 9 condition, when notes may reveal special categories of data.
    pub special: Option<SpecialCondition>,
    /// Version of the privacy notice that was given.
    pub notice_version: String,
    /// When it was recorded.
    pub date: NaiveDate,
    /// The operator or volunteer who collected it.
    pub collected_by: PersonId,
    /// Who consented for the minors; required when a member is a minor on `date`.
    pub guardian: Option<Guardian>,
    /// What was consented to.
    pub scopes: BTreeSet<ConsentScope>,
}

/// The legal basis record of a family being registered ([`Consent`] with
/// the guardian given by position).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct NewConsent {
    /// The art. 6 basis.
    pub basis: LegalBasis,
    /// The art. 9 condition, if any.
    pub special: Option<SpecialCondition>,
    /// Version of the privacy notice that was given.
    pub notice_version: String,
    /// When it was recorded.
    pub date: NaiveDate,
    /// Who collected it.
    pub collected_by: PersonId,
    /// Who consented for the minors; required when a member is a minor on `date`.
    pub guardian: Option<NewGuardian>,
    /// Photos and contact consents (data processing follows from `basis`).
    pub scopes: BTreeSet<ConsentScope>,
}

impl NewConsent {
    /// Consent (art. 6(1)(a)) given on `date` after notice `notice_version`,
    /// collected by `collected_by`: no art. 9 condition, no guardian, no
    /// photos or contact consent.
    pub fn given(date: NaiveDate, notice_version: impl Into<String>, collected_by: PersonId) -> NewConsent {
        NewConsent {
            basis: LegalBasis::Consent,
            special: None,
            notice_version: notice_version.into(),
            date,
            collected_by,
            guardian: None,
            scopes: BTreeSet::new(),
        }
    }

    /// The same record with a guardian.
    pub fn with_guardian(self, guardian: NewGuardian) -> NewConsent {
        NewConsent { guardian: Some(guardian), ..self }
    }
}

/// Which consents a withdrawal takes back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(tag = "kind", content = "scopes", rename_all = "snake_case")]
pub enum WithdrawnScopes {
    /// Everything, the processing itself included.
    All,
    /// Only these (with [`ConsentScope::DataProcessing`], the processing itself).
    Only(BTreeSet<ConsentScope>),
}

impl WithdrawnScopes {
    /// The scopes taken back.
    pub fn scopes(&self) -> BTreeSet<ConsentScope> {
        match self {
            WithdrawnScopes::All => ConsentScope::ALL.iter().copied().collect(),
            WithdrawnScopes::Only(s) => s.clone(),
        }
    }
}

/// A withdrawal of consent (GDPR art. 7(3)), as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Withdrawal {
    /// When the family withdrew.
    pub date: NaiveDate,
    /// What it took back.
    pub scopes: BTreeSet<ConsentScope>,
    /// Who recorded it.
    pub recorded_by: PersonId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// A restriction of processing (GDPR art. 18): the family is frozen and
/// left out of exports; the indicators still count it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Restriction {
    /// Why.
    pub reason: RestrictionReason,
    /// When it was decided.
    pub at: DateTime<Utc>,
    /// The coordinator who decided it.
    pub by: Option<PersonId>,
}

/// Where a family stands with its legal basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    /// A complete record, not withdrawn.
    Valid,
    /// No complete record: registered by an app older than issue 6. Someone
    /// must record the basis.
    Missing,
    /// The processing basis was withdrawn: a coordinator decides between
    /// erasure and restriction.
    PendingDecision,
    /// Processing is restricted (art. 18).
    Restricted,
}

impl LegalStatus {
    /// The key stored in the projection (`households.legal_status`).
    pub fn key(self) -> &'static str {
        match self {
            LegalStatus::Valid => "valid",
            LegalStatus::Missing => "missing",
            LegalStatus::PendingDecision => "pending_decision",
            LegalStatus::Restricted => "restricted",
        }
    }
}

/// Whether a member born in `birth_year` is a minor on `on`.
fn is_minor(birth_year: Option<u16>, on: NaiveDate) -> bool {
    AgeStatus::of(birth_year, on) == AgeStatus::Minor
}

/// The rules every record obeys. `members` are the birth years of the
/// family; `guardian` is the chosen guardian's birth year if a member
/// (`Some(year)`), its name if named.
fn check_common(
    date: NaiveDate,
    notice_version: &str,
    basis: LegalBasis,
    scopes: &BTreeSet<ConsentScope>,
    guardian: Option<Result<Option<u16>, &str>>,
    members: impl IntoIterator<Item = Option<u16>>,
    today: NaiveDate,
) -> Result<(String, BTreeSet<ConsentScope>)> {
    check_date("household.consent.date", date, today)?;
    if date > today {
        return Err(Error::invalid("household.consent.date", format!("{date} is in the future")));
    }
    let notice_version = check_name("household.consent.notice_version", notice_version)?;
    let minors = members.into_iter().any(|y| is_minor(y, date));
    match guardian {
        None if minors => {
            return Err(Error::invalid(
                "household.consent.guardian",
                "a member is a minor: record who consented for them",
            ));
        }
        None => {}
        Some(Ok(year)) if is_minor(year, date) => {
            return Err(Error::invalid("household.consent.guardian", "the guardian must be an adult"));
        }
        Some(Ok(_)) => {}
        Some(Err(name)) => {
            check_name("household.consent.guardian", name)?;
        }
    }
    let mut scopes = scopes.clone();
    if basis == LegalBasis::Consent {
        scopes.insert(ConsentScope::DataProcessing);
    } else {
        scopes.remove(&ConsentScope::DataProcessing);
    }
    Ok((notice_version, scopes))
}

/// Checks the record of a family being registered with these members
/// (reference person first) and resolves the guardian to `member_ids`
/// (same order). `collected_by` is checked by the store (it must exist).
pub(crate) fn check_new(
    c: &NewConsent,
    members: &[&NewMember],
    member_ids: &[MemberId],
    today: NaiveDate,
) -> Result<Consent> {
    let guardian_check = match &c.guardian {
        None => None,
        Some(NewGuardian::Member { index }) => {
            let m = members.get(usize::from(*index)).ok_or_else(|| {
                Error::invalid("household.consent.guardian", format!("no member at position {index}"))
            })?;
            Some(Ok(m.birth_year))
        }
        Some(NewGuardian::Named { name }) => Some(Err(name.as_str())),
    };
    let (notice_version, scopes) = check_common(
        c.date,
        &c.notice_version,
        c.basis,
        &c.scopes,
        guardian_check,
        members.iter().map(|m| m.birth_year),
        today,
    )?;
    let guardian = match &c.guardian {
        None => None,
        Some(NewGuardian::Member { index }) => Some(Guardian::Member {
            member: *member_ids.get(usize::from(*index)).ok_or_else(|| {
                Error::Internal(format!("no member id for position {index} of the new family"))
            })?,
        }),
        Some(NewGuardian::Named { name }) => Some(Guardian::Named { name: name.trim().to_owned() }),
    };
    Ok(Consent {
        basis: c.basis,
        special: c.special,
        notice_version,
        date: c.date,
        collected_by: c.collected_by,
        guardian,
        scopes,
    })
}

/// Checks a replacement record for a family with these members.
pub(crate) fn check_record(c: &Consent, members: &[Member], today: NaiveDate) -> Result<Consent> {
    let guardian_check = match &c.guardian {
        None => None,
        Some(Guardian::Member { member }) => {
            let m = members.iter().find(|m| m.id == *member).ok_or_else(|| {
                Error::invalid(
                    "household.consent.guardian",
                    format!("{member} is not a member of the family"),
                )
            })?;
            Some(Ok(m.birth_year))
        }
        Some(Guardian::Named { name }) => Some(Err(name.as_str())),
    };
    let (notice_version, scopes) = check_common(
        c.date,
        &c.notice_version,
        c.basis,
        &c.scopes,
        guardian_check,
        members.iter().map(|m| m.birth_year),
        today,
    )?;
    let guardian = match &c.guardian {
        Some(Guardian::Named { name }) => Some(Guardian::Named { name: name.trim().to_owned() }),
        g => g.clone(),
    };
    Ok(Consent { notice_version, scopes, guardian, ..c.clone() })
}

/// Checks a renewed record (a newer privacy notice, other scopes, a
/// guardian for a child born later) against the family as it is now: the
/// rules of [`check_record`], and a date no earlier than that of the record
/// it replaces (`current`), so that a renewal never turns the family's
/// record back in time. Any record may follow a family with none.
pub(crate) fn check_renewal(
    c: &Consent,
    current: Option<&Consent>,
    members: &[Member],
    today: NaiveDate,
) -> Result<Consent> {
    let checked = check_record(c, members, today)?;
    if let Some(current) = current
        && c.date < current.date
    {
        return Err(Error::invalid(
            "household.consent.date",
            format!("{} is before {}, the date of the family's current record", c.date, current.date),
        ));
    }
    Ok(checked)
}

/// The rule for a member who is a minor `today`, added to a family or made
/// one by a corrected birth year: the family's current record must name a
/// guardian, and the guardian may not be that member. Refused on
/// `member.birth_year`, so the form shows it next to the year.
///
/// A family with no record (`consent: None`, [`LegalStatus::Missing`]:
/// registered before records existed) is not refused: it has no guardian to
/// ask for, and the record it will be given is checked against every member
/// ([`check_record`]).
pub(crate) fn check_minor_member(
    consent: Option<&Consent>,
    member: Option<MemberId>,
    birth_year: Option<u16>,
    today: NaiveDate,
) -> Result<()> {
    let Some(c) = consent else { return Ok(()) };
    if !is_minor(birth_year, today) {
        return Ok(());
    }
    match &c.guardian {
        None => Err(Error::invalid(
            "member.birth_year",
            "a minor, and the family's consent record names no guardian: \
             record one first (renew the consent)",
        )),
        Some(Guardian::Member { member: g }) if Some(*g) == member => Err(Error::invalid(
            "member.birth_year",
            "this member signed the family's consent record as guardian and would be a minor: \
             record another guardian first (renew the consent)",
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn member(year: Option<u16>) -> NewMember {
        NewMember { first_name: "Anna".into(), last_name: "Rossi".into(), birth_year: year }
    }

    fn record(guardian: Option<NewGuardian>) -> NewConsent {
        NewConsent {
            basis: LegalBasis::Consent,
            special: None,
            notice_version: " 2026-01 ".into(),
            date: d(2026, 3, 1),
            collected_by: PersonId(uuid::Uuid::from_u128(9)),
            guardian,
            scopes: BTreeSet::from([ConsentScope::Photos]),
        }
    }

    fn ids(n: u128) -> Vec<MemberId> {
        (1..=n).map(|i| MemberId(uuid::Uuid::from_u128(i))).collect()
    }

    #[test]
    fn a_family_of_adults_needs_no_guardian_and_consent_implies_processing() {
        let (a, b) = (member(Some(1980)), member(None));
        let c = check_new(&record(None), &[&a, &b], &ids(2), d(2026, 11, 25)).expect("valid");
        assert_eq!(c.notice_version, "2026-01");
        assert_eq!(c.scopes, BTreeSet::from([ConsentScope::DataProcessing, ConsentScope::Photos]));
        let public = NewConsent {
            basis: LegalBasis::PublicTask,
            scopes: BTreeSet::from([ConsentScope::DataProcessing]),
            ..record(None)
        };
        let c = check_new(&public, &[&a], &ids(1), d(2026, 11, 25)).expect("valid");
        assert!(c.scopes.is_empty(), "{:?}", c.scopes);
    }

    #[test]
    fn a_minor_needs_an_adult_guardian() {
        let (parent, child) = (member(Some(1985)), member(Some(2015)));
        let today = d(2026, 11, 25);
        let err = check_new(&record(None), &[&parent, &child], &ids(2), today).expect_err("no guardian");
        assert!(matches!(err, Error::Invalid { field: "household.consent.guardian", .. }), "{err}");
        let err =
            check_new(&record(Some(NewGuardian::Member { index: 1 })), &[&parent, &child], &ids(2), today)
                .expect_err("child as guardian");
        assert!(err.to_string().contains("adult"), "{err}");
        let err =
            check_new(&record(Some(NewGuardian::Member { index: 5 })), &[&parent, &child], &ids(2), today)
                .expect_err("out of range");
        assert!(matches!(err, Error::Invalid { field: "household.consent.guardian", .. }), "{err}");
        let c =
            check_new(&record(Some(NewGuardian::Member { index: 0 })), &[&parent, &child], &ids(2), today)
                .expect("parent");
        assert_eq!(c.guardian, Some(Guardian::Member { member: ids(2)[0] }));
        let named = record(Some(NewGuardian::Named { name: "  Carla Bianchi ".into() }));
        let c = check_new(&named, &[&child], &ids(1), today).expect("named");
        assert_eq!(c.guardian, Some(Guardian::Named { name: "Carla Bianchi".into() }));
        // Minor is judged on the record's date: born 2008, 17 in 2025, 18 in 2026.
        let young = member(Some(2008));
        assert!(check_new(&record(None), &[&young], &ids(1), today).is_ok());
        let earlier = NewConsent { date: d(2025, 6, 1), ..record(None) };
        assert!(check_new(&earlier, &[&young], &ids(1), today).is_err());
    }

    #[test]
    fn notice_and_date_are_required() {
        let a = member(Some(1980));
        let today = d(2026, 11, 25);
        let empty = NewConsent { notice_version: "  ".into(), ..record(None) };
        let err = check_new(&empty, &[&a], &ids(1), today).expect_err("empty notice");
        assert!(matches!(err, Error::Invalid { field: "household.consent.notice_version", .. }), "{err}");
        let future = NewConsent { date: d(2026, 12, 1), ..record(None) };
        let err = check_new(&future, &[&a], &ids(1), today).expect_err("future");
        assert!(matches!(err, Error::Invalid { field: "household.consent.date", .. }), "{err}");
    }

    fn family(years: &[Option<u16>]) -> Vec<Member> {
        years
            .iter()
            .zip(ids(years.len() as u128))
            .map(|(y, id)| Member {
                id,
                first_name: "Anna".into(),
                last_name: "Rossi".into(),
                birth_year: *y,
            })
            .collect()
    }

    fn existing(guardian: Option<Guardian>, date: NaiveDate) -> Consent {
        Consent {
            basis: LegalBasis::Consent,
            special: None,
            notice_version: "2025-01".into(),
            date,
            collected_by: PersonId(uuid::Uuid::from_u128(9)),
            guardian,
            scopes: BTreeSet::from([ConsentScope::DataProcessing]),
        }
    }

    #[test]
    fn a_renewal_follows_the_record_rules_and_is_not_older_than_the_current_one() {
        let today = d(2026, 11, 25);
        let members = family(&[Some(1985), Some(2020)]);
        let current = existing(None, d(2025, 6, 1));
        // The child born since needs a guardian, an adult member of the family.
        let renewed = Consent { date: d(2026, 11, 1), notice_version: " 2026-09 ".into(), ..current.clone() };
        let err = check_renewal(&renewed, Some(&current), &members, today).expect_err("no guardian");
        assert!(matches!(err, Error::Invalid { field: "household.consent.guardian", .. }), "{err}");
        let by_child =
            Consent { guardian: Some(Guardian::Member { member: members[1].id }), ..renewed.clone() };
        let err = check_renewal(&by_child, Some(&current), &members, today).expect_err("child");
        assert!(err.to_string().contains("adult"), "{err}");
        let stranger = MemberId(uuid::Uuid::from_u128(99));
        let outside = Consent { guardian: Some(Guardian::Member { member: stranger }), ..renewed.clone() };
        let err = check_renewal(&outside, Some(&current), &members, today).expect_err("not a member");
        assert!(err.to_string().contains("not a member"), "{err}");
        let good = Consent { guardian: Some(Guardian::Member { member: members[0].id }), ..renewed };
        let c = check_renewal(&good, Some(&current), &members, today).expect("mother signs");
        assert_eq!(c.notice_version, "2026-09");
        // Not back in time; the same day is fine (a guardian added the day of the record).
        let older = Consent { date: d(2025, 5, 31), ..good.clone() };
        let err = check_renewal(&older, Some(&current), &members, today).expect_err("older");
        assert!(matches!(err, Error::Invalid { field: "household.consent.date", .. }), "{err}");
        assert!(
            check_renewal(&Consent { date: current.date, ..good.clone() }, Some(&current), &members, today)
                .is_ok()
        );
        // A family with no record takes any valid one.
        assert!(check_renewal(&older, None, &members, today).is_ok());
    }

    #[test]
    fn a_minor_member_needs_a_guardian_on_the_current_record() {
        let today = d(2026, 11, 25);
        let parent = MemberId(uuid::Uuid::from_u128(1));
        let none = existing(None, d(2025, 6, 1));
        let err = check_minor_member(Some(&none), None, Some(2020), today).expect_err("no guardian");
        assert!(matches!(err, Error::Invalid { field: "member.birth_year", .. }), "{err}");
        assert!(err.to_string().contains("guardian"), "{err}");
        // Adults, unknown years and families with no record at all pass.
        assert!(check_minor_member(Some(&none), None, Some(2008), today).is_ok(), "18 in 2026");
        assert!(check_minor_member(Some(&none), None, None, today).is_ok());
        assert!(check_minor_member(None, None, Some(2020), today).is_ok());
        let guarded = existing(Some(Guardian::Member { member: parent }), d(2025, 6, 1));
        assert!(check_minor_member(Some(&guarded), None, Some(2020), today).is_ok());
        let named = existing(Some(Guardian::Named { name: "Carla Bianchi".into() }), d(2025, 6, 1));
        assert!(check_minor_member(Some(&named), Some(parent), Some(2020), today).is_ok());
        // The guardian herself cannot become a minor.
        let err = check_minor_member(Some(&guarded), Some(parent), Some(2015), today).expect_err("guardian");
        assert!(matches!(err, Error::Invalid { field: "member.birth_year", .. }), "{err}");
    }

    #[test]
    fn keys_round_trip() {
        for b in LegalBasis::ALL {
            assert_eq!(LegalBasis::from_key(b.key()), Some(*b));
        }
        assert_eq!(WithdrawnScopes::All.scopes().len(), ConsentScope::ALL.len());
    }
}
