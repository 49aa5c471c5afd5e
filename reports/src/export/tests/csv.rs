//! CSV read back with the `csv` crate, as `;`-separated UTF-8 after checking
//! and removing the byte-order mark.

use crdt_sync::{Families, Meetings, NewMeeting, Selection, Staff};
use std::collections::BTreeSet;

use chrono::NaiveTime;

use super::{export, key, options, pseudo, unzip};
use crate::export::{Format, Language, Privacy};
use crdt_sync::testing::d;
use crdt_sync::testing::register as fixture;

/// The rows of a CSV file, header first.
fn read(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("starts with a UTF-8 BOM");
    let mut r = ::csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(body);
    r.records().map(|rec| rec.expect("valid CSV").iter().map(str::to_owned).collect()).collect()
}

fn file(out: &crate::export::Export, name: &str) -> Vec<Vec<String>> {
    let f = out.files.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{name} exported"));
    read(&f.bytes)
}

#[test]
fn pseudonymised_italian_csv_has_every_table_and_value() {
    let (mut a, f) = fixture::build();
    let code = |a: &mut crdt_sync::Store, h| a.household(h).expect("household").code;
    let (c1, c2, c3, c4, c5) =
        (code(&mut a, f.f1), code(&mut a, f.f2), code(&mut a, f.f3), code(&mut a, f.f4), code(&mut a, f.f5));
    let staff_codes: Vec<String> = f.staff.iter().map(|p| a.person(*p).expect("person").code).collect();
    // A pseudonymised export shows keyed pseudonyms, never the codes.
    let staff: Vec<String> = f.staff.iter().map(|p| key().staff(*p)).collect();
    let (p1, p2, p4, p5) =
        (key().household(f.f1), key().household(f.f2), key().household(f.f4), key().household(f.f5));
    let member = |a: &mut crdt_sync::Store, h, first: &str| {
        let m = a.household(h).expect("household").members.into_iter().find(|m| m.first_name == first);
        key().member(m.expect("member").id)
    };
    let mut b = fixture::replica_without_f5(&mut a, &f);
    let out = export(&mut b, &options(Selection::all_labs(fixture::period()), Format::Csv, pseudo()));
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["incontri.csv", "presenze.csv", "famiglie.csv", "formazione.csv", "frequenza_formazione.csv"]
    );

    let meetings = file(&out, "incontri.csv");
    assert_eq!(
        meetings[0],
        [
            "ID incontro",
            "Laboratorio",
            "Nome laboratorio",
            "Data",
            "Inizio",
            "Fine",
            "Attività",
            "Tema",
            "Conduttori",
            "Presenti",
            "Famiglie",
            "Minori",
            "Ospiti"
        ]
    );
    assert_eq!(meetings.len(), 5, "M1, M2, M3 (lab 1) and M4 (lab 2); M0 is before the period");
    let m1 = &meetings[1];
    assert_eq!(m1[0], f.m1.to_string());
    assert_eq!(
        &m1[1..8],
        [
            "1",
            "Laboratorio Crosione",
            "31/01/2025",
            "16:00",
            "18:00",
            "Laboratorio aperto",
            "Compiti e merenda"
        ]
    );
    let olga_vera: BTreeSet<&str> = m1[8].split(", ").collect();
    assert_eq!(olga_vera, BTreeSet::from([staff[0].as_str(), staff[2].as_str()]));
    assert_eq!(&m1[9..], ["3", "2", "1", "2"]);
    let dates: Vec<&str> = meetings[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(dates, ["31/01/2025", "01/02/2025", "10/01/2026", "10/03/2025"]);
    assert_eq!(&meetings[4][6], "Sostegno alla genitorialità");

    let attendance = file(&out, "presenze.csv");
    assert_eq!(
        attendance[0],
        [
            "ID incontro",
            "Laboratorio",
            "Data",
            "Attività",
            "Famiglia",
            "Persona",
            "Anno di nascita",
            "Minore"
        ]
    );
    assert_eq!(attendance.len(), 10);
    // M2: F3's Marco and Sara count for F2, under their own pseudonyms.
    let m2: Vec<&Vec<String>> = attendance.iter().filter(|r| r[2] == "01/02/2025").collect();
    let m2: Vec<[&str; 4]> =
        m2.iter().map(|r| [r[4].as_str(), r[5].as_str(), r[6].as_str(), r[7].as_str()]).collect();
    let (marco, sara) = (member(&mut a, f.f3, "Marco"), member(&mut a, f.f3, "Sara"));
    // Sara (2015) is 10 in 2025: a minor's birth year shows as an age band.
    let mut expected = vec![[p2.as_str(), &marco, "1975", "no"], [p2.as_str(), &sara, "6–10", "sì"]];
    expected.sort();
    assert_eq!(m2, expected);
    // M4: Mirela's family document is not on this replica.
    let mirela = attendance.iter().find(|r| r[4] == p5).expect("F5 still in the register");
    assert_eq!(&mirela[5..], ["dati cancellati", "", ""]);
    let luca_2026 = attendance.iter().find(|r| r[2] == "10/01/2026").expect("M3");
    let luca = member(&mut a, f.f1, "Luca");
    assert_eq!(&luca_2026[4..], [p1.as_str(), &luca, "2008", "no"]);

    let households = file(&out, "famiglie.csv");
    assert_eq!(households[0][0], "Pseudonimo");
    let rows: Vec<&[String]> = households[1..].iter().map(|r| &r[..]).collect();
    let mut expected = [&p1, &p2, &p4, &p5];
    expected.sort();
    assert_eq!(
        rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        expected,
        "F3 merged away; in pseudonym order"
    );
    let row = |p: &str| *rows.iter().find(|r| r[0] == p).expect("the family's row");
    assert_eq!(
        &row(&p1)[1..],
        [
            "1",
            "registrata",
            "2",
            "0",
            "1980, 2008",
            "economica, sociale",
            "",
            "02/01/2025",
            "tutoraggio familiare (attivo)",
            "3"
        ]
    );
    assert_eq!(row(&p2)[9], "tutoraggio familiare (chiuso); tutoraggio familiare (attivo)");
    assert_eq!(row(&p2)[10], "3", "Marco at M1, and F3's Marco and Sara at M2");
    assert_eq!(row(&p2)[5], "1975, 11–13", "Sara is 11 in 2026, the year the period ends");
    assert_eq!(&row(&p5)[1..4], ["2", "dati cancellati", ""]);

    let trainings = file(&out, "formazione.csv");
    assert_eq!(
        trainings[0],
        ["Data", "Titolo", "Ore", "Partecipanti", "Operatori", "Volontari", "Elenco partecipanti"]
    );
    assert_eq!(&trainings[1][..6], ["10/01/2025", "Ascolto e accoglienza", "2", "3", "2", "1"]);
    assert_eq!(&trainings[2][..6], ["05/03/2025", "Ascolto e accoglienza", "1,5", "3", "1", "2"]);

    // No code of a family or of the staff, anywhere.
    for f in &out.files {
        let text = String::from_utf8(f.bytes.clone()).expect("UTF-8");
        for code in [&c1, &c2, &c3, &c4, &c5].into_iter().chain(&staff_codes) {
            assert!(!text.contains(code.as_str()), "{code} in {}", f.name);
        }
    }
}

