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
use crdt_sync::{Maintenance, ProjectId, ProjectSettings, Replication, Store};
use futures_util::FutureExt;
use tokio::net::TcpListener;

use crate::conn::{Addresses, Peer, PlainListener};
use crate::data_dir::DataDir;
use crate::directory::Reconciler;
use crate::drain::{Drain, Drained, Joined};
use crate::error::HubError;
use crate::health::{Failure, health};
use crate::limits::{Cost, DeviceLimits, DeviceSlot, Limits, Verdict};
use crate::metrics::{Metrics, Snapshot};
use crate::registry::{Device, Registry};
use crate::throttle::Throttle;
use crate::tls::{Identity, TlsListener};
use crate::upkeep::Upkeep;
/// Wrong pairing codes accepted per minute, hub-wide, before every attempt
/// is refused until the minute ends.
const ENROL_FAILURES_PER_MINUTE: u32 = 30;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    /// Whose turn it is to use the store. A sync waits here, as a task,
    /// before it takes the store's lock (which stays a `std` mutex, so that
    /// a panic while holding the store poisons it: `health.rs`): a thousand
    /// syncs waiting for the store used to block a thousand threads. The
    /// turn also holds the directory's reconciler, used only in turn.
    turn: Arc<tokio::sync::Mutex<Reconciler>>,
    registry: Arc<Mutex<Registry>>,
    upkeep: Upkeep,
    project: ProjectId,
    enrol_failures: Arc<Mutex<Throttle>>,
    limits: DeviceLimits,
    failure: Failure,
    /// Hours a pairing code made from a coordinator's app stays valid.
    pairing_ttl_hours: u32,
    /// The certificate the hub serves, for the check at the end of pairing
    /// codes (set by `serve_tls`).
    cert: Option<crdt_sync::sync::CertFingerprint>,
    metrics: Metrics,
    /// The data directory, when the state was told it
    /// ([`AppState::on_data_dir`]): `/metrics` reports its files' sizes and
    /// the last backup, and `/health` checks that its disk takes writes.
    data_dir: Option<DataDir>,
    /// The open sockets, and the hub's stopping (`drain.rs`).
    drain: Drain,
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
            turn: Arc::new(tokio::sync::Mutex::new(Reconciler::default())),
            registry: Arc::new(Mutex::new(registry)),
            upkeep: Upkeep::default(),
            project,
            enrol_failures: Arc::new(Mutex::new(Throttle::new(
                ENROL_FAILURES_PER_MINUTE,
                Duration::from_secs(60),
            ))),
            drain: Drain::new(limits.shutdown_grace),
            limits: DeviceLimits::new(limits),
            failure: Failure::default(),
            pairing_ttl_hours: 72,
            cert: None,
            metrics: Metrics::default(),
            data_dir: None,
        }
    }

    /// Pairing codes made from a coordinator's app stay valid `hours`
    /// (`pairing_ttl_hours` in the configuration).
    pub fn with_pairing_ttl_hours(mut self, hours: u32) -> Self {
        self.pairing_ttl_hours = hours;
        self
    }

    pub(crate) fn pairing_ttl_hours(&self) -> u32 {
        self.pairing_ttl_hours
    }

    pub(crate) fn cert(&self) -> Option<&crdt_sync::sync::CertFingerprint> {
        self.cert.as_ref()
    }

    /// The same state, told its data directory (what `taccuino-hub serve`
    /// runs on).
    pub fn on_data_dir(mut self, dir: &DataDir) -> Self {
        self.data_dir = Some(dir.clone());
        self
    }

    /// The data directory's root, when the state was told it.
    pub(crate) fn data_root(&self) -> Option<std::path::PathBuf> {
        self.data_dir.as_ref().map(|d| d.root().to_owned())
    }

    /// The text of `GET /metrics`: the counters, and what the registry and
    /// the data directory say now.
    pub(crate) fn metrics_text(&self) -> Result<String, HubError> {
        let registry = self.registry().ok();
        let snapshot = Snapshot::take(registry.as_deref(), self.data_dir.as_ref());
        drop(registry);
        self.metrics.render(snapshot)
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

    /// `f` on the registry, from a task: off the async reactor, since the
    /// registry is synchronous and some of its writes wait for the disk.
    pub(crate) fn with_registry<T>(
        &self,
        f: impl FnOnce(&mut Registry) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        tokio::task::block_in_place(|| f(&mut *self.registry()?))
    }

    fn store(&self) -> Result<std::sync::MutexGuard<'_, Store>, crdt_sync::Error> {
        self.store.lock().map_err(|_| {
            self.failure.fail("store: lock poisoned");
            crdt_sync::Error::Internal("store lock poisoned".into())
        })
    }

    /// `f` on the register, the registry and the directory's reconciler, in
    /// a turn of its own at the store (between two syncs' turns): what an
    /// administration request does while the hub serves (`admin`).
    pub(crate) async fn in_admin_turn<T>(
        &self,
        f: impl FnOnce(&mut Store, &mut Registry, &mut Reconciler) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let mut turn = self.turn.lock().await;
        tokio::task::block_in_place(|| {
            let mut store = self.store()?;
            let mut registry = self.registry()?;
            f(&mut store, &mut registry, &mut turn)
        })
    }

    /// Finished syncs not yet written, into the registry (when the hub stops).
    fn flush(&self) {
        self.upkeep.flush(&self.registry, &self.failure);
    }

    /// The end of a stop, once no new connection comes: the open sockets
    /// end or are cut (`drain.rs`), then, once no turn at the store is
    /// running (none starts after the cut), the finished syncs are written
    /// and both databases checkpointed, so that the files are whole without
    /// their write-ahead logs. Logs the last of the two lines a stop writes.
    async fn close(&self) {
        let failed = self.failure.reason().is_some();
        let drained = self.drain.drain(failed).await;
        let turn = tokio::time::timeout(CLOSE_TURN_WAIT, self.turn.lock()).await;
        let checkpointed = tokio::task::block_in_place(|| {
            self.flush();
            let store = match self.store() {
                Ok(store) => store.checkpoint().map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let registry = self.registry().and_then(|r| r.checkpoint()).map_err(|e| e.to_string());
            for (what, result) in [("register", &store), ("registry", &registry)] {
                if let Err(error) = result {
                    tracing::warn!(
                        error,
                        "cannot checkpoint the {what}: its write-ahead log stays beside it"
                    );
                }
            }
            turn.is_ok() && store.is_ok() && registry.is_ok()
        });
        let Drained { open, cut, stuck } = drained;
        let ended = open.saturating_sub(cut);
        let how = if checkpointed { "cleanly" } else { "without a checkpoint (see above)" };
        tracing::info!(
            ended,
            cut,
            stuck,
            checkpointed,
            "stopped {how}: connections that ended by themselves: {ended}, closed at the end of the grace period: {cut}"
        );
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

    /// The health check's look at the disk, when the data directory is
    /// known: a probe file written, synced and removed.
    pub(crate) fn check_disk(&self) -> Result<(), &'static str> {
        match &self.data_dir {
            Some(dir) => crate::health::probe_disk(&dir.health_probe_path()),
            None => Ok(()),
        }
    }
}

