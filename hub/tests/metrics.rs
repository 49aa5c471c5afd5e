//! Metrics and health on the real binary (issue 13): `serve
//! --metrics-listen` scraped over plain HTTP and its text parsed, a
//! metrics address off loopback refused at start-up, and `/health` failing
//! when the data directory's disk takes no write.
//!
//! A new metric is asserted in `metrics_are_scraped_and_parsed`; a new
//! health check gets its own test here.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{BIN, Hub, enrol, family, health, init_hub, project};
use crdt_sync::sync::{EnrollError, Fatal, Frame};
use crdt_sync::{DocRef, Families, Replication};
use futures_util::{SinkExt, StreamExt};
use taccuino_sync_client::ClientError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

/// A scrape, parsed: each sample by its name and its labels (sorted).
#[derive(Debug)]
struct Scrape {
    samples: BTreeMap<(String, BTreeMap<String, String>), f64>,
    text: String,
}

impl Scrape {
    /// Parses OpenMetrics text: `# ...` lines are descriptors, each other
    /// line `name{label="value",...} number`; it must end with `# EOF`.
    fn parse(text: &str) -> Scrape {
        assert!(text.ends_with("# EOF\n"), "not a whole OpenMetrics exposition:\n{text}");
        let mut samples = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line:?}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("bad value: {line:?}"));
            let (name, labels) = match series.split_once('{') {
                None => (series, BTreeMap::new()),
                Some((name, rest)) => {
                    let rest = rest.strip_suffix('}').unwrap_or_else(|| panic!("bad labels: {line:?}"));
                    (name, parse_labels(rest, line))
                }
            };
            assert!(name.starts_with("taccuino_hub_"), "a metric outside the hub's names: {line:?}");
            let old = samples.insert((name.to_owned(), labels), value);
            assert!(old.is_none(), "a series twice: {line:?}");
        }
        Scrape { samples, text: text.to_owned() }
    }

    /// The value of `name` with exactly `labels`.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    /// Every sample of `name`.
    fn all(&self, name: &str) -> Vec<(&BTreeMap<String, String>, f64)> {
        self.samples.iter().filter(|((n, _), _)| n == name).map(|((_, l), v)| (l, *v)).collect()
    }
}

/// `k="v",k="v"`: values here hold no quote, comma or backslash.
fn parse_labels(text: &str, line: &str) -> BTreeMap<String, String> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("bad label: {line:?}"));
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            (k.to_owned(), v.unwrap_or_else(|| panic!("unquoted label: {line:?}")).to_owned())
        })
        .collect()
}

/// `GET path` in plain HTTP/1.1 on `addr`: the whole response.
async fn get(addr: &str, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect to the metrics listener");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("ask");
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut response))
        .await
        .expect("an answer in time")
        .expect("read the answer");
    response
}

/// Scrapes `/metrics` on `addr`: checks the status and the content type,
/// and parses the body.
async fn scrape(addr: &str) -> Scrape {
    let response = get(addr, "/metrics").await;
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    assert!(head.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        head.to_ascii_lowercase().contains("content-type: application/openmetrics-text; version=1.0.0"),
        "{head}"
    );
    Scrape::parse(body)
}

