//! The audit trail across devices (issue 6), exports included: a coordinator's laptop, a
//! volunteer's laptop and the hub, synced in-process through
//! `sync::Session` frame by frame (the wire encoding included), so that what
//! device A did shows device A on device B's trail.

use std::sync::atomic::AtomicBool;

use uuid::Uuid;

use crdt_sync::sync::{DeviceRole, Grant};
use crdt_sync::testing::d;
use crdt_sync::testing::one_family::{attend, family, lab, store};
use crdt_sync::{
    AuditTrail, Contacts, DeviceId, Erasure, ErasureReason, Families, HouseholdId, HouseholdPatch, LabId,
    Period, PersonId, ProjectSettings, Replication, Retention, Selection, Store, TrailAction, TrailEntry,
    TrailScope,
};
use taccuino_reports::export::{self, Format, Language, Options, PseudonymKey};

/// Syncs `device` with `hub` until neither has anything to say.
fn sync(hub: &mut Store, grant: Grant, device: &mut Store) {
    let t = crdt_sync::sync::in_turns(hub, grant, device).expect("sync");
    assert!(t.device.is_settled(device).expect("settled"), "{:?}", t.device.refused());
}

fn coordinator() -> Grant {
    Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }
}

fn volunteer(lab: LabId) -> Grant {
    Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None }
}

fn person(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(0xA000 + n))
}

/// The entries of `trail` for `action` (on `household`, if given).
fn of(trail: &[TrailEntry], action: TrailAction, household: Option<HouseholdId>) -> Vec<&TrailEntry> {
    trail.iter().filter(|e| e.action == action && (household.is_none() || e.household == household)).collect()
}

fn by(e: &TrailEntry) -> (DeviceId, Option<PersonId>) {
    (e.device, e.person)
}

