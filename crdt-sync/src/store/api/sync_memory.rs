//! What the store remembers of its past syncs with each peer.

use crate::error::Result;
use crate::sync_points::{Peer, SyncPoints};

/// What the store remembers of its past syncs with each peer: the sync
/// points ([`SyncPoints`], decision 0023). Forgetting them is always safe
/// (the next sync is a full one); erasing a family forgets its document's
/// points with every peer, and the hub forgets a revoked device's.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed).
pub trait SyncMemory: super::Sealed {
    /// The points kept for `peer` (none if it never settled a sync).
    fn sync_points(&self, peer: Peer) -> Result<SyncPoints>;

    /// Replaces the points kept for `peer` with `points`, writing only the
    /// documents whose point changed.
    fn keep_sync_points(&mut self, peer: Peer, points: &SyncPoints) -> Result<()>;

    /// Forgets every point kept for `peer`.
    fn forget_sync_points(&mut self, peer: Peer) -> Result<()>;
}
