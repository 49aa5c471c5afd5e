//! Deterministic multi-device sync simulation: a hub store and device
//! stores exchange real encoded frames through `crdt_sync::sync::Session`,
//! with no network, until neither side has anything to say.
//!
//! Checks authorisation per lab (what a device may read, write and create),
//! that a meeting recorded offline reaches the other devices of its lab, and
//! the cost of an incremental sync. Tests of the real hub process over
//! loopback live with the hub.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::sync::{DeviceRole, Grant, Refusal, Session, Stats};
use crdt_sync::{
    ActivityType, Attendance, CodeRange, Contacts, DeviceConfig, DeviceId, DocKind, DocRef, Families, LabId,
    Meetings, NewHousehold, NewLab, NewMeeting, NewMember, ProjectId, ProjectSettings, Replication,
    SeededEnv, Store, Targets,
};
use uuid::Uuid;

const PROJECT: ProjectId = ProjectId(Uuid::from_u128(0x7acc));

fn store(n: u128) -> Store {
    let first = 1 + 1000 * n as u32;
    let config = DeviceConfig {
        device: DeviceId(Uuid::from_u128(0xde00 + n)),
        project: PROJECT,
        codes: CodeRange::new(first, first + 999).expect("range"),
    };
    Store::in_memory(config, Box::new(SeededEnv::with_seed(n as u64))).expect("store")
}

fn sync(hub: &mut Store, grant: Grant, device: &mut Store) -> (usize, Stats, Session) {
    taccuino_tests::sim::settle(hub, grant, device)
}

fn coordinator() -> Grant {
    Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }
}

fn volunteer(lab: LabId) -> Grant {
    Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None }
}

fn family(lab: LabId, name: &str) -> NewHousehold {
    NewHousehold {
        lab,
        reference: NewMember { first_name: name.into(), last_name: "Bianchi".into(), birth_year: Some(1982) },
        others: vec![NewMember {
            first_name: "Leo".into(),
            last_name: "Bianchi".into(),
            birth_year: Some(2016),
        }],
        contacts: Contacts { phone: "+39 333 0000000".into(), ..Contacts::default() },
        areas: BTreeSet::new(),
        referral: None,
        consent: crdt_sync::NewConsent::given(
            NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
            "2026-01",
            crdt_sync::PersonId(uuid::Uuid::from_u128(0xC0)),
        )
        .with_guardian(crdt_sync::NewGuardian::Member { index: 0 }),
    }
}

fn meeting(lab: LabId, day: u32, attendance: Vec<Attendance>) -> NewMeeting {
    NewMeeting {
        lab,
        date: NaiveDate::from_ymd_opt(2026, 10, day).expect("date"),
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: "Compiti".into(),
        facilitators: BTreeSet::new(),
        attendance,
        guests: 1,
        notes: "Merenda insieme".into(),
    }
}

struct World {
    hub: Store,
    labs: Vec<LabId>,
}

/// A coordinator sets up two labs and pushes them to the hub.
fn world() -> World {
    let mut hub = store(0);
    let mut coord = store(1);
    for t in ActivityType::defaults() {
        coord.put_activity_type(t).expect("activity");
    }
    coord.set_targets(Targets::default()).expect("targets");
    let labs: Vec<LabId> = (1..=2)
        .map(|n| {
            coord
                .create_lab(NewLab {
                    number: n,
                    name: format!("Laboratorio {n}"),
                    address: "Pavia".into(),
                    partner: "Coop".into(),
                })
                .expect("lab")
        })
        .collect();
    let (_, _, s) = sync(&mut hub, coordinator(), &mut coord);
    assert!(s.refused().is_empty());
    assert_eq!(hub.labs().expect("labs").len(), 2);
    World { hub, labs }
}

#[test]
fn a_meeting_recorded_offline_reaches_its_lab_and_no_other() {
    let World { mut hub, labs } = world();
    let (a, b) = (labs[0], labs[1]);
    let mut a1 = store(2);
    let mut a2 = store(3);
    let mut b1 = store(4);
    for (dev, lab) in [(&mut a1, a), (&mut a2, a), (&mut b1, b)] {
        sync(&mut hub, volunteer(lab), dev);
    }
    // Lab A's volunteer, offline: registers a family and records a meeting.
    let h = a1.create_household(family(a, "Nicolò")).expect("family");
    let member = a1.household(h).expect("read").members[0].id;
    let m = a1.create_meeting(meeting(a, 5, vec![Attendance { household: h, member }])).expect("meeting");
    // Lab B's volunteer records one too.
    let hb = b1.create_household(family(b, "Amina")).expect("family");
    // Online again, in this order.
    let (_, _, s) = sync(&mut hub, volunteer(a), &mut a1);
    assert!(s.refused().is_empty(), "{:?}", s.refused());
    sync(&mut hub, volunteer(b), &mut b1);
    sync(&mut hub, volunteer(a), &mut a2);
    // The hub has everything; A2 has A's meeting and family; B1 has neither.
    assert_eq!(hub.meeting(m).expect("hub meeting").attendance.len(), 1);
    assert_eq!(a2.meeting(m).expect("a2 meeting").notes, "Merenda insieme");
    assert_eq!(a2.search_households("nicolo", 5).expect("search").len(), 1);
    assert!(b1.meeting(m).is_err());
    assert!(!b1.has_doc(DocRef::household(h)).expect("has"));
    assert!(!b1.has_doc(DocRef::lab(a)).expect("has"), "lab B must not even hold lab A's document");
    assert!(!a2.has_doc(DocRef::household(hb)).expect("has"));
    // A1 and A2 hold identical lab-A documents.
    let docs: Vec<DocRef> = a2.doc_refs().expect("docs");
    assert_eq!(a1.fingerprint(&docs).expect("fp"), a2.fingerprint(&docs).expect("fp"));
    assert_eq!(a2.fingerprint(&docs).expect("fp"), hub.fingerprint(&docs).expect("fp"));
}

