//! The limits against honest registers: every document of the demo data,
//! whole (a first sync, a bundle) and change by change, and every message
//! of a first sync to an empty peer, are measured and must sit well under
//! the limits. `cargo test -p taccuino-tests --test limits_margin -- --ignored --nocapture`
//! prints the figures of the five-year lab (`DemoSize::LargeOneLab`) that
//! `docs/decisions/0015-bounded-work-on-peer-bytes.md` records.

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ReadDoc};
use crdt_sync::Replication;

use crdt_sync::sync::limits::{
    Cost, MAX_CHANGE_BYTES, MAX_CHANGES_PER_MESSAGE, MAX_INFLATED_PER_MESSAGE, MAX_OPS_PER_CHANGE,
    MAX_OPS_PER_MESSAGE,
};
use taccuino_demo::{self as demo, DemoSize};

#[derive(Debug, Default)]
struct Largest {
    save: Cost,
    save_bytes: usize,
    message: Cost,
    message_bytes: usize,
    change_bytes: usize,
    change_ops: u64,
}

fn measure(size: DemoSize) -> Largest {
    let mut store = crdt_sync::testing::store(1, 2, 1..=9999);
    demo::populate(&mut store, size, 2026).expect("demo");
    let mut l = Largest::default();
    for r in store.doc_refs().expect("docs") {
        let save = store.export_doc(r).expect("save");
        let cost = Cost::of_chunks(&save).expect("an honest save passes");
        if cost.inflated_bytes > l.save.inflated_bytes {
            (l.save, l.save_bytes) = (cost, save.len());
        }
        let doc = Automerge::load(&save).expect("load");
        for mut c in doc.get_changes(&[]) {
            let bytes = c.bytes().into_owned();
            let cost = Cost::of_chunks(&bytes).expect("an honest change passes");
            assert_eq!(cost.ops, c.len() as u64);
            l.change_bytes = l.change_bytes.max(c.raw_bytes().len());
            l.change_ops = l.change_ops.max(cost.ops);
        }
        // A first sync to a peer that holds nothing, as the hub answers a
        // new coordinator's device (automerge may send the whole save).
        let mut peer = Automerge::new();
        let (mut ours, mut theirs) = (sync::State::new(), sync::State::new());
        for _ in 0..20 {
            let a = doc.generate_sync_message(&mut ours);
            if let Some(m) = &a {
                let bytes = m.clone().encode();
                let cost = Cost::of_sync_message(&bytes).expect("an honest message passes");
                if cost.inflated_bytes > l.message.inflated_bytes {
                    (l.message, l.message_bytes) = (cost, bytes.len());
                }
                peer.receive_sync_message(&mut theirs, m.clone()).expect("peer");
            }
            let b = peer.generate_sync_message(&mut theirs);
            if let Some(m) = &b {
                let mut d = doc.clone();
                d.receive_sync_message(&mut ours, m.clone()).expect("doc");
            }
            if a.is_none() && b.is_none() {
                break;
            }
        }
        assert_eq!(peer.get_heads().len(), doc.get_heads().len(), "{r}: the first sync completes");
        assert!(peer.length(automerge::ROOT) > 0);
    }
    println!("{size:?}: {l:#?}");
    l
}

fn assert_margin(l: &Largest, margin: u64) {
    for cost in [l.save, l.message] {
        assert!(cost.inflated_bytes * margin <= MAX_INFLATED_PER_MESSAGE, "{l:?}");
        assert!(cost.ops * margin <= MAX_OPS_PER_MESSAGE, "{l:?}");
        assert!(cost.changes * margin <= MAX_CHANGES_PER_MESSAGE, "{l:?}");
    }
    assert!(l.change_bytes as u64 * margin <= MAX_CHANGE_BYTES, "{l:?}");
    assert!(l.change_ops * margin <= MAX_OPS_PER_CHANGE, "{l:?}");
}

#[test]
fn honest_small_register_is_far_under_the_limits() {
    let l = measure(DemoSize::Small);
    assert_margin(&l, 20);
}

/// Slow in a debug build (a minute or more): run with `--ignored`.
#[test]
#[ignore]
fn honest_large_lab_is_under_the_limits_with_a_margin() {
    let l = measure(DemoSize::LargeOneLab);
    assert_margin(&l, 8);
}
