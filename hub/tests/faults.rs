//! Faults between devices and a real hub: the hub killed with SIGKILL in
//! the middle of syncs and restarted on its data directory; connections cut
//! in the middle of a message, either way; a device offline for weeks that
//! comes back with hundreds of changes. Nothing committed anywhere is lost,
//! every store stays consistent (SQLite's integrity check, a projection
//! equal to its rebuild) and everything converges after more syncs.
//!
//! Where the faults fall (bytes before a kill or a cut) comes from a seed,
//! printed, replayable with `TACCUINO_FAULT_SEED=<seed>`.

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use automerge::sync::{ChunkList, Message as SyncMessage, MessageVersion};
use chrono::NaiveDate;
use common::{Cut, Device, Hub, Proxy, assert_healthy, enrol, family, init_hub, meeting_on, project, seed};
use crdt_sync::sync::Frame;
use crdt_sync::{
    Attendance, Contacts, DocRef, Families, HouseholdId, HouseholdPatch, LabId, Maintenance, MeetingId,
    Meetings, Replication, Store, SyncMemory,
};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use taccuino_hub::DataDir;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

fn year() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"), NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"))
}

fn day(rng: &mut StdRng) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, rng.random_range(1..=10), rng.random_range(1..=28)).expect("date")
}

/// The meetings of `lab` that `store` holds.
fn meetings(store: &Store, lab: LabId) -> BTreeSet<MeetingId> {
    let (from, to) = year();
    store.meetings(lab, from, to).expect("meetings").into_iter().map(|m| m.id).collect()
}

/// A device of one lab and the meetings it recorded.
struct Worker {
    device: Device,
    lab: LabId,
    recorded: BTreeSet<MeetingId>,
}

impl Worker {
    /// Records `n` meetings, some attended by members of the lab's families.
    fn record(&mut self, n: usize, rng: &mut StdRng) {
        let families: Vec<HouseholdId> = self
            .device
            .store
            .search_households("ferrari", 50)
            .expect("search")
            .into_iter()
            .filter(|h| h.lab == self.lab)
            .map(|h| h.id)
            .collect();
        for i in 0..n {
            let mut attendance = Vec::new();
            if let Some(h) = families.choose(rng) {
                let member = self.device.store.household(*h).expect("family").members[0].id;
                attendance.push(Attendance { household: *h, member });
            }
            let theme = format!("{} {i}", self.device.name);
            let m = self.device.store.create_meeting(meeting_on(self.lab, day(rng), &theme, attendance));
            self.recorded.insert(m.expect("meeting"));
        }
    }
}

/// SQLite finds the file sound, and the projection matches the documents
/// it says it was projected from and equals a rebuild from them.
fn assert_consistent(store: &mut Store, what: &str) {
    assert_eq!(store.integrity_check().expect("integrity check"), "ok", "{what}");
    assert_eq!(store.check_projection().expect("check"), 0, "{what}: a projection behind its documents");
    let incremental = store.projection_dump().expect("dump");
    store.rebuild_projection().expect("rebuild");
    assert!(
        incremental == store.projection_dump().expect("dump"),
        "{what}: the projection differs from a rebuild"
    );
}

/// Syncs every worker (and the coordinator) directly with the hub, round
/// after round, until a round changes nothing on any device.
async fn converge(hub: &Hub, workers: &mut [Worker], coordinator: &mut Device) {
    for round in 1..=5 {
        let mut changed = false;
        for w in workers.iter_mut() {
            changed |= w.device.sync_ok(&hub.url).await.stats.docs_changed > 0;
        }
        changed |= coordinator.sync_ok(&hub.url).await.stats.docs_changed > 0;
        if !changed {
            return;
        }
        assert!(round < 5, "still changing after {round} rounds");
    }
}

/// Every meeting recorded anywhere is on every device of its lab and on the
/// coordinator's, and the devices of a lab hold identical documents.
fn assert_converged(workers: &mut [Worker], coordinator: &mut Device) {
    let labs: BTreeSet<LabId> = workers.iter().map(|w| w.lab).collect();
    for lab in labs {
        let recorded: BTreeSet<MeetingId> =
            workers.iter().filter(|w| w.lab == lab).flat_map(|w| w.recorded.iter().copied()).collect();
        let all = meetings(&coordinator.store, lab);
        assert!(
            recorded.is_subset(&all),
            "the coordinator lacks {} meetings",
            recorded.difference(&all).count()
        );
        let mut fingerprints = BTreeSet::new();
        for w in workers.iter_mut().filter(|w| w.lab == lab) {
            assert_eq!(meetings(&w.device.store, lab), all, "{}", w.device.name);
            let docs = w.device.store.doc_refs().expect("docs");
            fingerprints.insert(w.device.store.fingerprint(&docs).expect("fingerprint"));
            fingerprints.insert(coordinator.store.fingerprint(&docs).expect("fingerprint"));
        }
        assert_eq!(fingerprints.len(), 1, "the devices of a lab and the coordinator hold the same documents");
    }
}

