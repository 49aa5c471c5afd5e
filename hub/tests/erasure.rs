//! Erasure of a family across the real hub and three laptops of its lab
//! (issue 6): a coordinator erases while one laptop is offline and still
//! edits the family; after every device has synced, the offline one last, no
//! replica's database file, decrypted, holds the family's name, phone or
//! notes anywhere in its bytes; no replica holds or re-creates the document;
//! the indicators still count the family. A volunteer's forged erasure is
//! refused by the hub and changes nothing.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::{Device, enrol, family, init_hub, meeting_on, project};
use crdt_sync::sync::Refusal;
use crdt_sync::{
    Attendance, Contacts, DocRef, Erasure, ErasureReason, Error, Families, HouseholdId, HouseholdPatch, Key,
    Meetings, NewPathway, PathwayKind, Period, Replication, Selection, Store,
};
use taccuino_reports::indicators::compute;

const NAME: &str = "Ermenegilda";
const PHONE: &str = "0382 918 273";
const NOTES: &str = "colloquio con la nonna Ermenegilda sul sostegno scolastico";
const NEW_PHONE: &str = "0382 777 645";

/// Every page of a SQLCipher file, decrypted (the WAL replayed), lower-cased.
fn decrypted(path: &Path, key_hex: &str) -> Vec<u8> {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";")).expect("key");
    let image = conn.serialize(rusqlite::MAIN_DB).expect("serialize").to_vec();
    image.to_ascii_lowercase()
}

