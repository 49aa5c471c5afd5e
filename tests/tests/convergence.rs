//! Convergence: several replicas apply random operations offline (concurrent
//! edits to the same family's fields, ticks on the same meeting, merges of
//! families), exchange documents in random order and in part, and at the end
//! every replica holds the same heads, the same domain values and, byte for
//! byte, the same projection rows, which also equal a rebuild from the
//! documents.
//!
//! Each case is fully determined by its generated input (the operations and
//! the environment seed), so proptest's printed minimal case, and the seed it
//! stores in `tests/proptest-regressions/convergence.txt`, replay it exactly. The number of
//! cases is 1,000 unless `PROPTEST_CASES` says otherwise.
//!
//! New multi-replica properties go in this file, as another `proptest!` or as
//! another check in `assert_converged`.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::{
    ActivityType, Attendance, CodeRange, Contacts, DeviceConfig, DeviceId, DocKind, DocRef, Families,
    HouseholdId, HouseholdPatch, LabId, Maintenance, MeetingId, MeetingPatch, Meetings, MemberPatch,
    NewHousehold, NewLab, NewMeeting, NewMember, ProjectId, ProjectSettings, Replication, SeededEnv, Store,
};
use proptest::prelude::*;
use uuid::Uuid;

const PROJECT: ProjectId = ProjectId(Uuid::from_u128(0x7acc));

/// One thing a replica does. Indices pick among what the replica knows,
/// modulo how many it knows.
#[derive(Clone, Debug)]
enum Op {
    SetPhone {
        replica: usize,
        household: usize,
        phone: u16,
    },
    RenameMember {
        replica: usize,
        household: usize,
        member: usize,
        name: u8,
    },
    AddMember {
        replica: usize,
        household: usize,
        name: u8,
    },
    Tick {
        replica: usize,
        meeting: usize,
        household: usize,
        member: usize,
    },
    Untick {
        replica: usize,
        meeting: usize,
        household: usize,
        member: usize,
    },
    SetTheme {
        replica: usize,
        meeting: usize,
        theme: u8,
    },
    AppendNotes {
        replica: usize,
        meeting: usize,
        word: u8,
    },
    SetGuests {
        replica: usize,
        meeting: usize,
        guests: u8,
    },
    NewMeeting {
        replica: usize,
        lab: usize,
        day: u8,
    },
    NewHousehold {
        replica: usize,
        lab: usize,
        name: u8,
    },
    Merge {
        replica: usize,
        loser: usize,
        winner: usize,
    },
    UndoMerge {
        replica: usize,
        household: usize,
    },
    /// Sends one document from one replica to another: all of it, or only
    /// what the receiver lacks.
    Send {
        from: usize,
        to: usize,
        doc: usize,
        whole: bool,
    },
}

const NAMES: &[&str] = &["Nicolò", "Giulia", "Amina", "Ionuț", "Noè", "Zoè", "Luca", "Oksana"];
const WORDS: &[&str] = &["merenda", "compiti", "ascolto", "giochi", "spesa"];

