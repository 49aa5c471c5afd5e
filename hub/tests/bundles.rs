//! Sync bundles end to end: a lab with no network hands the hub a file.
//! A device exports a bundle signed with its lab's key (from enrolment);
//! `taccuino-hub import` verifies and merges it; importing twice changes
//! nothing; an altered file or another lab's is refused and nothing changes;
//! the import refuses to run while the hub is serving.

mod common;

use common::{Hub, enrol, family, init_hub, meeting, project};
use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::{DocKind, DocRef};

fn key(hex_key: &str) -> BundleKey {
    let bytes: [u8; 32] = hex::decode(hex_key).expect("hex").try_into().expect("32 bytes");
    BundleKey(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_reaches_the_hub_and_the_other_device_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (_coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut a1 = enrol(&hub, tmp.path(), "a1", Some(1), "volunteer").await;
    let mut a2 = enrol(&hub, tmp.path(), "a2", Some(1), "volunteer").await;
    let mut b1 = enrol(&hub, tmp.path(), "b1", Some(2), "volunteer").await;
    for d in [&mut a1, &mut a2, &mut b1] {
        d.sync_ok(&hub.url).await;
    }

    // No network at lab 1: A1 registers a family, records a meeting and
    // writes a bundle of its lab's documents.
    let h = a1.store.create_household(family(labs[0], "Gioele")).expect("family");
    let m = a1.store.create_meeting(meeting(labs[0])).expect("meeting");
    let docs: Vec<DocRef> = a1
        .store
        .doc_refs()
        .expect("docs")
        .into_iter()
        .filter(|d| matches!(d.kind, DocKind::Lab | DocKind::Household))
        .collect();
    let k1 = key(a1.enrolled.bundle_key.as_deref().expect("lab devices get a bundle key"));
    let bytes = bundle::export(&mut a1.store, labs[0], &k1, &docs, 0).expect("export");
    let file = tmp.path().join("lab1.taccuino-bundle");
    std::fs::write(&file, &bytes).expect("write bundle");
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x20;
    let altered_file = tmp.path().join("altered.taccuino-bundle");
    std::fs::write(&altered_file, &altered).expect("write");
    // Lab 2's device signs with its own key a bundle claiming lab 1.
    let k2 = key(b1.enrolled.bundle_key.as_deref().expect("key"));
    assert_ne!(k1, k2, "each lab has its own key");
    let forged = bundle::export(&mut b1.store, labs[0], &k2, &[DocRef::lab(labs[1])], 0).expect("export");
    let forged_file = tmp.path().join("forged.taccuino-bundle");
    std::fs::write(&forged_file, &forged).expect("write");

    // The import refuses to run behind the running hub's back.
    let out = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("import")
        .arg(&file)
        .output()
        .expect("run import");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("running"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    hub.kill();
    for bad in [&altered_file, &forged_file] {
        let out = std::process::Command::new(common::BIN)
            .arg("--data-dir")
            .arg(&data)
            .arg("import")
            .arg(bad)
            .output()
            .expect("run import");
        assert!(!out.status.success(), "{} was accepted", bad.display());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("altered"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = common::hub_cmd(&data, &["import", file.to_str().expect("path")]);
    assert!(first.contains(" 0 not this lab's"), "{first}");
    assert!(!first.contains(": 0 documents changed"), "{first}");
    let again = common::hub_cmd(&data, &["import", file.to_str().expect("path")]);
    assert!(again.contains(": 0 documents changed"), "importing twice changes nothing: {again}");

    // Back online, the other device of lab 1 gets it; lab 2's does not.
    let hub = Hub::start(&data);
    a2.sync_ok(&hub.url).await;
    assert_eq!(a2.store.meeting(m).expect("meeting arrived").lab, labs[0]);
    assert_eq!(a2.store.search_households("gioele", 5).expect("search")[0].id, h);
    b1.sync_ok(&hub.url).await;
    assert!(b1.store.meeting(m).is_err());
}