/// The hub's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/enroll", get(enroll))
        .route("/sync", get(sync))
        .route("/devices", get(crate::manage::devices))
        .route("/update", get(crate::releases::route::update))
        .route("/update/package/{version}/{format}", get(crate::releases::route::package))
        .with_state(state)
}

/// How long a stop waits for a turn at the store still running after the
/// sockets were cut, before it checkpoints anyway.
const CLOSE_TURN_WAIT: Duration = Duration::from_secs(5);

/// Serves over TLS with `identity` until `shutdown` resolves, then stops
/// gracefully: no new connections, the open syncs given
/// [`Limits::shutdown_grace`] to end before they are cut, the databases
/// checkpointed (`drain.rs`).
pub async fn serve_tls(
    listener: TcpListener,
    identity: &Identity,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), HubError> {
    let listener = TlsListener::with_limits(listener, identity.server_config()?, state.limits.limits())
        .map_err(|e| HubError::Internal(format!("cannot listen: {e}")))?;
    let state = AppState { cert: Some(identity.fingerprint()), ..state };
    let app = router(state.clone()).into_make_service_with_connect_info::<Peer>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(stop_on(shutdown, &state));
    run(&state, serving.into_future())
        .await
        .map_err(|e| HubError::Internal(format!("the server stopped: {e}")))?;
    match state.failure.reason() {
        Some(reason) => Err(HubError::Internal(format!("stopped: {reason}"))),
        None => Ok(()),
    }
}