fn op(replicas: usize) -> impl Strategy<Value = Op> {
    let r = 0..replicas;
    let i = 0..8usize;
    prop_oneof![
        1 => (r.clone(), i.clone(), any::<u16>())
            .prop_map(|(replica, household, phone)| Op::SetPhone { replica, household, phone }),
        1 => (r.clone(), i.clone(), i.clone(), any::<u8>()).prop_map(|(replica, household, member, name)| {
            Op::RenameMember { replica, household, member, name }
        }),
        1 => (r.clone(), i.clone(), any::<u8>())
            .prop_map(|(replica, household, name)| Op::AddMember { replica, household, name }),
        3 => (r.clone(), i.clone(), i.clone(), i.clone()).prop_map(|(replica, meeting, household, member)| {
            Op::Tick { replica, meeting, household, member }
        }),
        1 => (r.clone(), i.clone(), i.clone(), i.clone()).prop_map(|(replica, meeting, household, member)| {
            Op::Untick { replica, meeting, household, member }
        }),
        1 => (r.clone(), i.clone(), any::<u8>())
            .prop_map(|(replica, meeting, theme)| Op::SetTheme { replica, meeting, theme }),
        1 => (r.clone(), i.clone(), any::<u8>())
            .prop_map(|(replica, meeting, word)| Op::AppendNotes { replica, meeting, word }),
        1 => (r.clone(), i.clone(), any::<u8>())
            .prop_map(|(replica, meeting, guests)| Op::SetGuests { replica, meeting, guests }),
        1 => (r.clone(), 0..2usize, any::<u8>()).prop_map(|(replica, lab, day)| Op::NewMeeting { replica, lab, day }),
        1 => (r.clone(), 0..2usize, any::<u8>())
            .prop_map(|(replica, lab, name)| Op::NewHousehold { replica, lab, name }),
        1 => (r.clone(), i.clone(), i.clone())
            .prop_map(|(replica, loser, winner)| Op::Merge { replica, loser, winner }),
        1 => (r.clone(), i).prop_map(|(replica, household)| Op::UndoMerge { replica, household }),
        4 => (r.clone(), r, 0..32usize, any::<bool>())
            .prop_map(|(from, to, doc, whole)| Op::Send { from, to, doc, whole }),
    ]
}

fn scenario() -> impl Strategy<Value = (u64, usize, Vec<Op>)> {
    (3usize..=5).prop_flat_map(|n| (any::<u64>(), Just(n), prop::collection::vec(op(n), 1..40)))
}

fn device(n: usize, seed: u64) -> Store {
    let config = DeviceConfig {
        device: DeviceId(Uuid::from_u128(0xd0 + n as u128)),
        project: PROJECT,
        codes: CodeRange::new(1 + 1000 * n as u32, 999 + 1000 * n as u32).expect("range"),
    };
    let env = SeededEnv::with_seed(seed.wrapping_add(n as u64));
    Store::in_memory(config, Box::new(env)).expect("store")
}

fn member(name: &str, year: u16) -> NewMember {
    NewMember { first_name: name.into(), last_name: "Rossi".into(), birth_year: Some(year) }
}

fn new_household(lab: LabId, name: &str) -> NewHousehold {
    NewHousehold {
        lab,
        reference: member(name, 1980),
        others: vec![member("Sara", 2012)],
        contacts: Contacts::default(),
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

fn date(day: u8) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date") + chrono::Days::new(u64::from(day))
}

fn time(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).expect("time")
}

fn new_meeting(lab: LabId, day: u8) -> NewMeeting {
    NewMeeting {
        lab,
        date: date(day),
        start: time(15),
        end: time(17),
        activity: "open_lab".into(),
        theme: "Compiti insieme".into(),
        facilitators: BTreeSet::new(),
        attendance: Vec::new(),
        guests: 0,
        notes: String::new(),
    }
}

/// Replica 0 sets up the project; every other replica receives it.
fn setup(seed: u64, n: usize) -> Vec<Store> {
    let mut stores: Vec<Store> = (0..n).map(|i| device(i, seed)).collect();
    let a = &mut stores[0];
    for t in ActivityType::defaults() {
        a.put_activity_type(t).expect("activity type");
    }
    let labs: Vec<LabId> = (1..=2)
        .map(|number| {
            a.create_lab(NewLab {
                number,
                name: format!("Laboratorio {number}"),
                address: "Via Folla di Sotto".into(),
                partner: "Coop. Sociale".into(),
            })
            .expect("lab")
        })
        .collect();
    for (i, name) in ["Nicolò", "Amina", "Ionuț"].iter().enumerate() {
        a.create_household(new_household(labs[i % 2], name)).expect("household");
    }
    for (i, lab) in labs.iter().enumerate() {
        a.create_meeting(new_meeting(*lab, i as u8)).expect("meeting");
    }
    let docs = stores[0].doc_refs().expect("docs");
    for i in 1..n {
        for d in &docs {
            let bytes = stores[0].export_doc(*d).expect("export");
            stores[i].apply_bytes(*d, &bytes).expect("apply");
        }
    }
    stores
}

