//! Sync points (decision 0023), run in turns: what each side keeps, the
//! short `Hello` they allow, and every case where they must be set aside
//! (a hub restored from an older copy, an erased family, a revoked
//! device) without anything lost or anything erased coming back.

use super::{DeviceRole, Frame, Grant, Peer, SyncPoints, in_turns};
use crate::doc::DocRef;
use crate::domain::DirectoryEntry as Entry;
use crate::domain::ErasureReason;
use crate::ids::LabId;
use crate::store::{Erasure, Families, Meetings, Replication, Store, SyncMemory};
use crate::testing::d;
use crate::testing::one_family::{attend, copy_all, family, lab, store};

fn coordinator() -> Grant {
    Grant { role: DeviceRole::Coordinator, lab: None, organisation: None }
}

fn volunteer(lab: LabId) -> Grant {
    Grant { role: DeviceRole::Volunteer, lab: Some(lab), organisation: None }
}

/// A hub holding one lab with one family, set up by coordinator `a`, and
/// a volunteer's laptop of that lab that synced once.
fn world() -> (Store, Store, Store, LabId) {
    let mut a = store(1);
    let l = lab(&mut a, 3);
    let h = family(&mut a, l);
    attend(&mut a, l, h, d(2026, 3, 2));
    let mut hub = store(100);
    in_turns(&mut hub, coordinator(), &mut a).expect("coordinator");
    let mut laptop = store(3);
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("first sync");
    (hub, a, laptop, l)
}

/// The `Hello` the laptop sends first.
fn hello(laptop: &mut Store) -> (Vec<DocRef>, Option<u64>) {
    match super::Session::device().hello(laptop).expect("hello") {
        Frame::Hello { docs, since, .. } => (docs, since),
        other => panic!("{other:?}"),
    }
}

/// The one family (its name is the test kit's).
fn family_of(s: &Store) -> crate::ids::HouseholdId {
    s.search_households(crate::testing::one_family::SURNAME, 1).expect("search")[0].id
}

/// Both sides keep the same points for each other.
fn assert_agree(hub: &Store, device: &Store) {
    assert_eq!(
        device.sync_points(Peer::Hub).expect("points"),
        hub.sync_points(Peer::Device(device.device())).expect("points")
    );
}

fn meetings(s: &Store, l: LabId) -> usize {
    s.meetings(l, d(2026, 1, 1), d(2026, 12, 31)).expect("meetings").len()
}

#[test]
fn a_settled_sync_leaves_the_same_points_on_both_sides_and_the_next_hello_lists_nothing() {
    let (mut hub, _, mut laptop, l) = world();
    let ours = laptop.sync_points(Peer::Hub).expect("points");
    let theirs = hub.sync_points(Peer::Device(laptop.device())).expect("points");
    assert!(!ours.is_empty());
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), laptop.doc_refs().expect("docs").len(), "every document the laptop holds");
    for (doc, heads) in ours.iter() {
        let mut now = laptop.heads(*doc).expect("heads");
        now.sort();
        assert_eq!(heads, now.as_slice(), "{doc}");
    }
    let (docs, since) = hello(&mut laptop);
    assert!(docs.is_empty(), "nothing moved: {docs:?}");
    // Listing nothing is not being settled: the hub may have news.
    let mut session = super::Session::device();
    session.hello(&mut laptop).expect("hello");
    assert!(!session.is_settled(&mut laptop).expect("settled?"), "settled before the hub answered");
    assert_eq!(since, Some(ours.digest()));
    let t = in_turns(&mut hub, volunteer(l), &mut laptop).expect("nothing new");
    assert_eq!(t.round_trips, 1);
    assert_eq!(t.device.stats().bytes_in + t.device.stats().bytes_out, 0, "no automerge message at all");
}