/// Scrapes until `ready` holds (the last syncs reach the registry within
/// 200 ms of each sync's end), for at most 10 s.
async fn scrape_until(addr: &str, ready: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = scrape(addr).await;
        if ready(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "the metrics never showed what was done:\n{}", s.text);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).expect("after 1970").as_secs_f64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_and_parsed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let began = unix_now();
    let mut hub = Hub::start_with(&data, &["--metrics-listen", "127.0.0.1:0"]);
    let addr = hub.read_line("metrics on ");
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    // Nothing happened yet: the counters are there, at zero, and so are the
    // sizes; no backup was ever made, so no backup metric.
    let fresh = scrape(&addr).await;
    assert_eq!(fresh.get("taccuino_hub_syncs_started_total", &[]), Some(0.0), "{}", fresh.text);
    assert!(fresh.get("taccuino_hub_store_size_bytes", &[("store", "register")]).is_some_and(|b| b > 0.0));
    assert!(fresh.get("taccuino_hub_store_size_bytes", &[("store", "registry")]).is_some_and(|b| b > 0.0));
    assert!(!fresh.text.contains("backup"), "backup metrics without a backup:\n{}", fresh.text);

    // A coordinator and two labs; two devices of lab 1, one of lab 2.
    let (mut coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut devices = Vec::new();
    for (name, lab, role) in [("a1", 1, "volunteer"), ("a2", 1, "operator"), ("b1", 2, "volunteer")] {
        let mut d = enrol(&hub, tmp.path(), name, Some(lab), role).await;
        d.sync_ok(&hub.url).await;
        devices.push(d);
    }
    // A volunteer of lab 1 offers a family of lab 2 (its document, made
    // elsewhere, came to it alone): the hub refuses it.
    let theirs = coordinator.store.create_household(family(labs[1], "Intrusa")).expect("a family of lab 2");
    let bytes = coordinator.store.export_doc(DocRef::household(theirs)).expect("export");
    let a1 = &mut devices[0];
    a1.store.apply_bytes(DocRef::household(theirs), &bytes).expect("the document alone");
    let report = a1.sync(&hub.url).await.expect("the sync ends");
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refusal = report.refused.values().next().expect("one");
    let reason = serde_json::to_value(refusal).expect("json");
    let reason = reason.as_str().expect("a name");
    // A pairing code used twice, a credential the hub does not know, and a
    // connection that breaks the protocol (a text frame) and is closed.
    let again = taccuino_sync_client::enroll(&hub.url, &code, "Di nuovo").await;
    assert!(matches!(again, Err(ClientError::Enroll(EnrollError::Used))), "{again:?}");
    let stranger = common::connect(&hub.url, Some("0000")).await;
    assert!(matches!(stranger, Err(ClientError::Unauthorized)), "{:?}", stranger.err());
    let mut ws = common::connect(&hub.url, Some(&devices[1].enrolled.token)).await.expect("connect");
    ws.send(Message::Text("hello".into())).await.expect("a text frame");
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("the hub answers") {
            Some(Ok(Message::Binary(b))) => break Frame::decode(&b).expect("a frame"),
            Some(Ok(_)) => {}
            other => panic!("no Close frame: {other:?}"),
        }
    };
    assert_eq!(closed, Frame::Close { reason: Fatal::Protocol });
    let syncs = 1 + 3 + 1 + 1;

    let mut ids: Vec<String> = devices.iter().map(|d| d.enrolled.device.to_string()).collect();
    ids.push(coordinator.enrolled.device.to_string());
    let s = scrape_until(&addr, |s| {
        s.get("taccuino_hub_syncs_finished_total", &[]).is_some_and(|n| n >= f64::from(syncs))
            && s.all("taccuino_hub_device_last_sync_timestamp_seconds").len() == ids.len()
    })
    .await;
    println!("{}", s.text);

    // Devices by lab, role and status: what was enrolled.
    let devices_of = |lab: &str, role: &str| {
        s.get("taccuino_hub_devices", &[("lab", lab), ("role", role), ("status", "active")])
    };
    assert_eq!(devices_of("1", "volunteer"), Some(1.0));
    assert_eq!(devices_of("1", "operator"), Some(1.0));
    assert_eq!(devices_of("2", "volunteer"), Some(1.0));
    assert_eq!(devices_of("none", "coordinator"), Some(1.0));
    let total: f64 = s.all("taccuino_hub_devices").iter().map(|(_, n)| n).sum();
    assert_eq!(total, 4.0, "{}", s.text);
    assert_eq!(s.get("taccuino_hub_enrolments_accepted_total", &[]), Some(4.0));
    assert_eq!(s.get("taccuino_hub_enrolments_refused_total", &[("reason", "used")]), Some(1.0));
    assert_eq!(s.get("taccuino_hub_unauthorized_total", &[]), Some(1.0));
    assert_eq!(s.get("taccuino_hub_closes_total", &[("reason", "protocol")]), Some(1.0), "{}", s.text);

    // Syncs, their durations, the refusal under its reason, frames and bytes.
    assert!(s.get("taccuino_hub_syncs_started_total", &[]).is_some_and(|n| n >= f64::from(syncs)));
    assert!(s.get("taccuino_hub_sync_duration_seconds_count", &[]).is_some_and(|n| n >= f64::from(syncs)));
    assert!(s.get("taccuino_hub_sync_duration_seconds_sum", &[]).is_some_and(|t| t > 0.0));
    assert!(
        s.get("taccuino_hub_refusals_total", &[("reason", reason)]).is_some_and(|n| n >= 1.0),
        "no {reason} refusal counted:\n{}",
        s.text
    );
    for direction in ["in", "out"] {
        let of = |name| s.get(name, &[("direction", direction)]).unwrap_or(0.0);
        assert!(of("taccuino_hub_frames_total") >= f64::from(syncs), "{direction}");
        assert!(of("taccuino_hub_bytes_total") > of("taccuino_hub_frames_total"), "{direction}");
    }

    // A last sync for every device that synced, with its lab and role.
    let now = unix_now();
    for (labels, at) in s.all("taccuino_hub_device_last_sync_timestamp_seconds") {
        assert!(ids.contains(&labels["device"]), "{labels:?}");
        assert!(at >= began.floor() - 1.0 && at <= now + 1.0, "{labels:?}: {at} not in [{began}, {now}]");
    }
    let a1_labels = [("device", ids[0].as_str()), ("lab", "1"), ("role", "volunteer")];
    assert!(s.get("taccuino_hub_device_last_sync_timestamp_seconds", &a1_labels).is_some());
    let registry = s.get("taccuino_hub_store_size_bytes", &[("store", "register")]).expect("register size");
    assert!(registry > 0.0);

    // A backup an hour ago (what `taccuino-hub backup` leaves): its time and age.
    let stamp = data.join("backup.stamp");
    let file = std::fs::File::create(&stamp).expect("stamp");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    file.set_modified(an_hour_ago).expect("mtime");
    drop(file);
    let s = scrape(&addr).await;
    let at = s.get("taccuino_hub_last_backup_timestamp_seconds", &[]).expect("the backup's time");
    let expected = an_hour_ago.duration_since(SystemTime::UNIX_EPOCH).expect("epoch").as_secs_f64();
    assert!((at - expected).abs() <= 1.0, "{at} vs {expected}");
    let age = s.get("taccuino_hub_backup_age_seconds", &[]).expect("the backup's age");
    assert!((3600.0..3660.0).contains(&age), "{age}");

    // A revoked device is counted as such.
    hub.cmd(&["revoke", &ids[2]]);
    let s = scrape(&addr).await;
    let b1 =
        |status| s.get("taccuino_hub_devices", &[("lab", "2"), ("role", "volunteer"), ("status", status)]);
    assert_eq!((b1("active"), b1("revoked")), (None, Some(1.0)), "{}", s.text);

    // The metrics listener serves nothing else, and the devices' port
    // serves no metrics.
    let other = get(&addr, "/health").await;
    assert!(other.starts_with("HTTP/1.1 404"), "{other}");
    let public = public_get(&hub, "/metrics").await;
    assert!(public.starts_with("HTTP/1.1 404"), "{public}");
    hub.assert_no_uncaught_panics();
}

