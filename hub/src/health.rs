//! `GET /health` that tells the truth, and what the hub does when its store
//! has failed for good.
//!
//! The check takes the register's lock and runs a real query on it (the
//! labs), then the same on the registry (a device look-up), within
//! [`CHECK_WITHIN`], then, when the hub knows its data directory, writes,
//! syncs to disk and removes a probe file there (`health.probe`): `200 ok`
//! when all three work, `503` with a short reason otherwise (details go to
//! the log, not to whoever asks).
//!
//! A poisoned lock (a thread panicked while holding the store) is not
//! something to serve on: the in-memory documents may be half-changed, and
//! every sync would fail while the process looks alive. Whoever finds a lock
//! poisoned — this check or a sync — calls [`Failure::fail`]; `serve_tls`
//! then stops, and `taccuino-hub serve` exits with an error status for its
//! service manager to restart it on the data directory, where every
//! committed write is (SQLite transactions). Reopening the store in place
//! was rejected: it needs the key and the paths inside the server, and a
//! restart of the whole process is the state every test already proves
//! sound (`faults.rs` kills the hub mid-sync).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::server::AppState;

/// How long the check may take before `/health` answers that the store is
/// not answering. A sync holds the store for one frame at a time, well under
/// a second; more than this means it is stuck.
pub const CHECK_WITHIN: Duration = Duration::from_secs(5);

/// The hub's fatal failure, once found: shared by every handler.
#[derive(Clone, Debug)]
pub struct Failure {
    reason: Arc<watch::Sender<Option<&'static str>>>,
    /// Whether a health check is running: a stuck store makes the next
    /// requests answer at once instead of piling up blocked threads.
    checking: Arc<AtomicBool>,
}

impl Default for Failure {
    fn default() -> Self {
        Failure { reason: Arc::new(watch::channel(None).0), checking: Arc::new(AtomicBool::new(false)) }
    }
}

/// Clears the running check's flag however the check ends.
struct Checking(Arc<AtomicBool>);

impl Drop for Checking {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Failure {
    /// Records that the hub cannot go on (the first reason is kept) and
    /// wakes [`Failure::wait`].
    pub fn fail(&self, reason: &'static str) {
        let first = self.reason.send_if_modified(|r| {
            if r.is_some() {
                return false;
            }
            *r = Some(reason);
            true
        });
        if first {
            tracing::error!(reason, "the hub cannot go on: stopping so that its service manager restarts it");
        }
    }

    /// Why the hub failed, if it did.
    pub fn reason(&self) -> Option<&'static str> {
        *self.reason.borrow()
    }

    /// Resolves once the hub has failed.
    pub async fn wait(&self) -> &'static str {
        let mut rx = self.reason.subscribe();
        let found = rx.wait_for(Option::is_some).await.map(|r| r.unwrap_or("failed"));
        match found {
            Ok(reason) => reason,
            // The sender lives as long as `self`.
            Err(_) => std::future::pending().await,
        }
    }
}

/// `GET /health`.
pub async fn health(State(state): State<AppState>) -> Response {
    match check(state).await {
        Ok(()) => "ok".into_response(),
        Err(reason) => {
            tracing::warn!(reason, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
        }
    }
}

async fn check(state: AppState) -> Result<(), &'static str> {
    if let Some(reason) = state.failure().reason() {
        return Err(reason);
    }
    let flag = state.failure().checking.clone();
    if flag.swap(true, Ordering::Acquire) {
        return Err("store: a check is still waiting for it");
    }
    let checking = Checking(flag);
    let job = tokio::task::spawn_blocking(move || {
        let _checking = checking;
        state.check_store().and_then(|()| state.check_registry()).and_then(|()| state.check_disk())
    });
    match tokio::time::timeout(CHECK_WITHIN, job).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("the check failed"),
        Err(_) => Err("store: no answer in time"),
    }
}

/// Writes a few bytes to `path`, syncs them to disk and removes the file:
/// a disk that is full, read-only or failing does not take that, and a hub
/// on it would fail every sync while looking alive.
pub(crate) fn probe_disk(path: &Path) -> Result<(), &'static str> {
    let probe = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(path)?;
        file.write_all(b"taccuino-hub health probe\n")?;
        file.sync_all()?;
        drop(file);
        std::fs::remove_file(path)
    };
    probe().map_err(|e| {
        let path = path.display();
        tracing::error!(error = %e, %path, "health: the data directory's disk does not take a write");
        "disk: cannot write to the data directory"
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::data_dir::DataDir;
    use crate::server::{AppState, serve};

    async fn get_health(addr: std::net::SocketAddr) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n").await.expect("ask");
        let mut response = String::new();
        s.read_to_string(&mut response).await.expect("answer");
        response
    }

    /// No outside condition poisons the store's lock (automerge's panics
    /// are caught inside the store), so this test does it from inside: a
    /// thread panics while holding the lock, as a bug would.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_poisoned_store_fails_health_and_stops_the_server() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = DataDir::new(tmp.path().join("hub"));
        dir.init(crdt_sync::ProjectId(uuid::Uuid::now_v7())).expect("init");
        let state = AppState::new(dir.open_store().expect("store"), dir.open_registry().expect("registry"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(serve(listener, state.clone(), std::future::pending()));
        let healthy = get_health(addr).await;
        assert!(healthy.starts_with("HTTP/1.1 200") && healthy.ends_with("\r\n\r\nok"), "{healthy}");

        let store = state.store_for_tests();
        let panicked = std::thread::spawn(move || {
            let _held = store.lock();
            panic!("a bug while holding the store");
        })
        .join();
        assert!(panicked.is_err());
        let sick = get_health(addr).await;
        assert!(sick.starts_with("HTTP/1.1 503"), "{sick}");
        assert!(sick.ends_with("store: lock poisoned"), "{sick}");
        assert_eq!(state.failure().reason(), Some("store: lock poisoned"));
        // The server stops with an error, for `main` to exit non-zero.
        let stopped = tokio::time::timeout(Duration::from_secs(15), server).await.expect("it stops");
        let e = stopped.expect("no panic").expect_err("an error");
        assert!(e.to_string().contains("poisoned"), "{e}");
    }
}