#[test]
fn only_what_moved_is_offered_and_a_days_work_takes_one_round_trip() {
    let (mut hub, mut a, mut laptop, l) = world();
    let h = family_of(&laptop);
    for day in 3..8 {
        attend(&mut laptop, l, h, d(2026, 3, day));
    }
    let (docs, _) = hello(&mut laptop);
    assert_eq!(docs, [DocRef::lab(l)], "only the lab document moved");
    let t = in_turns(&mut hub, volunteer(l), &mut laptop).expect("day's work");
    assert_eq!(t.round_trips, 1, "the changes go with the `Hello`, the answer comes back");
    assert_eq!(meetings(&hub, l), 6);
    // The hub's news reaches a laptop that lists nothing.
    attend(&mut a, l, h, d(2026, 4, 1));
    in_turns(&mut hub, coordinator(), &mut a).expect("coordinator");
    let (docs, _) = hello(&mut laptop);
    assert!(docs.is_empty());
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("news");
    assert_eq!(meetings(&laptop, l), 7);
    assert_agree(&hub, &laptop);
}

#[test]
fn a_hub_restored_from_an_older_copy_gets_back_what_the_laptop_synced_after_it() {
    let (mut hub, _, mut laptop, l) = world();
    // The backup: every document and the points the hub holds now.
    let mut restored = store(100);
    copy_all(&mut hub, &mut restored);
    let me = Peer::Device(laptop.device());
    restored.keep_sync_points(me, &hub.sync_points(me).expect("points")).expect("points");
    let h = family_of(&laptop);
    attend(&mut laptop, l, h, d(2026, 5, 5));
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("after the backup");
    assert_eq!(meetings(&hub, l), 2);
    // The hub's disk is lost; the restored hub lacks the meeting, and its
    // points for the laptop are older than the laptop's.
    assert_eq!(meetings(&restored, l), 1);
    let t = in_turns(&mut restored, volunteer(l), &mut laptop).expect("against the restored hub");
    assert_eq!(t.from_hub.first(), Some(&Frame::Again), "the hub asks for every document");
    assert_eq!(meetings(&restored, l), 2, "the laptop brought the meeting back");
    // And both sides agree again.
    assert_agree(&restored, &laptop);
}

#[test]
fn a_laptop_restored_from_an_older_copy_gets_what_it_lost_back_from_the_hub() {
    let (mut hub, _, mut laptop, l) = world();
    let mut older = store(3);
    copy_all(&mut laptop, &mut older);
    older.keep_sync_points(Peer::Hub, &laptop.sync_points(Peer::Hub).expect("points")).expect("points");
    let h = family_of(&laptop);
    attend(&mut laptop, l, h, d(2026, 5, 5));
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("a meeting");
    // The laptop's disk is restored from the older copy: its points are
    // older than the hub's, so the hub asks again and sends the meeting.
    let t = in_turns(&mut hub, volunteer(l), &mut older).expect("the older copy");
    assert_eq!(t.from_hub.first(), Some(&Frame::Again));
    assert_eq!(meetings(&older, l), 2);
}

#[test]
fn an_erased_familys_points_go_and_the_family_never_comes_back() {
    let (mut hub, mut a, mut laptop, l) = world();
    let h = family_of(&a);
    let doc = DocRef::household(h);
    assert!(hub.sync_points(Peer::Device(laptop.device())).expect("points").get(&doc).is_some());
    a.erase_household(h, ErasureReason::Request, None).expect("erase");
    in_turns(&mut hub, coordinator(), &mut a).expect("erasure to the hub");
    assert!(
        hub.sync_points(Peer::Device(laptop.device())).expect("points").get(&doc).is_none(),
        "the hub forgot what any device held of it"
    );
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("erasure to the laptop");
    assert!(!laptop.has_doc(doc).expect("has"), "erased on the laptop");
    assert!(laptop.sync_points(Peer::Hub).expect("points").get(&doc).is_none());
    assert_agree(&hub, &laptop);
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("again");
    assert!(!hub.has_doc(doc).expect("has") && !laptop.has_doc(doc).expect("has"));
}