/// A hub with two labs, a coordinator, and devices: two of lab 1 (with two
/// families) and one of lab 2, all synced once.
async fn setup(tmp: &std::path::Path) -> (Hub, Device, Vec<Worker>) {
    let (data, code) = init_hub(tmp);
    let hub = Hub::start(&data);
    let (coordinator, labs) = project(&hub, tmp, &code, 2).await;
    let mut workers = Vec::new();
    for (name, lab) in [("a1", 0), ("a2", 0), ("b1", 1)] {
        let number = u8::try_from(lab + 1).expect("lab number");
        let mut device = enrol(&hub, tmp, name, Some(number), "volunteer").await;
        device.sync_ok(&hub.url).await;
        if name == "a1" {
            for f in ["Giulia", "Ahmed"] {
                device.store.create_household(family(labs[lab], f)).expect("family");
            }
            device.sync_ok(&hub.url).await;
        }
        workers.push(Worker { device, lab: labs[lab], recorded: BTreeSet::new() });
    }
    workers[1].device.sync_ok(&hub.url).await;
    (hub, coordinator, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_killed_mid_sync_loses_nothing_committed() {
    let seed = seed("TACCUINO_FAULT_SEED");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut hub, mut coordinator, mut workers) = setup(tmp.path()).await;
    let data = hub.dir.clone();
    for w in &mut workers {
        w.record(20, &mut rng);
    }

    // Kill the hub after a seeded number of bytes of three devices syncing
    // at once, through a counting proxy; open its register while it is
    // down; restart it on the same data directory.
    let (mut interrupted, mut killed_mid_sync) = (0, 0);
    for cycle in 0..5 {
        for w in &mut workers {
            w.record(5, &mut rng);
        }
        let proxy = Proxy::start(&hub, Cut::Never).await;
        // Early in the syncs at first, later and later after.
        let threshold = rng.random_range(300..4_000 * (cycle + 1));
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
        let killer = async {
            let mid = tokio::select! {
                _ = proxy.wait_for_bytes(threshold) => true,
                _ = done.notified() => false,
            };
            hub.kill();
            mid
        };
        let ((r1, r2, r3), mid) = tokio::join!(syncs, killer);
        let results = [r1.is_ok(), r2.is_ok(), r3.is_ok()];
        interrupted += results.iter().filter(|ok| !**ok).count();
        killed_mid_sync += usize::from(mid);
        println!(
            "cycle {cycle}: killed after {} bytes (threshold {threshold}), syncs ok: {results:?}",
            proxy.bytes()
        );

        // What a finished sync handed the hub survives the kill; what the
        // devices committed is still theirs; every store is consistent.
        let mut register = DataDir::new(&data).open_store().expect("the register opens after SIGKILL");
        assert_consistent(&mut register, "the hub after SIGKILL");
        for (w, ok) in workers.iter_mut().zip(results) {
            let held = meetings(&w.device.store, w.lab);
            assert!(w.recorded.is_subset(&held), "{} lost its own meetings", w.device.name);
            assert_consistent(&mut w.device.store, &w.device.name);
            if ok {
                let at_hub = meetings(&register, w.lab);
                assert!(
                    w.recorded.is_subset(&at_hub),
                    "{} synced, then the kill lost its meetings",
                    w.device.name
                );
            }
        }
        drop(register);
        hub = Hub::start(&data);
    }
    println!("{killed_mid_sync} of 5 kills fell in the middle of syncs; {interrupted} syncs interrupted");
    assert!(killed_mid_sync >= 1 && interrupted >= 1, "no kill fell in the middle of a sync");

    // A laptop syncs, is lost for good; the hub is killed right after; what
    // it synced still reaches the other device of its lab.
    let labs: Vec<LabId> = workers.iter().map(|w| w.lab).collect();
    let mut lost = Worker {
        device: enrol(&hub, tmp.path(), "perso", Some(1), "volunteer").await,
        lab: labs[0],
        recorded: BTreeSet::new(),
    };
    lost.device.sync_ok(&hub.url).await;
    lost.record(10, &mut rng);
    lost.device.sync_ok(&hub.url).await;
    hub.kill();
    let path = lost.device.store.path().expect("a file").to_owned();
    let only_at_hub = lost.recorded.clone();
    drop(lost);
    std::fs::remove_file(&path).expect("the laptop is gone");
    hub = Hub::start(&data);

    converge(&hub, &mut workers, &mut coordinator).await;
    assert_converged(&mut workers, &mut coordinator);
    assert!(
        only_at_hub.is_subset(&meetings(&workers[1].device.store, labs[0])),
        "the lost laptop's meetings"
    );
    hub.assert_no_uncaught_panics();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_mid_message_leave_everything_consistent() {
    let seed = seed("TACCUINO_FAULT_SEED");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut hub, mut coordinator, mut workers) = setup(tmp.path()).await;
    for w in &mut workers {
        w.record(15, &mut rng);
    }

    // Syncs through a proxy that cuts each connection after a seeded number
    // of bytes one way (log-uniform, 1 byte to 64 KiB): in the middle of the
    // handshake, of a frame, of a session, or not at all.
    let (mut cut, mut failed) = (0, 0);
    for i in 0..30 {
        let w = &mut workers[i % 2];
        w.record(1, &mut rng);
        let family = w.device.store.search_households("ferrari", 1).expect("search")[0].id;
        let contacts = Contacts { phone: format!("+39 {i}"), ..Contacts::default() };
        let patch = HouseholdPatch { contacts: Some(contacts), ..HouseholdPatch::default() };
        w.device.store.update_household(family, patch).expect("edit");
        let n = 2f64.powf(rng.random_range(0.0..16.0)) as u64;
        let how = if rng.random_bool(0.5) { Cut::Upstream(n) } else { Cut::Downstream(n) };
        let proxy = Proxy::start(&hub, how).await;
        let result = w.device.sync(&proxy.url).await;
        cut += proxy.cuts();
        failed += usize::from(result.is_err());
        assert_consistent(&mut w.device.store, &format!("{} after {how:?}", w.device.name));
        assert!(hub.alive(), "the hub survives a cut connection");
    }

    // A raw WebSocket that says Hello, answers half of what the hub sends
    // and drops the connection without a word.
    for w in &mut workers[..2] {
        // Something new, so that there is an exchange to break off (with
        // nothing new, protocol v2 settles in the Catalog alone).
        w.record(1, &mut rng);
        // A full `Hello` (no sync points), so that the hub opens every
        // document and the device has answers to leave half-sent.
        w.device.store.forget_sync_points(crdt_sync::sync::Peer::Hub).expect("forget");
        let mut ws = common::connect(&hub.url, Some(&w.device.enrolled.token)).await.expect("connect");
        let mut session = crdt_sync::sync::Session::device();
        let hello = session.hello(&mut w.device.store).expect("hello");
        ws.send(Message::Binary(hello.encode().into())).await.expect("hello");
        let mut answered = 0;
        while answered < 2 {
            let next = tokio::time::timeout(std::time::Duration::from_secs(20), ws.next()).await;
            let Some(Ok(Message::Binary(b))) = next.expect("the hub answers") else { break };
            let frame = Frame::decode(&b).expect("the hub's frames decode");
            for f in session.receive(&mut w.device.store, frame).expect("receive") {
                ws.send(Message::Binary(f.encode().into())).await.expect("send");
                answered += 1;
            }
        }
        drop(ws);
        assert_consistent(&mut w.device.store, &format!("{} after a dropped session", w.device.name));
    }
    println!("30 syncs through a cutting proxy: {cut} connections cut, {failed} syncs failed");
    assert!(cut >= 10 && failed >= 10, "the proxy cut most syncs");
    assert_healthy(&hub.url).await;

    converge(&hub, &mut workers, &mut coordinator).await;
    assert_converged(&mut workers, &mut coordinator);
    hub.assert_no_uncaught_panics();
    hub.kill();
    let mut register = DataDir::new(&hub.dir).open_store().expect("the hub's register");
    assert_consistent(&mut register, "the hub");
    for w in &workers {
        assert!(
            w.recorded.is_subset(&meetings(&register, w.lab)),
            "the hub has {}'s meetings",
            w.device.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_offline_for_weeks_syncs_hundreds_of_changes_in_one_go() {
    let seed = seed("TACCUINO_FAULT_SEED");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, mut coordinator, mut workers) = setup(tmp.path()).await;
    let lab = workers[0].lab;
    for i in 0..18 {
        workers[0].device.store.create_household(family(lab, &format!("Famiglia{i}"))).expect("family");
    }
    workers[0].device.sync_ok(&hub.url).await;
    workers[1].device.sync_ok(&hub.url).await;

    // Ten weeks offline: 300 meetings, edits to families, new families.
    let started = Instant::now();
    workers[0].record(300, &mut rng);
    let families: Vec<HouseholdId> = workers[0]
        .device
        .store
        .search_households("ferrari", 50)
        .expect("search")
        .into_iter()
        .map(|h| h.id)
        .collect();
    for (i, h) in families.iter().enumerate() {
        let contacts = Contacts { phone: format!("+39 0382 {i:06}"), ..Contacts::default() };
        let patch = HouseholdPatch { contacts: Some(contacts), ..HouseholdPatch::default() };
        workers[0].device.store.update_household(*h, patch).expect("edit");
    }
    for i in 0..5 {
        workers[0].device.store.create_household(family(lab, &format!("Nuova{i}"))).expect("family");
    }
    println!("300 meetings and {} edits recorded offline in {:?}", families.len() + 5, started.elapsed());
    // Meanwhile the lab's other device goes on.
    workers[1].record(10, &mut rng);
    workers[1].device.sync_ok(&hub.url).await;

    // Back online: one sync takes all of it up and the other device's news down.
    let started = Instant::now();
    let report = workers[0].device.sync_ok(&hub.url).await;
    println!(
        "the returning device synced in {:?}: {} frames out, {} in, {} bytes out, {} in, {} documents changed",
        started.elapsed(),
        report.stats.frames_out,
        report.stats.frames_in,
        report.stats.bytes_out,
        report.stats.bytes_in,
        report.stats.docs_changed
    );
    assert!(report.stats.docs_changed >= 1, "the other device's meetings came down");
    let doc = DocRef::lab(lab);
    let heads = workers[0].device.store.heads(doc).expect("heads");
    let report = workers[0].device.sync_ok(&hub.url).await;
    assert_eq!(report.stats.docs_changed, 0, "one sync was enough");
    assert_eq!(workers[0].device.store.heads(doc).expect("heads"), heads);

    workers[1].device.sync_ok(&hub.url).await;
    converge(&hub, &mut workers, &mut coordinator).await;
    assert_converged(&mut workers, &mut coordinator);
    assert_eq!(meetings(&workers[1].device.store, lab).len(), 310);
    assert_consistent(&mut workers[1].device.store, "the other device");
}

/// A change can reach the hub before the change it depends on: a device
/// skips the changes the hub's Bloom filter seems to hold, and about one in
/// a hundred of those the hub lacks. The hub kept such a change in a copy
/// of the document that it then dropped; the device, which counted it as
/// sent, never sent it again, and the two exchanged messages in circles
/// until the rate limit cut the sync (seen here as `RateLimited` on honest
/// devices, now and then, when converging after faults). Now the change
/// waits until the one it depends on arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_arrives_before_its_dependency_waits_for_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, mut coordinator, mut workers) = setup(tmp.path()).await;
    let labs: Vec<LabId> = workers.iter().map(|w| w.lab).collect();
    let lab = DocRef::lab(labs[0]);
    let mut rng = StdRng::seed_from_u64(7);
    let w = &mut workers[0];
    let h0 = w.device.store.heads(lab).expect("heads");
    w.record(1, &mut rng);
    let x = w.device.store.export_since(lab, &h0).expect("x");
    let h1 = w.device.store.heads(lab).expect("heads");
    w.record(1, &mut rng);
    let y = w.device.store.export_since(lab, &h1).expect("y");
    let mut h2 = w.device.store.heads(lab).expect("heads");
    h2.sort();
    let message = |change: &[u8]| {
        let m = SyncMessage {
            heads: h2.clone(),
            need: vec![],
            have: vec![],
            changes: ChunkList::from(change.to_vec()),
            flags: None,
            version: MessageVersion::V1,
        };
        Frame::Sync { doc: lab, message: m.encode() }
    };
    let mut ws = common::connect(&hub.url, Some(&w.device.enrolled.token)).await.expect("connect");
    let hello =
        Frame::Hello { version: crdt_sync::sync::PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
    let got = common::answers(&mut ws, &[hello, message(&y), message(&x)], DocRef::lab(labs[1])).await;
    let heads = got
        .iter()
        .rev()
        .find_map(|f| match f {
            Frame::Sync { doc, message } if *doc == lab => SyncMessage::decode(message).ok(),
            _ => None,
        })
        .map(|m| {
            let mut h = m.heads;
            h.sort();
            h
        });
    assert_eq!(heads, Some(h2), "the hub took y once x arrived");
    drop(ws);
    converge(&hub, &mut workers, &mut coordinator).await;
    assert_converged(&mut workers, &mut coordinator);
}
