//! Exports of the merged register: the files a coordinator hands to the
//! funder, for any set of labs and period ([`Selection`]).
//!
//! [`run`] reads the projection, builds the register's tables (meetings,
//! attendance, households, trainings) and writes them in the chosen
//! [`Format`]: CSV files (UTF-8 with BOM, `;`, `dd/mm/yyyy`) loose or in a
//! zip, one XLSX workbook (which adds the [`indicators`]
//! and the targets as two more sheets), or the printable PDF registers. Files come back as bytes ([`Export`]); where they
//! go (a save dialog, the hub's output directory) is the caller's business.
//!
//! **Pseudonymised by default.** A [`Privacy::Pseudonymised`] export carries
//! keyed pseudonyms (`F-7K3Q9M2X` for a family, `M-…` for a member, `S-…`
//! for staff: see [`PseudonymKey`] and decision 0012), birth years (a
//! minor's as an age band) and areas: no names, codes, phones, e-mails,
//! addresses or notes. Its
//! indicators show counts of families and people from 1 to 4 as `<5`, with
//! secondary suppression so none can be recovered by subtraction
//! (`suppress.rs`). Such an export cannot be asked for without the
//! project's key: the variant holds it. [`Privacy::Full`] shows names and
//! codes and counts everything; the caller decides who may ask for it
//! (coordinators), and every export is written to the audit log
//! ([`Store::audit_log`]) with its options, a full one as
//! [`AuditAction::FullExport`].
//!
//! [`Options`] hold the key, so they never cross to the front end: the UI
//! sends a [`Request`] (no key), and the Rust side adds the key it keeps
//! apart ([`Request::with_key`]).
//!
//! Long exports report [`Progress`] and stop with [`Error::Cancelled`] when
//! the caller sets the cancel flag (from another thread: a Cancel button, a
//! Ctrl-C handler).
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use taccuino_reports::export::{self, Format, Options, PseudonymKey};
//! use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Period, ProjectId, SeededEnv, Selection, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let config = DeviceConfig { device: DeviceId(uuid::Uuid::from_u128(1)),
//! #     project: ProjectId(uuid::Uuid::from_u128(2)), codes: CodeRange::new(1, 9999)? };
//! let mut store = Store::in_memory(config, Box::new(SeededEnv::with_seed(1)))?;
//! taccuino_demo::populate(&mut store, taccuino_demo::DemoSize::Small, 42)?;
//! let key = PseudonymKey::from_bytes([7; 32]); // PseudonymKey::generate, once per project
//! let options = Options::new(Selection::all_labs(Period::year(2026)?), Format::CsvZip, key);
//! let out = export::run(&mut store, &options, &|_| {}, &AtomicBool::new(false))?;
//! assert_eq!(out.files.len(), 1);
//! assert!(out.files[0].name.ends_with(".zip"));
//! # Ok(()) }
//! ```

mod certificate;
mod csv;
mod families;
mod labels;
mod monitoring;
mod pdf;
mod pseudonym;
mod register;
mod sign_in_sheet;
mod subject_access;
mod summary;
mod suppress;
mod table;
#[cfg(test)]
mod tests;
mod trail;
mod trainings;
mod volunteer_access;
mod volunteers;
mod xlsx;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize, Serializer};

pub use certificate::certificate;
pub use labels::Language;
pub use monitoring::monitoring;
pub use pseudonym::PseudonymKey;
pub use sign_in_sheet::sign_in_sheet;
pub use subject_access::{SUBJECT_ACCESS_FORMAT, SubjectAccess, subject_access};
pub use trail::audit_trail_csv;
pub use volunteer_access::{VOLUNTEER_ACCESS_FORMAT, VolunteerAccess, volunteer_access};
pub use volunteers::{VolunteersRegister, volunteers_register};

use crate::error::{Error, Result};
use crate::indicators;
use crdt_sync::{AuditAction, AuditLog, MeetingId, ProjectSettings, Selection, Store};
use table::Table;

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One CSV file per table: meetings, attendance, households, trainings.
    Csv,
    /// The CSV files in one zip.
    CsvZip,
    /// One workbook: a sheet per table, plus the indicators and the targets.
    Xlsx,
    /// The printable register: one PDF per lab and month of the selection.
    PdfMonths,
    /// The printable register of one meeting (it must be in the selection).
    PdfMeeting(MeetingId),
}

/// Whether names and contacts are included, as the front end asks for it
/// (in a [`Request`]); [`Privacy`] is the same choice with the key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    /// Pseudonyms, birth years and areas; small counts suppressed (the
    /// default, and what funders receive).
    #[default]
    Pseudonymised,
    /// Everything, names and codes included: coordinators only.
    Full,
}

/// Whether names and contacts are included.
///
/// A pseudonymised export needs the project's [`PseudonymKey`], so the
/// variant holds it: there is no way to ask for one without the key. It
/// serialises as `"pseudonymised"` or `"full"` (the audit log records it),
/// never with the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Privacy {
    /// Keyed pseudonyms instead of codes, birth years and areas; no names,
    /// contacts or notes; counts from 1 to 4 of the indicators shown as `<5`
    /// (what funders receive).
    Pseudonymised(PseudonymKey),
    /// Everything, names and codes included, nothing suppressed:
    /// coordinators only (the caller enforces it; the audit log records it).
    Full,
}

