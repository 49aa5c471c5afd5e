//! *Modifiche in conflitto*: the queue of fields where two devices entered
//! different values, for coordinators and leads, and choosing one value
//! (from the queue or from the family's page: one command).

use crdt_sync::authz::Action;
use crdt_sync::{Conflicts, DocRef, OpenConflict, Staff};
use serde::Serialize;
use tauri::State;

use super::privacy::{ensure_allowed, ensure_may_write, may_write};
use crate::error::AppResult;
use crate::state::AppState;

/// How many conflicts the queue shows at most; the count says how many
/// there are in all.
const QUEUE_LIMIT: u32 = 200;

/// The queue.
#[derive(Debug, Serialize, specta::Type)]
pub struct ConflictQueue {
    /// How many fields are in conflict in all (the queue shows at most 200).
    pub total: u32,
    /// The first of them, by document.
    pub conflicts: Vec<ConflictEntry>,
}

/// One conflict and whether this device may choose its value.
#[derive(Debug, Serialize, specta::Type)]
pub struct ConflictEntry {
    /// The conflict.
    pub conflict: OpenConflict,
    /// Who wrote each value, in the order of `conflict.conflict.values`.
    pub authors: Vec<ValueAuthor>,
    /// This device may write the document ([`crdt_sync::authz::access`])
    /// and the field is not a privileged one.
    pub may_resolve: bool,
}

/// Who wrote a value, as this register knows them.
#[derive(Debug, Serialize, specta::Type)]
pub struct ValueAuthor {
    /// The person using the app then ("First Last"), when the change names
    /// one this register holds.
    pub name: Option<String>,
    /// Written on this computer.
    pub this_device: bool,
}

/// How many fields are in conflict (the number beside the navigation's
/// entry). Coordinators and leads.
#[tauri::command]
#[specta::specta]
pub async fn conflict_count(state: State<'_, AppState>) -> AppResult<u32> {
    state
        .with_store(|s, _| {
            ensure_allowed(s, Action::ReviewConflicts, "conflict_count")?;
            Ok(s.conflict_count()?)
        })
        .await
}

/// The queue of conflicting edits in every document this device holds,
/// with the competing values, who wrote them and when. Coordinators and
/// leads; the values may be families' personal data.
#[tauri::command]
#[specta::specta]
pub async fn list_conflicts(state: State<'_, AppState>) -> AppResult<ConflictQueue> {
    state
        .with_personal_data(|s, _| {
            ensure_allowed(s, Action::ReviewConflicts, "list_conflicts")?;
            let total = s.conflict_count()?;
            let conflicts = s
                .open_conflicts(QUEUE_LIMIT)?
                .into_iter()
                .map(|conflict| {
                    let may_resolve = conflict.resolvable && may_write(s, conflict.doc)?;
                    let authors = conflict
                        .conflict
                        .values
                        .iter()
                        .map(|v| ValueAuthor {
                            name: v
                                .person
                                .and_then(|p| s.person(p).ok())
                                .map(|p| format!("{} {}", p.first_name, p.last_name)),
                            this_device: v.device == Some(s.device()),
                        })
                        .collect();
                    Ok(ConflictEntry { conflict, authors, may_resolve })
                })
                .collect::<AppResult<_>>()?;
            Ok(ConflictQueue { total, conflicts })
        })
        .await
}

/// Chooses `choice` (a value's `id`) for the field at `path` of `doc`: the
/// value is written again and the others are superseded on every device as
/// they sync. Whoever may write the document may (`forbidden` otherwise);
/// `not_found` when the conflict was settled meanwhile.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    doc: DocRef,
    path: String,
    choice: String,
) -> AppResult<()> {
    state
        .with_personal_data(|s, _| {
            ensure_may_write(s, doc, "resolve_conflict")?;
            Ok(s.resolve_conflict(doc, &path, &choice)?)
        })
        .await
}
