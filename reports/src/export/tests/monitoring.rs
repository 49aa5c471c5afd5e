//! The half-yearly monitoring workbook, read back with calamine (and its
//! CSV files with the `csv` crate) against figures counted by hand.
//!
//! The register is the hand-built one (`crdt_sync::testing::register`),
//! with a third lab of another partner (ACLI) where six one-member adult
//! families came to one meeting on 5 May 2025, and two of the staff moved
//! to other organisations: Piero to ACLI, Walter to none. Counted by hand,
//! H1 2025 (1 January to 30 June):
//!
//! | row | fam. reached | accompanied | people | minors | meetings | attendances | guests |
//! | --- | --- | --- | --- | --- | --- | --- | --- |
//! | lab 3 (ACLI) | 6 | 0 | 6 | 0 | 1 | 6 | 0 |
//! | lab 1 | F1, F2: 2 | F1, F2: 2 | Anna, Luca, Marco, Sara: 4 | Luca, Sara: 2 | M1, M2: 2 | 3 + 2 = 5 | 2 |
//! | lab 2 | F4, F5: 2 | F5: 1 | Ionuț, Ana, Mirela: 3 | Ana, Mirela: 2 | M4: 1 | 3 | 3 |
//! | Cooperativa (1, 2) | 4 | 3 | 7 | 4 | 3 | 8 | 5 |
//! | total | 10 | 3 | 13 | 4 | 4 | 14 | 5 |
//!
//! Active labs 3 (target 2); operators trained by 30 June: Olga (1 of 3);
//! volunteers none (of 4); training 306 + 240 = 546 person-minutes, 9.1
//! hours, all on the rosters of labs 1 and 2. By organisation: Caritas
//! (Olga 120 + 90, Vera 90 + 90) 390 minutes and Olga trained; ACLI
//! (Piero 96) 96; none (Walter 60) 60.
//!
//! Suppressed in the pseudonymised workbook, H1 2025 — families reached:
//! Cooperativa 4, labs 1 and 2 (2 each) by the primary rule; then ACLI
//! (the partners' group with the total), then lab 3 (ACLI's only lab);
//! the total 10 stays. Attendances: lab 2 (3), then lab 1 (5) for the
//! Cooperativa's group; ACLI 6, lab 3 6, Cooperativa 8 and the total 14
//! stay.
//!
//! The areas of the nomenclature: A1 (family tutoring), B2 (nothing mapped)
//! and D2 (open lab); parenting support mapped to none. H1 2025:
//!
//! | row | meetings | guests | attendances |
//! | --- | --- | --- | --- |
//! | A1 | M2: 1 | 0 | 2 |
//! | B2 | 0 | 0 | 0 |
//! | D2 | M1, lab 3's: 2 | 2 | 3 + 6 = 9 |
//! | not mapped | M4: 1 | 3 | 3 |
//! | total | 4 | 5 | 14 |
//!
//! Suppressed: A1's 2 and the not mapped 3 (primary); D2's 9 and the total
//! 14 stay. H1 2026 (M3, open lab, Luca): D2 1 and the total 1, both by the
//! primary rule, in both tables.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::sync::atomic::AtomicBool;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveTime;

use super::{options, pseudo, unzip};
use crate::export::{Export, Format, Language, Options, Privacy};
use crdt_sync::testing::d;
use crdt_sync::testing::register::{self as fixture, Fixture};
use crdt_sync::{
    Area, AuditLog, Contacts, Families, Meetings, NewHousehold, NewLab, NewMeeting, NewMember,
    NomenclatureArea, PersonPatch, ProjectSettings, Selection, Staff, Store,
};

fn monitoring(store: &mut Store, options: &Options) -> Export {
    crate::export::monitoring(store, options, &|_| {}, &AtomicBool::new(false)).expect("monitoring export")
}

