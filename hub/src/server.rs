//! The HTTP side: `router(state)` for tests without a socket, `serve` for
//! the real thing. Routes: `GET /health`, `GET /enroll` (WebSocket, JSON),
//! `GET /sync` (WebSocket, binary frames, `Authorization: Bearer <token>`).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use crdt_sync::sync::{EnrollError, EnrollRequest, EnrollResponse, Fatal, Frame, MAX_FRAME, Session};
use crdt_sync::{ProjectId, Store};
use tokio::net::TcpListener;

use crate::error::HubError;
use crate::pace::Pace;
use crate::registry::{Device, Registry};
use crate::throttle::Throttle;
use crate::tls::{Identity, TlsListener};

/// How often an open connection checks whether its device was revoked.
const REVOCATION_CHECK: Duration = Duration::from_millis(200);
/// Wrong pairing codes accepted per minute, hub-wide, before every attempt
/// is refused until the minute ends.
const ENROL_FAILURES_PER_MINUTE: u32 = 30;
/// Frames a connection may send per second, sustained, and in a burst;
/// beyond that the hub reads more slowly (`pace.rs`).
const FRAMES_PER_SECOND: u32 = 2_000;
const FRAME_BURST: u32 = 4_000;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    registry: Arc<Mutex<Registry>>,
    project: ProjectId,
    enrol_failures: Arc<Mutex<Throttle>>,
}

impl AppState {
    /// State over an opened register and registry.
    pub fn new(store: Store, registry: Registry) -> Self {
        let project = store.project();
        AppState {
            store: Arc::new(Mutex::new(store)),
            registry: Arc::new(Mutex::new(registry)),
            project,
            enrol_failures: Arc::new(Mutex::new(Throttle::new(
                ENROL_FAILURES_PER_MINUTE,
                Duration::from_secs(60),
            ))),
        }
    }

    fn registry(&self) -> Result<std::sync::MutexGuard<'_, Registry>, HubError> {
        self.registry.lock().map_err(|_| HubError::Internal("registry lock poisoned".into()))
    }
}

/// The hub's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/enroll", get(enroll))
        .route("/sync", get(sync))
        .with_state(state)
}

/// Serves over TLS with `identity` until `shutdown` resolves.
pub async fn serve_tls(
    listener: TcpListener,
    identity: &Identity,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HubError> {
    let listener = TlsListener::new(listener, identity.server_config()?)
        .map_err(|e| HubError::Internal(format!("cannot listen: {e}")))?;
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| HubError::Internal(format!("the server stopped: {e}")))
}

/// Serves without TLS until `shutdown` resolves: for in-process tests on
/// loopback only.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

async fn health() -> &'static str {
    "ok"
}

/// An authenticated device: the extractor reads `Authorization: Bearer`.
struct AuthDevice(Device);

impl FromRequestParts<AppState> for AuthDevice {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(HubError::Unauthorized)?;
        match state.registry()?.authenticate(token)? {
            Some(device) => Ok(AuthDevice(device)),
            None => {
                tracing::warn!("refused a connection with an unknown or revoked credential");
                Err(HubError::Unauthorized)
            }
        }
    }
}

async fn enroll(State(state): State<AppState>, ws: WebSocketUpgrade) -> impl IntoResponse {
    ws.max_message_size(4096).on_upgrade(move |socket| enroll_socket(socket, state))
}

