//! How documents travel between replicas: their heads and bytes, applying a
//! peer's bytes under a check, automerge sync messages, the device directory and
//! actors, and the link to the hub.

use crate::authz::authors::AuthorCheck;
use crate::authz::{Directory, DocFacts};
use crate::credentials::BundleKey;
use crate::domain::DirectoryEntry as Entry;
use crate::error::Result;
use crate::{Applied, DeviceId, DocRef, HubLink, HubLinkStatus, SyncOutcome, WriteCheck};
use automerge::ChangeHash;
use automerge::sync;
use std::sync::Arc;

/// How documents travel between replicas: their heads and bytes, applying a
/// peer's bytes under a check, automerge sync messages, the device directory and
/// actors, and the link to the hub.
///
/// Implemented by [`Store`](crate::Store) alone (the trait is sealed): a caller names the
/// part of the register it touches by importing this trait.
pub trait Replication: super::Sealed {
    /// The device directory the hub keeps in the project document (empty
    /// on a register that never synced).
    fn directory(&mut self) -> Result<Arc<Directory>>;

    /// Hub: makes the directory record `devices` (every enrolled device,
    /// from the registry) and name this store as the hub, writing only what
    /// differs. Devices not in `devices` are left as they are. Returns
    /// whether anything changed; laptops receive it at their next sync.
    fn reconcile_directory(&mut self, devices: &[(DeviceId, Entry)]) -> Result<bool>;

    /// Takes a new automerge actor for this device's next changes if it
    /// wrote any under the current one: called whenever its changes leave
    /// it (a sync's `Hello`, a bundle), so that no other device learns an
    /// actor this device still writes with. An actor that wrote nothing was
    /// never published and is kept (each actor costs every document it
    /// writes an entry in its actor table).
    fn renew_actor(&mut self);

    /// Takes a new automerge actor for this device's next changes
    /// ([`crate::authz::authors::session_actor`]): when a store opens, and
    /// from [`Store::renew_actor`](crate::Store::renew_actor).
    fn rotate_actor(&mut self);

    /// Whether the store holds `r`.
    fn has_doc(&mut self, r: DocRef) -> Result<bool>;

    /// Every document this store holds.
    fn doc_refs(&self) -> Result<Vec<DocRef>>;

    /// The current heads of `r`.
    fn heads(&mut self, r: DocRef) -> Result<Vec<ChangeHash>>;

    /// The whole document as bytes (a compacted save), for another replica.
    fn export_doc(&mut self, r: DocRef) -> Result<Vec<u8>>;

    /// Only the changes another replica lacks, given the heads it has.
    fn export_since(&mut self, r: DocRef, heads: &[ChangeHash]) -> Result<Vec<u8>>;

    /// Merges bytes of document `r` from another replica (a save, or changes).
    /// Corrupt bytes, or bytes of another document, are refused and nothing
    /// stored changes. The changes are stored and projected like local ones.
    fn apply_bytes(&mut self, r: DocRef, bytes: &[u8]) -> Result<Applied>;

    /// [`Store::apply_bytes`](crate::Store::apply_bytes), refusing the bytes unless the merged
    /// document meets `check` (a sync bundle of lab 3 may not turn a
    /// household into one of lab 7). Checked on the copy: a refusal stores
    /// nothing.
    /// `authors` checks who wrote the new changes
    /// ([`Error::WrongAuthor`](crate::Error::WrongAuthor)).
    fn apply_bytes_checked(
        &mut self,
        r: DocRef,
        bytes: &[u8],
        check: WriteCheck,
        authors: AuthorCheck<'_>,
    ) -> Result<Applied>;

    /// A short code, the same on two devices exactly when they hold the same
    /// changes of `docs`: two people can read it aloud to check that two
    /// laptops hold the same register. Looks like `K3F9-7QX2-M4TD`.
    fn fingerprint(&mut self, docs: &[DocRef]) -> Result<String>;

