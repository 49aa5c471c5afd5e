//! Hostile input against a running hub: at least 10,000 generated
//! malformed, truncated, oversized and unauthorised messages, from devices
//! enrolled like any other (a volunteer of the honest lab, an "insider", and
//! one of another lab, an "intruder") and from clients with no or a wrong
//! credential. Meanwhile two honest devices of lab 1 keep recording meetings
//! and syncing, and must succeed every time. At the end the hub is alive,
//! `/health` answers `ok`, its log shows no uncaught panic, no device was
//! ever shown a document it may not read (another lab's lab document,
//! families and staff: person documents too), and the hub's documents are
//! exactly the honest ones: lab 1's equal what the honest devices hold,
//! everything else is as it was before the attack. Insiders that send
//! valid but malicious content are the insider suite's (`tests/insider/`).
//!
//! The messages come from a seeded generator (printed, replayable with
//! `TACCUINO_HOSTILE_SEED=<seed>`) built on real frames captured from a real
//! sync between two local stores (`corpus.rs`). A new kind of hostile
//! message goes in [`Kind`] and [`make`] (`messages.rs`); a bug this suite
//! caught gets a regression test of its own in `regressions.rs`, named after
//! what it caught.

#[path = "../common/mod.rs"]
mod common;
mod corpus;
mod messages;
mod regressions;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use automerge::sync::{BloomFilter, ChunkList, Have, Message as SyncMessage, MessageVersion};
use common::{Device, Hub, Ws, assert_healthy, connect, enrol, family, init_hub, meeting, project, seed};
use crdt_sync::sync::{DeviceRole, Fatal, Frame, Grant, MAX_FRAME, PROTOCOL_VERSION, Refusal, Session};
use crdt_sync::testing::chunks::forge_checksum;
use crdt_sync::{
    CodeRange, DeviceConfig, DeviceId, DocKind, DocRef, Families, HouseholdPatch, LabId, Meetings,
    Replication, SeededEnv, Staff, Store, Targets,
};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use taccuino_hub::DataDir;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// How many hostile messages the big test sends, at least.
const MESSAGES: usize = 10_000;
/// Hostile connections open at the same time.
const WORKERS: u64 = 4;
use corpus::*;
use messages::*;

/// What one connection's reader saw from the hub.
#[derive(Default)]
pub(crate) struct Seen {
    refused: BTreeMap<String, u64>,
    /// The first `Close` frame.
    close: Option<Fatal>,
    syncs: u64,
    /// Documents shown that the device may neither read nor learn of.
    leaks: Vec<DocRef>,
    /// Frames from the hub that do not decode.
    garbage: u64,
}

/// `offered`: the documents of the connection's `Hello`, which the
/// `Catalog`'s bits name by place.
pub(crate) async fn read_all(
    mut stream: futures_util::stream::SplitStream<Ws>,
    offered: Vec<DocRef>,
    forbidden: BTreeSet<DocRef>,
) -> Seen {
    let mut seen = Seen::default();
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Binary(bytes) = msg else { continue };
        match Frame::decode(&bytes) {
            Ok(Frame::Catalog { allowed, more, .. }) => {
                let docs = crdt_sync::sync::catalog_docs(&offered, &allowed, &more);
                seen.leaks.extend(docs.into_iter().filter(|d| forbidden.contains(d)))
            }
            Ok(Frame::Sync { doc, .. }) => {
                seen.syncs += 1;
                if forbidden.contains(&doc) {
                    seen.leaks.push(doc);
                }
            }
            Ok(Frame::Refused { reason, .. }) => *seen.refused.entry(format!("{reason:?}")).or_default() += 1,
            Ok(Frame::Close { reason }) => {
                seen.close.get_or_insert(reason);
            }
            // The lab's bundle key, sent to every lab device after its `Hello`.
            Ok(Frame::BundleKey { .. }) => {}
            // The answer to a `Hello` that named sync points the hub does not share.
            Ok(Frame::Again) => {}
            Ok(Frame::Hello { .. } | Frame::Done { .. }) | Err(_) => seen.garbage += 1,
        }
    }
    seen
}

