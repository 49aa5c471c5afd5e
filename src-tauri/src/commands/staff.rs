//! *Operatori e volontari* and *Formazione*: the roster, the training
//! register, and each person's hours against the threshold that counts as
//! trained.

use crdt_sync::authz::Action;
use crdt_sync::{
    LabId, NewPerson, NewTraining, Person, PersonId, PersonPatch, PresenceRecord, ProjectSettings, Staff,
    TrainingId, TrainingPatch, TrainingSession,
};
use serde::Serialize;
use taccuino_reports::export::ExportFile;
use taccuino_reports::indicators::PersonTraining;
use tauri::{AppHandle, Runtime, State};

use super::privacy::ensure_allowed;
use super::reports::Saved;
use crate::error::AppResult;
use crate::files::write_atomically;
use crate::files_dialog::chooser;
use crate::state::AppState;

/// The training register with everyone's progress.
#[derive(Debug, Serialize, specta::Type)]
pub struct TrainingRegister {
    /// Sessions, by date.
    pub sessions: Vec<TrainingSession>,
    /// Hours per person, against [`threshold_hours`](Self::threshold_hours).
    pub people: Vec<PersonTraining>,
    /// Hours of training that count as trained (the project's setting).
    pub threshold_hours: u32,
}

/// Operators and volunteers of a lab (all labs with `null`), by name.
#[tauri::command]
#[specta::specta]
pub async fn list_staff(state: State<'_, AppState>, lab: Option<LabId>) -> AppResult<Vec<Person>> {
    state.with_store(|s, _| Ok(s.persons(lab)?)).await
}

/// Adds an operator or volunteer to a lab's roster.
#[tauri::command]
#[specta::specta]
pub async fn add_staff(state: State<'_, AppState>, person: NewPerson) -> AppResult<PersonId> {
    state.with_store(|s, _| Ok(s.create_person(person)?)).await
}

/// Changes a person's details.
#[tauri::command]
#[specta::specta]
pub async fn update_staff(state: State<'_, AppState>, id: PersonId, patch: PersonPatch) -> AppResult<()> {
    state
        .with_store(|s, _| {
            super::privacy::ensure_may_write(s, crdt_sync::DocRef::person(id), "update_staff")?;
            Ok(s.update_person(id, patch)?)
        })
        .await
}

/// The training register.
#[tauri::command]
#[specta::specta]
pub async fn training_register(state: State<'_, AppState>) -> AppResult<TrainingRegister> {
    state
        .with_store(|s, _| {
            Ok(TrainingRegister {
                sessions: s.trainings()?,
                people: taccuino_reports::indicators::training_by_person(s)?,
                threshold_hours: s.targets()?.trained_hours,
            })
        })
        .await
}

/// Records a training session.
#[tauri::command]
#[specta::specta]
pub async fn add_training(state: State<'_, AppState>, training: NewTraining) -> AppResult<TrainingId> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepTrainingRegister, "add_training")?;
            Ok(s.create_training(training)?)
        })
        .await
}

/// Changes a training session's date, title or length.
#[tauri::command]
#[specta::specta]
pub async fn update_training(
    state: State<'_, AppState>,
    id: TrainingId,
    patch: TrainingPatch,
) -> AppResult<()> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepTrainingRegister, "update_training")?;
            Ok(s.update_training(id, patch)?)
        })
        .await
}

/// Ticks or unticks a person at a training session.
#[tauri::command]
#[specta::specta]
pub async fn set_training_presence(
    state: State<'_, AppState>,
    training: TrainingId,
    person: PersonId,
    present: bool,
) -> AppResult<()> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepTrainingRegister, "set_training_presence")?;
            Ok(s.set_training_attendance(training, person, present)?)
        })
        .await
}

/// Records when a person arrived at and left a training session, or the
/// minutes they attended when only that is known (`record` is the whole of
/// it: an empty field clears it), marking them present. Those who keep the
/// training register (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn record_training_times(
    state: State<'_, AppState>,
    training: TrainingId,
    person: PersonId,
    record: PresenceRecord,
) -> AppResult<()> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepTrainingRegister, "record_training_times")?;
            Ok(s.record_training_presence(training, person, record)?)
        })
        .await
}

/// Saves a PDF where the user chooses; `Ok(None)` when the dialog was closed.
fn save<R: Runtime>(app: &AppHandle<R>, file: &ExportFile) -> AppResult<Option<Saved>> {
    let Some(path) = chooser(app).save_file(&file.name)? else { return Ok(None) };
    write_atomically(&path, &file.bytes)?;
    Ok(Some(Saved { paths: vec![path.display().to_string()] }))
}

/// The sign-in sheet of a session, to print before it: a row per expected
/// participant with boxes for the arrival and departure signatures and
/// times. Those who keep the training register. `Ok(None)` when the dialog
/// was closed.
#[tauri::command]
#[specta::specta]
pub async fn export_sign_in_sheet<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    training: TrainingId,
) -> AppResult<Option<Saved>> {
    let file = state
        .with_store(|s, settings| {
            ensure_allowed(s, Action::KeepTrainingRegister, "export_sign_in_sheet")?;
            Ok(taccuino_reports::export::sign_in_sheet(s, training, settings.language)?)
        })
        .await?;
    save(&app, &file)
}

/// A person's certificate of attendance (sessions, minutes attended,
/// completed or not, totals in hours), issued today. Those who keep the
/// training register. `Ok(None)` when the dialog was closed.
#[tauri::command]
#[specta::specta]
pub async fn export_training_certificate<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    person: PersonId,
) -> AppResult<Option<Saved>> {
    let file = state
        .with_store(|s, settings| {
            ensure_allowed(s, Action::KeepTrainingRegister, "export_training_certificate")?;
            let today = s.today();
            Ok(taccuino_reports::export::certificate(s, person, today, settings.language)?)
        })
        .await?;
    save(&app, &file)
}
