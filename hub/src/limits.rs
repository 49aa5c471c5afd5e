//! Limits on what one device, and one network address, may make the hub do:
//! the settings (deadlines, connection counts, budgets per minute) and the
//! per-device state every connection of a device shares.
//!
//! Budgets are per device, not per connection: a device that opens four
//! connections gets the same budget as one that opens one. Each budget is a
//! token bucket holding one minute's worth, refilled continuously; a device
//! over budget is slowed down (the hub waits before reading its next frame,
//! so TCP pushes back on it), and one whose debt would take longer than
//! [`MAX_WAIT`] to repay is cut off with `Fatal::Busy` until it is repaid.
//! An honest device's first sync stays far inside every budget
//! (`docs/decisions/0017-connection-hygiene.md` has the figures).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crdt_sync::DeviceId;
use serde::Deserialize;

use crate::error::{HubError, Result};
use crate::pace::Pace;

/// The longest a device is made to wait for its budget before its
/// connection is closed instead: well under the sync client's 30 s stall
/// timeout, so a slowed honest device never gives up on its own.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// The hub's connection limits, resolved (defaults are the production
/// values; tests shorten the deadlines through the same settings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take over the TLS handshake.
    pub handshake: Duration,
    /// How long a connection may stay plain HTTP (its request read and
    /// answered) before it is closed, unless it became a WebSocket.
    pub request: Duration,
    /// How long a new WebSocket may wait before its first frame.
    pub first_frame: Duration,
    /// How long an authenticated `/sync` socket may send no frame (pings
    /// do not count) before it is closed with `Fatal::Idle`.
    pub idle: Duration,
    /// `/sync` connections one device may hold at once; one more is
    /// answered `Fatal::Busy`.
    pub connections_per_device: u32,
    /// TCP connections one address (an IPv6 /64) may hold at once,
    /// authenticated or not; more are closed before the TLS handshake.
    pub connections_per_address: u32,
    /// Frames (any WebSocket message) a device may send per minute.
    pub frames_per_minute: u64,
    /// Bytes of frames a device may send per minute.
    pub bytes_per_minute: u64,
    /// Automerge changes a device may send per minute (charged through
    /// [`DeviceLimits::charge`] by whoever decodes them).
    pub changes_per_minute: u64,
    /// Automerge operations a device may send per minute.
    pub ops_per_minute: u64,
    /// Release packages one device may download per day (`GET
    /// /update/package/..`, one at a time): a laptop needs one per release,
    /// and a few more after a broken download. Each is megabytes the hub
    /// sends, which the per-minute budgets (what a device *sends*) do not
    /// count.
    pub downloads_per_day: u32,
    /// How long the syncs running when the hub is told to stop (SIGTERM,
    /// Ctrl-C) may take to finish before they are cut (`Fatal::Busy`):
    /// keep a service manager's stop timeout above it.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake: Duration::from_secs(10),
            request: Duration::from_secs(10),
            first_frame: Duration::from_secs(15),
            idle: Duration::from_secs(120),
            connections_per_device: 4,
            connections_per_address: 64,
            frames_per_minute: 120_000,
            bytes_per_minute: 256 * 1024 * 1024,
            changes_per_minute: 1_000_000,
            ops_per_minute: 20_000_000,
            downloads_per_day: 12,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// The limits as a file's `[limits]` table or the command line give them:
/// any may be missing (then the default). Times in seconds.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// See [`Limits::handshake`].
    pub handshake_secs: Option<u64>,
    /// See [`Limits::request`].
    pub request_secs: Option<u64>,
    /// See [`Limits::first_frame`].
    pub first_frame_secs: Option<u64>,
    /// See [`Limits::idle`].
    pub idle_secs: Option<u64>,
    /// See [`Limits::connections_per_device`].
    pub connections_per_device: Option<u32>,
    /// See [`Limits::connections_per_address`].
    pub connections_per_address: Option<u32>,
    /// See [`Limits::frames_per_minute`].
    pub frames_per_minute: Option<u64>,
    /// See [`Limits::bytes_per_minute`].
    pub bytes_per_minute: Option<u64>,
    /// See [`Limits::changes_per_minute`].
    pub changes_per_minute: Option<u64>,
    /// See [`Limits::ops_per_minute`].
    pub ops_per_minute: Option<u64>,
    /// See [`Limits::downloads_per_day`].
    pub downloads_per_day: Option<u32>,
    /// See [`Limits::shutdown_grace`].
    pub shutdown_grace_secs: Option<u64>,
}

