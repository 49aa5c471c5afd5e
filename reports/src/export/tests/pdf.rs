//! The printed register read back with `pdftotext`: the lab, the date, the
//! facilitators and every person present, accents included.

use chrono::NaiveTime;

use super::{export, key, options, pdftotext, pseudo};
use crate::export::{Format, Privacy};
use crdt_sync::testing::d;
use crdt_sync::testing::register as fixture;
use crdt_sync::{Attendance, Families, Meetings, NewMeeting};
use crdt_sync::{Period, Selection};

#[test]
fn the_month_register_lists_everyone_present_with_accents() {
    let (mut a, f) = fixture::build();
    let members = a.household(f.f1).expect("F1").members;
    a.create_meeting(NewMeeting {
        lab: f.lab1,
        date: d(2025, 1, 14),
        start: NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(19, 0, 0).expect("time"),
        activity: "self_care".into(),
        theme: "Perché è così? Più città, però!".into(),
        facilitators: [f.staff[3]].into(),
        attendance: members.iter().map(|m| Attendance { household: f.f1, member: m.id }).collect(),
        guests: 4,
        notes: String::new(),
    })
    .expect("meeting");
    let sel = Selection::lab(f.lab1, Period::month(2025, 1).expect("January"));
    let out = export(&mut a, &options(sel, Format::PdfMonths, Privacy::Full));
    assert_eq!(out.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["registro_lab01_2025-01.pdf"]);
    assert!(out.files[0].bytes.starts_with(b"%PDF-"));
    let text = pdftotext(&out.files[0].bytes);
    for expected in [
        "Registro presenze — Laboratorio Crosione (n. 1)",
        "gennaio 2025",
        "Incontro 14/01/2025, 17:00–19:00",
        "Incontro 31/01/2025, 16:00–18:00",
        "Cura di sé",
        "Laboratorio aperto",
        "Perché è così? Più città, però!",
        "Walter Neri",
        "Olga Ferri",
        "Vera Sala",
        "Anna Rossi",
        "Luca Rossi",
        "Marco Bianchi",
        "Firma del conduttore",
        "Pagina 1 di 2",
        "Pagina 2 di 2",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn one_meeting_with_foreign_letters_and_the_pseudonymised_version() {
    let (mut a, f) = fixture::build();
    let sel = Selection::lab(f.lab2, fixture::period());
    let out = export(&mut a, &options(sel.clone(), Format::PdfMeeting(f.m4), Privacy::Full));
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].name, "registro_incontro_lab02_2025-03-10.pdf");
    let text = pdftotext(&out.files[0].bytes);
    for expected in [
        "Laboratorio Scala",
        "10/03/2025",
        "Sostegno alla genitorialità",
        "Ionuț Popescu",
        "Ana Popescu",
        "Mirela Kovač",
        "Piero Galli",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }

    let out = export(&mut a, &options(sel, Format::PdfMeeting(f.m4), pseudo()));
    let text = pdftotext(&out.files[0].bytes);
    let c4 = a.household(f.f4).expect("F4").code;
    let ionut = a.household(f.f4).expect("F4").members[0].id;
    let (p4, m1) = (key().household(f.f4), key().member(ionut));
    assert!(text.contains(&p4) && text.contains(&m1), "{text}");
    assert!(text.contains("Versione pseudonimizzata") && !text.contains(&c4), "{text}");
    for name in ["Ionuț", "Popescu", "Mirela", "Kovač", "Piero", "Galli"] {
        assert!(!text.contains(name), "{name} in a pseudonymised register:\n{text}");
    }
}

#[test]
fn a_meeting_outside_the_selection_is_refused() {
    let (mut a, f) = fixture::build();
    let sel = Selection::lab(f.lab1, fixture::period());
    let opts = options(sel, Format::PdfMeeting(f.m4), Privacy::Full);
    let err = crate::export::run(&mut a, &opts, &|_| {}, &Default::default()).expect_err("M4 is lab 2's");
    assert!(
        matches!(err, crate::Error::Register(crdt_sync::Error::Invalid { field: "export.meeting", .. })),
        "{err}"
    );
}
