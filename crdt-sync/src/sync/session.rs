//! One connection's sync, on either side, as a state machine: frames in,
//! frames out, no I/O. A driver (the hub's WebSocket handler, the app's
//! client) moves the frames.

use std::collections::{BTreeMap, BTreeSet};

use automerge::sync::{self, Message};

use super::wire::{Fatal, Frame, PROTOCOL_VERSION, Refusal, bit, bits, heads_digest, set_bit};
use crate::authz::authors::AuthorCheck;
use crate::authz::{Access, DeviceRole, Grant, WriteCheck, access};
use crate::doc::{DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::DeviceId;
use crate::ids::HouseholdId;
use crate::store::Erasure;
use crate::store::Replication;
use crate::store::SyncMemory;
use crate::store::{Applied, Store};
use crate::sync_points::{Peer, SyncPoints};

/// Which end of the connection this session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Device,
    /// The hub, serving the device with this id and grant.
    Hub(DeviceId, Grant),
}

/// Counters a driver can show as progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames received.
    pub frames_in: u64,
    /// Frames sent.
    pub frames_out: u64,
    /// Sync-message bytes received.
    pub bytes_in: u64,
    /// Sync-message bytes sent.
    pub bytes_out: u64,
    /// Documents whose changes were stored.
    pub docs_changed: u64,
}

/// The sync of one connection.
#[derive(Debug)]
pub struct Session {
    side: Side,
    states: BTreeMap<DocRef, sync::State>,
    /// Documents being synced in this session.
    active: BTreeSet<DocRef>,
    /// Hub: new households the device offered that its lab does not list yet.
    unlisted: BTreeSet<DocRef>,
    /// Documents refused, with the reason (shown to the user on a device).
    refused: BTreeMap<DocRef, Refusal>,
    closed: Option<Fatal>,
    /// Hub: whether the device sent its `Hello`.
    greeted: bool,
    /// Device: the heads digest of each document offered in `Hello`.
    offered: BTreeMap<DocRef, u64>,
    /// Device: the documents of `Hello`, in order: a `Catalog`'s bits
    /// name them by place.
    hello: Vec<DocRef>,
    /// Device: documents the hub said are at the heads offered, so nothing
    /// was exchanged for them.
    in_step: BTreeSet<DocRef>,
    /// The sync points this session started from (decision 0023): on the
    /// device, those its `Hello` was computed against; on the hub, its own
    /// for this device when their digest was the one the `Hello` named.
    /// Empty in a full sync.
    base: SyncPoints,
    /// Hub: the documents it answered as in step, with its heads then (the
    /// device's, since their digests were equal).
    same_at_hello: BTreeMap<DocRef, Vec<automerge::ChangeHash>>,
    /// Hub: documents the `Hello` or the points named that the device may
    /// not sync (answered `Erased` or `NotAllowed`).
    denied: BTreeSet<DocRef>,
    /// Hub: whether it asked for a full `Hello` (once per session).
    asked_again: bool,
    /// Whether the device sent `Done` (hub), or this session made it (device).
    finished: bool,
    /// Device: the messages that go right after the `Hello`.
    pending: Vec<Frame>,
    /// Device: whether the hub answered the `Hello` (its `Catalog`).
    answered: bool,
    /// Device: documents the hub listed that this store does not hold. The
    /// hub sends each whole in its first message (it knows the device has
    /// none of it); the device says nothing about one until that message
    /// arrives, since a message naming no heads would make the hub send the
    /// whole document again.
    awaiting: BTreeSet<DocRef>,
    stats: Stats,
}

/// Hub: the most documents a device may offer in its `Hello`. Each costs the
/// hub a look-up while it holds its store (100,000 took over a second in a
/// debug build); a coordinator's device of a five-year deployment holds a
/// few thousand.
const MAX_OFFERED: usize = 50_000;

impl Session {
    fn new(side: Side) -> Self {
        Session {
            side,
            states: BTreeMap::new(),
            active: BTreeSet::new(),
            unlisted: BTreeSet::new(),
            refused: BTreeMap::new(),
            closed: None,
            greeted: false,
            offered: BTreeMap::new(),
            hello: Vec::new(),
            in_step: BTreeSet::new(),
            base: SyncPoints::new(),
            same_at_hello: BTreeMap::new(),
            denied: BTreeSet::new(),
            asked_again: false,
            finished: false,
            pending: Vec::new(),
            answered: false,
            awaiting: BTreeSet::new(),
            stats: Stats::default(),
        }
    }

