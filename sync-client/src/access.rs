//! How a sync reaches the store: only for a step of computing or applying,
//! never across a wait on the network.

use std::future::Future;

use crdt_sync::Store;

use crate::ClientError;

/// Lends the store to a sync one step at a time. The session itself (what
/// was offered, each document's automerge sync state) lives outside the
/// store, so between two steps the store is free for other work: a save
/// made meanwhile is seen by the next step and carried by the session
/// (the automerge protocol compares heads at every message).
///
/// The app implements this over its shared, locked register; a plain
/// `Store` (tests, the hub's tools, the app's first sync after pairing)
/// lends itself.
pub trait StoreAccess: Send {
    /// Runs `f` on the store, or answers [`ClientError::StoreClosed`] when
    /// the store is no longer there (the register was locked meanwhile),
    /// which ends the sync.
    fn with_store<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send,
    ) -> impl Future<Output = Result<T, ClientError>> + Send;
}

impl StoreAccess for Store {
    fn with_store<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send,
    ) -> impl Future<Output = Result<T, ClientError>> + Send {
        std::future::ready(Ok(f(self)))
    }
}
