//! Hostile input against a running hub: at least 10,000 generated
//! malformed, truncated, oversized and unauthorised messages, from devices
//! enrolled like any other (a volunteer of the honest lab, an "insider", and
//! one of another lab, an "intruder") and from clients with no or a wrong
//! credential. Meanwhile two honest devices of lab 1 keep recording meetings
//! and syncing, and must succeed every time. At the end the hub is alive,
//! `/health` answers `ok`, its log shows no uncaught panic, no device was
//! ever shown a document it may not read, and the hub's documents are
//! exactly the honest ones: lab 1's equal what the honest devices hold,
//! everything else is as it was before the attack.
//!
//! The messages come from a seeded generator (printed, replayable with
//! `TACCUINO_HOSTILE_SEED=<seed>`) built on real frames captured from a real
//! sync between two local stores. A new kind of hostile message goes in
//! [`Kind`] and [`make`]; a bug this suite caught gets a regression test of
//! its own at the end of the file, named after what it caught.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use automerge::sync::{BloomFilter, ChunkList, Have, Message as SyncMessage, MessageVersion};
use common::{Device, Hub, Ws, assert_healthy, connect, enrol, family, init_hub, meeting, project, seed};
use crdt_sync::sync::{DeviceRole, Fatal, Frame, Grant, MAX_FRAME, PROTOCOL_VERSION, Refusal, Session};
use crdt_sync::{
    CodeRange, DeviceConfig, DeviceId, DocKind, DocRef, HouseholdPatch, LabId, SeededEnv, Store, Targets,
};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use taccuino_hub::DataDir;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// How many hostile messages the big test sends, at least.
const MESSAGES: usize = 10_000;
/// Hostile connections open at the same time.
const WORKERS: u64 = 4;
/// Every automerge chunk starts with these bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// The kinds of hostile message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Random bytes as a binary frame.
    RandomBytes,
    /// A real frame cut short.
    Truncated,
    /// A real frame with a few bits flipped.
    BitFlipped,
    /// A well-formed `Sync` frame whose automerge changes are damaged
    /// (with the chunk checksum forged to match, when sent by the intruder).
    CorruptChanges,
    /// A well-formed `Sync` frame whose automerge message carries Bloom
    /// filters automerge never sends (no bits, huge probe counts, hundreds).
    BrokenBloom,
    /// A valid `Sync` frame for a document of the other lab.
    OtherLab,
    /// A `Sync` frame for a document that does not exist.
    UnknownDoc,
    /// Valid new changes to the project document, which only coordinators write.
    ReadOnlyWrite,
    /// A frame only the hub sends (`Catalog`, `Refused`), or `Close`.
    OutOfOrder,
    /// `Hello` with another protocol version.
    WrongVersion,
    /// `Hello` again (after the first, a protocol error).
    ExtraHello,
    /// A text frame.
    Text,
    /// A connection without a credential.
    NoCredential,
    /// A connection with an unknown credential.
    WrongCredential,
}

/// Kinds after which the connection stays open.
const OPEN: &[(Kind, u32)] = &[
    (Kind::CorruptChanges, 6),
    (Kind::BrokenBloom, 2),
    (Kind::OtherLab, 6),
    (Kind::UnknownDoc, 2),
    (Kind::ReadOnlyWrite, 2),
];
/// Kinds after which the hub may (or must) close the connection.
const CLOSING: &[(Kind, u32)] = &[
    (Kind::RandomBytes, 5),
    (Kind::Truncated, 4),
    (Kind::BitFlipped, 4),
    (Kind::OutOfOrder, 1),
    (Kind::WrongVersion, 1),
    (Kind::ExtraHello, 1),
    (Kind::Text, 1),
];

fn pick(rng: &mut StdRng, table: &[(Kind, u32)]) -> Kind {
    table.choose_weighted(rng, |(_, w)| *w).map(|(k, _)| *k).expect("weights")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// A volunteer of lab 1 (the honest lab): may write lab 1's documents,
    /// so sends nothing that carries valid changes the hub lacks.
    Insider,
    /// A volunteer of lab 2: sends anything, including valid new changes
    /// to lab 1's documents.
    Intruder,
}