#[test]
fn a_revoked_device_is_forgotten_and_a_point_the_hub_lacks_makes_a_full_sync() {
    let (mut hub, _, laptop, l) = world();
    let me = laptop.device();
    assert!(!hub.sync_points(Peer::Device(me)).expect("points").is_empty());
    hub.reconcile_directory(&[(me, Entry { grant: volunteer(l), revoked: true })]).expect("revoke");
    assert!(hub.sync_points(Peer::Device(me)).expect("points").is_empty(), "forgotten");
    // Points the hub does not hold (none at all here) are never trusted:
    // the laptop is asked for every document.
    let mut other = store(4);
    in_turns(&mut hub, volunteer(l), &mut other).expect("first");
    hub.forget_sync_points(Peer::Device(other.device())).expect("forget");
    let t = in_turns(&mut hub, volunteer(l), &mut other).expect("after");
    assert_eq!(t.from_hub.first(), Some(&Frame::Again));
    assert_agree(&hub, &other);
}

#[test]
fn a_hello_that_names_points_twice_is_a_protocol_error() {
    let (mut hub, _, mut laptop, l) = world();
    hub.keep_sync_points(Peer::Device(laptop.device()), &SyncPoints::new()).expect("none");
    let mut session = super::Session::hub(laptop.device(), volunteer(l));
    let first = super::Session::device().hello(&mut laptop).expect("hello");
    assert_eq!(session.receive(&mut hub, first.clone()).expect("again"), [Frame::Again]);
    let out = session.receive(&mut hub, first).expect("close");
    assert!(matches!(out.as_slice(), [Frame::Close { .. }]), "{out:?}");
}

#[test]
fn a_done_the_hub_does_not_agree_with_leaves_it_no_points_and_a_done_before_hello_closes() {
    let (mut hub, _, mut laptop, l) = world();
    let me = Peer::Device(laptop.device());
    assert!(!hub.sync_points(me).expect("points").is_empty());
    // A session that settles, then a `Done` with another digest (a device
    // whose points went wrong, or a modified one): the hub keeps none.
    let mut session = super::Session::hub(laptop.device(), volunteer(l));
    let mut device = super::Session::device();
    let hello = device.hello(&mut laptop).expect("hello");
    session.receive(&mut hub, hello).expect("catalog");
    let points = laptop.sync_points(Peer::Hub).expect("points");
    session.receive(&mut hub, Frame::Done { points: points.digest() ^ 1 }).expect("done");
    assert!(session.finished());
    assert!(hub.sync_points(me).expect("points").is_empty(), "nothing kept on a device's word");
    // The next sync is a full one, and both sides agree again after it.
    let t = in_turns(&mut hub, volunteer(l), &mut laptop).expect("sync");
    assert_eq!(t.from_hub.first(), Some(&Frame::Again));
    assert_agree(&hub, &laptop);
    // `Done` before any `Hello` is out of order.
    let mut early = super::Session::hub(laptop.device(), volunteer(l));
    let out = early.receive(&mut hub, Frame::Done { points: 0 }).expect("close");
    assert!(matches!(out.as_slice(), [Frame::Close { .. }]), "{out:?}");
    assert!(!hub.sync_points(me).expect("points").is_empty(), "and changes nothing");
}

#[test]
fn a_document_left_out_of_the_hello_that_changes_during_the_session_joins_it() {
    let (mut hub, _, mut laptop, l) = world();
    let mut hub_side = super::Session::hub(laptop.device(), volunteer(l));
    let mut device = super::Session::device();
    let hello = device.hello(&mut laptop).expect("hello");
    let mut to_hub = vec![hello];
    to_hub.extend(device.outgoing(&mut laptop).expect("nothing moved"));
    assert_eq!(to_hub.len(), 1, "only the Hello: nothing moved");
    let answer: Vec<Frame> =
        to_hub.into_iter().flat_map(|f| hub_side.receive(&mut hub, f).expect("hub")).collect();
    // Saved while the hub's answer was on its way.
    let h = family_of(&laptop);
    attend(&mut laptop, l, h, d(2026, 6, 6));
    for f in answer {
        assert!(device.receive(&mut laptop, f).expect("device").is_empty());
    }
    let mut rounds = 0;
    loop {
        let out = device.outgoing(&mut laptop).expect("outgoing");
        if out.is_empty() {
            break;
        }
        rounds += 1;
        assert!(rounds < 5, "settles");
        for f in out {
            for back in hub_side.receive(&mut hub, f).expect("hub") {
                device.receive(&mut laptop, back).expect("device");
            }
        }
    }
    assert!(device.is_settled(&mut laptop).expect("settled"));
    assert_eq!(meetings(&hub, l), 2, "the meeting reached the hub in the same session");
    let done = device.done(&mut laptop).expect("done");
    hub_side.receive(&mut hub, done).expect("done");
    assert_agree(&hub, &laptop);
}

