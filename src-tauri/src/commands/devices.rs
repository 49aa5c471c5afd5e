//! *Dispositivi*: the project's laptops, managed from the coordinator's app
//! over its own authenticated connection to the hub (`/devices`): the list
//! with each laptop's lab, role, app version and last sync; a pairing code
//! for a new laptop, shown large to copy; revoking a lost one. A lab lead
//! asks the coordinators for a new laptop instead.
//!
//! The rights come from the one table (`crdt_sync::authz`: `manage_devices`,
//! `ask_for_device`), checked here so that the app offers only what the
//! role may do, and checked again by the hub on the role it holds for this
//! device's credential. The register is held only to read the hub link,
//! never while the hub answers.

use crdt_sync::authz::Action;
use crdt_sync::sync::DeviceRole;
use crdt_sync::sync::manage::{
    DeviceEntry, DeviceRequest, IssuedCode, LabHold, ManageRequest, ManageResponse, ReleaseEntry,
};
use crdt_sync::{DeviceId, Replication};
use serde::Serialize;
use tauri::State;

use super::privacy::ensure_allowed;
use super::sync::{client_error, endpoint_of};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The devices screen's data.
#[derive(Debug, Serialize, specta::Type)]
pub struct DeviceList {
    /// Every device ever paired with the project's hub, revoked ones too.
    pub devices: Vec<DeviceEntry>,
    /// Leads' requests for new devices, not yet answered.
    pub requests: Vec<DeviceRequest>,
    /// This device, which cannot revoke itself.
    pub this_device: DeviceId,
}

/// Asks the hub, as this device, after checking `action` here.
async fn ask_hub(
    state: &State<'_, AppState>,
    action: Action,
    command: &str,
    request: ManageRequest,
) -> AppResult<(ManageResponse, DeviceId)> {
    let (link, device) = state
        .with_store(|s, _| {
            ensure_allowed(s, action, command)?;
            let link = s.hub_link()?.ok_or(AppError::NotPaired)?;
            Ok((link, s.device()))
        })
        .await?;
    let hub = endpoint_of(&link).map_err(client_error)?;
    let answer = taccuino_sync_client::manage(&hub, &link.token, &request).await.map_err(client_error)?;
    match answer {
        ManageResponse::Refused(why) => Err(AppError::DeviceManagement { reason: why.as_str().to_owned() }),
        answer => Ok((answer, device)),
    }
}

fn unexpected(answer: ManageResponse) -> AppError {
    AppError::Internal { detail: format!("unexpected answer from the hub: {answer:?}") }
}

/// The project's devices and the open requests (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn list_devices(state: State<'_, AppState>) -> AppResult<DeviceList> {
    match ask_hub(&state, Action::ManageDevices, "list_devices", ManageRequest::List).await? {
        (ManageResponse::Devices { devices, requests }, this_device) => {
            Ok(DeviceList { devices, requests, this_device })
        }
        (other, _) => Err(unexpected(other)),
    }
}

/// A one-time pairing code for a new laptop of `role` in lab `lab` (none
/// for a coordinator's), valid for the hub's default time; `request`
/// closes the lead's request it answers (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn create_pairing_code(
    state: State<'_, AppState>,
    role: DeviceRole,
    lab: Option<u8>,
    request: Option<i64>,
) -> AppResult<IssuedCode> {
    let ask = ManageRequest::IssueCode { role, lab, ttl_hours: None, answering: request };
    match ask_hub(&state, Action::ManageDevices, "create_pairing_code", ask).await? {
        (ManageResponse::Code(code), _) => Ok(code),
        (other, _) => Err(unexpected(other)),
    }
}

/// Revokes a lost or stolen laptop: its connection is cut and every later
/// sync refused (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn revoke_device(state: State<'_, AppState>, device: DeviceId) -> AppResult<()> {
    match ask_hub(&state, Action::ManageDevices, "revoke_device", ManageRequest::Revoke { device }).await? {
        (ManageResponse::Revoked { .. }, _) => Ok(()),
        (other, _) => Err(unexpected(other)),
    }
}

/// Closes a lead's request without a code (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn dismiss_device_request(state: State<'_, AppState>, request: i64) -> AppResult<()> {
    match ask_hub(&state, Action::ManageDevices, "dismiss_device_request", ManageRequest::Dismiss { request })
        .await?
    {
        (ManageResponse::Dismissed, _) => Ok(()),
        (other, _) => Err(unexpected(other)),
    }
}

/// A lead asks the coordinators for a new laptop of the lead's lab, for a
/// volunteer or an operator described in `note`; the request's number.
#[tauri::command]
#[specta::specta]
pub async fn ask_for_device(state: State<'_, AppState>, role: DeviceRole, note: String) -> AppResult<i64> {
    match ask_hub(&state, Action::AskForDevice, "ask_for_device", ManageRequest::Ask { role, note }).await? {
        (ManageResponse::Asked { request }, _) => Ok(request),
        (other, _) => Err(unexpected(other)),
    }
}

/// The releases published on the hub for the laptops, and the labs held
/// on a version (coordinators: `manage_updates`).
#[derive(Debug, Serialize, specta::Type)]
pub struct ReleaseList {
    /// Every release published, oldest version first.
    pub releases: Vec<ReleaseEntry>,
    /// Every lab held on a version.
    pub holds: Vec<LabHold>,
}

/// The releases and the holds (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn list_releases(state: State<'_, AppState>) -> AppResult<ReleaseList> {
    match ask_hub(&state, Action::ManageUpdates, "list_releases", ManageRequest::Releases).await? {
        (ManageResponse::Releases { releases, holds }, _) => Ok(ReleaseList { releases, holds }),
        (other, _) => Err(unexpected(other)),
    }
}

/// Holds lab `lab` on `version`: its laptops are offered nothing newer
/// (`None` lets it go). To move labs one at a time, hold them all on the
/// version they run, then let them go one by one (coordinators).
#[tauri::command]
#[specta::specta]
pub async fn hold_lab(state: State<'_, AppState>, lab: u8, version: Option<String>) -> AppResult<()> {
    match ask_hub(&state, Action::ManageUpdates, "hold_lab", ManageRequest::Hold { lab, version }).await? {
        (ManageResponse::Held, _) => Ok(()),
        (other, _) => Err(unexpected(other)),
    }
}
