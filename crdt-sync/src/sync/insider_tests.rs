//! Insiders, in one process: enrolled devices whose software writes what an
//! honest app never would — a roster that lists another lab's operator,
//! changes under the coordinator's actor, tombstones in a bundle — against a
//! store behind `Session::hub` (`in_turns`), and laptops importing bundles.
//! The same attacks against the real hub binary: `hub/tests/insider/`.

use crate::store::Erasure;
use crate::store::Families;
use crate::store::Maintenance;
use crate::store::ProjectSettings;
use crate::store::Replication;
use crate::store::Staff;
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};

use super::bundle::{self, BundleKey};
use super::{DeviceRole, Grant, Refusal};
use crate::authz::authors::actor_of;
use crate::doc::DocRef;
use crate::domain::DirectoryEntry as Entry;
use crate::domain::{ErasureReason, NewPerson, PersonPatch, Role};
use crate::error::Error;
use crate::ids::LabId;
use crate::store::Store;
use crate::testing::one_family::{copy_all, family, forged_tombstone, lab, store};

fn coordinator() -> Grant {
    Grant::COORDINATOR
}

fn of_lab(role: DeviceRole, lab: LabId) -> Grant {
    Grant { role, lab: Some(lab), organisation: None }
}

/// Syncs and returns what the hub refused.
fn sync(hub: &mut Store, grant: Grant, device: &mut Store) -> Vec<(DocRef, Refusal)> {
    let t = super::in_turns(hub, grant, device).expect("sync");
    t.device.refused().iter().map(|(d, r)| (*d, *r)).collect()
}

fn operator(lab: LabId) -> NewPerson {
    NewPerson {
        lab,
        first_name: "Marta".into(),
        last_name: "Scotti".into(),
        role: Role::Operator,
        organisation: "Coop. Il Convoglio".into(),
        phone: "0382 000111".into(),
        email: "marta@example.org".into(),
    }
}

/// Writes one change to `r` in `device`'s copy as `actor` would (the
/// modified client: automerge directly), then stores it there unchecked.
fn write_as(device: &mut Store, r: DocRef, actor: automerge::ActorId, f: impl FnOnce(&mut Automerge)) {
    let mut doc = Automerge::load(&device.export_doc(r).expect("export")).expect("load").with_actor(actor);
    let heads = doc.get_heads();
    f(&mut doc);
    device.apply_bytes(r, &doc.save_after(&heads)).expect("stored on the insider's laptop");
}

/// Two labs, set up by a coordinator and synced to the hub.
struct World {
    hub: Store,
    coordinator: Store,
    lab1: LabId,
    lab2: LabId,
}

fn world() -> World {
    let mut hub = store(100);
    let mut coordinator = store(1);
    let lab1 = lab(&mut coordinator, 1);
    let lab2 = lab(&mut coordinator, 2);
    assert!(sync(&mut hub, self::coordinator(), &mut coordinator).is_empty());
    World { hub, coordinator, lab1, lab2 }
}

#[test]
fn a_lead_registers_an_operator_and_the_first_sync_brings_her_to_the_hub() {
    let mut w = world();
    let mut lead = store(11);
    sync(&mut w.hub, of_lab(DeviceRole::Lead, w.lab1), &mut lead);
    let p = lead.create_person(operator(w.lab1)).expect("person");
    let refused = sync(&mut w.hub, of_lab(DeviceRole::Lead, w.lab1), &mut lead);
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(w.hub.person(p).expect("on the hub").last_name, "Scotti");
    // A second laptop of the lab receives her, and may edit her.
    let mut volunteer = store(12);
    sync(&mut w.hub, of_lab(DeviceRole::Volunteer, w.lab1), &mut volunteer);
    volunteer
        .update_person(p, PersonPatch { phone: Some("0382 999".into()), ..Default::default() })
        .expect("edit");
    assert!(sync(&mut w.hub, of_lab(DeviceRole::Volunteer, w.lab1), &mut volunteer).is_empty());
    assert_eq!(w.hub.person(p).expect("person").phone, "0382 999");
}