/// Serves without TLS until `shutdown` resolves, and stops as `serve_tls`
/// does: for in-process tests on loopback only. Stops with an error, as
/// `serve_tls` does, when the store has failed (`health.rs`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits.limits();
    let listener =
        PlainListener::new(listener, Addresses::new(limits.connections_per_address), limits.request);
    let app = router(state.clone()).into_make_service_with_connect_info::<Peer>();
    let serving = axum::serve(listener, app).with_graceful_shutdown(stop_on(shutdown, &state));
    run(&state, serving.into_future()).await?;
    match state.failure.reason() {
        Some(reason) => Err(std::io::Error::other(format!("stopped: {reason}"))),
        None => Ok(()),
    }
}

/// axum's server (`serving`) until it has stopped accepting and its plain
/// HTTP connections have ended, but no longer than the grace period once
/// the hub is stopping (those still open are left to end with the
/// process); then the sockets and the databases (`AppState::close`).
async fn run(state: &AppState, serving: impl Future<Output = std::io::Result<()>>) -> std::io::Result<()> {
    let served = tokio::select! {
        served = serving => served,
        () = state.drain.grace_over() => Ok(()),
    };
    state.close().await;
    served
}

/// The signal for axum's graceful shutdown: `shutdown`, or the hub's fatal
/// failure, whichever comes first; the stop begins then (`drain.rs`).
fn stop_on(
    shutdown: impl Future<Output = ()> + Send + 'static,
    state: &AppState,
) -> impl Future<Output = ()> + Send + 'static {
    let (failure, drain) = (state.failure.clone(), state.drain.clone());
    async move {
        let why = tokio::select! {
            () = shutdown => "on request".to_owned(),
            reason = failure.wait() => format!("on failure ({reason})"),
        };
        drain.begin(&why);
    }
}

/// The connection is becoming a WebSocket: its plain-HTTP deadline no
/// longer applies (`conn.rs`). Absent when the router runs without a
/// listener (tests).
pub(crate) fn upgrading(peer: Option<Extension<ConnectInfo<Peer>>>) {
    if let Some(Extension(ConnectInfo(peer))) = peer {
        peer.upgraded();
    }
}

/// The app version a device says it runs, from `User-Agent: taccuino/X.Y.Z`
/// (what the sync client sends): kept only if it looks like a version, and
/// shown to coordinators as the device's word, never used to decide.
fn app_version(headers: &axum::http::HeaderMap) -> Option<String> {
    let agent = headers.get(axum::http::header::USER_AGENT)?.to_str().ok()?;
    let version = agent.strip_prefix("taccuino/")?;
    let plausible = !version.is_empty()
        && version.len() <= 32
        && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    plausible.then(|| version.to_owned())
}

/// An authenticated device: the extractor reads `Authorization: Bearer`.
pub(crate) struct AuthDevice(pub(crate) Device);

