//! The store's side of the automerge sync protocol: generating messages
//! from, and receiving them into, stored documents, through the same
//! strict, transactional path as any other bytes from elsewhere.

use automerge::sync::{self, Message, SyncDoc};
use automerge::{Automerge, PatchLog, ReadDoc};
use rusqlite::params;

use super::Store;
use super::docs::{Applied, Pending};
use super::waiting::Waiting;
use crate::authz::authors::AuthorCheck;
use crate::authz::{DocFacts, WriteCheck};
use crate::doc::{self, DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId};
use crate::sync::limits;

/// Checks the authors of the changes that took a document from `before`
/// (`live`, or nothing when it is new here) to `next`. The genesis of a new
/// document is the same on every replica and has no author to check.
pub(super) fn verify_authors(
    authors: AuthorCheck<'_>,
    r: DocRef,
    live: Option<&Automerge>,
    before: &[automerge::ChangeHash],
    next: &Automerge,
) -> Result<()> {
    if matches!(authors, AuthorCheck::None) {
        return Ok(());
    }
    let mut new = next.get_changes(before);
    if live.is_none() {
        let genesis = r.genesis().get_heads();
        new.retain(|c| !genesis.contains(&c.hash()));
    }
    authors.verify(r, live, &new, next).map_err(|refusal| Error::WrongAuthor { doc: r.to_string(), refusal })
}

/// The most `have` summaries a message may carry (automerge sends one at most).
const MAX_HAVES: usize = 8;
/// Bounds of a Bloom filter's parameters (automerge uses 10 bits per entry and 7 probes).
const MAX_BITS_PER_ENTRY: u64 = 64;
const MAX_PROBES: u64 = 64;

/// Refuses `have` summaries that automerge would trust, unchecked, the next
/// time it generates a message for this peer: a filter with entries but no
/// bits makes every probe `% 0` (a panic), a huge probe count allocates and
/// loops that often per change, and many filters multiply the work for
/// every change. automerge itself never sends any of these.
fn check_haves(message: &Message) -> std::result::Result<(), String> {
    if message.have.len() > MAX_HAVES {
        return Err(format!("{} Bloom filters (at most {MAX_HAVES})", message.have.len()));
    }
    for have in &message.have {
        // Entries, bits per entry, probes (LEB128), then the bits; nothing
        // at all for a filter without entries, which is never probed.
        let bytes = have.bloom.to_bytes();
        let mut input = bytes.as_slice();
        if input.is_empty() {
            continue;
        }
        let mut field = || {
            let mut value = 0u64;
            for (i, b) in input.iter().take(10).enumerate() {
                value |= u64::from(b & 0x7f) << (7 * i);
                if b & 0x80 == 0 {
                    input = &input[i + 1..];
                    return value;
                }
            }
            u64::MAX
        };
        let (_entries, bits, probes) = (field(), field(), field());
        if !(1..=MAX_BITS_PER_ENTRY).contains(&bits) || !(1..=MAX_PROBES).contains(&probes) {
            return Err(format!("a Bloom filter with {bits} bits per entry and {probes} probes"));
        }
    }
    Ok(())
}

