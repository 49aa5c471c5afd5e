//! The legal basis record, withdrawal and restriction (issue 6, part 2;
//! docs/decisions/0010). Exports of restricted families are tested in
//! `export/tests/restriction.rs`.

use crate::store::Consents;
use crate::store::Erasure;
use crate::store::Families;
use crate::store::Maintenance;
use crate::store::Meetings;
use crate::store::Replication;
use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};

use crate::doc::{self, DocRef};
use crate::domain::{
    Attendance, ConsentScope, Contacts, Guardian, HouseholdPatch, LegalBasis, LegalStatus, MemberPatch,
    NewConsent, NewGuardian, NewHousehold, NewMember, NewPathway, PathwayKind, PathwayPatch,
    RestrictionReason, WithdrawnScopes,
};
use crate::error::Error;
use crate::testing::{d, register as fixture};

fn member(first: &str, year: Option<u16>) -> NewMember {
    NewMember { first_name: first.into(), last_name: "Sarti".into(), birth_year: year }
}

fn new_family(f: &fixture::Fixture, others: Vec<NewMember>, consent: NewConsent) -> NewHousehold {
    NewHousehold {
        lab: f.lab1,
        reference: member("Elena", Some(1984)),
        others,
        contacts: Contacts::default(),
        areas: BTreeSet::new(),
        referral: None,
        consent,
    }
}

