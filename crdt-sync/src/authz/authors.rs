//! Which device may author which change.
//!
//! An automerge change names its author (its actor); a device's actor is its
//! id's 16 bytes (`Store`'s `DeviceConfig`). automerge does not sign
//! changes, so a modified client can write changes under any actor. Two
//! rules make authorship mean something:
//!
//! - **At the hub, a change is bound to the device that sent it**
//!   ([`AuthorCheck::Sender`]): a device sends its own changes, and may
//!   relay those of other devices of its own lab (a bundle from a laptop
//!   with no network); never a coordinator's, the hub's, another lab's, a
//!   revoked device's or an unknown actor's. Changes the hub already holds
//!   are not sent again by automerge and are not checked. The hub's store
//!   then holds only changes whose author is the device that wrote them,
//!   so its audit trail says who did what with authority, and a volunteer
//!   cannot take the coordinator's next sequence number (which would get
//!   the coordinator's real change — an erasure — refused as a duplicate).
//! - **Wherever data is applied, privileged effects come only from authors
//!   allowed them** ([`AuthorCheck::Privileged`]): tombstones only from
//!   coordinators (or the hub), erasure requests from the lab's lead or a
//!   coordinator, restrictions from coordinators, the project and training
//!   documents from coordinators. Laptops apply it to what the hub sends and
//!   to bundles, with the directory of devices the hub writes into the
//!   project document ([`Directory`]), which only coordinators and the hub
//!   can change.
//!
//! What remains (see `docs/decisions/0018-threat-model.md`): in a bundle,
//! which never passes the hub before a laptop of the lab imports it, a
//! device holding the lab's key can still write a change under a
//! coordinator's actor; a laptop then obeys it, and the hub refuses it when
//! that laptop next syncs.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{ActorId, Automerge, Change, ObjId, ROOT, ReadDoc, Value};

use crate::doc::{self, DocKind, DocRef};
use crate::domain::{DeviceRole, Directory, DirectoryEntry as Entry, Grant};
use crate::error::AuthorRefusal;
use crate::ids::{DeviceId, HouseholdId, LabId, OrganisationId};

/// Who wrote a change, as the directory knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author {
    /// The hub itself (it adds labs and applies the retention policy).
    Hub,
    /// An enrolled device.
    Device(DeviceId, Entry),
    /// No device the directory knows.
    Unknown,
}

impl Author {
    /// Whether the author may write what only coordinators write.
    fn is_coordinator(self) -> bool {
        match self {
            Author::Hub => true,
            Author::Device(_, e) => !e.revoked && e.grant.is_coordinator(),
            Author::Unknown => false,
        }
    }

    /// Whether the author may ask for erasures in `lab`.
    fn may_request_in(self, lab: LabId) -> bool {
        match self {
            Author::Device(_, e) if !e.revoked && e.grant.role == DeviceRole::Lead => {
                e.grant.lab == Some(lab)
            }
            other => other.is_coordinator(),
        }
    }
}

impl Directory {
    /// Who `actor` is.
    pub fn author(&self, actor: &ActorId) -> Author {
        let Some(id) = device_of(actor) else { return Author::Unknown };
        if self.hub == Some(id) {
            return Author::Hub;
        }
        match self.devices.get(&id) {
            Some(e) => Author::Device(id, *e),
            None => Author::Unknown,
        }
    }
}

/// The device whose actor this is: an actor is the device id's 16 bytes,
/// followed, since issue 11, by 8 bytes that change whenever the device's
/// changes are published ([`session_actor`]).
pub fn device_of(actor: &ActorId) -> Option<DeviceId> {
    let bytes = actor.to_bytes();
    if bytes.len() != 16 && bytes.len() != 24 {
        return None;
    }
    uuid::Uuid::from_slice(&bytes[..16]).ok().map(DeviceId)
}

