//! Saved automerge documents, one of each kind (`fixtures/documents/`):
//! `<kind>.automerge` is the save (`Store::export_doc`) of the register of
//! `register.rs`, `<kind>.txt` what automerge reads in it (every path, its
//! type and value, conflicts included), `index.txt` which document each is.
//!
//! A laptop keeps its documents for years and replicas of different builds
//! merge them: a save made today must open in every later build and mean
//! the same, and today's code must write the same content (a change of the
//! layout is then a decision, with a new `SCHEMA_VERSION` when old builds
//! would misread it, docs/decisions/0002).

use automerge::{Automerge, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use crdt_sync::{
    ConsentScope, DocRef, Erasure, Families, Guardian, HouseholdId, LabId, LegalBasis, LegalStatus,
    Maintenance, Meetings, PathwayKind, PathwayStatus, PersonId, ProjectSettings, Replication, Role, Staff,
};

use crate::fixture;
use crate::register::{self, d};

/// What automerge reads in a document, a line per value: `path = type value`.
/// Map keys come sorted; every value of a conflicted key is listed.
pub fn view(doc: &Automerge) -> String {
    let mut out = String::new();
    walk(doc, &ROOT, "", &mut out);
    out
}

fn walk(doc: &Automerge, obj: &ObjId, path: &str, out: &mut String) {
    let mut visit = |key: String, values: Vec<(Value<'_>, ObjId)>| {
        let conflict =
            if values.len() > 1 { format!(" (conflict: {} values)", values.len()) } else { String::new() };
        for (value, id) in values {
            let here = format!("{path}/{key}");
            match value {
                Value::Object(ObjType::Text) => {
                    out.push_str(&format!("{here} = text {:?}{conflict}\n", doc.text(&id).expect("text")))
                }
                Value::Object(t) => {
                    out.push_str(&format!("{here} = {t}{conflict}\n"));
                    walk(doc, &id, &here, out);
                }
                Value::Scalar(s) => out.push_str(&format!("{here} = {}{conflict}\n", scalar(&s))),
            }
        }
    };
    match doc.object_type(obj).expect("object") {
        ObjType::Map | ObjType::Table => {
            for key in doc.keys(obj) {
                let values = doc.get_all(obj, key.as_str()).expect("values");
                visit(key, values);
            }
        }
        ObjType::List | ObjType::Text => {
            for i in 0..doc.length(obj) {
                let values = doc.get_all(obj, i).expect("values");
                visit(i.to_string(), values);
            }
        }
    }
}

fn scalar(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(v) => format!("str {:?}", v.as_str()),
        ScalarValue::Int(v) => format!("int {v}"),
        ScalarValue::Uint(v) => format!("uint {v}"),
        ScalarValue::F64(v) => format!("f64 {v}"),
        ScalarValue::Boolean(v) => format!("bool {v}"),
        ScalarValue::Timestamp(v) => format!("timestamp {v}"),
        ScalarValue::Counter(_) => format!("counter {s}"),
        ScalarValue::Bytes(v) => format!("bytes {}", hex::encode(v)),
        ScalarValue::Null => "null".into(),
        other => format!("other {other:?}"),
    }
}

fn load(name: &str, bytes: &[u8]) -> Automerge {
    Automerge::load(bytes).unwrap_or_else(|e| {
        panic!("fixture {name} no longer loads in automerge ({e}): a save made today would be lost to later builds")
    })
}

const ADVICE: &str = "The document layout is docs/decisions/0002: a change old builds would misread needs a new \
     SCHEMA_VERSION (crdt-sync/src/doc/mod.rs) and a note there; then update the fixture on purpose.";

/// The committed index: which document each fixture is.
fn index() -> Vec<(String, DocRef)> {
    let text = String::from_utf8(fixture::read("documents/index.txt")).expect("text");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (name, r) = l.split_once(' ').expect("name and doc");
            (name.to_owned(), r.parse().expect("doc ref"))
        })
        .collect()
}