#[test]
fn a_full_csv_keeps_codes_and_names() {
    let (mut a, f) = fixture::build();
    let c1 = a.household(f.f1).expect("F1").code;
    let out = export(&mut a, &options(Selection::all_labs(fixture::period()), Format::Csv, Privacy::Full));
    let households = file(&out, "famiglie.csv");
    assert_eq!(households[0][0], "Codice");
    assert_eq!(households[1][0], c1, "in code order");
    let attendance = file(&out, "presenze.csv");
    let luca = attendance.iter().find(|r| r[2] == "10/01/2026").expect("M3");
    assert!(luca[5].starts_with(&format!("{c1}/")), "{luca:?}");
    assert_eq!(&luca[6..8], ["Luca", "Rossi"]);
    let sara = attendance.iter().find(|r| r[6] == "Sara").expect("Sara at M2");
    assert_eq!(sara[8], "2015", "a full export keeps minors' birth years");
}

#[test]
fn minors_birth_years_become_age_bands_in_a_pseudonymised_export() {
    use crate::export::register::birth;
    use crate::export::table::Cell;
    let band = |s: &str| Cell::Text(s.to_owned());
    for (born, year, coarse, expected) in [
        (2020, 2025, true, band("<6")),
        (2019, 2025, true, band("6–10")),
        (2015, 2025, true, band("6–10")),
        (2014, 2025, true, band("11–13")),
        (2012, 2025, true, band("11–13")),
        (2011, 2025, true, band("14–17")),
        (2008, 2025, true, band("14–17")),
        (2007, 2025, true, Cell::Int(2007)),
        (2030, 2025, true, band("<6")),
        (2015, 2025, false, Cell::Int(2015)),
    ] {
        assert_eq!(birth(born, year, coarse), expected, "{born} in {year}");
    }
}

#[test]
fn quoting_english_headers_and_the_zip() {
    let (mut a, f) = fixture::build();
    a.create_meeting(NewMeeting {
        lab: f.lab1,
        date: d(2025, 5, 5),
        start: NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
        end: NaiveTime::from_hms_opt(11, 0, 0).expect("time"),
        activity: "other".into(),
        theme: "Gioco \"libero\"; merenda\ne compiti".into(),
        facilitators: Default::default(),
        attendance: vec![],
        guests: 0,
        notes: String::new(),
    })
    .expect("meeting");
    let sel = Selection::lab(f.lab1, fixture::period());
    let opts =
        crate::export::Options { language: Language::En, ..options(sel.clone(), Format::Csv, pseudo()) };
    let out = export(&mut a, &opts);
    let meetings = file(&out, "meetings.csv");
    assert_eq!(&meetings[0][..4], ["Meeting ID", "Lab", "Lab name", "Date"]);
    let may = meetings.iter().find(|r| r[3] == "05/05/2025").expect("the May meeting");
    assert_eq!(may[7], "Gioco \"libero\"; merenda\ne compiti");
    assert_eq!(may[6], "Other");
    assert_eq!(file(&out, "trainings.csv")[2][2], "1.5");

    let zipped = export(&mut a, &crate::export::Options { format: Format::CsvZip, ..opts });
    assert_eq!(zipped.files.len(), 1);
    assert_eq!(zipped.files[0].name, "register_2025-01-01_2026-01-31.zip");
    let entries = unzip(&zipped.files[0].bytes);
    assert_eq!(entries.len(), out.files.len());
    for ((name, bytes), f) in entries.iter().zip(&out.files) {
        assert_eq!((name, bytes), (&f.name, &f.bytes));
    }
}

#[test]
fn decimals_use_the_language_separator() {
    use crate::export::csv::decimal;
    assert_eq!(decimal(1.5, Language::It), "1,5");
    assert_eq!(decimal(1.5, Language::En), "1.5");
    assert_eq!(decimal(100.0, Language::It), "100");
    assert_eq!(decimal(100.0 / 3.0, Language::It), "33,33");
    assert_eq!(decimal(0.0, Language::It), "0");
}
