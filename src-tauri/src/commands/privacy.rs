//! *Riservatezza*: the project's retention policy and the families due
//! under it (coordinators confirm, then they are erased), what waits for a
//! coordinator's decision (erasures leads asked for, families that withdrew
//! the processing), the audit trail of
//! a family or a lab (and its CSV for the data protection officer), and the
//! lock on families' personal data of a laptop that has not synced for too
//! long, so that an erasure reaches every laptop within a bounded time.

use crdt_sync::authz::{self, Action, Grant};
use crdt_sync::{
    AuditTrail, Consents, DocRef, Erasure, ErasureRequest, HouseholdId, Replication, Retention, RetentionDue,
    RetentionPolicy, Store, TrailEntry, TrailScope, VolunteerRegister, WithdrawnFamily,
};
use serde::Serialize;
use taccuino_reports::export::audit_trail_csv;
use tauri::{AppHandle, Runtime, State};

use super::reports::Saved;
use crate::error::{AppError, AppResult};
use crate::files::write_atomically;
use crate::files_dialog::chooser;
use crate::state::AppState;

/// Refuses `action` unless this device's role allows it
/// ([`crdt_sync::authz::allows`]: the one table, which the UI reads too);
/// `command` names the refused command in the error. The demo register is
/// not paired and may do everything.
pub(crate) fn ensure_allowed(s: &Store, action: Action, command: &str) -> AppResult<()> {
    if authz::allows(s.hub_link()?.map(|l| l.role), action) {
        Ok(())
    } else {
        Err(AppError::Forbidden { action: command.into() })
    }
}

/// Refuses a change to `doc` that the hub would refuse from this device
/// ([`crdt_sync::authz::access`], with what this register knows of who
/// created the document): a person a coordinator registered is read-only
/// for a lab's devices. Saving it here would leave a change the hub never
/// takes. The demo register is not paired and may write everything.
pub(crate) fn ensure_may_write(s: &mut Store, doc: DocRef, command: &str) -> AppResult<()> {
    if may_write(s, doc)? { Ok(()) } else { Err(AppError::Forbidden { action: command.into() }) }
}

/// Whether [`ensure_may_write`] lets this device change `doc` (to offer
/// the change only where it would be taken).
pub(crate) fn may_write(s: &mut Store, doc: DocRef) -> AppResult<bool> {
    let Some(link) = s.hub_link()? else { return Ok(true) };
    // The organisation, as the directory the hub writes says (the link
    // made at pairing predates it).
    let organisation = s.own_organisation()?;
    let grant = Grant { role: link.role, lab: link.lab, organisation };
    let facts = s.doc_facts(doc)?;
    Ok(authz::access(grant, doc, &facts).can_write())
}

/// The project's retention policy and stale-laptop limit.
#[tauri::command]
#[specta::specta]
pub async fn privacy_settings(state: State<'_, AppState>) -> AppResult<RetentionPolicy> {
    state.with_store(|s, _| Ok(s.retention_policy()?)).await
}

/// Changes them (coordinators); devices receive them as they sync.
#[tauri::command]
#[specta::specta]
pub async fn set_privacy_settings(state: State<'_, AppState>, policy: RetentionPolicy) -> AppResult<()> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ChangeProjectSettings, "set_privacy_settings")?;
            Ok(s.set_retention_policy(policy)?)
        })
        .await
}

/// The families due for erasure today under the policy (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn retention_due(state: State<'_, AppState>) -> AppResult<Vec<RetentionDue>> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::DecidePrivacy, "retention_due")?;
            let today = crdt_sync::Environment::today(&mut crdt_sync::SystemEnv);
            Ok(s.retention_due(today)?)
        })
        .await
}

/// What waits for a coordinator's decision.
#[derive(Debug, Serialize, specta::Type)]
pub struct PendingDecisions {
    /// Erasures leads asked for, not yet confirmed (by erasing the family).
    pub erasure_requests: Vec<ErasureRequest>,
    /// Families that withdrew the processing itself: a coordinator erases
    /// or restricts each.
    pub withdrawn: Vec<WithdrawnFamily>,
}

/// What waits for a coordinator's decision, in every lab this device
/// holds: erasures asked for by leads, and families that withdrew the
/// processing (erase or restrict them). Codes and ids only; coordinators
/// (and the demo register).
#[tauri::command]
#[specta::specta]
pub async fn pending_decisions(state: State<'_, AppState>) -> AppResult<PendingDecisions> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::DecidePrivacy, "pending_decisions")?;
            Ok(PendingDecisions {
                erasure_requests: s.erasure_requests(None)?,
                withdrawn: s.withdrawn_families(None)?,
            })
        })
        .await
}

/// Erases the families the coordinator confirmed, if they are all still
/// due (otherwise nothing is erased and the list must be looked at again).
/// Returns the codes erased.
#[tauri::command]
#[specta::specta]
pub async fn erase_due(state: State<'_, AppState>, confirmed: Vec<HouseholdId>) -> AppResult<Vec<String>> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::Erase, "erase_due")?;
            let today = crdt_sync::Environment::today(&mut crdt_sync::SystemEnv);
            Ok(s.erase_due(today, &confirmed, s.operator())?.into_iter().map(|t| t.code).collect())
        })
        .await
}

/// Who did what to a family or a lab, oldest first. Ids and codes only;
/// coordinators and leads.
#[tauri::command]
#[specta::specta]
pub async fn audit_trail(state: State<'_, AppState>, scope: TrailScope) -> AppResult<Vec<TrailEntry>> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ReadAuditTrail, "audit_trail")?;
            Ok(s.audit_trail(scope)?)
        })
        .await
}

/// Saves the trail of `scope` as CSV for the data protection officer.
/// `Ok(None)` when the dialog was closed.
#[tauri::command]
#[specta::specta]
pub async fn export_audit_trail<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    scope: TrailScope,
) -> AppResult<Option<Saved>> {
    let file = state
        .with_store(|s, settings| {
            ensure_allowed(s, Action::ReadAuditTrail, "export_audit_trail")?;
            Ok(audit_trail_csv(&s.audit_trail(scope)?, settings.language)?)
        })
        .await?;
    let Some(path) = chooser(&app).save_file(&file.name)? else { return Ok(None) };
    write_atomically(&path, &file.bytes)?;
    Ok(Some(Saved { paths: vec![path.display().to_string()] }))
}

/// Everything held about one family (GDPR arts. 15 and 20), written into a
/// folder the user picks: a JSON file and a PDF to hand over. Recorded in
/// the audit log. Coordinators and leads. `Ok(None)` when the dialog was
/// closed.
#[tauri::command]
#[specta::specta]
pub async fn subject_access<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: HouseholdId,
) -> AppResult<Option<Saved>> {
    state.with_personal_data(|s, _| ensure_allowed(s, Action::ReadAuditTrail, "subject_access")).await?;
    let Some(folder) = chooser(&app).pick_folder()? else { return Ok(None) };
    let extract = state
        .with_personal_data(|s, settings| {
            Ok(taccuino_reports::export::subject_access(s, id, settings.language)?)
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