impl FromRequestParts<AppState> for AuthDevice {
    type Rejection = HubError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(HubError::Unauthorized)?;
        match state.with_registry(|r| r.authenticate(token))? {
            Some(device) => Ok(AuthDevice(device)),
            None => {
                state.metrics.unauthorized();
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
    // Counted from here, before the upgrade: a stopping hub waits for it.
    let joined = state.drain.join();
    ws.max_message_size(4096).on_upgrade(move |socket| enroll_socket(socket, state, joined))
}

async fn enroll_socket(mut socket: WebSocket, state: AppState, mut joined: Joined) {
    let first = tokio::select! {
        first = tokio::time::timeout(state.limits.limits().first_frame, socket.recv()) => first,
        // The hub is stopping: the device asks again, its code unused.
        () = joined.cut() => return,
    };
    let Ok(Some(Ok(Message::Text(text)))) = first else { return };
    if joined.is_cut() {
        return;
    }
    let now = std::time::Instant::now();
    let allowed = state.enrol_failures.lock().map(|mut t| t.allows(now)).unwrap_or(false);
    let response = match serde_json::from_str::<EnrollRequest>(&text) {
        _ if !allowed => {
            tracing::warn!("enrolment attempt refused: too many wrong pairing codes this minute");
            EnrollResponse::Refused(EnrollError::RateLimited)
        }
        Ok(req) => {
            let result = state.with_registry(|r| r.redeem(&req.code, &req.name, state.project));
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
    state.metrics.enrolment(&response);
    if let Ok(json) = serde_json::to_string(&response) {
        let _ = socket.send(Message::Text(json.into())).await;
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn sync(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<Peer>>>,
    AuthDevice(device): AuthDevice,
    headers: axum::http::HeaderMap,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    let version = app_version(&headers);
    upgrading(peer);
    // Claimed before the upgrade, so that a device cannot open more
    // sockets than its limit while earlier ones are still upgrading.
    let slot = state.limits.connect(device.id);
    // Counted from here, before the upgrade, as the slot: a stopping hub
    // waits for the sync (a refused one is not waited for).
    let joined = slot.as_ref().map(|_| state.drain.join());
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |socket| async move {
        match (slot, joined) {
            (Some(slot), Some(joined)) => sync_socket(socket, state, device, slot, joined, version).await,
            _ => too_many(socket, state, device).await,
        }
    })
}

/// Sends `frames`; false if the device is gone or reads nothing for the
/// idle timeout (a device that stops reading must not hold the task).
async fn send(socket: &mut WebSocket, metrics: &Metrics, frames: Vec<Frame>, idle: Duration) -> bool {
    for f in frames {
        metrics.sending(&f);
        let bytes = f.encode();
        let len = bytes.len();
        match tokio::time::timeout(idle, socket.send(Message::Binary(bytes.into()))).await {
            Ok(Ok(())) => metrics.frame_out(len),
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
    send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Busy }], limits.idle).await;
}

/// How long a sync cut by a stopping hub may take to be told why.
const CUT_SEND: Duration = Duration::from_secs(1);

/// Closes a sync because the hub is stopping. `Busy` is the closest of the
/// protocol's reasons: devices take it as "sync again later", and what the
/// hub stored of the sync so far stays stored (each turn is a transaction).
async fn cut(socket: &mut WebSocket, metrics: &Metrics, id: crdt_sync::DeviceId) {
    tracing::info!(device = %id, "the hub is stopping: closing the sync");
    send(socket, metrics, vec![Frame::Close { reason: Fatal::Busy }], CUT_SEND).await;
}

async fn sync_socket(
    mut socket: WebSocket,
    state: AppState,
    device: Device,
    _slot: DeviceSlot,
    mut joined: Joined,
    version: Option<String>,
) {
    let id = device.id;
    let _timer = state.metrics.sync_started();
    tracing::info!(device = %id, role = device.role.as_str(), "sync connected");
    let limits = state.limits.limits().clone();
    // How long this connection waited for its turn at the store, and held it.
    let mut store_time = StoreTime::default();
    // The registry's facts about devices, into the register, before any
    // change of this device is judged by them. The store first, then the
    // registry: the registry's devices are read in turn, so no reconcile
    // with an older reading can follow a newer one.
    let reconciled = {
        let asked = Instant::now();
        let mut turn = state.turn.lock().await;
        let got = Instant::now();
        if joined.is_cut() {
            drop(turn);
            cut(&mut socket, &state.metrics, id).await;
            return;
        }
        let reconciled = tokio::task::block_in_place(|| {
            let mut store = state.store()?;
            let registry = state.registry()?;
            turn.reconcile(&mut store, &registry)
        });
        store_time.add(asked, got);
        reconciled
    };
    if let Err(e) = reconciled {
        tracing::error!(device = %id, error = %e, "cannot record the device directory");
        send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Storage }], limits.idle).await;
        return;
    }
    let mut session = Session::hub(id, device.grant());
    let mut revoked = state.upkeep.revoked(&state.registry, &state.failure);
    if revoked.borrow_and_update().closes(id) {
        tracing::warn!(device = %id, "revoked: closing its connection");
        send(&mut socket, &state.metrics, vec![Frame::Close { reason: Fatal::Revoked }], limits.idle).await;
        return;
    }
    // No frame before this instant: the first frame's deadline, then the
    // idle timeout from each time the hub is ready to read again.
    let mut deadline = tokio::time::Instant::now() + limits.first_frame;
    // How long the device made the hub wait for its first frame, and the
    // longest for any later one (logged, to check the deadlines against
    // honest syncs).
    let (mut ready_since, mut longest_wait) = (Instant::now(), Duration::ZERO);
    let mut first_frame = None;
    // A message read while gathering frames that is not one: handled next.
    let mut pending = None;
    loop {
        let msg = match pending.take() {
            Some(msg) => msg,
            None => tokio::select! {
                msg = socket.recv() => msg,
                () = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(device = %id, greeted = session.stats().frames_in > 0, "no frame in time: closing");
                    let close = vec![Frame::Close { reason: Fatal::Idle }];
                    send(&mut socket, &state.metrics, close, limits.idle).await;
                    break;
                }
                () = joined.cut() => {
                    cut(&mut socket, &state.metrics, id).await;
                    break;
                }
                changed = revoked.changed() => {
                    // No more news (the hub is stopping): as when the registry
                    // does not answer, the connection closes.
                    if changed.is_err() || revoked.borrow_and_update().closes(id) {
                        tracing::warn!(device = %id, "revoked: closing its connection");
                        let close = vec![Frame::Close { reason: Fatal::Revoked }];
                        send(&mut socket, &state.metrics, close, limits.idle).await;
                        break;
                    }
                    continue;
                }
            },
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
                send(
                    &mut socket,
                    &state.metrics,
                    vec![Frame::Close { reason: Fatal::Protocol }],
                    limits.idle,
                )
                .await;
                break;
            }
        };
        match first_frame {
            None => first_frame = Some(ready_since.elapsed()),
            Some(_) => longest_wait = longest_wait.max(ready_since.elapsed()),
        }
        // This frame, and those the device sent after it that are already
        // here: each judged as it would be alone, then all handled in one
        // turn at the store. A device sends a frame per document at each
        // step; a turn each made it queue behind every other device as many
        // times.
        let mut frames = Vec::new();
        let mut stop = None;
        let mut next = Some(bytes);
        let mut gathered = 0;
        while let Some(bytes) = next.take() {
            gathered += bytes.len();
            match admit(&state, id, &bytes).await {
                Ok(frame) => frames.push(frame),
                Err(refusal) => {
                    stop = Some(refusal);
                    break;
                }
            }
            if frames.len() >= TURN_FRAMES || gathered >= TURN_BYTES {
                break;
            }
            match socket.recv().now_or_never() {
                Some(Some(Ok(Message::Binary(b)))) => next = Some(b),
                Some(other) => pending = Some(other),
                None => {}
            }
            if pending.is_some() {
                break;
            }
        }
        let (outs, failed) = if frames.is_empty() {
            (Vec::new(), false)
        } else {
            let asked = Instant::now();
            let turn = state.turn.lock().await;
            let got = Instant::now();
            // Cut while waiting for its turn: nothing more is stored once
            // the stopping hub has checkpointed.
            if joined.is_cut() {
                drop(turn);
                cut(&mut socket, &state.metrics, id).await;
                break;
            }
            // The store is synchronous: run it off the async reactor.
            let handled = tokio::task::block_in_place(|| handle(&state, id, &mut session, frames));
            drop(turn);
            store_time.add(asked, got);
            handled
        };
        let mut out = Vec::new();
        for (hello, mut frame_out) in outs {
            if hello && session.closed().is_none() {
                bundle_key_first(&state, &device, &mut frame_out);
            }
            out.extend(frame_out);
        }
        if failed {
            out.push(Frame::Close { reason: Fatal::Storage });
        }
        // Every refusal, as it is sent (the session's map of refused
        // documents holds only some of them, and in document order).
        for f in &out {
            if let Frame::Refused { doc, reason } = f {
                tracing::warn!(device = %id, doc = %doc, reason = ?reason, "refused");
            }
        }
        let closing = out.iter().any(|f| matches!(f, Frame::Close { .. }));
        let over = closing || session.closed().is_some() || session.finished();
        if !send(&mut socket, &state.metrics, out, limits.idle).await || over {
            break;
        }
        if let Some(reason) = stop {
            send(&mut socket, &state.metrics, vec![Frame::Close { reason }], limits.idle).await;
            break;
        }
        deadline = tokio::time::Instant::now() + limits.idle;
        ready_since = Instant::now();
    }
    state.upkeep.finished(id, version);
    let longest_wait_ms = longest_wait.as_millis() as u64;
    let first_frame_ms = first_frame.unwrap_or_default().as_millis() as u64;
    let (store_wait_us, store_held_us) =
        (store_time.wait.as_micros() as u64, store_time.held.as_micros() as u64);
    tracing::info!(
        device = %id,
        stats = ?session.stats(),
        first_frame_ms,
        longest_wait_ms,
        store_wait_us,
        store_held_us,
        "sync disconnected"
    );
}

