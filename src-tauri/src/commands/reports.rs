//! *Indicatori* and *Esportazioni*: the grant's figures and the files for
//! the funder. Files are written by Rust, where the user chose in a native
//! save dialog: the webview never touches the file system.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crdt_sync::{AuditEntry, AuditLog, Selection};
use serde::Serialize;
use taccuino_reports::export::{self, Format, PrivacyLevel, Progress, PseudonymKey, Request};
use taccuino_reports::indicators::Indicators;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::error::{AppError, AppResult};
use crate::files::write_atomically;
use crate::files_dialog::chooser;
use crate::state::{AppState, Paths};

/// Set while an export runs; [`cancel_export`] raises it.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// The files an export wrote.
#[derive(Debug, Serialize, specta::Type)]
pub struct Saved {
    /// Full paths, for the confirmation message.
    pub paths: Vec<String>,
}

/// Indicators for a set of labs and a period: per lab and month, totals,
/// and progress against the project's targets.
#[tauri::command]
#[specta::specta]
pub async fn indicators(state: State<'_, AppState>, selection: Selection) -> AppResult<Indicators> {
    state.with_store(|s, _| Ok(taccuino_reports::indicators::compute(s, &selection)?)).await
}

/// Asks where to save, then writes the export there, reporting progress on
/// `progress`. `Ok(None)` when the user closed the dialog. A full export
/// (names included) is recorded in the audit log by the core.
#[tauri::command]
#[specta::specta]
pub async fn export_register<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    options: Request,
    progress: Channel<Progress>,
) -> AppResult<Option<Saved>> {
    save_export(&app, &state, options, progress, Report::Register).await
}

/// The half-yearly monitoring (per semester, partner, lab, and trained
/// staff by organisation) for the selection, as a workbook
/// (`xlsx`) or CSV files (`csv`, `csv_zip`), pseudonymised unless `full`:
/// asks where to save, then writes it there, like [`export_register`], and
/// the core records it in the audit log. A PDF format is refused
/// (`invalid`, `export.format`).
#[tauri::command]
#[specta::specta]
pub async fn export_monitoring<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    options: Request,
    progress: Channel<Progress>,
) -> AppResult<Option<Saved>> {
    save_export(&app, &state, options, progress, Report::Monitoring).await
}

/// Which export a command writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Report {
    Register,
    Monitoring,
}

async fn save_export<R: Runtime>(
    app: &AppHandle<R>,
    state: &State<'_, AppState>,
    options: Request,
    progress: Channel<Progress>,
    report: Report,
) -> AppResult<Option<Saved>> {
    if report == Report::Monitoring && matches!(options.format, Format::PdfMonths | Format::PdfMeeting(_)) {
        // Refused before the save dialog: nothing to choose a place for.
        let reason = "the monitoring is a workbook or CSV files, not a PDF".to_owned();
        return Err(crdt_sync::Error::Invalid { field: "export.format", reason }.into());
    }
    let multi = matches!(options.format, Format::Csv | Format::PdfMonths);
    let files_dialog = chooser(app);
    let target = if multi {
        files_dialog.pick_folder()?
    } else {
        files_dialog.save_file(&suggested_name(&options, report))?
    };
    let Some(target) = target else { return Ok(None) };
    let options = options.with_key(pseudonym_key(&state.paths)?);
    CANCEL.store(false, Ordering::SeqCst);
    let files = state
        .with_store(|s, _| {
            let send = |p: Progress| {
                let _ = progress.send(p);
            };
            Ok(match report {
                Report::Register => export::run(s, &options, &send, &CANCEL)?,
                Report::Monitoring => export::monitoring(s, &options, &send, &CANCEL)?,
            })
        })
        .await?;
    let mut paths = Vec::new();
    for f in files.files {
        let path = if multi { target.join(&f.name) } else { target.clone() };
        write_atomically(&path, &f.bytes)?;
        paths.push(path.display().to_string());
    }
    Ok(Some(Saved { paths }))
}

/// Stops the running export at its next row; it then fails with
/// `cancelled` and writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn cancel_export() -> AppResult<()> {
    CANCEL.store(true, Ordering::SeqCst);
    Ok(())
}

/// The most recent entries of the audit log (exports, erasures), newest first.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(state: State<'_, AppState>, limit: u32) -> AppResult<Vec<AuditEntry>> {
    state.with_store(|s, _| Ok(s.audit_log(limit.min(1000))?)).await
}

fn suggested_name(o: &Request, report: Report) -> String {
    let p = o.selection.period;
    let kind = match (report, o.privacy) {
        (Report::Register, PrivacyLevel::Full) => "registro-completo",
        (Report::Register, PrivacyLevel::Pseudonymised) => "registro",
        (Report::Monitoring, PrivacyLevel::Full) => "monitoraggio-completo",
        (Report::Monitoring, PrivacyLevel::Pseudonymised) => "monitoraggio",
    };
    let ext = match o.format {
        Format::CsvZip => "zip",
        Format::Xlsx => "xlsx",
        Format::PdfMeeting(_) => "pdf",
        Format::Csv | Format::PdfMonths => "",
    };
    let name: PathBuf = format!("{kind}-{}-{}.{ext}", p.from, p.to).into();
    name.display().to_string()
}

/// The project's key for pseudonyms in funder exports, kept beside the
/// register in `pseudonym.key` and never in an export. A coordinator copies
/// the hub's `pseudonym.key` here so that the laptop's exports and the
/// hub's give each family the same pseudonym; without one, the first
/// pseudonymised export makes a key for this computer.
fn pseudonym_key(paths: &Paths) -> AppResult<PseudonymKey> {
    let path = paths.pseudonym_key();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(PseudonymKey::from_text(text.trim())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = PseudonymKey::generate(&mut rand::rng())?;
            let mut text = key.to_text();
            text.push('\n');
            write_atomically(&path, text.as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(AppError::file(&path, e)),
    }
}
