//! Everything a store shows from outside, taken at one moment: to prove that
//! an operation that was refused changed nothing, compare a snapshot taken
//! before with one taken after.

use std::collections::BTreeMap;

use crdt_sync::{ChangeHash, DocRef, Maintenance, Replication, Store};

/// The documents a store holds, their heads, its fingerprint and every
/// projected row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The heads of every document the store holds.
    pub heads: BTreeMap<DocRef, Vec<ChangeHash>>,
    /// [`Store::fingerprint`] over those documents.
    pub fingerprint: String,
    /// [`Store::projection_dump`].
    pub projection: Vec<String>,
}

impl Snapshot {
    /// Takes a snapshot of `store`.
    pub fn take(store: &mut Store) -> crdt_sync::Result<Snapshot> {
        let docs = store.doc_refs()?;
        let mut heads = BTreeMap::new();
        for r in &docs {
            let mut h = store.heads(*r)?;
            h.sort();
            heads.insert(*r, h);
        }
        Ok(Snapshot { fingerprint: store.fingerprint(&docs)?, projection: store.projection_dump()?, heads })
    }

    /// `None` when `self` equals `after`, otherwise the first difference, in
    /// words (dumps are long: printing both would hide the difference).
    pub fn difference(&self, after: &Snapshot) -> Option<String> {
        if self.heads.keys().ne(after.heads.keys()) {
            let before: Vec<_> = self.heads.keys().map(ToString::to_string).collect();
            let now: Vec<_> = after.heads.keys().map(ToString::to_string).collect();
            return Some(format!("documents were {before:?}, now {now:?}"));
        }
        for (r, h) in &self.heads {
            if after.heads.get(r) != Some(h) {
                return Some(format!("the heads of {r} changed"));
            }
        }
        if self.projection != after.projection {
            let gone = self.projection.iter().find(|row| !after.projection.contains(row));
            let new = after.projection.iter().find(|row| !self.projection.contains(row));
            return Some(format!(
                "the projection changed ({} rows, now {}); first row gone: {gone:?}; first row new: {new:?}",
                self.projection.len(),
                after.projection.len()
            ));
        }
        if self.fingerprint != after.fingerprint {
            return Some(format!(
                "the fingerprint changed from {} to {}",
                self.fingerprint, after.fingerprint
            ));
        }
        None
    }

    /// Panics, saying what changed and after `what`, unless `store` still
    /// looks exactly like `self`.
    pub fn assert_unchanged(&self, store: &mut Store, what: &str) {
        let after = Snapshot::take(store).expect("a store can always be snapshotted");
        if let Some(d) = self.difference(&after) {
            panic!("{what} changed the store: {d}");
        }
    }
}
