//! Releases of the app through the hub (issue 14), against the real hub
//! binary on loopback: a release signed with the tests' key is published,
//! offered to a paired laptop at `GET /update`, downloaded over the pinned
//! TLS and verified. Tampered, wrongly signed, altered and older releases
//! are refused at publishing with a clear message and change nothing; a
//! package altered on the hub's disk is refused by the laptop; a held lab
//! is offered nothing newer than its hold; a laptop too old to sync is
//! still offered the release that lets it sync again.

mod common;

use std::path::{Path, PathBuf};

use common::{Device, Hub, enrol, hub_fails, init_hub, project};
use crdt_sync::sync::{Fatal, Frame};
use futures_util::{SinkExt, StreamExt};
use taccuino_sync_client::{ClientError, download, update_info};
use taccuino_updates::{
    PackageCheck, PackageFormat, SignedRelease, TrustedKeys, UpdateError, UpdateInfo, testing,
};
use tokio_tungstenite::tungstenite::Message;

fn v(s: &str) -> semver::Version {
    s.parse().expect("version")
}

/// A package's bytes: not a real .deb, which the hub never opens.
fn package(version: &str) -> Vec<u8> {
    (0..300_000u32).map(|i| (i.wrapping_mul(31) ^ version.len() as u32) as u8).collect()
}

/// Writes a release directory as `taccuino-release sign` does.
fn write_release(dir: &Path, signed: &SignedRelease, package: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("release.json"), &signed.manifest).expect("manifest");
    std::fs::write(dir.join("release.json.minisig"), &signed.signature).expect("signature");
    let file = taccuino_updates::Manifest::parse(&signed.manifest).expect("manifest").file;
    std::fs::write(dir.join(file), package).expect("package");
    dir.to_owned()
}

fn release_dir(tmp: &Path, version: &str) -> PathBuf {
    let (signed, bytes) = testing::signed_release(version, PackageFormat::Deb, &package(version));
    write_release(&tmp.join(format!("release-{version}")), &signed, &bytes)
}

async fn info(hub: &Hub, who: &Device, format: Option<PackageFormat>, version: &str) -> UpdateInfo {
    update_info(&hub.url, &who.enrolled.token, format, &v(version))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", who.name))
}

/// The offered version for `who`, installed from a .deb at 0.1.0.
async fn offered(hub: &Hub, who: &Device) -> Option<String> {
    let info = info(hub, who, Some(PackageFormat::Deb), "0.1.0").await;
    info.offer.map(|o| o.release.verify(&TrustedKeys::built_in()).expect("verifies").version().to_string())
}

/// Downloads what the hub offers `who` and checks it as the app does.
async fn fetch(hub: &Hub, who: &Device) -> Result<Vec<u8>, ClientError> {
    let info = info(hub, who, Some(PackageFormat::Deb), "0.1.0").await;
    let offer = info.offer.expect("an offer");
    let release = offer.release.verify(&TrustedKeys::built_in()).map_err(ClientError::Update)?;
    release.offerable_to(&v("0.1.0"), PackageFormat::Deb).map_err(ClientError::Update)?;
    let mut check = PackageCheck::new(&release);
    let mut out = Vec::new();
    download(&hub.url, &who.enrolled.token, &offer.path, &mut check, &mut out, |_, _| {}).await?;
    check.finish().map_err(ClientError::Update)?;
    Ok(out)
}