fn households(s: &Store) -> Vec<HouseholdId> {
    s.doc_refs()
        .expect("docs")
        .into_iter()
        .filter(|d| d.kind == DocKind::Household)
        .map(|d| HouseholdId(d.id))
        .collect()
}

fn meetings(s: &Store) -> Vec<MeetingId> {
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2030, 1, 1).expect("date");
    let mut out = Vec::new();
    for lab in s.labs().expect("labs") {
        out.extend(s.meetings(lab.id, from, to).expect("meetings").into_iter().map(|m| m.id));
    }
    out
}

fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    if items.is_empty() { None } else { Some(items[i % items.len()]) }
}

fn members_of(s: &mut Store, h: HouseholdId) -> crdt_sync::Result<Vec<crdt_sync::MemberId>> {
    Ok(s.household(h)?.members.iter().map(|m| m.id).collect())
}

/// Runs one operation. Operations refused by validation (a merge into a
/// merged family, say) are part of the game: they must simply change nothing.
fn run(stores: &mut [Store], op: &Op) {
    let outcome: crdt_sync::Result<()> = (|| match *op {
        Op::SetPhone { replica, household, phone } => {
            let s = &mut stores[replica];
            let Some(h) = pick(&households(s), household) else { return Ok(()) };
            let contacts = Contacts { phone: format!("+39 333 {phone:05}"), ..s.household(h)?.contacts };
            s.update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() })
        }
        Op::RenameMember { replica, household, member, name } => {
            let s = &mut stores[replica];
            let Some(h) = pick(&households(s), household) else { return Ok(()) };
            let Some(m) = pick(&members_of(s, h)?, member) else { return Ok(()) };
            let first_name = Some(NAMES[name as usize % NAMES.len()].to_owned());
            s.update_member(h, m, MemberPatch { first_name, ..Default::default() })
        }
        Op::AddMember { replica, household, name } => {
            let s = &mut stores[replica];
            let Some(h) = pick(&households(s), household) else { return Ok(()) };
            s.add_member(h, member(NAMES[name as usize % NAMES.len()], 2015)).map(|_| ())
        }
        Op::Tick { replica, meeting, household, member }
        | Op::Untick { replica, meeting, household, member } => {
            let s = &mut stores[replica];
            let Some(m) = pick(&meetings(s), meeting) else { return Ok(()) };
            let Some(h) = pick(&households(s), household) else { return Ok(()) };
            let Some(mem) = pick(&members_of(s, h)?, member) else { return Ok(()) };
            if matches!(op, Op::Tick { .. }) {
                s.record_attendance(m, Attendance { household: h, member: mem })
            } else {
                s.remove_attendance(m, mem).map(|_| ())
            }
        }
        Op::SetTheme { replica, meeting, theme } => {
            let s = &mut stores[replica];
            let Some(m) = pick(&meetings(s), meeting) else { return Ok(()) };
            s.update_meeting(m, MeetingPatch { theme: Some(format!("Tema {theme}")), ..Default::default() })
        }
        Op::AppendNotes { replica, meeting, word } => {
            let s = &mut stores[replica];
            let Some(m) = pick(&meetings(s), meeting) else { return Ok(()) };
            let notes = format!("{} {}", s.meeting(m)?.notes, WORDS[word as usize % WORDS.len()]);
            s.update_meeting(m, MeetingPatch { notes: Some(notes), ..Default::default() })
        }
        Op::SetGuests { replica, meeting, guests } => {
            let s = &mut stores[replica];
            let Some(m) = pick(&meetings(s), meeting) else { return Ok(()) };
            s.update_meeting(m, MeetingPatch { guests: Some(u32::from(guests)), ..Default::default() })
        }
        Op::NewMeeting { replica, lab, day } => {
            let s = &mut stores[replica];
            let labs: Vec<_> = s.labs()?.iter().map(|l| l.id).collect();
            let Some(l) = pick(&labs, lab) else { return Ok(()) };
            s.create_meeting(new_meeting(l, day)).map(|_| ())
        }
        Op::NewHousehold { replica, lab, name } => {
            let s = &mut stores[replica];
            let labs: Vec<_> = s.labs()?.iter().map(|l| l.id).collect();
            let Some(l) = pick(&labs, lab) else { return Ok(()) };
            s.create_household(new_household(l, NAMES[name as usize % NAMES.len()])).map(|_| ())
        }
        Op::Merge { replica, loser, winner } => {
            let s = &mut stores[replica];
            let hs = households(s);
            let (Some(l), Some(w)) = (pick(&hs, loser), pick(&hs, winner)) else { return Ok(()) };
            s.merge_households(l, w)
        }
        Op::UndoMerge { replica, household } => {
            let s = &mut stores[replica];
            let Some(h) = pick(&households(s), household) else { return Ok(()) };
            s.undo_merge(h)
        }
        Op::Send { from, to, doc, whole } => {
            if from == to {
                return Ok(());
            }
            let docs = stores[from].doc_refs()?;
            let Some(d) = pick(&docs, doc) else { return Ok(()) };
            send(stores, from, to, d, whole);
            Ok(())
        }
    })();
    if let Err(e) = outcome {
        // Refusals are fine; anything else is a bug.
        assert!(
            matches!(
                e,
                crdt_sync::Error::Merge(_)
                    | crdt_sync::Error::Invalid { .. }
                    | crdt_sync::Error::NotFound { .. }
            ),
            "{op:?} failed unexpectedly: {e}"
        );
    }
}

