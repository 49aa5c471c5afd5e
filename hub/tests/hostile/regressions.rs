//! One regression test per bug the hostile suite caught, named after it.

use super::*;
use crdt_sync::{Families, Meetings, Replication};

/// A Bloom filter with entries but no bits made automerge divide by zero
/// while the hub held its store: the panic poisoned the store's lock and
/// every later sync, of every device, failed with a storage error. Filters
/// that automerge never sends (no bits, huge probe counts, hundreds of them)
/// are now refused as bad bytes, and the hub keeps syncing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_bloom_filter_without_bits_is_refused_and_the_hub_keeps_syncing() {
    let World { _tmp, hub, labs, honest: [mut a, mut b], .. } = world().await;
    let lab = DocRef::lab(labs[0]);
    let heads = a.store.heads(lab).expect("heads");
    let filters: [&[u8]; 4] =
        [&[1, 0, 7], &[1, 0, 0], &[1, 10, 0x80, 0x80, 0x04, 0xff, 0xff], &[1, 10, 0, 0xff, 0xff]];
    for filter in filters {
        let have = Have { last_sync: vec![], bloom: BloomFilter::try_from(filter).expect("bloom") };
        let message = SyncMessage {
            heads: heads.clone(),
            need: vec![],
            have: vec![have],
            changes: ChunkList::empty(),
            flags: None,
            version: MessageVersion::V1,
        }
        .encode();
        let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
        let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
        let got =
            common::answers(&mut ws, &[hello, Frame::Sync { doc: lab, message }], DocRef::lab(labs[1])).await;
        assert!(
            got.contains(&Frame::Refused { doc: lab, reason: Refusal::BadBytes }),
            "filter {filter:?}: {got:?}"
        );
        // Honest work goes on.
        let m = a.store.create_meeting(meeting(labs[0])).expect("meeting");
        a.sync_ok(&hub.url).await;
        b.sync_ok(&hub.url).await;
        b.store.meeting(m).expect("the meeting reached the other device");
    }
    hub.assert_no_uncaught_panics();
}

/// A device that offered a household the hub did not hold got no answer at
/// all for it, while one of another lab's households got `NotAllowed`: the
/// difference told a device of lab 1 which ids are families of other labs.
/// And a device holding a household its lab does not list waited for that
/// answer until it gave up (30 s). Now both are answered `NotListed`, and
/// the sync ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn an_offered_household_of_another_lab_is_answered_like_an_unknown_one() {
    let World { _tmp, hub, coordinator, labs, honest: [mut a, _], .. } = world().await;
    let theirs = coordinator.store.search_households("amina", 1).expect("search")[0].id;
    let unknown = crdt_sync::HouseholdId(Uuid::from_u128(0xdead_beef));
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let offered = vec![DocRef::household(theirs), DocRef::household(unknown)];
    let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: offered.clone(), heads: vec![], since: None };
    let got = common::answers(&mut ws, &[hello], DocRef::lab(labs[1])).await;
    let about = |h: crdt_sync::HouseholdId| -> Vec<String> {
        got.iter()
            .filter_map(|f| match f {
                Frame::Catalog { allowed, more, .. }
                    if crdt_sync::sync::catalog_docs(&offered, allowed, more)
                        .contains(&DocRef::household(h)) =>
                {
                    Some("catalog".to_owned())
                }
                Frame::Sync { doc, .. } if *doc == DocRef::household(h) => Some("sync".to_owned()),
                Frame::Refused { doc, reason } if *doc == DocRef::household(h) => Some(format!("{reason:?}")),
                _ => None,
            })
            .collect()
    };
    assert_eq!(about(theirs), about(unknown), "the answers tell the two apart: {got:?}");
    assert_eq!(about(unknown), ["NotListed"]);

    // A device that holds a family its lab does not list (its document came
    // alone) syncs to the end, told why that family was not synced.
    let docs = a.store.doc_refs().expect("docs");
    let mut elsewhere = copy(&mut a.store, &docs, 7);
    let orphan = elsewhere.create_household(family(labs[0], "Orfana")).expect("family");
    let bytes = elsewhere.export_doc(DocRef::household(orphan)).expect("export");
    a.store.apply_bytes(DocRef::household(orphan), &bytes).expect("the document alone");
    let report = tokio::time::timeout(Duration::from_secs(10), a.sync(&hub.url))
        .await
        .expect("the sync ends")
        .expect("the sync succeeds");
    assert_eq!(report.refused.get(&DocRef::household(orphan)), Some(&Refusal::NotListed));
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
}

