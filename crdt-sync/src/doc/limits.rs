//! How much work a peer's bytes may ask of this replica, and what a sync
//! message costs.
//!
//! Every automerge chunk from elsewhere (a sync message's changes, a
//! bundle's document, bytes given to `Store::apply_bytes`) is walked first
//! by a bounded scanner (`doc::scan`) that inflates with a cap and counts
//! operations without materialising them; bytes over these limits are
//! refused ([`crate::Error::TooLarge`], on the wire
//! [`Refusal::TooLarge`](crate::sync::Refusal::TooLarge)) before automerge parses
//! them. The figures come from the large demo register (ten labs, five
//! years: `docs/decisions/0015-bounded-work-on-peer-bytes.md` has the
//! measurements) with a wide margin, so an honest register never meets them
//! while one message can no longer take the hub's memory.
//!
//! [`Cost::of_sync_message`] measures a message for a per-device budget.

use automerge::sync::Message;

use crate::doc::scan;

/// The most bytes the chunks of one message (or of one document's bytes in
/// a bundle) may hold once inflated. The demo's largest honest message, the
/// whole document of a five-year lab, inflates to 381 KB (59 KB on the
/// wire); 32 MiB is eighty times that. A bomb costs at most this much
/// memory while it is inflated and refused.
pub const MAX_INFLATED_PER_MESSAGE: u64 = 32 * 1024 * 1024;

/// The most bytes one change may hold, inflated. A change is one person's
/// save: the demo's largest (a meeting with its attendance) is 2.4 KB;
/// 1 MiB leaves room for notes pasted at length.
pub const MAX_CHANGE_BYTES: u64 = 1024 * 1024;

/// The most operations one change may hold. The demo's largest change
/// holds 98; text is one operation per character, so 100,000 lets a person
/// paste a hundred thousand characters of notes at once.
pub const MAX_OPS_PER_CHANGE: u64 = 100_000;

/// The most operations one message may hold (a whole document's, for a
/// first sync or a bundle). The demo's five-year lab document holds 12,883;
/// with a 600-character note on each of its 250 meetings it would hold
/// about 165,000. 400,000 is thirty times the demo and twice that. This is
/// the limit that bounds the hub's memory for an honest-looking message:
/// automerge's receive path (the patch log included) takes about 390 bytes
/// per operation, 156 MiB at this limit (`store::bounded_tests`).
pub const MAX_OPS_PER_MESSAGE: u64 = 400_000;

/// The most changes one message may hold. The demo's five-year lab
/// document holds 469 changes; a lab that saves every tick of attendance
/// as its own change would reach some thousands. 50,000 is a hundred times
/// the demo.
pub const MAX_CHANGES_PER_MESSAGE: u64 = 50_000;

/// The most changes a document may keep waiting for a dependency it lacks.
/// automerge queues a change that arrives before a change it depends on,
/// which in an honest sync happens to about one change in a hundred (a
/// Bloom filter's false positive) and lasts one round; 256 is far above
/// that. Beyond it, further waiting changes are refused.
pub const MAX_WAITING_CHANGES: u64 = 256;

/// The most bytes of changes a document may keep waiting for a dependency.
pub const MAX_WAITING_BYTES: u64 = 256 * 1024;

/// The most bytes of waiting changes across all documents of a store (on
/// the hub: all devices together).
pub const MAX_WAITING_BYTES_IN_ALL: u64 = 16 * 1024 * 1024;

/// Why bytes from a peer are refused before automerge parses them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BytesRefused {
    /// Over one of this module's limits.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Not automerge chunks as automerge writes them (truncated, a bad
    /// checksum, a chunk type Taccuino never sends).
    #[error("{0}")]
    Malformed(String),
}

/// What one sync message (or one document's bytes) asks of the receiver:
/// the figures a per-device budget is charged with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Changes carried (a document save counts each of its changes).
    pub changes: u64,
    /// Operations in those changes.
    pub ops: u64,
    /// Bytes of the chunks once inflated (uncompressed chunks count as
    /// they are).
    pub inflated_bytes: u64,
}

impl Cost {
    /// What the encoded automerge sync message `message` costs, measured
    /// without automerge parsing its changes: a pure function of the bytes,
    /// in work bounded by their length and this module's limits. A message
    /// without changes costs nothing. Refused when the message is not a sync
    /// message, a chunk is malformed, or the message is over a limit.
    pub fn of_sync_message(message: &[u8]) -> Result<Cost, BytesRefused> {
        message_cost(&decode_message(message)?)
    }

    /// What `bytes` (chunks back to back: a save, or changes) cost.
    pub fn of_chunks(bytes: &[u8]) -> Result<Cost, BytesRefused> {
        scan::scan(bytes)
    }

    /// Refuses a running total over the per-message limits.
    pub(crate) fn check(&self) -> Result<(), BytesRefused> {
        let over = |what: &str, limit: u64| Err(BytesRefused::TooLarge(format!("more than {limit} {what}")));
        if self.inflated_bytes > MAX_INFLATED_PER_MESSAGE {
            return over("bytes once inflated", MAX_INFLATED_PER_MESSAGE);
        }
        if self.ops > MAX_OPS_PER_MESSAGE {
            return over("operations", MAX_OPS_PER_MESSAGE);
        }
        if self.changes > MAX_CHANGES_PER_MESSAGE {
            return over("changes", MAX_CHANGES_PER_MESSAGE);
        }
        Ok(())
    }
}

/// Decodes a sync message with automerge, isolated: its decoder copies the
/// changes' bytes (bounded by the frame) but parses none of them; should
/// it still panic, that is these bytes' refusal.
pub(crate) fn decode_message(bytes: &[u8]) -> Result<Message, BytesRefused> {
    std::panic::catch_unwind(|| Message::decode(bytes))
        .map_err(|_| {
            BytesRefused::Malformed("automerge failed decoding the sync message (it panicked)".into())
        })?
        .map_err(|e| BytesRefused::Malformed(e.to_string()))
}

/// What the changes of a decoded sync message cost, checked against the
/// per-message limits as a whole.
pub(crate) fn message_cost(message: &Message) -> Result<Cost, BytesRefused> {
    let mut cost = Cost::default();
    for chunk in message.changes.iter() {
        scan::scan_into(chunk, &mut cost)?;
    }
    Ok(cost)
}