fn send(stores: &mut [Store], from: usize, to: usize, d: DocRef, whole: bool) {
    let have =
        if stores[to].has_doc(d).expect("has") { stores[to].heads(d).expect("heads") } else { Vec::new() };
    let bytes = if whole || have.is_empty() {
        stores[from].export_doc(d).expect("export")
    } else {
        stores[from].export_since(d, &have).expect("export since")
    };
    if bytes.is_empty() {
        return;
    }
    stores[to].apply_bytes(d, &bytes).expect("apply bytes from a replica");
}

fn sorted_heads(s: &mut Store, d: DocRef) -> Vec<crdt_sync::ChangeHash> {
    let mut h = s.heads(d).expect("heads");
    h.sort();
    h
}

fn assert_converged(stores: &mut [Store]) {
    let docs = stores[0].doc_refs().expect("docs");
    let heads0: Vec<_> = docs.iter().map(|d| sorted_heads(&mut stores[0], *d)).collect();
    let dump0 = stores[0].projection_dump().expect("dump");
    let fp0 = stores[0].fingerprint(&docs).expect("fingerprint");
    let households0: Vec<_> =
        households(&stores[0]).into_iter().map(|h| stores[0].household(h).expect("household")).collect();
    let meetings0: Vec<_> =
        meetings(&stores[0]).into_iter().map(|m| stores[0].meeting(m).expect("meeting")).collect();
    for (i, s) in stores.iter_mut().enumerate() {
        assert_eq!(s.doc_refs().expect("docs"), docs, "replica {i} holds other documents");
        let heads: Vec<_> = docs.iter().map(|d| sorted_heads(s, *d)).collect();
        assert_eq!(heads, heads0, "replica {i} heads");
        assert_eq!(s.fingerprint(&docs).expect("fingerprint"), fp0, "replica {i} fingerprint");
        let hs: Vec<_> = households(s).into_iter().map(|h| s.household(h).expect("household")).collect();
        assert_eq!(hs, households0, "replica {i} households");
        let ms: Vec<_> = meetings(s).into_iter().map(|m| s.meeting(m).expect("meeting")).collect();
        assert_eq!(ms, meetings0, "replica {i} meetings");
        assert_eq!(s.projection_dump().expect("dump"), dump0, "replica {i} projection differs");
        s.rebuild_projection().expect("rebuild");
        assert_eq!(
            s.projection_dump().expect("dump"),
            dump0,
            "replica {i}: incremental projection != rebuild"
        );
    }
}

