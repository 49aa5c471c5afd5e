//! Changes authored as another device. A change's author is its automerge
//! actor, the 16 bytes of the device id that made it; a modified client can
//! write any actor into its changes. The hub must bind actors to devices
//! and refuse changes authored as another device (`Refusal::WrongAuthor`,
//! or any refusal), or the audit trail lies, and a change that takes the
//! coordinator's next sequence number gets the coordinator's real next
//! change (an erasure) refused as a duplicate. The contract covers the
//! coordinators' devices and other labs' devices; a device of the same lab
//! may relay its lab's changes (after a bundle between two laptops), so a
//! change written as a lab-mate is taken as a relay, but it cannot block the
//! lab-mate: devices write under a new actor once they published the last.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use crdt_sync::{Erasure, ErasureReason, Families, Meetings};

use super::*;

/// Lab 2's volunteer changes a meeting's theme in its own lab document,
/// writing as `author` (whose next sequence number it takes), and sends the
/// change in a `Sync` for that document.
async fn forge_as(w: &mut World, author: DeviceId, theme: &str) -> Answer {
    forge_with(w, |_| actor(author), theme).await
}

/// [`forge_as`], writing as the actor `pick` chooses from lab 2's document
/// as the insider holds it (after syncing).
async fn forge_with(
    w: &mut World,
    pick: impl FnOnce(&automerge::Automerge) -> ActorId,
    theme: &str,
) -> Answer {
    let lab2 = DocRef::lab(w.labs[1]);
    // Up to date first, so that the forged change takes the author's next
    // sequence number, not one the hub already holds.
    let url = w.hub.url.clone();
    w.x.sync_ok(&url).await;
    let meetings = w.x.store.meetings(w.labs[1], day(1), day(365)).expect("meetings");
    let meeting = meetings.first().expect("lab 2 has a meeting").id.to_string();
    let holder = load_as(&mut w.x.store, lab2, actor(w.x.enrolled.device));
    let mut am = load_as(&mut w.x.store, lab2, pick(&holder));
    let forged = change(&mut am, |tx| {
        let all = match tx.get(ROOT, "meetings").expect("read") {
            Some((_, id)) => id,
            None => panic!("no meetings map"),
        };
        let (_, m) = tx.get(&all, meeting.as_str()).expect("read").expect("the meeting");
        tx.put(&m, "theme", theme).expect("theme");
    });
    let frames = vec![Frame::Sync { doc: lab2, message: sync_message(am.get_heads(), vec![forged]) }];
    let barrier = unknown_person(&mut w.rng);
    attack(&w.hub.url, &w.x.enrolled.token, vec![lab2], frames, barrier).await
}

fn day(n: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_yo_opt(2026, n).expect("day")
}

/// Whether any meeting of lab 2, as `d` holds it, has `theme`.
fn has_theme(d: &Device, lab: LabId, theme: &str) -> bool {
    d.store.meetings(lab, day(1), day(365)).expect("meetings").iter().any(|m| m.theme == theme)
}

/// The coordinator, offline, erases lab 2's family (its next change to
/// lab 2's document). Meanwhile lab 2's volunteer writes as the
/// coordinator's device, taking that sequence number: refused, nothing
/// reaches the hub, and the coordinator's erasure goes through when it
/// syncs and reaches the lab. Then the volunteer writes as a device of
/// another lab: refused likewise, honest work goes on. (As its own lab's
/// lead: see the end.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_authored_as_another_device_are_refused() {
    let mut w = world().await;
    let url = w.hub.url.clone();
    let lab2 = DocRef::lab(w.labs[1]);
    let family = w.coordinator.store.search_households("amina", 1).expect("search")[0].id;
    w.coordinator.store.erase_household(family, ErasureReason::Other, None).expect("erasure");

    let theme = "Scritto dal coordinatore";
    let coordinator = w.coordinator.enrolled.device;
    let answer = forge_as(&mut w, coordinator, theme).await;
    println!("insider writes as the coordinator: {}", answer.summary());
    assert!(answer.refused(lab2), "a change authored as the coordinator was not refused: {answer:?}");
    let report = w.coordinator.sync(&url).await.expect("the coordinator syncs");
    assert!(report.refused.is_empty(), "the coordinator's erasure was refused: {:?}", report.refused);
    w.c.sync_ok(&url).await;
    assert!(
        w.c.store.erased_household(family).expect("erased").is_some(),
        "the coordinator's erasure did not reach lab 2"
    );
    for d in [&w.c, &w.coordinator] {
        assert!(
            !has_theme(d, w.labs[1], theme),
            "{}: the change authored as the coordinator arrived",
            d.name
        );
    }
    w.honest_round("after writing as the coordinator").await;

    let theme = "Scritto dal laboratorio 1";
    let lead1 = w.a.enrolled.device;
    let answer = forge_as(&mut w, lead1, theme).await;
    println!("insider writes as lab 1's lead: {}", answer.summary());
    assert!(answer.refused(lab2), "a change authored as another lab's device was not refused: {answer:?}");
    w.honest_round("after writing as lab 1's lead").await;
    for d in [&w.c, &w.coordinator] {
        assert!(!has_theme(d, w.labs[1], theme), "{}: the change authored as lab 1's lead arrived", d.name);
    }

    // Last: as its own lab's lead, under the newest actor the lead
    // published. A device may relay its lab's changes (two laptops that
    // exchanged a bundle, then one syncs), so the hub cannot tell this from
    // a relayed change by the author alone; but a device writes under a new
    // actor once its changes have left it (`Store::renew_actor`), so the
    // forged change cannot take the lead's next sequence number: the
    // lead's next change still goes through.
    let lead2 = w.c.enrolled.device;
    let m = w.c.store.create_meeting(meeting(w.labs[1])).expect("meeting");
    w.c.sync_ok(&url).await;
    let published = |doc: &automerge::Automerge| {
        let prefix = lead2.0.as_bytes();
        let mine = doc.get_changes(&[]).into_iter().filter(|c| c.actor_id().to_bytes().starts_with(prefix));
        mine.last().map(|c| c.actor_id().clone()).expect("the lead published a change")
    };
    let answer = forge_with(&mut w, published, "Scritto dal referente").await;
    println!(
        "insider writes as its own lab's lead, under the lead's last published actor: {}",
        answer.summary()
    );
    w.c.store
        .update_meeting(m, crdt_sync::MeetingPatch { theme: Some("Dopo".into()), ..Default::default() })
        .expect("edit");
    let next = w.c.sync(&url).await.map(|r| r.refused);
    println!("its lead's next change {m}: refused {next:?}");
    assert!(matches!(&next, Ok(r) if r.is_empty()), "the lead's next change was refused: {next:?}");
    w.finish("authors");
}