fn field(e: Error) -> &'static str {
    match e {
        Error::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn a_family_is_not_registered_without_a_complete_legal_basis_record() {
    let (mut s, f) = fixture::build();
    let before = s.projection_dump().expect("dump");
    let docs = s.doc_refs().expect("docs").len();
    let good = NewConsent::given(d(2026, 10, 1), "2026-01", f.staff[2]);
    let cases = [
        (NewConsent { notice_version: "  ".into(), ..good.clone() }, "household.consent.notice_version"),
        (NewConsent { date: d(2026, 12, 1), ..good.clone() }, "household.consent.date"),
        (NewConsent { date: d(1999, 1, 1), ..good.clone() }, "household.consent.date"),
        (good.clone().with_guardian(NewGuardian::Named { name: " ".into() }), "household.consent.guardian"),
    ];
    for (consent, expected) in cases {
        let err = s.create_household(new_family(&f, vec![], consent)).expect_err(expected);
        assert_eq!(field(err), expected);
    }
    // Nothing was stored: no document, no row, no code spent.
    assert_eq!(s.projection_dump().expect("dump"), before);
    assert_eq!(s.doc_refs().expect("docs").len(), docs);
    let id = s.create_household(new_family(&f, vec![], good)).expect("complete record");
    let h = s.household(id).expect("read");
    assert_eq!(h.legal_status, LegalStatus::Valid);
    let c = h.consent.expect("record");
    assert_eq!(
        (c.basis, c.collected_by, c.notice_version.as_str()),
        (LegalBasis::Consent, f.staff[2], "2026-01")
    );
    assert_eq!(c.scopes, BTreeSet::from([ConsentScope::DataProcessing]));
}

#[test]
fn a_minor_needs_a_guardian_who_reads_back() {
    let (mut s, f) = fixture::build();
    let consent = NewConsent::given(d(2026, 10, 1), "2026-01", f.staff[0]);
    let child = || vec![member("Pietro", Some(2016))];
    let err = s.create_household(new_family(&f, child(), consent.clone())).expect_err("no guardian");
    assert_eq!(field(err), "household.consent.guardian");
    let err = s
        .create_household(new_family(
            &f,
            child(),
            consent.clone().with_guardian(NewGuardian::Member { index: 1 }),
        ))
        .expect_err("the child cannot sign for herself");
    assert_eq!(field(err), "household.consent.guardian");
    let id = s
        .create_household(new_family(
            &f,
            child(),
            consent.clone().with_guardian(NewGuardian::Member { index: 0 }),
        ))
        .expect("the mother signs");
    let h = s.household(id).expect("read");
    let reference = h.reference.expect("reference");
    assert_eq!(h.consent.expect("record").guardian, Some(Guardian::Member { member: reference }));
    // A minor registered alone: a named guardian.
    let alone = NewHousehold {
        reference: member("Giada", Some(2011)),
        ..new_family(&f, vec![], consent.with_guardian(NewGuardian::Named { name: "Rita Sarti".into() }))
    };
    let id = s.create_household(alone).expect("named guardian");
    let c = s.household(id).expect("read").consent.expect("record");
    assert_eq!(c.guardian, Some(Guardian::Named { name: "Rita Sarti".into() }));
    // A replacement record is checked against the members in the same way.
    let err = s
        .update_household(
            id,
            HouseholdPatch {
                consent: Some(crate::domain::Consent { guardian: None, ..c }),
                ..Default::default()
            },
        )
        .expect_err("replacement without guardian");
    assert_eq!(field(err), "household.consent.guardian");
}

#[test]
fn withdrawals_are_recorded_and_withdrawing_processing_awaits_a_decision() {
    let (mut s, f) = fixture::build();
    let by = f.staff[0];
    let status = s.withdraw_consent(
        f.f1,
        WithdrawnScopes::Only(BTreeSet::from([ConsentScope::Contact])),
        d(2026, 3, 1),
        by,
    );
    assert_eq!(status.expect("withdraw contact"), LegalStatus::Valid);
    let h = s.household(f.f1).expect("read");
    assert_eq!(h.active_scopes(), BTreeSet::from([ConsentScope::DataProcessing]));
    let projected: String = s
        .conn
        .query_row("SELECT consent_scopes FROM households WHERE id = ?1", [f.f1.to_string()], |r| r.get(0))
        .expect("row");
    assert_eq!(projected, "data_processing");

    let status = s.withdraw_consent(f.f1, WithdrawnScopes::All, d(2026, 4, 1), by).expect("withdraw all");
    assert_eq!(status, LegalStatus::PendingDecision);
    let h = s.household(f.f1).expect("read");
    assert_eq!(h.withdrawals.len(), 2);
    assert_eq!(h.withdrawals[1].scopes.len(), 3);
    assert_eq!(h.withdrawals[1].recorded_by, by);
    assert!(h.processing_withdrawn());
    let err = s.withdraw_consent(f.f1, WithdrawnScopes::All, d(2027, 1, 1), by).expect_err("future");
    assert_eq!(field(err), "household.withdrawal.date");
    let err = s
        .withdraw_consent(f.f1, WithdrawnScopes::Only(BTreeSet::new()), d(2026, 4, 1), by)
        .expect_err("empty");
    assert_eq!(field(err), "household.withdrawal.scopes");

    // The coordinator decides: restriction (erasure is `erase_household`).
    s.restrict_household(f.f1, RestrictionReason::Withdrawal, Some(by)).expect("restrict");
    assert_eq!(s.household(f.f1).expect("read").legal_status, LegalStatus::Restricted);
    let status: String = s
        .conn
        .query_row("SELECT legal_status FROM households WHERE id = ?1", [f.f1.to_string()], |r| r.get(0))
        .expect("row");
    assert_eq!(status, "restricted");
    // The record travels with the document: another replica reads the same.
    let mut b = fixture::store(3);
    for r in s.doc_refs().expect("docs") {
        b.apply_bytes(r, &s.export_doc(r).expect("export")).expect("apply");
    }
    let hb = b.household(f.f1).expect("read on b");
    assert_eq!((hb.withdrawals.len(), hb.legal_status), (2, LegalStatus::Restricted));
    assert_eq!(b.projection_dump().expect("dump"), s.projection_dump().expect("dump"));
    s.lift_restriction(f.f1, Some(by)).expect("lift");
    assert_eq!(s.household(f.f1).expect("read").legal_status, LegalStatus::PendingDecision);
    assert!(s.lift_restriction(f.f1, Some(by)).is_err(), "not restricted any more");
}

#[test]
fn a_restricted_family_is_frozen_until_the_restriction_is_lifted() {
    let (mut s, f) = fixture::build();
    let h = s.household(f.f1).expect("read");
    let (anna, luca) = (h.members[0].id, h.members[1].id);
    let pathway = h.pathways[0].id;
    s.restrict_household(f.f1, RestrictionReason::Accuracy, Some(f.staff[0])).expect("restrict");
    let frozen = s.projection_dump().expect("dump");
    let restricted = |r: crate::Result<()>| match r {
        Err(Error::Restricted { household, code }) => {
            assert_eq!((household, code.as_str()), (f.f1, h.code.as_str()));
        }
        other => panic!("expected Restricted, got {other:?}"),
    };
    let phone = HouseholdPatch {
        contacts: Some(Contacts { phone: "1".into(), ..Contacts::default() }),
        ..Default::default()
    };
    restricted(s.update_household(f.f1, phone.clone()));
    restricted(s.add_member(f.f1, member("Nuovo", None)).map(|_| ()));
    restricted(s.update_member(
        f.f1,
        luca,
        MemberPatch { first_name: Some("L".into()), ..Default::default() },
    ));
    let pw = NewPathway {
        kind: PathwayKind::SelfCare,
        start: d(2026, 1, 1),
        operator: None,
        notes: String::new(),
    };
    restricted(s.add_pathway(f.f1, pw).map(|_| ()));
    restricted(s.update_pathway(
        f.f1,
        pathway,
        PathwayPatch { notes: Some("x".into()), ..Default::default() },
    ));
    restricted(s.merge_households(f.f1, f.f4));
    restricted(s.merge_households(f.f4, f.f1));
    restricted(s.restrict_household(f.f1, RestrictionReason::Objection, None));
    restricted(s.record_attendance(f.m3, Attendance { household: f.f1, member: anna }));
    assert_eq!(s.projection_dump().expect("dump"), frozen, "nothing changed");
    // The family's withdrawal is still recorded: it is its right.
    s.withdraw_consent(f.f1, WithdrawnScopes::All, d(2026, 5, 1), f.staff[0]).expect("withdraw");
    s.lift_restriction(f.f1, None).expect("lift");
    s.update_household(f.f1, phone).expect("edits again");
    s.record_attendance(f.m3, Attendance { household: f.f1, member: anna }).expect("attendance again");
}

#[test]
fn a_restriction_made_offline_wins_over_a_concurrent_edit_and_lift() {
    let (mut a, f) = fixture::build();
    let mut b = fixture::store(3);
    let sync = |from: &mut crate::Store, to: &mut crate::Store| {
        for r in from.doc_refs().expect("docs") {
            to.apply_bytes(r, &from.export_doc(r).expect("export")).expect("apply");
        }
    };
    sync(&mut a, &mut b);
    // A restricts; B, offline, edits the family and knows nothing of it.
    a.restrict_household(f.f2, RestrictionReason::Objection, None).expect("restrict on a");
    let phone = HouseholdPatch {
        contacts: Some(Contacts { phone: "+39 111".into(), ..Contacts::default() }),
        ..Default::default()
    };
    b.update_household(f.f2, phone.clone()).expect("edit on b, offline");
    sync(&mut a, &mut b);
    sync(&mut b, &mut a);
    for s in [&mut a, &mut b] {
        assert_eq!(s.household(f.f2).expect("read").legal_status, LegalStatus::Restricted);
        assert!(matches!(s.update_household(f.f2, phone.clone()), Err(Error::Restricted { .. })));
    }
    assert_eq!(a.projection_dump().expect("dump"), b.projection_dump().expect("dump"));
}

#[test]
fn a_document_written_before_the_record_reads_as_missing() {
    let (mut s, f) = fixture::build();
    let r = DocRef::household(f.f2);
    // An older app wrote `consent{date,scopes,notice_version}` without a
    // basis or a required collector (or no consent at all).
    let mut old = Automerge::load(&s.export_doc(r).expect("export")).expect("load");
    old.transact::<_, _, automerge::AutomergeError>(|tx| {
        let c = doc::map_at(tx, &ROOT, "consent").expect("consent map");
        tx.delete(&c, "basis")?;
        tx.delete(&c, "collected_by")?;
        Ok(())
    })
    .expect("old write");
    assert!(old.get(ROOT, "consent").expect("read").is_some());
    s.apply_bytes(r, &old.save()).expect("apply");
    let h = s.household(f.f2).expect("still readable");
    assert_eq!((h.consent, h.legal_status), (None, LegalStatus::Missing));
    let basis: Option<String> = s
        .conn
        .query_row("SELECT legal_basis FROM households WHERE id = ?1", [f.f2.to_string()], |r| r.get(0))
        .expect("row");
    assert_eq!(basis, None);
    // Its family can still be edited, and given a record.
    let members = h.members.clone();
    let record = crate::domain::Consent {
        basis: LegalBasis::PublicTask,
        special: Some(crate::domain::SpecialCondition::SocialProtection),
        notice_version: "2026-01".into(),
        date: d(2026, 2, 1),
        collected_by: f.staff[0],
        guardian: Some(Guardian::Member { member: members[0].id }),
        scopes: BTreeSet::from([ConsentScope::DataProcessing, ConsentScope::Photos]),
    };
    s.update_household(f.f2, HouseholdPatch { consent: Some(record), ..Default::default() }).expect("record");
    let c = s.household(f.f2).expect("read").consent.expect("record");
    assert_eq!(c.scopes, BTreeSet::from([ConsentScope::Photos]), "no data_processing without consent");
}

#[test]
fn families_that_withdrew_the_processing_wait_for_a_decision_until_one_is_taken() {
    let (mut s, f) = fixture::build();
    let by = f.staff[0];
    assert!(s.withdrawn_families(None).expect("none yet").is_empty());
    // Only a withdrawal of the processing itself calls for a decision.
    let photos = WithdrawnScopes::Only(BTreeSet::from([ConsentScope::Photos]));
    s.withdraw_consent(f.f2, photos, d(2026, 2, 1), by).expect("photos");
    s.withdraw_consent(f.f1, WithdrawnScopes::All, d(2026, 4, 1), by).expect("f1");
    s.withdraw_consent(f.f5, WithdrawnScopes::All, d(2026, 3, 1), f.staff[1]).expect("f5, lab 2");
    let all = s.withdrawn_families(None).expect("list");
    let listed: Vec<_> = all.iter().map(|w| (w.household, w.lab, w.withdrawn_on, w.recorded_by)).collect();
    assert_eq!(
        listed,
        vec![(f.f5, f.lab2, d(2026, 3, 1), f.staff[1]), (f.f1, f.lab1, d(2026, 4, 1), by)],
        "oldest withdrawal first"
    );
    assert_eq!(all[1].code, s.household(f.f1).expect("f1").code);
    let lab1: Vec<_> =
        s.withdrawn_families(Some(f.lab1)).expect("lab 1").into_iter().map(|w| w.household).collect();
    assert_eq!(lab1, vec![f.f1]);

    // Decided: restricted, or erased. A lifted restriction asks again.
    s.restrict_household(f.f1, RestrictionReason::Withdrawal, Some(by)).expect("restrict");
    s.erase_household(f.f5, crate::domain::ErasureReason::Withdrawal, Some(by)).expect("erase");
    assert!(s.withdrawn_families(None).expect("decided").is_empty());
    s.lift_restriction(f.f1, Some(by)).expect("lift");
    let again: Vec<_> = s.withdrawn_families(None).expect("again").into_iter().map(|w| w.household).collect();
    assert_eq!(again, vec![f.f1]);
}
