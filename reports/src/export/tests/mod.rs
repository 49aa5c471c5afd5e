//! Tests of the exports. Each format is read back with a reader that shares
//! no code with the writer: the `csv` crate, `calamine` (and the raw XML of
//! the workbook), `pdftotext` from poppler-utils. The register is the
//! hand-built one of `crdt_sync::testing::register`; `privacy.rs` uses the large demo.
//!
//! New tests go in the file of their format; what concerns every format
//! (options, progress, cancellation, the audit log) goes in `run.rs`.

mod csv;
mod monitoring;
mod pdf;
mod privacy;
mod restriction;
mod run;
mod training;
mod xlsx;

use std::io::Read;
use std::sync::atomic::AtomicBool;

use super::{Export, Format, Options, Privacy, PseudonymKey};
use crdt_sync::{Selection, Store};

/// An export with no progress callback and no cancellation.
pub(super) fn export(store: &mut Store, options: &Options) -> Export {
    super::run(store, options, &|_| {}, &AtomicBool::new(false)).expect("export")
}

/// The pseudonym key of the tests.
pub(super) fn key() -> PseudonymKey {
    PseudonymKey::from_bytes([42; 32])
}

/// A pseudonymised export with the tests' key.
pub(super) fn pseudo() -> Privacy {
    Privacy::Pseudonymised(key())
}

pub(super) fn options(selection: Selection, format: Format, privacy: Privacy) -> Options {
    Options { privacy, ..Options::full(selection, format) }
}

/// The entries of a zip archive (an XLSX is one too), by name, decompressed.
pub(super) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("entry");
            let mut out = Vec::new();
            f.read_to_end(&mut out).expect("inflate");
            (f.name().expect("entry name").into_owned(), out)
        })
        .collect()
}

/// The text of a PDF, as poppler's `pdftotext` reads it.
pub(super) fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("register.pdf");
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs: install poppler-utils (scripts/setup.sh does)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}
