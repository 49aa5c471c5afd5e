//! The hub's metrics, for Prometheus (decision 0026).
//!
//! Two kinds. What the sync path counts as it goes: syncs started and
//! finished and how long they took, documents refused and connections
//! closed by the hub, each by reason, frames and bytes each way, enrolments
//! and credentials refused. And what a scrape reads when it comes
//! ([`Snapshot`]): devices by lab, role and status and each device's last
//! sync (from the registry), the size of the register and of the registry
//! on disk, and when the last backup was made (the mtime of
//! `backup.stamp`, which `taccuino-hub backup` writes after each backup).
//!
//! Served as OpenMetrics text by [`serve_metrics`] on a listener of its own
//! that [`bind`] keeps on loopback: device ids and lab numbers are not for
//! the network the devices sync over, and the TLS port stays the devices'.
//! Every name starts with `taccuino_hub_`.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use crdt_sync::sync::{EnrollResponse, Frame};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, text};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry as Exposition;
use tokio::net::TcpListener;

use crate::data_dir::DataDir;
use crate::error::{HubError, Result};
use crate::registry::{Device, Registry};
use crate::server::AppState;

/// Every metric's name starts with this and `_`.
pub const PREFIX: &str = "taccuino_hub";

/// What `GET /metrics` answers with (OpenMetrics text, which Prometheus
/// asks for first).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// One label whose value is one of a closed set of names.
type Label = [(&'static str, &'static str); 1];

/// The counters the sync path updates; cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Metrics(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// The counters below, registered under their names (the registry
    /// holds clones of the same counters: each is an `Arc`).
    exposition: Exposition,
    counters: Counters,
}

#[derive(Debug)]
struct Counters {
    syncs_started: Counter,
    syncs_finished: Counter,
    sync_seconds: Histogram,
    refusals: Family<Label, Counter>,
    closes: Family<Label, Counter>,
    frames: Family<Label, Counter>,
    bytes: Family<Label, Counter>,
    enrolments_accepted: Counter,
    enrolments_refused: Family<Label, Counter>,
    unauthorized: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let m = Counters {
            syncs_started: Counter::default(),
            syncs_finished: Counter::default(),
            // 10 ms to 164 s: a quick sync in step, up to a first sync of a
            // whole lab (the idle timeout is 2 minutes a frame).
            sync_seconds: Histogram::new(exponential_buckets(0.01, 2.0, 15)),
            refusals: Family::default(),
            closes: Family::default(),
            frames: Family::default(),
            bytes: Family::default(),
            enrolments_accepted: Counter::default(),
            enrolments_refused: Family::default(),
            unauthorized: Counter::default(),
        };
        let mut r = Exposition::with_prefix(PREFIX);
        r.register("syncs_started", "Sync connections that began", m.syncs_started.clone());
        r.register("syncs_finished", "Sync connections that ended, however", m.syncs_finished.clone());
        r.register("sync_duration_seconds", "How long sync connections lasted", m.sync_seconds.clone());
        r.register(
            "refusals",
            "Documents refused to devices (Refused frames), by reason",
            m.refusals.clone(),
        );
        r.register("closes", "Sync connections the hub closed (Close frames), by reason", m.closes.clone());
        r.register("frames", "Sync frames, by direction (in: from devices)", m.frames.clone());
        r.register("bytes", "Bytes of sync frames, by direction (in: from devices)", m.bytes.clone());
        r.register("enrolments_accepted", "Devices enrolled", m.enrolments_accepted.clone());
        r.register("enrolments_refused", "Enrolments refused, by reason", m.enrolments_refused.clone());
        r.register(
            "unauthorized",
            "Sync requests with an unknown or revoked credential",
            m.unauthorized.clone(),
        );
        Metrics(Arc::new(Inner { exposition: r, counters: m }))
    }
}

/// A sync connection being timed: counted as finished, with its duration,
/// when dropped (whichever way the connection ends).
#[derive(Debug)]
pub struct SyncTimer {
    metrics: Metrics,
    started: Instant,
}

impl Drop for SyncTimer {
    fn drop(&mut self) {
        self.metrics.0.counters.syncs_finished.inc();
        self.metrics.0.counters.sync_seconds.observe(self.started.elapsed().as_secs_f64());
    }
}

impl Metrics {
    /// A sync connection begins; it ends when the timer is dropped.
    pub fn sync_started(&self) -> SyncTimer {
        self.0.counters.syncs_started.inc();
        SyncTimer { metrics: self.clone(), started: Instant::now() }
    }

    /// A frame of `len` bytes came from a device.
    pub fn frame_in(&self, len: usize) {
        self.0.counters.frames.get_or_create(&[("direction", "in")]).inc();
        self.0.counters.bytes.get_or_create(&[("direction", "in")]).inc_by(len as u64);
    }

