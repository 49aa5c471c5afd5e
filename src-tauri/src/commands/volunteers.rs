//! *Registro dei volontari* (CTS art. 17): the organisation's coordinator
//! keeps each volunteer's entry, sees its history and the meetings led by a
//! volunteer the register does not cover, and exports the yearly register
//! (PDF and CSV with their digest). Who may keep which entry is decided by
//! the store with the authz table (decision 0033); these are adapters.

use chrono::{Datelike, NaiveDate};
use crdt_sync::authz::Action;
use crdt_sync::{
    CoverWarning, Environment, ErasureReason, Organisation, OrganisationId, Person, PersonId, Retention,
    Role, Staff, SystemEnv, VolunteerChange, VolunteerDue, VolunteerEntry, VolunteerRecord,
    VolunteerRegister, VolunteerTombstone,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::privacy::ensure_allowed;
use super::reports::Saved;
use crate::error::{AppError, AppResult};
use crate::files::write_atomically;
use crate::files_dialog::chooser;
use crate::state::AppState;

/// One volunteer and, when this device keeps it, their entry.
#[derive(Debug, Serialize, specta::Type)]
pub struct VolunteerRow {
    /// The person (name, code, labs).
    pub person: Person,
    /// Their entry in this device's organisation's register.
    pub record: Option<VolunteerRecord>,
}

/// What the register screen shows.
#[derive(Debug, Serialize, specta::Type)]
pub struct VolunteersView {
    /// The organisation this device keeps the register of (`None`: this
    /// device keeps none; the screen says so).
    pub organisation: Option<Organisation>,
    /// The project's partner organisations.
    pub organisations: Vec<Organisation>,
    /// Every volunteer, by name, with the entries this device keeps.
    pub rows: Vec<VolunteerRow>,
    /// Meetings of this year led by a volunteer the register does not cover.
    pub warnings: Vec<CoverWarning>,
    /// Entries of this organisation due for erasure today under the
    /// project's retention policy (decision 0033).
    pub due: Vec<VolunteerDue>,
    /// Entries of this organisation that were erased (what is left: the
    /// tombstone; the person stays).
    pub erased: Vec<VolunteerTombstone>,
    /// Whole years an entry is kept after the volunteering ended (the
    /// project's retention policy).
    pub retention_years: u32,
}

/// The register as this device keeps it.
#[tauri::command]
#[specta::specta]
pub async fn volunteers_view(state: State<'_, AppState>) -> AppResult<VolunteersView> {
    state
        .with_store(|s, _| {
            let organisations = s.organisations()?;
            let own = s.own_organisation()?;
            let organisation = organisations.iter().find(|o| Some(o.id) == own).cloned();
            let mut rows = Vec::new();
            for person in s.persons(None)?.into_iter().filter(|p| p.role == Role::Volunteer) {
                let record = if organisation.is_some() { s.volunteer(person.id)? } else { None };
                rows.push(VolunteerRow { person, record });
            }
            let year = SystemEnv.today().year();
            let warnings = match (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
            {
                (Some(from), Some(to)) if organisation.is_some() => s.facilitator_cover(from, to)?,
                _ => Vec::new(),
            };
            let (due, erased) = if organisation.is_some() {
                (s.volunteers_due(SystemEnv.today())?, s.erased_volunteers()?)
            } else {
                (Vec::new(), Vec::new())
            };
            let retention_years = s.retention_policy()?.volunteer_years;
            Ok(VolunteersView { organisation, organisations, rows, warnings, due, erased, retention_years })
        })
        .await
}

/// Creates or changes a volunteer's entry (the organisation's coordinators).
#[tauri::command]
#[specta::specta]
pub async fn keep_volunteer(
    state: State<'_, AppState>,
    person: PersonId,
    entry: VolunteerEntry,
) -> AppResult<VolunteerRecord> {
    // Another organisation's entry, or no organisation: `Forbidden`.
    state.with_store(|s, _| Ok(s.keep_volunteer(person, entry)?)).await
}

/// Every change to one entry, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn volunteer_history(
    state: State<'_, AppState>,
    person: PersonId,
) -> AppResult<Vec<VolunteerChange>> {
    state.with_store(|s, _| Ok(s.volunteer_history(person)?)).await
}

/// Adds a partner organisation to the project (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn add_organisation(state: State<'_, AppState>, name: String) -> AppResult<OrganisationId> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ChangeProjectSettings, "add_organisation")?;
            Ok(s.add_organisation(&name)?)
        })
        .await
}

