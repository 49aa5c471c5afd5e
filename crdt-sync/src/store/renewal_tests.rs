//! Renewing a family's legal basis record, and the rule that a minor joins
//! a family only when its record names a guardian (docs/decisions/0010,
//! "Renewal and minors added later").

use crate::store::AuditTrail;
use crate::store::Consents;
use crate::store::Erasure;
use crate::store::Families;
use crate::store::Maintenance;
use crate::store::Replication;
use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};

use crate::doc::{self, DocRef};
use crate::domain::{
    Consent, ConsentScope, Contacts, ErasureReason, Guardian, LegalBasis, LegalStatus, MemberPatch,
    NewConsent, NewHousehold, NewMember, RestrictionReason, WithdrawnScopes,
};
use crate::error::Error;
use crate::ids::{HouseholdId, MemberId};
use crate::store::{Store, TrailAction, TrailScope};
use crate::testing::{d, register as fixture};

fn member(first: &str, year: Option<u16>) -> NewMember {
    NewMember { first_name: first.into(), last_name: "Sarti".into(), birth_year: year }
}

/// A family of two adults, registered on 2026-10-01 with no guardian.
fn adults(s: &mut Store, f: &fixture::Fixture) -> (HouseholdId, MemberId, MemberId) {
    let id = s
        .create_household(NewHousehold {
            lab: f.lab1,
            reference: member("Elena", Some(1984)),
            others: vec![member("Bruno", Some(1982))],
            contacts: Contacts::default(),
            areas: BTreeSet::new(),
            referral: None,
            consent: NewConsent::given(d(2026, 10, 1), "2026-01", f.staff[0]),
        })
        .expect("registered");
    let h = s.household(id).expect("read");
    let reference = h.reference.expect("reference");
    let other = h.members.iter().find(|m| m.id != reference).expect("Bruno").id;
    (id, reference, other)
}

/// The family's current record, renewed on `date` with notice 2026-09.
fn renewal(s: &mut Store, id: HouseholdId, guardian: Option<Guardian>) -> Consent {
    let c = s.household(id).expect("read").consent.expect("a record");
    Consent {
        notice_version: " 2026-09 ".into(),
        date: s.today(),
        guardian,
        scopes: BTreeSet::from([ConsentScope::Photos]),
        ..c
    }
}

