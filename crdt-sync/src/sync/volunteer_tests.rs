//! The volunteers' register through the hub's session, in one process
//! (`in_turns`): who receives an entry, who may write one, and what a
//! laptop applying one checks. The same through the real hub binary:
//! `hub/tests/insider/volunteers.rs`.

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use uuid::Uuid;

use super::{DeviceRole, Grant, Refusal};
use crate::authz::authors::{AuthorCheck, actor_of};
use crate::authz::{Directory, WriteCheck};
use crate::doc::DocRef;
use crate::domain::{NewPerson, Role, VolunteerEntry};
use crate::error::Error;
use crate::ids::{LabId, OrganisationId, PersonId};
use crate::store::{Replication, Staff, Store, VolunteerRegister};
use crate::testing::d;
use crate::testing::one_family::{lab, store};

pub(super) const CF: &str = "RSSMRA85T10A562S";
pub(super) const RESIDENCE: &str = "Via Riservata 7, Pavia";

pub(super) fn sync(hub: &mut Store, grant: Grant, device: &mut Store) -> Vec<(DocRef, Refusal)> {
    let t = super::in_turns(hub, grant, device).expect("sync");
    t.device.refused().iter().map(|(d, r)| (*d, *r)).collect()
}

pub(super) fn entry() -> VolunteerEntry {
    VolunteerEntry {
        codice_fiscale: CF.into(),
        residence: RESIDENCE.into(),
        start: Some(d(2026, 3, 1)),
        insurance_from: Some(d(2026, 1, 1)),
        insurance_to: Some(d(2026, 12, 31)),
        ..VolunteerEntry::default()
    }
}

pub(super) struct World {
    pub(super) hub: Store,
    pub(super) office: Store,
    pub(super) lab1: LabId,
    pub(super) volunteer: PersonId,
    pub(super) org: OrganisationId,
    pub(super) other_org: OrganisationId,
}