/// Writes the register of `year` (PDF and CSV) into a folder the user
/// picks. `Ok(None)` when the dialog was closed.
#[tauri::command]
#[specta::specta]
pub async fn export_volunteers_register<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    year: i32,
) -> AppResult<Option<Saved>> {
    let organisation = state.with_store(|s, _| Ok(s.own_organisation()?)).await?;
    let Some(organisation) = organisation else {
        return Err(AppError::Forbidden { action: "export_volunteers_register".into() });
    };
    let Some(folder) = chooser(&app).pick_folder()? else { return Ok(None) };
    let register = state
        .with_store(|s, settings| {
            Ok(taccuino_reports::export::volunteers_register(s, organisation, year, settings.language)?)
        })
        .await?;
    let mut paths = Vec::new();
    for file in [&register.pdf, &register.csv] {
        let path = folder.join(&file.name);
        write_atomically(&path, &file.bytes)?;
        paths.push(path.display().to_string());
    }
    Ok(Some(Saved { paths }))
}

/// Erases a volunteer's entry (GDPR art. 17; decision 0033): the
/// organisation's coordinators only (the authz table, through the store).
/// The signed yearly registers already printed keep it; the app says so
/// before asking.
#[tauri::command]
#[specta::specta]
pub async fn erase_volunteer(
    state: State<'_, AppState>,
    person: PersonId,
    reason: ErasureReason,
) -> AppResult<VolunteerTombstone> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepVolunteersRegister, "erase_volunteer")?;
            Ok(s.erase_volunteer(person, reason, s.operator())?)
        })
        .await
}

/// Erases the entries the coordinator confirmed from the retention list,
/// if they are all still due today (otherwise nothing is erased).
#[tauri::command]
#[specta::specta]
pub async fn erase_volunteers_due(
    state: State<'_, AppState>,
    confirmed: Vec<PersonId>,
) -> AppResult<Vec<VolunteerTombstone>> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepVolunteersRegister, "erase_volunteers_due")?;
            let today = SystemEnv.today();
            Ok(s.erase_volunteers_due(today, &confirmed, s.operator())?)
        })
        .await
}

/// Everything held in the register about one volunteer (GDPR arts. 15 and
/// 20), a JSON file and a PDF written into a folder the user picks;
/// recorded in the audit log. The organisation's coordinators (who alone
/// hold the entry). `Ok(None)` when the dialog was closed.
#[tauri::command]
#[specta::specta]
pub async fn volunteer_access<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    person: PersonId,
) -> AppResult<Option<Saved>> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::KeepVolunteersRegister, "volunteer_access")?;
            match s.volunteer(person)? {
                Some(_) => Ok(()),
                None => Err(AppError::NotFound { what: "volunteer".into() }),
            }
        })
        .await?;
    let Some(folder) = chooser(&app).pick_folder()? else { return Ok(None) };
    let extract = state
        .with_store(|s, settings| {
            Ok(taccuino_reports::export::volunteer_access(s, person, settings.language)?)
        })
        .await?;
    let mut paths = Vec::new();
    for file in extract.files() {
        let path = folder.join(&file.name);
        write_atomically(&path, &file.bytes)?;
        paths.push(path.display().to_string());
    }
    Ok(Some(Saved { paths }))
}