    /// The hub is sending `frame`: a refusal or a close is counted by its
    /// reason.
    pub fn sending(&self, frame: &Frame) {
        match frame {
            Frame::Refused { reason, .. } => {
                self.0.counters.refusals.get_or_create(&[("reason", reason.as_str())]).inc();
            }
            Frame::Close { reason } => {
                self.0.counters.closes.get_or_create(&[("reason", reason.as_str())]).inc();
            }
            _ => {}
        }
    }

    /// A frame of `len` bytes went to a device.
    pub fn frame_out(&self, len: usize) {
        self.0.counters.frames.get_or_create(&[("direction", "out")]).inc();
        self.0.counters.bytes.get_or_create(&[("direction", "out")]).inc_by(len as u64);
    }

    /// The hub answered an enrolment.
    pub fn enrolment(&self, response: &EnrollResponse) {
        match response {
            EnrollResponse::Enrolled(_) => {
                self.0.counters.enrolments_accepted.inc();
            }
            EnrollResponse::Refused(e) => {
                self.0.counters.enrolments_refused.get_or_create(&[("reason", e.as_str())]).inc();
            }
        }
    }

    /// A sync request with an unknown or revoked credential.
    pub fn unauthorized(&self) {
        self.0.counters.unauthorized.inc();
    }

    /// The exposition: these counters, then `snapshot`, then `# EOF`.
    pub fn render(&self, snapshot: Snapshot) -> Result<String> {
        let failed = |_| HubError::Internal("cannot encode the metrics".into());
        let mut out = String::new();
        text::encode_registry(&mut out, &self.0.exposition).map_err(failed)?;
        let mut scraped = Exposition::with_prefix(PREFIX);
        scraped.register_collector(Box::new(snapshot));
        text::encode_registry(&mut out, &scraped).map_err(failed)?;
        text::encode_eof(&mut out).map_err(failed)?;
        Ok(out)
    }
}

/// What a scrape reads when it comes.
#[derive(Debug)]
pub struct Snapshot {
    /// The registry's devices; `None` if it did not answer (logged).
    devices: Option<Vec<Device>>,
    /// The register's and the registry's bytes on disk, with their logs.
    stores: Vec<(&'static str, u64)>,
    /// When the last backup finished (the stamp's mtime), if one did.
    backup: Option<SystemTime>,
    now: SystemTime,
}

impl Snapshot {
    /// Reads the registry's devices (`None`: its lock was poisoned, see
    /// `health.rs`), and, when the data directory is known, the files'
    /// sizes and the backup stamp.
    pub fn take(registry: Option<&Registry>, dir: Option<&DataDir>) -> Snapshot {
        let devices = match registry.map(Registry::devices) {
            Some(Ok(devices)) => Some(devices),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "metrics: cannot read the devices");
                None
            }
            None => None,
        };
        let stores = dir
            .map(|d| {
                [("register", d.register_path()), ("registry", d.registry_path())]
                    .into_iter()
                    .filter_map(|(name, path)| Some((name, with_log(&path)?)))
                    .collect()
            })
            .unwrap_or_default();
        let backup =
            dir.and_then(|d| std::fs::metadata(d.backup_stamp_path()).and_then(|m| m.modified()).ok());
        Snapshot { devices, stores, backup, now: SystemTime::now() }
    }
}

/// The bytes of an SQLite file and its write-ahead log; `None` if the file
/// is not there.
fn with_log(path: &Path) -> Option<u64> {
    let main = std::fs::metadata(path).ok()?.len();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    Some(main + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0))
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// A device's lab as a label: its number, or `none` (coordinators).
fn lab_label(d: &Device) -> String {
    d.lab_number.map(|n| n.to_string()).unwrap_or_else(|| "none".into())
}

/// Encodes one gauge family: `samples` are (labels, value).
fn gauges<'a>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (Vec<(&'static str, &'a str)>, i64)>,
) -> std::fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in samples {
        ConstGauge::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        if let Some(devices) = &self.devices {
            let mut counts: BTreeMap<(String, &str, &str), i64> = BTreeMap::new();
            for d in devices {
                let status = if d.revoked_at.is_some() { "revoked" } else { "active" };
                *counts.entry((lab_label(d), d.role.as_str(), status)).or_default() += 1;
            }
            gauges(
                &mut encoder,
                "devices",
                "Enrolled devices by lab (none: coordinators), role and status.",
                counts.iter().map(|((lab, role, status), n)| {
                    (vec![("lab", lab.as_str()), ("role", *role), ("status", *status)], *n)
                }),
            )?;
            let synced: Vec<(String, String, &Device, i64)> = devices
                .iter()
                .filter_map(|d| Some((d.id.to_string(), lab_label(d), d, d.last_sync?.div_euclid(1000))))
                .collect();
            gauges(
                &mut encoder,
                "device_last_sync_timestamp_seconds",
                "When each device last finished a sync (unix seconds); devices that never synced are absent.",
                synced.iter().map(|(id, lab, d, at)| {
                    (vec![("device", id.as_str()), ("lab", lab.as_str()), ("role", d.role.as_str())], *at)
                }),
            )?;
        }
        if !self.stores.is_empty() {
            gauges(
                &mut encoder,
                "store_size_bytes",
                "Bytes on disk of the register (register.db) and the registry (hub.db), each with its -wal.",
                self.stores
                    .iter()
                    .map(|(name, bytes)| (vec![("store", *name)], i64::try_from(*bytes).unwrap_or(i64::MAX))),
            )?;
        }
        if let Some(at) = self.backup {
            gauges(
                &mut encoder,
                "last_backup_timestamp_seconds",
                "When the last backup finished (mtime of backup.stamp, unix seconds).",
                [(Vec::new(), unix_seconds(at))],
            )?;
            let age = self.now.duration_since(at).map(|d| d.as_secs()).unwrap_or(0);
            gauges(
                &mut encoder,
                "backup_age_seconds",
                "Seconds since the last backup finished.",
                [(Vec::new(), i64::try_from(age).unwrap_or(i64::MAX))],
            )?;
        }
        Ok(())
    }
}

