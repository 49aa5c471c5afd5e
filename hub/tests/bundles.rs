//! Sync bundles end to end: a lab with no network hands the hub a file.
//! A device exports a bundle encrypted with its lab's key (from enrolment,
//! then from each sync); `taccuino-hub import` opens and merges it;
//! importing twice changes nothing; an altered file or another lab's is
//! refused and nothing changes, whether the hub is stopped (here) or
//! serving (`admin.rs`). A revoked device's bundles are refused, its lab's key is
//! replaced, and the lab's other devices receive the new one as they sync
//! (decision 0016).

mod common;

use common::{Hub, enrol, family, hub_fails, init_hub, meeting, project};
use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::{DocKind, DocRef, Families, Meetings, Replication};

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
    let k1 = a1.bundle_key();
    let bytes = a1.lab_bundle(labs[0]);
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

    // The hub stopped: the command line imports on the files itself (while
    // it serves, the hub imports: `admin.rs`).
    hub.kill();
    // Altered: the tag fails. Forged with lab 2's key: not lab 1's key.
    for (bad, says) in [(&altered_file, "altered"), (&forged_file, "another key of its lab")] {
        let out = std::process::Command::new(common::BIN)
            .arg("--data-dir")
            .arg(&data)
            .arg("import")
            .arg(bad)
            .output()
            .expect("run import");
        assert!(!out.status.success(), "{} was accepted", bad.display());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
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

/// Every document of a lab and its families that `store` holds.
fn lab_docs(store: &mut crdt_sync::Store) -> Vec<DocRef> {
    let docs = store.doc_refs().expect("docs").into_iter();
    docs.filter(|d| matches!(d.kind, DocKind::Lab | DocKind::Household)).collect()
}

/// Writes `bytes` to `<tmp>/<name>` and runs `import` on it, expecting a
/// refusal; returns what the hub printed.
fn import_refused(data: &std::path::Path, tmp: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let file = tmp.join(name);
    std::fs::write(&file, bytes).expect("write bundle");
    hub_fails(data, &["import", file.to_str().expect("path")], &[])
}

/// Issue 11: a revoked device kept its lab's bundle key, and `import` did
/// not check who made a bundle. Now revoking a lab's device replaces the
/// lab's key; bundles made with the old key, by a revoked device or by a
/// device the hub never enrolled are refused; the lab's remaining device
/// receives the new key at its next sync and its bundles go in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_devices_bundles_are_refused_and_its_lab_gets_a_new_key() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (_coordinator, labs) = project(&hub, tmp.path(), &code, 1).await;
    let mut thief = enrol(&hub, tmp.path(), "stolen", Some(1), "lead").await;
    let mut kept = enrol(&hub, tmp.path(), "kept", Some(1), "lead").await;
    for d in [&mut thief, &mut kept] {
        let report = d.sync_ok(&hub.url).await;
        let sent = report.bundle_key.expect("a lab device gets its lab's key at each sync");
        assert_eq!(Some(sent.to_hex()), d.enrolled.bundle_key, "the key of its enrolment");
    }
    let old = key(thief.enrolled.bundle_key.as_deref().expect("key"));

    // Made before the revocation, with the key every lab device had.
    thief.store.create_household(family(labs[0], "Gioele")).expect("family");
    let docs = lab_docs(&mut thief.store);
    let before = bundle::export(&mut thief.store, labs[0], &old, &docs, 0).expect("export");

    let revoked = common::hub_cmd(&data, &["revoke", &thief.enrolled.device.to_string()]);
    assert!(revoked.contains("revoked"), "{revoked}");
    let report = kept.sync_ok(&hub.url).await;
    let new = report.bundle_key.expect("the new key at the next sync");
    assert_ne!(new, old, "the lab's key was replaced");
    assert!(thief.sync(&hub.url).await.is_err(), "the revoked device no longer syncs");

    // After the revocation the thief makes bundles with the only key it has;
    // and with the new key, had it leaked; and as a device never enrolled.
    let after = bundle::export(&mut thief.store, labs[0], &old, &docs, 0).expect("export");
    let leaked = bundle::export(&mut thief.store, labs[0], &new, &docs, 0).expect("export");
    let stranger_config = crdt_sync::DeviceConfig {
        device: crdt_sync::DeviceId(uuid::Uuid::now_v7()),
        project: thief.store.project(),
        codes: crdt_sync::CodeRange::new(900_000, 900_999).expect("range"),
    };
    let mut stranger = crdt_sync::Store::create(
        tmp.path().join("stranger.db"),
        &crdt_sync::Key::from_bytes([1; 32]),
        stranger_config,
        Box::new(crdt_sync::SystemEnv),
    )
    .expect("store");
    for d in &docs {
        stranger.apply_bytes(*d, &thief.store.export_doc(*d).expect("doc")).expect("copy");
    }
    let unknown = bundle::export(&mut stranger, labs[0], &new, &docs, 0).expect("export");

    hub.kill();
    for (name, bytes) in [("before", &before), ("after", &after)] {
        let said = import_refused(&data, tmp.path(), name, bytes);
        assert!(said.contains("key lab 1 had until"), "{name}: {said}");
        assert!(said.contains(&thief.enrolled.device.to_string()), "{name}: {said}");
    }
    let said = import_refused(&data, tmp.path(), "leaked", &leaked);
    assert!(said.contains("revoked on"), "{said}");
    let said = import_refused(&data, tmp.path(), "unknown", &unknown);
    assert!(said.contains("never enrolled"), "{said}");
    // The first format is refused with a clear message, never read.
    let mut v1 = b"TACCUINO-BUNDLE1".to_vec();
    v1.extend_from_slice(&before[16..]);
    let said = import_refused(&data, tmp.path(), "v1", &v1);
    assert!(said.contains("older version of Taccuino") && said.contains("make it again"), "{said}");

    // The lab's laptop, holding the new key, refuses the thief's bundles too.
    let lab = labs[0];
    let refused = bundle::import_as_device(&mut kept.store, &after, &new, lab).expect_err("old key");
    assert!(refused.to_string().contains("another key of its lab"), "{refused}");
    assert!(kept.store.search_households("gioele", 5).expect("search").is_empty(), "nothing applied");

    // The remaining device's bundle, made with the new key, goes in; no
    // family's name reads out of its bytes.
    kept.store.create_household(family(lab, "Ottavia")).expect("family");
    let docs = lab_docs(&mut kept.store);
    let good = bundle::export(&mut kept.store, lab, &new, &docs, 0).expect("export");
    for name in ["Ottavia", "Ferrari", "Leo"] {
        assert!(!good.windows(name.len()).any(|w| w == name.as_bytes()), "{name} reads out of the bundle");
    }
    let file = tmp.path().join("good");
    std::fs::write(&file, &good).expect("write");
    let done = common::hub_cmd(&data, &["import", file.to_str().expect("path")]);
    assert!(!done.contains(": 0 documents changed"), "{done}");
    let register = taccuino_hub::DataDir::new(&data).open_store().expect("register");
    assert_eq!(register.search_households("ottavia", 5).expect("search").len(), 1);
    assert!(
        register.search_households("gioele", 5).expect("search").is_empty(),
        "the thief's family stayed out"
    );
}