    /// A device's session; send [`Session::hello`] first.
    pub fn device() -> Self {
        Session::new(Side::Device)
    }

    /// The hub's session for `device`, enrolled with `grant`. The device
    /// must be in the store's directory ([`Store::reconcile_directory`]):
    /// changes are accepted only from the authors it allows.
    pub fn hub(device: DeviceId, grant: Grant) -> Self {
        Session::new(Side::Hub(device, grant))
    }

    /// The device's first frame. The changes this device made so far leave
    /// it in this session: from now on it writes under a new actor
    /// ([`Store::renew_actor`]).
    ///
    /// With sync points kept from the last settled sync with the hub, it
    /// lists only the documents that moved since, with the points' digest;
    /// the hub answers [`Frame::Again`] if its own points differ, and
    /// [`Session::receive`] then makes the full `Hello`.
    pub fn hello(&mut self, store: &mut Store) -> Result<Frame> {
        store.renew_actor();
        let points = store.sync_points(Peer::Hub)?;
        self.hello_from(store, points)
    }

    /// A `Hello` against `points` (none: every document).
    fn hello_from(&mut self, store: &mut Store, mut points: SyncPoints) -> Result<Frame> {
        let held = store.doc_refs()?;
        // A point of a document no longer held here (a store restored from
        // an older copy, say) must not tell the hub the device holds it:
        // dropped, the digest then differs and the sync is a full one.
        let holds: BTreeSet<&DocRef> = held.iter().collect();
        let stale: Vec<DocRef> = points.docs().filter(|d| !holds.contains(d)).copied().collect();
        for doc in &stale {
            points.remove(doc);
        }
        let (mut docs, mut heads) = (Vec::new(), Vec::new());
        self.offered.clear();
        for doc in held {
            let mut now = store.heads(doc)?;
            now.sort();
            if points.get(&doc) == Some(now.as_slice()) {
                // Unchanged since the point: the hub knows it as it is.
                continue;
            }
            let digest = heads_digest(&now);
            self.offered.insert(doc, digest);
            docs.push(doc);
            heads.push(digest);
        }
        self.hello = docs.clone();
        let since = (!points.is_empty()).then(|| points.digest());
        // What moved since a point goes with the `Hello` ([`Session::outgoing`]
        // returns it): the hub waits for it instead of opening the exchange.
        self.states.clear();
        self.pending.clear();
        for doc in &docs {
            if let Some(mut state) = points.primed_state(doc)
                && let Some(message) = store.generate_sync_message(*doc, &mut state)?
            {
                self.pending.push(Frame::Sync { doc: *doc, message });
                self.states.insert(*doc, state);
            }
            // Without a message (never seen: automerge always answers a
            // fresh state), the `Catalog` opens the exchange as for a
            // document without a point, and the hub answers it.
        }
        self.base = points;
        self.out(Frame::Hello { version: PROTOCOL_VERSION, docs, heads, since })
    }

    /// Device, once [`Session::is_settled`]: keeps the sync points this
    /// session leaves (every document exchanged or in step at its heads
    /// now, the others as they were, refused ones dropped) and returns the
    /// `Done` that tells the hub their digest. Send it last.
    pub fn done(&mut self, store: &mut Store) -> Result<Frame> {
        let mut points = self.base.clone();
        for doc in self.refused.keys() {
            points.remove(doc);
        }
        for doc in &self.active {
            if store.has_doc(*doc)? {
                points.insert(*doc, store.heads(*doc)?);
            } else {
                points.remove(doc);
            }
        }
        store.keep_sync_points(Peer::Hub, &points)?;
        self.finished = true;
        self.out(Frame::Done { points: points.digest() })
    }

    /// Whether the session is over: the device sent its `Done`.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Documents refused in this session.
    pub fn refused(&self) -> &BTreeMap<DocRef, Refusal> {
        &self.refused
    }