#[test]
fn today_writes_the_committed_documents() {
    let mut s = register::store();
    let made = register::fill(&mut s);
    let mut index = String::from("# which document each fixture is: name, kind:id\n");
    for (name, r) in made.docs() {
        index.push_str(&format!("{name} {r}\n"));
    }
    fixture::check("documents/index.txt", index.as_bytes(), "The documents the register is made of", ADVICE);
    for (name, r) in made.docs() {
        let bytes = s.export_doc(r).expect("export");
        if fixture::updating() {
            fixture::write(&format!("documents/{name}.automerge"), &bytes);
        }
        let today = view(&load(name, &bytes));
        fixture::check(
            &format!("documents/{name}.txt"),
            today.as_bytes(),
            &format!("The {name} document"),
            ADVICE,
        );
    }
}

#[test]
fn committed_documents_open_and_mean_the_same() {
    let index = index();
    assert_eq!(index.len(), 5, "one document of each kind");
    // A replica of another device, with nothing but its genesis documents.
    let mut other = crdt_sync::Store::in_memory(
        crdt_sync::DeviceConfig {
            device: crdt_sync::DeviceId(uuid::Uuid::from_u128(0xd2)),
            ..register::config()
        },
        Box::new(crdt_sync::SeededEnv::with_seed(1)),
    )
    .expect("store");
    for (name, r) in &index {
        let bytes = fixture::read(&format!("documents/{name}.automerge"));
        let committed = String::from_utf8(fixture::read(&format!("documents/{name}.txt"))).expect("text");
        assert!(
            view(&load(name, &bytes)) == committed,
            "fixture documents/{name}.automerge reads differently today than documents/{name}.txt says: \
             automerge (or its upgrade) changed what old saves mean"
        );
        other
            .apply_bytes(*r, &bytes)
            .unwrap_or_else(|e| panic!("{name}: a save of today refused later: {e}"));
        // Written at schema 1; a later build (SCHEMA_VERSION or above) reads it as it is.
        assert_eq!(other.doc_schema_version(*r).expect("schema"), 1, "{name}");
    }
    const MEANS: &str = "the committed documents (tests/fixtures/documents/), read by today's code, no \
         longer mean what they meant: a laptop's old saves would show other values";
    let id = |kind: &str| index.iter().find(|(n, _)| n == kind).expect("in the index").1.id;
    let (lab, olga, rossi) = (LabId(id("lab")), PersonId(id("person")), HouseholdId(id("household")));

    // The project: the lab, the activity types, the targets.
    let labs = other.labs().expect("labs");
    assert_eq!(labs.len(), 1, "{MEANS}");
    assert_eq!(
        (
            labs[0].id,
            labs[0].number,
            labs[0].name.as_str(),
            labs[0].address.as_str(),
            labs[0].partner.as_str()
        ),
        (lab, 3, "Laboratorio Crosione", "Via Acerbi 21, Pavia", "Coop. Il Convoglio"),
        "{MEANS}"
    );
    let types = other.activity_types().expect("types");
    assert!(types.iter().any(|t| t.key == "open_lab" && t.nomenclature.as_deref() == Some("A1")), "{MEANS}");
    assert!(types.iter().filter(|t| t.key != "open_lab").all(|t| t.nomenclature.is_none()), "{MEANS}");
    let areas = other.nomenclature_areas().expect("areas");
    assert_eq!(areas, [crdt_sync::NomenclatureArea { code: "A1".into(), name: "Famiglia e minori".into() }]);
    let targets = other.targets().expect("targets");
    assert_eq!((targets.families, targets.labs, targets.trained_hours), (40, 1, 3), "{MEANS}");

    // The person.
    let p = other.person(olga).expect("Olga");
    assert_eq!(
        (p.first_name.as_str(), p.last_name.as_str(), p.role),
        ("Olga", "Ferri", Role::Operator),
        "{MEANS}"
    );
    assert_eq!((p.organisation.as_str(), p.email.as_str()), ("Caritas", "olga@example.it"), "{MEANS}");
    assert!(p.labs.contains(&lab));
    assert_eq!(p.code, "PV03-0301", "{MEANS}");

    // The household: members, contacts, consent with its guardian, the
    // withdrawal, the closed pathway.
    let h = other.household(rossi).expect("Rossi");
    assert_eq!((h.lab, h.code.as_str()), (lab, "PV03-0302"), "{MEANS}");
    let names: Vec<_> =
        h.members.iter().map(|m| (m.first_name.as_str(), m.last_name.as_str(), m.birth_year)).collect();
    assert_eq!(names, [("Anna", "Rossi", Some(1980)), ("Luca", "Rossi", Some(2012))], "{MEANS}");
    assert_eq!(h.reference, Some(h.members[0].id), "{MEANS}");
    assert_eq!(h.contacts.phone, "+39 333 1111111", "{MEANS}");
    assert_eq!(h.contacts.address, "Via Folla di Sotto 3, Pavia", "{MEANS}");
    assert_eq!(h.referral, Some(crdt_sync::ReferralSource::School), "{MEANS}");
    assert_eq!(h.areas, [crdt_sync::Area::Economic, crdt_sync::Area::Social].into(), "{MEANS}");
    let consent = h.consent.as_ref().expect("consent");
    assert_eq!(
        (consent.basis, consent.notice_version.as_str(), consent.date, consent.collected_by),
        (LegalBasis::Consent, "2026-01", d(2026, 9, 1), olga),
        "{MEANS}"
    );
    assert_eq!(consent.guardian, Some(Guardian::Member { member: h.members[0].id }), "{MEANS}");
    let scopes = [ConsentScope::Contact, ConsentScope::DataProcessing, ConsentScope::Photos];
    assert_eq!(consent.scopes, scopes.into(), "{MEANS}");
    assert_eq!(h.withdrawals.len(), 1, "{MEANS}");
    assert_eq!(
        (h.withdrawals[0].date, h.withdrawals[0].recorded_by, h.withdrawals[0].scopes.clone()),
        (d(2026, 10, 20), olga, [ConsentScope::Photos].into()),
        "{MEANS}"
    );
    assert_eq!(h.legal_status, LegalStatus::Valid, "{MEANS}");
    assert_eq!(h.pathways.len(), 1, "{MEANS}");
    let pw = &h.pathways[0];
    assert_eq!(
        (pw.kind, pw.start, pw.end, pw.status, pw.operator, pw.notes.as_str()),
        (
            PathwayKind::FamilyTutoring,
            d(2026, 9, 7),
            Some(d(2026, 10, 30)),
            PathwayStatus::Closed,
            Some(olga),
            "Compiti del pomeriggio"
        ),
        "{MEANS}"
    );
    assert_eq!(other.search_households("rossi", 5).expect("search")[0].code, h.code, "{MEANS}");

    // The lab: the meeting with its attendance and notes, the tombstone.
    let meetings = other.meetings(lab, d(2026, 1, 1), d(2026, 12, 31)).expect("meetings");
    assert_eq!(meetings.len(), 1, "{MEANS}");
    let m = other.meeting(meetings[0].id).expect("meeting");
    assert_eq!(
        (m.date, m.activity.as_str(), m.theme.as_str(), m.guests),
        (d(2026, 10, 15), "open_lab", "Compiti e merenda", 2),
        "{MEANS}"
    );
    assert_eq!((m.start.to_string(), m.end.to_string()), ("16:00:00".into(), "18:30:00".into()), "{MEANS}");
    assert_eq!(m.notes, "Luca ha finito i compiti di matematica", "{MEANS}");
    assert_eq!(m.facilitators, [olga].into(), "{MEANS}");
    assert_eq!(m.attendance.len(), 2, "{MEANS}");
    assert!(m.attendance.iter().all(|a| a.household == rossi));
    let erased = other.erased_households(Some(lab)).expect("erased");
    assert_eq!(erased.len(), 1, "the Bianchi's tombstone");
    assert_eq!(
        (erased[0].code.as_str(), erased[0].reason),
        ("PV03-0303", crdt_sync::ErasureReason::Request),
        "{MEANS}"
    );
    let tombstone = other.tombstone(erased[0].id).expect("tombstone").expect("in the lab document");
    assert_eq!(
        (tombstone.by_device, tombstone.by_person),
        (crate::register::config().device, Some(olga)),
        "{MEANS}"
    );
    assert!(other.search_households("bianchi", 5).expect("search").is_empty());

    // The training register.
    let t = other.trainings().expect("trainings");
    assert_eq!(t.len(), 1, "{MEANS}");
    assert_eq!(
        (t[0].date, t[0].title.as_str(), t[0].minutes),
        (d(2026, 9, 20), "Ascolto e accoglienza", 90),
        "{MEANS}"
    );
    assert_eq!(t[0].attendee_ids(), [olga].into(), "{MEANS}");
    let time = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
    assert_eq!((t[0].start, t[0].completion_percent), (time(9, 30), 75), "{MEANS}");
    let a = &t[0].attendees[0];
    assert_eq!(
        (a.record.arrival, a.record.departure, a.record.minutes),
        (time(9, 40), time(11, 0), None),
        "{MEANS}"
    );
    assert_eq!((a.attended_minutes, a.share_percent, a.completed), (80, 88, true), "{MEANS}");
}

