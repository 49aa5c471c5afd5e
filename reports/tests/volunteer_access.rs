//! The subject access extract of a volunteer's register entry (issue 15,
//! decision 0033): the organisation's coordinator, synced in-process with a
//! hub, keeps and changes an entry, then takes the extract; the PDF is read
//! back with `pdftotext`, the JSON with serde, and the audit log has the
//! extract. Nobody without the entry can take one.

use std::process::Command;

use crdt_sync::sync::Grant;
use crdt_sync::testing::d;
use crdt_sync::testing::one_family::{lab, store};
use crdt_sync::{
    AuditLog, ErasureReason, NewPerson, Role, Staff, Store, VolunteerEntry, VolunteerRecord,
    VolunteerRegister,
};
use taccuino_reports::export::{Language, VOLUNTEER_ACCESS_FORMAT, volunteer_access};

const CF: &str = "RSSMRA85T10A562S";

fn sync(hub: &mut Store, grant: Grant, device: &mut Store) {
    let t = crdt_sync::sync::in_turns(hub, grant, device).expect("sync");
    assert!(t.device.refused().is_empty(), "{:?}", t.device.refused());
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("accesso.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_volunteer_s_extract_holds_the_entry_and_its_history() {
    let mut hub = store(100);
    let mut office = store(1);
    let l = lab(&mut office, 1);
    let org = office.add_organisation("Consorzio Sociale Pavese").expect("org");
    let mario = office
        .create_person(NewPerson {
            lab: l,
            first_name: "Mario".into(),
            last_name: "Rossi".into(),
            role: Role::Volunteer,
            organisation: "Consorzio".into(),
            phone: "0382 111 222".into(),
            email: String::new(),
        })
        .expect("person");
    let keeper_person = office
        .create_person(NewPerson {
            lab: l,
            first_name: "Carla".into(),
            last_name: "Coordinatrice".into(),
            role: Role::Operator,
            organisation: "Consorzio".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    sync(&mut hub, Grant::COORDINATOR, &mut office);
    let mut keeper = store(2);
    sync(&mut hub, Grant::coordinator_of(org), &mut keeper);
    keeper.set_operator(Some(keeper_person));
    let entry = VolunteerEntry {
        codice_fiscale: CF.into(),
        residence: "Via Roma 1, Pavia".into(),
        start: Some(d(2026, 3, 1)),
        insurance_from: Some(d(2026, 1, 1)),
        insurance_to: Some(d(2026, 12, 31)),
        ..VolunteerEntry::default()
    };
    keeper.keep_volunteer(mario, entry.clone()).expect("kept");
    keeper
        .keep_volunteer(mario, VolunteerEntry { residence: "Via Nuova 2, Pavia".into(), ..entry })
        .expect("moved");

    let x = volunteer_access(&mut keeper, mario, Language::It).expect("extract");
    let code = keeper.person(mario).expect("person").code;
    assert_eq!(x.json.name, format!("accesso_dati_volontario_{code}.json"));
    assert_eq!(x.readable.name, format!("accesso_dati_volontario_{code}.pdf"));
    let text = pdf_text(&x.readable.bytes);
    for expected in [
        "Accesso ai propri dati",
        "Volontario/a Mario Rossi",
        "Ente: Consorzio Sociale Pavese",
        "Codice fiscale: RSSMRA85T10A562S",
        "Residenza o domicilio: Via Nuova 2, Pavia",
        "Inizio dell'attività: 01/03/2026",
        "Fine dell'attività: nessun dato",
        "Assicurazione al: 31/12/2026",
        "Telefono: 0382 111 222",
        "Storia dell'iscrizione",
        "da Carla Coordinatrice",
        "Residenza o domicilio: (vuoto) → Via Roma 1, Pavia",
        "Residenza o domicilio: Via Roma 1, Pavia → Via Nuova 2, Pavia",
        "registro annuale già stampato e firmato",
        "Garante per la protezione dei dati personali",
        "Pagina 1 di",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }

    let json: serde_json::Value = serde_json::from_slice(&x.json.bytes).expect("JSON");
    assert_eq!(json["format"], VOLUNTEER_ACCESS_FORMAT);
    assert_eq!(json["controller"]["organisation"]["name"], "Consorzio Sociale Pavese");
    let back: VolunteerRecord = serde_json::from_value(json["entry"].clone()).expect("the entry's type");
    assert_eq!(Some(back), keeper.volunteer(mario).expect("read"));
    assert_eq!(json["person"]["first_name"], "Mario");
    let history = json["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["fields"][0]["before"], "Via Roma 1, Pavia");
    assert_eq!(json["staff"][0]["last_name"], "Coordinatrice");

    // In English too.
    let en = volunteer_access(&mut keeper, mario, Language::En).expect("extract");
    let text = pdf_text(&en.readable.bytes);
    assert!(text.contains("Residence or domicile: Via Nuova 2, Pavia"), "{text}");
    assert!(en.readable.name.starts_with("volunteer_data_access_"));

    // The audit log has both extracts: ids and file names, no data.
    let log = keeper.audit_log(10).expect("log");
    let rows: Vec<_> = log.iter().filter(|e| e.action == "volunteer_subject_access").collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].details["person"], mario.to_string());
    assert_eq!(rows[1].details["files"][1], x.readable.name.as_str());
    assert!(!rows[1].details.to_string().contains(CF));

    // The office and the hub's lab devices hold no entry: no extract, and
    // nothing recorded; an erased entry neither.
    let before = office.audit_log(100).expect("log").len();
    assert!(volunteer_access(&mut office, mario, Language::It).is_err());
    assert_eq!(office.audit_log(100).expect("log").len(), before);
    keeper.erase_volunteer(mario, ErasureReason::Request, None).expect("erased");
    assert!(volunteer_access(&mut keeper, mario, Language::It).is_err());
}
