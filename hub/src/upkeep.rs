//! The registry's upkeep, done once for the whole hub instead of once per
//! connection: which devices are revoked (read every [`EVERY`] and pushed to
//! every open connection), and when each device last synced (kept in
//! memory and written in one transaction per round).
//!
//! Each open connection used to ask the registry whether its device was
//! revoked five times a second (1,000 connections: 5,000 queries a second,
//! 15% of the hub's time), and each finished sync wrote its time with its
//! own disk flush, holding the registry (about 5 ms each) while the next
//! connections waited for it to authenticate. A revocation still reaches
//! every connection of the device within [`EVERY`] of being committed.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use crdt_sync::DeviceId;
use tokio::sync::watch;

use crate::health::Failure;
use crate::registry::{Finished, Registry};

/// How often the revoked devices are read, and finished syncs written.
pub const EVERY: Duration = Duration::from_millis(200);

/// The revoked devices as last read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revoked {
    /// These devices.
    Known(Arc<HashSet<DeviceId>>),
    /// The registry did not answer: every connection closes, as when its
    /// own check failed.
    Unknown,
}

impl Revoked {
    /// Whether a connection of `device` must close.
    pub fn closes(&self, device: DeviceId) -> bool {
        match self {
            Revoked::Known(set) => set.contains(&device),
            Revoked::Unknown => true,
        }
    }
}

/// The upkeep every connection shares.
#[derive(Clone, Debug, Default)]
pub struct Upkeep {
    /// Syncs finished since the last write, by device.
    finished: Arc<Mutex<HashMap<DeviceId, Finished>>>,
    /// The revoked devices, once the reading task runs.
    revoked: Arc<OnceLock<watch::Receiver<Revoked>>>,
}

impl Upkeep {
    /// Records that `device`, running `app_version` as it said, finished a
    /// sync now (written within [`EVERY`]).
    pub fn finished(&self, device: DeviceId, app_version: Option<String>) {
        let at = chrono::Utc::now().timestamp_millis();
        if let Ok(mut finished) = self.finished.lock() {
            finished.insert(device, Finished { at, app_version });
        }
    }

    /// The revoked devices, kept current: the first call (inside the
    /// runtime) reads them and starts the task that reads them again every
    /// [`EVERY`] for as long as the registry is open.
    pub fn revoked(&self, registry: &Arc<Mutex<Registry>>, failure: &Failure) -> watch::Receiver<Revoked> {
        self.revoked
            .get_or_init(|| {
                let first = tokio::task::block_in_place(|| round(registry, &self.finished, failure));
                let (tx, rx) = watch::channel(first);
                let task = (Arc::downgrade(registry), self.finished.clone(), failure.clone());
                tokio::spawn(run(task.0, task.1, task.2, tx));
                rx
            })
            .clone()
    }

    /// Writes the syncs not written yet (when the hub stops).
    pub fn flush(&self, registry: &Mutex<Registry>, failure: &Failure) {
        round(registry, &self.finished, failure);
    }
}

async fn run(
    registry: Weak<Mutex<Registry>>,
    finished: Arc<Mutex<HashMap<DeviceId, Finished>>>,
    failure: Failure,
    tx: watch::Sender<Revoked>,
) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // The registry is gone with the hub's state: nothing left to keep.
        let Some(registry) = registry.upgrade() else { return };
        let (finished, failure) = (finished.clone(), failure.clone());
        let read = tokio::task::spawn_blocking(move || round(&registry, &finished, &failure)).await;
        let now = read.unwrap_or(Revoked::Unknown);
        tx.send_if_modified(|current| {
            let changed = *current != now;
            *current = now;
            changed
        });
    }
}

/// One round: the finished syncs written, the revoked devices read.
fn round(
    registry: &Mutex<Registry>,
    finished: &Mutex<HashMap<DeviceId, Finished>>,
    failure: &Failure,
) -> Revoked {
    let Ok(mut registry) = registry.lock() else {
        failure.fail("registry: lock poisoned");
        return Revoked::Unknown;
    };
    let syncs: Vec<(DeviceId, Finished)> = match finished.lock() {
        Ok(mut f) => f.drain().collect(),
        Err(_) => Vec::new(),
    };
    if let Err(e) = registry.record_syncs(&syncs) {
        // Only the "last sync" column `taccuino-hub devices` shows is lost.
        tracing::warn!(error = %e, syncs = syncs.len(), "cannot record the last syncs");
    }
    match registry.revoked() {
        Ok(set) => Revoked::Known(Arc::new(set)),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the revoked devices: closing every connection");
            Revoked::Unknown
        }
    }
}
