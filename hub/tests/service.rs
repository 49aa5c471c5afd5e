//! The hub as a service (issue 13): the systemd unit and the container file
//! that ship with it (`hub/dist/`), its stop on SIGTERM, and its logs.
//!
//! - The unit: `systemd-analyze verify` accepts it (a copy whose
//!   `ExecStart` is the binary Cargo built: `verify` checks that the
//!   program exists), `systemd-analyze security` rates it OK, and the
//!   hardening the README promises is in the shipped file. The tool must
//!   be there: `scripts/setup.sh` installs it, and a test without it fails.
//! - SIGTERM: with nothing open the hub exits 0 at once; stopped again and
//!   again while devices sync, it exits 0 within the grace period each time
//!   and nothing any device synced or recorded is lost; a sync still open
//!   at the end of the grace period is closed with `Busy`.
//! - Logs: `--log-format json` writes one JSON object per line; the text
//!   log has no colour codes when it does not go to a terminal.
//!
//! Tests of running the hub under a service manager go here; faults of the
//! network or of the machine (SIGKILL) are in `faults.rs`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use chrono::NaiveDate;
use common::{Cut, Device, Hub, Proxy, enrol, family, init_hub, meeting_on, project, seed};
use crdt_sync::sync::{Fatal, Frame};
use crdt_sync::{Families, HouseholdId, LabId, MeetingId, Meetings, Replication, Store};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use taccuino_hub::{DataDir, Limits};
use taccuino_sync_client::{ClientError, StoreAccess};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

/// The unit file as shipped.
const UNIT: &str = include_str!("../dist/taccuino-hub.service");
/// The container file as shipped.
const CONTAINERFILE: &str = include_str!("../dist/Containerfile");
/// The toolchain the workspace pins, which the container builds with.
const TOOLCHAIN: &str = include_str!("../../rust-toolchain.toml");

// ---------------------------------------------------------------------------
// The unit file and the container file.

/// Runs `systemd-analyze ARGS…`; fails, saying how to get it, if the tool
/// is missing (no test here skips itself).
fn systemd_analyze(args: &[&str]) -> std::process::Output {
    match Command::new("systemd-analyze").args(args).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "systemd-analyze is missing: run scripts/setup.sh, which installs it (the Debian package \
             systemd; nothing is started)"
        ),
        Err(e) => panic!("cannot run systemd-analyze: {e}"),
    }
}

/// A copy of the shipped unit in `dir`, its `ExecStart` running the binary
/// Cargo built instead of `/usr/bin/taccuino-hub`.
fn unit_for_this_binary(dir: &Path) -> PathBuf {
    let shipped = "ExecStart=/usr/bin/taccuino-hub ";
    assert_eq!(UNIT.matches(shipped).count(), 1, "one ExecStart, running /usr/bin/taccuino-hub");
    let text = UNIT.replace(shipped, &format!("ExecStart=\"{}\" ", common::BIN));
    let path = dir.join("taccuino-hub.service");
    std::fs::write(&path, text).expect("write the unit");
    path
}

#[test]
fn systemd_analyze_verifies_the_unit_and_rates_it_ok() {
    let tmp = tempfile::tempdir().expect("tmp");
    let unit = unit_for_this_binary(tmp.path());
    let unit = unit.to_str().expect("a UTF-8 path");
    let out = systemd_analyze(&["verify", "--man=no", unit]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "systemd-analyze verify refused the unit:\n{said}");
    // Unknown or misspelt directives are only warned about: none allowed.
    assert!(!said.contains("taccuino-hub.service"), "systemd-analyze verify warned about the unit:\n{said}");

    // The exposure systemd computes from the sandboxing directives (0 is
    // the most locked down, 10 the least; up to 2.0 is rated "OK").
    let out = systemd_analyze(&["security", "--offline=true", "--no-pager", unit]);
    let said = String::from_utf8_lossy(&out.stdout);
    let level = said
        .lines()
        .find_map(|l| l.split("Overall exposure level for taccuino-hub.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{said}{}", String::from_utf8_lossy(&out.stderr)));
    assert!(level <= 2.0, "the unit's exposure is {level}, above OK:\n{said}");
}

/// The unit's directives, in order, without comments: (key, value).
fn directives(unit: &str) -> Vec<(&str, &str)> {
    unit.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
        .map(|l| l.split_once('=').unwrap_or_else(|| panic!("not a directive: {l}")))
        .collect()
}

