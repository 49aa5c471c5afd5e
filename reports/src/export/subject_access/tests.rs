//! The subject access extract on the small demo register: the JSON holds
//! the family, every attendance the register shows, its pathways' notes,
//! its duplicates, and no other family; the PDF (read back with
//! `pdftotext`) names the family and its rights; the extract is in the
//! audit log and on the family's trail; an erased family is refused.

use std::collections::BTreeSet;

use super::{SUBJECT_ACCESS_FORMAT, subject_access};
use crate::error::Error;
use crate::export::Language;
use crate::export::tests::pdftotext;
use crdt_sync::testing::d;
use crdt_sync::testing::one_family::{attend, family};
use crdt_sync::{
    AuditAction, AuditLog, AuditTrail, Erasure, Families, Staff, Store, TrailAction, TrailScope,
};
use crdt_sync::{ErasureReason, Keyed};
use crdt_sync::{HouseholdId, MeetingId, MemberId};
use taccuino_demo::{self as demo, DemoSize};

fn demo_store() -> Store {
    let mut s = crdt_sync::testing::register::store(5);
    demo::populate(&mut s, DemoSize::Small, 2026).expect("demo");
    s
}

/// The demo family with the most attendance among those with a pathway.
fn busy_family(s: &Store) -> HouseholdId {
    let id: String = s
        .reader()
        .prepare(
            "SELECT h.id FROM households h
              WHERE EXISTS (SELECT 1 FROM pathways p WHERE p.household_id = h.id)
              ORDER BY (SELECT count(*) FROM attendance a WHERE a.household_id = h.id) DESC, h.id
              LIMIT 1",
        )
        .expect("prepare")
        .query_row([], |r| r.get(0))
        .expect("a family");
    id.parse().expect("id")
}