/// A project-wide coordinator sets up a lab, two organisations and a
/// volunteer of lab 1; the hub holds it all.
pub(super) fn world() -> World {
    let mut hub = store(100);
    let mut office = store(1);
    let lab1 = lab(&mut office, 1);
    let org = office.add_organisation("Consorzio Sociale Pavese").expect("org");
    let other_org = office.add_organisation("Coop. Il Convoglio").expect("org");
    let volunteer = office
        .create_person(NewPerson {
            lab: lab1,
            first_name: "Mario".into(),
            last_name: "Rossi".into(),
            role: Role::Volunteer,
            organisation: "Consorzio".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    assert!(sync(&mut hub, Grant::COORDINATOR, &mut office).is_empty());
    World { hub, office, lab1, volunteer, org, other_org }
}

fn holds_secret(s: &mut Store, p: PersonId) -> bool {
    let r = DocRef::volunteer(p);
    if !s.has_doc(r).expect("has") {
        return false;
    }
    let bytes = s.export_doc(r).expect("export");
    bytes.windows(CF.len()).any(|w| w == CF.as_bytes()) || s.volunteer(p).expect("read").is_some()
}

#[test]
fn only_the_organisations_coordinators_receive_and_write_its_entries() {
    let mut w = world();
    let mut keeper = store(2);
    let keeper_grant = Grant::coordinator_of(w.org);
    // Before its first sync the laptop does not know its organisation.
    assert!(matches!(keeper.keep_volunteer(w.volunteer, entry()), Err(Error::NotOfOrganisation)));
    sync(&mut w.hub, keeper_grant, &mut keeper);
    assert_eq!(keeper.own_organisation().expect("own"), Some(w.org));
    let kept = keeper.keep_volunteer(w.volunteer, entry()).expect("kept");
    assert_eq!(kept.organisation, Some(w.org));
    assert_eq!(kept.codice_fiscale.as_ref().map(|c| c.as_str()), Some(CF));
    assert!(sync(&mut w.hub, keeper_grant, &mut keeper).is_empty());
    assert_eq!(w.hub.volunteer(w.volunteer).expect("hub").expect("held").residence, RESIDENCE);

    // A second coordinator of the organisation receives it and may change it.
    let mut colleague = store(3);
    sync(&mut w.hub, keeper_grant, &mut colleague);
    assert!(holds_secret(&mut colleague, w.volunteer));
    colleague
        .keep_volunteer(w.volunteer, VolunteerEntry { end: Some(d(2026, 11, 30)), ..entry() })
        .expect("ended");
    assert!(sync(&mut w.hub, keeper_grant, &mut colleague).is_empty());
    sync(&mut w.hub, keeper_grant, &mut keeper);
    assert_eq!(keeper.volunteer(w.volunteer).expect("read").expect("held").end, Some(d(2026, 11, 30)));

    // Nobody else receives it: another organisation's coordinator, the
    // project-wide coordinator, the volunteer's own lab.
    let mut other = store(4);
    let mut lead = store(11);
    for (s, g) in [
        (&mut other, Grant::coordinator_of(w.other_org)),
        (&mut w.office, Grant::COORDINATOR),
        (&mut lead, Grant::of_lab(DeviceRole::Lead, w.lab1)),
    ] {
        sync(&mut w.hub, g, s);
        assert!(s.has_doc(DocRef::person(w.volunteer)).expect("has"), "{g:?} receives the person");
        assert!(!holds_secret(s, w.volunteer), "{g:?} received the entry");
    }
    // Another organisation's coordinator, not knowing the entry exists,
    // may write one offline; the hub keeps it out of the organisation's.
    other
        .keep_volunteer(w.volunteer, VolunteerEntry { residence: "Via Altra 3".into(), ..entry() })
        .expect("local");
    let refused = sync(&mut w.hub, Grant::coordinator_of(w.other_org), &mut other);
    assert_eq!(refused, vec![(DocRef::volunteer(w.volunteer), Refusal::NotAllowed)]);
    assert_eq!(w.hub.volunteer(w.volunteer).expect("hub").expect("held").residence, RESIDENCE);
}

#[test]
fn forged_entries_are_refused_by_the_hub_and_by_laptops() {
    let mut w = world();
    let keeper_grant = Grant::coordinator_of(w.org);
    let mut keeper = store(2);
    sync(&mut w.hub, keeper_grant, &mut keeper);
    keeper.keep_volunteer(w.volunteer, entry()).expect("kept");
    sync(&mut w.hub, keeper_grant, &mut keeper);

    // Another organisation's coordinator writes the entry with its own
    // software (a new document of the same id): the hub does not take it.
    let mut other = store(4);
    let other_grant = Grant::coordinator_of(w.other_org);
    sync(&mut w.hub, other_grant, &mut other);
    let r = DocRef::volunteer(w.volunteer);
    let forged = |actor: automerge::ActorId| {
        let mut doc = r.genesis().with_actor(actor);
        let mut tx = doc.transaction();
        tx.put(ROOT, "residence", "Via Falsa 1").expect("put");
        tx.put(ROOT, "start", "2026-01-01").expect("put");
        tx.commit();
        doc.save()
    };
    other.apply_bytes(r, &forged(actor_of(other.device()))).expect("on the insider's laptop");
    let refused = sync(&mut w.hub, other_grant, &mut other);
    assert_eq!(refused, vec![(r, Refusal::NotAllowed)]);
    assert_eq!(w.hub.volunteer(w.volunteer).expect("hub").expect("held").residence, RESIDENCE);

    // A lab's lead pushes one: refused alike.
    let mut lead = store(11);
    let lead_grant = Grant::of_lab(DeviceRole::Lead, w.lab1);
    sync(&mut w.hub, lead_grant, &mut lead);
    lead.apply_bytes(r, &forged(actor_of(lead.device()))).expect("on the lead's laptop");
    assert_eq!(sync(&mut w.hub, lead_grant, &mut lead), vec![(r, Refusal::NotAllowed)]);

    // Planting a new entry in the organisation's register, written as its
    // coordinator: the hub binds every change of an entry to its sender.
    let fresh = w.office.create_person(NewPerson {
        lab: w.lab1,
        first_name: "Anna".into(),
        last_name: "Bianchi".into(),
        role: Role::Volunteer,
        organisation: String::new(),
        phone: String::new(),
        email: String::new(),
    });
    let fresh = fresh.expect("person");
    sync(&mut w.hub, Grant::COORDINATOR, &mut w.office);
    let planted = DocRef::volunteer(fresh);
    let mut doc = planted.genesis().with_actor(actor_of(keeper.device()));
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "residence", "Via Falsa 1")?;
        tx.put(ROOT, "start", "2026-01-01")?;
        Ok(())
    })
    .expect("write");
    other.apply_bytes(planted, &doc.save()).expect("on the insider's laptop");
    assert!(sync(&mut w.hub, other_grant, &mut other).contains(&(planted, Refusal::WrongAuthor)));
    assert!(!w.hub.has_doc(planted).expect("has"));

    // A laptop of the organisation applying a change by another
    // organisation's coordinator refuses it: from a bundle (strictly), and
    // from the hub too once its directory names the author (an author it
    // does not know yet is believed from the hub, which checked it).
    sync(&mut w.hub, keeper_grant, &mut keeper);
    let doc = Automerge::load(&keeper.export_doc(r).expect("export")).expect("load");
    let heads = doc.get_heads();
    let mut doc = doc.with_actor(actor_of(other.device()));
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "residence", "Via Falsa 1").map(|_| ())
    })
    .expect("write");
    let change = doc.save_after(&heads);
    let directory: std::sync::Arc<Directory> = keeper.directory().expect("directory");
    for strict in [true, false] {
        let got = keeper.apply_bytes_checked(
            r,
            &change,
            WriteCheck::None,
            AuthorCheck::Privileged { directory: &directory, strict },
        );
        assert!(matches!(got, Err(Error::WrongAuthor { .. })), "strict {strict}: {got:?}");
    }
    assert_eq!(keeper.volunteer(w.volunteer).expect("read").expect("held").residence, RESIDENCE);
}