/// Real frames, captured from syncs between local stores, to build on.
struct Corpus {
    /// Both directions of a first sync of a fresh lab-1 device: everything
    /// in them is already at the hub.
    honest: Vec<Frame>,
    /// `Sync` frames carrying changes the hub lacks, to lab 1's documents.
    forged_lab: Vec<Frame>,
    /// `Sync` frames carrying changes the hub lacks, to the project document.
    forged_project: Vec<Frame>,
    /// The hub's heads of its documents, as a captured message gave them.
    heads: Vec<ChangeHash>,
    project: DocRef,
    training: DocRef,
    lab1: Vec<DocRef>,
    lab2: Vec<DocRef>,
}

impl Corpus {
    /// Frames `who` may send mutated: for the insider only those whose
    /// changes the hub already has.
    fn frames(&self, who: Who, rng: &mut StdRng) -> &Frame {
        let pools: &[&Vec<Frame>] = match who {
            Who::Insider => &[&self.honest],
            Who::Intruder => &[&self.honest, &self.forged_lab, &self.forged_project],
        };
        pools.choose(rng).and_then(|p| p.choose(rng)).expect("frames")
    }

    /// A `Sync` frame with changes that `who` may send damaged.
    fn with_changes(&self, who: Who, rng: &mut StdRng) -> (DocRef, Vec<u8>) {
        let pool: Vec<&Frame> = match who {
            Who::Insider => self.honest.iter().collect(),
            Who::Intruder => self.honest.iter().chain(&self.forged_lab).chain(&self.forged_project).collect(),
        };
        let with: Vec<(DocRef, &Vec<u8>)> = pool
            .into_iter()
            .filter_map(|f| match f {
                Frame::Sync { doc, message } if has_changes(message) => Some((*doc, message)),
                _ => None,
            })
            .collect();
        let (doc, message) = with.choose(rng).expect("frames with changes");
        (*doc, (*message).clone())
    }

    /// Any captured automerge message.
    fn message(&self, rng: &mut StdRng) -> Vec<u8> {
        let all: Vec<&Vec<u8>> = self
            .honest
            .iter()
            .filter_map(|f| if let Frame::Sync { message, .. } = f { Some(message) } else { None })
            .collect();
        (*all.choose(rng).expect("messages")).clone()
    }

    /// Documents `who` may read.
    fn readable(&self, who: Who) -> BTreeSet<DocRef> {
        let own = if who == Who::Insider { &self.lab1 } else { &self.lab2 };
        own.iter().copied().chain([self.project, self.training]).collect()
    }

    /// Documents the hub holds that `who` may neither read nor learn of. (A
    /// document the hub does not hold gives nothing away: the hub may echo
    /// one that a device offered, as an empty document to sync.)
    fn forbidden(&self, who: Who) -> BTreeSet<DocRef> {
        self.foreign(who).iter().copied().collect()
    }

    /// Documents of the lab that is not `who`'s.
    fn foreign(&self, who: Who) -> &[DocRef] {
        if who == Who::Insider { &self.lab2 } else { &self.lab1 }
    }
}

fn has_changes(message: &[u8]) -> bool {
    SyncMessage::decode(message).is_ok_and(|m| !m.changes.is_empty())
}

fn random_bytes(rng: &mut StdRng, n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rng.fill_bytes(&mut b);
    b
}

fn random_doc(rng: &mut StdRng) -> DocRef {
    let id = Uuid::from_u128(rng.random());
    match rng.random_range(0..5) {
        0 => DocRef::lab(LabId(id)),
        1 => DocRef::household(crdt_sync::HouseholdId(id)),
        2 => DocRef::person(crdt_sync::PersonId(id)),
        3 => DocRef::project(crdt_sync::ProjectId(id)),
        _ => DocRef::training(crdt_sync::ProjectId(id)),
    }
}

/// Gives a chunk the checksum that matches its content, as a hostile peer could.
fn forge_checksum(bytes: &mut [u8]) {
    if bytes.len() > 8 && bytes[..4] == MAGIC {
        let hash = Sha256::digest(&bytes[8..]);
        bytes[4..8].copy_from_slice(&hash[..4]);
    }
}

