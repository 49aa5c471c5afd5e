//! Erasure across replicas (issue 6), with the indicators' totals kept: a coordinator's device, the hub (a
//! store behind `Session::hub`), and lab devices that were offline, synced
//! in-process frame by frame through the wire encoding; and bundles.

use crdt_sync::DirectoryEntry as Entry;
use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::sync::{DeviceRole, Frame, Grant, Refusal, Session};
use crdt_sync::testing::d;
use crdt_sync::testing::one_family::{attend, copy_all, family, forged_tombstone, lab, store};
use crdt_sync::{
    DocRef, Erasure, ErasureReason, Error, Families, HouseholdPatch, LabId, NewMember, Period, Replication,
    Selection, Store,
};
use taccuino_reports::indicators;

/// Syncs `device` with `hub` until neither has anything to say; returns the
/// device's session and every frame the hub sent.
fn sync(hub: &mut Store, grant: Grant, device: &mut Store) -> (Session, Vec<Frame>) {
    let t = crdt_sync::sync::in_turns(hub, grant, device).expect("sync");
    assert!(t.device.is_settled(device).expect("settled"), "{:?}", t.device.refused());
    (t.device, t.from_hub)
}

fn coordinator() -> Grant {
    Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }
}

fn of_lab(role: DeviceRole, lab: LabId) -> Grant {
    Grant { role, lab: Some(lab), organisation: None }
}

fn everything() -> Selection {
    Selection::all_labs(Period::new(d(2024, 1, 1), d(2026, 12, 31)).expect("period"))
}

fn sends_sync_for(frames: &[Frame], doc: DocRef) -> bool {
    frames.iter().any(|f| matches!(f, Frame::Sync { doc: d, .. } if *d == doc))
}

#[test]
fn an_erasure_reaches_every_replica_and_an_offline_device_never_brings_the_family_back() {
    let mut a = store(1); // the coordinator's laptop
    let mut hub = store(100);
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    let k = family(&mut a, l);
    attend(&mut a, l, h, d(2025, 1, 20));
    attend(&mut a, l, k, d(2025, 1, 21));
    sync(&mut hub, coordinator(), &mut a);

    // Volunteer C of lab 3 gets everything, then goes offline for months.
    let mut c = store(3);
    sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut c);
    assert!(c.household(h).is_ok());
    c.update_household(h, HouseholdPatch { reference: None, ..Default::default() }).expect("edit");
    let newcomer = c
        .add_member(
            h,
            NewMember { first_name: "Nuovo".into(), last_name: "Arrivato".into(), birth_year: None },
        )
        .expect("offline edit");
    attend(&mut c, l, h, d(2025, 3, 3));
    assert!(c.household(h).expect("h").members.iter().any(|m| m.id == newcomer));

    // The coordinator erases H; the hub learns it at the next sync.
    let on_hub_before = indicators::compute(&hub, &everything()).expect("indicators");
    a.erase_household(h, ErasureReason::Request, None).expect("erase");
    sync(&mut hub, coordinator(), &mut a);
    assert!(!hub.has_doc(DocRef::household(h)).expect("has"));
    assert!(matches!(hub.household(h), Err(Error::Erased { .. })));
    assert_eq!(indicators::compute(&hub, &everything()).expect("indicators").total, on_hub_before.total);

    // A forged erasure of K from another volunteer of lab 3 is refused.
    let mut v = store(4);
    sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut v);
    forged_tombstone(&mut v, l, k);
    let (session, _) = sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut v);
    assert_eq!(session.refused().get(&DocRef::lab(l)), Some(&Refusal::ErasureNotAllowed));
    assert!(hub.household(k).is_ok(), "K is still on the hub");

    // C syncs last. It still lists H in its Hello: refused, never stored.
    let (session, from_hub) = sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut c);
    assert_eq!(session.refused().get(&DocRef::household(h)), Some(&Refusal::Erased));
    assert!(from_hub.contains(&Frame::Refused { doc: DocRef::household(h), reason: Refusal::Erased }));
    assert!(!sends_sync_for(&from_hub, DocRef::household(h)), "the hub never asks for H");
    assert!(!hub.has_doc(DocRef::household(h)).expect("has"), "the hub never re-stored H");
    // The lab document brought the tombstone: C erased its copy.
    assert!(!c.has_doc(DocRef::household(h)).expect("has"));
    assert!(matches!(c.household(h), Err(Error::Erased { .. })));
    assert!(c.search_households("Zabarellini", 10).expect("search").iter().all(|hit| hit.id != h));
    // C's meeting (ids only) still reached the hub; H counts once as before.
    let after = indicators::compute(&hub, &everything()).expect("indicators").total;
    assert_eq!(after.families_reached, on_hub_before.total.families_reached);
    assert_eq!(after.meetings, on_hub_before.total.meetings + 1);
    // And it stays settled, with H gone from C's Hello.
    let (session, from_hub) = sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut c);
    assert!(session.refused().is_empty(), "{:?}", session.refused());
    assert!(!from_hub.iter().any(|f| matches!(f, Frame::Refused { .. })));
    // The coordinator's laptop and C agree on the lab document.
    sync(&mut hub, coordinator(), &mut a);
    let docs = [DocRef::lab(l), DocRef::household(k)];
    assert_eq!(a.fingerprint(&docs).expect("fp"), c.fingerprint(&docs).expect("fp"));
}

