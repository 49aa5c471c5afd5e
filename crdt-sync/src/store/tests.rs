//! Unit tests of the store: operations, queries, merges, codes, schema
//! evolution and the projection check. Multi-replica properties live in the
//! workspace `tests/` package.

use crate::store::Families;
use crate::store::Maintenance;
use crate::store::Meetings;
use crate::store::ProjectSettings;
use crate::store::Replication;
use crate::store::Staff;
use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc};
use chrono::{NaiveDate, NaiveTime};
use uuid::Uuid;

use super::Store;
use crate::codes::CodeRange;
use crate::doc::DocRef;
use crate::domain::{
    ActivityType, Attendance, Contacts, HouseholdPatch, NewConsent, NewGuardian, NewHousehold, NewLab,
    NewMeeting, NewMember,
};
use crate::error::Error;
use crate::ids::{HouseholdId, LabId, PersonId};
use crate::testing::{d, store};

fn lab(s: &mut Store, number: u8) -> LabId {
    for t in ActivityType::defaults() {
        s.put_activity_type(t).expect("activity");
    }
    s.create_lab(NewLab {
        number,
        name: "Laboratorio Scala".into(),
        address: "Via Scala 1, Pavia".into(),
        partner: "Caritas".into(),
    })
    .expect("lab")
}

fn family(s: &mut Store, lab: LabId, first: &str, last: &str) -> HouseholdId {
    s.create_household(NewHousehold {
        lab,
        reference: NewMember { first_name: first.into(), last_name: last.into(), birth_year: Some(1985) },
        others: vec![NewMember {
            first_name: "Sofia".into(),
            last_name: last.into(),
            birth_year: Some(2014),
        }],
        contacts: Contacts { phone: "+39 333 1234567".into(), ..Contacts::default() },
        areas: BTreeSet::new(),
        referral: None,
        consent: consent().with_guardian(NewGuardian::Member { index: 0 }),
    })
    .expect("household")
}

/// A consent record collected by a volunteer of another laptop.
fn consent() -> NewConsent {
    NewConsent::given(d(2026, 1, 15), "2026-01", PersonId(Uuid::from_u128(0xC0)))
}

fn meeting(lab: LabId, date: NaiveDate) -> NewMeeting {
    NewMeeting {
        lab,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: "Merenda e compiti".into(),
        facilitators: BTreeSet::new(),
        attendance: Vec::new(),
        guests: 2,
        notes: String::new(),
    }
}

#[test]
fn search_ignores_accents_and_matches_codes() {
    let mut s = store(10, 1, 42..=100);
    let l = lab(&mut s, 3);
    let h = family(&mut s, l, "Nicolò", "Sciortino");
    family(&mut s, l, "Amina", "El Idrissi");
    let hit = &s.search_households("nicolo", 10).expect("search")[0];
    assert_eq!(hit.id, h);
    assert_eq!(hit.code, "PV03-0042");
    assert_eq!(s.search_households("NICOL sciort", 10).expect("search").len(), 1);
    assert_eq!(s.search_households("PV03-0042", 10).expect("search")[0].id, h);
    assert_eq!(s.search_households("sofia", 10).expect("search").len(), 2, "every member is searchable");
    assert!(s.search_households("zzz", 10).expect("search").is_empty());
    assert!(s.search_households("  \"*", 10).expect("search").is_empty());
}