/// Damages one change chunk of `message`.
fn corrupt(message: &[u8], rng: &mut StdRng, forge: bool) -> Vec<u8> {
    let mut m = SyncMessage::decode(message).expect("a captured message decodes");
    let mut chunks: Vec<Vec<u8>> = m.changes.iter().map(<[u8]>::to_vec).collect();
    let i = rng.random_range(0..chunks.len());
    let c = &mut chunks[i];
    match rng.random_range(0..4) {
        0 => {
            for _ in 0..rng.random_range(1..=4) {
                let bit = rng.random_range(64..c.len().max(9) * 8);
                if let Some(b) = c.get_mut(bit / 8) {
                    *b ^= 1 << (bit % 8);
                }
            }
        }
        1 => c.truncate(rng.random_range(0..c.len())),
        2 => {
            let n = rng.random_range(1..64);
            c.extend(random_bytes(rng, n));
        }
        _ => {
            let n = rng.random_range(8..c.len().max(9));
            let body = random_bytes(rng, n);
            c.truncate(8);
            c.extend(body);
        }
    }
    if forge {
        forge_checksum(c);
    }
    m.changes = ChunkList::from(chunks);
    m.encode()
}

/// A sync message whose `have` no automerge sends.
fn broken_bloom(rng: &mut StdRng, heads: Vec<ChangeHash>) -> Vec<u8> {
    let bloom = |bytes: &[u8]| BloomFilter::try_from(bytes).expect("bloom bytes");
    let have = |b: BloomFilter| Have { last_sync: vec![], bloom: b };
    let haves = match rng.random_range(0..4) {
        // One entry, no bits: every probe is `% 0`.
        0 => vec![have(bloom(&[1, 0, 7]))],
        1 => vec![have(bloom(&[1, 0, 0]))],
        // 65,536 probes per hash, each allocated.
        2 => vec![have(bloom(&[1, 10, 0x80, 0x80, 0x04, 0xff, 0xff]))],
        // Hundreds of filters: each one is tried against every change.
        _ => (0..300).map(|_| have(bloom(&[1, 10, 7, 0xff, 0xff]))).collect(),
    };
    SyncMessage {
        heads,
        need: vec![],
        have: haves,
        changes: ChunkList::empty(),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// One hostile message: what to send, and how the hub must end the
/// connection after it, if that is certain.
struct Hostile {
    msg: Message,
    close: Option<Fatal>,
}

fn binary(frame: &Frame) -> Message {
    Message::Binary(frame.encode().into())
}

/// Builds a message of `kind` for `who`.
fn make(kind: Kind, who: Who, rng: &mut StdRng, c: &Corpus) -> Hostile {
    let open = |msg| Hostile { msg, close: None };
    match kind {
        Kind::RandomBytes => {
            let n =
                if rng.random_bool(0.9) { rng.random_range(0..256) } else { rng.random_range(0..64 * 1024) };
            let mut b = random_bytes(rng, n);
            if let Some(first) = b.first_mut() {
                // Mostly a valid variant tag, to get past the first byte.
                if rng.random_bool(0.7) {
                    *first = rng.random_range(0..5);
                }
            }
            open(Message::Binary(b.into()))
        }
        Kind::Truncated => {
            let b = c.frames(who, rng).encode();
            let n = rng.random_range(0..b.len().max(1));
            open(Message::Binary(b[..n].to_vec().into()))
        }
        Kind::BitFlipped => {
            let mut b = c.frames(who, rng).encode();
            for _ in 0..rng.random_range(1..=8) {
                let bit = rng.random_range(0..b.len() * 8);
                b[bit / 8] ^= 1 << (bit % 8);
            }
            open(Message::Binary(b.into()))
        }
        Kind::CorruptChanges => {
            let (doc, message) = c.with_changes(who, rng);
            let message = corrupt(&message, rng, who == Who::Intruder);
            open(binary(&Frame::Sync { doc, message }))
        }
        Kind::BrokenBloom => {
            let docs: Vec<DocRef> = c.readable(who).into_iter().collect();
            let doc = *docs.choose(rng).expect("docs");
            open(binary(&Frame::Sync { doc, message: broken_bloom(rng, c.heads.clone()) }))
        }
        Kind::OtherLab => match who {
            // Valid frames, some with valid new changes, for lab 1's documents.
            Who::Intruder => {
                let pool: Vec<&Frame> = c
                    .honest
                    .iter()
                    .chain(&c.forged_lab)
                    .filter(|f| matches!(f, Frame::Sync { doc, .. } if c.lab1.contains(doc)))
                    .collect();
                open(binary(pool.choose(rng).expect("lab 1 frames")))
            }
            Who::Insider => {
                let doc = *c.foreign(who).choose(rng).expect("lab 2 docs");
                open(binary(&Frame::Sync { doc, message: c.message(rng) }))
            }
        },
        Kind::UnknownDoc => open(binary(&Frame::Sync { doc: random_doc(rng), message: c.message(rng) })),
        Kind::ReadOnlyWrite => open(binary(c.forged_project.choose(rng).expect("project frames"))),
        Kind::OutOfOrder => match rng.random_range(0..3) {
            0 => Hostile {
                msg: binary(&Frame::Catalog {
                    allowed: vec![0xff],
                    same: vec![0xff],
                    more: (0..rng.random_range(0..4)).map(|_| random_doc(rng)).collect(),
                }),
                close: Some(Fatal::Protocol),
            },
            1 => Hostile {
                msg: binary(&Frame::Refused { doc: random_doc(rng), reason: Refusal::NotAllowed }),
                close: Some(Fatal::Protocol),
            },
            // The device says goodbye: the hub just ends the connection.
            _ => open(binary(&Frame::Close { reason: Fatal::Protocol })),
        },
        Kind::WrongVersion => {
            let version = loop {
                let v = rng.random::<u16>();
                if v != PROTOCOL_VERSION {
                    break v;
                }
            };
            Hostile {
                msg: binary(&Frame::Hello { version, docs: vec![], heads: vec![] }),
                close: Some(Fatal::Version),
            }
        }
        Kind::ExtraHello => {
            let docs = (0..rng.random_range(0..4)).map(|_| random_doc(rng)).collect();
            Hostile {
                msg: binary(&Frame::Hello { version: PROTOCOL_VERSION, docs, heads: vec![] }),
                close: Some(Fatal::Protocol),
            }
        }
        Kind::Text => {
            let n = rng.random_range(0..200);
            let text: String = (0..n).map(|_| char::from(rng.random_range(32u8..127))).collect();
            Hostile { msg: Message::Text(text.into()), close: Some(Fatal::Protocol) }
        }
        Kind::NoCredential | Kind::WrongCredential => unreachable!("not a frame"),
    }
}

/// What one connection's reader saw from the hub.
#[derive(Default)]
struct Seen {
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
async fn read_all(
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
            Ok(Frame::Hello { .. }) | Err(_) => seen.garbage += 1,
        }
    }
    seen
}

/// Counters over a whole run, and what went wrong.
#[derive(Default)]
struct Tally {
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

struct Target {
    url: taccuino_sync_client::Endpoint,
    insider: String,
    intruder: String,
    corpus: Corpus,
    sent: AtomicUsize,
}

/// One connection: a credential check, or `Hello` (usually) then up to
/// eight messages that leave it open and, usually, one that may close it.
async fn episode(t: &Target, rng: &mut StdRng, tally: &mut Tally) {
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
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: offered, heads: vec![] };
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

fn hex(rng: &mut StdRng) -> String {
    random_bytes(rng, 32).iter().map(|b| format!("{b:02x}")).collect()
}

async fn worker(t: Arc<Target>, seed: u64) -> Tally {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    while t.sent.load(Ordering::Relaxed) < MESSAGES {
        episode(&t, &mut rng, &mut tally).await;
    }
    tally
}

/// Runs a sync between two local stores to quiescence and returns every
/// frame that crossed (each after a round trip through its bytes).
fn capture(hub: &mut Store, grant: Grant, device: &mut Store) -> Vec<Frame> {
    let mut hub_session = Session::hub(grant);
    let mut device_session = Session::device();
    let mut log = Vec::new();
    let mut to_hub = vec![device_session.hello(device).expect("hello")];
    while !to_hub.is_empty() {
        assert!(log.len() < 10_000, "the local sync does not settle");
        let mut to_device = Vec::new();
        for f in to_hub.drain(..) {
            let f = Frame::decode(&f.encode()).expect("wire");
            log.push(f.clone());
            to_device.extend(hub_session.receive(hub, f).expect("hub side"));
        }
        for f in to_device {
            let f = Frame::decode(&f.encode()).expect("wire");
            log.push(f.clone());
            to_hub.extend(device_session.receive(device, f).expect("device side"));
        }
        to_hub.extend(device_session.outgoing(device).expect("outgoing"));
    }
    log
}

/// A local store holding copies of `docs` from `from`.
fn copy(from: &mut Store, docs: &[DocRef], n: u128) -> Store {
    let first = 900_000 + 1000 * n as u32;
    let config = DeviceConfig {
        device: DeviceId(Uuid::from_u128(0x5eed_0000 + n)),
        project: from.project(),
        codes: CodeRange::new(first, first + 999).expect("range"),
    };
    let mut to = Store::in_memory(config, Box::new(SeededEnv::with_seed(n as u64))).expect("local store");
    for d in docs {
        let bytes = from.export_doc(*d).expect("export");
        to.apply_bytes(*d, &bytes).expect("copy");
    }
    to
}

/// Builds the corpus from the coordinator's register (which holds everything).
fn corpus(coordinator: &mut Store, labs: &[LabId]) -> Corpus {
    let all = coordinator.doc_refs().expect("docs");
    let p = coordinator.project();
    let of = |lab: LabId, store: &mut Store| -> Vec<DocRef> {
        let mut docs = vec![DocRef::lab(lab)];
        for d in store.doc_refs().expect("docs") {
            if d.kind == DocKind::Household
                && store.household(crdt_sync::HouseholdId(d.id)).expect("family").lab == lab
            {
                docs.push(d);
            }
        }
        docs
    };
    let lab1 = of(labs[0], coordinator);
    let lab2 = of(labs[1], coordinator);
    let volunteer = Grant { role: DeviceRole::Volunteer, lab: Some(labs[0]) };

    // A fresh lab-1 device's first sync against a copy of the hub.
    let mut mirror = copy(coordinator, &all, 1);
    let mut fresh = copy(coordinator, &[], 2);
    let honest = capture(&mut mirror, volunteer, &mut fresh);
    let heads = honest
        .iter()
        .find_map(|f| match f {
            Frame::Sync { doc, message } if *doc == DocRef::lab(labs[0]) => {
                SyncMessage::decode(message).ok().map(|m| m.heads).filter(|h| !h.is_empty())
            }
            _ => None,
        })
        .expect("the hub's heads of lab 1");

    // A copy that makes changes the hub does not have, synced as a coordinator.
    let mut forger = copy(coordinator, &all, 3);
    forger.create_meeting(meeting(labs[0])).expect("forged meeting");
    forger.create_household(family(labs[0], "Falso")).expect("forged family");
    let h = lab1.iter().find(|d| d.kind == DocKind::Household).expect("a lab 1 family");
    let patch = HouseholdPatch { areas: Some(BTreeSet::new()), ..HouseholdPatch::default() };
    forger.update_household(crdt_sync::HouseholdId(h.id), patch).expect("forged edit");
    forger.set_targets(Targets { families: 1, ..Targets::default() }).expect("forged targets");
    let mut mirror = copy(coordinator, &all, 4);
    let coordinator_grant = Grant { role: DeviceRole::Coordinator, lab: None };
    let forged: Vec<Frame> = capture(&mut mirror, coordinator_grant, &mut forger)
        .into_iter()
        .filter(|f| matches!(f, Frame::Sync { message, .. } if has_changes(message)))
        .collect();
    let (forged_project, forged_lab): (Vec<Frame>, Vec<Frame>) =
        forged.into_iter().partition(|f| matches!(f, Frame::Sync { doc, .. } if *doc == DocRef::project(p)));
    assert!(!forged_project.is_empty() && forged_lab.len() >= 2, "forged frames were captured");
    Corpus {
        honest,
        forged_lab,
        forged_project,
        heads,
        project: DocRef::project(p),
        training: DocRef::training(p),
        lab1,
        lab2,
    }
}

/// A hub with a coordinator, two labs, a family in each and lab 1's two
/// honest devices.
struct World {
    _tmp: tempfile::TempDir,
    hub: Hub,
    coordinator: Device,
    labs: Vec<LabId>,
    honest: [Device; 2],
}

async fn world() -> World {
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
    coordinator.sync_ok(&hub.url).await;
    World { _tmp: tmp, hub, coordinator, labs, honest: [a, b] }
}

/// Documents and heads, sorted.
fn heads_of(store: &mut Store) -> BTreeMap<DocRef, Vec<ChangeHash>> {
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
async fn ten_thousand_hostile_messages_change_nothing_honest() {
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
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![] };
        ws.send(binary(&hello)).await.expect("hello");
        let _ = ws.send(Message::Binary(vec![0u8; n].into())).await;
        let mut frames_after = 0;
        loop {
            match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub ends it") {
                Some(Ok(Message::Binary(b))) => {
                    if !matches!(Frame::decode(&b), Ok(Frame::Catalog { .. } | Frame::Sync { .. })) {
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
    for (doc, heads) in &after {
        if *doc != lab1 {
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

// ---- regression tests: one per bug this suite caught ----------------------

/// A Bloom filter with entries but no bits made automerge divide by zero
/// while the hub held its store: the panic poisoned the store's lock and
/// every later sync, of every device, failed with a storage error. Filters
/// that automerge never sends (no bits, huge probe counts, hundreds of them)
/// are now refused as bad bytes, and the hub keeps syncing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bloom_filter_without_bits_is_refused_and_the_hub_keeps_syncing() {
    let World { _tmp, hub, labs, honest: [mut a, mut b], .. } = world().await;
    let lab = DocRef::lab(labs[0]);
    let heads = a.store.heads(lab).expect("heads");
    let filters: [&[u8]; 4] =
        [&[1, 0, 7], &[1, 0, 0], &[1, 10, 0x80, 0x80, 0x04, 0xff, 0xff], &[1, 10, 0, 0xff, 0xff]];
    for filter in filters {
        let have = Have { last_sync: vec![], bloom: BloomFilter::try_from(filter).expect("bloom") };
        let message = SyncMessage {
            heads: heads.clone(),
            need: vec![],
            have: vec![have],
            changes: ChunkList::empty(),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode();
        let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![] };
        let got =
            common::answers(&mut ws, &[hello, Frame::Sync { doc: lab, message }], DocRef::lab(labs[1])).await;
        assert!(
            got.contains(&Frame::Refused { doc: lab, reason: Refusal::BadBytes }),
            "filter {filter:?}: {got:?}"
        );
        // Honest work goes on.
        let m = a.store.create_meeting(meeting(labs[0])).expect("meeting");
        a.sync_ok(&hub.url).await;
        b.sync_ok(&hub.url).await;
        b.store.meeting(m).expect("the meeting reached the other device");
    }
    hub.assert_no_uncaught_panics();
}

/// A device that offered a household the hub did not hold got no answer at
/// all for it, while one of another lab's households got `NotAllowed`: the
/// difference told a device of lab 1 which ids are families of other labs.
/// And a device holding a household its lab does not list waited for that
/// answer until it gave up (30 s). Now both are answered `NotListed`, and
/// the sync ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offered_household_of_another_lab_is_answered_like_an_unknown_one() {
    let World { _tmp, hub, coordinator, labs, honest: [mut a, _], .. } = world().await;
    let theirs = coordinator.store.search_households("amina", 1).expect("search")[0].id;
    let unknown = crdt_sync::HouseholdId(Uuid::from_u128(0xdead_beef));
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let offered = vec![DocRef::household(theirs), DocRef::household(unknown)];
    let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: offered.clone(), heads: vec![] };
    let got = common::answers(&mut ws, &[hello], DocRef::lab(labs[1])).await;
    let about = |h: crdt_sync::HouseholdId| -> Vec<String> {
        got.iter()
            .filter_map(|f| match f {
                Frame::Catalog { allowed, more, .. }
                    if crdt_sync::sync::catalog_docs(&offered, allowed, more)
                        .contains(&DocRef::household(h)) =>
                {
                    Some("catalog".to_owned())
                }
                Frame::Sync { doc, .. } if *doc == DocRef::household(h) => Some("sync".to_owned()),
                Frame::Refused { doc, reason } if *doc == DocRef::household(h) => Some(format!("{reason:?}")),
                _ => None,
            })
            .collect()
    };
    assert_eq!(about(theirs), about(unknown), "the answers tell the two apart: {got:?}");
    assert_eq!(about(unknown), ["NotListed"]);

    // A device that holds a family its lab does not list (its document came
    // alone) syncs to the end, told why that family was not synced.
    let docs = a.store.doc_refs().expect("docs");
    let mut elsewhere = copy(&mut a.store, &docs, 7);
    let orphan = elsewhere.create_household(family(labs[0], "Orfana")).expect("family");
    let bytes = elsewhere.export_doc(DocRef::household(orphan)).expect("export");
    a.store.apply_bytes(DocRef::household(orphan), &bytes).expect("the document alone");
    let report = tokio::time::timeout(Duration::from_secs(10), a.sync(&hub.url))
        .await
        .expect("the sync ends")
        .expect("the sync succeeds");
    assert_eq!(report.refused.get(&DocRef::household(orphan)), Some(&Refusal::NotListed));
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
}

/// The hub logged refusals from the session's map of refused documents,
/// skipping as many as it had logged before, in the map's order (by
/// document, not by time), and that map holds only `ReadOnly` and
/// `BadBytes`: documents refused as not allowed or not listed were never
/// logged, and a later refusal could be logged under another document's
/// name. Every `Refused` the hub sends is now logged with device, document
/// and reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_is_logged_with_device_and_document() {
    let World { _tmp, hub, coordinator, labs, honest: [a, _], .. } = world().await;
    let theirs = DocRef::household(coordinator.store.search_households("amina", 1).expect("search")[0].id);
    let unknown = DocRef::household(crdt_sync::HouseholdId(Uuid::from_u128(0xbad)));
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let hello =
        Frame::Hello { version: PROTOCOL_VERSION, docs: vec![DocRef::lab(labs[1]), unknown], heads: vec![] };
    let message = SyncMessage {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: ChunkList::from(vec![vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0]]),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode();
    let lab = DocRef::lab(labs[0]);
    let frames = [hello, Frame::Sync { doc: theirs, message: vec![] }, Frame::Sync { doc: lab, message }];
    let got =
        common::answers(&mut ws, &frames, DocRef::person(crdt_sync::PersonId(Uuid::from_u128(0xfee)))).await;
    let refused: Vec<(DocRef, Refusal)> = got
        .iter()
        .filter_map(|f| if let Frame::Refused { doc, reason } = f { Some((*doc, *reason)) } else { None })
        .collect();
    assert_eq!(
        refused,
        [
            (DocRef::lab(labs[1]), Refusal::NotAllowed),
            (unknown, Refusal::NotListed),
            (theirs, Refusal::NotAllowed),
            (lab, Refusal::BadBytes)
        ]
    );
    let log = hub.log();
    let device = a.enrolled.device.to_string();
    for (doc, reason) in refused {
        let (doc, reason) = (doc.to_string(), format!("{reason:?}"));
        assert!(
            log.lines().any(|l| l.contains("refused")
                && l.contains(&device)
                && l.contains(&doc)
                && l.contains(&reason)),
            "no log line for {doc} refused {reason}:\n{}",
            common::tail(&log)
        );
    }
}

/// The first frame the hub sends, or the end of the connection (`None`),
/// ignoring `Catalog` and `Sync`.
async fn first_close(ws: &mut Ws) -> Option<Fatal> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub answers") {
            Some(Ok(Message::Binary(b))) => match Frame::decode(&b).expect("the hub's frames decode") {
                Frame::Close { reason } => return Some(reason),
                Frame::Catalog { .. } | Frame::Sync { .. } => {}
                other => panic!("unexpected {other:?}"),
            },
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return None,
        }
    }
}

/// A device could make the hub decide about any number of documents, as
/// often as it liked, while holding the store that every other device
/// waits for: a `Hello` offering 100,000 documents held it for over a
/// second (debug build), and nothing stopped a device from sending `Hello`
/// again and again. Now a session has one `Hello`, of at most 50,000
/// documents; anything more is a protocol error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_or_oversized_hello_is_a_protocol_error() {
    let World { _tmp, hub, honest: [mut a, _], .. } = world().await;
    let docs: Vec<DocRef> =
        (0..50_001u128).map(|i| DocRef::household(crdt_sync::HouseholdId(Uuid::from_u128(i + 1)))).collect();
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    ws.send(binary(&Frame::Hello { version: PROTOCOL_VERSION, docs, heads: vec![] })).await.expect("send");
    assert_eq!(first_close(&mut ws).await, Some(Fatal::Protocol), "an oversized Hello");

    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![] };
    ws.send(binary(&hello)).await.expect("send");
    ws.send(binary(&hello)).await.expect("send");
    assert_eq!(first_close(&mut ws).await, Some(Fatal::Protocol), "a second Hello");

    a.sync_ok(&hub.url).await;
}