/// A device's actor as written before issue 11 (the id's 16 bytes alone).
pub fn actor_of(device: DeviceId) -> ActorId {
    ActorId::from(device.0.as_bytes().as_slice())
}

/// A device's actor for one stretch of its writing: the id and a nonce.
/// A device takes a new one each time its changes leave it (a sync, a
/// bundle), so no other device ever learns an actor this device will still
/// write with: a lab-mate who writes under it (which the hub lets a device
/// relay) cannot take this device's next sequence number, which would get
/// its real next change refused as a duplicate.
pub fn session_actor(device: DeviceId, nonce: [u8; 8]) -> ActorId {
    ActorId::from([device.0.as_bytes().as_slice(), nonce.as_slice()].concat())
}

/// How the authors of changes from a peer are checked.
#[derive(Clone, Copy, Debug)]
pub enum AuthorCheck<'a> {
    /// Not checked (a store's own tests; data from a trusted origin).
    None,
    /// The hub receiving from `device`: each new change is the sender's own
    /// or a relay of a device of its lab (coordinators may relay any enrolled
    /// device's); the sender must be enrolled and not revoked.
    Sender {
        /// The sending device.
        device: DeviceId,
        /// Its grant, as enrolled.
        grant: Grant,
        /// The hub's directory.
        directory: &'a Directory,
    },
    /// A laptop: privileged effects only from authors allowed them, and,
    /// from a bundle, no change by a revoked device.
    Privileged {
        /// The directory, as the hub wrote it into the project document.
        directory: &'a Directory,
        /// Whether an author the directory does not know is refused a
        /// privileged effect (bundles). From the hub, which checked every
        /// author against its own, newer directory, only an author known
        /// *not* to have the right is refused: the laptop's directory may
        /// not yet list a coordinator enrolled since its last sync.
        strict: bool,
    },
}

/// The new changes a check judges: their authors, in order, read from the
/// document's change metadata (cheap), and the changes themselves, built
/// only when a deletion must be attributed by replaying them (building every
/// change of a whole document re-encodes all its operations: that was a
/// tenth of a first download's time).
pub(crate) struct NewChanges<'a> {
    /// The authors of the new changes, one per change, in no particular
    /// order. A check that gives unknown authors the benefit of the doubt
    /// may be given the genesis's actor too (the genesis writes nothing
    /// privileged, and its actor is no device's).
    pub actors: Vec<ActorId>,
    /// The new changes, whole, in causal order.
    pub changes: &'a dyn Fn() -> Vec<Change>,
}

impl AuthorCheck<'_> {
    /// Whether this check refuses an author the directory does not know
    /// (the hub's, and a bundle's). Only such a check needs a new
    /// document's genesis set apart from the changes it judges: the
    /// genesis's actor is no device's, and the genesis writes nothing
    /// privileged, so a check that gives unknown authors the benefit of the
    /// doubt (the laptop's, of what the hub sends) reaches the same outcome
    /// with it.
    pub(crate) fn refuses_unknown(&self) -> bool {
        match self {
            AuthorCheck::None => false,
            AuthorCheck::Sender { .. } => true,
            AuthorCheck::Privileged { strict, .. } => *strict,
        }
    }

    /// Checks the `new` changes that turned `before` (`None`: a document new
    /// here) into `next`, for document `r`.
    pub(crate) fn verify(
        self,
        r: DocRef,
        before: Option<&Automerge>,
        new: &NewChanges<'_>,
        next: &Automerge,
    ) -> Result<(), AuthorRefusal> {
        match self {
            AuthorCheck::None => Ok(()),
            AuthorCheck::Sender { device, grant, directory } => {
                match directory.devices.get(&device) {
                    Some(e) if !e.revoked => {}
                    _ => return Err(AuthorRefusal::Sender),
                }
                for actor in &new.actors {
                    if r.kind == DocKind::Volunteer {
                        // A volunteer's entry is written by its
                        // organisation's coordinators, each from their own
                        // device: nobody relays one, so nobody can plant an
                        // entry under another organisation's coordinator.
                        if device_of(actor) != Some(device) {
                            let id = device_of(actor).unwrap_or(DeviceId(uuid::Uuid::nil()));
                            return Err(AuthorRefusal::Impersonation { actor: id });
                        }
                        continue;
                    }
                    sender_may_relay(device, grant, directory, actor)?;
                }
                if r.kind == DocKind::Project {
                    return volunteer_tombstone_authors(before, new, next, directory, true);
                }
                Ok(())
            }
            AuthorCheck::Privileged { directory, strict } => {
                // From a bundle, nothing by a revoked device. From the hub,
                // a revoked device's changes are those the hub took before
                // the revocation: history, which every replica must share.
                for a in new.actors.iter().filter(|_| strict) {
                    if let Author::Device(actor, e) = directory.author(a)
                        && e.revoked
                    {
                        return Err(AuthorRefusal::Revoked { actor });
                    }
                }
                if r.kind == DocKind::Volunteer {
                    return volunteer_authors(r, new, next, directory, strict);
                }
                if r.kind == DocKind::Project {
                    volunteer_tombstone_authors(before, new, next, directory, strict)?;
                }
                privileged(r, before, new, next, directory, strict)
            }
        }
    }
}

