//! The volunteers' register (issue 15, decision 0033) through the real
//! hub: an organisation's entries reach only the coordinators enrolled for
//! that organisation (`enroll --organisation`); another organisation's
//! coordinator, the project-wide coordinator and the volunteer's own lab
//! receive no codice fiscale and no residence, and their forged writes are
//! refused.

use automerge::transaction::Transactable;
use automerge::{ActorId, ROOT};
use crdt_sync::{VolunteerEntry, VolunteerRegister};

use super::*;

const CF: &str = "RSSMRA85T10A562S";
const RESIDENCE: &str = "Via Riservatissima 7, Pavia";

/// A coordinator's device enrolled for `organisation` (a name).
pub(crate) async fn enrol_for(hub: &Hub, tmp: &std::path::Path, name: &str, organisation: &str) -> Device {
    let code = hub.cmd(&["enroll", "--role", "coordinator", "--organisation", organisation]);
    let enrolled = taccuino_sync_client::enroll(&hub.url, &code, name).await.expect("enrol").enrolled;
    let store = common::device_store(tmp, name, &enrolled);
    Device { name: name.to_owned(), enrolled, store }
}

/// Whether any document `d` holds carries the volunteer's codice fiscale or
/// residence, in its bytes (every value a document ever held is in them).
fn holds_secrets(d: &mut Device) -> bool {
    let docs = d.store.doc_refs().expect("docs");
    docs.into_iter().any(|r| {
        let bytes = d.store.export_doc(r).expect("export");
        [CF.as_bytes(), RESIDENCE.as_bytes()].iter().any(|s| bytes.windows(s.len()).any(|w| w == *s))
    })
}

/// A whole volunteer document (genesis and one change by `actor`), as a
/// modified app would write it.
fn forged(r: DocRef, actor: ActorId) -> Vec<u8> {
    let mut doc = r.genesis().with_actor(actor);
    let mut tx = doc.transaction();
    tx.put(ROOT, "residence", "Via Falsa 1").expect("put");
    tx.put(ROOT, "start", "2026-01-01").expect("put");
    tx.commit();
    doc.save()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisations_register_reaches_its_coordinators_alone() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let url = hub.url.clone();
    let (mut office, labs) = project(&hub, tmp.path(), &code, 1).await;
    // The organisations, added while the hub serves; the office learns them.
    let added = hub.cmd(&["add-organisation", "--name", "Consorzio Sociale Pavese"]);
    assert!(added.contains("Consorzio Sociale Pavese"), "{added}");
    hub.cmd(&["add-organisation", "--name", "Coop. Il Convoglio"]);
    office.sync_ok(&url).await;
    assert_eq!(office.store.organisations().expect("organisations").len(), 2);
    let volunteer = office
        .store
        .create_person(NewPerson {
            lab: labs[0],
            first_name: "Mario".into(),
            last_name: "Rossi".into(),
            role: Role::Volunteer,
            organisation: "Consorzio".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    office.sync_ok(&url).await;

    // Enrolment refuses an organisation the register does not list, and
    // one for a lab's device.
    let unknown =
        common::hub_fails(&data, &["enroll", "--role", "coordinator", "--organisation", "Nessuna"], &[]);
    assert!(unknown.contains("add-organisation"), "{unknown}");
    let lab_device = common::hub_fails(
        &data,
        &["enroll", "--role", "lead", "--lab", "1", "--organisation", "Coop. Il Convoglio"],
        &[],
    );
    assert!(lab_device.contains("only a coordinator"), "{lab_device}");

    let mut keeper = enrol_for(&hub, tmp.path(), "consorzio", "consorzio sociale pavese").await;
    let mut colleague = enrol_for(&hub, tmp.path(), "consorzio-2", "Consorzio Sociale Pavese").await;
    let mut other = enrol_for(&hub, tmp.path(), "convoglio", "Coop. Il Convoglio").await;
    let mut lead = enrol(&hub, tmp.path(), "lead-1", Some(1), "lead").await;
    for d in [&mut keeper, &mut colleague, &mut other, &mut lead] {
        d.sync_ok(&url).await;
    }
    let entry = VolunteerEntry {
        codice_fiscale: CF.into(),
        residence: RESIDENCE.into(),
        start: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")),
        ..VolunteerEntry::default()
    };
    keeper.store.keep_volunteer(volunteer, entry.clone()).expect("kept");
    keeper.sync_ok(&url).await;

    colleague.sync_ok(&url).await;
    let got = colleague.store.volunteer(volunteer).expect("read").expect("the colleague holds it");
    assert_eq!(
        (got.codice_fiscale.map(|c| c.as_str().to_owned()), got.residence.as_str()),
        (Some(CF.into()), RESIDENCE)
    );
    for d in [&mut other, &mut office, &mut lead] {
        d.sync_ok(&url).await;
        assert!(d.store.person(volunteer).is_ok(), "{} receives the person", d.name);
        assert!(!holds_secrets(d), "{} received the codice fiscale or the residence", d.name);
    }

    // Forged writes: another organisation's coordinator and the lab's
    // lead push their own version of the entry; an entry planted in the
    // organisation's register as written by its coordinator.
    let r = DocRef::volunteer(volunteer);
    for d in [&mut other, &mut lead] {
        let bytes = forged(r, actor(d.enrolled.device));
        d.store.apply_bytes(r, &bytes).expect("in the insider's own register");
        let report = d.sync(&url).await.expect("the insider's sync ends");
        assert!(report.refused.iter().any(|(doc, _)| *doc == r), "{}: {:?}", d.name, report.refused);
    }
    let planted_person = office
        .store
        .create_person(NewPerson {
            lab: labs[0],
            first_name: "Anna".into(),
            last_name: "Bianchi".into(),
            role: Role::Volunteer,
            organisation: String::new(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    office.sync_ok(&url).await;
    other.sync(&url).await.expect("sync");
    let planted = DocRef::volunteer(planted_person);
    other.store.apply_bytes(planted, &forged(planted, actor(keeper.enrolled.device))).expect("own register");
    let report = other.sync(&url).await.expect("the insider's sync ends");
    assert!(
        report.refused.iter().any(|(doc, why)| *doc == planted && *why == Refusal::WrongAuthor),
        "{:?}",
        report.refused
    );

    // The organisation's entries are as its coordinators wrote them.
    keeper.sync_ok(&url).await;
    assert_eq!(keeper.store.volunteer(volunteer).expect("read").expect("held").residence, RESIDENCE);
    assert!(keeper.store.volunteer(planted_person).expect("read").is_none(), "the planted entry arrived");
    hub.assert_no_uncaught_panics();
}