/// The most frames, and bytes of frames, handled in one turn at the store:
/// a device's step is a frame per document in the session, and a turn
/// stays short for those waiting.
const TURN_FRAMES: usize = 32;
const TURN_BYTES: usize = 1 << 20;

/// A frame's checks before the store (charged to its device, decoded, its
/// automerge work charged): the frame, or why the connection closes.
async fn admit(state: &AppState, id: crdt_sync::DeviceId, bytes: &[u8]) -> Result<Frame, Fatal> {
    state.metrics.frame_in(bytes.len());
    if !charge(state, id, Cost::frame(bytes.len())).await {
        return Err(Fatal::Busy);
    }
    let frame = Frame::decode(bytes).map_err(|e| {
        tracing::warn!(device = %id, error = %e, "malformed frame");
        Fatal::Protocol
    })?;
    // The automerge work a message asks for, measured on its bytes
    // alone (bounded, before any lock), charged to the device across
    // its connections.
    if let Frame::Sync { message, .. } = &frame
        && let Ok(work) = crdt_sync::sync::Cost::of_sync_message(message)
        && !charge(state, id, Cost::changes(work.changes, work.ops)).await
    {
        return Err(Fatal::Busy);
    }
    Ok(frame)
}

/// One turn at the store: `frames` in order, each with whether it was a
/// `Hello` and what it answers, until one closes the session; true at the
/// end if the store failed (the connection closes with `Storage`).
fn handle(
    state: &AppState,
    id: crdt_sync::DeviceId,
    session: &mut Session,
    frames: Vec<Frame>,
) -> (Vec<(bool, Vec<Frame>)>, bool) {
    let mut store = match state.store() {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(device = %id, error = %e, "storing a sync message failed");
            return (Vec::new(), true);
        }
    };
    // One transaction for the turn: one write to disk for a coordinator's
    // upload of thousands of documents, not one each. A storage failure
    // undoes the whole turn, whose answers are then not sent (the device
    // would take them as acknowledgements): only the `Storage` close.
    let turn = store.in_one_transaction(|store| -> crdt_sync::Result<_> {
        let mut outs = Vec::new();
        for frame in frames {
            let hello = matches!(frame, Frame::Hello { .. });
            let out = session.receive(store, frame)?;
            let closing = out.iter().any(|f| matches!(f, Frame::Close { .. }));
            outs.push((hello, out));
            if closing || session.closed().is_some() {
                break;
            }
        }
        Ok(outs)
    });
    match turn {
        Ok(outs) => (outs, false),
        Err(e) => {
            tracing::error!(device = %id, error = %e, "storing a sync message failed");
            (Vec::new(), true)
        }
    }
}