/// The fixture with lab 3 of ACLI and its six families at one meeting on
/// 5 May 2025; Piero of ACLI, Walter of no organisation.
fn register() -> (Store, Fixture) {
    let (mut s, f) = fixture::build();
    let lab3 = s
        .create_lab(NewLab {
            number: 3,
            name: "Laboratorio Vallone".into(),
            address: "Pavia".into(),
            partner: " ACLI ".into(),
        })
        .expect("lab 3");
    let olga = f.staff[0];
    let mut present = Vec::new();
    for (i, last) in ["Conti", "Greco", "Marino", "Costa", "Fontana", "Moretti"].into_iter().enumerate() {
        let h = s
            .create_household(NewHousehold {
                lab: lab3,
                reference: NewMember {
                    first_name: "Giulia".into(),
                    last_name: last.into(),
                    birth_year: Some(1985),
                },
                others: Vec::new(),
                contacts: Contacts {
                    phone: format!("+39 333 900000{i}"),
                    email: String::new(),
                    address: "Pavia".into(),
                },
                areas: BTreeSet::from([Area::Social]),
                referral: None,
                consent: fixture::consent(olga, &[("Giulia", last, 1985)]),
            })
            .expect("family");
        let member = s.household(h).expect("family").members[0].id;
        present.push(crdt_sync::Attendance { household: h, member });
    }
    s.create_meeting(NewMeeting {
        lab: lab3,
        date: d(2025, 5, 5),
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: "Orto".into(),
        facilitators: BTreeSet::new(),
        attendance: present,
        guests: 0,
        notes: String::new(),
    })
    .expect("meeting");
    let (piero, walter) = (f.staff[1], f.staff[3]);
    let org = |o: &str| PersonPatch { organisation: Some(o.into()), ..PersonPatch::default() };
    s.update_person(piero, org("ACLI")).expect("Piero");
    s.update_person(walter, org("  ")).expect("Walter");
    for (code, name) in [("D2", "Povertà e disagio adulto"), ("A1", "Famiglia e minori"), ("B2", "Disabili")]
    {
        s.put_nomenclature_area(NomenclatureArea { code: code.into(), name: name.into() }).expect("area");
    }
    s.set_activity_nomenclature("family_tutoring", Some("A1")).expect("A1");
    s.set_activity_nomenclature("open_lab", Some("D2")).expect("D2");
    (s, f)
}

fn sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn s(text: &str) -> Data {
    Data::String(text.into())
}

fn n(x: f64) -> Data {
    Data::Float(x)
}

/// The row of `sheet` whose first cell is `semester` and whose cell at
/// `col` is `key`.
fn row<'a>(r: &'a Range<Data>, semester: &str, col: usize, key: &Data) -> &'a [Data] {
    r.rows()
        .find(|row| row[0] == s(semester) && &row[col] == key)
        .unwrap_or_else(|| panic!("no row {semester} / {key:?}"))
}