/// Resolves `addr` and binds it, refusing any address that is not
/// loopback: the metrics name devices and labs, and have no credential.
pub async fn bind(addr: &str) -> Result<TcpListener> {
    let resolved: Vec<SocketAddr> = tokio::net::lookup_host(addr)
        .await
        .map_err(|e| HubError::Usage(format!("metrics listen address {addr}: {e}")))?
        .collect();
    loopback_only(addr, &resolved)?;
    TcpListener::bind(&resolved[..])
        .await
        .map_err(|e| HubError::Usage(format!("cannot listen for metrics on {addr}: {e}")))
}

/// `Ok` if `resolved` is not empty and every address in it is loopback.
pub fn loopback_only(addr: &str, resolved: &[SocketAddr]) -> Result<()> {
    if !resolved.is_empty() && resolved.iter().all(|a| a.ip().to_canonical().is_loopback()) {
        return Ok(());
    }
    Err(HubError::Usage(format!(
        "metrics listen address {addr} is not loopback: the metrics are served on this machine only \
         (127.0.0.1 or [::1]); scrape them through a proxy or an agent on the hub's machine"
    )))
}

/// The metrics listener's routes: `GET /metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(state)
}

/// Connections the metrics listener holds at once: a scraper needs one.
/// Loopback only, but a process on the hub's machine that opens
/// connections and never asks must not hold the hub's sockets.
pub const METRICS_CONNECTIONS: u32 = 8;

/// Serves `GET /metrics` in plain HTTP on `listener` (from [`bind`]) until
/// `shutdown` resolves: at most [`METRICS_CONNECTIONS`] at once, each
/// closed if it has not asked within the hub's request deadline.
pub async fn serve_metrics(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listener = crate::conn::PlainListener::new(
        listener,
        crate::conn::Addresses::new(METRICS_CONNECTIONS),
        state.limits().limits().request,
    );
    axum::serve(listener, metrics_router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| HubError::Internal(format!("the metrics listener stopped: {e}")))
}

/// `GET /metrics`: read off the async reactor (the registry is SQLite).
async fn metrics(State(state): State<AppState>) -> Response {
    match tokio::task::spawn_blocking(move || state.metrics_text()).await {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "metrics: cannot render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses_are_taken() {
        let ok = |s: &str| loopback_only(s, &[s.parse().expect("addr")]).is_ok();
        assert!(ok("127.0.0.1:9464") && ok("[::1]:9464") && ok("127.8.0.1:1") && ok("[::ffff:127.0.0.1]:1"));
        assert!(!ok("0.0.0.0:9464") && !ok("[::]:9464") && !ok("192.168.1.5:9464"));
        assert!(loopback_only("nowhere", &[]).is_err());
        let e = loopback_only("0.0.0.0:0", &["0.0.0.0:0".parse().expect("addr")]).expect_err("refused");
        assert!(e.to_string().contains("not loopback"), "{e}");
    }

    #[test]
    fn a_snapshot_renders_with_the_counters() {
        use crdt_sync::sync::Fatal;
        let metrics = Metrics::default();
        metrics.sync_started();
        metrics.sending(&Frame::Close { reason: Fatal::Idle });
        let snapshot = Snapshot {
            devices: Some(Vec::new()),
            stores: vec![("register", 4096)],
            backup: Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000)),
            now: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_060),
        };
        let text = metrics.render(snapshot).expect("render");
        for line in [
            "taccuino_hub_syncs_started_total 1",
            "taccuino_hub_syncs_finished_total 1",
            "taccuino_hub_closes_total{reason=\"idle\"} 1",
            "taccuino_hub_store_size_bytes{store=\"register\"} 4096",
            "taccuino_hub_last_backup_timestamp_seconds 1000",
            "taccuino_hub_backup_age_seconds 60",
        ] {
            assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
