//! Bundles from insiders. A lab device holds its lab's bundle key
//! (`Enrolled::bundle_key`), so it can sign anything: a lab document with a
//! forged erasure tombstone must not erase the family on another laptop of
//! the lab (`bundle::import_as_device`) nor at the hub (`taccuino-hub
//! import`); and a revoked device's bundle is refused by the hub's import.

use automerge::ROOT;
use automerge::transaction::Transactable;
use crdt_sync::HouseholdId;
use crdt_sync::sync::bundle::{self, BundleKey};

use super::*;

fn key_of(d: &Device) -> BundleKey {
    let hex_key = d.enrolled.bundle_key.as_deref().expect("lab devices get a bundle key");
    BundleKey(hex::decode(hex_key).expect("hex").try_into().expect("32 bytes"))
}

/// Runs `taccuino-hub import FILE` on the stopped hub; returns whether it
/// succeeded and what it printed.
fn import_at_hub(w: &mut World, file: &std::path::Path) -> (bool, String) {
    w.hub.kill();
    let out = common::hub_cmd_output(&w.hub.dir, &["import", file.to_str().expect("utf-8 path")]);
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), said.trim().to_owned())
}

/// Starts the hub again (as `world` did), after an import.
fn restart(w: &mut World) {
    w.hub = Hub::start_capped(&w.hub.dir, ADDRESS_SPACE);
}

/// Issue 11: laptops applied erasure tombstones from bundles without
/// checking who wrote them. Lab 1's volunteer writes a tombstone for its
/// lab's family into its lab document (the layout of `doc/lab.rs`:
/// `erased.<household_id>`), as a coordinator's erasure would look, and
/// signs a bundle with its lab's key. Lab 1's lead imports it: the family
/// stays. The hub's import refuses it: the family stays in the register.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_tombstone_in_a_bundle_erases_nothing() {
    let mut w = world().await;
    let lab1 = DocRef::lab(w.labs[0]);
    let family: HouseholdId = w.b.store.search_households("giulia", 1).expect("search")[0].id;
    let code = w.b.store.household_code(family).expect("code").expect("listed");
    let coordinator = w.coordinator.enrolled.device;
    // As the volunteer's own actor, and claiming the coordinator's device.
    let mut am = load_as(&mut w.b.store, lab1, actor(w.b.enrolled.device));
    let forged = change(&mut am, |tx| {
        let erased = tx.put_object(ROOT, "erased", automerge::ObjType::Map).expect("erased");
        let t =
            tx.put_object(&erased, family.to_string().as_str(), automerge::ObjType::Map).expect("tombstone");
        tx.put(&t, "code", code.as_str()).expect("code");
        tx.put(&t, "at", 1_767_225_600_000i64).expect("at");
        tx.put(&t, "by_device", coordinator.to_string().as_str()).expect("by_device");
        tx.put(&t, "reason", "other").expect("reason");
    });
    // A copy of the volunteer's register carries it (its own keeps the
    // family, to show the bundle is all there is to it).
    let mut forger = crdt_sync::Store::in_memory(
        crdt_sync::DeviceConfig {
            device: w.b.enrolled.device,
            project: w.b.enrolled.project,
            codes: w.b.enrolled.codes,
        },
        Box::new(crdt_sync::SeededEnv::with_seed(7)),
    )
    .expect("forger's store");
    for doc in w.b.store.doc_refs().expect("docs") {
        let bytes = w.b.store.export_doc(doc).expect("export");
        forger.apply_bytes(doc, &bytes).expect("copy");
    }
    let _ = forger.apply_bytes(lab1, &forged);
    let key = key_of(&w.b);
    let bytes = bundle::export(&mut forger, w.labs[0], &key, &[lab1], 0).expect("bundle");
    println!("forged-tombstone bundle: {} bytes", bytes.len());

    let imported = bundle::import_as_device(&mut w.a.store, &bytes, &key, w.labs[0]);
    println!("lab 1's lead imports it: {imported:?}");
    assert!(
        w.a.store.erased_household(family).expect("erased").is_none(),
        "the forged tombstone erased the family"
    );
    w.a.store.household(family).expect("the family is still on lab 1's lead's laptop");

    let file = w.tmp.path().join("forged-tombstone.taccuino-bundle");
    std::fs::write(&file, &bytes).expect("write");
    let (ok, said) = import_at_hub(&mut w, &file);
    println!("taccuino-hub import: success {ok}; said: {said}");
    assert!(!ok || said.contains("refused"), "the hub's import took the forged tombstone: {said}");
    let mut register = taccuino_hub::DataDir::new(&w.hub.dir).open_store().expect("the hub's register");
    assert!(register.erased_household(family).expect("erased").is_none(), "the hub erased the family");
    register.household(family).expect("the family is still in the hub's register");
    drop(register);
    restart(&mut w);
    w.honest_round("after the forged tombstone").await;
    w.b.store.household(family).expect("the family is still on lab 1's volunteer's laptop");
}

/// Issue 11: `import` did not check revocation. A lab-1 volunteer records a
/// meeting, writes a bundle, and is revoked (its laptop stolen): the hub's
/// import refuses the bundle and the meeting never reaches the register.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_devices_bundle_is_refused_by_the_hub() {
    let mut w = world().await;
    let lab1 = DocRef::lab(w.labs[0]);
    let mut theft = meeting(w.labs[0]);
    theft.theme = "Dal portatile rubato".into();
    let m = w.b.store.create_meeting(theft).expect("meeting");
    let key = key_of(&w.b);
    let bytes = bundle::export(&mut w.b.store, w.labs[0], &key, &[lab1], 0).expect("bundle");
    let file = w.tmp.path().join("revoked.taccuino-bundle");
    std::fs::write(&file, &bytes).expect("write");
    let device = w.b.enrolled.device.to_string();
    println!("{}", w.hub.cmd(&["revoke", &device]));

    let (ok, said) = import_at_hub(&mut w, &file);
    println!(
        "taccuino-hub import of a revoked device's bundle ({} bytes): success {ok}; said: {said}",
        bytes.len()
    );
    let register = taccuino_hub::DataDir::new(&w.hub.dir).open_store().expect("the hub's register");
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
    let reached = register.meetings(w.labs[0], from, to).expect("meetings").iter().any(|s| s.id == m);
    assert!(!reached, "the revoked device's meeting reached the register; import said: {said}");
    assert!(!ok || said.contains("refused"), "the import of a revoked device's bundle succeeded: {said}");
    drop(register);
    restart(&mut w);
    // `b` is revoked: the honest round runs without it.
    let url = w.hub.url.clone();
    let fresh = w.a.store.create_meeting(meeting(w.labs[0])).expect("meeting");
    w.a.sync_ok(&url).await;
    w.coordinator.sync_ok(&url).await;
    w.coordinator.store.meeting(fresh).expect("lab 1's lead's meeting reached the coordinator");
    assert!(w.coordinator.store.meeting(m).is_err(), "the revoked device's meeting reached the coordinator");
}