fn listed(hub: &Hub) -> String {
    hub.cmd(&["release", "list"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_release_reaches_a_paired_laptop_and_nothing_else_does() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (office, _labs) = project(&hub, tmp.path(), &code, 2).await;
    let lab1 = enrol(&hub, tmp.path(), "lab1", Some(1), "volunteer").await;
    let lab2 = enrol(&hub, tmp.path(), "lab2", Some(2), "volunteer").await;

    // Nothing published: the hub says what it is, and offers nothing.
    let before = info(&hub, &lab1, Some(PackageFormat::Deb), "0.1.0").await;
    assert_eq!(before.protocol, crdt_sync::sync::PROTOCOL_VERSION);
    assert_eq!(before.hub_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(before.offer, None);

    let out = hub.cmd(&["release", "publish", release_dir(tmp.path(), "0.2.0").to_str().expect("utf-8")]);
    assert_eq!(out, "published 0.2.0 deb (300000 bytes)");
    assert_eq!(offered(&hub, &lab1).await.as_deref(), Some("0.2.0"));
    assert_eq!(fetch(&hub, &lab1).await.expect("download"), package("0.2.0"), "the signed bytes arrive");
    // Not offered again once installed, nor to a package of another kind,
    // nor to a build not installed from a package.
    assert_eq!(info(&hub, &lab1, Some(PackageFormat::Deb), "0.2.0").await.offer, None);
    assert_eq!(info(&hub, &lab1, Some(PackageFormat::Rpm), "0.1.0").await.offer, None);
    assert_eq!(info(&hub, &lab1, None, "0.1.0").await.offer, None);

    // Refused at publishing, each with its reason, and nothing changes.
    let published = listed(&hub);
    let refuse = |dir: &Path, reason: &str| {
        let err = hub_fails(&hub.dir, &["release", "publish", dir.to_str().expect("utf-8")], &[]);
        assert!(err.contains(reason) && err.contains("nothing was published"), "{reason}: {err}");
    };
    // A package changed after signing.
    let tampered = release_dir(tmp.path(), "0.3.0");
    let file = tampered.join("Taccuino_0.3.0_test.deb");
    let mut bytes = std::fs::read(&file).expect("read");
    bytes[1000] ^= 0x40;
    std::fs::write(&file, &bytes).expect("write");
    refuse(&tampered, "digest_mismatch");
    // A manifest changed after signing.
    let altered = release_dir(tmp.path(), "0.4.0");
    let manifest = std::fs::read_to_string(altered.join("release.json")).expect("read");
    std::fs::write(altered.join("release.json"), manifest.replace("300000", "300001")).expect("write");
    refuse(&altered, "bad_signature");
    // Signed by a key no build trusts.
    let stranger = minisign::KeyPair::generate_unencrypted_keypair().expect("key");
    let (signed, bytes) =
        testing::signed_release_with("0.5.0", PackageFormat::Deb, &package("0.5.0"), &stranger.sk);
    refuse(&write_release(&tmp.path().join("stranger"), &signed, &bytes), "unknown_key");
    // Older than, or the same as, what is published: a downgrade.
    refuse(&release_dir(tmp.path(), "0.1.5"), "not_newer");
    refuse(&release_dir(&tmp.path().join("again"), "0.2.0"), "not_newer");
    // No manifest at all.
    let err = hub_fails(&hub.dir, &["release", "publish", tmp.path().to_str().expect("utf-8")], &[]);
    assert!(err.contains("release.json"), "{err}");
    assert_eq!(listed(&hub), published, "nothing was recorded");
    assert_eq!(offered(&hub, &lab1).await.as_deref(), Some("0.2.0"));
    let kept: Vec<_> = std::fs::read_dir(hub.dir.join("releases"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(kept, vec![std::ffi::OsString::from("0.2.0-deb")], "no partial copy left");

    // A package altered on the hub's disk after publishing is refused by
    // the laptop: the hub is not trusted more than any other peer.
    let on_disk = hub.dir.join("releases/0.2.0-deb/Taccuino_0.2.0_test.deb");
    let good = std::fs::read(&on_disk).expect("read");
    let mut evil = good.clone();
    evil[77] ^= 1;
    std::fs::write(&on_disk, &evil).expect("write");
    assert!(matches!(fetch(&hub, &lab1).await, Err(ClientError::Update(UpdateError::DigestMismatch))));
    // Cut short on disk: the hub sends what it has, the laptop keeps nothing.
    std::fs::write(&on_disk, &good[..1000]).expect("write");
    let short = fetch(&hub, &lab1).await;
    assert!(short.is_err(), "a package cut short was accepted");
    std::fs::write(&on_disk, &good).expect("write");

    // Labs one at a time: lab 2 held on 0.2.0 while 0.3.0 goes to lab 1.
    assert_eq!(hub.cmd(&["release", "hold", "--lab", "2", "--at", "0.2.0"]), "lab 2 held at 0.2.0");
    hub.cmd(&["release", "publish", release_dir(&tmp.path().join("good"), "0.3.0").to_str().expect("utf-8")]);
    assert_eq!(offered(&hub, &lab1).await.as_deref(), Some("0.3.0"));
    assert_eq!(offered(&hub, &lab2).await.as_deref(), Some("0.2.0"));
    assert_eq!(offered(&hub, &office).await.as_deref(), Some("0.3.0"), "coordinators follow no lab's hold");
    // The held lab cannot fetch the newer package by asking for it.
    let held = download(
        &hub.url,
        &lab2.enrolled.token,
        "/update/package/0.3.0/deb",
        &mut PackageCheck::new(&release_dir(&tmp.path().join("x"), "0.3.0").pipe(read_release)),
        &mut Vec::new(),
        |_, _| {},
    )
    .await;
    assert!(matches!(held, Err(ClientError::Protocol(ref m)) if m.contains("nothing at")), "{held:?}");
    assert!(listed(&hub).contains("lab 2 held at 0.2.0"));
    assert_eq!(hub.cmd(&["release", "hold", "--lab", "2", "--clear"]), "lab 2 is offered the newest release");
    assert_eq!(offered(&hub, &lab2).await.as_deref(), Some("0.3.0"));
    let log = hub.cmd(&["devices", "--log"]);
    for line in [
        "publish      0.2.0 deb",
        "publish      0.3.0 deb",
        "hold         lab 2 at 0.2.0",
        "release_hold lab 2",
    ] {
        assert!(log.contains(line), "{line:?} not in the log:\n{log}");
    }

    // A revoked laptop is told nothing.
    hub.cmd(&["revoke", &lab1.enrolled.device.to_string()]);
    let revoked = update_info(&hub.url, &lab1.enrolled.token, Some(PackageFormat::Deb), &v("0.1.0")).await;
    assert!(matches!(revoked, Err(ClientError::Unauthorized)), "{revoked:?}");
    hub.assert_no_uncaught_panics();
}

/// Reads back a release directory's verified release.
fn read_release(dir: PathBuf) -> taccuino_updates::Release {
    let signed = SignedRelease {
        manifest: std::fs::read_to_string(dir.join("release.json")).expect("manifest"),
        signature: std::fs::read_to_string(dir.join("release.json.minisig")).expect("signature"),
    };
    signed.verify(&TrustedKeys::built_in()).expect("verifies")
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_too_old_to_sync_is_still_offered_the_release_that_lets_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (_office, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let old = enrol(&hub, tmp.path(), "old", Some(1), "volunteer").await;
    hub.cmd(&["release", "publish", release_dir(tmp.path(), "0.2.0").to_str().expect("utf-8")]);

    // An older protocol's greeting: the hub closes the sync with `Version`.
    let mut ws = common::connect(&hub.url, Some(&old.enrolled.token)).await.expect("connect");
    let older = crdt_sync::sync::PROTOCOL_VERSION - 1;
    let hello = Frame::Hello { version: older, docs: vec![], heads: vec![], since: None };
    ws.send(Message::Binary(hello.encode().into())).await.expect("send");
    let closed = loop {
        match ws.next().await {
            Some(Ok(Message::Binary(b))) => break Frame::decode(&b).expect("frame"),
            Some(Ok(_)) => continue,
            other => panic!("no answer: {other:?}"),
        }
    };
    assert_eq!(closed, Frame::Close { reason: Fatal::Version });
    // The update answer does not depend on the sync protocol: the laptop
    // learns which protocol the hub speaks, and of the release.
    let info = info(&hub, &old, Some(PackageFormat::Deb), "0.1.0").await;
    assert_eq!(info.protocol, older + 1);
    assert!(info.offer.is_some());
    assert_eq!(fetch(&hub, &old).await.expect("download"), package("0.2.0"));
}

/// A coordinator holds a lab from the app (`/devices`: `Releases`, `Hold`),
/// with the right `manage_updates` checked by the hub on the role it
/// enrolled; other roles are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_holds_a_lab_from_the_app() {
    use crdt_sync::sync::manage::{LabHold, ManageRefusal, ManageRequest, ManageResponse};
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (office, _labs) = project(&hub, tmp.path(), &code, 2).await;
    let lead = enrol(&hub, tmp.path(), "lead", Some(2), "lead").await;
    let lab2 = enrol(&hub, tmp.path(), "lab2", Some(2), "volunteer").await;
    hub.cmd(&["release", "publish", release_dir(tmp.path(), "0.2.0").to_str().expect("utf-8")]);
    let ask = |who: &Device, request: ManageRequest| {
        let (url, token) = (hub.url.clone(), who.enrolled.token.clone());
        async move { taccuino_sync_client::manage(&url, &token, &request).await.expect("answer") }
    };

    for who in [&lead, &lab2] {
        assert_eq!(
            ask(who, ManageRequest::Releases).await,
            ManageResponse::Refused(ManageRefusal::NotAllowed)
        );
        let hold = ManageRequest::Hold { lab: 2, version: Some("0.1.0".into()) };
        assert_eq!(ask(who, hold).await, ManageResponse::Refused(ManageRefusal::NotAllowed));
    }
    let bad = ManageRequest::Hold { lab: 2, version: Some("zero point one".into()) };
    assert_eq!(ask(&office, bad).await, ManageResponse::Refused(ManageRefusal::Invalid));
    let nowhere = ManageRequest::Hold { lab: 9, version: Some("0.1.0".into()) };
    assert_eq!(ask(&office, nowhere).await, ManageResponse::Refused(ManageRefusal::UnknownLab));
    assert_eq!(offered(&hub, &lab2).await.as_deref(), Some("0.2.0"), "refusals changed nothing");

    let hold = ManageRequest::Hold { lab: 2, version: Some("0.1.0".into()) };
    assert_eq!(ask(&office, hold).await, ManageResponse::Held);
    assert_eq!(offered(&hub, &lab2).await, None, "held below the release");
    let ManageResponse::Releases { releases, holds } = ask(&office, ManageRequest::Releases).await else {
        panic!("no list")
    };
    assert_eq!(
        releases.iter().map(|r| (r.version.as_str(), r.format.as_str())).collect::<Vec<_>>(),
        [("0.2.0", "deb")]
    );
    assert_eq!(holds, [LabHold { lab: 2, version: "0.1.0".into() }]);
    assert_eq!(ask(&office, ManageRequest::Hold { lab: 2, version: None }).await, ManageResponse::Held);
    assert_eq!(offered(&hub, &lab2).await.as_deref(), Some("0.2.0"));
    let log = hub.cmd(&["devices", "--log"]);
    let by_app = format!("device {}", office.enrolled.device);
    assert!(
        log.lines().any(|l| l.contains(&by_app) && l.contains("hold") && l.contains("lab 2 at 0.1.0")),
        "{log}"
    );
    assert!(log.lines().any(|l| l.contains(&by_app) && l.contains("release_hold")), "{log}");
}

/// A laptop downloads one package at a time, and only so many a day
/// (`downloads_per_day`): each is megabytes the hub sends, which the
/// budgets of what a device sends do not count. Refused downloads say
/// "busy" (as a sync cut for its budget) and cost the day's budget nothing;
/// another laptop is not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_downloads_one_package_at_a_time_and_a_few_a_day() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start_with(&data, &["--downloads-per-day", "2"]);
    let (_office, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let lab1 = enrol(&hub, tmp.path(), "lab1", Some(1), "volunteer").await;
    let other = enrol(&hub, tmp.path(), "lab1-b", Some(1), "volunteer").await;
    // Larger than loopback's socket buffers, so that a laptop that stops
    // reading keeps its download running on the hub.
    let big: Vec<u8> = (0..32_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let (signed, bytes) = testing::signed_release("0.2.0", PackageFormat::Deb, &big);
    let dir = write_release(&tmp.path().join("big"), &signed, &bytes);
    hub.cmd(&["release", "publish", dir.to_str().expect("utf-8")]);
    let busy =
        |r: Result<Vec<u8>, ClientError>| matches!(r, Err(ClientError::Closed(crdt_sync::sync::Fatal::Busy)));

    // A download left hanging: the laptop reads 1 KB and stops.
    let offer = info(&hub, &lab1, Some(PackageFormat::Deb), "0.1.0").await.offer.expect("offer");
    let release = offer.release.verify(&TrustedKeys::built_in()).expect("verifies");
    let (mut stalled, keep_open) = tokio::io::duplex(1024);
    let hanging = tokio::spawn({
        let (url, token, path) = (hub.url.clone(), lab1.enrolled.token.clone(), offer.path.clone());
        async move {
            let mut check = PackageCheck::new(&release);
            download(&url, &token, &path, &mut check, &mut stalled, |_, _| {}).await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(busy(fetch(&hub, &lab1).await), "a second download at once is refused");
    assert_eq!(fetch(&hub, &other).await.expect("another laptop"), big);
    // The first one goes away: its place is free again.
    hanging.abort();
    drop(keep_open);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(fetch(&hub, &lab1).await.expect("the second of the day"), big);
    // Two a day: the third is refused, and asking again does not help.
    assert!(busy(fetch(&hub, &lab1).await), "a third download in a day");
    assert!(busy(fetch(&hub, &lab1).await));
    assert!(hub.log().contains("over the device's limit"), "the refusal is logged");
}
