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
use crate::store::{Applied, Store};

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
    pub fn hello(&mut self, store: &mut Store) -> Result<Frame> {
        store.renew_actor();
        let docs = store.doc_refs()?;
        let mut heads = Vec::with_capacity(docs.len());
        for doc in &docs {
            let digest = heads_digest(&store.heads(*doc)?);
            self.offered.insert(*doc, digest);
            heads.push(digest);
        }
        self.hello = docs.clone();
        self.out(Frame::Hello { version: PROTOCOL_VERSION, docs, heads })
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

    fn generate(&mut self, store: &mut Store, doc: DocRef, out: &mut Vec<Frame>) -> Result<()> {
        let state = self.states.entry(doc).or_default();
        if let Some(message) = store.generate_sync_message(doc, state)? {
            out.push(self.out(Frame::Sync { doc, message })?);
        }
        Ok(())
    }

    /// Sync messages for every active document that has something to say:
    /// call after local changes.
    pub fn outgoing(&mut self, store: &mut Store) -> Result<Vec<Frame>> {
        let mut out = Vec::new();
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
        if self.closed.is_some() {
            return Ok(Vec::new());
        }
        match (self.side, frame) {
            (_, Frame::Close { reason }) => {
                self.closed = Some(reason);
                Ok(Vec::new())
            }
            (Side::Hub(_, grant), Frame::Hello { version, docs, heads }) => {
                if version != PROTOCOL_VERSION {
                    return Ok(self.close(Fatal::Version));
                }
                // One `Hello` per session, of bounded length: each one makes
                // the hub decide about every document, holding its store.
                let heads_ok = heads.is_empty() || heads.len() == docs.len();
                if self.greeted || docs.len() > MAX_OFFERED || !heads_ok {
                    return Ok(self.close(Fatal::Protocol));
                }
                self.greeted = true;
                self.hub_hello(store, grant, docs, heads)
            }
            (Side::Device, Frame::Catalog { allowed, same, more }) => {
                let offered = self.hello.iter().enumerate().filter(|(i, _)| bit(&allowed, *i));
                let offered: Vec<(DocRef, bool)> = offered.map(|(i, d)| (*d, bit(&same, i))).collect();
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
        let mut readable = BTreeSet::new();
        for doc in store.doc_refs()? {
            if access(grant, doc, &store.doc_facts(doc)?).can_read() {
                readable.insert(doc);
            }
        }
        // Each offered document once, in the order of the `Hello` (a device
        // that lists one twice gets both bits, and one answer).
        let mut decided: BTreeMap<DocRef, bool> = BTreeMap::new();
        let mut refusals = Vec::new();
        for &doc in &offered {
            if decided.contains_key(&doc) {
                continue;
            }
            let allowed = if readable.contains(&doc) {
                true
            } else if erased_for(store, grant, doc)? {
                // Never stored again. The device still lists it when it has
                // not yet received the tombstone; its lab document, synced
                // now, brings it, and the device erases its copy.
                refusals.push(Frame::Refused { doc, reason: Refusal::Erased });
                false
            } else {
                let facts = store.doc_facts(doc)?;
                match access(grant, doc, &facts) {
                    Access::Create(_) => true,
                    _ if matches!(doc.kind, DocKind::Household | DocKind::Person) && grant.lab.is_some() => {
                        // Maybe its lab document, not yet synced, lists it:
                        // then a `Catalog` follows. Answered alike whether or
                        // not the hub holds it (as another lab's family), so
                        // that the device learns nothing of other labs'
                        // families, and answered now, so that a device whose
                        // lab never lists it does not wait for an answer.
                        self.unlisted.insert(doc);
                        refusals.push(Frame::Refused { doc, reason: Refusal::NotListed });
                        false
                    }
                    a if a.can_read() => true,
                    _ => {
                        refusals.push(Frame::Refused { doc, reason: Refusal::NotAllowed });
                        false
                    }
                }
            };
            decided.insert(doc, allowed);
        }
        let mut allowed = bits(offered.len());
        let mut same = bits(offered.len());
        let mut to_sync = Vec::new();
        for (i, doc) in offered.iter().enumerate() {
            if !decided.get(doc).copied().unwrap_or(false) {
                continue;
            }
            set_bit(&mut allowed, i);
            // Held here at the heads the device offered: nothing to say.
            let in_step = match digests.get(doc) {
                Some(theirs) => store.has_doc(*doc)? && heads_digest(&store.heads(*doc)?) == *theirs,
                None => false,
            };
            if in_step {
                set_bit(&mut same, i);
            }
            if self.active.insert(*doc) && !in_step {
                to_sync.push(*doc);
            }
        }
        let more: Vec<DocRef> = readable.into_iter().filter(|d| !decided.contains_key(d)).collect();
        for doc in &more {
            self.active.insert(*doc);
            to_sync.push(*doc);
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

    fn sync(&mut self, store: &mut Store, side: Side, doc: DocRef, message: &[u8]) -> Result<Vec<Frame>> {
        let mut out = Vec::new();
        if !self.active.contains(&doc) {
            if self.unlisted.contains(&doc) || self.refused.contains_key(&doc) {
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
        let state = self.states.entry(doc).or_default();
        match store.receive_sync_message(doc, state, message, check, authors) {
            Ok(Applied::Changed) => {
                self.stats.docs_changed += 1;
                if doc.kind == DocKind::Lab {
                    self.drop_erased(store, &mut out)?;
                    self.recheck_unlisted(store, &mut out)?;
                }
            }
            Ok(Applied::Unchanged) => {}
            Err(e) => {
                let reason = match e {
                    Error::RejectedBytes { .. } => Refusal::BadBytes,
                    Error::TooLarge { .. } => Refusal::TooLarge,
                    Error::Erased { .. } => Refusal::Erased,
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

    /// Both sides, after a lab document changed: households erased by it
    /// leave the session (they are gone from this store, which refuses them
    /// from now on). The hub tells the device.
    fn drop_erased(&mut self, store: &mut Store, out: &mut Vec<Frame>) -> Result<()> {
        let households: Vec<DocRef> =
            self.active.iter().copied().filter(|d| d.kind == DocKind::Household).collect();
        for doc in households {
            if store.erased_household(HouseholdId(doc.id))?.is_some() {
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

/// Hub: whether `doc` is a family erased here that `grant` may know of (its
/// lab's devices, coordinators). Another lab's device is answered as before,
/// learning nothing of other labs' families.
fn erased_for(store: &Store, grant: Grant, doc: DocRef) -> Result<bool> {
    if doc.kind != DocKind::Household {
        return Ok(false);
    }
    Ok(store
        .erased_household(HouseholdId(doc.id))?
        .is_some_and(|e| grant.role == DeviceRole::Coordinator || grant.lab == Some(e.lab)))
}
