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
    ///
    /// Remembered with the heads it was read at, and read again once they
    /// moved: a change that follows the genesis directly may arrive later
    /// (a creation that had not arrived yet, or a second creator, which
    /// makes the creator unknown).
    pub(crate) fn origin(&mut self, r: DocRef) -> Result<Origin> {
        let heads = self.heads(r)?;
        let actor = match self.origins.get(&r) {
            Some((at, a)) if *at == heads => a.clone(),
            _ => {
                let genesis = r.genesis().get_heads();
                let a = creator(self.doc(r)?, &genesis);
                self.origins.insert(r, (heads, a.clone()));
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

    /// Who created a person document is remembered, but never past a change
    /// to it: a second change straight after the genesis (another creator)
    /// makes the creator unknown, as reading the document afresh says.
    #[test]
    fn a_remembered_origin_follows_the_document() {
        use crate::authz::documents::Origin;
        use crate::doc::DocRef;
        use crate::domain::{DirectoryEntry, Grant, NewPerson, Role};
        use crate::store::Staff;
        use crate::sync::DeviceRole;
        use automerge::transaction::Transactable;

        // This store writes the directory, as a hub does: what its own
        // device creates, the hub created (a coordinator's).
        let mut s = store(1);
        let l = lab(&mut s, 1);
        let grant = Grant { role: DeviceRole::Volunteer, lab: Some(l), organisation: None };
        let me = s.device();
        s.reconcile_directory(&[(me, DirectoryEntry { grant, revoked: false })]).expect("directory");
        let p = s
            .create_person(NewPerson {
                lab: l,
                first_name: "Carla".into(),
                last_name: "Colombo".into(),
                role: Role::Volunteer,
                organisation: "Auser".into(),
                phone: String::new(),
                email: String::new(),
            })
            .expect("person");
        let r = DocRef::person(p);
        assert_eq!(s.origin(r).expect("origin"), Origin::Coordinator);
        assert_eq!(s.origin(r).expect("again"), Origin::Coordinator, "remembered");

        // Another device's change straight after the genesis.
        let mut other = r.genesis().with_actor(automerge::ActorId::from([9u8; 16].as_slice()));
        let mut tx = other.transaction();
        tx.put(automerge::ROOT, "x", 1).expect("put");
        tx.commit();
        let change = other.get_last_local_change().expect("change").clone();
        s.load(r).expect("load");
        s.docs.get_mut(&r).expect("held").apply_changes([change]).expect("apply");

        assert_eq!(s.origin(r).expect("after"), Origin::Unknown, "two creators: unknown");
        s.origins.clear();
        assert_eq!(s.origin(r).expect("afresh"), Origin::Unknown, "as read afresh");
    }
}