/// Insider: sync points are the hub's own record, but even one naming a
/// document the device may not read (a hub restored with points of another
/// time, a bug) grants nothing: the `Hello` answers it `NotAllowed`, and a
/// message for it, changes and all, is dropped and changes nothing.
#[test]
fn a_point_naming_a_document_the_device_may_not_read_grants_nothing() {
    let (mut hub, mut a, laptop, l) = world();
    let other = lab(&mut a, 4);
    in_turns(&mut hub, coordinator(), &mut a).expect("lab 4 to the hub");
    let theirs = DocRef::lab(other);
    let me = Peer::Device(laptop.device());
    let mut points = hub.sync_points(me).expect("points");
    points.insert(theirs, hub.heads(theirs).expect("heads"));
    hub.keep_sync_points(me, &points).expect("points");
    let before = hub.heads(theirs).expect("heads");

    let mut session = super::Session::hub(laptop.device(), volunteer(l));
    let hello = Frame::Hello {
        version: super::PROTOCOL_VERSION,
        docs: vec![],
        heads: vec![],
        since: Some(points.digest()),
    };
    let out = session.receive(&mut hub, hello).expect("answer");
    assert!(out.contains(&Frame::Refused { doc: theirs, reason: super::Refusal::NotAllowed }), "{out:?}");
    let named = out.iter().any(|f| match f {
        Frame::Catalog { more, .. } => more.contains(&theirs),
        Frame::Sync { doc, .. } => *doc == theirs,
        _ => false,
    });
    assert!(!named, "lab 4's document offered to a lab 3 volunteer: {out:?}");
    // Changes to lab 4's document (a family listed there), as from the laptop.
    let mut forged = store(7);
    copy_all(&mut a, &mut forged);
    family(&mut forged, other);
    let mut state = points.primed_state(&theirs).expect("a point");
    let message = forged.generate_sync_message(theirs, &mut state).expect("message").expect("changes");
    let out = session.receive(&mut hub, Frame::Sync { doc: theirs, message }).expect("answer");
    assert!(out.is_empty(), "already answered `NotAllowed`, dropped: {out:?}");
    assert_eq!(hub.heads(theirs).expect("heads"), before, "lab 4's document unchanged");
}

#[test]
fn a_days_work_that_meets_news_of_another_document_leaves_both_sides_agreeing() {
    let (mut hub, mut a, mut laptop, l) = world();
    let h = family_of(&laptop);
    // The coordinator changes the project document (a new lab) while the
    // laptop records a meeting: each side has news the other lacks.
    crate::testing::one_family::lab(&mut a, 4);
    in_turns(&mut hub, coordinator(), &mut a).expect("coordinator");
    attend(&mut laptop, l, h, d(2026, 3, 3));
    let (docs, _) = hello(&mut laptop);
    assert_eq!(docs, [DocRef::lab(l)]);
    in_turns(&mut hub, volunteer(l), &mut laptop).expect("day's work");
    assert_agree(&hub, &laptop);
    let t = in_turns(&mut hub, volunteer(l), &mut laptop).expect("nothing new");
    assert_eq!(t.round_trips, 1, "no `Again`");
}

