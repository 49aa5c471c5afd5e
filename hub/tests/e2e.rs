//! End to end: the real `taccuino-hub` binary on a loopback port, devices
//! enrolled with pairing codes from its command line, syncing over real
//! WebSockets with `taccuino-sync-client`.
//!
//! The other files here test one area each against a running hub
//! (`ten_labs.rs`, `hostile/`, `faults.rs`), with the helpers they share in
//! `common/mod.rs`; a scenario of the whole journey goes here. Pure sync
//! logic is tested without a network in `tests/tests/sync_simulation.rs`.

mod common;

use std::time::{Duration, Instant};

use common::{Hub, device_store, family, hub_cmd, meeting};
use crdt_sync::sync::{CertFingerprint, EnrollError, Fatal, Frame, PROTOCOL_VERSION};
use crdt_sync::{ActivityType, Families, Meetings, NewLab, ProjectSettings};
use futures_util::{SinkExt, StreamExt};
use taccuino_sync_client::{ClientError, enroll, sync_once};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_record_offline_sync_and_revoke() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("hub");
    hub_cmd(&data, &["init"]);
    let coord_code = hub_cmd(&data, &["enroll", "--role", "coordinator"]);
    let hub = Hub::start(&data);

    // A code whose certificate check was misread is refused by the device
    // before it sends anything, so the code is not spent; so is a code
    // without its check.
    let (secret, _check) = coord_code.rsplit_once('-').expect("three groups");
    let misread = format!("{}{}", &coord_code[..16], if coord_code.ends_with('0') { '1' } else { '0' });
    let err = enroll(&hub.url, &misread, "Ufficio").await.expect_err("wrong check");
    assert!(matches!(err, ClientError::CodeMismatch), "{err}");
    let err = enroll(&hub.url, secret, "Ufficio").await.expect_err("no check");
    assert!(matches!(err, ClientError::CodeIncomplete), "{err}");

    // The coordinator pairs, creates two labs, and syncs them up. The device
    // pinned the certificate the hub printed.
    let paired = enroll(&hub.url, &coord_code, "Ufficio").await.expect("enrol coordinator");
    assert_eq!(paired.hub.pin(), hub.url.pin());
    let coord = paired.enrolled;
    let replay = enroll(&hub.url, &coord_code, "Again").await;
    assert!(matches!(replay, Err(ClientError::Enroll(EnrollError::Used))), "{replay:?}");
    let mut c = device_store(tmp.path(), "coord", &coord);
    for t in ActivityType::defaults() {
        c.put_activity_type(t).expect("activity");
    }
    let labs: Vec<_> = (1..=2)
        .map(|n| {
            c.create_lab(NewLab {
                number: n,
                name: format!("Lab {n}"),
                address: "Pavia".into(),
                partner: "Coop".into(),
            })
            .expect("lab")
        })
        .collect();
    sync_once(&mut c, &hub.url, &coord.token).await.expect("coordinator sync");

    // Two volunteers of lab 1 and one of lab 2 pair and take the register.
    let mut devices = Vec::new();
    for (name, lab) in [("a1", 1), ("a2", 1), ("b1", 2)] {
        let code = hub_cmd(&hub.dir, &["enroll", "--lab", &lab.to_string(), "--role", "volunteer"]);
        let e = enroll(&hub.url, &code, name).await.expect("enrol").enrolled;
        let mut s = device_store(tmp.path(), name, &e);
        sync_once(&mut s, &hub.url, &e.token).await.expect("first sync");
        assert_eq!(s.labs().expect("labs").len(), 2, "{name} sees the project's labs");
        devices.push((e, s));
    }

    // A1, offline, registers a family and records a meeting; then syncs.
    let mut devices = devices.into_iter();
    let (a1, mut s_a1) = devices.next().expect("a1");
    let (a2, mut s_a2) = devices.next().expect("a2");
    let (b1, mut s_b1) = devices.next().expect("b1");
    let h = s_a1.create_household(family(labs[0], "Noè")).expect("family");
    let m = s_a1.create_meeting(meeting(labs[0])).expect("meeting");
    let report = sync_once(&mut s_a1, &hub.url, &a1.token).await.expect("a1 sync");
    assert!(report.refused.is_empty(), "{:?}", report.refused);

    // A2 gets both; B1 gets neither.
    sync_once(&mut s_a2, &hub.url, &a2.token).await.expect("a2 sync");
    assert_eq!(s_a2.meeting(m).expect("a2 has the meeting").guests, 3);
    assert_eq!(s_a2.search_households("noe", 5).expect("search")[0].id, h);
    sync_once(&mut s_b1, &hub.url, &b1.token).await.expect("b1 sync");
    assert!(s_b1.meeting(m).is_err());
    assert!(s_b1.search_households("noe", 5).expect("search").is_empty());

    // A credential the hub does not know is refused.
    let mut stranger = device_store(tmp.path(), "stranger", &a2);
    let err = sync_once(&mut stranger, &hub.url, "0000").await.expect_err("unknown credential");
    assert!(matches!(err, ClientError::Unauthorized), "{err}");

    // A hub with another certificate (someone in the middle) gets nothing:
    // the device stops at the TLS handshake, before sending its credential.
    let impostor = hub.url.clone().pinned(CertFingerprint([0; 32]));
    let err = sync_once(&mut s_a2, &impostor, &a2.token).await.expect_err("another certificate");
    assert!(matches!(err, ClientError::CertificateChanged), "{err}");

    // B1 holds a connection open; revoking it cuts the connection within a second.
    let mut ws = common::connect(&hub.url, Some(&b1.token)).await.expect("connect");
    let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
    ws.send(Message::Binary(hello.encode().into())).await.expect("hello");
    let _catalog = ws.next().await;
    let started = Instant::now();
    hub_cmd(&hub.dir, &["revoke", &b1.device.to_string()]);
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("hub answers") {
            Some(Ok(Message::Binary(b))) => {
                if let Ok(Frame::Close { reason }) = Frame::decode(&b) {
                    break reason;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("connection ended without a revocation frame: {other:?}"),
        }
    };
    let elapsed = started.elapsed();
    println!("revocation reached the open connection in {elapsed:?}");
    assert_eq!(closed, Fatal::Revoked);
    assert!(
        elapsed < Duration::from_secs(1) + Duration::from_millis(300),
        "{elapsed:?} (includes the CLI's start-up)"
    );
    let err = sync_once(&mut s_b1, &hub.url, &b1.token).await.expect_err("revoked");
    assert!(matches!(err, ClientError::Unauthorized), "{err}");

    // The device list shows the revocation.
    let list = hub_cmd(&hub.dir, &["devices"]);
    assert!(list.lines().any(|l| l.contains(&b1.device.to_string()) && l.contains("revoked")), "{list}");
}

