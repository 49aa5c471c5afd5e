//! Helpers shared by the hub's end-to-end tests: the real `taccuino-hub`
//! binary on a loopback port 0, its command line, devices enrolled with its
//! pairing codes, sample records, a raw WebSocket, `/health` over plain TCP,
//! a loopback TCP proxy that counts and cuts, and printed, replayable seeds.
//!
//! A helper goes here once two test files need it; one used by a single file
//! stays in that file.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::sync::{Enrolled, Frame};
use crdt_sync::{
    ActivityType, Attendance, Contacts, DeviceConfig, DocRef, Key, LabId, NewHousehold, NewLab, NewMeeting,
    NewMember, ProjectSettings, Store, SystemEnv,
};
use futures_util::{SinkExt, StreamExt};
use taccuino_sync_client::{ClientError, Endpoint, Report, Transport, enroll, sync_once};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// The hub binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_taccuino-hub");

/// A running `taccuino-hub serve`, killed (SIGKILL) when dropped, or
/// stopped as a service manager does ([`Hub::term`]). Its log (stderr) is
/// appended to `<data dir>.log`, across restarts.
pub struct Hub {
    /// The data directory.
    pub dir: PathBuf,
    /// `wss://127.0.0.1:PORT`, with the certificate the hub printed pinned.
    pub url: Endpoint,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    child: Child,
    stdout: std::io::BufReader<std::process::ChildStdout>,
    log: PathBuf,
}

impl Hub {
    /// Starts the hub on the data directory `dir` (made by `init`), on a free
    /// loopback port, and waits for its `listening on` line.
    pub fn start(dir: &Path) -> Hub {
        Hub::start_with_env(dir, &[])
    }

    /// Starts the hub as [`Hub::start`] does, with more flags for `serve`
    /// (e.g. `--idle-secs 2`).
    pub fn start_with(dir: &Path, flags: &[&str]) -> Hub {
        Hub::spawn(dir, Command::new(BIN), flags)
    }

