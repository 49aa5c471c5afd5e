//! The HTTP side: `router(state)` for tests without a socket, `serve` for
//! the real thing. Routes: `GET /health`, `GET /enroll` (WebSocket, JSON),
//! `GET /sync` (WebSocket, binary frames, `Authorization: Bearer <token>`).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use crdt_sync::sync::{EnrollError, EnrollRequest, EnrollResponse, Fatal, Frame, MAX_FRAME, Session};
use crdt_sync::{ProjectId, ProjectSettings, Store};
use tokio::net::TcpListener;

use crate::conn::{Addresses, Peer, PlainListener};
use crate::error::HubError;
use crate::health::{Failure, health};
use crate::limits::{Cost, DeviceLimits, DeviceSlot, Limits, Verdict};
use crate::registry::{Device, Registry};
use crate::throttle::Throttle;
use crate::tls::{Identity, TlsListener};

/// How often an open connection checks whether its device was revoked.
const REVOCATION_CHECK: Duration = Duration::from_millis(200);
/// Wrong pairing codes accepted per minute, hub-wide, before every attempt
/// is refused until the minute ends.
const ENROL_FAILURES_PER_MINUTE: u32 = 30;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    registry: Arc<Mutex<Registry>>,
    project: ProjectId,
    enrol_failures: Arc<Mutex<Throttle>>,
    limits: DeviceLimits,
    failure: Failure,
}

impl AppState {
    /// State over an opened register and registry, with the default limits.
    pub fn new(store: Store, registry: Registry) -> Self {
        AppState::with_limits(store, registry, Limits::default())
    }

    /// State over an opened register and registry, with `limits`.
    pub fn with_limits(store: Store, registry: Registry, limits: Limits) -> Self {
        let project = store.project();
        AppState {
            store: Arc::new(Mutex::new(store)),
            registry: Arc::new(Mutex::new(registry)),
            project,
            enrol_failures: Arc::new(Mutex::new(Throttle::new(
                ENROL_FAILURES_PER_MINUTE,
                Duration::from_secs(60),
            ))),
            limits: DeviceLimits::new(limits),
            failure: Failure::default(),
        }
    }

    /// The per-device limits every connection shares: the hook to charge a
    /// device for work ([`DeviceLimits::charge`]).
    pub fn limits(&self) -> &DeviceLimits {
        &self.limits
    }

    /// The hub's fatal failure, once found (`health.rs`).
    pub fn failure(&self) -> &Failure {
        &self.failure
    }

    fn registry(&self) -> Result<std::sync::MutexGuard<'_, Registry>, HubError> {
        self.registry.lock().map_err(|_| {
            self.failure.fail("registry: lock poisoned");
            HubError::Internal("registry lock poisoned".into())
        })
    }

    /// The register's lock itself, for a test that poisons it.
    #[cfg(test)]
    pub(crate) fn store_for_tests(&self) -> Arc<Mutex<Store>> {
        self.store.clone()
    }

    /// The health check's look at the register: its lock and a real query.
    pub(crate) fn check_store(&self) -> Result<(), &'static str> {
        let store = self.store.lock().map_err(|_| {
            self.failure.fail("store: lock poisoned");
            "store: lock poisoned"
        })?;
        store.labs().map(drop).map_err(|e| {
            tracing::error!(error = %e, "health: the register does not answer");
            "store: query failed"
        })
    }

    /// The health check's look at the registry: its lock and a real query.
    pub(crate) fn check_registry(&self) -> Result<(), &'static str> {
        let registry = self.registry().map_err(|_| "registry: lock poisoned")?;
        registry.is_revoked(crdt_sync::DeviceId(uuid::Uuid::nil())).map(drop).map_err(|e| {
            tracing::error!(error = %e, "health: the registry does not answer");
            "registry: query failed"
        })
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
    let listener = TlsListener::with_limits(listener, identity.server_config()?, state.limits.limits())
        .map_err(|e| HubError::Internal(format!("cannot listen: {e}")))?;
    let failure = state.failure.clone();
    let app = router(state).into_make_service_with_connect_info::<Peer>();
    axum::serve(listener, app)
        .with_graceful_shutdown(until(shutdown, failure.clone()))
        .await
        .map_err(|e| HubError::Internal(format!("the server stopped: {e}")))?;
    match failure.reason() {
        Some(reason) => Err(HubError::Internal(format!("stopped: {reason}"))),
        None => Ok(()),
    }
}