fn field(e: Error) -> &'static str {
    match e {
        Error::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn a_minor_joins_a_family_only_once_its_record_names_a_guardian() {
    let (mut s, f) = fixture::build();
    let (id, elena, bruno) = adults(&mut s, &f);
    let before = s.projection_dump().expect("dump");

    // A child born since registration: refused on the birth year, nothing changes.
    let err = s.add_member(id, member("Pietro", Some(2024))).expect_err("no guardian yet");
    assert!(err.to_string().contains("guardian"), "{err}");
    assert_eq!(field(err), "member.birth_year");
    // A corrected birth year that makes an adult a minor, the same.
    let young = MemberPatch { birth_year: Some(Some(2012)), ..Default::default() };
    assert_eq!(field(s.update_member(id, bruno, young.clone()).expect_err("minor")), "member.birth_year");
    assert_eq!(s.projection_dump().expect("dump"), before, "nothing changed");
    // Adults and members of unknown age join as before.
    s.add_member(id, member("Zia", None)).expect("unknown age");

    // A new record names Elena as guardian; then the child joins.
    let at = s.heads(DocRef::household(id)).expect("heads");
    s.set_operator(Some(f.staff[1]));
    let signed = renewal(&mut s, id, Some(Guardian::Member { member: elena }));
    assert_eq!(s.renew_consent(id, signed).expect("renewed"), LegalStatus::Valid);
    let pietro = s.add_member(id, member("Pietro", Some(2024))).expect("a guardian is recorded");
    s.update_member(id, bruno, young).expect("and so may a corrected year");

    let h = s.household(id).expect("read");
    let c = h.consent.clone().expect("record");
    assert_eq!((c.notice_version.as_str(), c.date), ("2026-09", s.today()));
    assert_eq!(c.guardian, Some(Guardian::Member { member: elena }));
    assert_eq!(c.scopes, BTreeSet::from([ConsentScope::DataProcessing, ConsentScope::Photos]));
    assert_eq!(c.collected_by, f.staff[0]);
    assert!(h.members.iter().any(|m| m.id == pietro));
    // The guardian cannot become a minor herself; the child's year can be corrected.
    let err = s
        .update_member(id, elena, MemberPatch { birth_year: Some(Some(2010)), ..Default::default() })
        .expect_err("the guardian is an adult");
    assert_eq!(field(err), "member.birth_year");
    s.update_member(id, pietro, MemberPatch { birth_year: Some(Some(2023)), ..Default::default() })
        .expect("a child's year");

    // The old record is still in the document's history.
    let old = Automerge::load(&s.export_doc(DocRef::household(id)).expect("export")).expect("load");
    let old = old.fork_at(&at).expect("fork");
    let then = doc::household::read(&old, id).expect("household").consent.expect("old record");
    assert_eq!((then.notice_version.as_str(), then.guardian), ("2026-01", None));

    // The trail shows a new record, by whom.
    let trail = s.audit_trail(TrailScope::Household(id)).expect("trail");
    let recorded: Vec<_> = trail.iter().filter(|e| e.action == TrailAction::ConsentRecorded).collect();
    assert_eq!(recorded.len(), 1, "{trail:?}");
    assert_eq!(
        (recorded[0].fields.clone(), recorded[0].person),
        (vec!["consent".to_owned()], Some(f.staff[1]))
    );
    assert_eq!(trail.iter().filter(|e| e.action == TrailAction::Created).count(), 1);
}

#[test]
fn a_renewal_is_checked_against_the_family_as_it_is_now() {
    let (mut s, f) = fixture::build();
    // F2: Marco (1975) signed for Sara (2015) on 2025-01-02.
    let h = s.household(f.f2).expect("read");
    let marco = h.reference.expect("reference");
    let sara = h.members.iter().find(|m| m.id != marco).expect("Sara").id;
    let before = s.projection_dump().expect("dump");
    let stranger = s.household(f.f1).expect("F1").members[0].id;
    let cases = [
        (renewal(&mut s, f.f2, None), "household.consent.guardian"),
        (renewal(&mut s, f.f2, Some(Guardian::Member { member: sara })), "household.consent.guardian"),
        (renewal(&mut s, f.f2, Some(Guardian::Member { member: stranger })), "household.consent.guardian"),
        (renewal(&mut s, f.f2, Some(Guardian::Named { name: "  ".into() })), "household.consent.guardian"),
        (
            Consent {
                notice_version: " ".into(),
                ..renewal(&mut s, f.f2, Some(Guardian::Member { member: marco }))
            },
            "household.consent.notice_version",
        ),
        (
            Consent {
                date: d(2027, 1, 1),
                ..renewal(&mut s, f.f2, Some(Guardian::Member { member: marco }))
            },
            "household.consent.date",
        ),
        // Not older than the record it replaces.
        (
            Consent {
                date: d(2024, 12, 1),
                ..renewal(&mut s, f.f2, Some(Guardian::Member { member: marco }))
            },
            "household.consent.date",
        ),
    ];
    for (consent, expected) in cases {
        assert_eq!(field(s.renew_consent(f.f2, consent).expect_err(expected)), expected);
    }
    assert_eq!(s.projection_dump().expect("dump"), before, "nothing changed");

    // A public task needs no data_processing consent, and a named guardian will do.
    let public = Consent {
        basis: LegalBasis::PublicTask,
        scopes: BTreeSet::from([ConsentScope::DataProcessing, ConsentScope::Contact]),
        ..renewal(&mut s, f.f2, Some(Guardian::Named { name: " Rita Sarti ".into() }))
    };
    s.renew_consent(f.f2, public).expect("renewed");
    let c = s.household(f.f2).expect("read").consent.expect("record");
    assert_eq!(c.scopes, BTreeSet::from([ConsentScope::Contact]));
    assert_eq!(c.guardian, Some(Guardian::Named { name: "Rita Sarti".into() }));
    let basis: String = s
        .conn
        .query_row("SELECT legal_basis FROM households WHERE id = ?1", [f.f2.to_string()], |r| r.get(0))
        .expect("row");
    assert_eq!(basis, "public_task");
}

#[test]
fn a_restricted_or_erased_family_is_not_renewed_and_a_newer_record_reestablishes_the_basis() {
    let (mut s, f) = fixture::build();
    let anna = s.household(f.f1).expect("F1").reference.expect("Anna");
    s.withdraw_consent(f.f1, WithdrawnScopes::All, d(2026, 10, 1), f.staff[0]).expect("withdrawn");
    s.restrict_household(f.f1, RestrictionReason::Withdrawal, None).expect("restricted");
    let again = renewal(&mut s, f.f1, Some(Guardian::Member { member: anna }));
    assert!(matches!(s.renew_consent(f.f1, again.clone()), Err(Error::Restricted { .. })));
    s.lift_restriction(f.f1, None).expect("lifted");
    assert_eq!(s.household(f.f1).expect("read").legal_status, LegalStatus::PendingDecision);
    // The family signs again, after its withdrawal: the basis is back.
    assert_eq!(s.renew_consent(f.f1, again.clone()).expect("renewed"), LegalStatus::Valid);

    s.erase_household(f.f1, ErasureReason::Request, None).expect("erased");
    assert!(matches!(s.renew_consent(f.f1, again), Err(Error::Erased { .. })));
}

#[test]
fn a_family_with_no_record_takes_minors_and_is_given_a_record_by_renewal() {
    let (mut s, f) = fixture::build();
    let r = DocRef::household(f.f4);
    // An app older than issue 6 wrote a record without basis nor collector.
    let mut old = Automerge::load(&s.export_doc(r).expect("export")).expect("load");
    old.transact::<_, _, automerge::AutomergeError>(|tx| {
        let c = doc::map_at(tx, &ROOT, "consent").expect("consent map");
        tx.delete(&c, "basis")?;
        tx.delete(&c, "collected_by")?;
        tx.delete(&c, "guardian_member")?;
        Ok(())
    })
    .expect("old write");
    s.apply_bytes(r, &old.save()).expect("apply");
    assert_eq!(s.household(f.f4).expect("read").legal_status, LegalStatus::Missing);
    // No record, no guardian to ask for: the minor joins, and the family
    // stays flagged "legal basis missing" until it is given a record.
    s.add_member(f.f4, member("Ilie", Some(2022))).expect("no record: not refused");
    let h = s.household(f.f4).expect("read");
    let ionut = h.reference.expect("Ionuț");
    let record = Consent {
        basis: LegalBasis::Consent,
        special: None,
        notice_version: "2026-09".into(),
        date: s.today(),
        collected_by: f.staff[1],
        guardian: None,
        scopes: BTreeSet::new(),
    };
    let err = s.renew_consent(f.f4, record.clone()).expect_err("two minors");
    assert_eq!(field(err), "household.consent.guardian");
    let record = Consent { guardian: Some(Guardian::Member { member: ionut }), ..record };
    assert_eq!(s.renew_consent(f.f4, record).expect("recorded"), LegalStatus::Valid);

    // The field-by-field edit of the old app keeps its place on the trail
    // after the map it wrote into was replaced.
    let trail = s.audit_trail(TrailScope::Household(f.f4)).expect("trail");
    let changed: Vec<_> = trail.iter().filter(|e| e.action == TrailAction::Changed).collect();
    assert!(changed.iter().any(|e| e.fields == ["consent"]), "{trail:?}");
    assert_eq!(trail.iter().filter(|e| e.action == TrailAction::ConsentRecorded).count(), 1);
}

#[test]
fn two_renewals_made_offline_leave_one_whole_record_on_every_replica() {
    let (mut a, f) = fixture::build();
    let mut b = fixture::store(3);
    let sync = |from: &mut Store, to: &mut Store| {
        for r in from.doc_refs().expect("docs") {
            to.apply_bytes(r, &from.export_doc(r).expect("export")).expect("apply");
        }
    };
    sync(&mut a, &mut b);
    let marco = a.household(f.f2).expect("F2").reference.expect("Marco");
    let on_a = Consent {
        basis: LegalBasis::PublicTask,
        special: Some(crate::domain::SpecialCondition::SocialProtection),
        ..renewal(&mut a, f.f2, Some(Guardian::Named { name: "Rita Sarti".into() }))
    };
    let on_b = Consent {
        notice_version: "2026-10".into(),
        ..renewal(&mut b, f.f2, Some(Guardian::Member { member: marco }))
    };
    a.renew_consent(f.f2, on_a).expect("on a");
    b.renew_consent(f.f2, on_b).expect("on b");
    let (ra, rb) = (
        a.household(f.f2).expect("a").consent.expect("a's"),
        b.household(f.f2).expect("b").consent.expect("b's"),
    );
    sync(&mut a, &mut b);
    sync(&mut b, &mut a);
    let merged = a.household(f.f2).expect("read").consent.expect("record");
    assert_eq!(b.household(f.f2).expect("read").consent, Some(merged.clone()));
    assert!(merged == ra || merged == rb, "one of the two records, not a mix: {merged:?}");
    assert!(a.household_conflicts(f.f2).expect("conflicts").iter().any(|c| c.path == "consent"));
    // Renewing again settles it.
    let settle = renewal(&mut a, f.f2, Some(Guardian::Member { member: marco }));
    a.renew_consent(f.f2, settle).expect("settled");
    assert!(a.household_conflicts(f.f2).expect("conflicts").iter().all(|c| !c.path.starts_with("consent")));
}