#[test]
fn an_entrys_history_says_who_changed_what_and_when() {
    let mut w = world();
    let keeper_grant = Grant::coordinator_of(w.org);
    let mut keeper = store(2);
    sync(&mut w.hub, keeper_grant, &mut keeper);
    let operator = PersonId(Uuid::from_u128(42));
    keeper.set_operator(Some(operator));
    keeper.keep_volunteer(w.volunteer, entry()).expect("kept");
    keeper
        .keep_volunteer(w.volunteer, VolunteerEntry { residence: "Via Nuova 2, Pavia".into(), ..entry() })
        .expect("moved");
    let history = keeper.volunteer_history(w.volunteer).expect("history");
    assert_eq!(history.len(), 2, "{history:#?}");
    assert!(history.iter().all(|c| c.device == Some(keeper.device()) && c.person == Some(operator)));
    let first: Vec<&str> = history[0].fields.iter().map(|f| f.field.as_str()).collect();
    assert!(first.contains(&"codice_fiscale") && first.contains(&"residence"), "{first:?}");
    assert_eq!(history[1].fields.len(), 1);
    let moved = &history[1].fields[0];
    assert_eq!((moved.field.as_str(), moved.before.as_str()), ("residence", RESIDENCE));
    assert_eq!(moved.after, "Via Nuova 2, Pavia");
    // The hub's copy tells the same history.
    sync(&mut w.hub, keeper_grant, &mut keeper);
    assert_eq!(w.hub.volunteer_history(w.volunteer).expect("hub history"), history);
}