impl Limits {
    /// `first` (flags and environment) over `then` (the file) over the
    /// defaults. Zero is refused: it would close every connection.
    pub fn resolve(first: &LimitsFile, then: &LimitsFile) -> Result<Limits> {
        let d = Limits::default();
        let secs = |a: Option<u64>, b: Option<u64>, default: Duration, name: &str| -> Result<Duration> {
            match a.or(b) {
                None => Ok(default),
                Some(0) => Err(zero(name)),
                Some(n) => Ok(Duration::from_secs(n)),
            }
        };
        fn count<T: Copy + PartialEq + Default>(
            a: Option<T>,
            b: Option<T>,
            default: T,
            name: &str,
        ) -> Result<T> {
            match a.or(b) {
                None => Ok(default),
                Some(n) if n == T::default() => Err(zero(name)),
                Some(n) => Ok(n),
            }
        }
        Ok(Limits {
            handshake: secs(first.handshake_secs, then.handshake_secs, d.handshake, "handshake_secs")?,
            request: secs(first.request_secs, then.request_secs, d.request, "request_secs")?,
            first_frame: secs(
                first.first_frame_secs,
                then.first_frame_secs,
                d.first_frame,
                "first_frame_secs",
            )?,
            idle: secs(first.idle_secs, then.idle_secs, d.idle, "idle_secs")?,
            connections_per_device: count(
                first.connections_per_device,
                then.connections_per_device,
                d.connections_per_device,
                "connections_per_device",
            )?,
            connections_per_address: count(
                first.connections_per_address,
                then.connections_per_address,
                d.connections_per_address,
                "connections_per_address",
            )?,
            frames_per_minute: count(
                first.frames_per_minute,
                then.frames_per_minute,
                d.frames_per_minute,
                "frames_per_minute",
            )?,
            bytes_per_minute: count(
                first.bytes_per_minute,
                then.bytes_per_minute,
                d.bytes_per_minute,
                "bytes_per_minute",
            )?,
            changes_per_minute: count(
                first.changes_per_minute,
                then.changes_per_minute,
                d.changes_per_minute,
                "changes_per_minute",
            )?,
            ops_per_minute: count(
                first.ops_per_minute,
                then.ops_per_minute,
                d.ops_per_minute,
                "ops_per_minute",
            )?,
            downloads_per_day: count(
                first.downloads_per_day,
                then.downloads_per_day,
                d.downloads_per_day,
                "downloads_per_day",
            )?,
            shutdown_grace: secs(
                first.shutdown_grace_secs,
                then.shutdown_grace_secs,
                d.shutdown_grace,
                "shutdown_grace_secs",
            )?,
        })
    }
}

fn zero(name: &str) -> HubError {
    HubError::Usage(format!("limits: {name} must be more than 0"))
}

/// What one piece of a device's work costs against its budgets. Frames and
/// bytes are charged by the socket loop as they arrive; changes and
/// operations by whoever decodes automerge bytes, once it knows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// WebSocket messages.
    pub frames: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Automerge changes.
    pub changes: u64,
    /// Automerge operations.
    pub ops: u64,
}

impl Cost {
    /// One frame of `bytes` bytes.
    pub fn frame(bytes: usize) -> Cost {
        Cost { frames: 1, bytes: bytes as u64, ..Cost::default() }
    }

    /// `changes` automerge changes holding `ops` operations.
    pub fn changes(changes: u64, ops: u64) -> Cost {
        Cost { changes, ops, ..Cost::default() }
    }
}

/// What the hub does with a device after charging it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Within budget: go on.
    Go,
    /// Over budget: wait this long before reading its next frame.
    Wait(Duration),
    /// So far over budget that repaying would take more than [`MAX_WAIT`]:
    /// close the connection (`Fatal::Busy`). The debt stays: the device's
    /// next connection is cut too until it is repaid.
    Over(Duration),
}

/// One device's budgets and open connections.
#[derive(Debug)]
struct Device {
    frames: Pace,
    bytes: Pace,
    changes: Pace,
    ops: Pace,
    connections: u32,
    downloads: Pace,
    downloading: bool,
}

/// Per-device limits shared by every connection (held in the hub's
/// `AppState`). Holds one entry per device that connected since the hub
/// started: at most the enrolled devices, a hundred or so.
#[derive(Clone, Debug)]
pub struct DeviceLimits {
    limits: Limits,
    devices: Arc<Mutex<HashMap<DeviceId, Device>>>,
}

/// A device's claim on one of its connections; dropping it frees the place.
#[derive(Debug)]
pub struct DeviceSlot {
    device: DeviceId,
    devices: Arc<Mutex<HashMap<DeviceId, Device>>>,
}

