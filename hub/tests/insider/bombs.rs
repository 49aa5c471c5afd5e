//! Inflation bombs from an enrolled device, for its own lab document (which
//! it may write), up to the frame limit ([`MAX_FRAME`]):
//!
//! - a compressed change chunk (type 2) whose DEFLATE data is zeros: about
//!   a thousandfold, so one 16 MiB frame is 16 GiB once inflated (issue 11
//!   measured 3.1 GB of peak memory for one 1 MB frame);
//! - a document chunk whose last operation column is compressed zeros;
//! - a small uncompressed change whose run-length columns claim millions of
//!   operations (a few bytes each).
//!
//! Each must be refused (any reason, or the connection closed) with the
//! hub's peak memory under [`PEAK_LIMIT`], nothing of it in the register,
//! and the honest devices syncing after each. A hub that dies (the capped
//! address space, see `main.rs`) is started again so that every case is
//! measured; the test fails at the end with the table of figures.

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ScalarValue};
use crdt_sync::Replication;
use crdt_sync::sync::MAX_FRAME;

use super::*;
use crdt_sync::testing::chunks::{
    claim_more_ops, compressed_change, document_with_deflated_column, inflated_size, zeros_bomb,
};

/// Room for the frame's and the sync message's own bytes.
const ENVELOPE: usize = 64 * 1024;

/// One case: its name, what it claims once inflated or decoded, the chunk.
struct Bomb {
    name: String,
    claims: String,
    chunk: Vec<u8>,
}

/// What one bomb did.
struct Row {
    name: String,
    claims: String,
    answer: Answer,
    /// The hub's peak resident memory during the case; `None` if it died.
    peak: Option<u64>,
}

fn compressed_changes() -> Vec<Bomb> {
    [64 * 1024, 1024 * 1024, MAX_FRAME - ENVELOPE]
        .into_iter()
        .map(|size| {
            let deflate = zeros_bomb(size, u64::MAX);
            let claims = format!("{} of zeros", mb(inflated_size(&deflate)));
            Bomb {
                name: format!("compressed change, {}", mb(deflate.len() as u64)),
                claims,
                chunk: compressed_change(&deflate),
            }
        })
        .collect()
}

fn compressed_documents(w: &mut World) -> Vec<Bomb> {
    let save = w.x.store.export_doc(DocRef::lab(w.labs[1])).expect("export");
    [1024 * 1024, MAX_FRAME - ENVELOPE - save.len()]
        .into_iter()
        .map(|size| {
            let deflate = zeros_bomb(size, u64::MAX);
            let claims = format!("a column of {} of zeros", mb(inflated_size(&deflate)));
            let chunk = document_with_deflated_column(&save, &deflate);
            Bomb { name: format!("document, compressed column, {}", mb(chunk.len() as u64)), claims, chunk }
        })
        .collect()
}

/// Operations in the change that the op-count bombs start from.
const REAL_OPS: u64 = 1000;

fn op_claims(w: &mut World) -> Vec<Bomb> {
    let mut am = load_as(&mut w.x.store, DocRef::lab(w.labs[1]), actor(w.x.enrolled.device));
    // A list of nulls: every insert's columns are alike (null values take no
    // bytes), so each column is a run that a few bytes make longer.
    let base = change(&mut am, |tx| {
        let list = tx.put_object(ROOT, "elenco", ObjType::List).expect("list");
        for i in 0..REAL_OPS as usize {
            tx.insert(&list, i, ScalarValue::Null).expect("insert");
        }
    });
    [1u64 << 20, 1 << 23, 1 << 26]
        .into_iter()
        .map(|extra| {
            let chunk = claim_more_ops(&base, extra);
            let name = format!("change of {} bytes", chunk.len());
            Bomb { name, claims: format!("{} operations", REAL_OPS + 1 + extra), chunk }
        })
        .collect()
}

/// Sends each bomb on its own connection from lab 2's volunteer.
async fn detonate(w: &mut World, bombs: Vec<Bomb>) -> Vec<Row> {
    let lab2 = DocRef::lab(w.labs[1]);
    let mut rows = Vec::new();
    for bomb in bombs {
        w.hub.reset_peak_memory();
        let frames = vec![Frame::Sync { doc: lab2, message: sync_message(vec![], vec![bomb.chunk]) }];
        let barrier = unknown_person(&mut w.rng);
        let answer = attack(&w.hub.url, &w.x.enrolled.token, vec![lab2], frames, barrier).await;
        let peak = if w.hub.alive() { w.hub.peak_memory() } else { None };
        println!(
            "bomb {} (claims {}): {}; hub peak {}",
            bomb.name,
            bomb.claims,
            answer.summary(),
            peak.map_or("DIED".into(), mb)
        );
        if peak.is_none() {
            println!("{}", common::tail(&w.hub.log()));
            w.hub = Hub::start_capped(&w.hub.dir, ADDRESS_SPACE);
        }
        let taken = peak.is_some() && !answer.refused(lab2);
        if !taken {
            w.honest_round(&format!("after the bomb {}", bomb.name)).await;
        }
        rows.push(Row { name: bomb.name, claims: bomb.claims, answer, peak });
        if taken {
            // Stored: the honest devices would now download it, and the
            // next cases (same author, same sequence number) are moot.
            break;
        }
    }
    rows
}

/// Fails unless every bomb was refused with the hub alive and under the
/// memory limit, and nothing of them reached lab 2's document.
fn assert_defused(w: &mut World, rows: &[Row]) {
    let lab2 = DocRef::lab(w.labs[1]);
    let mut failures = Vec::new();
    for r in rows {
        match r.peak {
            None => failures.push(format!("{} ({}): the hub died", r.name, r.claims)),
            Some(p) if p >= PEAK_LIMIT => failures.push(format!("{} ({}): peak {}", r.name, r.claims, mb(p))),
            Some(_) => {}
        }
        if r.peak.is_some() && !r.answer.refused(lab2) {
            failures.push(format!("{} ({}): not refused: {}", r.name, r.claims, r.answer.summary()));
        }
    }
    let am = load_as(&mut w.c.store, lab2, actor(w.c.enrolled.device));
    assert!(
        automerge::ReadDoc::get(&am, ROOT, "elenco").expect("read").is_none(),
        "an op-count bomb reached lab 2's document"
    );
    assert!(failures.is_empty(), "{} bombs not defused:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_change_bombs_are_refused_within_the_memory_limit() {
    let _heavy = HEAVY.lock().await;
    let mut w = world().await;
    w.honest_round("before the bombs").await;
    let rows = detonate(&mut w, compressed_changes()).await;
    assert_defused(&mut w, &rows);
    w.finish("compressed changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_with_compressed_columns_are_refused_within_the_memory_limit() {
    let _heavy = HEAVY.lock().await;
    let mut w = world().await;
    let bombs = compressed_documents(&mut w);
    let rows = detonate(&mut w, bombs).await;
    assert_defused(&mut w, &rows);
    w.finish("compressed documents");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_claiming_millions_of_operations_are_refused_within_the_memory_limit() {
    let _heavy = HEAVY.lock().await;
    let mut w = world().await;
    let bombs = op_claims(&mut w);
    let rows = detonate(&mut w, bombs).await;
    assert_defused(&mut w, &rows);
    w.finish("operation counts");
}