fn holds(bytes: &[u8], text: &str) -> bool {
    let needle = text.to_ascii_lowercase();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn counted(store: &Store) -> (u32, u32) {
    let period = Period::new(
        NaiveDate::from_ymd_opt(2020, 1, 1).expect("d"),
        NaiveDate::from_ymd_opt(2030, 12, 31).expect("d"),
    )
    .expect("period");
    let t = compute(store, &Selection::all_labs(period)).expect("indicators").total;
    (t.families_reached, t.attendances)
}

fn assert_gone(d: &mut Device, h: HouseholdId) {
    assert!(!d.store.has_doc(DocRef::household(h)).expect("has"), "{} still holds the document", d.name);
    assert!(matches!(d.store.household(h), Err(Error::Erased { .. })), "{} reads the family", d.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_reaches_every_replica_and_leaves_no_bytes_behind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = common::Hub::start(&data);
    let (mut office, labs) = project(&hub, tmp.path(), &code, 1).await;
    let lab = labs[0];
    let mut a = enrol(&hub, tmp.path(), "a", Some(1), "volunteer").await;
    let mut b = enrol(&hub, tmp.path(), "b", Some(1), "volunteer").await;
    let mut c = enrol(&hub, tmp.path(), "c", Some(1), "volunteer").await;
    let mut volunteer = enrol(&hub, tmp.path(), "v", Some(1), "volunteer").await;

    // A registers the family, its pathway notes, and its attendance; another
    // family stays as a control.
    a.sync_ok(&hub.url).await;
    let mut f = family(lab, NAME);
    f.contacts = Contacts { phone: PHONE.into(), ..Contacts::default() };
    let h = a.store.create_household(f).expect("family");
    let other = a.store.create_household(family(lab, "Clotilde")).expect("family");
    let start = chrono::Utc::now().date_naive() - chrono::Days::new(30);
    a.store
        .add_pathway(
            h,
            NewPathway { kind: PathwayKind::FamilyTutoring, start, operator: None, notes: NOTES.into() },
        )
        .expect("pathway");
    let members: Vec<Attendance> = [h, other]
        .iter()
        .map(|&household| Attendance {
            household,
            member: a.store.household(household).expect("read").members[0].id,
        })
        .collect();
    a.store.create_meeting(meeting_on(lab, start, "Merenda insieme", members)).expect("meeting");
    a.sync_ok(&hub.url).await;
    for d in [&mut b, &mut c, &mut volunteer, &mut office] {
        d.sync_ok(&hub.url).await;
    }
    assert!(
        holds(&decrypted(c.store.path().expect("file"), &hex::encode([9u8; 32])), NAME),
        "control: the name is in C's file before"
    );
    let before = counted(&office.store);
    assert_eq!(before.0, 2);

    // A volunteer forges an erasure: the hub refuses the lab document's
    // change and everyone keeps the family.
    volunteer
        .store
        .erase_household(other, ErasureReason::Request, None)
        .expect("the store itself does not know roles");
    let report = volunteer.sync(&hub.url).await.expect("sync");
    assert_eq!(
        report.refused.get(&DocRef::lab(lab)),
        Some(&Refusal::ErasureNotAllowed),
        "{:?}",
        report.refused
    );
    b.sync_ok(&hub.url).await;
    assert_eq!(b.store.household(other).expect("still there").members[0].first_name, "Clotilde");

    // C goes offline and edits the family; meanwhile the coordinator erases it.
    let patch = HouseholdPatch {
        contacts: Some(Contacts { phone: NEW_PHONE.into(), ..Contacts::default() }),
        ..HouseholdPatch::default()
    };
    c.store.update_household(h, patch).expect("offline edit");
    office.store.erase_household(h, ErasureReason::Request, None).expect("erase");
    office.sync_ok(&hub.url).await;
    a.sync_ok(&hub.url).await;
    b.sync_ok(&hub.url).await;
    // C syncs last: the hub refuses its copy, and C erases it.
    let report = c.sync(&hub.url).await.expect("c syncs");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert!(report.erased.contains(&DocRef::household(h)), "{report:?}");
    // Everyone once more: nothing comes back.
    for d in [&mut a, &mut b, &mut c, &mut office] {
        d.sync_ok(&hub.url).await;
    }
    for d in [&mut a, &mut b, &mut c, &mut office] {
        assert_gone(d, h);
        assert_eq!(d.store.household(other).expect("control").members[0].first_name, "Clotilde");
    }
    assert_eq!(counted(&office.store), before, "the indicators still count the erased family");

    // The hub: stop it so its file is still, then look at every byte.
    hub.kill();
    let hub_key = std::fs::read_to_string(data.join("hub.key")).expect("hub key");
    let mut files = vec![(data.join("register.db"), hub_key.trim().to_owned())];
    for d in [&a, &b, &c, &office] {
        files.push((d.store.path().expect("file").to_owned(), hex::encode([9u8; 32])));
    }
    for (path, key) in &files {
        let bytes = decrypted(path, key);
        assert!(holds(&bytes, "Clotilde"), "control: {} is readable", path.display());
        for secret in [NAME, PHONE, NOTES, NEW_PHONE] {
            assert!(!holds(&bytes, secret), "{} still holds {secret:?}", path.display());
        }
    }
    let hub_store = Store::open(
        data.join("register.db"),
        &Key::from_bytes(hex_key(&hub_key)),
        Box::new(crdt_sync::SystemEnv),
    )
    .expect("hub store");
    assert!(
        !hub_store.doc_refs().expect("docs").contains(&DocRef::household(h)),
        "the hub never re-created it"
    );
    assert_eq!(counted(&hub_store), before);
    let code = hub_store.erased_household(h).expect("read").expect("erased").code;
    drop(hub_store);

    // The data protection officer's view, from the hub's command line: the
    // lab's trail shows the erasure by code, with no personal data.
    let trail = tmp.path().join("trail.csv");
    common::hub_cmd(&data, &["audit", "--lab", "1", "--out", trail.to_str().expect("path")]);
    let csv = std::fs::read_to_string(&trail).expect("trail");
    assert!(csv.lines().any(|l| l.contains(&code) && l.to_lowercase().contains("cancell")), "{csv}");
    for secret in [NAME, PHONE, NOTES] {
        assert!(!csv.contains(secret), "the trail holds {secret:?}");
    }
    let due = common::hub_cmd(&data, &["retention"]);
    assert!(due.ends_with("0 due"), "{due}");
}

fn hex_key(text: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut key).expect("hub key");
    key
}