    /// Like [`Hub::start`], with environment variables set for the process
    /// (`TACCUINO_HUB_KEY`, `CREDENTIALS_DIRECTORY`, ...).
    pub fn start_with_env(dir: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Hub {
        let mut command = Command::new(BIN);
        command.envs(env.iter().copied());
        Hub::spawn(dir, command, &[])
    }

    /// Like [`Hub::start`], with the process's address space capped at
    /// `bytes` (`prlimit --as`): a hub that tries to take more fails its
    /// allocation and dies, instead of taking the machine's memory.
    pub fn start_capped(dir: &Path, bytes: u64) -> Hub {
        let mut command = Command::new("prlimit");
        // prlimit sets the limit on itself, then execs the hub: same pid.
        command.arg(format!("--as={bytes}")).arg(BIN);
        Hub::spawn(dir, command, &[])
    }

    fn spawn(dir: &Path, command: Command, flags: &[&str]) -> Hub {
        let started = taccuino_tests::hub_process::spawn(command, dir, flags);
        Hub {
            dir: dir.to_owned(),
            url: started.url,
            addr: started.addr,
            child: started.child,
            stdout: started.stdout,
            log: started.log,
        }
    }

    /// The next line the hub printed after its first two, which must
    /// start with `prefix` (e.g. `metrics on `): what follows it.
    pub fn read_line(&mut self, prefix: &str) -> String {
        taccuino_tests::hub_process::read_line(&mut self.stdout, prefix, &self.log)
    }

    /// Runs the hub's command line on this hub's data directory.
    pub fn cmd(&self, args: &[&str]) -> String {
        hub_cmd(&self.dir, args)
    }

    /// Kills the process with SIGKILL (no shutdown of any kind) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM, as `systemctl stop` does.
    pub fn term(&self) {
        term(self.child.id());
    }

    /// Waits for the process to exit, at most `within` (polled, without
    /// blocking the runtime: devices may be syncing meanwhile). Returns its
    /// status and how long it took; panics with the log's tail if it still
    /// runs.
    pub async fn exited(&mut self, within: Duration) -> (std::process::ExitStatus, Duration) {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the hub's status") {
                return (status, started.elapsed());
            }
            if started.elapsed() > within {
                self.kill();
                panic!("the hub still ran {within:?} after being told to stop\n{}", tail(&self.log()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The process id (for the benchmark's memory figures).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident memory so far (`VmHWM`), in bytes;
    /// `None` once it has exited.
    pub fn peak_memory(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmHWM:").map(|kib| kib * 1024)
    }

    /// The process's resident memory now (`VmRSS`), in bytes; `None` once
    /// it has exited.
    pub fn resident_memory(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmRSS:").map(|kib| kib * 1024)
    }

    /// Resets the peak that [`Hub::peak_memory`] reports to the current
    /// resident memory (`echo 5 > /proc/PID/clear_refs`), so that one
    /// attack's peak can be told from the last one's.
    pub fn reset_peak_memory(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Everything the hub logged so far (across restarts on this directory).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails if the log shows a panic outside automerge (whose panics on
    /// forged bytes the store catches and turns into refusals) or a
    /// poisoned lock (a panic that the store did not catch).
    pub fn assert_no_uncaught_panics(&self) {
        let log = self.log();
        for line in log.lines() {
            let foreign =
                line.contains("panicked at") && !["/automerge-", "/hexane-"].iter().any(|c| line.contains(c));
            assert!(
                !foreign && !line.contains("poisoned"),
                "the hub logged: {line}\n\nlast lines:\n{}",
                tail(&log)
            );
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Sends SIGTERM to process `pid` (through the shell's own `kill`: the
/// workspace has no unsafe code to call `kill(2)`).
pub fn term(pid: u32) {
    let status =
        Command::new("sh").args(["-c", "kill -TERM \"$0\"", &pid.to_string()]).status().expect("run sh");
    assert!(status.success(), "kill -TERM {pid}");
}

/// The text of a log without its terminal colour codes (`ESC [ ... m`).
pub fn strip_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The last lines of a log, for failure messages.
pub fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs `taccuino-hub --data-dir DIR ARGS…`, asserts success, returns stdout.
pub fn hub_cmd(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN).arg("--data-dir").arg(dir).args(args).output().expect("run taccuino-hub");
    assert!(out.status.success(), "taccuino-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

/// A field of `/proc/PID/status` given in kB (`VmHWM:`, `VmRSS:`, ...).
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Runs `taccuino-hub --data-dir DIR ARGS…` whatever its exit status (for
/// commands that must fail).
pub fn hub_cmd_output(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("--data-dir").arg(dir).args(args).output().expect("run taccuino-hub")
}

/// Runs `taccuino-hub --data-dir DIR ARGS…` with `env` set, asserts that it
/// fails, returns what it printed on stderr.
pub fn hub_fails(dir: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> String {
    let out = Command::new(BIN)
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("run taccuino-hub");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "taccuino-hub {args:?} succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// A new hub in `<tmp>/hub` and a coordinator's pairing code for it.
pub fn init_hub(tmp: &Path) -> (PathBuf, String) {
    let data = tmp.join("hub");
    hub_cmd(&data, &["init"]);
    let code = hub_cmd(&data, &["enroll", "--role", "coordinator"]);
    (data, code)
}

/// A device's encrypted store, created from what enrolment returned.
pub fn device_store(dir: &Path, name: &str, e: &Enrolled) -> Store {
    let config = DeviceConfig { device: e.device, project: e.project, codes: e.codes };
    Store::create(dir.join(format!("{name}.db")), &Key::from_bytes([9; 32]), config, Box::new(SystemEnv))
        .expect("device store")
}

/// An enrolled device with its own store.
pub struct Device {
    /// Its name (and its store's file name).
    pub name: String,
    /// What enrolment returned.
    pub enrolled: Enrolled,
    /// Its register.
    pub store: Store,
}

impl Device {
    /// The lab's bundle key the hub gave this lab device at enrolment.
    pub fn bundle_key(&self) -> crdt_sync::sync::bundle::BundleKey {
        let hex_key = self.enrolled.bundle_key.as_deref().expect("lab devices get a bundle key");
        crdt_sync::sync::bundle::BundleKey(hex::decode(hex_key).expect("hex").try_into().expect("32 bytes"))
    }

    /// A bundle of every lab and family document this device holds, for
    /// `lab`, made with its enrolment's bundle key.
    pub fn lab_bundle(&mut self, lab: LabId) -> Vec<u8> {
        let docs: Vec<DocRef> = crdt_sync::Replication::doc_refs(&self.store)
            .expect("docs")
            .into_iter()
            .filter(|d| matches!(d.kind, crdt_sync::DocKind::Lab | crdt_sync::DocKind::Household))
            .collect();
        let key = self.bundle_key();
        crdt_sync::sync::bundle::export(&mut self.store, lab, &key, &docs, 0).expect("export")
    }

    /// One sync with the hub at `url`.
    pub async fn sync(&mut self, url: &Endpoint) -> Result<Report, ClientError> {
        sync_once(&mut self.store, url, &self.enrolled.token).await
    }

    /// One sync that must succeed with nothing refused.
    pub async fn sync_ok(&mut self, url: &Endpoint) -> Report {
        let report = self.sync(url).await.unwrap_or_else(|e| panic!("{} sync: {e}", self.name));
        assert!(report.refused.is_empty(), "{}: refused {:?}", self.name, report.refused);
        report
    }
}

/// Enrols a device through the command line's pairing code and the
/// `/enroll` WebSocket. `lab` is the lab's number (none for coordinators).
pub async fn enrol(hub: &Hub, tmp: &Path, name: &str, lab: Option<u8>, role: &str) -> Device {
    let number = lab.map(|n| n.to_string());
    let mut args = vec!["enroll", "--role", role];
    if let Some(n) = &number {
        args.extend(["--lab", n.as_str()]);
    }
    let code = hub.cmd(&args);
    let enrolled =
        enroll(&hub.url, &code, name).await.unwrap_or_else(|e| panic!("enrol {name}: {e}")).enrolled;
    let store = device_store(tmp, name, &enrolled);
    Device { name: name.to_owned(), enrolled, store }
}

/// Enrols the coordinator with `code`, creates the activity types and labs
/// 1..=`labs`, and syncs them to the hub. Returns the coordinator and the labs.
pub async fn project(hub: &Hub, tmp: &Path, code: &str, labs: u8) -> (Device, Vec<LabId>) {
    let enrolled = enroll(&hub.url, code, "Ufficio").await.expect("enrol the coordinator").enrolled;
    let mut store = device_store(tmp, "coordinator", &enrolled);
    for t in ActivityType::defaults() {
        store.put_activity_type(t).expect("activity type");
    }
    let ids = (1..=labs)
        .map(|n| {
            store
                .create_lab(NewLab {
                    number: n,
                    name: format!("Laboratorio {n}"),
                    address: "Pavia".into(),
                    partner: "Coop".into(),
                })
                .expect("lab")
        })
        .collect();
    let mut coordinator = Device { name: "coordinator".into(), enrolled, store };
    coordinator.sync_ok(&hub.url).await;
    (coordinator, ids)
}

/// A family of lab `lab` with a reference person named `name` and a child.
pub fn family(lab: LabId, name: &str) -> NewHousehold {
    NewHousehold {
        lab,
        reference: NewMember { first_name: name.into(), last_name: "Ferrari".into(), birth_year: Some(1979) },
        others: vec![NewMember {
            first_name: "Leo".into(),
            last_name: "Ferrari".into(),
            birth_year: Some(2016),
        }],
        contacts: Contacts::default(),
        areas: BTreeSet::new(),
        referral: None,
        consent: crdt_sync::NewConsent::given(
            NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
            "2026-01",
            crdt_sync::PersonId(uuid::Uuid::from_u128(0xC0)),
        )
        .with_guardian(crdt_sync::NewGuardian::Member { index: 0 }),
    }
}

/// A meeting of `lab` on 3 November 2026.
pub fn meeting(lab: LabId) -> NewMeeting {
    meeting_on(lab, NaiveDate::from_ymd_opt(2026, 11, 3).expect("date"), "Laboratorio di cucina", vec![])
}

/// A meeting of `lab` on `date` with `theme` and `attendance`.
pub fn meeting_on(lab: LabId, date: NaiveDate, theme: &str, attendance: Vec<Attendance>) -> NewMeeting {
    NewMeeting {
        lab,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: theme.into(),
        facilitators: BTreeSet::new(),
        attendance,
        guests: 3,
        notes: String::new(),
    }
}

/// The seed in environment variable `var` if set (a `u64`), else a random
/// one; printed either way so that a failure can be replayed.
pub fn seed(var: &str) -> u64 {
    taccuino_tests::seed::from_env(var)
}

/// A client WebSocket over the hub's TLS.
pub type Ws = WebSocketStream<Transport>;

/// Opens `/sync` with `Authorization: Bearer <token>` (none if `None`), with
/// no client-side frame limit: the hostile tests send frames over the hub's.
pub async fn connect(url: &Endpoint, token: Option<&str>) -> Result<Ws, ClientError> {
    taccuino_sync_client::connect_raw(url, token).await
}

/// Sends `frames` on `ws`, then a `Sync` for a document the device may not
/// read, whose `Refused` answer marks the end of the answers to `frames`;
/// returns every frame the hub sent until then.
pub async fn answers(ws: &mut Ws, frames: &[Frame], barrier: DocRef) -> Vec<Frame> {
    for f in frames {
        ws.send(Message::Binary(f.encode().into())).await.expect("send");
    }
    ws.send(Message::Binary(Frame::Sync { doc: barrier, message: vec![] }.encode().into()))
        .await
        .expect("send the barrier");
    let mut got = Vec::new();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub answers");
        let Some(Ok(msg)) = next else { panic!("the connection ended; got {got:?}") };
        let Message::Binary(bytes) = msg else { continue };
        match Frame::decode(&bytes).expect("the hub's frames decode") {
            Frame::Refused { doc, .. } if doc == barrier => return got,
            f => got.push(f),
        }
    }
}

/// `GET /health` over the hub's TLS; returns the whole response.
pub async fn health(url: &Endpoint) -> Result<String, ClientError> {
    let mut s = taccuino_sync_client::open_stream(url).await?;
    let host = url.authority();
    s.write_all(format!("GET /health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await?;
    let mut response = String::new();
    // A TLS peer that closes without close_notify is an error to rustls
    // after the whole body has arrived; what was read is the answer.
    let _ = s.read_to_string(&mut response).await;
    Ok(response)
}

/// Asserts that `/health` answers 200 `ok`.
pub async fn assert_healthy(url: &Endpoint) {
    let response = health(url).await.expect("GET /health");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("\r\n\r\nok"), "{response}");
}

/// Where a [`Proxy`] cuts each connection it forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Never: a plain forwarder.
    Never,
    /// After this many bytes from the device to the hub.
    Upstream(u64),
    /// After this many bytes from the hub to the device.
    Downstream(u64),
}

/// A TCP forwarder on a loopback port: counts the bytes it forwards (both
/// ways, all connections) and can cut every connection, both ways at once,
/// after a given number of bytes in one direction, possibly in the middle of
/// a WebSocket frame.
pub struct Proxy {
    /// `wss://127.0.0.1:PORT` of the proxy, with the hub's certificate pinned.
    pub url: Endpoint,
    bytes: watch::Receiver<u64>,
    cuts: Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Forwards connections to `hub`, cutting as `cut` says.
    pub async fn start(hub: &Hub, cut: Cut) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy listens");
        let address = format!("wss://{}", listener.local_addr().expect("proxy address"));
        let pin = hub.url.pin().expect("the hub's certificate");
        let url = Endpoint::parse(&address).expect("proxy address").pinned(pin);
        let target = hub.addr.clone();
        let (tx, bytes) = watch::channel(0u64);
        let tx = Arc::new(tx);
        let cuts = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = cuts.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&target).await else { continue };
                let (tx, counter) = (tx.clone(), counter.clone());
                tokio::spawn(async move {
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let (up, down) = match cut {
                        Cut::Never => (None, None),
                        Cut::Upstream(n) => (Some(n), None),
                        Cut::Downstream(n) => (None, Some(n)),
                    };
                    // Whichever way ends first (closed or cut) ends both:
                    // dropping the halves closes both sockets.
                    let was_cut = tokio::select! {
                        c = pipe(cr, sw, up, &tx) => c,
                        c = pipe(sr, cw, down, &tx) => c,
                    };
                    if was_cut {
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                });
            }
        });
        Proxy { url, bytes, cuts, task }
    }

    /// Bytes forwarded so far.
    pub fn bytes(&self) -> u64 {
        *self.bytes.borrow()
    }

    /// Connections cut so far.
    pub fn cuts(&self) -> u64 {
        self.cuts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Waits until at least `n` bytes were forwarded.
    pub async fn wait_for_bytes(&self, n: u64) {
        let mut rx = self.bytes.clone();
        let _ = rx.wait_for(|b| *b >= n).await;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies `from` to `to` until either ends or `limit` bytes were copied.
/// Returns whether it stopped at the limit.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    limit: Option<u64>,
    total: &watch::Sender<u64>,
) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let mut copied = 0u64;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        let n = match limit {
            Some(l) => n.min(usize::try_from(l - copied).unwrap_or(usize::MAX)),
            None => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            return false;
        }
        copied += n as u64;
        total.send_modify(|b| *b += n as u64);
        if limit == Some(copied) {
            return true;
        }
    }
}