/// `GET path` over the hub's TLS port.
async fn public_get(hub: &Hub, path: &str) -> String {
    let mut s = taccuino_sync_client::open_stream(&hub.url).await.expect("TLS");
    let host = hub.url.authority();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("ask");
    let mut response = String::new();
    let _ = s.read_to_string(&mut response).await;
    response
}

/// Runs `serve` with `args` and `env` on `data`, which must fail within
/// 20 s: returns its stderr.
fn serve_fails(data: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the hub");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the hub started with {args:?} {env:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("listening on"), "it listened before refusing: {stdout}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_metrics_address_off_loopback_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _) = init_hub(tmp.path());
    let flag = serve_fails(&data, &["--metrics-listen", "0.0.0.0:0"], &[]);
    assert!(flag.contains("metrics listen address 0.0.0.0:0 is not loopback"), "{flag}");
    let env = serve_fails(&data, &[], &[("TACCUINO_HUB_METRICS_LISTEN", "[::]:0")]);
    assert!(env.contains("[::]:0 is not loopback"), "{env}");
    let config = tmp.path().join("hub.toml");
    std::fs::write(&config, "[metrics]\nlisten = \"0.0.0.0:9464\"\n").expect("config");
    let file = serve_fails(&data, &["--config", config.to_str().expect("utf-8")], &[]);
    assert!(file.contains("0.0.0.0:9464 is not loopback"), "{file}");
}

/// As root, permissions do not stop a write: the probe's path is made a
/// directory, which no file can be created as.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_fails_when_the_disk_takes_no_write() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    common::assert_healthy(&hub.url).await;
    assert!(!data.join("health.probe").exists(), "the probe is removed after each check");

    let probe = data.join("health.probe");
    std::fs::create_dir(&probe).expect("a directory where the probe goes");
    let sick = health(&hub.url).await.expect("GET /health");
    assert!(sick.starts_with("HTTP/1.1 503"), "{sick}");
    assert!(sick.ends_with("\r\n\r\ndisk: cannot write to the data directory"), "{sick}");
    assert!(hub.log().contains("does not take a write"), "the cause is logged");

    std::fs::remove_dir(&probe).expect("the disk works again");
    common::assert_healthy(&hub.url).await;
}

/// The metrics listener holds a few connections at once, and closes one
/// that does not ask within the request deadline: a process on the hub's
/// machine that opens sockets and never asks cannot hold the hub's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_listener_holds_a_few_connections_and_drops_silent_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _code) = init_hub(tmp.path());
    let mut hub = Hub::start_with(&data, &["--metrics-listen", "127.0.0.1:0", "--request-secs", "2"]);
    let addr = hub.read_line("metrics on ");
    let cap = taccuino_hub::metrics::METRICS_CONNECTIONS as usize;
    let mut silent = Vec::new();
    for _ in 0..cap {
        silent.push(tokio::net::TcpStream::connect(&addr).await.expect("connect"));
    }
    // One more is closed at once, without an answer.
    let mut extra = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    extra.write_all(format!("GET /metrics HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.ok();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut got)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed with nothing: {read:?} {got:?}");
    // The silent ones are closed at the deadline; then scraping works.
    let started = Instant::now();
    for s in &mut silent {
        let mut buf = [0u8; 16];
        let n =
            tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await.expect("closed in time");
        assert!(matches!(n, Ok(0) | Err(_)), "{n:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    let after = scrape(&addr).await;
    assert!(after.get("taccuino_hub_syncs_started_total", &[]).is_some(), "{}", after.text);
    assert!(hub.log().contains("too many connections from this address"), "the refusal is logged");
}