#[test]
fn an_operator_listed_on_another_labs_roster_is_neither_sent_there_nor_changed_from_there() {
    let mut w = world();
    let mut lead1 = store(11);
    sync(&mut w.hub, of_lab(DeviceRole::Lead, w.lab1), &mut lead1);
    let p = lead1.create_person(operator(w.lab1)).expect("person");
    sync(&mut w.hub, of_lab(DeviceRole::Lead, w.lab1), &mut lead1);

    // A lab-2 volunteer lists her on lab 2's roster: one change to its own
    // lab document, which the hub accepts (the lab writes its roster).
    let mut insider = store(21);
    let grant2 = of_lab(DeviceRole::Volunteer, w.lab2);
    sync(&mut w.hub, grant2, &mut insider);
    let actor = actor_of(insider.device());
    write_as(&mut insider, DocRef::lab(w.lab2), actor.clone(), |doc| {
        let mut tx = doc.transaction();
        let roster = crate::doc::map_at(&tx, &ROOT, "roster").expect("roster");
        tx.put(&roster, p.to_string(), true).expect("list her");
        tx.commit();
    });
    let refused = sync(&mut w.hub, grant2, &mut insider);
    assert!(refused.is_empty(), "the roster change itself is the lab's to make: {refused:?}");
    assert!(!insider.has_doc(DocRef::person(p)).expect("has"), "her document was sent to lab 2");

    // Nor can it write her document: a copy of its own making, under the
    // same id, is refused and the hub's copy is unchanged.
    let r = DocRef::person(p);
    let mut forged = r.genesis().with_actor(actor);
    let mut tx = forged.transaction();
    tx.put(ROOT, "phone", "+39 333 666").expect("phone");
    tx.commit();
    insider.apply_bytes(r, &forged.save()).expect("the insider stores its forgery");
    let refused = sync(&mut w.hub, grant2, &mut insider);
    assert!(
        refused.iter().any(|(d, why)| *d == r && matches!(why, Refusal::NotListed | Refusal::NotAllowed)),
        "{refused:?}"
    );
    assert_eq!(w.hub.person(p).expect("person").phone, "0382 000111");
    // Her own lab still reads and writes her.
    assert!(sync(&mut w.hub, of_lab(DeviceRole::Lead, w.lab1), &mut lead1).is_empty());
}

#[test]
fn changes_written_as_the_coordinator_are_refused_and_the_coordinators_erasure_still_goes_through() {
    let mut w = world();
    let h = family(&mut w.coordinator, w.lab1);
    sync(&mut w.hub, coordinator(), &mut w.coordinator);
    let mut insider = store(11);
    let grant = of_lab(DeviceRole::Volunteer, w.lab1);
    sync(&mut w.hub, grant, &mut insider);
    // The coordinator's next sequence number, taken by the insider.
    write_as(&mut insider, DocRef::lab(w.lab1), actor_of(w.coordinator.device()), |doc| {
        let mut tx = doc.transaction();
        tx.put(ROOT, "note", "scritto a nome del coordinamento").expect("put");
        tx.commit();
    });
    let refused = sync(&mut w.hub, grant, &mut insider);
    assert_eq!(refused, vec![(DocRef::lab(w.lab1), Refusal::WrongAuthor)]);
    // Another lab's device's actor: the same.
    let mut other = store(12);
    sync(&mut w.hub, grant, &mut other);
    let stranger = store(21).device();
    w.hub
        .reconcile_directory(&[(stranger, Entry { grant: of_lab(DeviceRole::Lead, w.lab2), revoked: false })])
        .expect("directory");
    write_as(&mut other, DocRef::lab(w.lab1), actor_of(stranger), |doc| {
        let mut tx = doc.transaction();
        tx.put(ROOT, "note", "scritto a nome di un altro laboratorio").expect("put");
        tx.commit();
    });
    assert_eq!(sync(&mut w.hub, grant, &mut other), vec![(DocRef::lab(w.lab1), Refusal::WrongAuthor)]);

    // The coordinator's real change with that sequence number: an erasure.
    w.coordinator.erase_household(h, ErasureReason::Request, None).expect("erase");
    let refused = sync(&mut w.hub, coordinator(), &mut w.coordinator);
    assert_eq!(
        refused,
        vec![(DocRef::household(h), Refusal::Erased)],
        "only the erased family's own document"
    );
    assert!(matches!(w.hub.household(h), Err(Error::Erased { .. })), "the erasure was refused");
}

#[test]
fn a_revoked_devices_changes_are_refused_even_relayed_by_its_lab() {
    let mut w = world();
    let grant = of_lab(DeviceRole::Volunteer, w.lab1);
    let mut lost = store(11);
    sync(&mut w.hub, grant, &mut lost);
    let mut relay = store(12);
    sync(&mut w.hub, grant, &mut relay);
    family(&mut lost, w.lab1);
    w.hub.reconcile_directory(&[(lost.device(), Entry { grant, revoked: true })]).expect("revoke");
    copy_all(&mut lost, &mut relay);
    let refused = sync(&mut w.hub, grant, &mut relay);
    assert!(refused.contains(&(DocRef::lab(w.lab1), Refusal::WrongAuthor)), "{refused:?}");
}