impl Privacy {
    /// The choice without the key.
    pub fn level(&self) -> PrivacyLevel {
        match self {
            Privacy::Pseudonymised(_) => PrivacyLevel::Pseudonymised,
            Privacy::Full => PrivacyLevel::Full,
        }
    }
}

impl Serialize for Privacy {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.level().serialize(s)
    }
}

/// What to export, as the front end asks for it: [`Options`] without the
/// key, which the Rust side adds ([`Request::with_key`]). The key never
/// crosses to TypeScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Request {
    /// Which labs and which period.
    pub selection: Selection,
    /// The format.
    pub format: Format,
    /// Pseudonymised (default) or full.
    #[serde(default)]
    pub privacy: PrivacyLevel,
    /// The language of headers and words (Italian by default).
    #[serde(default)]
    pub language: Language,
}

impl Request {
    /// The options of this request, with the project's pseudonym key (which
    /// a full export does not use).
    pub fn with_key(self, key: PseudonymKey) -> Options {
        let privacy = match self.privacy {
            PrivacyLevel::Pseudonymised => Privacy::Pseudonymised(key),
            PrivacyLevel::Full => Privacy::Full,
        };
        Options { selection: self.selection, format: self.format, privacy, language: self.language }
    }
}

/// What to export. Serialises (for the audit log) without the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Which labs and which period.
    pub selection: Selection,
    /// The format.
    pub format: Format,
    /// Pseudonymised (with the key) or full.
    pub privacy: Privacy,
    /// The language of headers and words (Italian by default).
    pub language: Language,
}

impl Options {
    /// A pseudonymised export in Italian, with the project's key.
    pub fn new(selection: Selection, format: Format, key: PseudonymKey) -> Options {
        Options { selection, format, privacy: Privacy::Pseudonymised(key), language: Language::default() }
    }

    /// A full export (names and codes) in Italian: coordinators only.
    pub fn full(selection: Selection, format: Format) -> Options {
        Options { selection, format, privacy: Privacy::Full, language: Language::default() }
    }
}

/// Where an export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the register from the database.
    Reading,
    /// Writing rows of a table, or sheets of a register (its file name stem).
    Writing(&'static str),
    /// Compressing the files (zip, xlsx).
    Packing,
    /// Finished: the last report, with `done == total`.
    Done,
}

/// A progress report: `done` of `total` units (rows, plus one per table read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct Progress {
    /// What is happening.
    pub stage: Stage,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// One exported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    /// Its file name (`presenze.csv`, `registro_lab03_2026-03.pdf`).
    pub name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// The result of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The files, in a stable order.
    pub files: Vec<ExportFile>,
}

/// Progress reporting and the cancel flag, threaded through the writers.
pub(crate) struct Ctl<'a> {
    progress: &'a dyn Fn(Progress),
    cancel: &'a AtomicBool,
    done: u64,
    total: u64,
}

/// Rows between two progress reports (and cancel checks).
const REPORT_EVERY: u64 = 500;

impl Ctl<'_> {
    pub(crate) fn check(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) { Err(Error::Cancelled) } else { Ok(()) }
    }

    /// Reports `stage` and checks the cancel flag.
    pub(crate) fn stage(&mut self, stage: Stage) -> Result<()> {
        self.check()?;
        (self.progress)(Progress { stage, done: self.done.min(self.total), total: self.total });
        Ok(())
    }

    /// One unit done, reported.
    pub(crate) fn step(&mut self, stage: Stage) -> Result<()> {
        self.done += 1;
        self.stage(stage)
    }

    /// One unit done; every few hundred, a report and a cancel check.
    pub(crate) fn row(&mut self, stage: Stage) -> Result<()> {
        self.done += 1;
        if self.done.is_multiple_of(REPORT_EVERY) { self.stage(stage) } else { Ok(()) }
    }
}

/// A text column, borrowed.
pub(crate) fn text(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<&str> {
    Ok(v.as_str()?)
}

pub(crate) fn parse_date(s: String) -> Result<NaiveDate> {
    s.parse().map_err(|_| Error::internal(format!("the projection holds an invalid date {s:?}")))
}

/// What the audit log records of an export.
#[derive(Serialize)]
struct AuditDetails<'a> {
    options: &'a Options,
    files: Vec<&'a str>,
    /// Data rows written (tables), or meeting sheets (PDF registers).
    rows: u64,
    /// The pseudonym key's fingerprint (never the key), in a pseudonymised export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pseudonym_key: Option<String>,
    /// Which report, when it is not the register (`"monitoring"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'static str>,
}