/// One connection as the network drivers run it, in an order a seed picks:
/// the hub answers each frame as it arrives; the device applies what has
/// arrived in batches of any size and, when nothing is waiting, sends what
/// `outgoing` has or, settled, its `Done`. Frames in flight either way may
/// cross. `meanwhile` runs once, at a step the seed picks, between the
/// hub's turns (another device's sync changing the hub's documents).
fn interleaved(
    seed: u64,
    hub: &mut Store,
    grant: Grant,
    device: &mut Store,
    meanwhile: &mut dyn FnMut(&mut Store),
) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let id = device.device();
    hub.reconcile_directory(&[(id, Entry { grant, revoked: false })]).expect("directory");
    let (mut hub_side, mut dev_side) = (super::Session::hub(id, grant), super::Session::device());
    let mut to_hub = std::collections::VecDeque::from(vec![dev_side.hello(device).expect("hello")]);
    to_hub.extend(dev_side.outgoing(device).expect("outgoing"));
    let mut to_device = std::collections::VecDeque::new();
    let wire = |f: &Frame| Frame::decode(&f.encode()).expect("frame");
    let at = rng.random_range(0..6usize);
    let mut ran = false;
    for step in 0..10_000 {
        if step == at {
            meanwhile(hub);
            ran = true;
        }
        let hub_turn = !to_hub.is_empty() && (to_device.is_empty() || rng.random_bool(0.5));
        if hub_turn {
            let f = to_hub.pop_front().expect("a frame");
            let done = matches!(f, Frame::Done { .. });
            to_device.extend(hub_side.receive(hub, wire(&f)).expect("hub"));
            if done {
                assert!(ran, "seed {seed}: ended before step {at}");
                return;
            }
        } else if !to_device.is_empty() {
            let n = rng.random_range(1..=to_device.len());
            for f in to_device.drain(..n).collect::<Vec<_>>() {
                to_hub.extend(dev_side.receive(device, wire(&f)).expect("device"));
            }
        } else {
            // Nothing has arrived: about to wait for the hub.
            let out = dev_side.outgoing(device).expect("outgoing");
            if out.is_empty() && dev_side.is_settled(device).expect("settled?") {
                to_hub.push_back(dev_side.done(device).expect("done"));
            } else {
                to_hub.extend(out);
            }
        }
    }
    panic!("seed {seed}: the sync did not end");
}

/// Whatever order frames arrive in and are applied, and even when the hub's
/// documents change during the session, a settled sync leaves both sides
/// the same points, so the next `Hello` against them is answered, not
/// `Again` (which would send every document's heads).
#[test]
fn points_agree_whatever_the_order_frames_arrive_in() {
    for seed in 0..24u64 {
        let mut a = store(1);
        let l = lab(&mut a, 3);
        let h = family(&mut a, l);
        for day in 1..=6 {
            attend(&mut a, l, h, d(2026, 3, day));
        }
        let mut hub = store(100);
        in_turns(&mut hub, coordinator(), &mut a).expect("coordinator");
        let mut laptop = store(3);
        // The first sync; the coordinator records a meeting meanwhile.
        let mut news = |hub: &mut Store| {
            attend(&mut a, l, h, d(2026, 4, 1));
            in_turns(hub, coordinator(), &mut a).expect("coordinator meanwhile");
        };
        interleaved(seed, &mut hub, volunteer(l), &mut laptop, &mut news);
        assert_agree(&hub, &laptop);
        // A day's work on the laptop while the hub has news of its own.
        let h2 = family_of(&laptop);
        attend(&mut laptop, l, h2, d(2026, 4, 2));
        let mut b = store(2);
        copy_all(&mut hub, &mut b);
        let mut more = |hub: &mut Store| {
            crate::testing::one_family::lab(&mut b, 4);
            in_turns(hub, coordinator(), &mut b).expect("another coordinator meanwhile");
        };
        interleaved(seed + 1000, &mut hub, volunteer(l), &mut laptop, &mut more);
        assert_agree(&hub, &laptop);
        let t = in_turns(&mut hub, volunteer(l), &mut laptop).expect("nothing new");
        assert_ne!(t.from_hub.first(), Some(&Frame::Again), "seed {seed}: a full `Hello` was asked for");
    }
}
