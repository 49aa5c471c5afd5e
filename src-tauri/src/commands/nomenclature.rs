//! *Impostazioni*, the areas of the social-services nomenclature: the
//! areas the district reports with (code and name, entered by a
//! coordinator) and the area each activity type is mapped to, which the
//! half-yearly monitoring adds up by (decision 0032). Reading is for
//! everyone; every change needs `Action::ChangeProjectSettings`.

use crdt_sync::authz::Action;
use crdt_sync::{ActivityType, NomenclatureArea, ProjectSettings};
use serde::Serialize;
use tauri::State;

use super::privacy::ensure_allowed;
use crate::error::AppResult;
use crate::state::AppState;

/// The project's areas and its activity types with their mapping.
#[derive(Debug, Serialize, specta::Type)]
pub struct NomenclatureView {
    /// The areas, by code.
    pub areas: Vec<NomenclatureArea>,
    /// The activity types, by key; `nomenclature` is the code of the
    /// area each is mapped to, `null` when not mapped.
    pub activity_types: Vec<ActivityType>,
}

fn view(s: &crdt_sync::Store) -> AppResult<NomenclatureView> {
    Ok(NomenclatureView { areas: s.nomenclature_areas()?, activity_types: s.activity_types()? })
}

/// The areas and the mapping.
#[tauri::command]
#[specta::specta]
pub async fn nomenclature(state: State<'_, AppState>) -> AppResult<NomenclatureView> {
    state.with_store(|s, _| view(s)).await
}

/// Adds an area, or renames the area with its code (coordinators). Bad
/// input is `invalid` with `nomenclature.code` or `nomenclature.name`.
#[tauri::command]
#[specta::specta]
pub async fn put_nomenclature_area(
    state: State<'_, AppState>,
    area: NomenclatureArea,
) -> AppResult<NomenclatureView> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ChangeProjectSettings, "put_nomenclature_area")?;
            s.put_nomenclature_area(area)?;
            view(s)
        })
        .await
}

/// Removes an area (coordinators); the activity types mapped to it become
/// not mapped in the same change.
#[tauri::command]
#[specta::specta]
pub async fn remove_nomenclature_area(
    state: State<'_, AppState>,
    code: String,
) -> AppResult<NomenclatureView> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ChangeProjectSettings, "remove_nomenclature_area")?;
            s.remove_nomenclature_area(&code)?;
            view(s)
        })
        .await
}

/// Maps an activity type to an area, or unmaps it (`code` null;
/// coordinators).
#[tauri::command]
#[specta::specta]
pub async fn set_activity_nomenclature(
    state: State<'_, AppState>,
    key: String,
    code: Option<String>,
) -> AppResult<NomenclatureView> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ChangeProjectSettings, "set_activity_nomenclature")?;
            s.set_activity_nomenclature(&key, code.as_deref())?;
            view(s)
        })
        .await
}