/// The training document as saved before issue 15 (`before-issue-15/`):
/// attendees a set of `true`, sessions without start or threshold. Laptops
/// hold such documents; they must keep loading, and an attendee with no
/// times attended the whole session.
#[test]
fn a_training_document_from_before_attendance_times_still_reads() {
    let name = "documents/before-issue-15/training";
    let bytes = fixture::read(&format!("{name}.automerge"));
    let committed = String::from_utf8(fixture::read(&format!("{name}.txt"))).expect("text");
    assert!(
        view(&load(name, &bytes)) == committed,
        "{name}.automerge reads differently than {name}.txt says"
    );
    assert!(committed.contains("= bool true"), "the attendee is the value true, as written then");
    let (_, r) = index().into_iter().find(|(n, _)| n == "training").expect("training");
    let mut other =
        crdt_sync::Store::in_memory(register::config(), Box::new(crdt_sync::SeededEnv::with_seed(3)))
            .expect("store");
    other.apply_bytes(r, &bytes).expect("an old save applies");
    let time = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0);
    let t = other.trainings().expect("trainings");
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].date, t[0].minutes, t[0].start, t[0].completion_percent),
        (d(2026, 9, 20), 90, None, 80)
    );
    assert_eq!(t[0].attendees.len(), 1);
    let a = &t[0].attendees[0];
    assert_eq!(a.record, crdt_sync::PresenceRecord::default(), "nothing recorded");
    assert_eq!((a.attended_minutes, a.share_percent, a.completed), (90, 100, true), "the whole session");
    // Today's code edits it: a start, then times for the old attendee.
    let (_, person) = index().into_iter().find(|(n, _)| n == "person").expect("person");
    other.apply_bytes(person, &fixture::read("documents/person.automerge")).expect("Olga");
    let start = crdt_sync::TrainingPatch { start: time(9, 30), ..Default::default() };
    other.update_training(t[0].id, start).expect("start");
    let signed = crdt_sync::PresenceRecord { arrival: time(9, 40), departure: time(11, 0), minutes: None };
    other.record_training_presence(t[0].id, a.person, signed).expect("times");
    let a = other.trainings().expect("trainings")[0].attendees[0].clone();
    assert_eq!((a.record, a.attended_minutes, a.completed), (signed, 80, true));
}