#[test]
fn two_devices_never_assign_the_same_code_and_say_when_they_run_out() {
    let mut a = store(10, 1, 1..=3);
    let mut b = store(11, 1, 4..=6);
    let la = lab(&mut a, 1);
    for r in a.doc_refs().expect("docs") {
        let bytes = a.export_doc(r).expect("export");
        b.apply_bytes(r, &bytes).expect("apply");
    }
    let mut codes = BTreeSet::new();
    for i in 0..3 {
        for s in [&mut a, &mut b] {
            let h = family(s, la, "Anna", &format!("Rossi{i}"));
            assert!(codes.insert(s.household(h).expect("read").code), "duplicate code");
        }
    }
    let err = a
        .create_household(NewHousehold {
            lab: la,
            reference: NewMember { first_name: "X".into(), last_name: "Y".into(), birth_year: None },
            others: vec![],
            contacts: Contacts::default(),
            areas: BTreeSet::new(),
            referral: None,
            consent: consent(),
        })
        .expect_err("no codes left");
    assert!(matches!(err, Error::CodesExhausted { start: 1, end: 3 }), "{err}");
    a.add_code_range(CodeRange::new(7, 9).expect("range")).expect("new range");
    assert!(a.add_code_range(CodeRange::new(8, 20).expect("range")).is_err(), "overlap refused");
    family(&mut a, la, "Anna", "Verdi");
}

#[test]
fn merging_duplicates_moves_attendance_and_is_reversible_until_confirmed() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let a = family(&mut s, l, "Mario", "Rossi");
    let b = family(&mut s, l, "Mario", "Rosi");
    let mb = s.household(b).expect("b").members[0].id;
    let m = s.create_meeting(meeting(l, d(2026, 10, 5))).expect("meeting");
    s.record_attendance(m, Attendance { household: b, member: mb }).expect("tick");
    assert!(s.attendance_history(a).expect("history").is_empty());

    s.merge_households(b, a).expect("merge");
    assert_eq!(s.canonical_household(b).expect("canonical"), a);
    let history = s.attendance_history(a).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].recorded_for, b);
    assert!(
        matches!(s.merge_households(a, b), Err(Error::Merge(_))),
        "winner of a pending merge cannot merge into its loser"
    );

    s.undo_merge(b).expect("undo");
    assert!(s.attendance_history(a).expect("history").is_empty());
    assert_eq!(s.attendance_history(b).expect("history").len(), 1);

    s.merge_households(b, a).expect("merge again");
    s.confirm_merge(b).expect("confirm");
    assert!(matches!(s.undo_merge(b), Err(Error::Merge(_))));
    assert!(s.household(b).expect("loser kept").merge_confirmed, "nothing is deleted");
}

#[test]
fn validation_names_the_field_and_changes_nothing() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let h = family(&mut s, l, "Mario", "Rossi");
    let before = s.projection_dump().expect("dump");
    let field = |e: Error| match e {
        Error::Invalid { field, .. } => field,
        other => panic!("expected a validation error, got {other}"),
    };
    let mut m = meeting(l, d(2090, 1, 1));
    assert_eq!(field(s.create_meeting(m.clone()).expect_err("2090")), "meeting.date");
    m.date = d(2026, 10, 1);
    m.end = NaiveTime::from_hms_opt(15, 0, 0).expect("time");
    assert_eq!(field(s.create_meeting(m.clone()).expect_err("end before start")), "meeting.end");
    m.end = NaiveTime::from_hms_opt(18, 0, 0).expect("time");
    m.activity = "karaoke".into();
    assert_eq!(field(s.create_meeting(m.clone()).expect_err("activity")), "meeting.activity");
    m.activity = "open_lab".into();
    m.attendance = vec![Attendance { household: h, member: crate::ids::MemberId(Uuid::from_u128(99)) }];
    assert_eq!(field(s.create_meeting(m).expect_err("unknown member")), "attendance.household");
    let bad = NewHousehold {
        lab: l,
        reference: NewMember { first_name: " ".into(), last_name: "Rossi".into(), birth_year: None },
        others: vec![],
        contacts: Contacts::default(),
        areas: BTreeSet::new(),
        referral: None,
        consent: consent(),
    };
    assert_eq!(field(s.create_household(bad).expect_err("empty name")), "member.first_name");
    assert_eq!(s.projection_dump().expect("dump"), before);
}

