//! The real `taccuino-hub` binary on a loopback port, for the crash test's
//! kills during a sync, and the lab around the device under test: a
//! coordinator and a second laptop of the lab that keeps giving the hub
//! something to send.
//!
//! The binary is a target of another package, so Cargo does not hand its
//! path to this one (`CARGO_BIN_EXE_*` names only the package's own): it is
//! taken from beside this test's executable (`target/debug/taccuino-hub`),
//! where `cargo test --workspace` builds it; `cargo build -p taccuino-hub`
//! builds it for `cargo test -p taccuino-tests --test crash`.
//! `TACCUINO_HUB_BIN` names another.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crdt_sync::sync::Fatal;
use crdt_sync::{DeviceConfig, DocKind, Families, LabId, MeetingId, Meetings, Replication, Store, SystemEnv};
use taccuino_sync_client::{ClientError, Endpoint, Report, enroll, sync_once};
use taccuino_tests::crash::{self, Link};
use taccuino_tests::fixture::{self, Register};
use taccuino_tests::hub_process;

/// The hub binary.
fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("TACCUINO_HUB_BIN") {
        return bin.into();
    }
    let exe = std::env::current_exe().expect("this test's path");
    // target/debug/deps/crash-HASH → target/debug/taccuino-hub
    let bin = exe.parent().and_then(Path::parent).expect("target/debug").join("taccuino-hub");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p taccuino-hub` (or set TACCUINO_HUB_BIN)",
        bin.display()
    );
    bin
}

/// Runs `taccuino-hub --data-dir DIR ARGS…`, asserts success, returns stdout.
fn hub_cmd(dir: &Path, args: &[&str]) -> String {
    let out =
        Command::new(binary()).arg("--data-dir").arg(dir).args(args).output().expect("run taccuino-hub");
    assert!(out.status.success(), "taccuino-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

/// A running `taccuino-hub serve`, killed (SIGKILL) when dropped; its log
/// (stderr) appended to `<data dir>.log` across restarts.
pub struct Hub {
    /// The data directory.
    pub dir: PathBuf,
    /// `wss://127.0.0.1:PORT`, its certificate pinned.
    pub url: Endpoint,
    child: Child,
    log: PathBuf,
}

impl Hub {
    /// Starts the hub on `dir` on a free loopback port and waits until it
    /// listens.
    pub fn start(dir: &Path) -> Hub {
        let started = hub_process::spawn(Command::new(binary()), dir, &[]);
        Hub { dir: dir.to_owned(), url: started.url, child: started.child, log: started.log }
    }

    /// Kills the process with SIGKILL and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The hub's register, opened by this process: only while the hub is
    /// down.
    pub fn open_register(&self) -> Store {
        taccuino_hub::DataDir::new(&self.dir).open_store().expect("the hub's register opens")
    }

