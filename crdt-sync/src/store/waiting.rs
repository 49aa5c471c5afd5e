//! Changes that wait for a change they depend on, bounded.
//!
//! automerge queues a change that arrives before a change it depends on
//! (in an honest sync, when a Bloom filter is wrong), and the store keeps
//! the document with its queue so the change applies once its dependency
//! arrives (`store::sync`). automerge does not say how long its queue is,
//! so the store counts what it let wait, per cached document, and refuses
//! more than [`MAX_WAITING_CHANGES`] / [`MAX_WAITING_BYTES`] per document
//! and [`MAX_WAITING_BYTES_IN_ALL`] across documents.

use automerge::{Automerge, ReadDoc};

use super::Store;
use crate::doc::DocRef;
use crate::doc::limits::{Cost, MAX_WAITING_BYTES, MAX_WAITING_BYTES_IN_ALL, MAX_WAITING_CHANGES};
use crate::error::{Error, Result};

/// What a document keeps waiting for a change it depends on: changes that
/// arrived before their dependency, held in the cached document's queue
/// (an upper bound: counted as they arrive, cleared once none waits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Waiting {
    changes: u64,
    bytes: u64,
}

impl Waiting {
    pub(crate) fn add(self, cost: Cost) -> Waiting {
        Waiting {
            changes: self.changes.saturating_add(cost.changes),
            bytes: self.bytes.saturating_add(cost.inflated_bytes),
        }
    }
}

impl Store {
    /// Refuses, before automerge parses or applies anything, changes (their
    /// hashes and dependencies: `doc::scan::change_links`) of which more
    /// would wait for a change neither `r` nor the same message holds than
    /// [`MAX_WAITING_CHANGES`] allows: a flood of changes depending on
    /// hashes never sent costs a look-up each here, instead of automerge
    /// queueing them all on a copy of the document first (tens of MB per
    /// frame; the insider flood test).
    pub(crate) fn check_would_wait(
        &self,
        r: DocRef,
        changes: &[(automerge::ChangeHash, Vec<automerge::ChangeHash>)],
    ) -> Result<()> {
        let here: std::collections::HashSet<automerge::ChangeHash> =
            changes.iter().map(|(h, _)| *h).collect();
        let doc = self.docs.get(&r);
        let known = |h: &automerge::ChangeHash| {
            here.contains(h) || doc.is_some_and(|d| d.get_change_meta_by_hash(h).is_some())
        };
        let waiting = changes.iter().filter(|(_, deps)| !deps.iter().all(known)).count() as u64;
        let already = self.waiting_tally(r).changes;
        if waiting.saturating_add(already) > MAX_WAITING_CHANGES {
            return Err(Error::TooLarge {
                doc: r.to_string(),
                reason: format!(
                    "{waiting} changes depend on changes never sent ({already} already wait; at most \
                     {MAX_WAITING_CHANGES})"
                ),
            });
        }
        Ok(())
    }

    /// What `r`'s cached document keeps waiting; nothing when the document
    /// waits for nothing (its queue is empty, or it was reloaded from disk,
    /// which drops the queue).
    pub(crate) fn waiting_tally(&self, r: DocRef) -> Waiting {
        match self.docs.get(&r) {
            Some(d) if !d.get_missing_deps(&[]).is_empty() => {
                self.waiting.get(&r).copied().unwrap_or_default()
            }
            _ => Waiting::default(),
        }
    }

    pub(crate) fn set_waiting(&mut self, r: DocRef, tally: Waiting) {
        if tally == Waiting::default() {
            self.waiting.remove(&r);
        } else {
            self.waiting.insert(r, tally);
        }
    }

    /// Keeps `copy` of `r`, whose new changes (costing `cost`) wait for a
    /// change they depend on, unless the document would then keep more
    /// waiting than [`MAX_WAITING_CHANGES`] or [`MAX_WAITING_BYTES`]: a peer
    /// could otherwise send changes that never apply until memory runs out.
    /// Across the store, no more than [`MAX_WAITING_BYTES_IN_ALL`] wait: a
    /// device that may write many documents (its lab's families) cannot
    /// multiply the per-document bound by their number.
    pub(crate) fn wait(&mut self, r: DocRef, cost: Cost, copy: Automerge) -> Result<()> {
        let tally = self.waiting_tally(r).add(cost);
        // Tallies of documents whose queue is gone (applied, or the
        // document reloaded) no longer count.
        let stale: Vec<DocRef> =
            self.waiting.keys().copied().filter(|d| self.waiting_tally(*d) == Waiting::default()).collect();
        for d in stale {
            self.waiting.remove(&d);
        }
        let others: u64 = self.waiting.iter().filter(|(d, _)| **d != r).map(|(_, w)| w.bytes).sum();
        let too_many = |what: String| Error::TooLarge {
            doc: r.to_string(),
            reason: format!("{what} would wait for changes they depend on: send those first"),
        };
        if tally.changes > MAX_WAITING_CHANGES || tally.bytes > MAX_WAITING_BYTES {
            return Err(too_many(format!(
                "{} changes ({} bytes; at most {MAX_WAITING_CHANGES}, {MAX_WAITING_BYTES} bytes)",
                tally.changes, tally.bytes
            )));
        }
        if others.saturating_add(tally.bytes) > MAX_WAITING_BYTES_IN_ALL {
            return Err(too_many(format!("in all documents, more than {MAX_WAITING_BYTES_IN_ALL} bytes")));
        }
        self.docs.insert(r, copy);
        self.set_waiting(r, tally);
        Ok(())
    }
}
