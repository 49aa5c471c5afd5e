//! The device directory: the registry's facts about devices (role, lab,
//! revoked), written into the register's project document, where the sync
//! session checks each change's author against them and laptops read them
//! to check what they apply (`crdt_sync::authz::authors`).

use crdt_sync::DirectoryEntry as Entry;
use crdt_sync::{ChangeHash, DeviceId, DocRef, Replication, Store};

use crate::error::Result;
use crate::registry::{DevicesMark, Registry};

/// Makes the register's directory match the registry (every device ever
/// enrolled, revoked ones marked). Writes only what differs, so it is cheap
/// to call before each sync and each import. Returns whether it wrote.
pub fn reconcile(store: &mut Store, registry: &Registry) -> Result<bool> {
    Ok(store.reconcile_directory(&entries(registry)?)?)
}

fn entries(registry: &Registry) -> Result<Vec<(DeviceId, Entry)>> {
    Ok(registry
        .devices()?
        .into_iter()
        .map(|d| (d.id, Entry { grant: d.grant(), revoked: d.revoked_at.is_some() }))
        .collect())
}

/// [`reconcile`] for a hub that calls it at every connection: it remembers
/// the registry's devices and where the registry and the register's
/// directory stood when they last matched, and does nothing while neither
/// moved. Reading every device and comparing them with the directory took
/// about a millisecond per connection with 1,000 devices, under the store's
/// lock (`docs/benchmarks.md`).
///
/// As strict as [`reconcile`]: the registry's mark is read at each call, so
/// an enrolment or a revocation (by this process or the command line) is in
/// the register before the next sync is judged; and the project document's
/// heads are compared, so a directory changed in any other way (a sync of
/// the project document) is reconciled again.
#[derive(Debug, Default)]
pub struct Reconciler {
    /// The registry's devices, as read at this mark.
    devices: Option<(DevicesMark, Vec<(DeviceId, Entry)>)>,
    /// The registry's mark and the project document's heads when the
    /// directory last matched the registry.
    matched: Option<(DevicesMark, Vec<ChangeHash>)>,
}

impl Reconciler {
    /// [`reconcile`], unless nothing moved since the last call. The caller
    /// holds both the store and the registry, so that no other reconcile
    /// runs in between with an older reading of the registry.
    pub fn reconcile(&mut self, store: &mut Store, registry: &Registry) -> Result<bool> {
        let mark = registry.devices_mark()?;
        let project = DocRef::project(store.project());
        let heads = store.heads(project)?;
        if self.matched.as_ref().is_some_and(|(m, h)| *m == mark && *h == heads) {
            return Ok(false);
        }
        let devices = match self.devices.take() {
            Some((m, devices)) if m == mark => devices,
            _ => entries(registry)?,
        };
        let wrote = store.reconcile_directory(&devices)?;
        self.matched = Some((mark, store.heads(project)?));
        self.devices = Some((mark, devices));
        Ok(wrote)
    }
}

#[cfg(test)]
mod tests {
    use crdt_sync::sync::DeviceRole;
    use crdt_sync::{CodeRange, DeviceConfig, Key, LabId, ProjectId, SystemEnv};
    use uuid::Uuid;

    use super::*;

    #[test]
    fn the_reconciler_writes_what_reconcile_writes_and_skips_only_while_nothing_moved() {
        let dir = tempfile::tempdir().expect("dir");
        let (path, key) = (dir.path().join("hub.db"), Key::from_bytes([4; 32]));
        let mut registry = Registry::open(&path, &key).expect("registry");
        let project = ProjectId(Uuid::from_u128(1));
        let config = DeviceConfig {
            device: DeviceId(Uuid::now_v7()),
            project,
            codes: CodeRange::new(1, 999).expect("range"),
        };
        let mut store = Store::in_memory(config, Box::new(SystemEnv)).expect("store");
        let lab = LabId(Uuid::from_u128(3));
        let code = registry.issue_code(DeviceRole::Volunteer, Some((lab, 3)), 1, None).expect("code");
        let device = registry.redeem(&code, "x", project).expect("redeem").expect("enrolled").device;
        let revoked =
            |store: &mut Store| store.directory().expect("directory").devices.get(&device).map(|e| e.revoked);

        let mut reconciler = Reconciler::default();
        assert!(
            reconciler.reconcile(&mut store, &registry).expect("reconcile"),
            "the hub and the device written"
        );
        assert_eq!(revoked(&mut store), Some(false));
        assert!(!reconciler.reconcile(&mut store, &registry).expect("again"), "nothing moved");

        // Revoked from the command line: another connection to the registry.
        assert!(Registry::open(&path, &key).expect("cli").revoke(device).expect("revoke"));
        assert!(reconciler.reconcile(&mut store, &registry).expect("after the revocation"));
        assert_eq!(revoked(&mut store), Some(true));
        assert!(!reconciler.reconcile(&mut store, &registry).expect("again"));

        // The directory changed another way (as a sync of the project
        // document would change it): its heads moved, so it is written again.
        let entry = Entry {
            grant: crdt_sync::Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None },
            revoked: false,
        };
        assert!(store.reconcile_directory(&[(device, entry)]).expect("forged"));
        assert_eq!(revoked(&mut store), Some(false));
        assert!(reconciler.reconcile(&mut store, &registry).expect("after the change"));
        assert_eq!(revoked(&mut store), Some(true));

        // An enrolment here, by the registry the hub holds.
        let code = registry.issue_code(DeviceRole::Lead, Some((lab, 3)), 1, None).expect("code");
        let lead = registry.redeem(&code, "y", project).expect("redeem").expect("enrolled").device;
        assert!(reconciler.reconcile(&mut store, &registry).expect("after the enrolment"));
        assert!(store.directory().expect("directory").devices.contains_key(&lead));
        // The same as a plain reconcile would find: nothing to write.
        assert!(!reconcile(&mut store, &registry).expect("plain"));
    }
}