fn sync_all(stores: &mut [Store]) {
    // Twice round the full mesh: after the first round every replica has
    // everything some replica had; the second spreads what arrived late.
    for _ in 0..2 {
        for from in 0..stores.len() {
            for to in 0..stores.len() {
                if from == to {
                    continue;
                }
                for d in stores[from].doc_refs().expect("docs") {
                    send(stores, from, to, d, false);
                }
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/convergence.txt"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn replicas_converge_whatever_the_order((seed, n, ops) in scenario()) {
        let mut stores = setup(seed, n);
        for op in &ops {
            run(&mut stores, op);
        }
        sync_all(&mut stores);
        assert_converged(&mut stores);
    }
}

/// The classic offline clash, spelled out: two laptops edit the same
/// family's phone and tick the same meeting. Both ticks survive; the phone
/// converges to one value and the other stays readable as a conflict.
#[test]
fn concurrent_edits_merge_per_field_and_keep_the_losing_value_readable() {
    let mut stores = setup(7, 2);
    let h = households(&stores[0])[0];
    let m = meetings(&stores[0])[0];
    let members = members_of(&mut stores[0], h).expect("members");
    for (i, phone) in ["+39 333 1111111", "+39 333 2222222"].iter().enumerate() {
        let s = &mut stores[i];
        let contacts = Contacts { phone: (*phone).into(), ..Contacts::default() };
        s.update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() })
            .expect("phone");
        s.record_attendance(m, Attendance { household: h, member: members[i] }).expect("tick");
    }
    sync_all(&mut stores);
    assert_converged(&mut stores);
    let meeting = stores[1].meeting(m).expect("meeting");
    assert_eq!(meeting.attendance.len(), 2, "both ticks survive");
    let conflicts = stores[1].household_conflicts(h).expect("conflicts");
    let phone = conflicts.iter().find(|c| c.path == "contacts.phone").expect("phone conflict is reported");
    let shown = stores[1].household(h).expect("household").contacts.phone;
    assert_eq!(phone.values[0].text, shown, "the value shown comes first");
    let mut values: Vec<String> = phone.values.iter().map(|v| v.text.clone()).collect();
    values.sort();
    assert_eq!(values, vec!["+39 333 1111111".to_owned(), "+39 333 2222222".to_owned()]);
    // Confirming a value resolves the conflict everywhere.
    let contacts = Contacts { phone: "+39 333 2222222".into(), ..Contacts::default() };
    stores[0]
        .update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() })
        .expect("confirm");
    sync_all(&mut stores);
    assert!(stores[1].household_conflicts(h).expect("conflicts").is_empty());
}

/// Two devices merge two duplicates in opposite directions while offline:
/// the cycle resolves to the same family on both.
#[test]
fn opposite_merges_offline_resolve_to_one_family() {
    let mut stores = setup(11, 2);
    let hs = households(&stores[0]);
    let (a, b) = (hs[0], hs[1]);
    stores[0].merge_households(a, b).expect("merge a into b");
    stores[1].merge_households(b, a).expect("merge b into a");
    sync_all(&mut stores);
    assert_converged(&mut stores);
    let ca = stores[0].canonical_household(a).expect("canonical");
    let cb = stores[0].canonical_household(b).expect("canonical");
    assert_eq!(ca, cb);
    assert_eq!(ca, a.min(b));
}