#[test]
fn an_older_app_keeps_the_fields_of_a_newer_document() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let h = family(&mut s, l, "Mario", "Rossi");
    let r = DocRef::household(h);
    // A newer app adds a field this build does not know and bumps the schema.
    let mut newer = Automerge::load(&s.export_doc(r).expect("export")).expect("load");
    newer
        .transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "schema", 2u64)?;
            tx.put(ROOT, "isee_band", "B")?;
            Ok(())
        })
        .expect("newer write");
    s.apply_bytes(r, &newer.save()).expect("apply newer");
    assert_eq!(s.doc_schema_version(r).expect("schema"), 2);
    // This build edits the family...
    let contacts = Contacts { phone: "+39 340 0000000".into(), ..Contacts::default() };
    s.update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() }).expect("edit");
    // ...and the field it does not know is still there.
    let after = Automerge::load(&s.export_doc(r).expect("export")).expect("load");
    assert_eq!(crate::doc::get_string(&after, &ROOT, "isee_band").as_deref(), Some("B"));
    assert_eq!(crate::doc::schema_version(&after), 2);
    assert_eq!(s.household(h).expect("read").contacts.phone, "+39 340 0000000");
}

/// Simulates a family's projection left behind its document: its rows
/// gone, the heads it was projected at not matching.
fn leave_projection_behind(s: &Store, h: HouseholdId) {
    s.conn.execute("DELETE FROM members WHERE household_id = ?1", [h.to_string()]).expect("delete");
    s.conn
        .execute(
            "UPDATE documents SET projected_heads = x'00' WHERE doc_key = ?1",
            [DocRef::household(h).to_string()],
        )
        .expect("update");
}

#[test]
fn a_stale_projection_is_repaired_at_check() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let h = family(&mut s, l, "Mario", "Rossi");
    let good = s.projection_dump().expect("dump");
    leave_projection_behind(&s, h);
    assert_ne!(s.projection_dump().expect("dump"), good);
    assert_eq!(s.check_projection().expect("check"), 1);
    assert_eq!(s.projection_dump().expect("dump"), good);
    assert_eq!(s.check_projection().expect("check"), 0);
}

#[test]
fn opening_loads_no_document_yet_repairs_a_stale_projection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("taccuino.db");
    let key = super::Key::from_bytes([5; 32]);
    let mut s = Store::create(
        &path,
        &key,
        crate::testing::config(10, 1, 1..=100),
        Box::new(crate::env::SeededEnv::with_seed(1)),
    )
    .expect("create");
    let l = lab(&mut s, 1);
    let h = family(&mut s, l, "Mario", "Rossi");
    let other = family(&mut s, l, "Anna", "Bianchi");
    s.create_meeting(meeting(l, d(2025, 3, 4))).expect("meeting");
    let good = s.projection_dump().expect("dump");
    drop(s);

    // A plain reopen loads no document: the rows say nothing is stale.
    let s = Store::open(&path, &key, Box::new(crate::env::SeededEnv::with_seed(2))).expect("open");
    assert!(s.docs.is_empty(), "documents loaded at open: {:?}", s.docs.keys().collect::<Vec<_>>());
    assert_eq!(s.projection_dump().expect("dump"), good);
    // A projection left behind is repaired at open, and only that family is
    // loaded for it.
    leave_projection_behind(&s, h);
    assert_ne!(s.projection_dump().expect("dump"), good);
    drop(s);
    let mut s = Store::open(&path, &key, Box::new(crate::env::SeededEnv::with_seed(3))).expect("reopen");
    assert!(s.docs.contains_key(&DocRef::household(h)));
    assert!(!s.docs.contains_key(&DocRef::household(other)));
    assert_eq!(s.projection_dump().expect("dump"), good);
    // And the whole check, which loads everything, finds nothing left.
    assert_eq!(s.check_projection().expect("check"), 0);
    // Another projection version re-projects everything at open.
    s.conn.execute("UPDATE documents SET projection_version = projection_version - 1", []).expect("version");
    drop(s);
    let s = Store::open(&path, &key, Box::new(crate::env::SeededEnv::with_seed(4))).expect("reopen");
    assert!(s.docs.contains_key(&DocRef::household(other)));
    assert!(s.docs.contains_key(&DocRef::lab(l)));
    assert_eq!(s.projection_dump().expect("dump"), good);
}

