//! Erasing a volunteer's entry through the hub's session, in one process
//! (`in_turns`): the organisation's coordinator erases it, every replica
//! that held it drops it, a laptop that edited it offline is refused, and
//! nobody else may erase it. The same through the real hub binary:
//! `hub/tests/insider/volunteer_erasure.rs`.

use super::{DeviceRole, Grant, Refusal};
use crate::doc::DocRef;
use crate::domain::{ErasureReason, Keyed, NewPerson, Role, VolunteerEntry, VolunteerTombstone};
use crate::error::Error;
use crate::ids::{OrganisationId, PersonId};
use crate::store::{AuditAction, AuditLog, ProjectSettings, Replication, Staff, Store, VolunteerRegister};
use crate::testing::d;
use crate::testing::one_family::store;

// The register's world, entry and sync from `volunteer_tests`.
use super::volunteer_tests::{self as register, CF, entry, sync};

/// Whether `s` holds any byte or reading of the entry.
fn holds(s: &mut Store, p: PersonId) -> bool {
    let r = DocRef::volunteer(p);
    if s.doc_refs().expect("refs").contains(&r) {
        return true;
    }
    s.volunteer(p).expect("read").is_some()
}

struct World {
    hub: Store,
    office: Store,
    keeper: Store,
    colleague: Store,
    volunteer: PersonId,
    org: OrganisationId,
    other_org: OrganisationId,
}

/// The register's world (a lab, two organisations, a volunteer); two
/// coordinators of the first organisation hold her entry.
fn world() -> World {
    let register::World { mut hub, office, volunteer, org, other_org, .. } = register::world();
    let (mut keeper, mut colleague) = (store(2), store(3));
    let grant = Grant::coordinator_of(org);
    sync(&mut hub, grant, &mut keeper);
    keeper.keep_volunteer(volunteer, entry()).expect("kept");
    sync(&mut hub, grant, &mut keeper);
    sync(&mut hub, grant, &mut colleague);
    assert!(holds(&mut colleague, volunteer));
    World { hub, office, keeper, colleague, volunteer, org, other_org }
}

#[test]
fn an_erased_entry_leaves_every_replica_and_never_comes_back() {
    let mut w = world();
    let grant = Grant::coordinator_of(w.org);
    let r = DocRef::volunteer(w.volunteer);
    // The colleague's laptop, offline, changes the entry; its old bytes
    // are kept aside, as a backup would keep them.
    w.colleague
        .keep_volunteer(w.volunteer, VolunteerEntry { end: Some(d(2026, 9, 30)), ..entry() })
        .expect("end");
    let old_bytes = w.colleague.export_doc(r).expect("bytes");

    let by = PersonId(uuid::Uuid::from_u128(77));
    let t = w.keeper.erase_volunteer(w.volunteer, ErasureReason::Request, Some(by)).expect("erased");
    assert_eq!((t.organisation, t.by_person, t.reason), (w.org, Some(by), ErasureReason::Request));
    assert!(!holds(&mut w.keeper, w.volunteer), "the erasing laptop keeps the entry");
    assert_eq!(w.keeper.erased_volunteers().expect("list"), vec![t.clone()]);
    // Again: nothing changes, the same tombstone.
    assert_eq!(w.keeper.erase_volunteer(w.volunteer, ErasureReason::Other, None).expect("again"), t);
    let audited = w.keeper.audit_log(10).expect("audit");
    let row = audited.iter().find(|e| e.action == AuditAction::VolunteerErasure.key()).expect("audit row");
    assert_eq!(row.details["person"], w.volunteer.to_string());
    assert!(!row.details.to_string().contains(CF), "the audit row holds personal data");
    // The keeper's own app refuses to write it again.
    assert!(matches!(w.keeper.keep_volunteer(w.volunteer, entry()), Err(Error::VolunteerErased { .. })));

    let refused = sync(&mut w.hub, grant, &mut w.keeper);
    assert!(refused.iter().all(|(doc, why)| *doc == r && *why == Refusal::Erased), "{refused:?}");
    assert!(!holds(&mut w.hub, w.volunteer), "the hub keeps the entry");
    assert!(w.hub.audit_log(10).expect("audit").iter().any(|e| e.action == "volunteer_erasure"));

    // The colleague's laptop syncs last, still holding its offline edit:
    // the hub refuses the entry, the project document brings the
    // tombstone, the laptop drops its copy.
    let refused = sync(&mut w.hub, grant, &mut w.colleague);
    assert_eq!(refused, vec![(r, Refusal::Erased)]);
    assert!(!holds(&mut w.colleague, w.volunteer), "the offline laptop keeps the entry");
    assert!(!holds(&mut w.hub, w.volunteer), "the offline laptop brought it back");
    // The old bytes, applied anywhere, are refused; the person stays.
    for s in [&mut w.hub, &mut w.colleague] {
        assert!(matches!(s.apply_bytes(r, &old_bytes), Err(Error::VolunteerErased { .. })));
        assert!(s.person(w.volunteer).is_ok());
    }
    // Syncing again is quiet, and nothing reappears.
    sync(&mut w.hub, grant, &mut w.colleague);
    assert!(!holds(&mut w.colleague, w.volunteer) && !holds(&mut w.hub, w.volunteer));
    // The project-wide office learns the tombstone (a public fact of the
    // project document) but never held the entry.
    sync(&mut w.hub, Grant::COORDINATOR, &mut w.office);
    assert!(w.office.erased_volunteers().expect("office").is_empty(), "not the office's organisation");
}

