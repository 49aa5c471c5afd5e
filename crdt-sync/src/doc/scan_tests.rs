//! Tests of the bounded scan: honest chunks of every kind pass with the
//! figures automerge itself reports; bombs (inflation, run lengths) are
//! refused quickly; garbage and mutations of real chunks never panic.

use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT};
use proptest::prelude::*;

use super::scan::scan;
use crate::doc::limits::{
    BytesRefused, Cost, MAX_CHANGE_BYTES, MAX_INFLATED_PER_MESSAGE, MAX_OPS_PER_CHANGE, MAX_OPS_PER_MESSAGE,
};
use crate::testing::chunks::{
    change_body, chunk, chunk_with, data_of, document_with_one_deflated_column, inflated_size, sleb, uleb,
    zeros_bomb,
};

fn sample_doc(notes: usize) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "kind", "lab")?;
        let m = tx.put_object(ROOT, "meetings", ObjType::Map)?;
        for i in 0..40 {
            tx.put(&m, format!("m{i}"), i as i64)?;
        }
        let t = tx.put_object(ROOT, "notes", ObjType::Text)?;
        tx.splice_text(&t, 0, 0, &"Nota della riunione: presenti le famiglie. ".repeat(notes))?;
        Ok(())
    })
    .expect("write");
    doc
}

#[test]
fn an_uncompressed_change_passes_with_automerges_op_count() {
    let doc = sample_doc(0);
    let change = doc.get_changes(&[]).into_iter().next().expect("a change");
    let raw = change.raw_bytes();
    assert_eq!(raw[8], 1, "a change chunk");
    let cost = scan(raw).expect("honest change");
    assert_eq!(cost, Cost { changes: 1, ops: change.len() as u64, inflated_bytes: raw.len() as u64 });
}

#[test]
fn a_compressed_change_passes_with_automerges_op_count() {
    let doc = sample_doc(20);
    let mut change = doc.get_changes(&[]).into_iter().next().expect("a change").clone();
    let ops = change.len() as u64;
    let raw_len = change.raw_bytes().len();
    let bytes = change.bytes().into_owned();
    assert!(raw_len > 256, "automerge compresses only above 256 bytes");
    assert_eq!(bytes[8], 2, "a compressed change chunk");
    assert!(bytes.len() < raw_len);
    let cost = scan(&bytes).expect("honest compressed change");
    assert_eq!((cost.changes, cost.ops), (1, ops));
    assert!(cost.inflated_bytes > bytes.len() as u64 && cost.inflated_bytes < raw_len as u64, "{cost:?}");
    // And automerge takes it after the scan.
    assert!(crate::doc::bytes::parse(&bytes).is_ok());
}

#[test]
fn a_document_save_with_compressed_columns_passes() {
    let doc = sample_doc(30);
    let save = doc.save();
    let plain = doc.save_nocompress();
    assert!(save.len() < plain.len(), "the save has DEFLATE-compressed columns");
    let ops: u64 = doc.get_changes(&[]).iter().map(|c| c.len() as u64).sum();
    for bytes in [&save, &plain] {
        let cost = scan(bytes).expect("honest save");
        assert_eq!((cost.changes, cost.ops), (1, ops));
    }
    assert!(scan(&save).expect("save").inflated_bytes > save.len() as u64);
    // A save and changes back to back, as bundles and apply_bytes take them.
    let both = [save.clone(), doc.get_changes(&[])[0].raw_bytes().to_vec()].concat();
    assert_eq!(scan(&both).expect("both").changes, 2);
}

#[test]
fn many_changes_are_counted_one_by_one() {
    let mut doc = Automerge::new();
    for i in 0..50 {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "n", i as i64).map(drop))
            .expect("write");
    }
    let changes = doc.save_after(&[]);
    let cost = scan(&changes).expect("changes");
    assert_eq!((cost.changes, cost.ops), (50, 50));
    let save = scan(&doc.save()).expect("save");
    assert_eq!((save.changes, save.ops), (50, 50));
}

fn is_too_large(r: Result<Cost, BytesRefused>) -> bool {
    matches!(r, Err(BytesRefused::TooLarge(_)))
}

fn quickly<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!("{what}: {took:?}");
    assert!(took < Duration::from_secs(5), "{what} took {took:?}");
    out
}