/// The hub logged refusals from the session's map of refused documents,
/// skipping as many as it had logged before, in the map's order (by
/// document, not by time), and that map holds only `ReadOnly` and
/// `BadBytes`: documents refused as not allowed or not listed were never
/// logged, and a later refusal could be logged under another document's
/// name. Every `Refused` the hub sends is now logged with device, document
/// and reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn every_refusal_is_logged_with_device_and_document() {
    let World { _tmp, hub, coordinator, labs, honest: [a, _], .. } = world().await;
    let theirs = DocRef::household(coordinator.store.search_households("amina", 1).expect("search")[0].id);
    let unknown = DocRef::household(crdt_sync::HouseholdId(Uuid::from_u128(0xbad)));
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let hello = Frame::Hello {
        version: PROTOCOL_VERSION,
        docs: vec![DocRef::lab(labs[1]), unknown],
        heads: vec![],
        since: None,
    };
    let message = SyncMessage {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: ChunkList::from(vec![vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, 0]]),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode();
    let lab = DocRef::lab(labs[0]);
    let frames = [hello, Frame::Sync { doc: theirs, message: vec![] }, Frame::Sync { doc: lab, message }];
    let got =
        common::answers(&mut ws, &frames, DocRef::person(crdt_sync::PersonId(Uuid::from_u128(0xfee)))).await;
    let refused: Vec<(DocRef, Refusal)> = got
        .iter()
        .filter_map(|f| if let Frame::Refused { doc, reason } = f { Some((*doc, *reason)) } else { None })
        .collect();
    assert_eq!(
        refused,
        [
            (DocRef::lab(labs[1]), Refusal::NotAllowed),
            (unknown, Refusal::NotListed),
            (theirs, Refusal::NotAllowed),
            (lab, Refusal::BadBytes)
        ]
    );
    let log = hub.log();
    let device = a.enrolled.device.to_string();
    for (doc, reason) in refused {
        let (doc, reason) = (doc.to_string(), format!("{reason:?}"));
        assert!(
            log.lines().any(|l| l.contains("refused")
                && l.contains(&device)
                && l.contains(&doc)
                && l.contains(&reason)),
            "no log line for {doc} refused {reason}:\n{}",
            common::tail(&log)
        );
    }
}

/// The first frame the hub sends, or the end of the connection (`None`),
/// ignoring `Catalog` and `Sync`.
pub(crate) async fn first_close(ws: &mut Ws) -> Option<Fatal> {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the hub answers") {
            Some(Ok(Message::Binary(b))) => match Frame::decode(&b).expect("the hub's frames decode") {
                Frame::Close { reason } => return Some(reason),
                Frame::Catalog { .. } | Frame::Sync { .. } | Frame::BundleKey { .. } => {}
                other => panic!("unexpected {other:?}"),
            },
            Some(Ok(_)) => {}
            None | Some(Err(_)) => return None,
        }
    }
}

/// A device could make the hub decide about any number of documents, as
/// often as it liked, while holding the store that every other device
/// waits for: a `Hello` offering 100,000 documents held it for over a
/// second (debug build), and nothing stopped a device from sending `Hello`
/// again and again. Now a session has one `Hello`, of at most 50,000
/// documents; anything more is a protocol error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_repeated_or_oversized_hello_is_a_protocol_error() {
    let World { _tmp, hub, honest: [mut a, _], .. } = world().await;
    let docs: Vec<DocRef> =
        (0..50_001u128).map(|i| DocRef::household(crdt_sync::HouseholdId(Uuid::from_u128(i + 1)))).collect();
    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    ws.send(binary(&Frame::Hello { version: PROTOCOL_VERSION, docs, heads: vec![], since: None }))
        .await
        .expect("send");
    assert_eq!(first_close(&mut ws).await, Some(Fatal::Protocol), "an oversized Hello");

    let mut ws = connect(&hub.url, Some(&a.enrolled.token)).await.expect("connect");
    let hello = Frame::Hello { version: PROTOCOL_VERSION, docs: vec![], heads: vec![], since: None };
    ws.send(binary(&hello)).await.expect("send");
    ws.send(binary(&hello)).await.expect("send");
    assert_eq!(first_close(&mut ws).await, Some(Fatal::Protocol), "a second Hello");

    a.sync_ok(&hub.url).await;
}
