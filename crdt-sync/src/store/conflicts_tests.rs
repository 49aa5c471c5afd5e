//! The queue of conflicting edits: concurrent edits on two replicas make
//! conflicts, the projection knows where they are, choosing a value settles
//! them everywhere (decision 0031).

use crate::store::Conflicts;
use crate::store::Consents;
use crate::store::Erasure;
use crate::store::Families;
use crate::store::Maintenance;
use crate::store::Meetings;
use crate::store::Staff;

use chrono::NaiveDate;

use crate::doc::DocRef;
use crate::domain::{Contacts, HouseholdPatch, MeetingPatch, PersonPatch, RestrictionReason};
use crate::error::Error;
use crate::ids::{HouseholdId, LabId, MeetingId, PersonId};
use crate::store::{ConflictSubject, OpenConflict, Store};
use crate::testing::one_family::{self, attend, copy_all, family, lab};

/// Two replicas holding the same lab, family, meeting and volunteer.
fn two() -> (Store, Store, LabId, HouseholdId, MeetingId, PersonId) {
    let mut a = one_family::store(1);
    let mut b = one_family::store(2);
    let l = lab(&mut a, 1);
    let h = family(&mut a, l);
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    attend(&mut a, l, h, day);
    let m = a.meetings(l, day, day).expect("meetings")[0].id;
    let p = a
        .create_person(crate::domain::NewPerson {
            lab: l,
            first_name: "Giulia".into(),
            last_name: "Ferri".into(),
            role: crate::domain::Role::Volunteer,
            organisation: String::new(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    copy_all(&mut a, &mut b);
    (a, b, l, h, m, p)
}

/// Each replica edits the family's phone, the meeting's theme and the
/// volunteer's phone, without seeing the other; then they sync both ways.
fn clash(a: &mut Store, b: &mut Store, h: HouseholdId, m: MeetingId, p: PersonId) {
    for (s, n) in [(&mut *a, "1"), (&mut *b, "2")] {
        let contacts = Contacts { phone: format!("+39 333 000000{n}"), ..Contacts::default() };
        s.update_household(h, HouseholdPatch { contacts: Some(contacts), ..Default::default() })
            .expect("phone");
        s.update_meeting(m, MeetingPatch { theme: Some(format!("Tema {n}")), ..Default::default() })
            .expect("theme");
        s.update_person(p, PersonPatch { phone: Some(format!("+39 340 000000{n}")), ..Default::default() })
            .expect("person");
    }
    copy_all(a, b);
    copy_all(b, a);
}

fn by_field<'a>(q: &'a [OpenConflict], field: &str) -> &'a OpenConflict {
    q.iter().find(|c| c.field == field).unwrap_or_else(|| panic!("no conflict on {field} in {q:#?}"))
}

#[test]
fn concurrent_edits_on_two_replicas_are_listed_with_their_authors() {
    let (mut a, mut b, l, h, m, p) = two();
    assert_eq!(a.conflict_count().expect("count"), 0);
    clash(&mut a, &mut b, h, m, p);

    for s in [&mut a, &mut b] {
        assert_eq!(s.conflict_count().expect("count"), 3, "family phone, meeting theme, volunteer phone");
        let q = s.open_conflicts(50).expect("queue");
        assert_eq!(q.len(), 3);

        let phone = by_field(&q, "contacts.phone");
        assert_eq!(phone.doc, DocRef::household(h));
        assert!(matches!(&phone.subject, ConflictSubject::Household { id, name, .. }
            if *id == h && name == "Quirinaldo Zabarellini"));
        assert_eq!(phone.lab, Some(l));
        assert!(phone.resolvable);
        let shown = s.household(h).expect("family").contacts.phone;
        assert_eq!(phone.conflict.values[0].text, shown, "the value shown comes first");
        let mut texts: Vec<_> = phone.conflict.values.iter().map(|v| v.text.as_str()).collect();
        texts.sort();
        assert_eq!(texts, ["+39 333 0000001", "+39 333 0000002"]);
        // Each value names the device that wrote it, and when.
        let mut devices: Vec<_> = phone.conflict.values.iter().map(|v| v.device.expect("device")).collect();
        devices.sort();
        assert_eq!(devices, [one_family::config(1).device, one_family::config(2).device]);
        assert!(phone.conflict.values.iter().all(|v| v.at.is_some()));

        let theme = by_field(&q, "theme");
        assert_eq!(theme.doc, DocRef::lab(l));
        assert_eq!(theme.conflict.path, format!("meetings.{m}.theme"));
        assert!(matches!(&theme.subject, ConflictSubject::Meeting { id, .. } if *id == m));
        assert_eq!(theme.lab, Some(l));

        let person = by_field(&q, "phone");
        assert!(matches!(&person.subject, ConflictSubject::Person { id, name, .. }
            if *id == p && name == "Giulia Ferri"));
    }
    // The projection found them as the changes arrived; a rebuild from the
    // documents alone finds the same.
    let incremental = a.projection_dump().expect("dump");
    a.rebuild_projection().expect("rebuild");
    assert_eq!(a.projection_dump().expect("dump"), incremental);
    // The limit bounds the queue.
    assert_eq!(a.open_conflicts(2).expect("queue").len(), 2);
}

#[test]
fn choosing_a_value_settles_the_conflict_on_every_replica() {
    let (mut a, mut b, l, h, m, p) = two();
    clash(&mut a, &mut b, h, m, p);
    let q = a.open_conflicts(50).expect("queue");
    // Choose the value that is *not* shown: the one that lost.
    let theme = by_field(&q, "theme");
    let loser = theme.conflict.values[1].clone();
    a.resolve_conflict(theme.doc, &theme.conflict.path, &loser.id).expect("resolve");
    assert_eq!(a.meeting(m).expect("meeting").theme, loser.text);
    assert_eq!(a.conflict_count().expect("count"), 2);
    // The same choice again: the conflict is gone, nothing is written.
    let again = a.resolve_conflict(theme.doc, &theme.conflict.path, &loser.id);
    assert!(matches!(again, Err(Error::NotFound { what: "conflict", .. })), "{again:?}");

    let phone = by_field(&q, "contacts.phone");
    let winner = phone.conflict.values[0].clone();
    a.resolve_conflict(phone.doc, &phone.conflict.path, &winner.id).expect("resolve");
    assert_eq!(a.household(h).expect("family").contacts.phone, winner.text);

    // A value that is not one of the field's is refused, nothing changes.
    let person = by_field(&q, "phone");
    let wrong = a.resolve_conflict(person.doc, &person.conflict.path, "1@00");
    assert!(matches!(wrong, Err(Error::NotFound { .. })), "{wrong:?}");
    assert_eq!(a.conflict_count().expect("count"), 1);

    copy_all(&mut a, &mut b);
    assert_eq!(b.conflict_count().expect("count"), 1, "settled on the other replica too");
    assert_eq!(b.meeting(m).expect("meeting").theme, loser.text);
    assert_eq!(b.household(h).expect("family").contacts.phone, winner.text);
    let left = b.open_conflicts(50).expect("queue");
    assert_eq!(left.len(), 1);
    assert!(matches!(left[0].subject, ConflictSubject::Person { .. }));
    let _ = l;
}

#[test]
fn privileged_parts_and_restricted_families_are_not_settled_here() {
    let (mut a, mut b, _, h, m, p) = two();
    clash(&mut a, &mut b, h, m, p);
    let q = a.open_conflicts(50).expect("queue");
    let phone = by_field(&q, "contacts.phone").clone();
    a.restrict_household(h, RestrictionReason::Objection, None).expect("restrict");
    let refused = a.resolve_conflict(phone.doc, &phone.conflict.path, &phone.conflict.values[1].id);
    assert!(matches!(refused, Err(Error::Restricted { .. })), "{refused:?}");
    let privileged = a.resolve_conflict(DocRef::household(h), "restriction.reason", "1@00");
    assert!(matches!(privileged, Err(Error::Invalid { field: "conflict.path", .. })), "{privileged:?}");
}

#[test]
fn an_erased_family_leaves_no_conflict_behind() {
    let (mut a, mut b, _, h, m, p) = two();
    clash(&mut a, &mut b, h, m, p);
    assert_eq!(a.conflict_count().expect("count"), 3);
    a.erase_household(h, crate::domain::ErasureReason::Request, None).expect("erase");
    let q = a.open_conflicts(50).expect("queue");
    assert_eq!(q.len(), 2);
    assert!(q.iter().all(|c| c.doc != DocRef::household(h)));
}