async fn enroll_socket(mut socket: WebSocket, state: AppState) {
    let Some(Ok(Message::Text(text))) = socket.recv().await else { return };
    let now = std::time::Instant::now();
    let allowed = state.enrol_failures.lock().map(|mut t| t.allows(now)).unwrap_or(false);
    let response = match serde_json::from_str::<EnrollRequest>(&text) {
        _ if !allowed => {
            tracing::warn!("enrolment attempt refused: too many wrong pairing codes this minute");
            EnrollResponse::Refused(EnrollError::RateLimited)
        }
        Ok(req) => {
            let result = state.registry().and_then(|mut r| r.redeem(&req.code, &req.name, state.project));
            match result {
                Ok(Ok(enrolled)) => {
                    tracing::info!(device = %enrolled.device, role = enrolled.role.as_str(), "device enrolled");
                    EnrollResponse::Enrolled(enrolled)
                }
                Ok(Err(e)) => {
                    tracing::warn!(reason = %e, "pairing code refused");
                    if let Ok(mut t) = state.enrol_failures.lock() {
                        t.failed(now);
                    }
                    EnrollResponse::Refused(e)
                }
                Err(e) => {
                    tracing::error!(error = %e, "enrolment failed");
                    return;
                }
            }
        }
        Err(_) => EnrollResponse::Refused(EnrollError::Unknown),
    };
    if let Ok(json) = serde_json::to_string(&response) {
        let _ = socket.send(Message::Text(json.into())).await;
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn sync(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| sync_socket(socket, state, device))
}

async fn send(socket: &mut WebSocket, frames: Vec<Frame>) -> bool {
    for f in frames {
        if socket.send(Message::Binary(f.encode().into())).await.is_err() {
            return false;
        }
    }
    true
}

async fn sync_socket(mut socket: WebSocket, state: AppState, device: Device) {
    let id = device.id;
    tracing::info!(device = %id, role = device.role.as_str(), "sync connected");
    // The registry's facts about devices, into the register, before any
    // change of this device is judged by them.
    let reconciled = tokio::task::block_in_place(|| {
        let registry = state.registry()?;
        let mut store = state.store.lock().map_err(|_| HubError::Internal("store lock poisoned".into()))?;
        crate::directory::reconcile(&mut store, &registry)
    });
    if let Err(e) = reconciled {
        tracing::error!(device = %id, error = %e, "cannot record the device directory");
        send(&mut socket, vec![Frame::Close { reason: Fatal::Storage }]).await;
        return;
    }
    let mut session = Session::hub(id, device.grant());
    let mut revocation = tokio::time::interval(REVOCATION_CHECK);
    let mut pace = Pace::new(FRAMES_PER_SECOND, FRAME_BURST, std::time::Instant::now());
    loop {
        let msg = tokio::select! {
            msg = socket.recv() => msg,
            _ = revocation.tick() => {
                let revoked = state.registry().and_then(|r| r.is_revoked(id)).unwrap_or(true);
                if revoked {
                    tracing::warn!(device = %id, "revoked: closing its connection");
                    send(&mut socket, vec![Frame::Close { reason: Fatal::Revoked }]).await;
                    break;
                }
                continue;
            }
        };
        let bytes = match msg {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Text(_))) => {
                tracing::warn!(device = %id, "text frame on the sync socket");
                send(&mut socket, vec![Frame::Close { reason: Fatal::Protocol }]).await;
                break;
            }
        };
        let wait = pace.take(std::time::Instant::now());
        if !wait.is_zero() {
            tracing::debug!(device = %id, ?wait, "pacing a fast sender");
            tokio::time::sleep(wait).await;
        }
        let frame = match Frame::decode(&bytes) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(device = %id, error = %e, "malformed frame");
                send(&mut socket, vec![Frame::Close { reason: Fatal::Protocol }]).await;
                break;
            }
        };
        let hello = matches!(frame, Frame::Hello { .. });
        let store = state.store.clone();
        // The store is synchronous: run it off the async reactor.
        let result = tokio::task::block_in_place(|| match store.lock() {
            Ok(mut store) => session.receive(&mut store, frame),
            Err(_) => Err(crdt_sync::Error::Internal("store lock poisoned".into())),
        });
        let mut out = match result {
            Ok(out) => out,
            Err(e) => {
                tracing::error!(device = %id, error = %e, "storing a sync message failed");
                vec![Frame::Close { reason: Fatal::Storage }]
            }
        };
        if hello && session.closed().is_none() {
            bundle_key_first(&state, &device, &mut out);
        }
        // Every refusal, as it is sent (the session's map of refused
        // documents holds only some of them, and in document order).
        for f in &out {
            if let Frame::Refused { doc, reason } = f {
                tracing::warn!(device = %id, doc = %doc, reason = ?reason, "refused");
            }
        }
        let closing = out.iter().any(|f| matches!(f, Frame::Close { .. }));
        if !send(&mut socket, out).await || closing || session.closed().is_some() {
            break;
        }
    }
    if let Ok(mut r) = state.registry() {
        let _ = r.touch(id);
    }
    tracing::info!(device = %id, stats = ?session.stats(), "sync disconnected");
}

/// A lab device's answer to its `Hello` starts with its lab's current
/// bundle key (v4), before the `Catalog` after which the device may find
/// itself settled: that is how the lab's devices learn the key that
/// replaced one a revoked device held (decision 0016).
fn bundle_key_first(state: &AppState, device: &Device, out: &mut Vec<Frame>) {
    let Some(lab) = device.lab else { return };
    match state.registry().and_then(|mut r| r.lab_key(lab)) {
        Ok(key) => out.insert(0, Frame::BundleKey { key }),
        Err(e) => {
            tracing::error!(device = %device.id, error = %e, "reading the lab's bundle key failed");
            *out = vec![Frame::Close { reason: Fatal::Storage }];
        }
    }
}
