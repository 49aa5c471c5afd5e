//! The store's side of the automerge sync protocol: generating messages
//! from, and receiving them into, stored documents, through the same
//! strict, transactional path as any other bytes from elsewhere.

use automerge::sync::{self, Message, SyncDoc};
use automerge::{Automerge, PatchLog};
use rusqlite::params;

use super::Store;
use super::docs::{Applied, Pending};
use crate::doc::{self, DocKind, DocRef};
use crate::error::{Error, Result};
use crate::ids::{HouseholdId, LabId};
use crate::sync::DocFacts;

/// A condition the document must meet after changes from a peer are
/// applied, or the changes are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteCheck {
    /// No condition beyond the document's identity.
    None,
    /// The document must be a household registered in this lab.
    HouseholdOfLab(LabId),
}

impl Store {
    /// The next sync message for `doc` given what `state` knows of the peer;
    /// `None` when there is nothing to say. A document this store lacks is
    /// treated as empty, which asks the peer for all of it.
    pub fn generate_sync_message(&mut self, r: DocRef, state: &mut sync::State) -> Result<Option<Vec<u8>>> {
        let empty;
        let doc = if self.has_doc(r)? {
            self.doc(r)?
        } else {
            empty = Automerge::new();
            &empty
        };
        Ok(doc.generate_sync_message(state).map(Message::encode))
    }

    /// Receives one sync message for `doc`. Malformed messages and changes
    /// that are corrupt, of another document, or fail `check` are refused
    /// with [`Error::RejectedBytes`] and change nothing (not even `state`).
    pub fn receive_sync_message(
        &mut self,
        r: DocRef,
        state: &mut sync::State,
        bytes: &[u8],
        check: WriteCheck,
    ) -> Result<Applied> {
        let reject = |reason: String| Error::RejectedBytes { doc: r.to_string(), reason };
        let message = Message::decode(bytes).map_err(|e| reject(e.to_string()))?;
        for chunk in message.changes.iter() {
            doc::bytes::parse(chunk).map_err(reject)?;
        }
        let existed = self.has_doc(r)?;
        let (mut next, before) = match self.docs.get(&r) {
            Some(d) if !message.changes.is_empty() => (d.clone(), d.get_heads()),
            Some(d) => {
                // No changes: only the sync state moves; the live document is untouched.
                let mut st = state.clone();
                let heads = d.get_heads();
                let d = self.docs.get_mut(&r).ok_or_else(|| Error::not_found(r.kind.as_str(), r.id))?;
                d.receive_sync_message(&mut st, message).map_err(|e| reject(e.to_string()))?;
                debug_assert_eq!(d.get_heads(), heads);
                *state = st;
                return Ok(Applied::Unchanged);
            }
            None => (Automerge::new(), Vec::new()),
        };
        let mut st = state.clone();
        let actor = self.actor.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut log = PatchLog::active();
            next.receive_sync_message_log_patches(&mut st, message, &mut log)
                .map_err(|e| reject(e.to_string()))?;
            if next.get_heads() == before {
                return Ok(None);
            }
            r.check_identity(&next)?;
            if let WriteCheck::HouseholdOfLab(lab) = check {
                let ok = doc::household::read(&next, HouseholdId(r.id)).is_some_and(|h| h.lab == lab);
                if !ok {
                    return Err(reject(format!("not a household of lab {lab}")));
                }
            }
            let patches = next.make_patches(&mut log);
            let next = next.with_actor(actor);
            let bytes = if existed { next.save_after(&before) } else { next.save() };
            Ok(Some((next, bytes, patches)))
        }))
        .unwrap_or_else(|_| Err(reject("automerge failed on these changes (it panicked)".into())))?;
        let Some((next, bytes, patches)) = outcome else {
            *state = st;
            return Ok(Applied::Unchanged);
        };
        self.docs.insert(r, next);
        let patches = if existed { Some(patches) } else { None };
        self.commit(vec![Pending::new(r, before, bytes, patches)])?;
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
                let mut l = labs("SELECT lab_id FROM person_labs WHERE person_id = ?1")?;
                l.extend(labs("SELECT lab_id FROM lab_roster WHERE person_id = ?1")?);
                l.sort();
                l.dedup();
                facts.person_labs = l;
            }
            _ => {}
        }
        Ok(facts)
    }
}
