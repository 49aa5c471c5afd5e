//! `GET /devices`: devices managed from the coordinator's app (issue 13,
//! decision 0028).
//!
//! The device is authenticated as for `/sync` (its credential, looked up in
//! the registry); what it may ask is decided by the role the registry
//! holds for it, through the authorisation table
//! (`crdt_sync::authz::allows`: `manage_devices` for coordinators,
//! `ask_for_device` for leads), never by anything the app sends. One JSON
//! request, one JSON answer, then the socket closes. Every change is a line
//! of the registry's administration log.

use std::time::Instant;

use axum::Extension;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::IntoResponse;
use crdt_sync::authz::{Action, allows};
use crdt_sync::sync::DeviceRole;
use crdt_sync::sync::manage::{
    DeviceEntry, IssuedCode, LabHold, MAX_NOTE, ManageRefusal, ManageRequest, ManageResponse, ReleaseEntry,
};
use crdt_sync::{ProjectSettings, Store};

use crate::conn::Peer;
use crate::directory::Reconciler;
use crate::error::HubError;
use crate::limits::{Cost, Verdict};
use crate::registry::{Actor, Device, Registry};
use crate::server::{AppState, AuthDevice, upgrading};

/// The longest request (a note of [`MAX_NOTE`] characters fits many times).
const MAX_REQUEST: usize = 16 * 1024;
/// The longest validity a pairing code may be given from the app: a week.
const MAX_TTL_HOURS: u32 = 7 * 24;

pub(crate) async fn devices(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<Peer>>>,
    AuthDevice(device): AuthDevice,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrading(peer);
    ws.max_message_size(MAX_REQUEST).on_upgrade(move |socket| answer_socket(socket, state, device))
}

