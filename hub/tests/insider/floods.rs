//! Missing-dependency floods. automerge keeps a change that depends on a
//! change it lacks in a queue, waiting; the store keeps that queue so the
//! sender need not send the change again. An insider sends, for its own lab
//! document, changes that each depend on a random 32-byte hash nobody will
//! ever send: unless the hub bounds what waits, each one stays in its
//! memory for good. The hub must keep what waits bounded and refuse beyond
//! the bound, with nothing applied and honest syncs going on.

use automerge::ROOT;
use automerge::transaction::Transactable;
use crdt_sync::Replication;
use rand::RngCore;

use super::*;
use crdt_sync::testing::chunks::with_deps;

/// Bytes of waiting changes per frame, and frames (one connection each,
/// so that a refusal on one does not silence the rest).
const FRAME_BYTES: usize = 4 * 1024 * 1024;
const FRAMES: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_waiting_for_missing_dependencies_are_bounded() {
    let _heavy = HEAVY.lock().await;
    let mut w = world().await;
    let lab2 = DocRef::lab(w.labs[1]);
    let heads_before = w.c.store.heads(lab2).expect("heads");
    let mut am = load_as(&mut w.x.store, lab2, actor(w.x.enrolled.device));
    let base = change(&mut am, |tx| tx.put(ROOT, "attesa", "mai").expect("put"));
    let per_frame = FRAME_BYTES / (base.len() + 32);
    w.hub.reset_peak_memory();
    let (mut refused_frames, mut sent_bytes, mut sent_changes) = (0, 0, 0);
    let mut seq = 1_000;
    for i in 0..FRAMES {
        let changes: Vec<Vec<u8>> = (0..per_frame)
            .map(|_| {
                let mut dep = [0u8; 32];
                w.rng.fill_bytes(&mut dep);
                seq += 1;
                with_deps(&base, &[dep], seq)
            })
            .collect();
        sent_changes += changes.len();
        let frames = vec![Frame::Sync { doc: lab2, message: sync_message(vec![], changes) }];
        let barrier = unknown_person(&mut w.rng);
        let answer = attack(&w.hub.url, &w.x.enrolled.token, vec![lab2], frames, barrier).await;
        sent_bytes += answer.bytes;
        let peak = w.peak(&format!("flood frame {i}"));
        let now = w.hub.resident_memory().unwrap_or(0);
        println!(
            "flood frame {i}: {per_frame} waiting changes; {}; hub peak {}, resident now {}",
            answer.summary(),
            mb(peak),
            mb(now)
        );
        if answer.refused(lab2) {
            refused_frames += 1;
        }
        if i == FRAMES / 2 {
            w.honest_round("during the flood").await;
        }
    }
    w.honest_round("after the flood").await;
    let peak = w.peak("after the flood");
    println!(
        "flood: {FRAMES} frames, {sent_changes} changes waiting for dependencies never sent, {}; {refused_frames} frames refused; hub peak {}",
        mb(sent_bytes as u64),
        mb(peak)
    );
    assert!(peak < PEAK_LIMIT, "the hub's peak memory was {}", mb(peak));
    assert!(refused_frames > 0, "{sent_changes} waiting changes and no refusal: nothing bounds them");
    // Nothing of it applied: lab 2's document moved only by honest meetings.
    let am = load_as(&mut w.c.store, lab2, actor(w.c.enrolled.device));
    assert!(
        automerge::ReadDoc::get(&am, ROOT, "attesa").expect("read").is_none(),
        "a flood change was applied"
    );
    assert_ne!(w.c.store.heads(lab2).expect("heads"), heads_before, "honest meetings went on");
    w.finish("flood");
}