fn export_lab(s: &mut Store, l: LabId) {
    let sel = Selection::lab(l, Period::new(d(2024, 1, 1), d(2026, 12, 31)).expect("period"));
    export::run(
        s,
        &Options::new(sel, Format::Csv, PseudonymKey::from_bytes([3; 32])),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect("export");
}

#[test]
fn the_audit_trail_records_each_action_with_the_device_and_person_that_did_it() {
    let mut a = store(1); // the coordinator's laptop
    let mut b = store(2); // a volunteer's laptop
    let mut hub = store(100);
    let (pa, pb) = (person(1), person(2));
    let (da, db) = (a.device(), b.device());

    a.set_operator(Some(pa));
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    let k = family(&mut a, l);
    let code = a.household(h).expect("h").code;
    sync(&mut hub, coordinator(), &mut a);

    // B changes H's contacts and ticks its members at a meeting.
    sync(&mut hub, volunteer(l), &mut b);
    b.set_operator(Some(pb));
    b.update_household(h, HouseholdPatch { contacts: Some(Contacts::default()), ..Default::default() })
        .expect("edit");
    attend(&mut b, l, h, d(2025, 2, 3));
    sync(&mut hub, volunteer(l), &mut b);
    sync(&mut hub, coordinator(), &mut a);

    // A merges K into H, undoes it, and exports the lab; with nobody set as
    // operator for the undo.
    a.merge_households(k, h).expect("merge");
    a.set_operator(None);
    a.undo_merge(k).expect("undo");
    a.set_operator(Some(pa));
    export_lab(&mut a, l);
    sync(&mut hub, coordinator(), &mut a);
    sync(&mut hub, volunteer(l), &mut b);

    for (s, name) in [(&mut a, "A"), (&mut b, "B")] {
        let trail = s.audit_trail(TrailScope::Household(h)).expect("trail");
        assert!(trail.windows(2).all(|w| w[0].at <= w[1].at), "{name}: sorted by time");
        let created = of(&trail, TrailAction::Created, Some(h));
        assert_eq!(created.len(), 1, "{name}: {trail:#?}");
        assert_eq!(by(created[0]), (da, Some(pa)), "{name}: created on A by pa");
        assert_eq!(created[0].code.as_deref(), Some(code.as_str()));
        let changed = of(&trail, TrailAction::Changed, Some(h));
        assert!(changed.iter().any(|e| by(e) == (da, Some(pa)) && e.fields == ["pathways"]), "{name}");
        assert!(changed.iter().any(|e| by(e) == (db, Some(pb)) && e.fields == ["contacts"]), "{name}");
        let ticks = of(&trail, TrailAction::Attendance, Some(h));
        assert_eq!(ticks.len(), 1, "{name}: {ticks:#?}");
        assert_eq!(by(ticks[0]), (db, Some(pb)), "{name}: ticked on B");
        let merged = of(&trail, TrailAction::Merged, Some(k));
        assert_eq!(merged.len(), 1, "{name}");
        assert_eq!((by(merged[0]), merged[0].detail.as_deref()), ((da, Some(pa)), Some(code.as_str())));
        let undone = of(&trail, TrailAction::MergeUndone, Some(k));
        assert_eq!(undone.len(), 1, "{name}");
        assert_eq!(by(undone[0]), (da, None), "{name}: no operator set for the undo");
    }
    // The export is in A's own audit log only.
    let exports = |s: &mut Store| {
        s.audit_trail(TrailScope::Household(h))
            .expect("trail")
            .into_iter()
            .filter(|e| e.action == TrailAction::Exported)
            .collect::<Vec<_>>()
    };
    let on_a = exports(&mut a);
    assert_eq!(on_a.len(), 1);
    assert_eq!(
        (by(&on_a[0]), on_a[0].lab, on_a[0].detail.as_deref()),
        ((da, Some(pa)), Some(l), Some("csv"))
    );
    assert!(exports(&mut b).is_empty());

    // The lab's trail has it all, meetings included.
    let lab_trail = b.audit_trail(TrailScope::Lab(l)).expect("lab trail");
    assert!(of(&lab_trail, TrailAction::Created, Some(k)).len() == 1);
    assert!(
        of(&lab_trail, TrailAction::LabChanged, None).iter().any(|e| e.fields.contains(&"meetings".into()))
    );

    // A erases H; B's trail keeps the erasure, by A and pa, and the code.
    a.erase_household(h, ErasureReason::Request, Some(pa)).expect("erase");
    sync(&mut hub, coordinator(), &mut a);
    sync(&mut hub, volunteer(l), &mut b);
    assert!(!b.has_doc(crdt_sync::DocRef::household(h)).expect("has"));
    let trail = b.audit_trail(TrailScope::Household(h)).expect("trail");
    let erased = of(&trail, TrailAction::Erased, Some(h));
    assert_eq!(erased.len(), 1, "{trail:#?}");
    assert_eq!((by(erased[0]), erased[0].code.as_deref()), ((da, Some(pa)), Some(code.as_str())));
    assert_eq!(erased[0].detail.as_deref(), Some("request"));
    // Its own document's history is gone; its registration (from the lab
    // index, by A) and attendance (by B) stay, by ids and code.
    let created = of(&trail, TrailAction::Created, Some(h));
    assert_eq!(created.len(), 1, "{created:#?}");
    assert_eq!(created[0].device, da);
    assert!(of(&trail, TrailAction::Changed, Some(h)).is_empty());
    assert_eq!(of(&trail, TrailAction::Attendance, Some(h)).len(), 1);
    assert!(
        trail
            .iter()
            .all(|e| e.code.is_none() || e.code.as_deref() == Some(code.as_str()) || e.household == Some(k))
    );

    // The CSV for the data protection officer: BOM, `;`, Italian headers,
    // codes and ids, no name, surname, phone or note.
    let lab_trail = b.audit_trail(TrailScope::Lab(l)).expect("lab trail");
    let f = export::audit_trail_csv(&lab_trail, Language::It).expect("csv");
    assert!(f.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(f.bytes[3..].to_vec()).expect("utf-8");
    assert!(text.starts_with("Data e ora;Dispositivo;Persona;Azione;"), "{text}");
    assert!(text.contains(&code) && text.contains("cancellazione"));
    for secret in ["Quirinaldo", "Zabarellini", "Ottavina", "+39 347", "8812605", "Xylofonte", "Compiti"] {
        assert!(!text.contains(secret), "{secret} in the trail");
    }
}

#[test]
fn a_lead_request_shows_in_the_trail_with_its_person() {
    let mut a = store(1);
    let l = lab(&mut a, 3);
    // An export made before the family was registered is not in its trail.
    export_lab(&mut a, l);
    let h = family(&mut a, l);
    let lab_trail = a.audit_trail(TrailScope::Lab(l)).expect("lab trail");
    assert_eq!(of(&lab_trail, TrailAction::Exported, None).len(), 1);
    a.set_operator(Some(person(3)));
    a.request_erasure(h, ErasureReason::Withdrawal, Some(person(3))).expect("request");
    let trail = a.audit_trail(TrailScope::Household(h)).expect("trail");
    let asked = of(&trail, TrailAction::ErasureRequested, Some(h));
    assert_eq!(asked.len(), 1);
    assert_eq!(
        (by(asked[0]), asked[0].detail.as_deref()),
        ((a.device(), Some(person(3))), Some("withdrawal"))
    );
    // The request's own change to the lab document is not a second entry.
    assert!(of(&trail, TrailAction::LabChanged, None).is_empty());
    assert!(of(&trail, TrailAction::Exported, None).is_empty());
}

#[test]
fn a_confirmed_merge_shows_on_the_winner_trail_and_the_loser_attendance_counts_for_it() {
    let mut a = store(1);
    let l = lab(&mut a, 3);
    let (w, x) = (family(&mut a, l), family(&mut a, l));
    attend(&mut a, l, x, d(2025, 1, 20));
    a.set_operator(Some(person(4)));
    a.merge_households(x, w).expect("merge");
    a.confirm_merge(x).expect("confirm");
    let trail = a.audit_trail(TrailScope::Household(w)).expect("trail");
    let confirmed = of(&trail, TrailAction::MergeConfirmed, Some(x));
    assert_eq!(confirmed.len(), 1, "{trail:#?}");
    assert_eq!(by(confirmed[0]), (a.device(), Some(person(4))));
    assert_eq!(of(&trail, TrailAction::Attendance, Some(x)).len(), 1, "the duplicate's attendance");
    // The duplicate's own edits are its trail, not the family's.
    assert!(of(&trail, TrailAction::Changed, Some(x)).is_empty());
}

/// Figures for `docs/decisions/0011-retention-and-audit-trail.md`:
/// `cargo test -p taccuino-reports --test audit_trail -- --ignored --nocapture trail_and_retention_cost`.
#[test]
#[ignore = "slow: builds the large demo register"]
fn trail_and_retention_cost_on_the_large_demo() {
    use std::time::Instant;
    let mut s = crdt_sync::testing::store(1, 2, 1..=99_999);
    let started = Instant::now();
    taccuino_demo::populate(&mut s, taccuino_demo::DemoSize::Large, 2026).expect("demo");
    println!("populate: {:.1} s", started.elapsed().as_secs_f64());
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    for today in [d(2026, 11, 2), d(2029, 1, 1), d(2031, 11, 2)] {
        let t = Instant::now();
        let due = s.retention_due(today).expect("preview");
        println!("retention_due({today}): {:.1} ms, {} families due", ms(t), due.len());
    }
    let labs = s.labs().expect("labs");
    for l in labs.iter().take(3) {
        let t = Instant::now();
        let trail = s.audit_trail(TrailScope::Lab(l.id)).expect("trail");
        let took = ms(t);
        let t = Instant::now();
        let csv = export::audit_trail_csv(&trail, Language::It).expect("csv");
        println!(
            "audit_trail(lab {}): {took:.0} ms, {} entries; CSV {:.0} ms, {:.1} MiB",
            l.number,
            trail.len(),
            ms(t),
            csv.bytes.len() as f64 / 1024.0 / 1024.0
        );
    }
    let hits: Vec<HouseholdId> = s
        .reader()
        .prepare("SELECT id FROM households ORDER BY code LIMIT 3")
        .expect("prepare")
        .query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .filter_map(|r| r.ok()?.parse().ok())
        .collect();
    for h in hits {
        let t = Instant::now();
        let trail = s.audit_trail(TrailScope::Household(h)).expect("trail");
        println!("audit_trail(household): {:.0} ms, {} entries", ms(t), trail.len());
    }
}