#[test]
fn a_device_of_another_lab_can_neither_read_nor_write_nor_learn() {
    let World { mut hub, labs } = world();
    let (a, b) = (labs[0], labs[1]);
    let mut a1 = store(2);
    sync(&mut hub, volunteer(a), &mut a1);
    let h = a1.create_household(family(a, "Nicolò")).expect("family");
    sync(&mut hub, volunteer(a), &mut a1);
    // A device of lab B that somehow holds lab A's documents (copied from
    // A1's disk) and edits them.
    let mut b1 = store(4);
    sync(&mut hub, volunteer(b), &mut b1);
    for doc in [DocRef::lab(a), DocRef::household(h)] {
        let bytes = a1.export_doc(doc).expect("export");
        b1.apply_bytes(doc, &bytes).expect("copy");
    }
    b1.create_meeting(meeting(a, 6, vec![])).expect("forged meeting");
    let before = hub.fingerprint(&hub.doc_refs().expect("docs")).expect("fp");
    let (_, _, s) = sync(&mut hub, volunteer(b), &mut b1);
    assert_eq!(s.refused().get(&DocRef::lab(a)), Some(&Refusal::NotAllowed));
    // A family is answered as one the hub does not hold would be: the
    // device learns nothing of another lab's families.
    assert_eq!(s.refused().get(&DocRef::household(h)), Some(&Refusal::NotListed));
    assert_eq!(hub.fingerprint(&hub.doc_refs().expect("docs")).expect("fp"), before, "hub unchanged");
    // A fresh lab-B device is never offered any lab-A document.
    let mut b2 = store(5);
    let (_, _, s) = sync(&mut hub, volunteer(b), &mut b2);
    for doc in b2.doc_refs().expect("docs") {
        assert!(doc != DocRef::lab(a) && doc != DocRef::household(h), "{doc} leaked");
    }
    assert!(s.active().iter().all(|d| d.kind != DocKind::Household), "no households of lab A announced");
}

#[test]
fn volunteers_cannot_change_the_project_document() {
    let World { mut hub, labs } = world();
    let mut a1 = store(2);
    sync(&mut hub, volunteer(labs[0]), &mut a1);
    a1.set_targets(Targets { families: 1, ..Targets::default() }).expect("local edit");
    let (_, _, s) = sync(&mut hub, volunteer(labs[0]), &mut a1);
    assert_eq!(s.refused().get(&DocRef::project(PROJECT)), Some(&Refusal::ReadOnly));
    assert_eq!(hub.targets().expect("targets").families, 800);
}

#[test]
fn incremental_sync_sends_little_and_settles_quickly() {
    let World { mut hub, labs } = world();
    let a = labs[0];
    let mut a1 = store(2);
    sync(&mut hub, volunteer(a), &mut a1);
    let hs: Vec<_> =
        (0..20).map(|i| a1.create_household(family(a, &format!("Persona{i}"))).expect("family")).collect();
    for d in 1..=20 {
        let att: Vec<Attendance> = hs
            .iter()
            .take(15)
            .map(|h| Attendance { household: *h, member: a1.household(*h).expect("read").members[0].id })
            .collect();
        a1.create_meeting(meeting(a, d, att)).expect("meeting");
    }
    sync(&mut hub, volunteer(a), &mut a1);
    // A day's work: five meetings.
    let before = a1.heads(DocRef::lab(a)).expect("heads");
    for d in 21..=25 {
        a1.create_meeting(meeting(a, d, vec![])).expect("meeting");
    }
    let new_bytes = a1.export_since(DocRef::lab(a), &before).expect("since").len();
    let (round_trips, stats, _) = sync(&mut hub, volunteer(a), &mut a1);
    println!(
        "incremental sync: {round_trips} round trips, {} bytes sent, {} received, new changes {new_bytes} bytes",
        stats.bytes_out, stats.bytes_in
    );
    // Against the sync points of the last sync (decision 0023): the changes
    // go with the `Hello`, the hub's acknowledgement comes back, and the
    // Bloom filters cover only what moved since (2.96x before them).
    assert_eq!(round_trips, 1, "{round_trips} round trips");
    let messages = stats.bytes_out + stats.bytes_in;
    assert!(messages * 10 <= new_bytes as u64 * 12, "{messages} B of messages for {new_bytes} B of changes");
    assert_eq!(
        hub.meetings(
            a,
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 12, 31).expect("date")
        )
        .expect("meetings")
        .len(),
        25
    );

    // Nothing new: the Hello's heads digests settle every document in one
    // round trip, with no automerge message either way.
    let (round_trips, stats, _) = sync(&mut hub, volunteer(a), &mut a1);
    assert_eq!((round_trips, stats.bytes_out, stats.bytes_in), (1, 0, 0));
    // A change on the hub's side is still noticed.
    let m = hub.create_meeting(meeting(a, 26, vec![])).expect("meeting on the hub");
    sync(&mut hub, volunteer(a), &mut a1);
    assert!(a1.meeting(m).is_ok(), "the hub's new meeting arrived");
}