/// Serves without TLS until `shutdown` resolves: for in-process tests on
/// loopback only. Stops with an error, as `serve_tls` does, when the store
/// has failed (`health.rs`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits.limits();
    let listener =
        PlainListener::new(listener, Addresses::new(limits.connections_per_address), limits.request);
    let failure = state.failure.clone();
    let app = router(state).into_make_service_with_connect_info::<Peer>();
    axum::serve(listener, app).with_graceful_shutdown(until(shutdown, failure.clone())).await?;
    match failure.reason() {
        Some(reason) => Err(std::io::Error::other(format!("stopped: {reason}"))),
        None => Ok(()),
    }
}

/// `shutdown`, or the hub's fatal failure, whichever comes first.
async fn until(shutdown: impl Future<Output = ()>, failure: Failure) {
    tokio::select! {
        () = shutdown => {}
        _ = failure.wait() => {}
    }
}

/// The connection is becoming a WebSocket: its plain-HTTP deadline no
/// longer applies (`conn.rs`). Absent when the router runs without a
/// listener (tests).
fn upgrading(peer: Option<Extension<ConnectInfo<Peer>>>) {
    if let Some(Extension(ConnectInfo(peer))) = peer {
        peer.upgraded();
    }
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

async fn enroll(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<Peer>>>,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrading(peer);
    ws.max_message_size(4096).on_upgrade(move |socket| enroll_socket(socket, state))
}

async fn enroll_socket(mut socket: WebSocket, state: AppState) {
    let first = tokio::time::timeout(state.limits.limits().first_frame, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else { return };
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
    peer: Option<Extension<ConnectInfo<Peer>>>,
    AuthDevice(device): AuthDevice,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    upgrading(peer);
    // Claimed before the upgrade, so that a device cannot open more
    // sockets than its limit while earlier ones are still upgrading.
    let slot = state.limits.connect(device.id);
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |socket| async move {
        match slot {
            Some(slot) => sync_socket(socket, state, device, slot).await,
            None => too_many(socket, state, device).await,
        }
    })
}

/// Sends `frames`; false if the device is gone or reads nothing for the
/// idle timeout (a device that stops reading must not hold the task).
async fn send(socket: &mut WebSocket, frames: Vec<Frame>, idle: Duration) -> bool {
    for f in frames {
        match tokio::time::timeout(idle, socket.send(Message::Binary(f.encode().into()))).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return false,
        }
    }
    true
}

/// One connection more than its device may hold: its `Hello` is read
/// first (closing with bytes unread would reset the connection and could
/// lose the frame that says why), then it is told `Busy`.
async fn too_many(mut socket: WebSocket, state: AppState, device: Device) {
    let limits = state.limits.limits();
    tracing::warn!(
        device = %device.id,
        limit = limits.connections_per_device,
        "refused a connection: the device holds as many as it may"
    );
    if let Ok(Some(Ok(msg))) = tokio::time::timeout(limits.first_frame, socket.recv()).await {
        // Charged like any frame: refused connections are no free way in.
        let _ = state.limits.charge(device.id, Cost::frame(msg.into_data().len()), Instant::now());
    }
    send(&mut socket, vec![Frame::Close { reason: Fatal::Busy }], limits.idle).await;
}

