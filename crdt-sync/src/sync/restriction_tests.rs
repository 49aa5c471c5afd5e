//! A restricted family (GDPR art. 18) stays frozen at the hub too: changes
//! from a device that is not a coordinator's are refused, unless all they
//! do is record a withdrawal; and only coordinators restrict or lift.
//! Synced in-process through the wire encoding, as `erasure_tests.rs`.

use super::{DeviceRole, Grant, Refusal, Session};
use crate::doc::DocRef;
use crate::domain::{NewMember, RestrictionReason, WithdrawnScopes};
use crate::ids::{HouseholdId, LabId, PersonId};
use crate::store::Consents;
use crate::store::Families;
use crate::store::Store;
use crate::testing::d;
use crate::testing::one_family::{family, lab, store};

fn sync(hub: &mut Store, grant: Grant, device: &mut Store) -> Session {
    let t = super::in_turns(hub, grant, device).expect("sync");
    assert!(t.device.is_settled(device).expect("settled"), "{:?}", t.device.refused());
    t.device
}

const COORDINATOR: Grant = Grant { role: DeviceRole::Coordinator, lab: None, organisation: None };

fn volunteer(lab: LabId) -> Grant {
    Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None }
}

fn adult(first_name: &str) -> NewMember {
    NewMember { first_name: first_name.into(), last_name: "Nuovi".into(), birth_year: Some(1990) }
}

fn members(s: &mut Store, h: HouseholdId) -> Vec<String> {
    s.household(h).expect("family").members.into_iter().map(|m| m.first_name).collect()
}

#[test]
fn a_restricted_family_is_frozen_at_the_hub_but_a_withdrawal_gets_through() {
    let mut a = store(1); // the coordinator's laptop
    let mut hub = store(100);
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    sync(&mut hub, COORDINATOR, &mut a);
    let mut c = store(3); // a volunteer of lab 3, about to go offline
    sync(&mut hub, volunteer(l), &mut c);

    a.restrict_household(h, RestrictionReason::Accuracy, None).expect("restrict");
    sync(&mut hub, COORDINATOR, &mut a);
    let on_hub = members(&mut hub, h);

    // C, offline, did not know: its edit stays on C.
    c.add_member(h, adult("Offline")).expect("an edit before the restriction arrived");
    let session = sync(&mut hub, volunteer(l), &mut c);
    assert_eq!(session.refused().get(&DocRef::household(h)), Some(&Refusal::Restricted));
    assert_eq!(members(&mut hub, h), on_hub, "the hub's copy is unchanged");

    // Another volunteer, who knows, records the family's withdrawal: accepted.
    let mut v = store(4);
    sync(&mut hub, volunteer(l), &mut v);
    assert!(v.household(h).expect("family").restriction.is_some());
    let by = PersonId(uuid::Uuid::from_u128(44));
    v.withdraw_consent(h, WithdrawnScopes::All, d(2026, 3, 1), by).expect("a withdrawal");
    let session = sync(&mut hub, volunteer(l), &mut v);
    assert!(session.refused().is_empty(), "{:?}", session.refused());
    assert_eq!(hub.household(h).expect("family").withdrawals.len(), 1);

    // Nor may a volunteer lift it (the store allows it; the app asks for
    // a coordinator, and so does the hub).
    v.lift_restriction(h, None).expect("a local lift");
    let session = sync(&mut hub, volunteer(l), &mut v);
    assert_eq!(session.refused().get(&DocRef::household(h)), Some(&Refusal::Restricted));
    assert!(hub.household(h).expect("family").restriction.is_some());

    // Or restrict another family.
    let k = family(&mut a, l);
    sync(&mut hub, COORDINATOR, &mut a);
    let mut w = store(5);
    sync(&mut hub, volunteer(l), &mut w);
    w.restrict_household(k, RestrictionReason::Objection, None).expect("a local restriction");
    let session = sync(&mut hub, volunteer(l), &mut w);
    assert_eq!(session.refused().get(&DocRef::household(k)), Some(&Refusal::Restricted));
    assert!(hub.household(k).expect("family").restriction.is_none());

    // Once a coordinator lifts it, C's held-back edit goes through.
    a.lift_restriction(h, None).expect("lift");
    sync(&mut hub, COORDINATOR, &mut a);
    let session = sync(&mut hub, volunteer(l), &mut c);
    assert!(session.refused().is_empty(), "{:?}", session.refused());
    assert!(members(&mut hub, h).contains(&"Offline".to_owned()));
    assert!(hub.household(h).expect("family").restriction.is_none());
}
