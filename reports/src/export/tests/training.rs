//! The training sign-in sheet and certificate of attendance read back with
//! `pdftotext`: names, organisations, the boxes' headers, page numbers, the
//! minutes per session and the totals in hours, worked out by hand from
//! `crdt_sync::testing::register`.

use super::pdftotext;
use crate::export::{Language, certificate, sign_in_sheet};
use crdt_sync::testing::d;
use crdt_sync::testing::register as fixture;
use crdt_sync::{NewPerson, Role, Staff};

/// The text with every run of white space one space: long lines wrap.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_sign_in_sheet_lists_the_expected_participants_with_boxes_to_sign() {
    let (mut s, f) = fixture::build();
    let t1 = s.trainings().expect("trainings")[0].clone();
    // Someone from another organisation, with accents, expected too.
    let nicolo = s
        .create_person(NewPerson {
            lab: f.lab1,
            first_name: "Nicolò".into(),
            last_name: "Dell'Acqua".into(),
            role: Role::Volunteer,
            organisation: "Cooperativa sociale «Il Convoglio»".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    s.set_training_attendance(t1.id, nicolo, true).expect("expected");
    let file = sign_in_sheet(&mut s, t1.id, Language::It).expect("sheet");
    assert_eq!(file.name, "foglio_firme_2025-01-10.pdf");
    assert!(file.bytes.starts_with(b"%PDF-"));
    let text = flat(&pdftotext(&file.bytes));
    for expected in [
        "Ascolto e accoglienza",
        "Foglio firme · 10/01/2025 · 09:00–11:00 · 2 h",
        "Durata: 2 h",
        "Frequenza minima per il completamento: 80% della durata",
        "Nome e cognome",
        "Ente",
        "Olga Ferri",
        "Piero Galli",
        "Vera Sala",
        "Nicolò Dell'Acqua",
        "Cooperativa sociale «Il Convoglio»",
        "Caritas",
        "Firma del docente o del responsabile",
        "Pagina 1 di 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert!(!text.contains("Walter Neri"), "Walter is not expected at T1");
    // The boxes' headers (wrapped in their narrow columns).
    let words: Vec<&str> = text.split(' ').collect();
    for header in ["Ora entrata", "Firma entrata", "Ora uscita", "Firma uscita"] {
        for word in header.split(' ') {
            assert!(words.contains(&word), "{header:?} missing from:\n{text}");
        }
    }
    assert_eq!(words.iter().filter(|w| **w == "Firma").count(), 3, "two signature boxes and the trainer's");
    // Four expected, four blank rows: numbered 1 to 8.
    assert!(text.contains(" 8 ") && !text.contains(" 9 "), "{text}");
}

#[test]
fn a_long_sign_in_sheet_runs_over_numbered_pages_in_english_too() {
    let (mut s, f) = fixture::build();
    let t1 = s.trainings().expect("trainings")[0].id;
    for i in 0..40 {
        let p = s
            .create_person(NewPerson {
                lab: f.lab1,
                first_name: format!("Persona{i:02}"),
                last_name: "Volontaria".into(),
                role: Role::Volunteer,
                organisation: "Auser Pavia".into(),
                phone: String::new(),
                email: String::new(),
            })
            .expect("person");
        s.set_training_attendance(t1, p, true).expect("expected");
    }
    let file = sign_in_sheet(&mut s, t1, Language::En).expect("sheet");
    assert_eq!(file.name, "sign_in_sheet_2025-01-10.pdf");
    let raw = pdftotext(&file.bytes);
    let pages: Vec<&str> = raw.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    // 44 expected and 4 blank rows of 30 points: more than one page.
    let n = pages.len();
    assert!(n >= 2, "{raw}");
    for (i, page) in pages.iter().enumerate() {
        let page = flat(page);
        assert!(page.contains(&format!("Page {} of {n}", i + 1)), "{page}");
        assert!(page.contains("Sign-in sheet · 10/01/2025"), "the heading on every page: {page}");
        assert!(
            page.contains("Arrival") && page.contains("Departure") && page.contains("signature"),
            "{page}"
        );
    }
    let text = flat(&raw);
    assert!(text.contains("Persona00 Volontaria") && text.contains("Persona39 Volontaria"));
    assert!(
        text.contains("Auser Pavia") && text.contains("Minimum attendance to complete: 80% of the duration")
    );
}

#[test]
fn the_certificate_gives_each_session_s_minutes_its_verdict_and_the_totals_in_hours() {
    let (mut s, f) = fixture::build();
    let vera = f.staff[2];
    let file = certificate(&mut s, vera, d(2025, 4, 1), Language::It).expect("certificate");
    let code = s.person(vera).expect("Vera").code;
    assert_eq!(file.name, format!("attestato_frequenza_{code}.pdf"));
    let text = flat(&pdftotext(&file.bytes));
    for expected in [
        "Attestato di frequenza",
        "Partecipante: Vera Sala",
        "Ruolo: volontario",
        "Ente: Caritas",
        // T1: arrived 09:30 of 09:00–11:00: 90 of 120 minutes, 75%.
        "10/01/2025 (09:00–11:00) — Ascolto e accoglienza: 90 min frequentati su 120 (75%; entrata 09:30, uscita 11:00); non completata (soglia 80%)",
        // T2: nothing recorded: the whole session.
        "05/03/2025 (14:00–15:30) — Ascolto e accoglienza: 90 min frequentati su 90 (100%; presente per l'intera sessione); completata (soglia 80%)",
        "Ore frequentate: 3,0 ore (3 h)",
        "Ore delle sessioni completate: 1,5 ore (1 h 30 min)",
        "Sessioni completate: 1 su 2",
        "Rilasciato il: 01/04/2025",
        "Pagina 1 di 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }

    // Walter in English: 60 minutes recorded of T2's 90.
    let walter = f.staff[3];
    let file = certificate(&mut s, walter, d(2025, 4, 1), Language::En).expect("certificate");
    assert!(file.name.starts_with("attendance_certificate_"));
    let text = flat(&pdftotext(&file.bytes));
    for expected in [
        "Certificate of attendance",
        "Participant: Walter Neri",
        "05/03/2025 (14:00–15:30) — Ascolto e accoglienza: 60 min attended of 90 (66%; 60 minutes recorded); not completed (threshold 80%)",
        "Hours attended: 1.0 hours (1 h)",
        "Hours of sessions completed: 0.0 hours (0 min)",
        "Sessions completed: 0 of 1",
        "Page 1 of 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn an_unknown_session_or_person_is_the_register_s_not_found() {
    let (mut s, _) = fixture::build();
    let missing = crdt_sync::TrainingId(uuid::Uuid::from_u128(5));
    let err = sign_in_sheet(&mut s, missing, Language::It).expect_err("no such session");
    assert!(
        matches!(err, crate::Error::Register(crdt_sync::Error::NotFound { what: "training", .. })),
        "{err:?}"
    );
    let nobody = crdt_sync::PersonId(uuid::Uuid::from_u128(6));
    assert!(certificate(&mut s, nobody, d(2025, 4, 1), Language::It).is_err());
}