/// After 30 wrong pairing codes in a minute, even a right one waits: the
/// hub answers "too many attempts" instead of checking it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_pairing_codes_is_throttled() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = common::init_hub(tmp.path());
    let hub = Hub::start(&data);
    // The guesser knows the hub's certificate, so its codes pass the check.
    let cert = hub.url.pin().expect("pinned");
    for i in 0..30 {
        let wrong = crdt_sync::sync::pairing::display_code(&format!("ABCDE{i:05}"), Some(&cert));
        let r = enroll(&hub.url, &wrong, "guess").await;
        assert!(matches!(r, Err(ClientError::Enroll(EnrollError::Unknown))), "{r:?}");
    }
    let r = enroll(&hub.url, &code, "Ufficio").await;
    assert!(matches!(r, Err(ClientError::Enroll(EnrollError::RateLimited))), "{r:?}");
}

/// The README's walk-through: a lab added on the hub's command line, a
/// device of that lab paired with a printed code over TLS, a meeting
/// recorded on one laptop reaching the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lab_added_on_the_command_line_reaches_its_devices() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("hub");
    hub_cmd(&data, &["init"]);
    hub_cmd(&data, &["add-lab", "--number", "3", "--name", "Laboratorio Crosione"]);
    let again = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["add-lab", "--number", "3", "--name", "Doppione"])
        .output()
        .expect("run");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("lab 3 already exists"));
    let hub = Hub::start(&data);
    let mut a = common::enrol(&hub, tmp.path(), "a", Some(3), "volunteer").await;
    let mut b = common::enrol(&hub, tmp.path(), "b", Some(3), "volunteer").await;
    a.sync_ok(&hub.url).await;
    let labs = a.store.labs().expect("labs");
    assert_eq!(
        labs.iter().map(|l| (l.number, l.name.as_str())).collect::<Vec<_>>(),
        [(3, "Laboratorio Crosione")]
    );
    assert!(!a.store.activity_types().expect("types").is_empty());
    let m = a.store.create_meeting(meeting(labs[0].id)).expect("meeting");
    a.sync_ok(&hub.url).await;
    b.sync_ok(&hub.url).await;
    assert_eq!(b.store.meeting(m).expect("b has a's meeting").theme, "Laboratorio di cucina");
}
