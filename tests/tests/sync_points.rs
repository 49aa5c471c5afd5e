//! Sync points (protocol v5, decision 0023) against the real `taccuino-hub`
//! binary (build it first: `cargo build -p taccuino-hub`; `cargo test
//! --workspace` does). Two faults the crash suite's sync tests found in the
//! first version of v5, kept as regressions.

#[path = "crash/hub.rs"]
#[allow(dead_code)]
mod hub;

use crdt_sync::Meetings;
use hub::{Setup, meetings};
use taccuino_tests::fixture::{Register, date};

/// A laptop of the lab with nothing new lists no document in its `Hello`;
/// the hub sends the lab's bundle key first. The session once took itself
/// to be settled after that frame (an empty `Hello`, nothing active) and
/// ended before the `Catalog` naming the hub's news arrived: the laptop
/// never received other laptops' changes while it had none of its own. A
/// device is settled only once the hub answered its `Hello`.
#[test]
fn a_laptop_with_nothing_new_receives_the_other_laptops_meeting() {
    let tmp = tempfile::tempdir().expect("tmp");
    let setup = Setup::new(tmp.path());
    let (mut device, _) = setup.sync_device();
    let register = Register::ensure(&mut device.store, 0).expect("register");
    let m = register.meeting(date(2026, 3, 1), register.attendees[..2].to_vec());
    let id = device.store.create_meeting(m).expect("meeting");
    device.sync(&setup.rt, &setup.hub.url);
    let mut other = setup.other.0;
    let report = other.sync(&setup.rt, &setup.hub.url);
    assert!(
        meetings(&other.store, setup.lab).contains(&id),
        "the other laptop did not get the meeting: {:?}",
        report.stats
    );
}

/// Laptop A records five meetings and syncs; laptop B records one and
/// syncs (taking A's five, giving its own); A records one more and syncs.
/// A's change goes with its `Hello`, the hub answers with B's, A
/// acknowledges (a message with equal heads and no change), the hub has
/// nothing to say and stays silent. The client once waited for an answer
/// because its last step had sent something: `Stalled` after 30 s. A
/// settled session now ends at once.
#[test]
fn a_laptop_and_the_hub_with_news_in_the_same_document_settle() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut setup = Setup::new(tmp.path());
    let (mut device, _) = setup.sync_device();
    let register = Register::ensure(&mut device.store, 0).expect("register");
    setup.grow(0, 5); // A
    let m = register.meeting(date(2026, 3, 1), register.attendees[..2].to_vec());
    device.store.create_meeting(m).expect("meeting");
    device.sync(&setup.rt, &setup.hub.url);
    // A's one more meeting, and a sync that settles (it stalled 30 s).
    setup.grow(0, 1);
}
