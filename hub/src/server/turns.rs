//! Turns at the store, committed in groups (decision 0038).
//!
//! Each connection's step (the frames a device sent at once) is one turn
//! at the store. A turn used to be one transaction of its own, with a write
//! to disk (`synchronous = FULL`) and a hand-over of the store's lock each,
//! so that a thousand devices syncing at once queued for a thousand of
//! both. Now a connection leaves its turn in a queue and waits for the
//! store; whoever gets it takes every turn queued by then and runs them in
//! one transaction, each under a savepoint of its own
//! ([`Replication::in_one_transaction_each`]): one write to disk for the
//! group, a turn that fails undone alone, and no answer sent before the
//! transaction holding it is on disk (a device takes an answer as an
//! acknowledgement). Every turn is judged exactly as before, by its own
//! session against the store as the turns before it left it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crdt_sync::sync::{Frame, Session};
use crdt_sync::{DeviceId, Replication};
use tokio::sync::oneshot;

use super::AppState;
use crate::drain::Joined;

/// What one turn answered: for each frame handled, whether it was a
/// `Hello` and the frames it answers (until one closed the session).
pub(super) type Answers = Vec<(bool, Vec<Frame>)>;

/// The most turns, and frames, in one group: a group stays one short
/// transaction for the connections that arrive while it runs (a turn
/// itself holds at most 32 frames, `sync.rs`). A group holds at least one
/// turn, whatever its size.
const GROUP_TURNS: usize = 64;
const GROUP_FRAMES: usize = 256;

/// The turns waiting for the store.
#[derive(Default)]
pub(crate) struct Queue(Mutex<Vec<Turn>>);

/// One connection's turn, with its session lent for it.
struct Turn {
    device: DeviceId,
    session: Session,
    frames: Vec<Frame>,
    asked: Instant,
    reply: oneshot::Sender<Ended>,
}

/// How a turn ended, with the session given back.
pub(super) struct Ended {
    pub(super) session: Session,
    pub(super) outcome: Outcome,
    /// Time from asking until the turn started, and the turn's own time
    /// at the store.
    pub(super) wait: Duration,
    pub(super) held: Duration,
}

pub(super) enum Outcome {
    /// Handled and on disk: these answers go to the device.
    Answered(Answers),
    /// The store failed (the turn, or its group's transaction): nothing of
    /// it is kept or answered; the connection closes with `Storage`.
    Failed,
    /// The hub is stopping and has checkpointed: nothing was handled.
    Cut,
}

/// Runs `frames` as a turn of `device`'s session at the store, in a group
/// with whatever other turns are waiting; returns the session with the
/// outcome. `None` if the turn was lost (a panic in its group: the store
/// is then poisoned and the hub failing).
pub(super) async fn take_turn(
    state: &AppState,
    joined: &Joined,
    device: DeviceId,
    session: Session,
    frames: Vec<Frame>,
) -> Option<Ended> {
    let (reply, mut ended) = oneshot::channel();
    let asked = Instant::now();
    lock(&state.queue).push(Turn { device, session, frames, asked, reply });
    // Every connection that queued a turn then waits for the store itself,
    // so that no turn is left in the queue. Once it has the store, a group
    // that took its turn along has ended (it ran holding the store); if its
    // turn is still queued (behind a full group), it runs the next group.
    loop {
        let turn = state.turn.lock().await;
        let group: Vec<Turn> = {
            let mut queue = lock(&state.queue);
            let (mut n, mut frames) = (0, 0);
            for t in queue.iter().take(GROUP_TURNS) {
                frames += t.frames.len();
                if n > 0 && frames > GROUP_FRAMES {
                    break;
                }
                n += 1;
            }
            queue.drain(..n).collect()
        };
        if joined.is_cut() {
            // Nothing more is written once the stopping hub checkpointed.
            for t in group {
                let wait = t.asked.elapsed();
                let cut = Ended { session: t.session, outcome: Outcome::Cut, wait, held: Duration::ZERO };
                let _ = t.reply.send(cut);
            }
        } else if !group.is_empty() {
            tokio::task::block_in_place(|| run_group(state, group));
        }
        drop(turn);
        match ended.try_recv() {
            Ok(ended) => return Some(ended),
            Err(oneshot::error::TryRecvError::Empty) => continue,
            // Its group panicked (the store is poisoned, the hub failing).
            Err(oneshot::error::TryRecvError::Closed) => return None,
        }
    }
}

fn lock(queue: &Queue) -> std::sync::MutexGuard<'_, Vec<Turn>> {
    // The queue is only pushed to and drained: a panic cannot leave it
    // half-written.
    queue.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The group's turns in one transaction; each answered once it committed.
fn run_group(state: &AppState, mut group: Vec<Turn>) {
    let mut times = vec![(Duration::ZERO, Duration::ZERO); group.len()];
    let mut store = match state.store() {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(error = %e, "storing a sync message failed");
            for t in group {
                let wait = t.asked.elapsed();
                let failed =
                    Ended { session: t.session, outcome: Outcome::Failed, wait, held: Duration::ZERO };
                let _ = t.reply.send(failed);
            }
            return;
        }
    };
    let began = Instant::now();
    let outcomes = store.in_one_transaction_each(group.len(), |i, store| {
        let t = &mut group[i];
        let start = Instant::now();
        let frames = std::mem::take(&mut t.frames);
        let out = answer(&mut t.session, store, frames);
        times[i] = (start - t.asked, start.elapsed());
        out
    });
    drop(store);
    // What the group spent besides its turns (the savepoints, the commit
    // and its write to disk) is shared among them, so that the times
    // logged add up to the time the store was busy.
    let turns: Duration = times.iter().map(|(_, held)| *held).sum();
    let shared = began.elapsed().saturating_sub(turns) / group.len().max(1) as u32;
    for (_, held) in &mut times {
        *held += shared;
    }
    tracing::debug!(
        turns = group.len(),
        took_us = began.elapsed().as_micros() as u64,
        "a group of turns at the store"
    );
    let outcomes: Vec<Outcome> = match outcomes {
        Ok(each) => each
            .into_iter()
            .zip(&group)
            .map(|(out, t)| match out {
                Ok(answers) => Outcome::Answered(answers),
                Err(e) => {
                    tracing::error!(device = %t.device, error = %e, "storing a sync message failed");
                    Outcome::Failed
                }
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, turns = group.len(), "storing a group of sync messages failed");
            group.iter().map(|_| Outcome::Failed).collect()
        }
    };
    for ((t, outcome), (wait, held)) in group.into_iter().zip(outcomes).zip(times) {
        let _ = t.reply.send(Ended { session: t.session, outcome, wait, held });
    }
}

/// One turn: `frames` in order, until one closes the session.
fn answer(
    session: &mut Session,
    store: &mut crdt_sync::Store,
    frames: Vec<Frame>,
) -> crdt_sync::Result<Answers> {
    let mut outs = Vec::new();
    for frame in frames {
        let hello = matches!(frame, Frame::Hello { .. });
        let out = session.receive(store, frame)?;
        let closing = out.iter().any(|f| matches!(f, Frame::Close { .. }));
        outs.push((hello, out));
        if closing || session.closed().is_some() {
            break;
        }
    }
    Ok(outs)
}