#[test]
fn the_shipped_unit_has_the_hardening_the_readme_promises() {
    let found = directives(UNIT);
    let has = |key: &str, value: &str| found.iter().any(|(k, v)| *k == key && *v == value);
    for (key, value) in [
        ("User", "taccuino-hub"),
        ("Group", "taccuino-hub"),
        ("StateDirectory", "taccuino-hub"),
        ("StateDirectoryMode", "0700"),
        ("Environment", "TACCUINO_HUB_DATA_DIR=%S/taccuino-hub"),
        ("LoadCredential", "hub.key:/etc/taccuino-hub/hub.key"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("NoNewPrivileges", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("SystemCallFilter", "@system-service"),
        ("MemoryDenyWriteExecute", "yes"),
        ("LockPersonality", "yes"),
        ("RestrictRealtime", "yes"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"),
        ("UMask", "0077"),
        ("Restart", "on-failure"),
        ("KillSignal", "SIGTERM"),
    ] {
        assert!(has(key, value), "the unit lacks {key}={value}");
    }
    // A fixed user the office's commands run as, not a dynamic one; no
    // capability while it listens above 1024.
    for absent in ["DynamicUser", "AmbientCapabilities", "ReadWritePaths"] {
        assert!(!found.iter().any(|(k, _)| *k == absent), "{absent} is set");
    }
    let exec = found.iter().find(|(k, _)| *k == "ExecStart").map(|(_, v)| *v).expect("ExecStart");
    assert!(exec.starts_with("/usr/bin/taccuino-hub serve --listen 0.0.0.0:8443"), "{exec}");
    // systemd waits longer than the hub's grace period, plus the cut, the
    // checkpoints and the runtime's end (up to 12 s more), before SIGKILL.
    let stop = found.iter().find(|(k, _)| *k == "TimeoutStopSec").map(|(_, v)| *v).expect("TimeoutStopSec");
    let stop = Duration::from_secs(stop.parse().expect("TimeoutStopSec in seconds"));
    assert!(stop >= Limits::default().shutdown_grace + Duration::from_secs(15), "TimeoutStopSec={stop:?}");
}

#[test]
fn the_containerfile_builds_with_the_pinned_toolchain_and_runs_unprivileged() {
    let channel = TOOLCHAIN
        .lines()
        .find_map(|l| l.trim().strip_prefix("channel = "))
        .map(|v| v.trim_matches('"'))
        .expect("the pinned channel");
    let build = format!("FROM docker.io/library/rust:{channel}-slim-bookworm AS build");
    assert!(CONTAINERFILE.contains(&build), "the build stage is not `{build}`");
    for line in [
        "FROM docker.io/library/debian:bookworm-slim",
        "USER taccuino-hub:taccuino-hub",
        "TACCUINO_HUB_KEY_FILE=/run/secrets/hub.key",
        "VOLUME [\"/var/lib/taccuino-hub\"]",
        "EXPOSE 8443",
        "STOPSIGNAL SIGTERM",
        "ENTRYPOINT [\"/usr/bin/taccuino-hub\"]",
    ] {
        assert!(CONTAINERFILE.contains(line), "the Containerfile lacks {line}");
    }
    assert!(
        !CONTAINERFILE.lines().any(|l| l.starts_with("HEALTHCHECK")),
        "no HEALTHCHECK (no HTTP client in the image: see the comment)"
    );
}

// ---------------------------------------------------------------------------
// SIGTERM.

/// The files a graceful stop leaves whole: each write-ahead log
/// checkpointed into its database (empty) or removed with the last
/// connection.
fn assert_checkpointed(data: &Path, log: &str) {
    for wal in ["register.db-wal", "hub.db-wal"] {
        let len = std::fs::metadata(data.join(wal)).map(|m| m.len()).unwrap_or(0);
        assert_eq!(len, 0, "{wal} holds {len} bytes after a graceful stop\n{}", common::tail(log));
    }
}

/// How many times the log says a stop began, and ended cleanly.
fn stops(log: &str) -> (usize, usize) {
    (log.matches("stopping on request: no new connections").count(), log.matches("stopped cleanly").count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_nothing_open_exits_0_at_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    common::assert_healthy(&hub.url).await;
    hub.term();
    let (status, took) = hub.exited(Duration::from_secs(30)).await;
    let log = hub.log();
    assert!(status.success(), "{status}\n{}", common::tail(&log));
    assert!(took < Duration::from_secs(5), "{took:?}: nothing to wait for, far from the 10 s grace");
    assert_eq!(stops(&log), (1, 1), "{log}");
    assert_checkpointed(&data, &log);
    // Text for a person: in a file (or the journal), no colour codes.
    assert!(!log.contains('\u{1b}'), "colour codes in a log that is not a terminal:\n{log}");
}

/// A device of one lab, and the meetings and families it recorded.
struct Worker {
    device: Device,
    lab: LabId,
    meetings: BTreeSet<MeetingId>,
    families: BTreeSet<HouseholdId>,
}

impl Worker {
    /// Records `n` meetings and a family.
    fn record(&mut self, n: usize, rng: &mut StdRng) {
        for i in 0..n {
            let date = NaiveDate::from_ymd_opt(2026, rng.random_range(1..=10), rng.random_range(1..=28));
            let theme = format!("{} {i}", self.device.name);
            let m =
                self.device.store.create_meeting(meeting_on(self.lab, date.expect("date"), &theme, vec![]));
            self.meetings.insert(m.expect("meeting"));
        }
        let name = format!("{}-{}", self.device.name, self.families.len());
        let h = self.device.store.create_household(family(self.lab, &name)).expect("family");
        self.families.insert(h);
    }
}

fn meetings(store: &Store, lab: LabId) -> BTreeSet<MeetingId> {
    let (from, to) = (
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
    );
    store.meetings(lab, from, to).expect("meetings").into_iter().map(|m| m.id).collect()
}

/// Whether `store` holds every meeting and family `w` recorded.
fn holds_all_of(store: &mut Store, w: &Worker) -> bool {
    holds(store, w.lab, &w.meetings, &w.families)
}

/// Whether `store` holds these meetings of `lab` and these families.
fn holds(store: &mut Store, lab: LabId, m: &BTreeSet<MeetingId>, families: &BTreeSet<HouseholdId>) -> bool {
    m.is_subset(&meetings(store, lab)) && families.iter().all(|h| store.household(*h).is_ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_syncs_exits_0_in_the_grace_period_and_loses_nothing() {
    let seed = seed("TACCUINO_SERVICE_SEED");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (mut coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut workers = Vec::new();
    for (name, lab) in [("a1", 0), ("a2", 0), ("b1", 1)] {
        let number = u8::try_from(lab + 1).expect("lab number");
        let mut device = enrol(&hub, tmp.path(), name, Some(number), "volunteer").await;
        device.sync_ok(&hub.url).await;
        workers.push(Worker { device, lab: labs[lab], meetings: BTreeSet::new(), families: BTreeSet::new() });
    }
    let grace = Limits::default().shutdown_grace;

    // Three devices record and sync at once, through a counting proxy; the
    // hub is told to stop after a seeded number of bytes, then started
    // again on the same directory.
    let (cycles, mut mid_sync, mut completed_after_stop) = (4, 0, 0);
    for cycle in 0..cycles {
        for w in &mut workers {
            w.record(5, &mut rng);
        }
        let proxy = Proxy::start(&hub, Cut::Never).await;
        let threshold = rng.random_range(500..3_000 * (cycle + 1));
        let done = Notify::new();
        let [w1, w2, w3] = &mut workers[..] else { unreachable!("three workers") };
        let syncs = async {
            let r = tokio::join!(
                w1.device.sync(&proxy.url),
                w2.device.sync(&proxy.url),
                w3.device.sync(&proxy.url)
            );
            done.notify_one();
            r
        };
        let stopper = async {
            let mid = tokio::select! {
                _ = proxy.wait_for_bytes(threshold) => true,
                _ = done.notified() => false,
            };
            hub.term();
            let (status, took) = hub.exited(grace + Duration::from_secs(20)).await;
            (mid, status, took)
        };
        let ((r1, r2, r3), (mid, status, took)) = tokio::join!(syncs, stopper);
        let log = hub.log();
        assert!(status.success(), "cycle {cycle}: {status}\n{}", common::tail(&log));
        assert!(took < grace, "cycle {cycle}: {took:?} to stop, over the {grace:?} grace period");
        let results = [&r1, &r2, &r3].map(|r| r.as_ref().map(|_| ()).map_err(ToString::to_string));
        println!(
            "cycle {cycle}: stopped after {} bytes (threshold {threshold}) in {took:?}: {results:?}",
            proxy.bytes()
        );
        mid_sync += usize::from(mid);
        if mid {
            completed_after_stop += results.iter().filter(|r| r.is_ok()).count();
        }
        // A sync that was not let finish is closed as "sync again later"
        // (or never got in); none fails otherwise.
        for r in [&r1, &r2, &r3] {
            if let Err(e) = r {
                let later = matches!(
                    e,
                    ClientError::Closed(Fatal::Busy) | ClientError::Network(_) | ClientError::Io(_)
                );
                assert!(later, "cycle {cycle}: a sync failed with {e}");
            }
        }
        assert_checkpointed(&data, &log);

        // What a finished sync handed the hub is there; what the devices
        // recorded is still theirs.
        let mut register = DataDir::new(&data).open_store().expect("the register opens");
        for (w, r) in workers.iter_mut().zip([&r1, &r2, &r3]) {
            let Worker { device, lab, meetings, families } = w;
            assert!(
                holds(&mut device.store, *lab, meetings, families),
                "{} lost its own records",
                device.name
            );
            if r.is_ok() {
                assert!(
                    holds_all_of(&mut register, w),
                    "{} synced, then the stop lost its records",
                    w.device.name
                );
            }
        }
        drop(register);
        hub = Hub::start(&data);
    }
    println!(
        "{mid_sync} of {cycles} stops fell during syncs; {completed_after_stop} syncs finished after a stop"
    );
    assert!(mid_sync >= 1, "no stop fell during syncs (seed {seed})");

    // Every device syncs until nothing changes; then every document of
    // every device is on the hub at the same heads.
    for round in 1..=5 {
        let mut changed = false;
        for w in &mut workers {
            changed |= w.device.sync_ok(&hub.url).await.stats.docs_changed > 0;
        }
        changed |= coordinator.sync_ok(&hub.url).await.stats.docs_changed > 0;
        if !changed {
            break;
        }
        assert!(round < 5, "still changing after {round} rounds");
    }
    hub.term();
    let (status, _) = hub.exited(grace + Duration::from_secs(20)).await;
    assert!(status.success(), "{status}");
    let log = hub.log();
    assert_eq!(stops(&log), (cycles as usize + 1, cycles as usize + 1), "a start and an end line per stop");
    hub.assert_no_uncaught_panics();
    let mut register = DataDir::new(&data).open_store().expect("the register opens");
    let devices = workers.iter_mut().map(|w| &mut w.device).chain(std::iter::once(&mut coordinator));
    for device in devices {
        let docs = device.store.doc_refs().expect("docs");
        assert_eq!(
            device.store.fingerprint(&docs).expect("fingerprint"),
            register.fingerprint(&docs).expect("fingerprint"),
            "{}'s documents are on the hub as the device has them",
            device.name
        );
    }
    for w in &workers {
        assert!(holds_all_of(&mut register, w), "the hub has everything {} recorded", w.device.name);
    }
}

/// A device's register that, the second time its sync asks for it (the
/// `Hello` sent, the session open on the hub, the device about to wait for
/// the hub's answers), has the hub told to stop and waits a moment: a
/// sync that is running when SIGTERM comes, whatever the timing.
struct StopsTheHub<'a> {
    store: &'a mut Store,
    hub: u32,
    calls: u32,
}

impl StoreAccess for StopsTheHub<'_> {
    fn with_store<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send,
    ) -> impl Future<Output = Result<T, ClientError>> + Send {
        self.calls += 1;
        let (stop, hub, store) = (self.calls == 2, self.hub, &mut *self.store);
        async move {
            if stop {
                common::term(hub);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(f(store))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_running_at_sigterm_finishes_and_then_the_hub_exits() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (mut coordinator, labs) = project(&hub, tmp.path(), &code, 1).await;
    for n in 0..20 {
        let m = meeting_on(labs[0], NaiveDate::from_ymd_opt(2026, 3, 1 + n).expect("date"), "Cucina", vec![]);
        coordinator.store.create_meeting(m).expect("meeting");
    }
    let mut access = StopsTheHub { store: &mut coordinator.store, hub: hub.pid(), calls: 0 };
    let report = taccuino_sync_client::sync_with(&mut access, &hub.url, &coordinator.enrolled.token).await;
    assert!(access.calls >= 2, "the hub was told to stop during the sync");
    let report = report.expect("the sync running at SIGTERM finishes");
    assert!(report.stats.bytes_out > 0, "the device sent its meetings: {report:?}");
    let (status, took) = hub.exited(Duration::from_secs(30)).await;
    let log = hub.log();
    assert!(status.success(), "{status}\n{}", common::tail(&log));
    assert!(
        took < Duration::from_secs(5),
        "{took:?}: the hub waits for the sync, not for the whole grace period"
    );
    assert!(
        log.contains("connections that ended by themselves: 1, closed at the end of the grace period: 0"),
        "{}",
        common::tail(&log)
    );
    assert_checkpointed(&data, &log);
    let mut register = DataDir::new(&data).open_store().expect("the register opens");
    let docs = coordinator.store.doc_refs().expect("docs");
    assert_eq!(
        coordinator.store.fingerprint(&docs).expect("fingerprint"),
        register.fingerprint(&docs).expect("fingerprint"),
        "the hub holds what the sync brought"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_still_open_at_the_end_of_the_grace_period_is_closed_busy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start_with(&data, &["--shutdown-grace-secs", "2"]);
    let (coordinator, _) = project(&hub, tmp.path(), &code, 1).await;

    // A sync that says Hello, then waits (the device's next frame could
    // take the idle timeout, two minutes).
    let mut ws = common::connect(&hub.url, Some(&coordinator.enrolled.token)).await.expect("connect");
    let hello =
        Frame::Hello { version: crdt_sync::sync::PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
    ws.send(Message::Binary(hello.encode().into())).await.expect("hello");
    let first = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub answers");
    assert!(matches!(first, Some(Ok(Message::Binary(_)))), "{first:?}");

    let asked = std::time::Instant::now();
    hub.term();
    // No new connection meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(std::net::TcpStream::connect(&hub.addr).is_err(), "the stopping hub still accepts connections");
    let mut closed = None;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
        if let Message::Binary(b) = msg
            && let Ok(Frame::Close { reason }) = Frame::decode(&b)
        {
            closed = Some((reason, asked.elapsed()));
            break;
        }
    }
    let (reason, after) = closed.expect("the hub says why it closes the sync");
    assert_eq!(reason, Fatal::Busy, "devices take Busy as: sync again later");
    assert!(after >= Duration::from_millis(1_900), "closed after {after:?}, before the 2 s grace period");
    let (status, took) = hub.exited(Duration::from_secs(20)).await;
    let log = hub.log();
    assert!(status.success(), "{status}\n{}", common::tail(&log));
    assert!(took < Duration::from_secs(8), "{took:?}: the grace period and the cut, no more");
    assert!(log.contains("the hub is stopping: closing the sync"), "{}", common::tail(&log));
    assert!(log.contains("closed at the end of the grace period: 1"), "{}", common::tail(&log));
    assert_eq!(stops(&log), (1, 1), "{}", common::tail(&log));
    assert_checkpointed(&data, &log);
}

// ---------------------------------------------------------------------------
// Logs.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start_with(&data, &["--log-format", "json"]);
    project(&hub, tmp.path(), &code, 1).await;
    common::assert_healthy(&hub.url).await;
    hub.term();
    let (status, _) = hub.exited(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}");
    let log = hub.log();
    let mut messages = Vec::new();
    for line in log.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let object = value.as_object().unwrap_or_else(|| panic!("not an object: {line}"));
        for key in ["timestamp", "level", "target", "message"] {
            assert!(object.get(key).is_some_and(serde_json::Value::is_string), "no {key}: {line}");
        }
        let level = object["level"].as_str().unwrap_or_default();
        assert!(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level), "{line}");
        messages.push(object.clone());
    }
    let find = |message: &str| {
        messages
            .iter()
            .find(|o| o["message"].as_str().is_some_and(|m| m.starts_with(message)))
            .unwrap_or_else(|| panic!("no {message:?} in:\n{log}"))
    };
    // The events' fields sit beside the message.
    assert!(find("device enrolled").get("device").is_some_and(serde_json::Value::is_string), "{log}");
    assert!(find("sync disconnected").get("store_held_us").is_some_and(serde_json::Value::is_u64), "{log}");
    assert_eq!(find("stopping on request")["open"], 0, "{log}");
    assert_eq!(find("stopped cleanly")["checkpointed"], true, "{log}");
}