/// The project document as saved before the nomenclature (issue 15,
/// `before-nomenclature/`): no `nomenclature` map, no mapping on the
/// activity types. Every laptop holds such a save; it reads as before,
/// every type not mapped, and today's code adds an area and maps to it.
#[test]
fn a_project_document_from_before_the_nomenclature_reads_every_type_as_not_mapped() {
    let name = "documents/before-nomenclature/project";
    let bytes = fixture::read(&format!("{name}.automerge"));
    let committed = String::from_utf8(fixture::read(&format!("{name}.txt"))).expect("text");
    assert!(
        view(&load(name, &bytes)) == committed,
        "{name}.automerge reads differently than {name}.txt says"
    );
    assert!(!committed.contains("nomenclature"), "saved before the nomenclature");
    let (_, r) = index().into_iter().find(|(n, _)| n == "project").expect("project");
    let mut other =
        crdt_sync::Store::in_memory(register::config(), Box::new(crdt_sync::SeededEnv::with_seed(4)))
            .expect("store");
    other.apply_bytes(r, &bytes).expect("an old save applies");
    let types = other.activity_types().expect("types");
    assert_eq!(types.len(), 6);
    assert!(types.iter().all(|t| t.nomenclature.is_none()));
    assert!(other.nomenclature_areas().expect("areas").is_empty());
    other
        .put_nomenclature_area(crdt_sync::NomenclatureArea { code: "B2".into(), name: "Disabili".into() })
        .expect("area");
    other.set_activity_nomenclature("self_care", Some("B2")).expect("mapping");
    let types = other.activity_types().expect("types");
    assert_eq!(
        types.iter().find(|t| t.key == "self_care").and_then(|t| t.nomenclature.as_deref()),
        Some("B2")
    );
}