#[test]
fn the_workbook_read_back_gives_the_figures_counted_by_hand() {
    let (mut st, _) = register();
    let sel = Selection::all_labs(fixture::period());
    let out = monitoring(&mut st, &options(sel.clone(), Format::Xlsx, Privacy::Full));
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].name, "monitoraggio_2025-01-01_2026-01-31.xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(out.files[0].bytes.clone())).expect("calamine");
    assert_eq!(
        wb.sheet_names(),
        ["Enti partner", "Laboratori", "Obiettivi", "Formazione per ente", "Aree del nomenclatore"]
    );

    let p = sheet(&mut wb, "Enti partner");
    assert_eq!(
        p.rows().next().expect("header")[..8],
        [
            s("Semestre"),
            s("Dal"),
            s("Al"),
            s("Ente partner"),
            s("Laboratori"),
            s("Famiglie raggiunte"),
            s("Famiglie accompagnate"),
            s("Persone raggiunte")
        ]
    );
    // Three semesters (the last cut to 31 January 2026), two partners and a
    // total each.
    assert_eq!(p.get_size(), (1 + 3 * 3, 16));
    let h1 = "1° semestre 2025";
    let acli = row(&p, h1, 3, &s("ACLI"));
    let coop = row(&p, h1, 3, &s("Cooperativa Sociale"));
    let total = row(&p, h1, 3, &s("Totale"));
    assert_eq!(acli[4], s("3"));
    assert_eq!(coop[4], s("1, 2"));
    // Families reached, accompanied, people, minors, meetings, attendances,
    // guests, active labs, operators, volunteers trained.
    let figures = |r: &[Data]| r[5..15].to_vec();
    let ns = |xs: [f64; 10]| xs.map(n).to_vec();
    assert_eq!(figures(acli), ns([6., 0., 6., 0., 1., 6., 0., 1., 0., 0.]));
    assert_eq!(figures(coop), ns([4., 3., 7., 4., 3., 8., 5., 2., 1., 0.]));
    assert_eq!(figures(total), ns([10., 3., 13., 4., 4., 14., 5., 3., 1., 0.]));
    let hours = |c: &Data| match c {
        Data::Float(x) => *x,
        other => panic!("hours: {other:?}"),
    };
    assert!((hours(&total[15]) - 546.0 / 60.0).abs() < 1e-9);
    assert!((hours(&coop[15]) - 546.0 / 60.0).abs() < 1e-9);
    assert_eq!(acli[15], n(0.0));
    // The last semester is cut to the period: 1 to 31 January 2026, M3 only.
    let h3 = row(&p, "1° semestre 2026", 3, &s("Totale"));
    assert_eq!(h3[9], n(1.0));
    assert!(matches!(h3[2], Data::DateTime(_)));

    let l = sheet(&mut wb, "Laboratori");
    assert_eq!(l.get_size(), (1 + 3 * 3, 13));
    let lab = |k: f64| row(&l, h1, 3, &n(k))[6..13].to_vec();
    assert_eq!(lab(3.0), [6., 0., 6., 0., 1., 6., 0.].map(n).to_vec());
    assert_eq!(lab(1.0), [2., 2., 4., 2., 2., 5., 2.].map(n).to_vec());
    assert_eq!(lab(2.0), [2., 1., 3., 2., 1., 3., 3.].map(n).to_vec());
    assert_eq!(row(&l, h1, 3, &n(3.0))[5], s("ACLI"));

    let o = sheet(&mut wb, "Obiettivi");
    assert_eq!(o.get_size(), (1 + 3 * 4, 7));
    let goal = |name: &str| row(&o, h1, 3, &s(name))[4..7].to_vec();
    assert_eq!(goal("Famiglie accompagnate"), [n(3.0), n(5.0), n(0.6)]);
    assert_eq!(goal("Laboratori attivi"), [n(3.0), n(2.0), n(1.5)]);
    assert_eq!(goal("Volontari formati"), [n(0.0), n(4.0), n(0.0)]);

    let t = sheet(&mut wb, "Formazione per ente");
    let staff = |org: &str| row(&t, h1, 3, &s(org))[4..7].iter().map(hours).collect::<Vec<_>>();
    assert_eq!(staff("ACLI"), [0.0, 0.0, 96.0 / 60.0]);
    assert_eq!(staff("Caritas"), [1.0, 0.0, 390.0 / 60.0]);
    assert_eq!(staff("(ente non indicato)"), [0.0, 0.0, 1.0]);
    assert_eq!(staff("Totale"), [1.0, 0.0, 546.0 / 60.0]);
    // The organisations in order, the one not named last.
    let orgs: Vec<&Data> = t.rows().filter(|r| r[0] == s(h1)).map(|r| &r[3]).collect();
    assert_eq!(orgs, [&s("ACLI"), &s("Caritas"), &s("(ente non indicato)"), &s("Totale")]);
    // H2 2025: nobody trained in it, but Olga is trained by its end.
    let h2 = "2° semestre 2025";
    assert_eq!(row(&t, h2, 3, &s("Caritas"))[4..7], [n(1.0), n(0.0), n(0.0)]);

    let a = sheet(&mut wb, "Aree del nomenclatore");
    assert_eq!(
        a.rows().next().expect("header"),
        [
            s("Semestre"),
            s("Dal"),
            s("Al"),
            s("Codice area"),
            s("Area del nomenclatore"),
            s("Incontri realizzati"),
            s("Ospiti"),
            s("Presenze")
        ]
    );
    // Three areas, the not mapped and the total, in each of three semesters.
    assert_eq!(a.get_size(), (1 + 3 * 5, 8));
    let in_h1: Vec<Vec<Data>> = a.rows().filter(|r| r[0] == s(h1)).map(|r| r[3..8].to_vec()).collect();
    let e = Data::Empty;
    assert_eq!(
        in_h1,
        [
            vec![s("A1"), s("Famiglia e minori"), n(1.0), n(0.0), n(2.0)],
            vec![s("B2"), s("Disabili"), n(0.0), n(0.0), n(0.0)],
            vec![s("D2"), s("Povertà e disagio adulto"), n(2.0), n(2.0), n(9.0)],
            vec![e.clone(), s("(non classificato)"), n(1.0), n(3.0), n(3.0)],
            vec![e.clone(), s("Totale"), n(4.0), n(5.0), n(14.0)],
        ]
    );
    // In every semester the areas add up to the total, which is the
    // partners' total.
    for half in [h1, h2, "1° semestre 2026"] {
        let rows: Vec<&[Data]> = a.rows().filter(|r| r[0] == s(half)).collect();
        let (total, parts) = rows.split_last().expect("rows");
        for col in 5..8 {
            let sum: f64 = parts.iter().map(|r| hours(&r[col])).sum();
            assert_eq!(n(sum), total[col], "{half}, column {col}");
        }
        let partners_total = row(&p, half, 3, &s("Totale"));
        assert_eq!(
            [&total[5], &total[6], &total[7]],
            [&partners_total[9], &partners_total[11], &partners_total[10]]
        );
    }
}