/// What the hub took from a device before revoking it is history: a laptop
/// that first syncs afterwards receives it like any other change.
#[test]
fn a_revoked_devices_earlier_changes_still_reach_a_new_laptop_from_the_hub() {
    let mut w = world();
    let grant = of_lab(DeviceRole::Volunteer, w.lab1);
    let mut lost = store(11);
    sync(&mut w.hub, grant, &mut lost);
    let h = family(&mut lost, w.lab1);
    assert!(sync(&mut w.hub, grant, &mut lost).is_empty());
    w.hub.reconcile_directory(&[(lost.device(), Entry { grant, revoked: true })]).expect("revoke");
    let mut newcomer = store(12);
    let refused = sync(&mut w.hub, grant, &mut newcomer);
    assert!(refused.is_empty(), "{refused:?}");
    assert!(newcomer.household(h).is_ok(), "the family the lost laptop registered");
}

#[test]
fn a_laptop_obeys_a_bundles_tombstone_only_when_a_coordinator_wrote_it() {
    let mut w = world();
    let h = family(&mut w.coordinator, w.lab1);
    sync(&mut w.hub, coordinator(), &mut w.coordinator);
    let key = BundleKey([4; 32]);
    let lead = of_lab(DeviceRole::Lead, w.lab1);
    let mut insider = store(11);
    let mut victim = store(12);
    sync(&mut w.hub, lead, &mut insider);
    sync(&mut w.hub, lead, &mut victim);
    // The directory (in the project document) reaches the victim.
    sync(&mut w.hub, lead, &mut victim);

    // A lead's laptop writes a tombstone (its own actor) into a bundle.
    let forged = forged_tombstone(&mut insider, w.lab1, h);
    insider.apply_bytes(DocRef::lab(w.lab1), &forged).expect("stored on the insider's laptop");
    let docs = insider.doc_refs().expect("docs");
    let b = bundle::export(&mut insider, w.lab1, &key, &docs, 0).expect("bundle");
    let got = bundle::import_as_device(&mut victim, &b, &key, w.lab1).expect("import");
    assert!(
        got.refused.iter().any(|(d, why)| *d == DocRef::lab(w.lab1) && why.contains("erasure")),
        "{got:?}"
    );
    assert!(victim.household(h).is_ok(), "the family was erased by a lead's bundle");

    // An actor the directory does not know: refused in a bundle.
    let mut unknown = store(13);
    copy_all(&mut victim, &mut unknown);
    let forged = forged_tombstone(&mut unknown, w.lab1, h);
    unknown.apply_bytes(DocRef::lab(w.lab1), &forged).expect("stored");
    let docs = unknown.doc_refs().expect("docs");
    let b = bundle::export(&mut unknown, w.lab1, &key, &docs, 0).expect("bundle");
    let got = bundle::import_as_device(&mut victim, &b, &key, w.lab1).expect("import");
    assert!(got.refused.iter().any(|(d, _)| *d == DocRef::lab(w.lab1)), "{got:?}");
    assert!(victim.household(h).is_ok());

    // The coordinator's real erasure, relayed by a lab laptop that synced:
    // obeyed.
    w.coordinator.erase_household(h, ErasureReason::Request, None).expect("erase");
    sync(&mut w.hub, coordinator(), &mut w.coordinator);
    let mut relay = store(14);
    sync(&mut w.hub, lead, &mut relay);
    let docs = relay.doc_refs().expect("docs");
    let b = bundle::export(&mut relay, w.lab1, &key, &docs, 0).expect("bundle");
    let got = bundle::import_as_device(&mut victim, &b, &key, w.lab1).expect("import");
    assert!(got.refused.is_empty(), "{got:?}");
    assert!(matches!(victim.household(h), Err(Error::Erased { .. })));
}

#[test]
fn a_bundle_from_a_revoked_device_is_refused_whole() {
    let mut w = world();
    let key = BundleKey([4; 32]);
    let grant = of_lab(DeviceRole::Volunteer, w.lab1);
    let mut lost = store(11);
    sync(&mut w.hub, grant, &mut lost);
    let mut laptop = store(12);
    family(&mut lost, w.lab1);
    let docs = lost.doc_refs().expect("docs");
    let b = bundle::export(&mut lost, w.lab1, &key, &docs, 0).expect("bundle");
    w.hub.reconcile_directory(&[(lost.device(), Entry { grant, revoked: true })]).expect("revoke");
    sync(&mut w.hub, grant, &mut laptop);
    let before = w.hub.projection_dump().expect("dump");
    for (store, import) in [
        (&mut w.hub, bundle::import_as_lab as fn(&mut Store, &[u8], &BundleKey, LabId) -> _),
        (&mut laptop, bundle::import_as_device),
    ] {
        let err = import(store, &b, &key, w.lab1).expect_err("a revoked device's bundle");
        assert!(err.to_string().contains("revoked"), "{err}");
    }
    assert_eq!(w.hub.projection_dump().expect("dump"), before);
}