    /// Documents being synced.
    pub fn active(&self) -> &BTreeSet<DocRef> {
        &self.active
    }

    /// Device: whether every document is settled: each active one known to
    /// be at the same heads on both sides, and every document offered in
    /// the `Hello` either active or refused. A driver stops when this holds
    /// and nothing is left to send.
    ///
    /// Documents created here after the `Hello` do not count: the driver
    /// lets the register be written between its steps, and a document the
    /// `Hello` did not offer cannot join this session (the hub answers only
    /// what was offered); the next session offers it.
    pub fn is_settled(&self, store: &mut Store) -> Result<bool> {
        // Before the hub's answer nothing is known: a `Hello` against sync
        // points may list no document at all.
        if !self.answered {
            return Ok(false);
        }
        for doc in &self.hello {
            if !self.active.contains(doc) && !self.refused.contains_key(doc) {
                return Ok(false);
            }
        }
        for doc in &self.active {
            let mut ours = if store.has_doc(*doc)? { store.heads(*doc)? } else { Vec::new() };
            ours.sort();
            let theirs = self.states.get(doc).and_then(|s| s.their_heads.clone()).map(|mut h| {
                h.sort();
                h
            });
            let settled = match theirs {
                Some(theirs) => theirs == ours,
                // Nothing exchanged: in step if the hub said so and the
                // document has not changed here since.
                None => self.in_step.contains(doc) && self.offered.get(doc) == Some(&heads_digest(&ours)),
            };
            if !settled {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Why the session was closed, if it was.
    pub fn closed(&self) -> Option<Fatal> {
        self.closed
    }

    fn out(&mut self, frame: Frame) -> Result<Frame> {
        self.stats.frames_out += 1;
        if let Frame::Sync { message, .. } = &frame {
            self.stats.bytes_out += message.len() as u64;
        }
        Ok(frame)
    }

    fn close(&mut self, reason: Fatal) -> Vec<Frame> {
        self.closed = Some(reason);
        vec![Frame::Close { reason }]
    }

    /// The automerge sync state of `doc`, started from its sync point.
    fn state(&mut self, doc: DocRef) -> &mut automerge::sync::State {
        let base = &self.base;
        self.states.entry(doc).or_insert_with(|| base.state(&doc))
    }

    fn generate(&mut self, store: &mut Store, doc: DocRef, out: &mut Vec<Frame>) -> Result<()> {
        if self.awaiting.contains(&doc) {
            return Ok(());
        }
        let state = self.state(doc);
        if let Some(message) = store.generate_sync_message(doc, state)? {
            out.push(self.out(Frame::Sync { doc, message })?);
        }
        Ok(())
    }

    /// Sync messages for every active document that has something to say:
    /// call right after the `Hello` (what moved since a sync point goes with
    /// it), and after local changes.
    pub fn outgoing(&mut self, store: &mut Store) -> Result<Vec<Frame>> {
        let mut out = Vec::new();
        for f in std::mem::take(&mut self.pending) {
            out.push(self.out(f)?);
        }
        // A document the `Hello` left out (unchanged since its point) that
        // changed here during the session joins it, as listed ones do: the
        // hub knows the device holds it.
        if self.answered {
            let moved: Vec<(DocRef, Vec<automerge::ChangeHash>)> = self
                .base
                .iter()
                .filter(|(d, _)| !self.active.contains(d) && !self.refused.contains_key(d))
                .map(|(d, h)| (*d, h.to_vec()))
                .collect();
            for (doc, point) in moved {
                let mut now = if store.has_doc(doc)? { store.heads(doc)? } else { continue };
                now.sort();
                if now != point
                    && let Some(state) = self.base.primed_state(&doc)
                {
                    self.active.insert(doc);
                    self.states.insert(doc, state);
                }
            }
        }
        let docs: Vec<DocRef> = self.active.iter().copied().collect();
        for doc in docs {
            if self.in_step.contains(&doc) {
                if self.offered.get(&doc) == Some(&heads_digest(&store.heads(doc)?)) {
                    continue;
                }
                // Changed here since the offer: from now on, the protocol.
                self.in_step.remove(&doc);
            }
            self.generate(store, doc, &mut out)?;
        }
        Ok(out)
    }

    /// Handles one frame from the other side and returns the frames to send
    /// back. Protocol violations end in a `Close` frame; an `Err` is a local
    /// storage failure (the driver closes with [`Fatal::Storage`]).
    pub fn receive(&mut self, store: &mut Store, frame: Frame) -> Result<Vec<Frame>> {
        self.stats.frames_in += 1;
        if self.closed.is_some() || self.finished {
            return Ok(Vec::new());
        }
        match (self.side, frame) {
            (_, Frame::Close { reason }) => {
                self.closed = Some(reason);
                Ok(Vec::new())
            }
            (Side::Hub(device, grant), Frame::Hello { version, docs, heads, since }) => {
                if version != PROTOCOL_VERSION {
                    return Ok(self.close(Fatal::Version));
                }
                // One `Hello` per session (two when the hub asked again, the
                // second a full one), of bounded length: each one makes the
                // hub decide about every document, holding its store.
                let heads_ok = heads.is_empty() || heads.len() == docs.len();
                let again_ok = !(self.asked_again && since.is_some());
                if self.greeted || docs.len() > MAX_OFFERED || !heads_ok || !again_ok {
                    return Ok(self.close(Fatal::Protocol));
                }
                if let Some(digest) = since {
                    let points = store.sync_points(Peer::Device(device))?;
                    if points.is_empty() || points.digest() != digest {
                        self.asked_again = true;
                        return Ok(vec![self.out(Frame::Again)?]);
                    }
                    self.base = points;
                }
                self.greeted = true;
                self.hub_hello(store, grant, docs, heads)
            }
            (Side::Device, Frame::Again) => {
                // Only in answer to a `Hello` made against points.
                if self.base.is_empty() || !self.active.is_empty() || !self.refused.is_empty() {
                    return Ok(self.close(Fatal::Protocol));
                }
                Ok(vec![self.hello_from(store, SyncPoints::new())?])
            }
            (Side::Hub(device, _), Frame::Done { points }) => {
                if !self.greeted {
                    return Ok(self.close(Fatal::Protocol));
                }
                let ours = self.hub_points(store)?;
                // The same points on both sides, or none: a sync that did not
                // leave both sides agreeing makes the next one a full one.
                let keep = if ours.digest() == points { ours } else { SyncPoints::new() };
                store.keep_sync_points(Peer::Device(device), &keep)?;
                self.finished = true;
                Ok(Vec::new())
            }
            (Side::Device, Frame::Catalog { allowed, same, more }) => {
                self.answered = true;
                let offered = self.hello.iter().enumerate().filter(|(i, _)| bit(&allowed, *i));
                let offered: Vec<(DocRef, bool)> = offered.map(|(i, d)| (*d, bit(&same, i))).collect();
                for &doc in &more {
                    if !self.active.contains(&doc) && !store.has_doc(doc)? {
                        self.awaiting.insert(doc);
                    }
                }
                let more = more.into_iter().map(|d| (d, false));
                let mut out = Vec::new();
                for (doc, same) in offered.into_iter().chain(more) {
                    // A household refused as not listed, listed since.
                    self.refused.remove(&doc);
                    if self.active.insert(doc) {
                        if same && self.offered.contains_key(&doc) {
                            self.in_step.insert(doc);
                        } else {
                            self.generate(store, doc, &mut out)?;
                        }
                    }
                }
                Ok(out)
            }
            (Side::Device, Frame::Refused { doc, reason }) => {
                self.active.remove(&doc);
                self.refused.insert(doc, reason);
                Ok(Vec::new())
            }
            // The driver keeps the key (sync-client stores it in the hub link).
            (Side::Device, Frame::BundleKey { .. }) => Ok(Vec::new()),
            (side, Frame::Sync { doc, message }) => {
                self.stats.bytes_in += message.len() as u64;
                self.sync(store, side, doc, &message)
            }
            _ => Ok(self.close(Fatal::Protocol)),
        }
    }

    fn hub_hello(
        &mut self,
        store: &mut Store,
        grant: Grant,
        offered: Vec<DocRef>,
        heads: Vec<u64>,
    ) -> Result<Vec<Frame>> {
        let digests: BTreeMap<DocRef, u64> = offered.iter().copied().zip(heads).collect();
        let readable = store.readable_docs(grant)?;
        // Each offered document once, in the order of the `Hello` (a device
        // that lists one twice gets both bits, and one answer).
        let mut decided: BTreeMap<DocRef, bool> = BTreeMap::new();
        let mut refusals = Vec::new();
        for &doc in &offered {
            if let std::collections::btree_map::Entry::Vacant(e) = decided.entry(doc) {
                e.insert(self.decide(store, grant, doc, &readable, &mut refusals)?);
            }
        }
        // The documents the device holds unchanged since its sync point
        // (not listed): decided alike, and named only when there is
        // something to say (decision 0023).
        let mut more = Vec::new();
        let mut to_sync = Vec::new();
        let unlisted: Vec<(DocRef, Vec<automerge::ChangeHash>)> = self
            .base
            .iter()
            .filter(|(d, _)| !decided.contains_key(d))
            .map(|(d, h)| (*d, h.to_vec()))
            .collect();
        for (doc, point) in unlisted {
            let allowed = self.decide(store, grant, doc, &readable, &mut refusals)?;
            decided.insert(doc, allowed);
            if !allowed {
                continue;
            }
            let mut ours = if store.has_doc(doc)? { store.heads(doc)? } else { Vec::new() };
            ours.sort();
            if ours != point {
                self.active.insert(doc);
                more.push(doc);
                to_sync.push(doc);
            }
        }
        let mut allowed = bits(offered.len());
        let mut same = bits(offered.len());
        for (i, doc) in offered.iter().enumerate() {
            if !decided.get(doc).copied().unwrap_or(false) {
                continue;
            }
            set_bit(&mut allowed, i);
            // Held here at the heads the device offered: nothing to say.
            let ours = if store.has_doc(*doc)? { Some(store.heads(*doc)?) } else { None };
            let in_step = match (digests.get(doc), &ours) {
                (Some(theirs), Some(ours)) => heads_digest(ours) == *theirs,
                _ => false,
            };
            if in_step {
                set_bit(&mut same, i);
                self.same_at_hello.insert(*doc, ours.unwrap_or_default());
            }
            // A document that moved since its point: the device's first
            // message, with its changes, follows its `Hello`; the answer
            // to it is the hub's first.
            if self.active.insert(*doc) && !in_step && self.base.get(doc).is_none() {
                to_sync.push(*doc);
            }
        }
        for doc in readable.iter().copied().filter(|d| !decided.contains_key(d)) {
            // Neither offered nor held since a point: the device has none of
            // it, so the first message carries it whole (as automerge would
            // after the device said so, a round trip later); the device
            // waits for it before saying anything about it.
            self.states.entry(doc).or_insert_with(lacks_everything);
            self.active.insert(doc);
            more.push(doc);
            to_sync.push(doc);
        }
        let mut out = vec![self.out(Frame::Catalog { allowed, same, more })?];
        for f in refusals {
            out.push(self.out(f)?);
        }
        for doc in to_sync {
            self.generate(store, doc, &mut out)?;
        }
        Ok(out)
    }

    /// Hub: whether the device may sync `doc`, which it holds; when not,
    /// the refusal it is answered with goes to `refusals`.
    fn decide(
        &mut self,
        store: &mut Store,
        grant: Grant,
        doc: DocRef,
        readable: &BTreeSet<DocRef>,
        refusals: &mut Vec<Frame>,
    ) -> Result<bool> {
        if readable.contains(&doc) {
            return Ok(true);
        }
        if erased_for(store, grant, doc)? {
            // Never stored again. The device still lists it when it has
            // not yet received the tombstone; its lab document, synced
            // now, brings it, and the device erases its copy.
            self.denied.insert(doc);
            refusals.push(Frame::Refused { doc, reason: Refusal::Erased });
            return Ok(false);
        }
        let facts = store.doc_facts(doc)?;
        Ok(match access(grant, doc, &facts) {
            Access::Create(_) => true,
            _ if matches!(doc.kind, DocKind::Household | DocKind::Person) && grant.lab.is_some() => {
                // Maybe its lab document, not yet synced, lists it: then a
                // `Catalog` follows. Answered alike whether or not the hub
                // holds it (as another lab's family), so that the device
                // learns nothing of other labs' families, and answered now,
                // so that a device whose lab never lists it does not wait
                // for an answer.
                self.unlisted.insert(doc);
                refusals.push(Frame::Refused { doc, reason: Refusal::NotListed });
                false
            }
            a if a.can_read() => true,
            _ => {
                self.denied.insert(doc);
                refusals.push(Frame::Refused { doc, reason: Refusal::NotAllowed });
                false
            }
        })
    }

    /// Hub, at the device's `Done`: the sync points this session leaves,
    /// computed from what the device told the hub (its heads in its last
    /// message, or those the hub answered as in step), only where the hub
    /// holds every change they name; the others as they were, refused and
    /// unlisted ones dropped. The device computes the same from its side.
    fn hub_points(&self, store: &mut Store) -> Result<SyncPoints> {
        let mut points = self.base.clone();
        for doc in self.refused.keys().chain(self.unlisted.iter()).chain(self.denied.iter()) {
            points.remove(doc);
        }
        for doc in &self.active {
            let theirs = self.states.get(doc).and_then(|s| s.their_heads.clone());
            let heads = theirs.or_else(|| self.same_at_hello.get(doc).cloned());
            match heads {
                Some(h) if store.has_doc(*doc)? && store.holds_changes(*doc, &h)? => points.insert(*doc, h),
                _ => points.remove(doc),
            }
        }
        Ok(points)
    }

    fn sync(&mut self, store: &mut Store, side: Side, doc: DocRef, message: &[u8]) -> Result<Vec<Frame>> {
        let mut out = Vec::new();
        // The hub's first message about a document listed to the device:
        // from now on the device answers it as any.
        self.awaiting.remove(&doc);
        if let Side::Hub(_, grant) = side
            && self.greeted
            && !self.active.contains(&doc)
            && self.base.get(&doc).is_some()
            && !self.denied.contains(&doc)
            && !self.refused.contains_key(&doc)
            && access(grant, doc, &store.doc_facts(doc)?).can_read()
        {
            // A document held since its point that changed on the device
            // during the session: it joins, as if listed (the device's
            // side: `outgoing`). Its changes are checked below as any.
            self.active.insert(doc);
        }
        if !self.active.contains(&doc) {
            // Messages sent with a `Hello` the hub answered `Again`, or for
            // a document refused already, are dropped: the device learns
            // nothing more from a second answer.
            let before_hello = self.asked_again && !self.greeted;
            if before_hello
                || self.unlisted.contains(&doc)
                || self.refused.contains_key(&doc)
                || self.denied.contains(&doc)
            {
                // Already answered (or to be answered when listed); messages
                // the device sent before it read the answer are dropped.
                return Ok(out);
            }
            return match side {
                Side::Hub(..) => Ok(vec![self.out(Frame::Refused { doc, reason: Refusal::NotAllowed })?]),
                Side::Device => Ok(out), // A late message for a refused document.
            };
        }
        let directory = store.directory()?;
        let (check, authors) = match side {
            Side::Device => {
                (WriteCheck::None, AuthorCheck::Privileged { directory: &directory, strict: false })
            }
            Side::Hub(device, grant) => {
                let facts = store.doc_facts(doc)?;
                let access = access(grant, doc, &facts);
                let has_changes = Message::decode(message).map(|m| !m.changes.is_empty()).unwrap_or(false);
                if has_changes && !access.can_write() {
                    self.active.remove(&doc);
                    self.refused.insert(doc, Refusal::ReadOnly);
                    return Ok(vec![self.out(Frame::Refused { doc, reason: Refusal::ReadOnly })?]);
                }
                (
                    WriteCheck::for_device(grant, doc, access),
                    AuthorCheck::Sender { device, grant, directory: &directory },
                )
            }
        };
        let state = self.state(doc);
        match store.receive_sync_message(doc, state, message, check, authors) {
            Ok(Applied::Changed) => {
                self.stats.docs_changed += 1;
                if matches!(doc.kind, DocKind::Lab | DocKind::Project) {
                    self.drop_erased(store, &mut out)?;
                }
                if doc.kind == DocKind::Lab {
                    self.recheck_unlisted(store, &mut out)?;
                }
            }
            Ok(Applied::Unchanged) => {}
            Err(e) => {
                let reason = match e {
                    Error::RejectedBytes { .. } => Refusal::BadBytes,
                    Error::TooLarge { .. } => Refusal::TooLarge,
                    Error::Erased { .. } | Error::VolunteerErased { .. } => Refusal::Erased,
                    Error::ErasureRefused { .. } => Refusal::ErasureNotAllowed,
                    Error::Restricted { .. } => Refusal::Restricted,
                    Error::WrongAuthor { .. } => Refusal::WrongAuthor,
                    e => return Err(e),
                };
                self.active.remove(&doc);
                self.refused.insert(doc, reason);
                if matches!(side, Side::Hub(..)) {
                    out.push(self.out(Frame::Refused { doc, reason })?);
                }
                return Ok(out);
            }
        }
        self.generate(store, doc, &mut out)?;
        Ok(out)
    }

    /// Both sides, after a lab or the project document changed: households
    /// and volunteers' entries erased by it leave the session (they are gone
    /// from this store, which refuses them from now on). The hub tells the
    /// device.
    fn drop_erased(&mut self, store: &mut Store, out: &mut Vec<Frame>) -> Result<()> {
        let held: Vec<DocRef> = self
            .active
            .iter()
            .copied()
            .filter(|d| matches!(d.kind, DocKind::Household | DocKind::Volunteer))
            .collect();
        for doc in held {
            if store.erased_doc(doc)?.is_some() {
                self.active.remove(&doc);
                self.refused.insert(doc, Refusal::Erased);
                if matches!(self.side, Side::Hub(..)) {
                    out.push(self.out(Frame::Refused { doc, reason: Refusal::Erased })?);
                }
            }
        }
        Ok(())
    }

    /// Hub: households that became listed after a lab document changed.
    fn recheck_unlisted(&mut self, store: &mut Store, out: &mut Vec<Frame>) -> Result<()> {
        let Side::Hub(_, grant) = self.side else { return Ok(()) };
        let mut now_allowed = Vec::new();
        for doc in self.unlisted.clone() {
            if store.erased_household(HouseholdId(doc.id))?.is_some() {
                continue;
            }
            if let Access::Create(_) = access(grant, doc, &store.doc_facts(doc)?) {
                self.unlisted.remove(&doc);
                now_allowed.push(doc);
            }
        }
        if !now_allowed.is_empty() {
            let more = now_allowed.clone();
            out.push(self.out(Frame::Catalog { allowed: Vec::new(), same: Vec::new(), more })?);
            for doc in now_allowed {
                self.active.insert(doc);
                self.generate(store, doc, out)?;
            }
        }
        Ok(())
    }
}

/// The sync state of a peer known to hold nothing of a document and to
/// read whole-document messages (every device of this protocol version).
fn lacks_everything() -> automerge::sync::State {
    let mut state = automerge::sync::State::new();
    state.their_heads = Some(Vec::new());
    state.their_need = Some(Vec::new());
    state.their_have = Some(vec![automerge::sync::Have {
        last_sync: Vec::new(),
        bloom: automerge::sync::BloomFilter::default(),
    }]);
    state.their_capabilities = Some(vec![automerge::sync::Capability::MessageV2]);
    state
}

/// Hub: whether `doc` is a family erased here that `grant` may know of (its
/// lab's devices, coordinators). Another lab's device is answered as before,
/// learning nothing of other labs' families.
fn erased_for(store: &mut Store, grant: Grant, doc: DocRef) -> Result<bool> {
    if doc.kind == DocKind::Volunteer {
        // The tombstone is in the project document every device reads:
        // answering `Erased` tells nobody more than it does.
        return Ok(store.erased_doc(doc)?.is_some());
    }
    if doc.kind != DocKind::Household {
        return Ok(false);
    }
    Ok(store
        .erased_household(HouseholdId(doc.id))?
        .is_some_and(|e| grant.role == DeviceRole::Coordinator || grant.lab == Some(e.lab)))
}