#[test]
fn compressed_change_bombs_are_refused_quickly() {
    for size in [1 << 20, crate::sync::MAX_FRAME - 1024] {
        let bomb = zeros_bomb(size, u64::MAX);
        let bytes = chunk_with(2, &bomb, 1, b"unknown");
        let got = quickly(&format!("a {size}-byte compressed change"), || scan(&bytes));
        assert!(is_too_large(got.clone()), "{got:?}");
    }
}

#[test]
fn a_document_column_bomb_is_refused_quickly() {
    // One deflated op column (spec: id 2, integer, deflate bit) of zeros.
    let bytes = document_with_one_deflated_column(&zeros_bomb(crate::sync::MAX_FRAME - 1024, u64::MAX));
    let got = quickly("a 16 MiB document column bomb", || scan(&bytes));
    assert!(is_too_large(got.clone()), "{got:?}");
    assert!(inflated_size(&zeros_bomb(1 << 16, 1 << 21)) >= 1 << 21, "the bomb does inflate");
}

#[test]
fn inflation_just_over_a_change_is_refused_and_just_under_passes_the_cap() {
    // Zeros are no change: under the cap, the scan reads the body and
    // finds it malformed; over the cap, it never gets there.
    let under = zeros_bomb(1, 1 << 20); // exactly 1 MiB of zeros
    assert_eq!(inflated_size(&under), MAX_CHANGE_BYTES);
    let got = scan(&chunk_with(2, &under, 1, &vec![0; 1 << 20]));
    assert!(matches!(got, Err(BytesRefused::Malformed(_))), "{got:?}");
    let over = zeros_bomb(2 * 1100, 2 << 20);
    assert!(is_too_large(scan(&chunk_with(2, &over, 1, b"x"))));
}

#[test]
fn a_run_length_bomb_is_refused() {
    // One integer column: a single run of a billion rows, in six bytes.
    let mut run = Vec::new();
    sleb(&mut run, 1_000_000_000);
    uleb(&mut run, 1);
    let body = change_body(&[((4 << 4) | 2, run)]);
    let got = quickly("a billion-row run", || scan(&chunk(1, &body)));
    assert!(is_too_large(got.clone()), "{got:?}");
    // A null run, a boolean run, a delta run: the same.
    for (spec, data) in [
        (
            (1 << 4) | 1,
            [vec![0], {
                let mut v = Vec::new();
                uleb(&mut v, u64::MAX);
                v
            }]
            .concat(),
        ),
        ((3 << 4) | 4, {
            let mut v = Vec::new();
            uleb(&mut v, 0);
            uleb(&mut v, 1 << 40);
            v
        }),
        ((2 << 4) | 3, {
            let mut v = Vec::new();
            sleb(&mut v, i64::MAX);
            sleb(&mut v, -3);
            v
        }),
    ] {
        let got = scan(&chunk(1, &change_body(&[(spec, data)])));
        assert!(is_too_large(got.clone()), "spec {spec}: {got:?}");
    }
    // Many runs, each under the limit, over it together.
    let mut runs = Vec::new();
    for _ in 0..3 {
        sleb(&mut runs, (MAX_OPS_PER_CHANGE / 2) as i64);
        uleb(&mut runs, 9);
    }
    assert!(is_too_large(scan(&chunk(1, &change_body(&[((4 << 4) | 2, runs)])))));
    // Exactly the limit passes.
    let mut at = Vec::new();
    sleb(&mut at, MAX_OPS_PER_CHANGE as i64);
    uleb(&mut at, 9);
    assert_eq!(
        scan(&chunk(1, &change_body(&[((4 << 4) | 2, at)]))).expect("at the limit").ops,
        MAX_OPS_PER_CHANGE
    );
}

#[test]
fn operations_add_up_across_a_message() {
    let change = |n: u64| {
        let mut run = Vec::new();
        sleb(&mut run, n as i64);
        uleb(&mut run, 9);
        chunk(1, &change_body(&[((4 << 4) | 2, run)]))
    };
    let count = MAX_OPS_PER_MESSAGE / MAX_OPS_PER_CHANGE;
    let ok: Vec<u8> = (0..count).flat_map(|_| change(MAX_OPS_PER_CHANGE)).collect();
    assert_eq!(scan(&ok).expect("at the limit").ops, MAX_OPS_PER_MESSAGE);
    let over = [ok, change(1)].concat();
    assert!(is_too_large(scan(&over)));
}

#[test]
fn bundle_chunks_and_unknown_types_are_refused() {
    for t in [3u8, 4, 0xff] {
        let got = scan(&chunk(t, b"whatever"));
        assert!(matches!(got, Err(BytesRefused::Malformed(_))), "type {t}: {got:?}");
    }
}