#[test]
fn small_counts_are_suppressed_across_partners_and_labs() {
    let (mut st, _) = register();
    let sel = Selection::all_labs(fixture::period());
    let out = monitoring(&mut st, &options(sel, Format::Xlsx, pseudo()));
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(out.files[0].bytes.clone())).expect("calamine");
    let hidden = s("<5");
    let h1 = "1° semestre 2025";
    let p = sheet(&mut wb, "Enti partner");
    let (acli, coop, total) =
        (row(&p, h1, 3, &s("ACLI")), row(&p, h1, 3, &s("Cooperativa Sociale")), row(&p, h1, 3, &s("Totale")));
    // Families reached (column 5): the Cooperativa's 4 (primary), then ACLI's 6.
    assert_eq!([&acli[5], &coop[5], &total[5]], [&hidden, &hidden, &n(10.0)]);
    // Attendances (column 10): nothing small at the partners.
    assert_eq!([&acli[10], &coop[10], &total[10]], [&n(6.0), &n(8.0), &n(14.0)]);
    // Meetings, guests and staff are not suppressed.
    assert_eq!([&coop[9], &coop[11], &coop[13]], [&n(3.0), &n(5.0), &n(1.0)]);

    let l = sheet(&mut wb, "Laboratori");
    let lab = |k: f64| row(&l, h1, 3, &n(k)).to_vec();
    let (lab3, lab1, lab2) = (lab(3.0), lab(1.0), lab(2.0));
    // Families reached (column 6): lab 3's 6 goes with ACLI's, its only lab.
    assert_eq!([&lab3[6], &lab1[6], &lab2[6]], [&hidden, &hidden, &hidden]);
    // Attendances (column 11): lab 2's 3 (primary), then lab 1's 5, which
    // the Cooperativa's 8 would give back.
    assert_eq!([&lab3[11], &lab1[11], &lab2[11]], [&n(6.0), &hidden, &hidden]);
    // No group of partners and labs is left with a single suppressed cell.
    for col in [(5, 6), (6, 7), (7, 8), (8, 9), (10, 11)] {
        let coop_group = [&coop[col.0], &lab1[col.1], &lab2[col.1]];
        let acli_group = [&acli[col.0], &lab3[col.1]];
        for g in [&coop_group[..], &acli_group[..]] {
            assert_ne!(g.iter().filter(|c| **c == &hidden).count(), 1, "column {col:?}: {g:?}");
        }
    }
    // The families accompanied of the semester (3) and their share of the
    // target are suppressed in the targets too.
    let o = sheet(&mut wb, "Obiettivi");
    let goal = row(&o, h1, 3, &s("Famiglie accompagnate"));
    assert_eq!(goal[4..7], [hidden.clone(), n(5.0), hidden.clone()]);
    // The staff's figures are shown as they are.
    let t = sheet(&mut wb, "Formazione per ente");
    assert_eq!(row(&t, h1, 3, &s("Caritas"))[4], n(1.0));

    // The areas: attendances of 1 to 4 hidden, with the total where it is
    // hidden in the partners' table; meetings and guests as they are.
    let a = sheet(&mut wb, "Aree del nomenclatore");
    let area = |half: &str, name: &str| row(&a, half, 4, &s(name))[5..8].to_vec();
    assert_eq!(area(h1, "Famiglia e minori"), [n(1.0), n(0.0), hidden.clone()]);
    assert_eq!(area(h1, "Disabili"), [n(0.0), n(0.0), n(0.0)]);
    assert_eq!(area(h1, "Povertà e disagio adulto"), [n(2.0), n(2.0), n(9.0)]);
    assert_eq!(area(h1, "(non classificato)"), [n(1.0), n(3.0), hidden.clone()]);
    assert_eq!(area(h1, "Totale"), [n(4.0), n(5.0), n(14.0)]);
    let h3 = "1° semestre 2026";
    assert_eq!(area(h3, "Povertà e disagio adulto"), [n(1.0), n(1.0), hidden.clone()]);
    assert_eq!(area(h3, "Totale")[2], hidden);
    assert_eq!(row(&p, h3, 3, &s("Totale"))[10], hidden, "the partners' total with it");
    // No semester's areas and total are left with a single hidden attendance.
    for half in [h1, "2° semestre 2025", h3] {
        let hidden_cells = a.rows().filter(|r| r[0] == s(half) && r[7] == hidden).count();
        assert_ne!(hidden_cells, 1, "{half}");
    }
}

