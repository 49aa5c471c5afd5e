//! Bundles from insiders. A lab device holds its lab's bundle key
//! (`Enrolled::bundle_key`), so it can sign anything: a lab document with a
//! forged erasure tombstone must not erase the family on another laptop of
//! the lab (`bundle::import_as_device`) nor at the hub (`taccuino-hub
//! import`); changes authored as another device are refused by the hub's
//! import as they are in sync; and a revoked device's bundle is refused by
//! the hub's import.

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use crdt_sync::sync::bundle::{self, BundleKey};
use crdt_sync::{Erasure, Families, HouseholdId, Meetings, Replication};

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

/// A copy of `d`'s register in memory: another laptop of its lab, as `device`.
fn laptop_copy(d: &mut Device, device: DeviceId) -> crdt_sync::Store {
    let config = crdt_sync::DeviceConfig { device, project: d.enrolled.project, codes: d.enrolled.codes };
    let mut copy = crdt_sync::Store::in_memory(config, Box::new(crdt_sync::SeededEnv::with_seed(7)))
        .expect("a laptop's store");
    crdt_sync::testing::one_family::copy_all(&mut d.store, &mut copy);
    copy
}

/// Lab 1's volunteer `b` writes, as `author`, a tombstone for `family` into
/// its lab document (the layout of `doc/lab.rs`: `erased.<household_id>`,
/// saying the coordinator's device erased it), and signs a bundle of that
/// document with its lab's key. The change is made on a copy of its
/// register, so that the bundle is all there is to the attack.
fn forged_tombstone_bundle(w: &mut World, family: HouseholdId, author: DeviceId) -> Vec<u8> {
    let lab1 = DocRef::lab(w.labs[0]);
    let code = w.b.store.household_code(family).expect("code").expect("listed");
    let coordinator = w.coordinator.enrolled.device.to_string();
    let mut am = load_as(&mut w.b.store, lab1, actor(author));
    let forged = change(&mut am, |tx| {
        let erased = tx.put_object(ROOT, "erased", automerge::ObjType::Map).expect("erased");
        let t =
            tx.put_object(&erased, family.to_string().as_str(), automerge::ObjType::Map).expect("tombstone");
        tx.put(&t, "code", code.as_str()).expect("code");
        tx.put(&t, "at", 1_767_225_600_000i64).expect("at");
        tx.put(&t, "by_device", coordinator.as_str()).expect("by_device");
        tx.put(&t, "reason", "other").expect("reason");
    });
    let device = w.b.enrolled.device;
    let mut forger = laptop_copy(&mut w.b, device);
    // The forger's copy may erase the family itself: that is its business.
    let _ = forger.apply_bytes(lab1, &forged);
    let key = key_of(&w.b);
    bundle::export(&mut forger, w.labs[0], &key, &[lab1], 0).expect("bundle")
}

