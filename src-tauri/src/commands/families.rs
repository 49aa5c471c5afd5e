//! *Famiglie*: search as you type, a family's page, registering a family
//! (also inline, from a meeting), and merging duplicates.

use chrono::NaiveDate;
use crdt_sync::authz::{self, Action};
use crdt_sync::{
    AttendanceEntry, Consent, Consents, Erasure, ErasureReason, Families, FieldConflict, Household,
    HouseholdHit, HouseholdId, HouseholdPatch, LegalStatus, MemberId, MemberPatch, NewHousehold, NewMember,
    PersonId, Replication, RestrictionReason, WithdrawnScopes,
};
use serde::Serialize;
use tauri::State;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Everything the family page shows.
#[derive(Debug, Serialize, specta::Type)]
pub struct FamilyDetail {
    /// The family's data.
    pub household: Household,
    /// Every attendance, including those recorded for families merged into it.
    pub attendance: Vec<AttendanceEntry>,
    /// Other families that may be the same (similar names, same phone).
    pub duplicates: Vec<HouseholdHit>,
    /// Fields where two devices entered different values.
    pub conflicts: Vec<FieldConflict>,
}

/// A registered family's id and code.
#[derive(Debug, Serialize, specta::Type)]
pub struct Registered {
    /// Id.
    pub id: HouseholdId,
    /// Code for paper forms.
    pub code: String,
}