/// A member's full name from another family, whose surname no member of
/// `h` has and that no staff member has: it must appear nowhere.
fn stranger(s: &mut Store, h: HouseholdId) -> String {
    let ours: BTreeSet<String> =
        s.household(h).expect("h").members.into_iter().map(|m| m.last_name).collect();
    let staff: BTreeSet<String> = s
        .persons(None)
        .expect("staff")
        .into_iter()
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .collect();
    let mut stmt = s
        .reader()
        .prepare(
            "SELECT first_name || ' ' || last_name, last_name FROM members
              WHERE household_id <> ?1 ORDER BY id",
        )
        .expect("query");
    let rows: Vec<(String, String)> = stmt
        .query_map([h.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    rows.into_iter()
        .find(|(full, last)| !ours.contains(last) && !staff.contains(full) && last.chars().count() > 3)
        .map(|(full, _)| full)
        .expect("another family")
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("the extract is JSON")
}

#[test]
fn the_extract_holds_the_family_and_nothing_of_another() {
    let mut s = demo_store();
    let h = busy_family(&s);
    let family = s.household(h).expect("family");
    let other = stranger(&mut s, h);

    let x = subject_access(&mut s, h, Language::It).expect("extract");
    assert_eq!(x.code, family.code);
    assert_eq!(x.json.name, format!("accesso_dati_{}.json", family.code));
    assert_eq!(x.readable.name, format!("accesso_dati_{}.pdf", family.code));
    let v = json(&x.json.bytes);
    assert_eq!(v["format"], SUBJECT_ACCESS_FORMAT);
    assert_eq!(v["controller"]["project"], "Fare #BeneComune");
    assert_eq!(v["household"]["code"], family.code.as_str());
    // The record is the type's own serialisation: it reads back as one.
    let back: crdt_sync::Household = serde_json::from_value(v["household"].clone()).expect("a Household");
    assert_eq!(back, family);
    let names: Vec<&str> = v["household"]["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["first_name"].as_str())
        .collect();
    assert_eq!(names.len(), family.members.len());
    for p in &family.pathways {
        assert!(
            v["household"]["pathways"]
                .as_array()
                .expect("pathways")
                .iter()
                .any(|j| j["notes"] == p.notes.as_str())
        );
    }

    // Every attendance the register shows, and no other.
    let expected: BTreeSet<(MeetingId, MemberId)> =
        s.attendance_history(h).expect("history").into_iter().map(|a| (a.meeting, a.member)).collect();
    assert!(!expected.is_empty(), "the demo family attended something");
    let mut got: BTreeSet<(MeetingId, MemberId)> = BTreeSet::new();
    for a in v["attendance"].as_array().expect("attendance") {
        assert!(
            a["date"].as_str().is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-'),
            "ISO date: {a}"
        );
        assert!(a["activity_label"].as_str().is_some_and(|l| !l.is_empty()));
        let meeting: MeetingId = a["meeting"].as_str().expect("meeting").parse().expect("id");
        for m in a["members"].as_array().expect("members") {
            got.insert((meeting, m.as_str().expect("member").parse().expect("id")));
        }
    }
    assert_eq!(got, expected);
    assert!(v["processing"].as_array().expect("trail").iter().any(|e| e["action"] == "created"));

    let text = pdftotext(&x.readable.bytes);
    let json_text = String::from_utf8(x.json.bytes.clone()).expect("utf-8");
    for who in &family.members {
        let name = format!("{} {}", who.first_name, who.last_name);
        assert!(json_text.contains(&who.first_name));
        assert!(text.contains(&name), "{name} is in the PDF:\n{text}");
    }
    assert!(text.contains(&family.code));
    assert!(text.contains("I vostri diritti"));
    assert!(text.contains("Garante per la protezione dei dati"));
    assert!(text.contains("Fare #BeneComune"));
    assert!(!json_text.contains(&other), "{other} is another family's");
    assert!(!text.contains(&other), "{other} is another family's");
    assert!(!json_text.contains(&other.replace(' ', "")));

    // The same store gives the same extract (but for its date and its own
    // trail, which now shows the first extract).
    let y = subject_access(&mut s, h, Language::It).expect("again");
    let w = json(&y.json.bytes);
    for k in ["household", "duplicates", "attendance", "controller", "staff"] {
        assert_eq!(v[k], w[k], "{k}");
    }
}

#[test]
fn the_extract_is_in_the_audit_log_and_on_the_trail() {
    let mut s = demo_store();
    let h = busy_family(&s);
    let code = s.household(h).expect("h").code;
    s.set_operator(Some(crdt_sync::PersonId(uuid::Uuid::from_u128(77))));
    let x = subject_access(&mut s, h, Language::En).expect("extract");
    assert_eq!(x.json.name, format!("subject_access_{code}.json"));
    let log = s.audit_log(1).expect("log");
    assert_eq!(log[0].action, AuditAction::SubjectAccess.key());
    assert_eq!(log[0].details["household"], h.to_string());
    assert_eq!(log[0].details["code"], code.as_str());
    let trail = s.audit_trail(TrailScope::Household(h)).expect("trail");
    let e =
        trail.iter().find(|e| e.action == TrailAction::SubjectAccess).expect("the extract is on the trail");
    assert_eq!((e.household, e.code.as_deref(), e.device), (Some(h), Some(code.as_str()), s.device()));
    assert_eq!(e.person, Some(crdt_sync::PersonId(uuid::Uuid::from_u128(77))));
    assert_eq!(e.fields, vec![x.json.name.clone(), x.readable.name.clone()]);
    assert_eq!(s.household_by_code(&format!(" {} ", code.to_lowercase())).expect("by code"), h);
    let text = pdftotext(&x.readable.bytes);
    assert!(text.contains("Your rights") && text.contains("Access to your data"), "{text}");
}

#[test]
fn duplicates_merged_into_the_family_are_in_its_extract() {
    let mut s = demo_store();
    let h = busy_family(&s);
    let lab = s.household(h).expect("h").lab;
    let dup = family(&mut s, lab);
    attend(&mut s, lab, dup, d(2026, 1, 15));
    s.merge_households(dup, h).expect("merge");
    let dup_code = s.household(dup).expect("dup").code;
    let x = subject_access(&mut s, h, Language::It).expect("extract");
    let v = json(&x.json.bytes);
    assert_eq!(v["duplicates"][0]["code"], dup_code.as_str());
    let for_dup = v["attendance"]
        .as_array()
        .expect("attendance")
        .iter()
        .filter(|a| a["recorded_for"].as_array().is_some_and(|r| r.iter().any(|x| x == &dup.to_string())))
        .count();
    assert_eq!(for_dup, 1);
    assert!(pdftotext(&x.readable.bytes).contains(&dup_code));
    // Another family's trail does not show this extract.
    let unrelated = family(&mut s, lab);
    let t = s.audit_trail(TrailScope::Household(unrelated)).expect("trail");
    assert!(t.iter().all(|e| e.action != TrailAction::SubjectAccess));
}

#[test]
fn an_erased_family_is_refused_and_nothing_is_logged() {
    let mut s = demo_store();
    let h = busy_family(&s);
    let code = s.household(h).expect("h").code;
    s.erase_household(h, ErasureReason::Request, None).expect("erase");
    let before = s.audit_log(100).expect("log").len();
    assert!(matches!(subject_access(&mut s, h, Language::It),
            Err(Error::Register(crdt_sync::Error::Erased { household, .. })) if household == h));
    assert!(matches!(s.household_by_code(&code), Err(crdt_sync::Error::Erased { .. })));
    assert_eq!(s.audit_log(100).expect("log").len(), before, "nothing recorded");
    assert!(matches!(s.household_by_code("PV99-9999"), Err(crdt_sync::Error::NotFound { .. })));
}
