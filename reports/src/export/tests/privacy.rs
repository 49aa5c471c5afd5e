//! Pseudonymisation over the large demo register (10 labs, 5 years, 2,000
//! families): no family's name, phone number or code (nor a staff code: codes
//! are on the labs' paper forms) is in any byte of a funder export. The names and phones come from the projection; the exports are
//! decoded the way a reader would (CSV as text, XLSX unzipped with XML
//! entities resolved, PDF through `pdftotext`).

use std::collections::{BTreeSet, HashSet};

use chrono::Months;

use super::{export, options, pdftotext, pseudo, unzip};
use crate::export::{Format, Privacy};
use crdt_sync::{Month, Period, Selection, Store};
use taccuino_demo::{self as demo, DemoSize};

/// What must not leak: the parts of family members' names (three letters
/// or more: particles like "De" are ordinary words) that are not also
/// ordinary words of the register (a lab in San Pietro, a theme); the full
/// names made only of such ordinary words; and the family phone numbers,
/// as digits.
struct Secrets {
    name_words: BTreeSet<String>,
    ordinary_names: BTreeSet<String>,
    phones: BTreeSet<String>,
    /// Families' and staff's human codes (`PV03-0042`).
    codes: HashSet<String>,
}

fn column(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.reader().prepare(sql).expect("query");
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).expect("rows");
    rows.map(|r| r.expect("row")).collect()
}

fn secrets(store: &Store) -> Secrets {
    let public: HashSet<String> = column(
        store,
        "SELECT name || ' ' || address || ' ' || partner FROM labs
         UNION ALL SELECT label_it || ' ' || label_en FROM activity_types
         UNION ALL SELECT theme FROM meetings UNION ALL SELECT title FROM trainings",
    )
    .iter()
    .flat_map(|t| words(t))
    .collect();
    let full_names = column(store, "SELECT first_name || ' ' || last_name FROM members");
    let long = |w: &String| w.chars().count() >= 3;
    let name_words =
        full_names.iter().flat_map(|n| words(n)).filter(|w| long(w) && !public.contains(w)).collect();
    let ordinary_names = full_names
        .iter()
        .filter(|n| words(n).iter().filter(|w| long(w)).all(|w| public.contains(w)))
        .cloned()
        .collect();
    let phones =
        column(store, "SELECT phone FROM households WHERE phone <> ''").iter().map(|p| digits(p)).collect();
    let codes = column(
        store,
        "SELECT code FROM households UNION SELECT code FROM lab_households UNION SELECT code FROM persons",
    )
    .into_iter()
    .collect();
    Secrets { name_words, ordinary_names, phones, codes }
}

/// The words of a text: runs of letters (apostrophes split "D'Angelo").
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

fn unescape_xml(s: &str) -> String {
    s.replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Runs of letters, digits and dashes: a code (`PV03-0042`, also inside a
/// member's `PV03-0042/2`) is one of them.
fn code_tokens(text: &str) -> HashSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).filter(|t| t.len() >= 6).collect()
}

fn assert_clean(what: &str, text: &str, s: &Secrets) {
    let leaked: Vec<&str> = code_tokens(text).into_iter().filter(|t| s.codes.contains(*t)).collect();
    assert!(leaked.is_empty(), "{what} contains codes: {:?}", &leaked[..leaked.len().min(5)]);
    let found: HashSet<String> = words(text).into_iter().collect();
    let leaked: Vec<&String> = s.name_words.iter().filter(|n| found.contains(*n)).collect();
    assert!(leaked.is_empty(), "{what} contains parts of family names: {leaked:?}");
    let leaked: Vec<&String> = s.ordinary_names.iter().filter(|n| text.contains(n.as_str())).collect();
    assert!(leaked.is_empty(), "{what} contains family names: {leaked:?}");
    // Runs of digits, spaces and `+` (how a phone is written), as digits.
    let runs: HashSet<String> = text
        .split(|c: char| !(c.is_ascii_digit() || c == ' ' || c == '+'))
        .map(digits)
        .filter(|r| r.len() >= 6)
        .collect();
    for r in &runs {
        let leaked: Vec<&String> = s.phones.iter().filter(|p| r.contains(p.as_str())).collect();
        assert!(leaked.is_empty(), "{what} contains the phone numbers {leaked:?}");
    }
}

#[test]
fn a_funder_export_of_the_large_register_names_no_family() {
    let mut store = crdt_sync::testing::register::store(3);
    demo::populate(&mut store, DemoSize::Large, 2026).expect("large demo register");
    let secrets = secrets(&store);
    let (names, phones) = (&secrets.name_words, &secrets.phones);
    assert!(names.len() > 300 && phones.len() > 1_500, "{} names, {} phones", names.len(), phones.len());

    // Sanity check of the check: a full export does contain them.
    let today = crdt_sync::testing::d(2026, 11, 2);
    let all = Selection::all_labs(Period::new(today - Months::new(61), today).expect("five years"));
    let full = export(&mut store, &options(all.clone(), Format::Csv, Privacy::Full));
    let text: String = full.files.iter().map(|f| String::from_utf8_lossy(&f.bytes).into_owned()).collect();
    let found: HashSet<String> = words(&text).into_iter().collect();
    assert!(names.iter().filter(|n| found.contains(*n)).count() > names.len() / 2);
    let all_digits = digits(&text);
    assert!(phones.iter().any(|p| all_digits.contains(p.as_str())), "the full export has the phones");
    assert!(secrets.codes.len() > 2_000, "{} codes", secrets.codes.len());
    let in_full = code_tokens(&text).into_iter().filter(|t| secrets.codes.contains(*t)).count();
    assert!(in_full > 1_000, "the full export has the codes ({in_full})");

    for f in export(&mut store, &options(all.clone(), Format::Csv, pseudo())).files {
        assert_clean(&f.name, &String::from_utf8(f.bytes).expect("UTF-8"), &secrets);
    }
    let xlsx = export(&mut store, &options(all, Format::Xlsx, pseudo()));
    for (part, bytes) in unzip(&xlsx.files[0].bytes) {
        assert_clean(&part, &unescape_xml(&String::from_utf8_lossy(&bytes)), &secrets);
    }
    // The printed registers of the last two months of every lab (each file
    // goes through pdftotext, so not all sixty months).
    let last = Month::of(today);
    let from = Month::of(today - Months::new(1)).first_day();
    let recent = Selection::all_labs(Period::new(from, last.last_day()).expect("two months"));
    let pdfs = export(&mut store, &options(recent, Format::PdfMonths, pseudo()));
    assert!(pdfs.files.len() >= 10, "{} registers", pdfs.files.len());
    for f in pdfs.files {
        assert_clean(&f.name, &pdftotext(&f.bytes), &secrets);
    }
}
