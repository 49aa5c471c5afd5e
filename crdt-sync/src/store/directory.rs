//! The facts the hub holds about devices, as the store keeps them: the
//! device directory in the project document (written by the hub from its
//! registry, read by laptops to check who wrote what), and who created a
//! document (the author of its first change after the genesis).

use std::sync::Arc;

use automerge::{ActorId, ChangeHash};

use super::Store;
use crate::authz::Directory;
use crate::authz::authors::{Author, Entry};
use crate::authz::documents::Origin;
use crate::doc::{self, DocRef};
use crate::error::Result;
use crate::ids::DeviceId;

impl Store {
    /// The device directory the hub keeps in the project document (empty
    /// on a register that never synced).
    pub fn directory(&mut self) -> Result<Arc<Directory>> {
        let r = DocRef::project(self.project);
        let heads = self.heads(r)?;
        if let Some((at, d)) = &self.directory
            && *at == heads
        {
            return Ok(d.clone());
        }
        let d = Arc::new(doc::project::directory(self.doc(r)?));
        self.directory = Some((heads, d.clone()));
        Ok(d)
    }

    /// Hub: makes the directory record `devices` (every enrolled device,
    /// from the registry) and name this store as the hub, writing only what
    /// differs. Devices not in `devices` are left as they are. Returns
    /// whether anything changed; laptops receive it at their next sync.
    pub fn reconcile_directory(&mut self, devices: &[(DeviceId, Entry)]) -> Result<bool> {
        let current = self.directory()?;
        let me = self.device;
        let changed: Vec<&(DeviceId, Entry)> =
            devices.iter().filter(|(id, e)| current.devices.get(id) != Some(e)).collect();
        if changed.is_empty() && current.hub == Some(me) {
            return Ok(false);
        }
        let (_, p) = self.edit(DocRef::project(self.project), false, |tx| {
            if current.hub != Some(me) {
                doc::project::put_hub(tx, me)?;
            }
            for (id, e) in &changed {
                doc::project::put_device(tx, *id, e)?;
            }
            Ok(())
        })?;
        let wrote = p.is_some();
        self.commit(p.into_iter().collect())?;
        Ok(wrote)
    }

    /// Takes a new automerge actor for this device's next changes if it
    /// wrote any under the current one: called whenever its changes leave
    /// it (a sync's `Hello`, a bundle), so that no other device learns an
    /// actor this device still writes with. An actor that wrote nothing was
    /// never published and is kept (each actor costs every document it
    /// writes an entry in its actor table).
    pub fn renew_actor(&mut self) {
        if self.actor_wrote {
            self.rotate_actor();
        }
    }

    /// Takes a new automerge actor for this device's next changes
    /// ([`crate::authz::authors::session_actor`]): when a store opens, and
    /// from [`Store::renew_actor`].
    pub fn rotate_actor(&mut self) {
        self.actor_wrote = false;
        let nonce = self.env.new_uuid().into_bytes();
        let mut tail = [0u8; 8];
        // The random half of a v7 UUID (its first half is the time).
        tail.copy_from_slice(&nonce[8..]);
        self.actor = crate::authz::authors::session_actor(self.device, tail);
        for doc in self.docs.values_mut() {
            doc.set_actor(self.actor.clone());
        }
    }

    /// Who created document `r`: the device that wrote its first change
    /// after the genesis, as the directory knows it.
    pub(crate) fn origin(&mut self, r: DocRef) -> Result<Origin> {
        let actor = match self.origins.get(&r) {
            Some(a) => a.clone(),
            None => {
                let genesis = r.genesis().get_heads();
                let a = creator(self.doc(r)?, &genesis);
                self.origins.insert(r, a.clone());
                a
            }
        };
        let Some(actor) = actor else { return Ok(Origin::Unknown) };
        Ok(match self.directory()?.author(&actor) {
            Author::Hub => Origin::Coordinator,
            Author::Device(_, e) if e.grant.is_coordinator() => Origin::Coordinator,
            Author::Device(_, e) => e.grant.lab.map_or(Origin::Unknown, Origin::Lab),
            Author::Unknown => Origin::Unknown,
        })
    }
}

/// The one author of the changes that follow the genesis directly; `None`
/// if there are none or several.
fn creator(doc: &automerge::Automerge, genesis: &[ChangeHash]) -> Option<ActorId> {
    let mut actor: Option<ActorId> = None;
    for c in doc.get_changes(genesis) {
        if c.deps() != genesis {
            continue;
        }
        match &actor {
            None => actor = Some(c.actor_id().clone()),
            Some(a) if a == c.actor_id() => {}
            Some(_) => return None,
        }
    }
    actor
}

#[cfg(test)]
mod tests {
    use crate::authz::authors::device_of;
    use crate::testing::one_family::{lab, store};

    /// An actor that wrote is replaced when its changes leave the device;
    /// one that wrote nothing was never published and stays (every actor
    /// costs the documents it writes an entry).
    #[test]
    fn an_actor_is_renewed_only_after_it_wrote() {
        let mut s = store(1);
        let first = s.actor.clone();
        s.renew_actor();
        assert_eq!(s.actor, first, "nothing written: the same actor");
        lab(&mut s, 3);
        s.renew_actor();
        assert_ne!(s.actor, first, "written, then published: a new actor");
        assert_eq!(device_of(&s.actor), Some(s.device()), "still this device's");
        let second = s.actor.clone();
        s.renew_actor();
        assert_eq!(s.actor, second);
    }
}
