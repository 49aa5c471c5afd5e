//! Starting a real `taccuino-hub serve` process on a loopback port: the
//! hub's own end-to-end tests (`hub/tests/common`) and the crash suite
//! (`tests/tests/crash/hub.rs`) both start it this way, with the binary
//! each finds for itself.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use crdt_sync::sync::CertFingerprint;
use taccuino_sync_client::Endpoint;

/// A hub process that listens.
pub struct Started {
    /// The process (its stdout read up to the two lines below).
    pub child: Child,
    /// Its stdout, from the line after those two (kept open: a hub that
    /// prints more, as `metrics on ADDR` with `--metrics-listen`, is read
    /// with [`read_line`]).
    pub stdout: BufReader<ChildStdout>,
    /// `wss://127.0.0.1:PORT`, its certificate pinned.
    pub url: Endpoint,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// Its log (stderr), appended across restarts.
    pub log: PathBuf,
}

/// Where a hub on `dir` logs: `<dir>.log`, beside the data directory.
pub fn log_path(dir: &Path) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

/// Runs `command` (the hub binary, or a wrapper that execs it) as
/// `--data-dir DIR serve --listen 127.0.0.1:0 FLAGS…` and waits for its
/// `listening on` and `certificate sha256` lines; panics with its log if
/// it prints anything else first.
pub fn spawn(mut command: Command, dir: &Path, flags: &[&str]) -> Started {
    let log = log_path(dir);
    let log_file = OpenOptions::new().create(true).append(true).open(&log).expect("open the hub's log");
    let mut child = command
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("start the hub");
    let mut stdout = BufReader::new(child.stdout.take().expect("the hub's stdout"));
    let addr = read_line(&mut stdout, "listening on ", &log);
    let pin = CertFingerprint::from_hex(&read_line(&mut stdout, "certificate sha256 ", &log))
        .expect("the printed fingerprint");
    let url = Endpoint::parse(&format!("wss://{addr}")).expect("the hub's address").pinned(pin);
    Started { child, stdout, url, addr, log }
}

/// The next line the hub printed, which must start with `prefix`: what
/// follows it. Panics with the hub's log (`log`) otherwise.
pub fn read_line(stdout: &mut BufReader<ChildStdout>, prefix: &str, log: &Path) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read the hub's output");
    match line.trim().strip_prefix(prefix) {
        Some(value) => value.to_owned(),
        None => panic!(
            "the hub did not print {prefix:?}: {line:?}\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        ),
    }
}
