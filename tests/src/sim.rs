//! Sync without a network, for the simulation tests and the hub's sync
//! benchmark: `crdt_sync::sync::in_turns`, which counts round trips exactly.

use crdt_sync::Store;
use crdt_sync::sync::{Grant, Session, Stats, in_turns};

/// Runs one connection to quiescence. Returns the number of round trips
/// (device → hub → device) and the device's counters and session.
pub fn settle(hub: &mut Store, grant: Grant, device: &mut Store) -> (usize, Stats, Session) {
    let t = in_turns(hub, grant, device).expect("the sync settles");
    let stats = t.device.stats();
    (t.round_trips, stats, t.device)
}