#[test]
fn writes_that_change_nothing_store_nothing() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let h = family(&mut s, l, "Mario", "Rossi");
    let heads = s.heads(DocRef::household(h)).expect("heads");
    let contacts = s.household(h).expect("read").contacts;
    s.update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() }).expect("same");
    assert_eq!(s.heads(DocRef::household(h)).expect("heads"), heads);
    let doc = s.doc(DocRef::household(h)).expect("doc");
    assert!(doc.get(ROOT, "merged_into").expect("get").is_none());
}

#[test]
fn maintenance_compacts_many_chunks_into_one_save_without_changing_anything() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let m = s.create_meeting(meeting(l, d(2026, 10, 5))).expect("meeting");
    for g in 0..300u32 {
        s.update_meeting(m, crate::domain::MeetingPatch { guests: Some(g), ..Default::default() })
            .expect("edit");
    }
    let key = DocRef::lab(l).to_string();
    let chunks = |s: &Store| -> i64 {
        s.conn
            .query_row("SELECT count(*) FROM doc_chunks WHERE doc_key = ?1", [&key], |r| r.get(0))
            .expect("count")
    };
    assert!(chunks(&s) > 256, "writes append; they do not compact inline");
    let dump = s.projection_dump().expect("dump");
    let heads = s.heads(DocRef::lab(l)).expect("heads");
    assert!(s.maintenance().expect("maintenance") >= 1);
    assert_eq!(chunks(&s), 1);
    // Reload from disk: same document, same projection.
    s.docs.clear();
    assert_eq!(s.heads(DocRef::lab(l)).expect("heads"), heads);
    assert_eq!(s.meeting(m).expect("meeting").guests, 299);
    assert_eq!(s.projection_dump().expect("dump"), dump);
}