/// Counters over a whole run, and what went wrong.
#[derive(Default)]
pub(crate) struct Tally {
    sent: BTreeMap<Kind, u64>,
    refused: BTreeMap<String, u64>,
    closes: BTreeMap<String, u64>,
    connections: u64,
    unauthorized: u64,
    failures: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (k, v) in other.sent {
            *self.sent.entry(k).or_default() += v;
        }
        for (k, v) in other.refused {
            *self.refused.entry(k).or_default() += v;
        }
        for (k, v) in other.closes {
            *self.closes.entry(k).or_default() += v;
        }
        self.connections += other.connections;
        self.unauthorized += other.unauthorized;
        self.failures.extend(other.failures);
    }

    fn total(&self) -> u64 {
        self.sent.values().sum()
    }
}

pub(crate) struct Target {
    url: taccuino_sync_client::Endpoint,
    insider: String,
    intruder: String,
    corpus: Corpus,
    sent: AtomicUsize,
}

/// One connection: a credential check, or `Hello` (usually) then up to
/// eight messages that leave it open and, usually, one that may close it.
pub(crate) async fn episode(t: &Target, rng: &mut StdRng, tally: &mut Tally) {
    tally.connections += 1;
    if rng.random_ratio(1, 25) {
        let (kind, token) = if rng.random_bool(0.4) {
            (Kind::NoCredential, None)
        } else {
            let mut forged = t.insider.clone().into_bytes();
            let i = rng.random_range(0..forged.len());
            forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
            let token = if rng.random_bool(0.5) { String::from_utf8(forged).expect("hex") } else { hex(rng) };
            (Kind::WrongCredential, Some(token))
        };
        match connect(&t.url, token.as_deref()).await {
            Err(taccuino_sync_client::ClientError::Unauthorized) => tally.unauthorized += 1,
            Err(e) => tally.failures.push(format!("{kind:?}: {e}")),
            Ok(_) => tally.failures.push(format!("{kind:?}: the hub upgraded the connection")),
        }
        *tally.sent.entry(kind).or_default() += 1;
        t.sent.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let who = if rng.random_bool(0.5) { Who::Insider } else { Who::Intruder };
    let token = if who == Who::Insider { &t.insider } else { &t.intruder };
    let ws = match connect(&t.url, Some(token)).await {
        Ok(ws) => ws,
        Err(e) => {
            tally.failures.push(format!("{who:?} cannot connect: {e}"));
            return;
        }
    };
    let (mut sink, stream) = ws.split();
    let mut plan: Vec<Kind> = (0..rng.random_range(0..=8)).map(|_| pick(rng, OPEN)).collect();
    if rng.random_bool(0.85) {
        plan.push(pick(rng, CLOSING));
    }
    let greeted = rng.random_bool(0.8);
    // Offers some documents of both labs and some that do not exist.
    let mut offered: Vec<DocRef> = t.corpus.lab1.iter().chain(&t.corpus.lab2).copied().collect();
    offered.retain(|_| greeted && rng.random_bool(0.3));
    offered.extend((0..if greeted { rng.random_range(0..3) } else { 0 }).map(|_| random_doc(rng)));
    let reader = tokio::spawn(read_all(stream, offered.clone(), t.corpus.forbidden(who)));
    if greeted {
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: offered, heads: vec![], since: None };
        if sink.send(binary(&hello)).await.is_err() {
            tally.failures.push(format!("{who:?}: the hub closed before Hello"));
            return;
        }
    }
    let mut expected = None;
    for kind in plan {
        let mut hostile = make(kind, who, rng, &t.corpus);
        if kind == Kind::ExtraHello && !greeted {
            hostile.close = None; // the first Hello after all
        }
        if sink.send(hostile.msg).await.is_err() {
            break;
        }
        *tally.sent.entry(kind).or_default() += 1;
        t.sent.fetch_add(1, Ordering::Relaxed);
        expected = hostile.close;
    }
    // Ends the connection unless the hub must. (Not both: bytes the hub
    // leaves unread when it closes make its socket reset the connection,
    // which can discard its last frame before the reader sees it.)
    if expected.is_none() {
        let _ = sink.send(Message::Close(None)).await;
    }
    let seen = match tokio::time::timeout(Duration::from_secs(20), reader).await {
        Ok(Ok(seen)) => seen,
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => {
            tally.failures.push(format!("{who:?}: the hub neither answered nor closed for 20 s"));
            return;
        }
    };
    if !seen.leaks.is_empty() {
        tally.failures.push(format!("{who:?} was shown documents it may not read: {:?}", seen.leaks));
    }
    if seen.garbage > 0 {
        tally.failures.push(format!("{who:?}: {} frames from the hub do not decode", seen.garbage));
    }
    if matches!(seen.close, Some(Fatal::Storage | Fatal::Revoked)) {
        tally.failures.push(format!("{who:?}: the hub closed with {:?}", seen.close));
    }
    if let Some(want) = expected
        && seen.close != Some(want)
    {
        tally.failures.push(format!("{who:?}: expected Close {want:?}, got {:?}", seen.close));
    }
    for (k, v) in seen.refused {
        *tally.refused.entry(k).or_default() += v;
    }
    if let Some(c) = seen.close {
        *tally.closes.entry(format!("{c:?}")).or_default() += 1;
    }
}