impl Store {
    /// The next sync message for `doc` given what `state` knows of the peer;
    /// `None` when there is nothing to say. A document this store lacks is
    /// treated as empty, which asks the peer for all of it.
    pub fn generate_sync_message(&mut self, r: DocRef, state: &mut sync::State) -> Result<Option<Vec<u8>>> {
        // An erased family's document is gone: asking the peer for "all of
        // it" would bring it back.
        if self.erased_doc(r)?.is_some() {
            return Ok(None);
        }
        let empty;
        let doc = if self.has_doc(r)? {
            self.doc(r)?
        } else {
            empty = Automerge::new();
            &empty
        };
        // Generating reads the document and trusts what `state` learnt of
        // the peer; should automerge still panic on something a peer sent,
        // that is this message's error, not a panic in the caller (on the
        // hub, a panic while it holds the shared store poisons it for every
        // device).
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            doc.generate_sync_message(state).map(Message::encode)
        }))
        .map_err(|_| Error::Internal(format!("automerge failed generating a sync message for {r}")))
    }

    /// Receives one sync message for `doc`. Malformed messages and changes
    /// that are corrupt, of another document, or fail `check` are refused
    /// with [`Error::RejectedBytes`], and changes whose authors fail
    /// `authors` with [`Error::WrongAuthor`]; a refusal changes nothing (not
    /// even `state`).
    pub fn receive_sync_message(
        &mut self,
        r: DocRef,
        state: &mut sync::State,
        bytes: &[u8],
        check: WriteCheck,
        authors: AuthorCheck<'_>,
    ) -> Result<Applied> {
        if let Some(e) = self.erased_doc(r)? {
            return Err(e);
        }
        let reject = |reason: String| Error::RejectedBytes { doc: r.to_string(), reason };
        let refuse = |e: doc::bytes::Unparsed| e.into_error(r.to_string());
        // Bounded before parsed: the message's chunks are scanned as a
        // whole (inflated size, changes, operations), then each is parsed
        // strictly, isolated from automerge's panics (`doc::bytes::parse`).
        let message = limits::decode_message(bytes).map_err(|e| refuse(e.into()))?;
        check_haves(&message).map_err(reject)?;
        let cost = limits::message_cost(&message).map_err(|e| refuse(e.into()))?;
        // Loaded (if held) before the changes are judged against it.
        let existed = self.has_doc(r)?;
        // Changes that would wait for a change nobody sent, counted on
        // their bytes before anything is parsed (a flood of them would
        // otherwise be parsed and queued first).
        let links: Vec<_> = message.changes.iter().filter_map(doc::scan::change_links).collect();
        self.check_would_wait(r, &links)?;
        drop(links);
        for chunk in message.changes.iter() {
            doc::bytes::parse(chunk).map_err(refuse)?;
        }
        let (mut next, before) = match self.docs.get(&r) {
            Some(d) if !message.changes.is_empty() => (d.clone(), d.get_heads()),
            Some(d) => {
                // No changes: only the sync state moves; the live document is untouched.
                let mut st = state.clone();
                let heads = d.get_heads();
                let d = self.docs.get_mut(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
                // Without changes automerge only reads the document here;
                // should it still panic, the cached copy is dropped (it is
                // reloaded from disk on next use) and the message refused.
                let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    d.receive_sync_message(&mut st, message)
                }));
                let Ok(got) = got else {
                    self.docs.remove(&r);
                    return Err(reject("automerge failed on this message (it panicked)".into()));
                };
                got.map_err(|e| reject(e.to_string()))?;
                debug_assert_eq!(d.get_heads(), heads);
                *state = st;
                return Ok(Applied::Unchanged);
            }
            None => (Automerge::new(), Vec::new()),
        };
        let mut st = state.clone();
        let actor = self.actor.clone();
        let live = if existed { self.docs.get(&r) } else { None };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut log = PatchLog::active();
            next.receive_sync_message_log_patches(&mut st, message, &mut log)
                .map_err(|e| reject(e.to_string()))?;
            if next.get_heads() == before {
                return Ok(Err(next));
            }
            r.check_identity(&next)?;
            check.verify(r, live, &next)?;
            verify_authors(authors, r, live, &before, &next)?;
            let patches = next.make_patches(&mut log);
            let next = next.with_actor(actor);
            let bytes = if existed { next.save_after(&before) } else { next.save() };
            Ok(Ok((next, bytes, patches)))
        }))
        .unwrap_or_else(|_| Err(reject("automerge failed on these changes (it panicked)".into())))?;
        let (next, bytes, patches) = match outcome {
            Ok(applied) => applied,
            Err(waiting) => {
                // Nothing applied: nothing new, or changes that wait in the
                // copy's queue for a change they depend on (the sender skips
                // what the Bloom filter wrongly says we have). Keep those:
                // the sender counts them as sent and will not send them
                // again, only, once asked, the change they wait for.
                if existed && !waiting.get_missing_deps(&[]).is_empty() {
                    self.wait(r, cost, waiting)?;
                }
                *state = st;
                return Ok(Applied::Unchanged);
            }
        };
        // Changes may still wait in `next` for others (some of a message
        // applied, some not): they stay counted until none waits.
        let still_waiting = !next.get_missing_deps(&[]).is_empty();
        let tally = if still_waiting { self.waiting_tally(r).add(cost) } else { Waiting::default() };
        self.docs.insert(r, next);
        let patches = if existed { Some(patches) } else { None };
        self.commit(vec![Pending::new(r, before, bytes, patches)])?;
        self.set_waiting(r, tally);
        *state = st;
        Ok(Applied::Changed)
    }

    /// What the projection knows about `doc`, for [`crate::sync::access`].
    pub fn doc_facts(&mut self, r: DocRef) -> Result<DocFacts> {
        let exists = self.has_doc(r)?;
        let id = r.id.to_string();
        let labs = |sql: &str| -> Result<Vec<LabId>> {
            let rows: Vec<String> = self
                .conn
                .prepare_cached(sql)?
                .query_map(params![id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows.iter().filter_map(|s| s.parse().ok()).collect())
        };
        let mut facts = DocFacts { exists, ..DocFacts::default() };
        match r.kind {
            DocKind::Household => {
                facts.listed_in = labs("SELECT lab_id FROM lab_households WHERE household_id = ?1")?;
                facts.household_lab = labs("SELECT lab_id FROM households WHERE id = ?1")?.into_iter().next();
                if exists && facts.household_lab.is_none() {
                    // Held but unreadable as a household: read the document itself.
                    facts.household_lab =
                        doc::household::read(self.doc(r)?, HouseholdId(r.id)).map(|h| h.lab);
                }
            }
            DocKind::Person => {
                // The rosters (written by each lab) only let a lab create a
                // person it lists; who may read an existing person's
                // document follows who created it.
                facts.listed_in = labs("SELECT lab_id FROM lab_roster WHERE person_id = ?1")?;
                if exists {
                    facts.person_labs = labs("SELECT lab_id FROM person_labs WHERE person_id = ?1")?;
                    facts.origin = self.origin(r)?;
                }
            }
            _ => {}
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use automerge::sync::{BloomFilter, ChunkList, Have, Message, MessageVersion};

    use super::*;
    use crate::codes::CodeRange;
    use crate::env::SeededEnv;
    use crate::ids::{DeviceId, ProjectId};
    use crate::store::DeviceConfig;

    fn store(n: u128) -> Store {
        let config = DeviceConfig {
            device: DeviceId(uuid::Uuid::from_u128(n)),
            project: ProjectId(uuid::Uuid::from_u128(2)),
            codes: CodeRange::new(1, 99).expect("range"),
        };
        Store::in_memory(config, Box::new(SeededEnv::with_seed(n as u64))).expect("store")
    }

    /// A change can arrive before the change it depends on (the sender
    /// skips changes its peer's Bloom filter seems to hold, and about 1 in
    /// 100 it is wrong). Such a change waited in a copy of the document that
    /// was then dropped; the sender, which counts it as sent, never sent it
    /// again, and the sync went round in circles until the hub cut it off.
    #[test]
    fn a_change_that_arrives_before_its_dependency_is_kept_until_that_arrives() {
        let mut a = store(1);
        let mut b = store(3);
        let doc = DocRef::project(a.project());
        let h0 = a.heads(doc).expect("heads");
        a.set_targets(crate::domain::Targets { families: 1, ..Default::default() }).expect("edit");
        let x = a.export_since(doc, &h0).expect("x");
        let h1 = a.heads(doc).expect("heads");
        a.set_targets(crate::domain::Targets { families: 2, ..Default::default() }).expect("edit");
        let y = a.export_since(doc, &h1).expect("y");
        let h2 = a.heads(doc).expect("heads");
        let message = |change: &[u8]| {
            Message {
                heads: h2.clone(),
                need: vec![],
                have: vec![],
                changes: ChunkList::from(change.to_vec()),
                flags: None,
                version: MessageVersion::V1,
            }
            .encode()
        };
        let mut state = sync::State::new();
        let got = b
            .receive_sync_message(doc, &mut state, &message(&y), WriteCheck::None, AuthorCheck::None)
            .expect("y");
        assert_eq!(got, Applied::Unchanged, "y waits for x");
        let got = b
            .receive_sync_message(doc, &mut state, &message(&x), WriteCheck::None, AuthorCheck::None)
            .expect("x");
        assert_eq!(got, Applied::Changed);
        assert_eq!(b.heads(doc).expect("heads"), h2, "x, and y with it");
        assert_eq!(b.targets().expect("targets").families, 2);
    }

    /// A peer's `have` used to reach automerge unchecked, and the next
    /// message generated for that peer divided by zero (a filter with
    /// entries but no bits) or allocated and looped per probe (a million).
    #[test]
    fn bloom_filters_automerge_never_sends_are_refused_not_trusted() {
        let mut store = store(1);
        let doc = DocRef::project(store.project());
        let heads = store.heads(doc).expect("heads");
        let message = |haves: Vec<&[u8]>| {
            Message {
                heads: heads.clone(),
                need: vec![],
                have: haves
                    .into_iter()
                    .map(|b| Have { last_sync: vec![], bloom: BloomFilter::try_from(b).expect("bloom") })
                    .collect(),
                changes: ChunkList::empty(),
                flags: None,
                version: MessageVersion::V1,
            }
            .encode()
        };
        let normal: &[u8] = &[1, 10, 7, 0xff, 0xff];
        for (haves, ok) in [
            (vec![normal], true),
            (vec![&[][..]], true),
            (vec![&[1, 0, 7][..]], false),
            (vec![&[1, 10, 0x80, 0x80, 0x40, 0xff, 0xff][..]], false),
            (vec![normal; MAX_HAVES + 1], false),
        ] {
            let mut state = sync::State::new();
            let got = store.receive_sync_message(
                doc,
                &mut state,
                &message(haves.clone()),
                WriteCheck::None,
                AuthorCheck::None,
            );
            match got {
                Ok(Applied::Unchanged) if ok => {}
                Err(Error::RejectedBytes { .. }) if !ok => {}
                other => panic!("{haves:?}: {other:?}"),
            }
            store.generate_sync_message(doc, &mut state).expect("a message, not a panic");
        }
    }
}