#[test]
fn a_new_family_sent_whole_with_a_change_under_the_coordinators_actor_is_refused_whole() {
    // A document the hub lacks goes whole (one compacted save, taken as
    // parsed: `receive_sync_message`); the authors are read from its change
    // metadata, and one change as the coordinator refuses it all.
    let mut w = world();
    let grant = of_lab(DeviceRole::Volunteer, w.lab1);
    let mut insider = store(11);
    sync(&mut w.hub, grant, &mut insider);
    let h = family(&mut insider, w.lab1);
    let r = DocRef::household(h);
    write_as(&mut insider, r, actor_of(w.coordinator.device()), |doc| {
        let mut tx = doc.transaction();
        tx.put(ROOT, "note", "scritto a nome del coordinamento").expect("put");
        tx.commit();
    });
    let refused = sync(&mut w.hub, grant, &mut insider);
    assert!(refused.contains(&(r, Refusal::WrongAuthor)), "{refused:?}");
    assert!(!w.hub.has_doc(r).expect("has"), "the forged family is not on the hub");
    // The same family without the forged change arrives whole and intact.
    let mut honest = store(12);
    sync(&mut w.hub, grant, &mut honest);
    let h2 = family(&mut honest, w.lab1);
    assert!(sync(&mut w.hub, grant, &mut honest).is_empty());
    assert_eq!(
        w.hub.export_doc(DocRef::household(h2)).expect("on the hub"),
        honest.export_doc(DocRef::household(h2)).expect("here")
    );
    // And a new laptop of the lab receives it whole, readable.
    let mut fresh = store(13);
    assert!(sync(&mut w.hub, grant, &mut fresh).is_empty());
    assert_eq!(fresh.household(h2).expect("received").code, honest.household(h2).expect("here").code);
    assert_eq!(fresh.check_projection().expect("check"), 0);
}

/// A lab lead's laptop (no `ChangeProjectSettings`) whose software adds an
/// area of the nomenclature and maps an activity type to it: the project
/// document is read-only to the lead, so the hub refuses the changes as it
/// refuses forged targets, and nothing reaches the hub or another laptop.
#[test]
fn a_leads_mapping_to_the_nomenclature_is_refused_like_any_project_setting() {
    use crate::domain::NomenclatureArea;
    let mut w = world();
    let project = DocRef::project(w.hub.project());
    w.coordinator
        .put_nomenclature_area(NomenclatureArea { code: "A1".into(), name: "Famiglia".into() })
        .expect("A1");
    assert!(sync(&mut w.hub, coordinator(), &mut w.coordinator).is_empty());
    let mut lead = store(11);
    let lead_grant = of_lab(DeviceRole::Lead, w.lab1);
    assert!(sync(&mut w.hub, lead_grant, &mut lead).is_empty());
    assert_eq!(lead.nomenclature_areas().expect("areas").len(), 1, "the lead reads the areas");
    let before = w.hub.projection_dump().expect("dump");

    lead.put_nomenclature_area(NomenclatureArea { code: "Z9".into(), name: "Falsa".into() }).expect("laptop");
    lead.set_activity_nomenclature("family_tutoring", Some("A1")).expect("on the insider's laptop");
    let refused = sync(&mut w.hub, lead_grant, &mut lead);
    assert_eq!(refused, vec![(project, Refusal::ReadOnly)]);
    assert_eq!(w.hub.projection_dump().expect("dump"), before, "the hub is unchanged");
    assert!(w.hub.activity_types().expect("types").iter().all(|t| t.nomenclature.is_none()));
    sync(&mut w.hub, coordinator(), &mut w.coordinator);
    assert_eq!(w.coordinator.nomenclature_areas().expect("areas").len(), 1);
    // The same refusal as the lead's forged targets get.
    let mut other = store(12);
    sync(&mut w.hub, lead_grant, &mut other);
    other.set_targets(crate::domain::Targets { families: 1, ..Default::default() }).expect("laptop");
    assert_eq!(sync(&mut w.hub, lead_grant, &mut other), vec![(project, Refusal::ReadOnly)]);
}
