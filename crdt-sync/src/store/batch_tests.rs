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

#[test]
fn turns_in_one_transaction_keep_each_other_and_a_failed_one_goes_alone() {
    let mut a = store(1);
    let (l1, l2, l3) = (lab(&mut a, 1), lab(&mut a, 2), lab(&mut a, 3));
    let project: Vec<DocRef> =
        a.doc_refs().expect("docs").into_iter().filter(|r| r.kind == crate::doc::DocKind::Project).collect();
    let first = a.export_doc(DocRef::lab(l1)).expect("export");
    // A family in lab 1 after the first export: a later lab 1 document.
    let h = family(&mut a, l1);
    let later = [DocRef::lab(l1), DocRef::household(h)].map(|r| (r, a.export_doc(r).expect("export")));
    let export = |a: &mut crate::Store, r: DocRef| (r, a.export_doc(r).expect("export"));
    let turns: Vec<Vec<(DocRef, Vec<u8>)>> = vec![
        project.iter().map(|r| export(&mut a, *r)).chain([(DocRef::lab(l1), first)]).collect(),
        // Lab 2 and the later lab 1, then a failure: undone, lab 1 stays
        // as the first turn left it, in the file and in memory.
        [export(&mut a, DocRef::lab(l2))].into_iter().chain(later.clone()).collect(),
        vec![export(&mut a, DocRef::lab(l3))],
    ];
    let mut b = store(2);
    let outs = b
        .in_one_transaction_each(turns.len(), |i, b| {
            for (r, bytes) in &turns[i] {
                b.apply_bytes(*r, bytes)?;
            }
            if i == 1 {
                assert!(b.has_doc(DocRef::household(h))?, "inside its turn, the turn's writes are seen");
                return Err(Error::Internal("this device's turn failed".into()));
            }
            // The third turn sees the first's writes, not the second's.
            Ok((b.has_doc(DocRef::lab(l1))?, b.has_doc(DocRef::lab(l2))?))
        })
        .expect("the transaction commits");
    assert_eq!(outs.len(), 3);
    assert_eq!(*outs[0].as_ref().expect("first turn"), (true, false));
    assert!(outs[1].is_err(), "the second turn's own failure");
    assert_eq!(*outs[2].as_ref().expect("third turn"), (true, false));
    for l in [l1, l3] {
        assert!(b.has_doc(DocRef::lab(l)).expect("has"), "labs 1 and 3 kept");
    }
    assert!(!b.has_doc(DocRef::lab(l2)).expect("has"), "lab 2 undone");
    assert!(!b.has_doc(DocRef::household(h)).expect("has"), "the family undone");
    assert_eq!(
        b.heads(DocRef::lab(l1)).expect("heads"),
        {
            let mut c = store(3);
            c.apply_bytes(DocRef::lab(l1), &turns[0].last().expect("lab 1").1).expect("apply");
            c.heads(DocRef::lab(l1)).expect("heads")
        },
        "lab 1 as the first turn left it, not the second's later copy"
    );
    // The store goes on: the undone turn again, alone.
    for (r, bytes) in &later {
        b.apply_bytes(*r, bytes).expect("apply");
    }
    assert!(b.household(h).is_ok(), "and the family comes");
}

#[test]
fn turns_asked_for_inside_a_transaction_are_refused() {
    let mut b = store(2);
    let got = b.in_one_transaction(|b| b.in_one_transaction_each(1, |_, _| Ok(())));
    assert!(got.is_err(), "one transaction cannot hold another's turns");
    assert!(b.labs().expect("the store goes on").is_empty());
}