async fn sync_socket(mut socket: WebSocket, state: AppState, device: Device, _slot: DeviceSlot) {
    let id = device.id;
    tracing::info!(device = %id, role = device.role.as_str(), "sync connected");
    let limits = state.limits.limits().clone();
    // The registry's facts about devices, into the register, before any
    // change of this device is judged by them.
    let reconciled = tokio::task::block_in_place(|| {
        let registry = state.registry()?;
        let mut store = state.store.lock().map_err(|_| {
            state.failure.fail("store: lock poisoned");
            HubError::Internal("store lock poisoned".into())
        })?;
        crate::directory::reconcile(&mut store, &registry)
    });
    if let Err(e) = reconciled {
        tracing::error!(device = %id, error = %e, "cannot record the device directory");
        send(&mut socket, vec![Frame::Close { reason: Fatal::Storage }], limits.idle).await;
        return;
    }
    let mut session = Session::hub(id, device.grant());
    let mut revocation = tokio::time::interval(REVOCATION_CHECK);
    // No frame before this instant: the first frame's deadline, then the
    // idle timeout from each time the hub is ready to read again.
    let mut deadline = tokio::time::Instant::now() + limits.first_frame;
    // How long the device made the hub wait for its first frame, and the
    // longest for any later one (logged, to check the deadlines against
    // honest syncs).
    let (mut ready_since, mut longest_wait) = (Instant::now(), Duration::ZERO);
    let mut first_frame = None;
    loop {
        let msg = tokio::select! {
            msg = socket.recv() => msg,
            () = tokio::time::sleep_until(deadline) => {
                tracing::warn!(device = %id, greeted = session.stats().frames_in > 0, "no frame in time: closing");
                send(&mut socket, vec![Frame::Close { reason: Fatal::Idle }], limits.idle).await;
                break;
            }
            _ = revocation.tick() => {
                let revoked = state.registry().and_then(|r| r.is_revoked(id)).unwrap_or(true);
                if revoked {
                    tracing::warn!(device = %id, "revoked: closing its connection");
                    send(&mut socket, vec![Frame::Close { reason: Fatal::Revoked }], limits.idle).await;
                    break;
                }
                continue;
            }
        };
        let bytes = match msg {
            Some(Ok(Message::Binary(b))) => b,
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
            Some(Ok(Message::Ping(b) | Message::Pong(b))) => {
                // Charged like any frame, and not a sign of life: a device
                // cannot hold its socket open with pings alone.
                if !pace(&state, &mut socket, id, Cost::frame(b.len())).await {
                    break;
                }
                continue;
            }
            Some(Ok(Message::Text(_))) => {
                tracing::warn!(device = %id, "text frame on the sync socket");
                send(&mut socket, vec![Frame::Close { reason: Fatal::Protocol }], limits.idle).await;
                break;
            }
        };
        match first_frame {
            None => first_frame = Some(ready_since.elapsed()),
            Some(_) => longest_wait = longest_wait.max(ready_since.elapsed()),
        }
        if !pace(&state, &mut socket, id, Cost::frame(bytes.len())).await {
            break;
        }
        let frame = match Frame::decode(&bytes) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(device = %id, error = %e, "malformed frame");
                send(&mut socket, vec![Frame::Close { reason: Fatal::Protocol }], limits.idle).await;
                break;
            }
        };
        // The automerge work a message asks for, measured on its bytes
        // alone (bounded, before any lock), charged to the device across
        // its connections.
        if let Frame::Sync { message, .. } = &frame
            && let Ok(work) = crdt_sync::sync::Cost::of_sync_message(message)
            && !pace(&state, &mut socket, id, Cost::changes(work.changes, work.ops)).await
        {
            break;
        }
        let hello = matches!(frame, Frame::Hello { .. });
        let store = state.store.clone();
        // The store is synchronous: run it off the async reactor.
        let result = tokio::task::block_in_place(|| match store.lock() {
            Ok(mut store) => session.receive(&mut store, frame),
            Err(_) => {
                state.failure.fail("store: lock poisoned");
                Err(crdt_sync::Error::Internal("store lock poisoned".into()))
            }
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
        if !send(&mut socket, out, limits.idle).await || closing || session.closed().is_some() {
            break;
        }
        deadline = tokio::time::Instant::now() + limits.idle;
        ready_since = Instant::now();
    }
    if let Ok(mut r) = state.registry() {
        let _ = r.touch(id);
    }
    let longest_wait_ms = longest_wait.as_millis() as u64;
    let first_frame_ms = first_frame.unwrap_or_default().as_millis() as u64;
    tracing::info!(device = %id, stats = ?session.stats(), first_frame_ms, longest_wait_ms, "sync disconnected");
}

/// Charges a frame to its device and waits as its budget says; false if
/// the device is so far over budget that its connection was closed.
async fn pace(state: &AppState, socket: &mut WebSocket, device: crdt_sync::DeviceId, cost: Cost) -> bool {
    match state.limits.charge(device, cost, Instant::now()) {
        Verdict::Go => true,
        Verdict::Wait(wait) => {
            tracing::debug!(%device, ?wait, "pacing a device over its budget");
            tokio::time::sleep(wait).await;
            true
        }
        Verdict::Over(wait) => {
            tracing::warn!(%device, ?wait, "a device far over its budget: closing its connection");
            let idle = state.limits.limits().idle;
            send(socket, vec![Frame::Close { reason: Fatal::Busy }], idle).await;
            false
        }
    }
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
