//! The device directory: the registry's facts about devices (role, lab,
//! revoked), written into the register's project document, where the sync
//! session checks each change's author against them and laptops read them
//! to check what they apply (`crdt_sync::authz::authors`).

use crdt_sync::DirectoryEntry as Entry;
use crdt_sync::{Replication, Store};

use crate::error::Result;
use crate::registry::Registry;

/// Makes the register's directory match the registry (every device ever
/// enrolled, revoked ones marked). Writes only what differs, so it is cheap
/// to call before each sync and each import. Returns whether it wrote.
pub fn reconcile(store: &mut Store, registry: &Registry) -> Result<bool> {
    let devices: Vec<_> = registry
        .devices()?
        .into_iter()
        .map(|d| (d.id, Entry { grant: d.grant(), revoked: d.revoked_at.is_some() }))
        .collect();
    Ok(store.reconcile_directory(&devices)?)
}