fn sender_may_relay(
    sender: DeviceId,
    grant: Grant,
    directory: &Directory,
    actor: &ActorId,
) -> Result<(), AuthorRefusal> {
    let author = directory.author(actor);
    let id = device_of(actor).unwrap_or(DeviceId(uuid::Uuid::nil()));
    match author {
        Author::Device(d, _) if d == sender => Ok(()),
        Author::Device(d, e) if e.revoked => Err(AuthorRefusal::Revoked { actor: d }),
        Author::Device(_, _) if grant.is_coordinator() => Ok(()),
        Author::Device(_, e)
            if !e.grant.is_coordinator() && e.grant.lab.is_some() && e.grant.lab == grant.lab =>
        {
            Ok(())
        }
        _ => Err(AuthorRefusal::Impersonation { actor: id }),
    }
}

/// The privileged part of a document: what only some authors may change.
/// The project and training documents are wholly coordinators', but a
/// laptop receives them only from the hub, which takes changes to them from
/// coordinators only ([`super::access`]); a bundle never carries them (a
/// lab may not write them, so importing skips them).
#[derive(PartialEq)]
enum View {
    Lab {
        tombstones: BTreeSet<String>,
        requests: BTreeSet<String>,
    },
    Household(String),
    /// Nothing is.
    None,
}

fn view(r: DocRef, d: &Automerge) -> View {
    match r.kind {
        DocKind::Lab => View::Lab {
            tombstones: doc::lab::subtree(d, doc::lab::ERASED),
            requests: doc::lab::subtree(d, doc::lab::REQUESTS),
        },
        DocKind::Household => View::Household(format!(
            "{:?}",
            doc::household::read(d, HouseholdId(r.id)).map(|h| h.restriction)
        )),
        DocKind::Project | DocKind::Training | DocKind::Person | DocKind::Volunteer => View::None,
    }
}

/// The root keys of a document of `kind` that only some authors may write:
/// tombstones and erasure requests (lab), the restriction (household), the
/// device directory (project, the hub's). Each is written by its own
/// command, never by picking one of two concurrent values (the queue of
/// conflicts offers no choice there).
pub fn privileged_roots(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Lab => &[doc::lab::ERASED, doc::lab::REQUESTS],
        DocKind::Household => &["restriction", "restriction_lifted"],
        DocKind::Project => &[doc::project::DEVICES, doc::project::HUB, doc::project::ERASED_VOLUNTEERS],
        // A volunteer's entry: who may write it at all is its
        // organisation's fact on the hub, not a part of it.
        DocKind::Person | DocKind::Training | DocKind::Volunteer => &[],
    }
}