impl Drop for DeviceSlot {
    fn drop(&mut self) {
        if let Ok(mut devices) = self.devices.lock()
            && let Some(d) = devices.get_mut(&self.device)
        {
            d.connections = d.connections.saturating_sub(1);
        }
    }
}

/// A device's running release download; dropping it (the download ended,
/// or the laptop went away) lets the device start another.
#[derive(Debug)]
pub struct DownloadSlot {
    device: DeviceId,
    devices: Arc<Mutex<HashMap<DeviceId, Device>>>,
}

impl Drop for DownloadSlot {
    fn drop(&mut self) {
        let mut devices = self.devices.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(d) = devices.get_mut(&self.device) {
            d.downloading = false;
        }
    }
}

/// A minute's worth, refilled over a minute.
fn per_minute(amount: u64, now: Instant) -> Pace {
    let amount = amount as f64;
    Pace::of(amount / 60.0, amount, now)
}

impl DeviceLimits {
    /// No device seen yet.
    pub fn new(limits: Limits) -> Self {
        DeviceLimits { limits, devices: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// The settings.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn with<T>(&self, device: DeviceId, now: Instant, f: impl FnOnce(&mut Device) -> T) -> T {
        // A poisoned map only ever holds counters: take it as it is.
        let mut devices = self.devices.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let l = &self.limits;
        let d = devices.entry(device).or_insert_with(|| Device {
            frames: per_minute(l.frames_per_minute, now),
            bytes: per_minute(l.bytes_per_minute, now),
            changes: per_minute(l.changes_per_minute, now),
            ops: per_minute(l.ops_per_minute, now),
            connections: 0,
            downloads: Pace::of(
                f64::from(l.downloads_per_day) / 86_400.0,
                f64::from(l.downloads_per_day),
                now,
            ),
            downloading: false,
        });
        f(d)
    }

    /// Claims one of `device`'s connections, or `None` if it already holds
    /// [`Limits::connections_per_device`].
    pub fn connect(&self, device: DeviceId) -> Option<DeviceSlot> {
        let max = self.limits.connections_per_device;
        let claimed = self.with(device, Instant::now(), |d| {
            if d.connections >= max {
                return false;
            }
            d.connections += 1;
            true
        });
        claimed.then(|| DeviceSlot { device, devices: self.devices.clone() })
    }

    /// Claims a release download for `device` at `now`: one at a time, and
    /// [`Limits::downloads_per_day`]. Refused with how long to wait (zero:
    /// one is running) — the download is not started, and a refusal for
    /// the daily budget costs nothing.
    pub fn start_download(
        &self,
        device: DeviceId,
        now: Instant,
    ) -> std::result::Result<DownloadSlot, Duration> {
        self.with(device, now, |d| {
            if d.downloading {
                return Err(Duration::ZERO);
            }
            let wait = d.downloads.take_n(1.0, now);
            if !wait.is_zero() {
                // Not taken: give the token back, so that asking again
                // before the wait is over does not push it further.
                d.downloads.take_n(-1.0, now);
                return Err(wait);
            }
            d.downloading = true;
            Ok(())
        })?;
        Ok(DownloadSlot { device, devices: self.devices.clone() })
    }

    /// Charges `cost` to `device` at `now`, across all its connections.
    ///
    /// This is the hook for every kind of work a device causes: the socket
    /// loop charges each frame ([`Cost::frame`]); code that decodes
    /// automerge changes charges them and their operations
    /// ([`Cost::changes`]) and acts on the verdict the same way (wait, or
    /// refuse and close on [`Verdict::Over`]).
    pub fn charge(&self, device: DeviceId, cost: Cost, now: Instant) -> Verdict {
        let wait = self.with(device, now, |d| {
            let mut wait = Duration::ZERO;
            for (bucket, amount) in [
                (&mut d.frames, cost.frames),
                (&mut d.bytes, cost.bytes),
                (&mut d.changes, cost.changes),
                (&mut d.ops, cost.ops),
            ] {
                if amount > 0 {
                    wait = wait.max(bucket.take_n(amount as f64, now));
                }
            }
            wait
        });
        if wait.is_zero() {
            Verdict::Go
        } else if wait <= MAX_WAIT {
            Verdict::Wait(wait)
        } else {
            Verdict::Over(wait)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(n: u128) -> DeviceId {
        DeviceId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn downloads_go_one_at_a_time_and_the_days_budget_refills() {
        let shared = DeviceLimits::new(Limits { downloads_per_day: 2, ..Limits::default() });
        let t0 = Instant::now();
        let first = shared.start_download(device(1), t0).expect("first");
        assert_eq!(shared.start_download(device(1), t0).err(), Some(Duration::ZERO), "one at a time");
        assert!(shared.start_download(device(2), t0).is_ok(), "another device is not affected");
        drop(first);
        drop(shared.start_download(device(1), t0).expect("second"));
        // The day's two are spent: the next refills in half a day, and
        // asking again meanwhile does not push it further.
        let wait = shared.start_download(device(1), t0).expect_err("third");
        assert_eq!(wait.as_secs(), 43_200);
        let later = t0 + Duration::from_secs(3_600);
        assert_eq!(shared.start_download(device(1), later).expect_err("still").as_secs(), 39_600);
        assert!(shared.start_download(device(1), t0 + Duration::from_secs(43_200)).is_ok());
    }

    #[test]
    fn budgets_are_per_device_across_connections() {
        let limits = Limits { frames_per_minute: 60, ..Limits::default() };
        let shared = DeviceLimits::new(limits);
        let t0 = Instant::now();
        let (a, b) = (device(1), device(2));
        // Two "connections" of device a share its 60 frames a minute.
        let (c1, c2) = (shared.clone(), shared.clone());
        for i in 0..60 {
            let on = if i % 2 == 0 { &c1 } else { &c2 };
            assert_eq!(on.charge(a, Cost::frame(10), t0), Verdict::Go, "frame {i}");
        }
        // The 61st waits a second (one frame a second refills); device b
        // has its own budget.
        assert_eq!(c2.charge(a, Cost::frame(10), t0), Verdict::Wait(Duration::from_secs(1)));
        assert_eq!(c1.charge(b, Cost::frame(10), t0), Verdict::Go);
        // Ten more seconds of debt is the most a device waits: beyond, it
        // is cut off, and stays so until the debt is repaid.
        for _ in 0..9 {
            assert!(matches!(c1.charge(a, Cost::frame(10), t0), Verdict::Wait(_)));
        }
        assert!(matches!(c1.charge(a, Cost::frame(10), t0), Verdict::Over(_)));
        assert!(matches!(c2.charge(a, Cost::frame(10), t0 + Duration::from_secs(1)), Verdict::Over(_)));
        assert_eq!(c2.charge(a, Cost::frame(10), t0 + Duration::from_secs(120)), Verdict::Go);
    }

    #[test]
    fn every_budget_counts_and_the_longest_wait_wins() {
        let limits = Limits { bytes_per_minute: 6_000, ops_per_minute: 600, ..Limits::default() };
        let shared = DeviceLimits::new(limits);
        let t0 = Instant::now();
        assert_eq!(shared.charge(device(1), Cost::frame(6_000), t0), Verdict::Go);
        // 100 bytes a second refill: 500 bytes over is 5 s.
        assert_eq!(shared.charge(device(1), Cost::frame(500), t0), Verdict::Wait(Duration::from_secs(5)));
        assert_eq!(shared.charge(device(2), Cost::changes(1, 600), t0), Verdict::Go);
        assert_eq!(shared.charge(device(2), Cost::changes(1, 20), t0), Verdict::Wait(Duration::from_secs(2)));
        assert!(matches!(shared.charge(device(2), Cost::changes(1, 1_000_000), t0), Verdict::Over(_)));
    }

    #[test]
    fn connections_per_device_are_counted_and_freed() {
        let shared = DeviceLimits::new(Limits { connections_per_device: 2, ..Limits::default() });
        let first = shared.connect(device(1)).expect("first");
        let second = shared.connect(device(1)).expect("second");
        assert!(shared.connect(device(1)).is_none(), "a third is refused");
        assert!(shared.connect(device(2)).is_some(), "another device is not");
        drop(first);
        let third = shared.connect(device(1)).expect("a place was freed");
        drop((second, third));
    }

    #[test]
    fn settings_layer_and_refuse_zero() {
        let flags = LimitsFile { idle_secs: Some(3), ..LimitsFile::default() };
        let file = LimitsFile { idle_secs: Some(9), handshake_secs: Some(2), ..LimitsFile::default() };
        let l = Limits::resolve(&flags, &file).expect("resolve");
        assert_eq!(l.idle, Duration::from_secs(3), "flags win");
        assert_eq!(l.handshake, Duration::from_secs(2), "then the file");
        assert_eq!(l.request, Limits::default().request, "then the default");
        let zero = LimitsFile { connections_per_device: Some(0), ..LimitsFile::default() };
        let e = Limits::resolve(&zero, &LimitsFile::default()).expect_err("zero");
        assert!(e.to_string().contains("connections_per_device"), "{e}");
    }
}