/// How long a connection waited for its turns at the store and held them
/// (logged at its end: the figures that show whether syncs queue).
#[derive(Debug, Default)]
struct StoreTime {
    wait: Duration,
    held: Duration,
}

impl StoreTime {
    /// A turn asked for at `asked`, taken at `got`, ended now.
    fn add(&mut self, asked: Instant, got: Instant) {
        self.wait += got - asked;
        self.held += got.elapsed();
    }
}

/// Charges a frame to its device and waits as its budget says; false if
/// the device is so far over budget that its connection was closed.
async fn pace(state: &AppState, socket: &mut WebSocket, device: crdt_sync::DeviceId, cost: Cost) -> bool {
    if charge(state, device, cost).await {
        return true;
    }
    let idle = state.limits.limits().idle;
    send(socket, &state.metrics, vec![Frame::Close { reason: Fatal::Busy }], idle).await;
    false
}

/// Charges `cost` to `device` and waits as its budget says; false if the
/// device is so far over budget that its connection must close (`Busy`).
async fn charge(state: &AppState, device: crdt_sync::DeviceId, cost: Cost) -> bool {
    match state.limits.charge(device, cost, Instant::now()) {
        Verdict::Go => true,
        Verdict::Wait(wait) => {
            tracing::debug!(%device, ?wait, "pacing a device over its budget");
            tokio::time::sleep(wait).await;
            true
        }
        Verdict::Over(wait) => {
            tracing::warn!(%device, ?wait, "a device far over its budget: closing its connection");
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
    match state.with_registry(|r| r.lab_key(lab)) {
        Ok(key) => out.insert(0, Frame::BundleKey { key }),
        Err(e) => {
            tracing::error!(device = %device.id, error = %e, "reading the lab's bundle key failed");
            *out = vec![Frame::Close { reason: Fatal::Storage }];
        }
    }
}