/// Whether the field at the dotted `path` of a document of `kind` lies in
/// a privileged part ([`privileged_roots`]).
pub fn privileged_path(kind: DocKind, path: &str) -> bool {
    let root = path.split('.').next().unwrap_or_default();
    privileged_roots(kind).contains(&root)
}

/// Which right a privileged value needs.
#[derive(Clone, Copy)]
enum Right {
    Coordinator,
    Request,
}

/// Every value under `ROOT[key]` (rival values included), by its path and
/// the id of the operation that wrote it, with that operation's author.
fn writers(doc: &Automerge, key: &str) -> BTreeMap<(String, String), ActorId> {
    fn walk(
        doc: &Automerge,
        obj: &ObjId,
        path: &str,
        out: &mut BTreeMap<(String, String), ActorId>,
        depth: u8,
    ) {
        if depth > 8 {
            return;
        }
        for k in doc.keys(obj) {
            for (v, id) in doc.get_all(obj, k.as_str()).unwrap_or_default() {
                let here = format!("{path}.{k}");
                if let ObjId::Id(_, actor, _) = &id {
                    out.insert((here.clone(), id.to_string()), actor.clone());
                }
                if let Value::Object(_) = v {
                    walk(doc, &id, &here, out, depth + 1);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for (v, id) in doc.get_all(ROOT, key).unwrap_or_default() {
        if let ObjId::Id(_, actor, _) = &id {
            out.insert((key.to_owned(), id.to_string()), actor.clone());
        }
        if let Value::Object(_) = v {
            walk(doc, &id, key, &mut out, 0);
        }
    }
    out
}

/// The actors of the changes that follow `r`'s genesis directly: those
/// that created the document.
pub(crate) fn creators(r: DocRef, doc: &Automerge) -> BTreeSet<ActorId> {
    let genesis = r.genesis().get_heads();
    doc.get_changes(&genesis)
        .into_iter()
        .filter(|c| c.deps() == genesis)
        .map(|c| c.actor_id().clone())
        .collect()
}

/// The organisation a volunteer's entry is in: that of the coordinators'
/// devices that created its document, when the directory knows them all and
/// they agree. Authors are bound to their devices at the hub, so this is
/// the enrolment of the device that first wrote the entry; nothing written
/// inside the document counts.
pub(crate) fn organisation_of(r: DocRef, doc: &Automerge, directory: &Directory) -> Option<OrganisationId> {
    let mut found = None;
    for actor in creators(r, doc) {
        let org = match directory.author(&actor) {
            Author::Device(_, e) if e.grant.is_coordinator() => e.grant.organisation?,
            _ => return None,
        };
        if found.is_some_and(|f| f != org) {
            return None;
        }
        found = Some(org);
    }
    found
}

/// A laptop applying a volunteer's entry: every new change is by a
/// coordinator of the entry's organisation (an unknown author, or an
/// organisation this laptop's directory cannot tell yet, is given the
/// benefit of the doubt from the hub, which checked them, not from a
/// bundle).
fn volunteer_authors(
    r: DocRef,
    new: &NewChanges<'_>,
    next: &Automerge,
    directory: &Directory,
    strict: bool,
) -> Result<(), AuthorRefusal> {
    let organisation = organisation_of(r, next, directory);
    let genesis = r.genesis();
    let genesis_actor = genesis.get_actor();
    for actor in new.actors.iter().filter(|a| *a != genesis_actor) {
        let ok = match (directory.author(actor), organisation) {
            (Author::Unknown, _) | (_, None) => !strict,
            (Author::Device(_, e), Some(o)) => {
                !e.revoked && e.grant.is_coordinator() && e.grant.organisation == Some(o)
            }
            (Author::Hub, Some(_)) => false,
        };
        if !ok {
            return Err(refuse_actor(actor, "a volunteer's entry", "the coordinators of its organisation"));
        }
    }
    Ok(())
}

/// The volunteers' tombstones in the project document (decision 0033):
/// every value added under `erased_volunteers` is written by an unrevoked
/// coordinator enrolled for the organisation its tombstone names (any
/// coordinator of an organisation may create the empty root map); no
/// tombstone is removed or moved to another organisation. Whether the
/// named organisation is the entry's is the store's to check, where the
/// entry is held (`Store::commit`): only it knows the entry's creators.
fn volunteer_tombstone_authors(
    before: Option<&Automerge>,
    new: &NewChanges<'_>,
    next: &Automerge,
    directory: &Directory,
    strict: bool,
) -> Result<(), AuthorRefusal> {
    let key = doc::project::ERASED_VOLUNTEERS;
    let empty = Automerge::new();
    let before = before.unwrap_or(&empty);
    let (was, now) = (writers(before, key), writers(next, key));
    if was == now {
        return Ok(());
    }
    let what = "a volunteer's erasure";
    let who = "the coordinators of the entry's organisation";
    let (old, tombstones) =
        (doc::project::volunteer_tombstones(before), doc::project::volunteer_tombstones(next));
    for (person, t) in &old {
        if tombstones.get(person).map(|n| n.organisation) != Some(t.organisation) {
            let actor = new.actors.first().cloned().unwrap_or_else(|| ActorId::from(&[0u8; 16][..]));
            return Err(refuse_actor(&actor, "removing a volunteer's erasure", "nobody"));
        }
    }
    for ((path, _), actor) in now.iter().filter(|(k, _)| !was.contains_key(*k)) {
        let Some(c) = new.actors.iter().find(|a| *a == actor) else {
            return Err(refuse_actor(actor, "a value no new change wrote", "nobody"));
        };
        let person = path.split('.').nth(1);
        let organisation = person
            .and_then(|p| p.parse::<crate::ids::PersonId>().ok())
            .and_then(|p| tombstones.get(&p).map(|t| t.organisation));
        let ok = match (directory.author(c), person, organisation) {
            (Author::Unknown, _, _) => !strict,
            (Author::Device(_, e), _, _) if e.revoked || !e.grant.is_coordinator() => false,
            (Author::Device(_, e), None, _) => e.grant.organisation.is_some(),
            (Author::Device(_, e), Some(_), Some(o)) => e.grant.organisation == Some(o),
            _ => false,
        };
        if !ok {
            return Err(refuse_actor(c, what, who));
        }
    }
    Ok(())
}

fn refuse_actor(actor: &ActorId, what: &'static str, who: &'static str) -> AuthorRefusal {
    AuthorRefusal::NotAllowed { actor: device_of(actor).unwrap_or(DeviceId(uuid::Uuid::nil())), what, who }
}

fn privileged(
    r: DocRef,
    before: Option<&Automerge>,
    new: &NewChanges<'_>,
    next: &Automerge,
    directory: &Directory,
    strict: bool,
) -> Result<(), AuthorRefusal> {
    // Who may do what only coordinators may: an unknown author is given
    // the benefit of the doubt unless `strict`.
    let coordinator = |actor: &ActorId| match directory.author(actor) {
        Author::Unknown => !strict,
        a => a.is_coordinator(),
    };
    let may_request = |actor: &ActorId| match directory.author(actor) {
        Author::Unknown => !strict,
        a => a.may_request_in(LabId(r.id)),
    };
    let refuse = |actor: &ActorId, what, who| AuthorRefusal::NotAllowed {
        actor: device_of(actor).unwrap_or(DeviceId(uuid::Uuid::nil())),
        what,
        who,
    };
    let empty = Automerge::new();
    let before = before.unwrap_or(&empty);
    let start = view(r, before);
    if start == View::None {
        return Ok(());
    }
    // Fast path: nothing privileged changed across the whole batch, or
    // every change is a coordinator's.
    if new.actors.iter().all(coordinator) || view(r, next) == start {
        return Ok(());
    }
    // Every value automerge holds carries the id of the operation that
    // wrote it, and so its author: a value added to the privileged part is
    // checked against its writer directly. Only a deletion leaves no value
    // behind; then the changes are replayed.
    let keys: &[(&str, Right)] = match r.kind {
        DocKind::Lab => &[(doc::lab::ERASED, Right::Coordinator), (doc::lab::REQUESTS, Right::Request)],
        _ => &[("restriction", Right::Coordinator), ("restriction_lifted", Right::Coordinator)],
    };
    let mut deleted = false;
    for (key, right) in keys {
        let (was, now) = (writers(before, key), writers(next, key));
        deleted |= was.keys().any(|k| !now.contains_key(k));
        for (_, actor) in now.iter().filter(|(k, _)| !was.contains_key(*k)) {
            let Some(c) = new.actors.iter().find(|a| *a == actor) else {
                return Err(refuse_actor(actor, "a value no new change wrote", "nobody"));
            };
            let ok = match right {
                Right::Coordinator => coordinator(c),
                Right::Request => may_request(c),
            };
            if !ok {
                let (what, who) = match (r.kind, right) {
                    (DocKind::Lab, Right::Coordinator) => ("an erasure", "coordinators"),
                    (DocKind::Lab, Right::Request) => {
                        ("an erasure request", "the lab's lead or coordinators")
                    }
                    _ => ("a restriction", "coordinators"),
                };
                return Err(refuse(c, what, who));
            }
        }
    }
    if !deleted {
        return Ok(());
    }
    // Replay the changes in order and attribute each privileged difference
    // to the change that made it.
    let mut doc = before.clone();
    let mut prev = start;
    for change in (new.changes)() {
        let author = change.actor_id().clone();
        let c = &author;
        doc.apply_changes([change]).map_err(|_| refuse(c, "an unreadable change", "nobody"))?;
        let now = view(r, &doc);
        if now == prev {
            continue;
        }
        match (&prev, &now) {
            (View::Lab { tombstones: a, .. }, View::Lab { tombstones: b, .. })
                if a != b && !coordinator(c) =>
            {
                return Err(refuse(c, "an erasure", "coordinators"));
            }
            (View::Lab { requests: a, .. }, View::Lab { requests: b, .. }) if a != b && !may_request(c) => {
                return Err(refuse(c, "an erasure request", "the lab's lead or coordinators"));
            }
            (View::Household(_), View::Household(_)) if !coordinator(c) => {
                return Err(refuse(c, "a restriction", "coordinators"));
            }
            _ => {}
        }
        prev = now;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use uuid::Uuid;

    const A: LabId = LabId(Uuid::from_u128(1));
    const B: LabId = LabId(Uuid::from_u128(2));

    fn id(n: u128) -> DeviceId {
        DeviceId(Uuid::from_u128(n))
    }

    /// Who may relay whose changes at the hub, rule by rule.
    #[test]
    fn relays() {
        let lab =
            |role, lab| Entry { grant: Grant { role, lab: Some(lab), organisation: None }, revoked: false };
        let directory = Directory {
            devices: BTreeMap::from([
                (id(1), lab(DeviceRole::Volunteer, A)),
                (id(2), lab(DeviceRole::Lead, A)),
                (id(3), lab(DeviceRole::Volunteer, B)),
                (id(4), Entry { grant: Grant::COORDINATOR, revoked: false }),
                (id(5), Entry { revoked: true, ..lab(DeviceRole::Volunteer, A) }),
            ]),
            hub: Some(id(9)),
        };
        let volunteer_a = (id(1), lab(DeviceRole::Volunteer, A).grant);
        let coordinator = (id(4), Grant::COORDINATOR);
        let cases = [
            (volunteer_a, 1, true),   // its own
            (volunteer_a, 2, true),   // its lab's lead, from a bundle
            (volunteer_a, 3, false),  // another lab's device
            (volunteer_a, 4, false),  // the coordinator
            (volunteer_a, 5, false),  // a revoked device
            (volunteer_a, 9, false),  // the hub
            (volunteer_a, 77, false), // nobody the hub enrolled
            (coordinator, 3, true),
            (coordinator, 5, false),
            (coordinator, 9, false),
        ];
        for ((sender, grant), author, ok) in cases {
            let got = sender_may_relay(sender, grant, &directory, &actor_of(id(author)));
            assert_eq!(got.is_ok(), ok, "{sender} relaying {author}: {got:?}");
        }
        assert_eq!(device_of(&actor_of(id(7))), Some(id(7)));
        assert_eq!(directory.author(&actor_of(id(9))), Author::Hub);
        assert_eq!(directory.author(&ActorId::from(&[1u8; 3][..])), Author::Unknown);
    }

    /// The volunteers' tombstones in the project document: only a
    /// coordinator of the organisation a tombstone names writes it, and
    /// nobody removes one (decision 0033).
    #[test]
    fn volunteer_tombstones_come_from_their_organisations_coordinators() {
        use crate::domain::{ErasureReason, VolunteerTombstone};
        use crate::ids::{OrganisationId, PersonId, ProjectId};

        let (o, q) = (OrganisationId(Uuid::from_u128(5)), OrganisationId(Uuid::from_u128(6)));
        let entry = |grant| Entry { grant, revoked: false };
        let directory = Directory {
            devices: BTreeMap::from([
                (id(1), entry(Grant::coordinator_of(o))),
                (id(2), entry(Grant::coordinator_of(q))),
                (id(3), entry(Grant::COORDINATOR)),
                (id(4), Entry { revoked: true, ..entry(Grant::coordinator_of(o)) }),
                (id(5), entry(Grant { role: DeviceRole::Lead, lab: Some(A), organisation: Some(o) })),
            ]),
            hub: Some(id(9)),
        };
        let r = DocRef::project(ProjectId(Uuid::from_u128(7)));
        let before = r.genesis();
        let tombstone = |by: u128, organisation| {
            let mut next = before.clone().with_actor(actor_of(id(by)));
            let t = VolunteerTombstone {
                person: PersonId(Uuid::from_u128(8)),
                organisation,
                at: chrono::DateTime::from_timestamp_millis(1).expect("time"),
                by_device: id(by),
                by_person: None,
                reason: ErasureReason::Request,
            };
            next.transact::<_, _, crate::error::Error>(|tx| doc::project::write_volunteer_tombstone(tx, &t))
                .expect("write");
            next
        };
        let judge = |by: u128, next: &Automerge, strict: bool, old: &Automerge| {
            let new = NewChanges { actors: vec![actor_of(id(by))], changes: &Vec::<Change>::new };
            volunteer_tombstone_authors(Some(old), &new, next, &directory, strict)
        };
        let cases = [
            (1, o, true, true),   // the organisation's coordinator
            (2, o, true, false),  // another organisation's, naming the entry's
            (2, q, true, true),   // naming its own: the store checks the entry
            (3, o, true, false),  // the project-wide office
            (4, o, true, false),  // revoked
            (5, o, true, false),  // a lead, whatever its grant says
            (77, o, true, false), // nobody the hub enrolled
            (77, o, false, true), // from the hub: it checked
        ];
        for (by, organisation, strict, ok) in cases {
            let got = judge(by, &tombstone(by, organisation), strict, &before);
            assert_eq!(got.is_ok(), ok, "device {by} for {organisation:?} (strict {strict}): {got:?}");
        }
        // Removing a tombstone, even by the organisation's coordinator.
        let written = tombstone(1, o);
        let mut removed = written.clone().with_actor(actor_of(id(1)));
        removed
            .transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.delete(ROOT, doc::project::ERASED_VOLUNTEERS)
            })
            .expect("delete");
        assert!(judge(1, &removed, true, &written).is_err());
    }
}
