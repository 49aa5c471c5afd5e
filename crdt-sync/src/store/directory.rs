//! The facts the hub holds about devices, as the store keeps them: the
//! device directory in the project document (written by the hub from its
//! registry, read by laptops to check who wrote what), and who created a
//! document (the author of its first change after the genesis).

use automerge::{ActorId, ChangeHash};

use super::Store;
use crate::authz::authors::Author;
use crate::authz::documents::Origin;
use crate::doc::DocRef;
use crate::error::Result;
use crate::ids::OrganisationId;
use crate::store::Replication;

impl Store {
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

    /// Which organisation's register volunteer entry `r` is in, from the
    /// enrolment of the devices that created it
    /// ([`crate::authz::authors::organisation_of`]); `None` if not held or
    /// not known.
    pub(crate) fn volunteer_organisation(&mut self, r: DocRef) -> Result<Option<OrganisationId>> {
        if !self.has_doc(r)? {
            return Ok(None);
        }
        let directory = self.directory()?;
        Ok(crate::authz::authors::organisation_of(r, self.doc(r)?, &directory))
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
    use crate::store::Replication;
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