#[test]
fn only_the_organisations_coordinators_erase_its_entries() {
    let mut w = world();
    let r = DocRef::volunteer(w.volunteer);
    // Through the app: nobody else holds the entry to erase.
    let mut other = store(4);
    let other_grant = Grant::coordinator_of(w.other_org);
    sync(&mut w.hub, other_grant, &mut other);
    assert!(matches!(
        other.erase_volunteer(w.volunteer, ErasureReason::Request, None),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        w.office.erase_volunteer(w.volunteer, ErasureReason::Request, None),
        Err(Error::NotFound { .. })
    ));

    // Forged tombstones, each from its own device's modified app:
    let forged = |organisation, by: &Store| VolunteerTombstone {
        person: w.volunteer,
        organisation,
        at: chrono::DateTime::from_timestamp_millis(1_780_000_000_000).expect("time"),
        by_device: by.device(),
        by_person: None,
        reason: ErasureReason::Other,
    };
    // another organisation's coordinator, naming the entry's organisation
    // (not its own): refused as an author;
    let t = forged(w.org, &other);
    other.write_volunteer_tombstone_unchecked(&t).expect("on the insider's laptop");
    let refused = sync(&mut w.hub, other_grant, &mut other);
    assert_eq!(refused, vec![(DocRef::project(w.hub.project()), Refusal::WrongAuthor)], "{refused:?}");
    // naming its own organisation: the hub, which holds the entry, knows
    // it is another organisation's;
    let mut other2 = store(5);
    sync(&mut w.hub, other_grant, &mut other2);
    other2.write_volunteer_tombstone_unchecked(&forged(w.other_org, &other2)).expect("laptop");
    let refused = sync(&mut w.hub, other_grant, &mut other2);
    assert_eq!(refused, vec![(DocRef::project(w.hub.project()), Refusal::ErasureNotAllowed)], "{refused:?}");
    // the project-wide office, whose enrolment names no organisation.
    let mut office2 = store(6);
    sync(&mut w.hub, Grant::COORDINATOR, &mut office2);
    office2.write_volunteer_tombstone_unchecked(&forged(w.org, &office2)).expect("laptop");
    let refused = sync(&mut w.hub, Grant::COORDINATOR, &mut office2);
    assert_eq!(refused, vec![(DocRef::project(w.hub.project()), Refusal::WrongAuthor)], "{refused:?}");
    // A lab's lead may not write the project document at all.
    let mut lead = store(11);
    let lead_grant = Grant::of_lab(DeviceRole::Lead, w.office.labs().expect("labs")[0].id);
    sync(&mut w.hub, lead_grant, &mut lead);
    lead.write_volunteer_tombstone_unchecked(&forged(w.org, &lead)).expect("laptop");
    assert!(!sync(&mut w.hub, lead_grant, &mut lead).is_empty());

    // The entry is where it was, at the hub and with its organisation.
    assert!(holds(&mut w.hub, w.volunteer));
    sync(&mut w.hub, Grant::coordinator_of(w.org), &mut w.keeper);
    assert!(holds(&mut w.keeper, w.volunteer));
    assert!(w.hub.has_doc(r).expect("has"));
    // And the organisation's laptop, given the forged project document
    // directly (as a bundle would), refuses it too.
    let bytes = other2.export_doc(DocRef::project(w.hub.project())).expect("bytes");
    assert!(matches!(
        w.keeper.apply_bytes(DocRef::project(w.hub.project()), &bytes),
        Err(Error::ErasureRefused { .. })
    ));
    assert!(holds(&mut w.keeper, w.volunteer));
}