/// Issue 11: laptops applied erasure tombstones from bundles without
/// checking who wrote them. Lab 1's volunteer forges a tombstone for its
/// lab's family in a bundle signed with its lab's key. Lab 1's lead imports
/// it: the family stays, and the lead's lab document still syncs. The
/// hub's import refuses it: the family stays in the register. Likewise for
/// the same tombstone authored as the coordinator's device (its actor),
/// at the hub; on a laptop that case is printed, not asserted: a laptop
/// that only checks the author cannot tell it from a real erasure that
/// reached the lab from the hub (the threat model says what holds there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_tombstone_in_a_bundle_erases_nothing() {
    let mut w = world().await;
    let family: HouseholdId = w.b.store.search_households("giulia", 1).expect("search")[0].id;
    let key = key_of(&w.b);
    let authors = [
        ("its own device", w.b.enrolled.device),
        ("the coordinator's device", w.coordinator.enrolled.device),
    ];
    for (i, (who, author)) in authors.into_iter().enumerate() {
        let bytes = forged_tombstone_bundle(&mut w, family, author);
        println!("forged-tombstone bundle authored as {who}: {} bytes", bytes.len());
        if i == 0 {
            let imported = bundle::import_as_device(&mut w.a.store, &bytes, &key, w.labs[0]);
            println!("lab 1's lead imports it: {imported:?}");
            assert!(
                w.a.store.erased_household(family).expect("erased").is_none(),
                "a tombstone authored as {who} erased the family on lab 1's lead's laptop"
            );
            w.a.store.household(family).expect("the family is still on lab 1's lead's laptop");
        } else {
            let other = DeviceId(Uuid::from_u128(w.rng.random()));
            let mut laptop = laptop_copy(&mut w.a, other);
            let imported = bundle::import_as_device(&mut laptop, &bytes, &key, w.labs[0]);
            let erased = laptop.erased_household(family).expect("erased").is_some();
            println!("a lab-1 laptop imports it: {imported:?}; family erased there: {erased}");
        }

        let file = w.tmp.path().join(format!("forged-tombstone-{i}.taccuino-bundle"));
        std::fs::write(&file, &bytes).expect("write");
        let (ok, said) = import_at_hub(&mut w, &file);
        println!("taccuino-hub import: success {ok}; said: {said}");
        assert!(
            !ok || said.contains("refused"),
            "the hub's import took a tombstone authored as {who}: {said}"
        );
        let mut register = taccuino_hub::DataDir::new(&w.hub.dir).open_store().expect("the hub's register");
        assert!(register.erased_household(family).expect("erased").is_none(), "the hub erased the family");
        register.household(family).expect("the family is still in the hub's register");
        drop(register);
        restart(&mut w);
        w.honest_round(&format!("after the tombstone authored as {who}")).await;
        w.b.store.household(family).expect("the family is still on lab 1's volunteer's laptop");
    }
    w.finish("forged tombstones");
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
    w.finish("revoked bundle");
}

/// Authors are bound to devices in bundles too: lab 1's volunteer changes a
/// meeting of its lab as the coordinator's device, and as a device of
/// another lab, and hands the hub a bundle signed with its lab's key. (A
/// bundle does carry changes of its own lab's other devices: that is what
/// it is for.) The import refuses
/// the lab document (or the whole file); the register keeps the meeting as
/// it was, and the honest devices go on syncing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_of_changes_authored_as_another_device_is_refused_by_the_hub() {
    let mut w = world().await;
    let lab1 = DocRef::lab(w.labs[0]);
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
    let meeting = w.b.store.meetings(w.labs[0], from, to).expect("meetings")[0].id;
    let authors =
        [("the coordinator's device", w.coordinator.enrolled.device), ("lab 2's lead", w.c.enrolled.device)];
    for (i, (who, author)) in authors.into_iter().enumerate() {
        let theme = format!("Scritto come {who}");
        let mut am = load_as(&mut w.b.store, lab1, actor(author));
        let forged = change(&mut am, |tx| {
            let (_, all) = tx.get(ROOT, "meetings").expect("read").expect("meetings");
            let (_, m) = tx.get(&all, meeting.to_string().as_str()).expect("read").expect("the meeting");
            tx.put(&m, "theme", theme.as_str()).expect("theme");
        });
        let device = w.b.enrolled.device;
        let mut forger = laptop_copy(&mut w.b, device);
        forger.apply_bytes(lab1, &forged).expect("the forger's own copy takes it");
        let bytes = bundle::export(&mut forger, w.labs[0], &key_of(&w.b), &[lab1], 0).expect("bundle");
        let file = w.tmp.path().join(format!("forged-author-{i}.taccuino-bundle"));
        std::fs::write(&file, &bytes).expect("write");
        let (ok, said) = import_at_hub(&mut w, &file);
        println!(
            "taccuino-hub import of changes authored as {who} ({} bytes): success {ok}; said: {said}",
            bytes.len()
        );
        let register = taccuino_hub::DataDir::new(&w.hub.dir).open_store().expect("the hub's register");
        let themes: Vec<String> =
            register.meetings(w.labs[0], from, to).expect("meetings").into_iter().map(|m| m.theme).collect();
        assert!(
            !themes.contains(&theme),
            "the hub's import took a change authored as {who}; it said: {said}"
        );
        assert!(!ok || said.contains("refused"), "the import of changes authored as {who} succeeded: {said}");
        drop(register);
        restart(&mut w);
        w.honest_round(&format!("after the bundle authored as {who}")).await;
    }
    w.finish("forged authors in bundles");
}
