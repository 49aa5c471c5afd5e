//! [`Replication::in_one_transaction`]: many commits, one transaction, and
//! nothing half-kept when it fails.

use crate::doc::DocRef;
use crate::error::Error;
use crate::store::{Families, ProjectSettings, Replication};
use crate::testing::one_family::{family, lab, store};

#[test]
fn commits_inside_are_kept_together_and_a_refused_one_alone_is_undone() {
    let mut a = store(1);
    let l = lab(&mut a, 1);
    let h = family(&mut a, l);
    let docs = a.doc_refs().expect("docs");
    let mut b = store(2);
    let kept = b
        .in_one_transaction(|b| {
            for r in &docs {
                let bytes = a.export_doc(*r).expect("export");
                b.apply_bytes(*r, &bytes)?;
                // Garbage in the middle: refused, and the batch goes on.
                assert!(b.apply_bytes(DocRef::lab(l), b"not automerge").is_err());
            }
            Ok(b.doc_refs()?.len())
        })
        .expect("batch");
    assert_eq!(kept, docs.len(), "inside, every commit is visible");
    assert_eq!(b.doc_refs().expect("docs"), docs);
    assert_eq!(b.labs().expect("labs").len(), 1, "and projected");
    assert_eq!(b.household(h).expect("family").members.len(), a.household(h).expect("family").members.len());
}

#[test]
fn a_batch_that_fails_keeps_nothing_of_it_in_the_file_or_in_memory() {
    let mut a = store(1);
    let l = lab(&mut a, 1);
    family(&mut a, l);
    let docs = a.doc_refs().expect("docs");
    let mut b = store(2);
    let before = b.doc_refs().expect("docs");
    let got: crate::Result<()> = b.in_one_transaction(|b| {
        for r in &docs {
            let bytes = a.export_doc(*r).expect("export");
            b.apply_bytes(*r, &bytes)?;
        }
        Err(Error::Internal("the disk went away".into()))
    });
    assert!(got.is_err());
    assert_eq!(b.doc_refs().expect("docs"), before);
    assert!(b.labs().expect("labs").is_empty());
    assert!(!b.has_doc(DocRef::lab(l)).expect("has"), "not even in memory");
    // And the store goes on working: the same documents, outside a batch.
    for r in &docs {
        let bytes = a.export_doc(*r).expect("export");
        b.apply_bytes(*r, &bytes).expect("apply");
    }
    assert_eq!(b.labs().expect("labs").len(), 1);
}
