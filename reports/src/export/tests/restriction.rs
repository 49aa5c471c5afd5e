//! A family whose processing is restricted (GDPR art. 18) is in no export,
//! in any format or privacy level, while the totals still count it.

use crdt_sync::{Consents, Families, RestrictionReason, Selection};
use std::collections::BTreeSet;

use super::{export, key, options, pdftotext, pseudo, unzip};
use crate::export::{Format, Privacy};
use crate::indicators;
use crdt_sync::testing::register as fixture;

/// Every file's text: CSV as is, zips and workbooks entry by entry, PDF through pdftotext.
fn texts(out: &crate::export::Export) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for f in &out.files {
        if f.name.ends_with(".pdf") {
            all.push((f.name.clone(), pdftotext(&f.bytes)));
        } else if f.name.ends_with(".zip") || f.name.ends_with(".xlsx") {
            for (name, bytes) in unzip(&f.bytes) {
                all.push((format!("{}/{name}", f.name), String::from_utf8_lossy(&bytes).into_owned()));
            }
        } else {
            all.push((f.name.clone(), String::from_utf8_lossy(&f.bytes).into_owned()));
        }
    }
    all
}

#[test]
fn a_restricted_family_is_in_no_export_and_still_counted() {
    let (mut s, f) = fixture::build();
    let selection = Selection::all_labs(fixture::period());
    // F4 Popescu (lab 2): Ionuț and Ana at M4 in the period.
    let code = s.household(f.f4).expect("household").code;
    let before = indicators::compute(&s, &selection).expect("indicators");
    let formats = [Format::Csv, Format::CsvZip, Format::Xlsx, Format::PdfMonths, Format::PdfMeeting(f.m4)];
    // The control: before the restriction the family is there.
    let out = export(&mut s, &options(selection.clone(), Format::Csv, Privacy::Full));
    assert!(texts(&out).iter().any(|(_, t)| t.contains("Popescu") && t.contains(&code)));
    let csv_before = texts(&export(&mut s, &options(selection.clone(), Format::Csv, pseudo())));

    s.restrict_household(f.f4, RestrictionReason::Objection, None).expect("restrict");
    assert_eq!(indicators::compute(&s, &selection).expect("indicators"), before, "indicators unchanged");
    for format in formats {
        for privacy in [pseudo(), Privacy::Full] {
            let out = export(&mut s, &options(selection.clone(), format, privacy.clone()));
            let pseudonym = key().household(f.f4);
            for (name, text) in texts(&out) {
                assert!(!text.contains(&pseudonym), "{format:?} {privacy:?}: {name} shows its pseudonym");
                assert!(!text.contains(&code), "{format:?} {privacy:?}: {name} shows {code}");
                assert!(!text.contains("Popescu"), "{format:?} {privacy:?}: {name} names the family");
                assert!(!text.contains("Ionuț"), "{format:?} {privacy:?}: {name} names a member");
            }
        }
    }
    // The meeting's totals still count its two members; the other families stay.
    let csv_after = texts(&export(&mut s, &options(selection.clone(), Format::Csv, pseudo())));
    let file = |all: &[(String, String)], name: &str| {
        all.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).expect("file")
    };
    assert_eq!(file(&csv_after, "incontri.csv"), file(&csv_before, "incontri.csv"));
    let rows = |t: String| t.lines().map(str::to_owned).collect::<BTreeSet<_>>();
    let gone: Vec<String> = rows(file(&csv_before, "famiglie.csv"))
        .difference(&rows(file(&csv_after, "famiglie.csv")))
        .cloned()
        .collect();
    assert_eq!(gone.len(), 1, "only F4's row is gone: {gone:?}");
    assert!(gone[0].starts_with(&key().household(f.f4)), "{gone:?}");
    let presence_gone =
        rows(file(&csv_before, "presenze.csv")).difference(&rows(file(&csv_after, "presenze.csv"))).count();
    assert_eq!(presence_gone, 2, "Ionuț and Ana at M4");

    // Lifted: back in the exports.
    s.lift_restriction(f.f4, None).expect("lift");
    let again = texts(&export(&mut s, &options(selection, Format::Csv, pseudo())));
    assert_eq!(again, csv_before);
}
