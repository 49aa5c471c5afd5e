//! Frozen exports (issue 16, docs/decisions/0020-frozen-formats.md): the
//! files a coordinator hands to the funder, made from the hand-built
//! register (`crdt_sync::testing::register`) with a fixed pseudonym key,
//! committed under `tests/fixtures/export/`. Funders import these files
//! year after year (column order, headers, date format, separators, the
//! BOM, pseudonyms): today's export must be the committed one byte for
//! byte, and the workbook the same cells (its zip carries a creation time,
//! so its cells are compared, read back with calamine).
//!
//! To change an export on purpose: make the change, then rewrite the
//! fixtures with `TACCUINO_UPDATE_FIXTURES=1 cargo test -p taccuino-reports
//! --test frozen_export` and commit them with the reason why (and tell the
//! funders: docs/decisions/0005-exports.md).

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use crdt_sync::Selection;
use crdt_sync::testing::register;
use taccuino_reports::export::{self, Export, Format, Language, Options, Privacy, PseudonymKey};

const REGENERATE: &str = "TACCUINO_UPDATE_FIXTURES=1 cargo test -p taccuino-reports --test frozen_export";

fn updating() -> bool {
    std::env::var_os("TACCUINO_UPDATE_FIXTURES").is_some_and(|v| v == "1")
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export").join(name)
}

/// Compares `today` with fixture `name`, or rewrites it in update mode.
fn check(name: &str, today: &[u8]) {
    let p = path(name);
    if updating() {
        std::fs::create_dir_all(p.parent().expect("dir")).expect("fixture directory");
        std::fs::write(&p, today).expect("write fixture");
        eprintln!("TACCUINO_UPDATE_FIXTURES=1: rewrote {} ({} bytes)", p.display(), today.len());
        return;
    }
    let committed = std::fs::read(&p).unwrap_or_else(|e| {
        panic!("fixture {} is missing ({e}); to create it on purpose: {REGENERATE}", p.display())
    });
    if committed != today {
        let a = String::from_utf8_lossy(&committed);
        let b = String::from_utf8_lossy(today);
        let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
        let detail = match line {
            Some(n) => format!(
                "first different line, {}:\n  committed: {}\n  today:     {}",
                n + 1,
                a.lines().nth(n).unwrap_or_default(),
                b.lines().nth(n).unwrap_or_default()
            ),
            None => format!("{} lines committed, {} today", a.lines().count(), b.lines().count()),
        };
        panic!(
            "the export changed: today's code no longer makes fixture {}.\n{detail}\nFunders import these \
             files: if the change is on purpose, rewrite the fixtures with `{REGENERATE}`, commit them with \
             the reason why, and say so in the release notes.",
            p.display()
        );
    }
}

/// The export of the hand-built register, over its whole period.
fn run(format: Format, privacy: Privacy, language: Language) -> Export {
    let (mut store, _) = register::build();
    let options =
        Options { privacy, language, ..Options::full(Selection::all_labs(register::period()), format) };
    export::run(&mut store, &options, &|_| {}, &AtomicBool::new(false)).expect("export")
}

/// The project's pseudonym key of the fixtures.
fn key() -> PseudonymKey {
    PseudonymKey::from_bytes(std::array::from_fn(|i| 0x3c ^ i as u8))
}

/// The CSV files, loose, for every privacy and the two languages.
#[test]
fn csv_exports_are_the_committed_files() {
    let cases = [
        ("it-pseudonymised", Privacy::Pseudonymised(key()), Language::It),
        ("it-full", Privacy::Full, Language::It),
        ("en-pseudonymised", Privacy::Pseudonymised(key()), Language::En),
    ];
    for (dir, privacy, language) in cases {
        let out = run(Format::Csv, privacy, language);
        let names: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
        check(&format!("{dir}/files.txt"), format!("{}\n", names.join("\n")).as_bytes());
        for f in &out.files {
            check(&format!("{dir}/{}", f.name), &f.bytes);
        }
    }
}

/// Each sheet's cells, a row per line, each cell with its type.
fn cells(bytes: &[u8]) -> String {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens it");
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        out.push_str(&format!("## {name} ({} rows x {} columns)\n", range.height(), range.width()));
        for row in range.rows() {
            let row: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => format!("{s:?}"),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("int {i}"),
                    Data::Bool(b) => format!("bool {b}"),
                    Data::DateTime(d) => format!("date {}", d.as_f64()),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push_str(&row.join(" | "));
            out.push('\n');
        }
    }
    out
}

/// The workbook (pseudonymised, Italian): its name and every cell.
#[test]
fn the_workbook_has_the_committed_cells() {
    let out = run(Format::Xlsx, Privacy::Pseudonymised(key()), Language::It);
    assert_eq!(out.files.len(), 1);
    let f = &out.files[0];
    check("it-pseudonymised-xlsx/cells.txt", format!("# {}\n{}", f.name, cells(&f.bytes)).as_bytes());
}