/// Families whose names or code start with the words typed (accents ignored).
#[tauri::command]
#[specta::specta]
pub async fn search_families(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> AppResult<Vec<HouseholdHit>> {
    state.with_personal_data(|s, _| Ok(s.search_households(&query, limit.min(200))?)).await
}

/// A family's page.
#[tauri::command]
#[specta::specta]
pub async fn get_family(state: State<'_, AppState>, id: HouseholdId) -> AppResult<FamilyDetail> {
    state
        .with_personal_data(|s, _| {
            Ok(FamilyDetail {
                household: s.household(id)?,
                attendance: s.attendance_history(id)?,
                duplicates: s.likely_duplicates(id, 10)?,
                conflicts: s.household_conflicts(id)?,
            })
        })
        .await
}

/// Registers a family. Its legal basis record (`family.consent`) is
/// required and checked (`invalid` with a `household.consent.*` field).
#[tauri::command]
#[specta::specta]
pub async fn register_family(state: State<'_, AppState>, family: NewHousehold) -> AppResult<Registered> {
    state
        .with_personal_data(|s, _| {
            let id = s.create_household(family)?;
            let code = s.household(id)?.code;
            Ok(Registered { id, code })
        })
        .await
}

/// Changes a family's contacts, areas, referral, consent or reference person.
#[tauri::command]
#[specta::specta]
pub async fn update_family(
    state: State<'_, AppState>,
    id: HouseholdId,
    patch: HouseholdPatch,
) -> AppResult<()> {
    state.with_personal_data(|s, _| Ok(s.update_household(id, patch)?)).await
}

/// Records a new legal basis record for a registered family (a newer
/// privacy notice, other scopes, a guardian for a child born since, or a
/// first record for a family that has none). Checked against the family's
/// members as they are now and not dated before the current record
/// (`invalid` with a `household.consent.*` field); `restricted` and `erased`
/// families are refused. The guardian is an adult member (by id) or a name.
/// Returns the family's status (`valid` again after a withdrawal older than
/// the new record).
#[tauri::command]
#[specta::specta]
pub async fn renew_consent(
    state: State<'_, AppState>,
    household: HouseholdId,
    consent: Consent,
) -> AppResult<LegalStatus> {
    state.with_personal_data(|s, _| Ok(s.renew_consent(household, consent)?)).await
}

/// Records that the family withdrew consent (some scopes or all). Returns
/// the family's status: `pending_decision` when the processing itself was
/// withdrawn (a coordinator then erases or restricts the family).
#[tauri::command]
#[specta::specta]
pub async fn withdraw_consent(
    state: State<'_, AppState>,
    id: HouseholdId,
    scopes: WithdrawnScopes,
    date: NaiveDate,
    recorded_by: PersonId,
) -> AppResult<LegalStatus> {
    state.with_personal_data(|s, _| Ok(s.withdraw_consent(id, scopes, date, recorded_by)?)).await
}

/// Restricts the family's processing (GDPR art. 18): frozen, left out of
/// exports. Coordinators (and the demo register).
#[tauri::command]
#[specta::specta]
pub async fn restrict_family(
    state: State<'_, AppState>,
    id: HouseholdId,
    reason: RestrictionReason,
    by: Option<PersonId>,
) -> AppResult<()> {
    state
        .with_personal_data(|s, _| {
            super::privacy::ensure_allowed(s, Action::Restrict, "restrict_family")?;
            Ok(s.restrict_household(id, reason, by)?)
        })
        .await
}

/// Lifts a restriction. Coordinators (and the demo register).
#[tauri::command]
#[specta::specta]
pub async fn lift_restriction(
    state: State<'_, AppState>,
    id: HouseholdId,
    by: Option<PersonId>,
) -> AppResult<()> {
    state
        .with_personal_data(|s, _| {
            super::privacy::ensure_allowed(s, Action::Restrict, "lift_restriction")?;
            Ok(s.lift_restriction(id, by)?)
        })
        .await
}

/// Adds a member to a family.
#[tauri::command]
#[specta::specta]
pub async fn add_member(
    state: State<'_, AppState>,
    household: HouseholdId,
    member: NewMember,
) -> AppResult<MemberId> {
    state.with_personal_data(|s, _| Ok(s.add_member(household, member)?)).await
}

/// Changes a member's name or birth year.
#[tauri::command]
#[specta::specta]
pub async fn update_member(
    state: State<'_, AppState>,
    household: HouseholdId,
    member: MemberId,
    patch: MemberPatch,
) -> AppResult<()> {
    state.with_personal_data(|s, _| Ok(s.update_member(household, member, patch)?)).await
}

/// Marks `loser` as the same family as `winner`. Nothing is deleted: the
/// lead can undo until the merge is confirmed.
#[tauri::command]
#[specta::specta]
pub async fn merge_families(
    state: State<'_, AppState>,
    loser: HouseholdId,
    winner: HouseholdId,
) -> AppResult<()> {
    state.with_personal_data(|s, _| Ok(s.merge_households(loser, winner)?)).await
}

/// Undoes a merge that is not confirmed yet.
#[tauri::command]
#[specta::specta]
pub async fn undo_merge(state: State<'_, AppState>, loser: HouseholdId) -> AppResult<()> {
    state.with_personal_data(|s, _| Ok(s.undo_merge(loser)?)).await
}

/// Confirms a merge: from now on it cannot be undone from the app.
#[tauri::command]
#[specta::specta]
pub async fn confirm_merge(state: State<'_, AppState>, loser: HouseholdId) -> AppResult<()> {
    state.with_personal_data(|s, _| Ok(s.confirm_merge(loser)?)).await
}

/// What an erasure command did.
#[derive(Debug, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErasureOutcome {
    /// Erased here (a coordinator, or the unpaired demo register); every
    /// other device erases it as it syncs. `codes`: the family's, then those
    /// of duplicates merged into it.
    Erased {
        /// Codes of the families erased.
        codes: Vec<String>,
    },
    /// A lead's request, recorded in the lab's document for a coordinator
    /// to confirm.
    Requested {
        /// The family's code.
        code: String,
    },
}

/// Erases a family (GDPR art. 17): coordinators erase, leads ask a
/// coordinator to, other roles may not. The lab's document keeps only the
/// order (code, time, who, why); the family's data leaves this computer's
/// file now and every other replica as it syncs.
#[tauri::command]
#[specta::specta]
pub async fn erase_family(
    state: State<'_, AppState>,
    id: HouseholdId,
    reason: ErasureReason,
) -> AppResult<ErasureOutcome> {
    state
        .with_personal_data(|s, _| {
            let role = s.hub_link()?.map(|l| l.role);
            if authz::allows(role, Action::Erase) {
                let done = s.erase_household(id, reason, s.operator())?;
                Ok(ErasureOutcome::Erased { codes: done.into_iter().map(|t| t.code).collect() })
            } else if authz::allows(role, Action::RequestErasure) {
                let request = s.request_erasure(id, reason, s.operator())?;
                Ok(ErasureOutcome::Requested { code: request.code })
            } else {
                Err(AppError::Forbidden { action: "erase_family".into() })
            }
        })
        .await
}