    /// Fails if the hub's log shows a panic (outside automerge, whose
    /// panics on forged bytes the store catches) or a poisoned lock.
    pub fn assert_no_uncaught_panics(&self) {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        for line in log.lines() {
            let foreign =
                line.contains("panicked at") && !["/automerge-", "/hexane-"].iter().any(|c| line.contains(c));
            assert!(!foreign && !line.contains("poisoned"), "the hub logged: {line}");
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A laptop paired with the hub, driven in the test's own process.
pub struct Laptop {
    /// Its register.
    pub store: Store,
    /// Its credential.
    pub token: String,
}

impl Laptop {
    /// One sync that must complete with nothing refused.
    pub fn sync(&mut self, rt: &tokio::runtime::Runtime, hub: &Endpoint) -> Report {
        let report = rt.block_on(sync_once(&mut self.store, hub, &self.token)).unwrap_or_else(|e| match e {
            // The binary beside the test is whatever was built last.
            ClientError::Closed(Fatal::Version) => panic!(
                "{} speaks another protocol version than this test: rebuild it (cargo build -p taccuino-hub)",
                binary().display()
            ),
            e => panic!("the sync fails: {e}"),
        });
        assert!(report.refused.is_empty(), "refused: {:?}", report.refused);
        report
    }
}

/// Enrols a device with a pairing code the hub's command line made with
/// `args`, and creates its register at `db`.
fn enrol(rt: &tokio::runtime::Runtime, hub: &Hub, args: &[&str], db: &Path) -> Laptop {
    let code = hub_cmd(&hub.dir, &[&["enroll"], args].concat());
    let enrolled = rt.block_on(enroll(&hub.url, &code, "crash")).expect("enrolment").enrolled;
    let config = DeviceConfig { device: enrolled.device, project: enrolled.project, codes: enrolled.codes };
    let store = Store::create(db, &crash::key(), config, Box::new(SystemEnv)).expect("the device's register");
    Laptop { store, token: enrolled.token }
}

/// Every meeting of `lab` that `store` holds.
pub fn meetings(store: &Store, lab: LabId) -> BTreeSet<MeetingId> {
    let (from, to) = (fixture::date(2000, 1, 1), fixture::date(2100, 1, 1));
    store.meetings(lab, from, to).expect("meetings").into_iter().map(|m| m.id).collect()
}

/// The families' documents `store` holds.
pub fn families(store: &Store) -> usize {
    store.doc_refs().expect("doc refs").iter().filter(|r| r.kind == DocKind::Household).count()
}

/// A hub with lab [`fixture::LAB_NUMBER`], its coordinator's laptop, a
/// second laptop of the lab (`other`), and the register of the device under
/// test, enrolled but never synced, closed, with its link file.
pub struct Setup {
    /// The hub.
    pub hub: Hub,
    /// For the syncs the test runs itself.
    pub rt: tokio::runtime::Runtime,
    /// The lab.
    pub lab: LabId,
    /// The other laptop of the lab and its register.
    pub other: (Laptop, Register),
    /// The register of the device under test.
    pub db: PathBuf,
    /// Its link file ([`Link`]).
    pub link: PathBuf,
    /// Its credential.
    pub token: String,
}

impl Setup {
    /// Builds it all in `tmp`; `other` starts with the register's families
    /// and forty meetings, synced.
    pub fn new(tmp: &Path) -> Setup {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let data = tmp.join("hub");
        hub_cmd(&data, &["init"]);
        let hub = Hub::start(&data);
        let mut coordinator = enrol(&rt, &hub, &["--role", "coordinator"], &tmp.join("coordinator.taccuino"));
        // The activity types, the lab and a volunteer on its roster.
        let lab = Register::ensure(&mut coordinator.store, 0).expect("the lab").lab;
        coordinator.sync(&rt, &hub.url);
        let number = fixture::LAB_NUMBER.to_string();
        let lab_args = ["--role", "volunteer", "--lab", &number];
        let mut other = enrol(&rt, &hub, &lab_args, &tmp.join("other.taccuino"));
        other.sync(&rt, &hub.url);
        let register =
            Register::ensure(&mut other.store, Register::MAX_FAMILIES).expect("the lab's families");
        let mut setup = Setup {
            db: tmp.join("device.taccuino"),
            link: tmp.join("device.link"),
            token: String::new(),
            other: (other, register),
            lab,
            hub,
            rt,
        };
        setup.grow(0, 40);
        let device = enrol(&setup.rt, &setup.hub, &lab_args, &setup.db);
        setup.token = device.token;
        setup.write_link();
        setup
    }

    /// The other laptop registers `families` more families and records
    /// `meetings` meetings, and syncs them to the hub.
    pub fn grow(&mut self, families: usize, meetings: usize) {
        let (laptop, register) = &mut self.other;
        for _ in 0..families {
            let n = self::families(&laptop.store);
            let reference = fixture::member(&format!("Persona{n}"), &format!("Famiglia{n}"), Some(1985));
            let family = fixture::household(self.lab, reference, vec![], &format!("0382 77{n:04}"));
            laptop.store.create_household(family).expect("a family of the other laptop");
        }
        for i in 0..meetings {
            let day = fixture::date(2026, 1, 1) + chrono::Duration::days(i as i64 % 300);
            let attendance = register.attendees.iter().copied().skip(i % 5).take(6).collect();
            let mut m = register.meeting(day, attendance);
            m.notes = "Compiti, merenda, un gioco a squadre. ".repeat(i % 20);
            laptop.store.create_meeting(m).expect("a meeting of the other laptop");
        }
        laptop.sync(&self.rt, &self.hub.url);
    }

    /// Points the device's link file at the hub as it runs now.
    pub fn write_link(&self) {
        Link { hub: self.hub.url.clone(), token: self.token.clone() }.write(&self.link).expect("link file");
    }

    /// Opens the device's register (while no child has it open), syncs it
    /// once, and returns it with what the sync did.
    pub fn sync_device(&self) -> (Laptop, Report) {
        let store = Store::open(&self.db, &crash::key(), Box::new(SystemEnv)).expect("the device's register");
        let mut device = Laptop { store, token: self.token.clone() };
        let report = device.sync(&self.rt, &self.hub.url);
        (device, report)
    }

    /// Restarts the hub (killed) on its data directory and points the link
    /// file at its new port.
    pub fn restart_hub(&mut self) {
        let dir = self.hub.dir.clone();
        self.hub.kill();
        self.hub = Hub::start(&dir);
        self.write_link();
    }
}