    /// Records the link after enrolment. A device is enrolled once: a
    /// second link is refused rather than silently replacing the first.
    fn set_hub_link(&mut self, link: &HubLink) -> Result<()>;

    /// The link, with its credential, if the device is paired.
    fn hub_link(&self) -> Result<Option<HubLink>>;

    /// What the sync screen shows, if paired.
    fn hub_link_status(&self) -> Result<Option<HubLinkStatus>>;

    /// Records how a sync attempt ended, stamped with the store's clock.
    fn record_sync(&mut self, outcome: SyncOutcome) -> Result<()>;

    /// Keeps the lab's bundle key the hub sent at a sync (it rotates a lab's
    /// key when one of its devices is revoked), in place of the one held.
    /// Returns whether it changed; `false` too on a device with no hub link
    /// or no lab (a coordinator's), which keeps no bundle key.
    fn set_bundle_key(&mut self, key: &BundleKey) -> Result<bool>;

    /// On a paired device whose last completed sync is older than the
    /// project's `stale_device_days` (or that never completed one): that
    /// limit, and families' personal data stay closed until it syncs, so
    /// an erasure reaches every laptop within a bounded time. `None` when
    /// fresh, or not paired (the demo register).
    fn stale_limit(&mut self) -> Result<Option<u32>>;

    /// The next sync message for `doc` given what `state` knows of the peer;
    /// `None` when there is nothing to say. A document this store lacks is
    /// treated as empty, which asks the peer for all of it.
    fn generate_sync_message(&mut self, r: DocRef, state: &mut sync::State) -> Result<Option<Vec<u8>>>;

    /// Receives one sync message for `doc`. Malformed messages and changes
    /// that are corrupt, of another document, or fail `check` are refused
    /// with [`Error::RejectedBytes`](crate::Error::RejectedBytes), and changes whose authors fail
    /// `authors` with [`Error::WrongAuthor`](crate::Error::WrongAuthor); a
    /// refusal changes nothing (not
    /// even `state`).
    fn receive_sync_message(
        &mut self,
        r: DocRef,
        state: &mut sync::State,
        bytes: &[u8],
        check: WriteCheck,
        authors: AuthorCheck<'_>,
    ) -> Result<Applied>;

    /// What the projection knows about `doc`, for [`crate::sync::access`].
    fn doc_facts(&mut self, r: DocRef) -> Result<DocFacts>;

    /// Runs `f` in one SQLite transaction: each commit inside it is a
    /// savepoint of that transaction, so a run of received messages (a
    /// first sync's thousands of documents) is written to disk once instead
    /// of once per message. A commit refused inside is undone alone, as
    /// outside; if `f` fails, or the final commit does, everything inside is
    /// undone and the documents held in memory are reloaded from disk. A
    /// family erased inside is scrubbed from the file after the commit.
    fn in_one_transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T>
    where
        Self: Sized;

    /// Runs `turns` turns in one SQLite transaction, turn `i` as `f(i, ..)`
    /// under a savepoint of its own (group commit: the hub's turns of many
    /// devices written to disk once). A turn that fails is undone alone and
    /// the documents held in memory are reloaded from disk; the others go
    /// on. Returns each turn's outcome once the transaction commits; `Err`
    /// if it could not begin or commit (then every turn is undone, whatever
    /// its outcome said), or if a failed turn took the whole transaction
    /// with it (SQLite rolls back everything on some errors, a full disk
    /// among them). A family erased inside is scrubbed after the commit.
    fn in_one_transaction_each<T>(
        &mut self,
        turns: usize,
        f: impl FnMut(usize, &mut Self) -> Result<T>,
    ) -> Result<Vec<Result<T>>>
    where
        Self: Sized;

    /// Whether the store holds `r` with every change `hashes` names (a
    /// peer's heads, before they are taken as a sync point).
    fn holds_changes(&mut self, r: DocRef, hashes: &[ChangeHash]) -> Result<bool>;
}