/// The rows of a CSV file, header first (after checking the BOM).
fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("starts with a UTF-8 BOM");
    let mut r = ::csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(body);
    r.records().map(|rec| rec.expect("valid CSV").iter().map(str::to_owned).collect()).collect()
}

#[test]
fn the_same_tables_as_csv_in_a_zip_and_in_english() {
    let (mut st, _) = register();
    let sel = Selection::all_labs(fixture::period());
    let out = monitoring(&mut st, &options(sel.clone(), Format::CsvZip, pseudo()));
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].name, "monitoraggio_2025-01-01_2026-01-31.zip");
    let entries = unzip(&out.files[0].bytes);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "monitoraggio_enti.csv",
            "monitoraggio_laboratori.csv",
            "monitoraggio_obiettivi.csv",
            "monitoraggio_formazione.csv",
            "monitoraggio_aree.csv"
        ]
    );
    let partners = read_csv(&entries[0].1);
    assert_eq!(partners.len(), 1 + 3 * 3);
    let total = partners.iter().find(|r| r[0] == "1° semestre 2025" && r[3] == "Totale").expect("total");
    assert_eq!(total[1..3], ["01/01/2025", "30/06/2025"]);
    assert_eq!(total[5], "10");
    assert_eq!(total[15], "9,1", "Italian decimals");
    let acli = partners.iter().find(|r| r[0] == "1° semestre 2025" && r[3] == "ACLI").expect("ACLI");
    assert_eq!(acli[5], "<5");
    let areas = read_csv(&entries[4].1);
    let a1 = areas.iter().find(|r| r[0] == "1° semestre 2025" && r[3] == "A1").expect("A1");
    assert_eq!(a1[4..], ["Famiglia e minori", "1", "0", "<5"]);

    let en = Options { language: Language::En, ..options(sel, Format::Csv, Privacy::Full) };
    let out = monitoring(&mut st, &en);
    let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "monitoring_partners.csv",
            "monitoring_labs.csv",
            "monitoring_targets.csv",
            "monitoring_training.csv",
            "monitoring_areas.csv"
        ]
    );
    let staff = read_csv(&out.files[3].bytes);
    assert_eq!(
        staff[0],
        [
            "Semester",
            "From",
            "To",
            "Organisation",
            "Operators trained",
            "Volunteers trained",
            "Training hours"
        ]
    );
    let none =
        staff.iter().find(|r| r[0] == "H1 2025" && r[3] == "(no organisation)").expect("no organisation");
    assert_eq!(none[4..], ["0", "0", "1"]);
    let acli = read_csv(&out.files[0].bytes);
    let acli = acli.iter().find(|r| r[0] == "H1 2025" && r[3] == "ACLI").expect("ACLI");
    assert_eq!(acli[5], "6", "a full export suppresses nothing");
    let areas = read_csv(&out.files[4].bytes);
    assert_eq!(areas[0][3..], ["Area code", "Nomenclature area", "Meetings held", "Guests", "Attendances"]);
    let unmapped = areas.iter().find(|r| r[0] == "H1 2025" && r[4] == "(not mapped)").expect("not mapped");
    assert_eq!(unmapped[3..], ["", "(not mapped)", "1", "3", "3"]);
}

#[test]
fn each_monitoring_export_is_in_the_audit_log_and_a_pdf_is_refused() {
    let (mut st, _) = register();
    let sel = Selection::all_labs(fixture::period());
    monitoring(&mut st, &options(sel.clone(), Format::Xlsx, pseudo()));
    let log = st.audit_log(10).expect("audit log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].details["report"], "monitoring");
    assert_eq!(log[0].details["options"]["privacy"], "pseudonymised");
    assert_eq!(log[0].details["files"][0], "monitoraggio_2025-01-01_2026-01-31.xlsx");
    let err = crate::export::monitoring(
        &mut st,
        &options(sel, Format::PdfMonths, pseudo()),
        &|_| {},
        &AtomicBool::new(false),
    )
    .expect_err("a PDF");
    assert!(
        matches!(err, crate::Error::Register(crdt_sync::Error::Invalid { field: "export.format", .. })),
        "{err}"
    );
    assert_eq!(st.audit_log(10).expect("audit log").len(), 1, "nothing logged for a refused export");
}