#[test]
fn entries_past_the_retention_after_their_end_are_listed_and_erased() {
    use crate::store::Retention;

    let mut w = world();
    let grant = Grant::coordinator_of(w.org);
    let lab1 = w.office.labs().expect("labs")[0].id;
    let mut volunteer = |first: &str| {
        w.office
            .create_person(NewPerson {
                lab: lab1,
                first_name: first.into(),
                last_name: "Volontaria".into(),
                role: Role::Volunteer,
                organisation: String::new(),
                phone: String::new(),
                email: String::new(),
            })
            .expect("person")
    };
    let (ended_long_ago, ended_lately, still_active) =
        (volunteer("Ada"), volunteer("Bice"), volunteer("Cloe"));
    sync(&mut w.hub, Grant::COORDINATOR, &mut w.office);
    sync(&mut w.hub, grant, &mut w.keeper);
    let dated = |start, end| VolunteerEntry {
        birth_place: "Pavia".into(),
        birth_date: Some(d(1990, 5, 17)),
        residence: "Via Roma 1, Pavia".into(),
        start: Some(start),
        end,
        ..VolunteerEntry::default()
    };
    // Hand-dated: ended 30 June 2019, ended 15 January 2022, not ended;
    // and the world's own entry, not ended.
    w.keeper.keep_volunteer(ended_long_ago, dated(d(2015, 3, 1), Some(d(2019, 6, 30)))).expect("kept");
    w.keeper.keep_volunteer(ended_lately, dated(d(2020, 9, 1), Some(d(2022, 1, 15)))).expect("kept");
    w.keeper.keep_volunteer(still_active, dated(d(2018, 1, 1), None)).expect("kept");
    let due = |s: &mut Store, on| -> Vec<(PersonId, u32)> {
        s.volunteers_due(on).expect("due").into_iter().map(|v| (v.person, v.years_since_end)).collect()
    };
    // The default: five whole years after the end.
    assert_eq!(w.keeper.retention_policy().expect("policy").volunteer_years, 5);
    assert!(due(&mut w.keeper, d(2024, 6, 29)).is_empty(), "a day early");
    assert_eq!(due(&mut w.keeper, d(2024, 6, 30)), vec![(ended_long_ago, 5)]);
    assert_eq!(due(&mut w.keeper, d(2027, 1, 15)), vec![(ended_long_ago, 7), (ended_lately, 5)]);
    // The project sets it (a coordinator's write of the project document).
    let policy = w.office.retention_policy().expect("policy");
    w.office.set_retention_policy(crate::RetentionPolicy { volunteer_years: 2, ..policy }).expect("policy");
    sync(&mut w.hub, Grant::COORDINATOR, &mut w.office);
    sync(&mut w.hub, grant, &mut w.keeper);
    let today = d(2024, 6, 30);
    assert_eq!(due(&mut w.keeper, today), vec![(ended_long_ago, 5), (ended_lately, 2)]);
    // Another organisation's coordinator holds none of them: nothing listed.
    let mut other = store(4);
    sync(&mut w.hub, Grant::coordinator_of(w.other_org), &mut other);
    assert!(due(&mut other, today).is_empty());

    // Confirming one that is not due erases nothing.
    let got = w.keeper.erase_volunteers_due(today, &[ended_long_ago, still_active], None);
    assert!(matches!(got, Err(Error::VolunteerNotDue { person }) if person == still_active), "{got:?}");
    assert!(holds(&mut w.keeper, ended_long_ago));
    let erased = w.keeper.erase_volunteers_due(today, &[ended_long_ago, ended_lately], None).expect("erased");
    assert!(erased.iter().all(|t| t.reason == ErasureReason::Retention && t.organisation == w.org));
    assert!(!holds(&mut w.keeper, ended_long_ago) && !holds(&mut w.keeper, ended_lately));
    assert!(holds(&mut w.keeper, still_active) && holds(&mut w.keeper, w.volunteer));
    assert!(due(&mut w.keeper, today).is_empty());
    sync(&mut w.hub, grant, &mut w.keeper);
    assert!(!holds(&mut w.hub, ended_long_ago) && holds(&mut w.hub, still_active));
}