pub(crate) fn hex(rng: &mut StdRng) -> String {
    random_bytes(rng, 32).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) async fn worker(t: Arc<Target>, seed: u64) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    while t.sent.load(Ordering::Relaxed) < MESSAGES {
        episode(&t, &mut rng, &mut tally).await;
    }
    tally
}

/// Runs a sync between two local stores to quiescence and returns every
/// A hub with a coordinator, two labs, a family in each and lab 1's two
/// honest devices.
pub(crate) struct World {
    _tmp: tempfile::TempDir,
    hub: Hub,
    coordinator: Device,
    labs: Vec<LabId>,
    honest: [Device; 2],
}

pub(crate) async fn world() -> World {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (mut coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut a = enrol(&hub, tmp.path(), "onesto-1", Some(1), "lead").await;
    let mut b = enrol(&hub, tmp.path(), "onesto-2", Some(1), "volunteer").await;
    a.sync_ok(&hub.url).await;
    for name in ["Giulia", "Ahmed"] {
        a.store.create_household(family(labs[0], name)).expect("family");
    }
    a.store.create_meeting(meeting(labs[0])).expect("meeting");
    a.sync_ok(&hub.url).await;
    b.sync_ok(&hub.url).await;
    coordinator.store.create_household(family(labs[1], "Amina")).expect("lab 2 family");
    // A staff member of each lab: person documents are in the other lab's
    // forbidden set (name, phone, e-mail).
    for (lab, name) in [(labs[0], "Marta"), (labs[1], "Rocco")] {
        let person = crdt_sync::NewPerson {
            lab,
            first_name: name.into(),
            last_name: "Galli".into(),
            role: crdt_sync::Role::Operator,
            organisation: String::new(),
            phone: "+39 0382 000000".into(),
            email: String::new(),
        };
        coordinator.store.create_person(person).expect("staff");
    }
    coordinator.sync_ok(&hub.url).await;
    World { _tmp: tmp, hub, coordinator, labs, honest: [a, b] }
}

/// Documents and heads, sorted.
pub(crate) fn heads_of(store: &mut Store) -> BTreeMap<DocRef, Vec<ChangeHash>> {
    store
        .doc_refs()
        .expect("docs")
        .into_iter()
        .map(|d| {
            let mut h = store.heads(d).expect("heads");
            h.sort();
            (d, h)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn ten_thousand_hostile_messages_change_nothing_honest() {
    let seed = seed("TACCUINO_HOSTILE_SEED");
    let started = Instant::now();
    let World { _tmp: tmp, mut hub, mut coordinator, labs, honest: [mut a, mut b] } = world().await;
    let corpus = corpus(&mut coordinator.store, &labs);
    let before = heads_of(&mut coordinator.store);
    let insider = enrol(&hub, tmp.path(), "insider", Some(1), "volunteer").await;
    let intruder = enrol(&hub, tmp.path(), "intruder", Some(2), "volunteer").await;

    // Frames over the size limit: the hub drops the connection, nothing more.
    let oversized = [MAX_FRAME + 1, MAX_FRAME + 4096, 2 * MAX_FRAME];
    for n in oversized {
        let mut ws = connect(&hub.url, Some(&insider.enrolled.token)).await.expect("connect");
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
        ws.send(binary(&hello)).await.expect("hello");
        let _ = ws.send(Message::Binary(vec![0u8; n].into())).await;
        let mut frames_after = 0;
        loop {
            match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub ends it") {
                Some(Ok(Message::Binary(b))) => {
                    let answer = Frame::decode(&b);
                    if !matches!(
                        answer,
                        Ok(Frame::Catalog { .. } | Frame::Sync { .. } | Frame::BundleKey { .. })
                    ) {
                        frames_after += 1;
                    }
                }
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break,
            }
        }
        assert_eq!(frames_after, 0, "an oversized frame of {n} bytes is only dropped");
    }

    let target = Arc::new(Target {
        url: hub.url.clone(),
        insider: insider.enrolled.token.clone(),
        intruder: intruder.enrolled.token.clone(),
        corpus,
        sent: AtomicUsize::new(0),
    });
    let workers: Vec<_> =
        (0..WORKERS).map(|i| tokio::spawn(worker(target.clone(), seed.wrapping_add(i)))).collect();

    // Meanwhile the honest devices work and sync, and must always succeed.
    let mut honest_syncs = 0;
    let mut recorded = 0;
    while !workers.iter().all(|w| w.is_finished()) {
        // A guard against a hang, far above the few seconds this takes.
        assert!(started.elapsed() < Duration::from_secs(300), "the hostile run hangs");
        let m = a.store.create_meeting(meeting(labs[0])).expect("meeting");
        recorded += 1;
        for d in [&mut a, &mut b] {
            match d.sync(&hub.url).await {
                Ok(r) => assert!(r.refused.is_empty(), "{}: refused {:?}", d.name, r.refused),
                Err(e) => {
                    panic!("{} could not sync during the attack: {e}\n{}", d.name, common::tail(&hub.log()))
                }
            }
        }
        b.store.meeting(m).expect("the meeting reached the other device");
        honest_syncs += 2;
    }
    let mut tally = Tally::default();
    for w in workers {
        match w.await {
            Ok(t) => tally.merge(t),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    println!(
        "{} hostile messages (+{} oversized) on {} connections in {:?}; {honest_syncs} honest syncs, {recorded} meetings",
        tally.total(),
        oversized.len(),
        tally.connections,
        started.elapsed()
    );
    println!("sent: {:?}", tally.sent);
    println!("refused: {:?}; closed: {:?}; 401: {}", tally.refused, tally.closes, tally.unauthorized);
    assert!(
        tally.failures.is_empty(),
        "{} failures, first: {:#?}",
        tally.failures.len(),
        &tally.failures[..tally.failures.len().min(10)]
    );
    assert!(tally.total() as usize >= MESSAGES);
    assert!(honest_syncs >= 4, "the honest devices synced throughout");
    for reason in ["NotAllowed", "ReadOnly", "BadBytes"] {
        assert!(tally.refused.get(reason).is_some_and(|n| *n > 0), "no {reason} refusal");
    }
    for reason in ["Protocol", "Version"] {
        assert!(tally.closes.get(reason).is_some_and(|n| *n > 0), "no {reason} close");
    }
    assert!(tally.unauthorized > 0);

    // The hub is alive and well.
    assert!(hub.alive(), "the hub process is running");
    assert_healthy(&hub.url).await;
    hub.assert_no_uncaught_panics();

    // Its documents are the honest ones: lab 1's as the honest devices hold
    // them, everything else as before, nothing new.
    a.sync_ok(&hub.url).await;
    b.sync_ok(&hub.url).await;
    coordinator.sync_ok(&hub.url).await;
    hub.kill();
    let mut register = DataDir::new(&hub.dir).open_store().expect("the hub's register");
    let after = heads_of(&mut register);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "no document appeared or went"
    );
    let lab1 = DocRef::lab(labs[0]);
    let project = DocRef::project(register.project());
    for (doc, heads) in &after {
        if *doc == project {
            // The hub records each device that connects in the project's
            // device directory: those changes, and only those, are new.
            let saved = register.export_doc(project).expect("export");
            let doc = automerge::Automerge::load(&saved).expect("load");
            for change in doc.get_changes(&before[&project]) {
                let author = crdt_sync::authz::authors::device_of(change.actor_id());
                assert_eq!(author, Some(register.device()), "a change to the project not by the hub");
            }
        } else if *doc != lab1 {
            assert_eq!(heads, &before[doc], "{doc} is unchanged");
        }
    }
    let docs = a.store.doc_refs().expect("docs");
    let fingerprint = register.fingerprint(&docs).expect("fingerprint");
    assert_eq!(a.store.fingerprint(&docs).expect("fingerprint"), fingerprint);
    assert_eq!(b.store.fingerprint(&docs).expect("fingerprint"), fingerprint);
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
    assert_eq!(
        register.meetings(labs[0], from, to).expect("meetings").len(),
        1 + recorded,
        "only honest meetings"
    );
    assert_eq!(register.meetings(labs[1], from, to).expect("meetings").len(), 0, "lab 2 untouched");
}