#[test]
fn a_meeting_led_by_an_uncovered_volunteer_is_flagged_for_the_organisation() {
    use crate::domain::NewMeeting;
    use crate::store::Meetings;
    use chrono::NaiveTime;

    let mut w = world();
    let keeper_grant = Grant::coordinator_of(w.org);
    let mut keeper = store(2);
    sync(&mut w.hub, keeper_grant, &mut keeper);
    // Volunteering from 1 March; insured for 2026 until 30 June.
    let e = VolunteerEntry { insurance_to: Some(d(2026, 6, 30)), ..entry() };
    keeper.keep_volunteer(w.volunteer, e).expect("kept");
    let meeting = |date| NewMeeting {
        lab: w.lab1,
        date,
        start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
        end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        activity: "open_lab".into(),
        theme: String::new(),
        facilitators: [w.volunteer].into(),
        attendance: Vec::new(),
        guests: 0,
        notes: String::new(),
    };
    let before = w.office.create_meeting(meeting(d(2026, 2, 15))).expect("meeting");
    let covered = w.office.create_meeting(meeting(d(2026, 4, 1))).expect("meeting");
    let uninsured = w.office.create_meeting(meeting(d(2026, 7, 2))).expect("meeting");
    sync(&mut w.hub, Grant::COORDINATOR, &mut w.office);
    sync(&mut w.hub, keeper_grant, &mut keeper);
    let got = keeper.facilitator_cover(d(2026, 1, 1), d(2026, 12, 31)).expect("warnings");
    let flags: Vec<_> = got.iter().map(|c| (c.meeting, c.not_volunteering, c.not_insured)).collect();
    assert_eq!(flags, vec![(before, true, false), (uninsured, false, true)]);
    assert!(got.iter().all(|c| c.person == w.volunteer && c.lab == w.lab1));
    assert!(!flags.iter().any(|f| f.0 == covered));
    // The office holds no entry: nothing to warn about there.
    assert!(w.office.facilitator_cover(d(2026, 1, 1), d(2026, 12, 31)).expect("office").is_empty());
}

#[test]
fn a_labs_bundle_carries_no_entry_into_the_hub_or_a_laptop() {
    use super::bundle::{self, BundleKey};

    let mut w = world();
    let lead_grant = Grant::of_lab(DeviceRole::Lead, w.lab1);
    let mut lead = store(11);
    sync(&mut w.hub, lead_grant, &mut lead);
    // The lead's modified app writes an entry for the lab's volunteer and
    // puts it in a bundle, beside the lab's document.
    let r = DocRef::volunteer(w.volunteer);
    let mut doc = r.genesis().with_actor(actor_of(lead.device()));
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "residence", "Via Falsa 1")?;
        tx.put(ROOT, "start", "2026-01-01")?;
        Ok(())
    })
    .expect("write");
    lead.apply_bytes(r, &doc.save()).expect("in the lead's own register");
    let key = BundleKey([7; 32]);
    let bytes = bundle::export(&mut lead, w.lab1, &key, &[DocRef::lab(w.lab1), r], 0).expect("bundle");

    // The hub imports it with the lead's rights; a laptop of the lab with a
    // lead's: the entry is skipped on both.
    let at_hub = bundle::import_as_lab(&mut w.hub, &bytes, &key, w.lab1).expect("hub import");
    assert!(at_hub.skipped.contains(&r), "{at_hub:?}");
    assert!(!w.hub.has_doc(r).expect("has"));
    let mut laptop = store(12);
    sync(&mut w.hub, Grant::of_lab(DeviceRole::Volunteer, w.lab1), &mut laptop);
    let on_laptop = bundle::import_as_device(&mut laptop, &bytes, &key, w.lab1).expect("laptop import");
    assert!(on_laptop.skipped.contains(&r), "{on_laptop:?}");
    assert!(!laptop.has_doc(r).expect("has"));
}
