//! A bomb in a sync frame, through the hub's session. The limits against
//! honest registers (the demo data) are measured in the workspace tests:
//! `tests/tests/limits_margin.rs`.

use super::Cost;
use crate::store::Replication;

/// Through the hub's session: a volunteer's device that sends a bomb for
/// its own lab document gets `Refused { TooLarge }` for that document, the
/// hub's copy is unchanged, and the session goes on.
#[test]
fn a_bomb_in_a_sync_frame_is_refused_as_too_large() {
    use super::{DeviceRole, Frame, Grant, Refusal, Session};
    use crate::doc::DocRef;
    use crate::testing::chunks::{chunk_with, zeros_bomb};
    use crate::testing::one_family::{lab, store};

    let mut a = store(1);
    let mut hub = store(100);
    let l = lab(&mut a, 3);
    super::in_turns(&mut hub, Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }, &mut a)
        .expect("sync");
    let grant = Grant { role: DeviceRole::Volunteer, lab: Some(l), organisation: None };
    let mut device = store(3);
    super::in_turns(&mut hub, grant, &mut device).expect("sync");
    let doc = DocRef::lab(l);
    let heads = hub.heads(doc).expect("heads");

    let mut session = Session::hub(device.device(), grant);
    // A full `Hello`, so that the lab document is part of the session
    // (against its sync points the device would list nothing).
    crate::store::SyncMemory::forget_sync_points(&mut device, crate::sync::Peer::Hub).expect("forget");
    let hello = Session::device().hello(&mut device).expect("hello");
    session.receive(&mut hub, hello).expect("catalog");
    let bomb = chunk_with(2, &zeros_bomb(1 << 20, u64::MAX), 1, b"x");
    let message = automerge::sync::Message {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: automerge::sync::ChunkList::from(bomb),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
    .encode();
    assert_eq!(
        Cost::of_sync_message(&message).map_err(|e| matches!(e, super::BytesRefused::TooLarge(_))),
        Err(true)
    );
    let out = session.receive(&mut hub, Frame::Sync { doc, message }).expect("a refusal, not an error");
    assert!(out.contains(&Frame::Refused { doc, reason: Refusal::TooLarge }), "{out:?}");
    assert_eq!(session.closed(), None);
    assert_eq!(hub.heads(doc).expect("heads"), heads);
}
