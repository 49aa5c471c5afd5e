//! XLSX read back with calamine, cell by cell and type by type, and the
//! workbook's raw XML for what calamine does not report (frozen header,
//! autofilter, widths, bold).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;

use super::{export, options, pseudo, unzip};
use crate::export::{Format, Privacy};
use crdt_sync::Selection;
use crdt_sync::testing::d;
use crdt_sync::testing::register as fixture;

/// Excel's serial number of a day, computed here from its definition
/// (days since 1899-12-30), not by the writer's code.
fn serial(day: NaiveDate) -> f64 {
    (day - d(1899, 12, 30)).num_days() as f64
}

fn date_at(cell: Option<&Data>) -> f64 {
    match cell {
        Some(Data::DateTime(dt)) => dt.as_f64(),
        other => panic!("expected a date, found {other:?}"),
    }
}

#[test]
fn workbook_cells_have_real_types() {
    let (mut a, f) = fixture::build();
    let mut b = fixture::replica_without_f5(&mut a, &f);
    let out = export(&mut b, &options(Selection::all_labs(fixture::period()), Format::Xlsx, pseudo()));
    assert_eq!(out.files.len(), 1);
    assert_eq!(out.files[0].name, "registro_2025-01-01_2026-01-31.xlsx");
    let bytes = &out.files[0].bytes;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("calamine opens it");
    assert_eq!(
        wb.sheet_names(),
        ["Incontri", "Presenze", "Famiglie", "Formazione", "Frequenza formazione", "Indicatori", "Obiettivi"]
    );

    let m = wb.worksheet_range("Incontri").expect("sheet");
    assert_eq!(m.get_size(), (5, 13));
    assert_eq!(m.get((0, 3)), Some(&Data::String("Data".into())));
    assert_eq!(m.get((1, 0)), Some(&Data::String(f.m1.to_string())));
    assert_eq!(m.get((1, 1)), Some(&Data::Float(1.0)));
    assert_eq!(m.get((1, 2)), Some(&Data::String("Laboratorio Crosione".into())));
    assert_eq!(date_at(m.get((1, 3))), serial(d(2025, 1, 31)));
    assert_eq!(m.get((1, 4)), Some(&Data::String("16:00".into())));
    for (col, n) in [(9, 3.0), (10, 2.0), (11, 1.0), (12, 2.0)] {
        assert_eq!(m.get((1, col)), Some(&Data::Float(n)), "column {col}");
    }
    assert_eq!(date_at(m.get((4, 3))), serial(d(2025, 3, 10)));

    let p = wb.worksheet_range("Presenze").expect("sheet");
    assert_eq!(p.get_size(), (10, 8));
    let marco = p.rows().find(|r| r[6] == Data::Float(1975.0)).expect("Marco's row");
    assert_eq!(marco[7], Data::String("no".into()));
    assert_eq!(date_at(Some(&marco[2])), serial(d(2025, 1, 31)));
    let erased = p.rows().find(|r| r[5] == Data::String("dati cancellati".into())).expect("Mirela's row");
    assert_eq!((&erased[6], &erased[7]), (&Data::Empty, &Data::Empty));

    let t = wb.worksheet_range("Formazione").expect("sheet");
    assert_eq!(date_at(t.get((2, 0))), serial(d(2025, 3, 5)));
    assert_eq!(t.get((2, 2)), Some(&Data::Float(1.5)));
    assert_eq!(t.get((2, 3)), Some(&Data::Float(3.0)));

    // Four families reached and two accompanied: small counts, suppressed
    // in a pseudonymised workbook (and their share of the target with them).
    let i = wb.worksheet_range("Indicatori").expect("sheet");
    assert_eq!(i.get((1, 2)), Some(&Data::String("Totale periodo".into())));
    assert_eq!(i.get((1, 3)), Some(&Data::String("<5".into())));
    assert_eq!(date_at(i.get((2, 2))), serial(d(2025, 1, 1)));
    let o = wb.worksheet_range("Obiettivi").expect("sheet");
    assert_eq!(o.get((1, 0)), Some(&Data::String("Famiglie accompagnate".into())));
    assert_eq!(o.get((1, 1)), Some(&Data::String("<5".into())));
    assert_eq!(o.get((1, 3)), Some(&Data::String("<5".into())));
    // A full workbook shows them.
    let full = export(&mut b, &options(Selection::all_labs(fixture::period()), Format::Xlsx, Privacy::Full));
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(full.files[0].bytes.clone())).expect("calamine");
    let i = wb.worksheet_range("Indicatori").expect("sheet");
    assert_eq!(i.get((1, 3)), Some(&Data::Float(4.0)));
    let o = wb.worksheet_range("Obiettivi").expect("sheet");
    assert_eq!(o.get((1, 3)), Some(&Data::Float(0.4)));

    let xml: Vec<(String, String)> =
        unzip(bytes).into_iter().map(|(n, b)| (n, String::from_utf8(b).expect("UTF-8 XML"))).collect();
    let part = |name: &str| &xml.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name}")).1;
    let sheet1 = part("xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("state=\"frozen\"") && sheet1.contains("ySplit=\"1\""), "frozen header row");
    assert!(sheet1.contains("<autoFilter ref=\"A1:M5\""), "autofilter over the table");
    assert!(sheet1.contains("<col "), "column widths");
    let styles = part("xl/styles.xml");
    assert!(styles.contains("<b/>") && styles.contains("dd/mm/yyyy"), "bold header, date format");
}

/// Issue 6: a lab with a few families shows `<5` where the full workbook
/// shows its small counts, and every cell left visible is the full one.
#[test]
fn small_counts_are_suppressed_and_the_rest_unchanged() {
    let (mut a, f) = fixture::build();
    let sel = Selection::lab(f.lab1, fixture::period());
    let sheet = |a: &mut crdt_sync::Store, privacy| {
        let out = export(a, &options(sel.clone(), Format::Xlsx, privacy));
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(out.files[0].bytes.clone())).expect("xlsx");
        wb.worksheet_range("Indicatori").expect("sheet")
    };
    let (pseudo, full) = (sheet(&mut a, pseudo()), sheet(&mut a, Privacy::Full));
    assert_eq!(pseudo.get_size(), full.get_size());
    let reached = full.get((1, 3));
    assert!(matches!(reached, Some(Data::Float(n)) if (1.0..5.0).contains(n)), "lab 1: {reached:?}");
    assert_eq!(pseudo.get((1, 3)), Some(&Data::String("<5".into())));
    let (rows, cols) = full.get_size();
    let mut suppressed = 0;
    for r in 1..rows {
        for c in 0..cols {
            let (p, v) = (pseudo.get((r, c)), full.get((r, c)));
            if p == Some(&Data::String("<5".into())) {
                suppressed += 1;
                // Families, people and attendances only (columns 3–6, and
                // attendances after the meetings by activity), never zero.
                let header = full.get((0, c)).map(|h| h.to_string()).unwrap_or_default();
                assert!((3..=6).contains(&c) || header == "Presenze", "column {header:?} suppressed");
                assert!(matches!(v, Some(Data::Float(n)) if *n > 0.0), "a suppressed zero at {r},{c}");
            } else {
                assert_eq!(p, v, "cell {r},{c} changed");
            }
        }
    }
    assert!(suppressed > 5, "{suppressed} cells suppressed");
}
