//! The yearly volunteers' register (issue 15): a coordinator of an
//! organisation, synced in-process with a hub, keeps entries and exports the
//! register as PDF and CSV; both are read back (`pdftotext`, the csv crate),
//! and the digest printed on them changes when an entry changes.

use std::process::Command;

use crdt_sync::sync::Grant;
use crdt_sync::testing::d;
use crdt_sync::testing::one_family::{lab, store};
use crdt_sync::{
    AuditAction, AuditLog, Keyed, NewPerson, PersonId, Role, Staff, Store, VolunteerEntry, VolunteerRegister,
};
use taccuino_reports::export::{Language, volunteers_register};

fn sync(hub: &mut Store, grant: Grant, device: &mut Store) {
    let t = crdt_sync::sync::in_turns(hub, grant, device).expect("sync");
    assert!(t.device.refused().is_empty(), "{:?}", t.device.refused());
}

fn volunteer(s: &mut Store, lab: crdt_sync::LabId, first: &str, last: &str) -> PersonId {
    s.create_person(NewPerson {
        lab,
        first_name: first.into(),
        last_name: last.into(),
        role: Role::Volunteer,
        organisation: String::new(),
        phone: String::new(),
        email: String::new(),
    })
    .expect("person")
}

/// Mario's entry: his codice fiscale gives his birth date, none is typed.
fn mario_entry(base: &VolunteerEntry) -> VolunteerEntry {
    VolunteerEntry { birth_place: String::new(), birth_date: None, ..base.clone() }
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("registro.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_register_is_printed_with_its_sections_and_a_digest_that_shows_a_change() {
    let mut hub = store(100);
    let mut office = store(1);
    let l = lab(&mut office, 1);
    let org = office.add_organisation("Consorzio Sociale Pavese").expect("org");
    let mario = volunteer(&mut office, l, "Mario", "Rossi");
    let anna = volunteer(&mut office, l, "Anna", "Bianchi");
    let piero = volunteer(&mut office, l, "Piero", "Verdi");
    let gone = volunteer(&mut office, l, "Ugo", "Neri");
    sync(&mut hub, Grant::COORDINATOR, &mut office);
    let mut keeper = store(2);
    sync(&mut hub, Grant::coordinator_of(org), &mut keeper);
    let base = VolunteerEntry {
        birth_place: "Pavia".into(),
        birth_date: Some(d(1980, 1, 2)),
        residence: "Via Roma 1, Pavia".into(),
        start: Some(d(2026, 3, 1)),
        insurance_from: Some(d(2026, 1, 1)),
        insurance_to: Some(d(2026, 12, 31)),
        ..VolunteerEntry::default()
    };
    keeper
        .keep_volunteer(
            mario,
            VolunteerEntry { codice_fiscale: "RSSMRA85T10A562S".into(), ..mario_entry(&base) },
        )
        .expect("mario");
    let born = VolunteerEntry {
        birth_place: "Voghera".into(),
        birth_date: Some(d(1990, 5, 4)),
        start: Some(d(2026, 2, 1)),
        ..base.clone()
    };
    keeper.keep_volunteer(anna, born).expect("anna");
    keeper.keep_volunteer(piero, VolunteerEntry { occasional: true, ..base.clone() }).expect("piero");
    // Ended before the year: not in 2026's register.
    let past = VolunteerEntry {
        start: Some(d(2024, 1, 1)),
        end: Some(d(2025, 6, 30)),
        insurance_from: None,
        insurance_to: None,
        ..base.clone()
    };
    keeper.keep_volunteer(gone, past).expect("ugo");

    let reg = volunteers_register(&mut keeper, org, 2026, Language::It).expect("register");
    assert_eq!(reg.digest.len(), 64);

    // The PDF: title, sections in order, numbered entries, the digest,
    // numbered pages.
    let text = pdf_text(&reg.pdf.bytes);
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"));
    at("Registro dei volontari — Consorzio Sociale Pavese");
    assert!(at("1. Bianchi Anna") < at("2. Rossi Mario"), "by start date");
    assert!(at("2. Rossi Mario") < at("Sezione separata: volontari occasionali"));
    assert!(at("Sezione separata: volontari occasionali") < at("1. Verdi Piero"));
    at("RSSMRA85T10A562S");
    at("Voghera");
    at("04/05/1990");
    at(&reg.digest);
    at("Pagina 1 di 1");
    assert!(!text.contains("Neri"), "an entry that ended in 2025 is not in 2026's register");

    // Writing it is in the audit log: the organisation, year, digest, the
    // people listed and the files, and none of their personal data.
    let log = keeper.audit_log(10).expect("log");
    assert_eq!(log[0].action, AuditAction::VolunteersRegister.key());
    let details = &log[0].details;
    assert_eq!(details["organisation"], org.to_string());
    assert_eq!(details["year"], 2026);
    assert_eq!(details["digest"], reg.digest);
    assert_eq!(details["persons"].as_array().map(Vec::len), Some(3), "{details}");
    assert_eq!(details["files"][0], reg.pdf.name);
    let logged = details.to_string();
    for personal in ["RSSMRA85T10A562S", "Voghera", "Rossi", "Via Roma"] {
        assert!(!logged.contains(personal), "{personal} in the audit log: {logged}");
    }

    // The CSV: BOM, `;`, one row per entry with its section, the digest last.
    assert!(reg.csv.bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(true)
        .from_reader(&reg.csv.bytes[3..]);
    assert_eq!(r.headers().expect("headers").get(4), Some("Codice fiscale"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 4, "three entries and the digest");
    let names: Vec<(&str, &str, &str)> = rows[..3].iter().map(|r| (&r[0], &r[1], &r[2])).collect();
    assert_eq!(
        names,
        [("1", "ordinaria", "Bianchi"), ("2", "ordinaria", "Rossi"), ("1", "occasionali", "Verdi")]
    );
    assert_eq!(&rows[1][4], "RSSMRA85T10A562S");
    assert_eq!((&rows[0][5], &rows[0][6]), ("Voghera", "04/05/1990"));
    assert_eq!(&rows[3][1], reg.digest.as_str());

    // The same content gives the same digest, in either language; one
    // changed field gives another.
    let again = volunteers_register(&mut keeper, org, 2026, Language::En).expect("again");
    assert_eq!(again.digest, reg.digest);
    keeper
        .keep_volunteer(
            mario,
            VolunteerEntry {
                codice_fiscale: "RSSMRA85T10A562S".into(),
                residence: "Via Roma 2, Pavia".into(),
                ..mario_entry(&base)
            },
        )
        .expect("moved");
    let changed = volunteers_register(&mut keeper, org, 2026, Language::It).expect("changed");
    assert_ne!(changed.digest, reg.digest, "a changed residence must show in the digest");
    assert!(pdf_text(&changed.pdf.bytes).contains(&changed.digest));
}