#[test]
fn a_literal_run_longer_than_its_bytes_is_malformed_not_slow() {
    let mut lit = Vec::new();
    sleb(&mut lit, -(1 << 40));
    uleb(&mut lit, 1);
    let got = quickly("a literal run of 2^40", || scan(&chunk(1, &change_body(&[((4 << 4) | 2, lit)]))));
    assert!(matches!(got, Err(BytesRefused::Malformed(_))), "{got:?}");
}

#[test]
fn every_truncation_of_honest_chunks_is_refused() {
    let doc = sample_doc(20);
    let mut change = doc.get_changes(&[])[0].clone();
    for bytes in [doc.save(), change.raw_bytes().to_vec(), change.bytes().into_owned()] {
        for cut in 0..bytes.len() {
            assert!(scan(&bytes[..cut]).is_err(), "cut at {cut} of {} accepted", bytes.len());
        }
    }
}

fn honest_chunks() -> Vec<Vec<u8>> {
    let doc = sample_doc(20);
    let mut change = doc.get_changes(&[])[0].clone();
    let small = sample_doc(0);
    vec![
        doc.save(),
        doc.save_nocompress(),
        change.raw_bytes().to_vec(),
        change.bytes().into_owned(),
        small.save(),
        small.get_changes(&[])[0].raw_bytes().to_vec(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random bytes, with or without a chunk header in front: an error or
    /// a bounded cost, never a panic.
    #[test]
    fn random_bytes_never_panic(
        t in 0u8..5,
        body in proptest::collection::vec(any::<u8>(), 0..400),
        framed in any::<bool>(),
    ) {
        let bytes = if framed { chunk(t, &body) } else { body };
        if let Ok(cost) = scan(&bytes) {
            prop_assert!(cost.check().is_ok());
        }
        let _ = crate::doc::bytes::parse(&bytes);
    }

    /// Mutations of real chunks (a byte changed, bytes inserted or cut),
    /// with the checksum recomputed so the walk goes past the header: an
    /// error or a bounded cost, never a panic, in the scan and in the parse.
    #[test]
    fn mutated_real_chunks_never_panic(
        which in 0usize..6,
        at in any::<prop::sample::Index>(),
        op in 0u8..3,
        byte in any::<u8>(),
        fix_checksum in any::<bool>(),
    ) {
        let mut bytes = honest_chunks().swap_remove(which);
        let i = at.index(bytes.len());
        match op {
            0 => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            _ => { bytes.remove(i); }
        }
        if fix_checksum && bytes.len() > 10 && (bytes[8] == 0 || bytes[8] == 1) {
            // Re-frame the (mutated) data so its checksum matches.
            let t = bytes[8];
            if let Some(data) = data_of(&bytes) {
                bytes = chunk(t, &data);
            }
        }
        if let Ok(cost) = scan(&bytes) {
            prop_assert!(cost.check().is_ok());
        }
        let _ = crate::doc::bytes::parse(&bytes);
    }
}

/// The inflated size of the bombs above is as claimed (the test would
/// otherwise pass on bombs that do not inflate).
#[test]
fn the_bombs_are_real() {
    let bomb = zeros_bomb(1 << 20, u64::MAX);
    assert!(bomb.len() <= (1 << 20) + 4096);
    let mut d = flate2::read::DeflateDecoder::new(&bomb[..]);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    // Read only past the per-message cap, then stop.
    while total <= MAX_INFLATED_PER_MESSAGE {
        let n = std::io::Read::read(&mut d, &mut buf).expect("inflate");
        assert!(n > 0, "the bomb ended at {total} bytes");
        total += n as u64;
    }
}

/// The hash and dependencies read from a change's bytes are automerge's own.
#[test]
fn change_links_are_automerges_hash_and_deps() {
    use automerge::transaction::Transactable;
    let mut doc = automerge::Automerge::new();
    for i in 0..3 {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(automerge::ROOT, "n", i)?;
            Ok(())
        })
        .expect("change");
    }
    let changes = doc.get_changes(&[]);
    assert_eq!(changes.len(), 3);
    for c in changes {
        let (hash, deps) = super::scan::change_links(c.raw_bytes()).expect("an uncompressed change");
        assert_eq!(hash, c.hash());
        assert_eq!(deps, c.deps().to_vec());
    }
    assert!(super::scan::change_links(&doc.save()).is_none(), "a document is not a change");
    assert!(super::scan::change_links(b"nonsense").is_none());
}
