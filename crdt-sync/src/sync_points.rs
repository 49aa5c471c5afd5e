//! Sync points: for each document, the heads a device and its hub were both
//! known to hold when their last sync settled (decision 0023).
//!
//! Both sides keep their own copy ([`crate::SyncMemory`]). A device opens a
//! sync with a digest of its points and only the documents that moved since;
//! the hub answers from its copy only if its digest is the same, and asks
//! for a full `Hello` otherwise (a restored hub, a device restored from an
//! older copy, a sync that ended before both sides recorded the same
//! points). Whatever a point says, every change is still checked where it is
//! applied: a point decides what is offered, never what is accepted.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use automerge::sync;
use sha2::{Digest, Sha256};

use crate::doc::DocRef;
use crate::ids::DeviceId;

/// Whose points: a device keeps those of its hub, the hub those of each
/// device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// On a device: the hub it is paired with (a device pairs once).
    Hub,
    /// On the hub: one enrolled device.
    Device(DeviceId),
}

impl Peer {
    /// The key its points are stored under.
    pub fn key(self) -> String {
        match self {
            Peer::Hub => "hub".into(),
            Peer::Device(id) => id.to_string(),
        }
    }
}

/// For each document, heads both sides hold (sorted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncPoints(BTreeMap<DocRef, Vec<ChangeHash>>);

impl SyncPoints {
    /// No points: the next sync is a full one.
    pub fn new() -> Self {
        SyncPoints::default()
    }

    /// The heads of `doc` both sides hold, if known.
    pub fn get(&self, doc: &DocRef) -> Option<&[ChangeHash]> {
        self.0.get(doc).map(Vec::as_slice)
    }

    /// Records that both sides hold `heads` of `doc`.
    pub fn insert(&mut self, doc: DocRef, mut heads: Vec<ChangeHash>) {
        heads.sort();
        heads.dedup();
        self.0.insert(doc, heads);
    }

    /// Forgets `doc`.
    pub fn remove(&mut self, doc: &DocRef) {
        self.0.remove(doc);
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many documents have a point.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The documents and their heads, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&DocRef, &[ChangeHash])> {
        self.0.iter().map(|(d, h)| (d, h.as_slice()))
    }

    /// The documents.
    pub fn docs(&self) -> impl Iterator<Item = &DocRef> {
        self.0.keys()
    }

    /// A digest both sides compute alike from the same points: the first 8
    /// bytes of SHA-256 over each document's key and sorted heads, in
    /// document order. Sent in a `Hello` and a `Done`.
    pub fn digest(&self) -> u64 {
        let mut hasher = Sha256::new();
        for (doc, heads) in &self.0 {
            hasher.update(doc.to_string().as_bytes());
            hasher.update((heads.len() as u32).to_be_bytes());
            for h in heads {
                hasher.update(h.0);
            }
        }
        let d = hasher.finalize();
        u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }

    /// A fresh automerge sync state for `doc` that starts from its point:
    /// the first message then summarises only the changes since, not the
    /// whole history. Without a point, automerge's default.
    pub fn state(&self, doc: &DocRef) -> sync::State {
        let mut state = sync::State::new();
        if let Some(heads) = self.0.get(doc) {
            state.shared_heads = heads.clone();
        }
        state
    }

    /// Device: an automerge sync state for `doc` that takes the hub to
    /// hold exactly its point (as if the hub had just said so), so that
    /// the first message already carries every change made here since:
    /// sent with the `Hello`, it saves the round trip automerge spends
    /// learning what the peer has. `None` without a point. Should the hub
    /// hold less (it was restored), automerge's own reset recovers, and
    /// the hub asks for a full `Hello` anyway when its points differ.
    pub fn primed_state(&self, doc: &DocRef) -> Option<sync::State> {
        let heads = self.0.get(doc)?;
        let mut state = self.state(doc);
        state.their_heads = Some(heads.clone());
        state.their_need = Some(Vec::new());
        state.their_have =
            Some(vec![sync::Have { last_sync: heads.clone(), bloom: sync::BloomFilter::default() }]);
        Some(state)
    }
}

impl FromIterator<(DocRef, Vec<ChangeHash>)> for SyncPoints {
    fn from_iter<I: IntoIterator<Item = (DocRef, Vec<ChangeHash>)>>(iter: I) -> Self {
        let mut points = SyncPoints::new();
        for (doc, heads) in iter {
            points.insert(doc, heads);
        }
        points
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::LabId;

    fn lab(n: u128) -> DocRef {
        DocRef::lab(LabId(Uuid::from_u128(n)))
    }

    #[test]
    fn the_digest_depends_on_every_document_and_head_but_not_on_their_order() {
        let (a, b) = (ChangeHash([1; 32]), ChangeHash([2; 32]));
        let one: SyncPoints = [(lab(1), vec![a, b]), (lab(2), vec![a])].into_iter().collect();
        let same: SyncPoints = [(lab(2), vec![a]), (lab(1), vec![b, a])].into_iter().collect();
        assert_eq!(one.digest(), same.digest());
        let fewer: SyncPoints = [(lab(1), vec![a, b])].into_iter().collect();
        let other_heads: SyncPoints = [(lab(1), vec![a]), (lab(2), vec![a])].into_iter().collect();
        let moved: SyncPoints = [(lab(1), vec![a, b]), (lab(2), vec![b])].into_iter().collect();
        for other in [&fewer, &other_heads, &moved, &SyncPoints::new()] {
            assert_ne!(one.digest(), other.digest(), "{other:?}");
        }
    }

    #[test]
    fn a_state_starts_from_the_point_when_there_is_one() {
        let points: SyncPoints = [(lab(1), vec![ChangeHash([7; 32])])].into_iter().collect();
        assert_eq!(points.state(&lab(1)).shared_heads, vec![ChangeHash([7; 32])]);
        assert!(points.state(&lab(2)).shared_heads.is_empty());
    }
}