#[test]
fn a_leads_request_reaches_the_hub_and_a_coordinator_confirms_it() {
    let mut a = store(1);
    let mut hub = store(100);
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    sync(&mut hub, coordinator(), &mut a);
    let mut lead = store(5);
    sync(&mut hub, of_lab(DeviceRole::Lead, l), &mut lead);
    let lead_person = crdt_sync::PersonId(uuid::Uuid::from_u128(55));
    lead.request_erasure(h, ErasureReason::Withdrawal, Some(lead_person)).expect("request");
    let (session, _) = sync(&mut hub, of_lab(DeviceRole::Lead, l), &mut lead);
    assert!(session.refused().is_empty(), "{:?}", session.refused());
    sync(&mut hub, coordinator(), &mut a);
    let requests = a.erasure_requests(None).expect("requests");
    assert_eq!(requests.iter().map(|r| r.household).collect::<Vec<_>>(), vec![h]);
    let t = a.erase_household(h, ErasureReason::Withdrawal, None).expect("erase");
    assert_eq!(t[0].requested_by, Some(lead_person));
    sync(&mut hub, coordinator(), &mut a);
    sync(&mut hub, of_lab(DeviceRole::Lead, l), &mut lead);
    assert!(matches!(lead.household(h), Err(Error::Erased { .. })));

    // A volunteer may not even ask.
    let mut v = store(6);
    let k = family(&mut a, l);
    sync(&mut hub, coordinator(), &mut a);
    sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut v);
    v.request_erasure(k, ErasureReason::Request, None).expect("local request");
    let (session, _) = sync(&mut hub, of_lab(DeviceRole::Volunteer, l), &mut v);
    assert_eq!(session.refused().get(&DocRef::lab(l)), Some(&Refusal::ErasureNotAllowed));
}

#[test]
fn bundles_carry_erasures_to_devices_and_never_carry_erased_families() {
    let key = BundleKey([9; 32]);
    let mut a = store(1); // a coordinator
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    let mut hub = store(100);
    copy_all(&mut a, &mut hub);
    let mut b = store(2); // a lab device holding H
    let mut old = store(3); // a lab device that will never hear of the erasure
    let mut c = store(4); // a lab device online when the erasure comes
    let lead =
        Entry { grant: Grant { role: DeviceRole::Lead, lab: Some(l), organisation: None }, revoked: false };
    let coordinator = Entry { grant: Grant::COORDINATOR, revoked: false };
    hub.reconcile_directory(&[
        (a.device(), coordinator),
        (b.device(), lead),
        (old.device(), lead),
        (c.device(), lead),
    ])
    .expect("directory");
    // Every device learns the directory (in the project document) and H.
    for device in [&mut b, &mut old, &mut c] {
        copy_all(&mut hub, device);
    }
    a.erase_household(h, ErasureReason::Retention, None).expect("erase");
    copy_all(&mut a, &mut c);

    let docs = c.doc_refs().expect("docs");
    assert!(!docs.contains(&DocRef::household(h)));
    let mut with_h = docs.clone();
    with_h.push(DocRef::household(h));
    let bundle = bundle::export(&mut c, l, &key, &with_h, 0).expect("export skips the erased family");
    let info = bundle::verify(&bundle, &key).expect("verify");
    assert!(!info.docs.contains(&DocRef::household(h)));

    // The hub-side import (the maker's rights) refuses the tombstone: a lab
    // device may not relay a coordinator's change (the coordinator's own
    // sync brings it).
    let got = bundle::import_as_lab(&mut hub, &bundle, &key, l).expect("import");
    assert!(got.refused.iter().any(|(d, _)| *d == DocRef::lab(l)), "{got:?}");
    assert!(hub.household(h).is_ok());

    // A device obeys it.
    let got = bundle::import_as_device(&mut b, &bundle, &key, l).expect("import");
    assert!(got.refused.is_empty(), "{got:?}");
    assert!(matches!(b.household(h), Err(Error::Erased { .. })));
    assert!(!b.has_doc(DocRef::household(h)).expect("has"));

    // A bundle from a device that still holds H cannot bring it back.
    let old_docs = old.doc_refs().expect("docs");
    let stale = bundle::export(&mut old, l, &key, &old_docs, 0).expect("export");
    for import in [bundle::import_as_device, bundle::import_as_lab] {
        let got = import(&mut b, &stale, &key, l).expect("import");
        assert!(
            got.refused.iter().any(|(d, why)| *d == DocRef::household(h) && why.contains("erased")),
            "{got:?}"
        );
        assert!(!b.has_doc(DocRef::household(h)).expect("has"));
    }
}