/// Appends an export's row to the audit log: [`AuditAction::Export`], or
/// [`AuditAction::FullExport`] for a full one, with the options (never the
/// key: its fingerprint), the files and the rows.
fn record(
    store: &mut Store,
    options: &Options,
    files: &[ExportFile],
    rows: u64,
    report: Option<&'static str>,
) -> Result<()> {
    let action = match options.privacy {
        Privacy::Pseudonymised(_) => AuditAction::Export,
        Privacy::Full => AuditAction::FullExport,
    };
    let pseudonym_key = match &options.privacy {
        Privacy::Pseudonymised(key) => Some(key.fingerprint()),
        Privacy::Full => None,
    };
    let names = files.iter().map(|f| f.name.as_str()).collect();
    let details = AuditDetails { options, files: names, rows, pseudonym_key, report };
    store.record_audit(action, &details)?;
    Ok(())
}

/// Runs an export. `progress` is called from this thread as it goes;
/// setting `cancel` (from any thread) stops it with [`Error::Cancelled`],
/// and nothing is returned or logged. On success one row is appended to
/// the audit log.
///
/// Errors: an invalid period or an unknown lab ([`Error::Register`] (`Invalid`),
/// [`Error::Register`] (`NotFound`)), a [`Format::PdfMeeting`] outside the selection,
/// [`Error::Cancelled`], or a writer failure ([`Error::ExportFailed`]).
pub fn run(
    store: &mut Store,
    options: &Options,
    progress: &dyn Fn(Progress),
    cancel: &AtomicBool,
) -> Result<Export> {
    let mut ctl = Ctl { progress, cancel, done: 0, total: 6 };
    ctl.stage(Stage::Reading)?;
    let period = options.selection.period.checked()?;
    let labs = store.resolve_labs(&options.selection.labs)?;
    let lab_ids: Vec<String> = labs.iter().map(|l| l.id.to_string()).collect();
    let stem = labels::Label::FileRegister.text(options.language);
    let name = |ext: &str| format!("{stem}_{}_{}.{ext}", period.from, period.to);
    let ctx = register::Ctx::new(store.reader(), options, &lab_ids)?;
    let rows;
    let files = match options.format {
        Format::PdfMonths | Format::PdfMeeting(_) => {
            let mut attendance = register::attendance_rows(&ctx)?;
            let mut meetings = register::meeting_rows(&ctx, &attendance)?;
            if let Format::PdfMeeting(id) = options.format {
                meetings.retain(|m| m.id == id.to_string());
                if meetings.is_empty() {
                    return Err(Error::invalid(
                        "export.meeting",
                        format!("meeting {id} is not in the selection"),
                    ));
                }
            }
            ctl.step(Stage::Reading)?;
            if let Format::PdfMeeting(id) = options.format {
                let id = id.to_string();
                attendance.retain(|a| a.meeting_id == id);
            }
            rows = meetings.len() as u64;
            ctl.total = ctl.done + rows;
            ctl.stage(Stage::Reading)?;
            pdf::registers(&ctx, &meetings, &attendance, options.format != Format::PdfMonths, &mut ctl)?
        }
        Format::Csv | Format::CsvZip | Format::Xlsx => {
            let tables = tables(store, &ctx, options, &mut ctl)?;
            rows = tables.iter().map(|t| t.rows.len() as u64).sum::<u64>();
            ctl.total = ctl.done + rows;
            ctl.stage(Stage::Reading)?;
            match options.format {
                Format::Xlsx => vec![xlsx::workbook(name("xlsx"), &tables, options.language, &mut ctl)?],
                Format::CsvZip => {
                    let files = csv::files(&tables, options.language, &mut ctl)?;
                    vec![csv::zip(name("zip"), &files, &mut ctl)?]
                }
                _ => csv::files(&tables, options.language, &mut ctl)?,
            }
        }
    };
    drop(ctx);
    ctl.check()?;
    record(store, options, &files, rows, None)?;
    ctl.done = ctl.total;
    (ctl.progress)(Progress { stage: Stage::Done, done: ctl.total, total: ctl.total });
    Ok(Export { files })
}

/// Every table of a tabular export, read in turn (one progress unit each):
/// the register's four, plus the indicators and targets for a workbook.
fn tables(
    store: &Store,
    ctx: &register::Ctx<'_>,
    options: &Options,
    ctl: &mut Ctl<'_>,
) -> Result<Vec<Table>> {
    let mut out = Vec::new();
    let attendance = register::attendance_rows(ctx)?;
    ctl.step(Stage::Reading)?;
    out.push(register::meetings(ctx, &attendance)?);
    out.push(register::attendance(ctx, attendance));
    ctl.step(Stage::Reading)?;
    out.push(families::households(ctx)?);
    ctl.step(Stage::Reading)?;
    out.push(trainings::trainings(ctx)?);
    out.push(trainings::training_attendance(ctx)?);
    ctl.step(Stage::Reading)?;
    // The workbook carries the indicators too; the CSV files are the
    // register's four tables, as issue 5 lists them.
    if options.format == Format::Xlsx {
        let ind = indicators::compute(store, &options.selection)?;
        let indicators = summary::indicators(ctx, &ind);
        let targets = summary::targets(ctx, &ind, &indicators);
        out.extend([indicators, targets]);
    }
    ctl.step(Stage::Reading)?;
    Ok(out)
}
