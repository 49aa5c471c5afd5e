//! `taccuino-hub export`, `taccuino-hub indicators` and `taccuino-hub
//! subject-access`: the coordinator's reports from the hub's merged
//! register, for scripts. The work is
//! `taccuino_reports::export` and `taccuino_reports::indicators`; this only turns command
//! line words into their options and writes the files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use crdt_sync::{Families, Labs, Period, ProjectSettings, Selection, Store};
use taccuino_reports::export::{self, ExportFile, Format, Language, Options, Privacy};
use taccuino_reports::indicators;

use crate::error::{HubError, Result};

/// Parses `dd/mm/yyyy` (as Italians write it) or `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| HubError::Usage(format!("{s:?} is not a date: write 31/01/2026 or 2026-01-31")))
}

/// Which labs (by number; none means all) and which period.
pub fn selection(store: &Store, lab_numbers: &[u8], from: NaiveDate, to: NaiveDate) -> Result<Selection> {
    let period = Period::new(from, to)?;
    if lab_numbers.is_empty() {
        return Ok(Selection { labs: Labs::All, period });
    }
    let labs = store.labs()?;
    let mut ids = BTreeSet::new();
    for n in lab_numbers {
        let lab = labs
            .iter()
            .find(|l| l.number == *n)
            .ok_or_else(|| HubError::Usage(format!("there is no lab {n} in the register")))?;
        ids.insert(lab.id);
    }
    Ok(Selection { labs: Labs::Only(ids), period })
}

/// Parses a format name.
pub fn parse_format(s: &str) -> Result<Format> {
    Ok(match s {
        "csv" => Format::Csv,
        "csv-zip" => Format::CsvZip,
        "xlsx" => Format::Xlsx,
        "pdf" => Format::PdfMonths,
        _ => return Err(HubError::Usage(format!("unknown format {s:?}: csv, csv-zip, xlsx or pdf"))),
    })
}

/// Runs an export and writes its files into `out`. Returns the paths
/// written. A pseudonymised export carries its key in `privacy`
/// (the hub's `pseudonym.key`, or the one given on the command line).
pub fn export_to(
    store: &mut Store,
    selection: Selection,
    format: Format,
    privacy: Privacy,
    english: bool,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let language = if english { Language::En } else { Language::It };
    let options = Options { selection, format, privacy, language };
    let cancel = AtomicBool::new(false);
    let result = export::run(store, &options, &|p| tracing::debug!(progress = ?p, "export"), &cancel)?;
    write_files(out, &result.files)
}

/// Takes the subject access extract of the family with `code` (GDPR arts.
/// 15 and 20) and writes its two files into `out`. Returns the paths written.
pub fn subject_access_to(store: &mut Store, code: &str, english: bool, out: &Path) -> Result<Vec<PathBuf>> {
    let household = store.household_by_code(code)?;
    let language = if english { Language::En } else { Language::It };
    let extract = export::subject_access(store, household, language)?;
    write_files(out, extract.files())
}

fn write_files<'a>(out: &Path, files: impl IntoIterator<Item = &'a ExportFile>) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|source| HubError::Io { path: out.to_owned(), source })?;
    let mut written = Vec::new();
    for f in files {
        let path = out.join(&f.name);
        std::fs::write(&path, &f.bytes).map_err(|source| HubError::Io { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// The indicators as JSON.
pub fn indicators_json(store: &Store, selection: &Selection) -> Result<String> {
    let ind = indicators::compute(store, selection)?;
    serde_json::to_string_pretty(&ind).map_err(|e| HubError::Internal(e.to_string()))
}