async fn answer_socket(mut socket: WebSocket, state: AppState, device: Device) {
    let limits = state.limits().limits().clone();
    let first = tokio::time::timeout(limits.first_frame, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else { return };
    // Charged like a sync frame: the app asks a handful of times a day.
    let paced = match state.limits().charge(device.id, Cost::frame(text.len()), Instant::now()) {
        Verdict::Go => true,
        Verdict::Wait(wait) => {
            tokio::time::sleep(wait).await;
            true
        }
        Verdict::Over(_) => false,
    };
    let response = match serde_json::from_str::<ManageRequest>(&text) {
        _ if !paced => ManageResponse::Refused(ManageRefusal::Unavailable),
        Ok(request) => {
            let (ttl, cert) = (state.pairing_ttl_hours(), state.cert().cloned());
            let decided = state
                .in_admin_turn(|store, registry, _: &mut Reconciler| {
                    decide(store, registry, &device, request, ttl, cert.as_ref())
                })
                .await;
            match decided {
                Ok(response) => response,
                Err(e) => {
                    tracing::error!(device = %device.id, error = %e, "a device management request failed");
                    ManageResponse::Refused(ManageRefusal::Unavailable)
                }
            }
        }
        Err(_) => ManageResponse::Refused(ManageRefusal::Invalid),
    };
    if let ManageResponse::Refused(why) = &response {
        tracing::warn!(device = %device.id, role = device.role.as_str(), refusal = ?why, "device management refused");
    }
    if let Ok(json) = serde_json::to_string(&response) {
        let _ = tokio::time::timeout(limits.idle, socket.send(Message::Text(json.into()))).await;
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// What the hub answers `device` (as the registry knows it) asking
/// `request`. `ttl_hours` is the hub's default validity of pairing codes,
/// `cert` the certificate their check pins.
pub fn decide(
    store: &Store,
    registry: &mut Registry,
    device: &Device,
    request: ManageRequest,
    ttl_hours: u32,
    cert: Option<&crdt_sync::sync::CertFingerprint>,
) -> Result<ManageResponse, HubError> {
    use ManageResponse::Refused;
    let refused = |why| Ok(Refused(why));
    let actor = Actor::Device(device.id);
    let action = match request {
        ManageRequest::Ask { .. } => Action::AskForDevice,
        ManageRequest::Releases | ManageRequest::Hold { .. } => Action::ManageUpdates,
        _ => Action::ManageDevices,
    };
    if !allows(Some(device.role), action) {
        return refused(ManageRefusal::NotAllowed);
    }
    match request {
        ManageRequest::List => {
            let devices = registry
                .devices()?
                .into_iter()
                .map(|d| DeviceEntry {
                    id: d.id,
                    name: d.name,
                    role: d.role,
                    lab: d.lab_number,
                    app_version: d.app_version,
                    last_sync: d.last_sync,
                    revoked_at: d.revoked_at,
                })
                .collect();
            Ok(ManageResponse::Devices { devices, requests: registry.open_requests()? })
        }
        ManageRequest::IssueCode { role, lab, ttl_hours: asked, answering } => {
            let ttl = match asked {
                None => ttl_hours,
                Some(h) if (1..=MAX_TTL_HOURS).contains(&h) => h,
                Some(_) => return refused(ManageRefusal::Invalid),
            };
            let lab = match (role, lab) {
                (DeviceRole::Coordinator, None) => None,
                (DeviceRole::Coordinator, Some(_)) | (_, None) => return refused(ManageRefusal::Invalid),
                (_, Some(n)) => match store.labs()?.into_iter().find(|l| l.number == n) {
                    Some(l) => Some((l.id, n)),
                    None => return refused(ManageRefusal::UnknownLab),
                },
            };
            if let Some(id) = answering
                && !registry.open_requests()?.iter().any(|r| r.id == id)
            {
                return refused(ManageRefusal::UnknownRequest);
            }
            let code = registry.issue_code(role, lab, ttl, cert)?;
            let expires_at = chrono::Utc::now().timestamp_millis() + i64::from(ttl) * 3_600_000;
            let lab_number = lab.map(|(_, n)| n);
            let mut target =
                format!("{}{}", role.as_str(), lab_number.map(|n| format!(" lab {n}")).unwrap_or_default());
            if let Some(id) = answering {
                registry.close_request(id, &actor, "answered")?;
                target.push_str(&format!(" for request {id}"));
            }
            registry.log_admin(&actor, "issue_code", &target)?;
            tracing::info!(by = %device.id, target, "pairing code made from a coordinator's app");
            Ok(ManageResponse::Code(IssuedCode { code, role, lab: lab_number, expires_at }))
        }
        ManageRequest::Revoke { device: target } => {
            if target == device.id {
                return refused(ManageRefusal::UnknownDevice);
            }
            let name = registry.device(target)?.map(|d| d.name);
            if !registry.revoke(target)? {
                return refused(ManageRefusal::UnknownDevice);
            }
            let label = format!("{target} ({})", name.unwrap_or_default());
            registry.log_admin(&actor, "revoke", &label)?;
            tracing::warn!(by = %device.id, device = %target, "device revoked from a coordinator's app");
            Ok(ManageResponse::Revoked { device: target })
        }
        ManageRequest::Ask { role, note } => {
            let note = note.trim();
            let lab = device.lab.zip(device.lab_number);
            let fits = matches!(role, DeviceRole::Volunteer | DeviceRole::Operator)
                && !note.is_empty()
                && note.chars().count() <= MAX_NOTE;
            let Some(lab) = lab.filter(|_| fits) else { return refused(ManageRefusal::Invalid) };
            let request = registry.ask(lab, role, note, device.id)?;
            registry.log_admin(
                &actor,
                "ask",
                &format!("{} lab {} (request {request})", role.as_str(), lab.1),
            )?;
            Ok(ManageResponse::Asked { request })
        }
        ManageRequest::Releases => Ok(ManageResponse::Releases {
            releases: registry
                .releases()?
                .into_iter()
                .map(|r| ReleaseEntry {
                    version: r.version.to_string(),
                    format: r.format.as_str().to_owned(),
                    published_at: r.published_at,
                })
                .collect(),
            holds: registry
                .holds()?
                .into_iter()
                .map(|h| LabHold { lab: h.lab_number, version: h.version.to_string() })
                .collect(),
        }),
        ManageRequest::Hold { lab, version } => {
            let Some(lab) = store.labs()?.into_iter().find(|l| l.number == lab) else {
                return refused(ManageRefusal::UnknownLab);
            };
            // Any version, published or not: holding every lab on the one
            // they run before publishing is how labs move one at a time.
            let version = match version.as_deref().map(|v| semver::Version::parse(v.trim())) {
                None => None,
                Some(Ok(v)) => Some(v),
                Some(Err(_)) => return refused(ManageRefusal::Invalid),
            };
            registry.hold((lab.id, lab.number), version.as_ref(), &actor)?;
            tracing::info!(by = %device.id, lab = lab.number, version = ?version.as_ref().map(ToString::to_string), "a lab's hold changed from a coordinator's app");
            Ok(ManageResponse::Held)
        }
        ManageRequest::Dismiss { request } => {
            if !registry.close_request(request, &actor, "dismissed")? {
                return refused(ManageRefusal::UnknownRequest);
            }
            registry.log_admin(&actor, "dismiss", &format!("request {request}"))?;
            Ok(ManageResponse::Dismissed)
        }
    }
}