#[test]
fn training_sessions_are_edited_and_validated() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let p = s
        .create_person(crate::domain::NewPerson {
            lab: l,
            first_name: "Marta".into(),
            last_name: "Colombo".into(),
            role: crate::domain::Role::Volunteer,
            organisation: "Auser".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    let t = s
        .create_training(crate::domain::NewTraining {
            date: d(2026, 9, 1),
            start: None,
            title: "Ascolto attivo".into(),
            minutes: 120,
            completion_percent: None,
            attendees: BTreeSet::from([p]),
        })
        .expect("training");
    let patch = crate::domain::TrainingPatch { minutes: Some(180), ..Default::default() };
    s.update_training(t, patch).expect("edit");
    assert_eq!(s.trainings().expect("list")[0].minutes, 180);
    let bad = crate::domain::TrainingPatch { minutes: Some(0), ..Default::default() };
    assert!(matches!(s.update_training(t, bad), Err(Error::Invalid { field: "training.minutes", .. })));
    assert_eq!(s.count_rows("training_attendance").expect("rows"), 1);
}

#[test]
fn likely_duplicates_match_similar_names_or_the_same_phone_but_not_merged_families() {
    let mut s = store(40, 1, 1..=99);
    let lab = lab(&mut s, 1);
    let one = |s: &mut Store, first: &str, last: &str, phone: &str| {
        s.create_household(NewHousehold {
            lab,
            reference: NewMember { first_name: first.into(), last_name: last.into(), birth_year: None },
            others: vec![],
            contacts: Contacts { phone: phone.into(), ..Contacts::default() },
            areas: BTreeSet::new(),
            referral: None,
            consent: consent(),
        })
        .expect("household")
    };
    let a = one(&mut s, "Nicolò", "Bianchi", "333 1111111");
    let accentless = one(&mut s, "nicolo", "BIANCHI", "");
    let other_name = one(&mut s, "Giuseppe", "Bianchi", "333 2222222");
    let same_phone = one(&mut s, "Amina", "Diallo", "+39 333-111-1111");
    let merged = one(&mut s, "Nicola", "Bianchi", "");
    let winner = one(&mut s, "Marco", "Verdi", "");
    s.merge_households(merged, winner).expect("merge");

    let found: Vec<HouseholdId> =
        s.likely_duplicates(a, 10).expect("duplicates").iter().map(|h| h.id).collect();
    // The same phone ranks above a similar name; "Giuseppe" is not
    // "Nicolò"; a family already merged is not proposed again.
    assert_eq!(found, vec![same_phone, accentless]);
    assert!(!found.contains(&other_name));
    assert_eq!(s.likely_duplicates(other_name, 10).expect("duplicates"), vec![]);
}

#[test]
fn the_hub_link_is_kept_once_and_its_history_recorded() {
    use crate::store::{HubLink, SyncOutcome};
    use crate::sync::DeviceRole;
    let mut s = store(50, 1, 1..=99);
    assert_eq!(s.hub_link().expect("read"), None);
    assert!(s.record_sync(SyncOutcome::Ok).is_err(), "not paired yet");
    let link = HubLink {
        url: "wss://hub.example.org:7878".into(),
        cert: Some(crate::sync::CertFingerprint([5; 32])),
        token: "secret".into(),
        role: DeviceRole::Volunteer,
        lab: Some(LabId(Uuid::from_u128(3))),
        bundle_key: Some("00ff".into()),
    };
    s.set_hub_link(&link).expect("link");
    assert_eq!(s.hub_link().expect("read"), Some(link.clone()));
    assert!(s.set_hub_link(&link).is_err(), "a device is paired once");

    s.record_sync(SyncOutcome::Ok).expect("ok");
    let first = s.hub_link_status().expect("status").expect("paired");
    assert_eq!(first.last_outcome, Some(SyncOutcome::Ok));
    assert_eq!(first.last_success, first.last_attempt);
    s.record_sync(SyncOutcome::Offline).expect("offline");
    let second = s.hub_link_status().expect("status").expect("paired");
    assert_eq!(second.last_outcome, Some(SyncOutcome::Offline));
    assert_eq!(second.last_success, first.last_success, "a failure keeps the last success");
    assert!(second.last_attempt > first.last_attempt);
}

/// The look-ups the sync makes for every document a session offers (which
/// labs list a family, which rosters name a person) and the exports make
/// per row use an index, not a scan of the whole table (migration 0011).
#[test]
fn the_per_document_look_ups_use_an_index() {
    let s = store(1, 1, 1..=999);
    for sql in [
        "SELECT lab_id FROM lab_households WHERE household_id = ?1",
        "SELECT lab_id FROM lab_roster WHERE person_id = ?1",
        "SELECT lab_id FROM households WHERE id = ?1",
        "SELECT lab_id FROM person_labs WHERE person_id = ?1",
    ] {
        let plan: Vec<String> = s
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain")
            .query_map(["x"], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert!(plan.iter().all(|step| step.starts_with("SEARCH")), "{sql} scans a table: {plan:?}");
    }
}

/// A family's attendance is found whether or not its family row is here
/// (attendance may name a family whose document has not reached this
/// device), and only that family's: the history's look-up by index keeps
/// the meaning of "rows whose canonical family is this one".
#[test]
fn attendance_history_without_the_family_row() {
    let mut s = store(10, 1, 1..=100);
    let l = lab(&mut s, 1);
    let a = family(&mut s, l, "Mario", "Rossi");
    let b = family(&mut s, l, "Anna", "Bianchi");
    let (ma, mb) = (s.household(a).expect("a").members[0].id, s.household(b).expect("b").members[0].id);
    let m = s.create_meeting(meeting(l, d(2026, 10, 5))).expect("meeting");
    s.record_attendance(m, Attendance { household: a, member: ma }).expect("tick a");
    s.record_attendance(m, Attendance { household: b, member: mb }).expect("tick b");
    s.conn.execute("DELETE FROM households WHERE id = ?1", [b.to_string()]).expect("drop b's row");
    let history = s.attendance_history(b).expect("history");
    assert_eq!(history.iter().map(|h| h.recorded_for).collect::<Vec<_>>(), [b]);
    assert_eq!(s.attendance_history(a).expect("history").len(), 1, "a's own, not b's");
}
