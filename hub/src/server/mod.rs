//! The HTTP side: `router(state)` for tests without a socket, `serve` for
//! the real thing. Routes: `GET /health`, `GET /enroll` (WebSocket, JSON),
//! `GET /sync` (WebSocket, binary frames, `Authorization: Bearer <token>`).
//! Each WebSocket route has its own file: `enroll.rs`, `sync.rs`.

mod enroll;
mod sync;
mod turns;

use enroll::enroll;
use sync::sync;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Extension, Router};
use crdt_sync::{Maintenance, ProjectId, ProjectSettings, Store};
use tokio::net::TcpListener;

use crate::conn::{Addresses, Peer, PlainListener};
use crate::data_dir::DataDir;
use crate::directory::Reconciler;
use crate::drain::{Drain, Drained};
use crate::error::HubError;
use crate::health::{Failure, health};
use crate::limits::{DeviceLimits, Limits};
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
    /// Syncs' turns waiting for the store, run in groups (`turns.rs`).
    queue: Arc<turns::Queue>,
    registry: Arc<Mutex<Registry>>,
    /// Whose turn it is to use the registry from a request: a task waits
    /// here before it leaves the reactor for the registry's lock, as a
    /// sync does for the store. Without it a thousand devices connecting
    /// at once each parked a thread on that lock (`block_in_place` hands
    /// the worker to a new thread per call): up to 450 threads and twice
    /// the hub's peak memory (decision 0040).
    registry_turn: Arc<tokio::sync::Mutex<()>>,
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
            queue: Arc::default(),
            registry: Arc::new(Mutex::new(registry)),
            registry_turn: Arc::default(),
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

    /// `f` on the registry, from a task, in its turn: off the async
    /// reactor, since the registry is synchronous and some of its writes
    /// wait for the disk.
    pub(crate) async fn with_registry<T>(
        &self,
        f: impl FnOnce(&mut Registry) -> Result<T, HubError>,
    ) -> Result<T, HubError> {
        let _turn = self.registry_turn.lock().await;
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
        match state.with_registry(|r| r.authenticate(token)).await? {
            Some(device) => Ok(AuthDevice(device)),
            None => {
                state.metrics.unauthorized();
                tracing::warn!("refused a connection with an unknown or revoked credential");
                Err(HubError::Unauthorized)
            }
        }
    }
}
