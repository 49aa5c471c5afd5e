//! The documents a store has loaded, each with its heads once read.
//!
//! automerge's `get_heads` collects and sorts a hash set whose table keeps
//! the size it grew to while the document loaded (thousands of slots for
//! a lab document of a few years), and a hub asks a device's ~200
//! documents' heads at every `Hello`: the heads are remembered here, and
//! forgotten by every way a document can change (decision 0039).

use std::collections::HashMap;

use automerge::{Automerge, ChangeHash};

use crate::doc::DocRef;

/// Loaded documents by reference. Mutable access to one forgets its heads,
/// so what is remembered is always what `get_heads` would answer.
#[derive(Default)]
pub(super) struct Loaded {
    docs: HashMap<DocRef, Entry>,
}

struct Entry {
    doc: Automerge,
    /// `doc.get_heads()`, once asked for since the document last changed.
    heads: Option<Vec<ChangeHash>>,
}

impl Loaded {
    pub(super) fn contains_key(&self, r: &DocRef) -> bool {
        self.docs.contains_key(r)
    }

    pub(super) fn get(&self, r: &DocRef) -> Option<&Automerge> {
        self.docs.get(r).map(|e| &e.doc)
    }

    /// The document to change: its heads are read again next time.
    pub(super) fn get_mut(&mut self, r: &DocRef) -> Option<&mut Automerge> {
        self.docs.get_mut(r).map(|e| {
            e.heads = None;
            &mut e.doc
        })
    }

    /// `r`'s heads, sorted (as `get_heads` gives them).
    pub(super) fn heads(&mut self, r: &DocRef) -> Option<&[ChangeHash]> {
        let e = self.docs.get_mut(r)?;
        Some(e.heads.get_or_insert_with(|| e.doc.get_heads()))
    }

    pub(super) fn insert(&mut self, r: DocRef, doc: Automerge) {
        self.docs.insert(r, Entry { doc, heads: None });
    }

    pub(super) fn remove(&mut self, r: &DocRef) -> Option<Automerge> {
        self.docs.remove(r).map(|e| e.doc)
    }

    pub(super) fn clear(&mut self) {
        self.docs.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.docs.len()
    }

    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    #[cfg(test)]
    pub(super) fn keys(&self) -> impl Iterator<Item = &DocRef> {
        self.docs.keys()
    }

    /// Every document, to change: their heads are read again next time.
    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut Automerge> {
        self.docs.values_mut().map(|e| {
            e.heads = None;
            &mut e.doc
        })
    }
}

#[cfg(test)]
mod tests {
    use automerge::ROOT;
    use automerge::transaction::Transactable;

    use super::*;
    use crate::ids::LabId;

    fn loaded_with(doc: Automerge) -> (Loaded, DocRef) {
        let r = DocRef::lab(LabId(uuid::Uuid::from_u128(7)));
        let mut l = Loaded::default();
        l.insert(r, doc);
        (l, r)
    }

    fn edit(doc: &mut Automerge, key: &str) {
        let mut tx = doc.transaction();
        tx.put(ROOT, key, 1).expect("put");
        tx.commit();
    }

    #[test]
    fn heads_follow_every_change() {
        let (mut l, r) = loaded_with(Automerge::new());
        assert_eq!(l.heads(&r), Some(&[][..]));
        edit(l.get_mut(&r).expect("loaded"), "a");
        let after_edit = l.get(&r).expect("loaded").get_heads();
        assert_eq!(l.heads(&r), Some(&after_edit[..]));
        assert_eq!(after_edit.len(), 1);

        // A change received from elsewhere, by way of `values_mut`.
        let mut other = l.get(&r).expect("loaded").fork();
        edit(&mut other, "b");
        l.values_mut().next().expect("one document").merge(&mut other).expect("merge");
        assert_eq!(l.heads(&r), Some(&other.get_heads()[..]));
        assert_ne!(other.get_heads(), after_edit);

        // Replaced whole, and gone.
        l.insert(r, Automerge::new());
        assert_eq!(l.heads(&r), Some(&[][..]));
        l.remove(&r);
        assert_eq!(l.heads(&r), None);
    }
}
