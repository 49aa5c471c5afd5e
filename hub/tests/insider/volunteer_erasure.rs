//! Erasing a volunteer's entry (issue 15, decision 0033) through the real
//! hub: the organisation's coordinator erases it while a colleague's laptop
//! is offline and still edits it; after everyone has synced, the offline
//! laptop last, no database file (the hub's and every laptop's, decrypted)
//! holds the codice fiscale or the residence; the offline laptop's copy is
//! refused and dropped. Another organisation's coordinator and the
//! project-wide office cannot erase it (their forged tombstones are
//! refused and the entry stays).

use std::path::Path;

use crdt_sync::{
    AuditLog, ErasureReason, Key, OrganisationId, Store, VolunteerEntry, VolunteerRegister,
    VolunteerTombstone,
};

use super::volunteers::enrol_for;
use super::*;

const CF: &str = "BNCLRA80A41G388X";
const RESIDENCE: &str = "Vicolo Segretissimo 3, Pavia";
const NEW_RESIDENCE: &str = "Strada Nascosta 12, Pavia";

/// Every page of a SQLCipher file, decrypted (the WAL replayed), lower-cased.
fn decrypted(path: &Path, key_hex: &str) -> Vec<u8> {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";")).expect("key");
    conn.serialize(rusqlite::MAIN_DB).expect("serialize").to_vec().to_ascii_lowercase()
}

fn holds(bytes: &[u8], text: &str) -> bool {
    let needle = text.to_ascii_lowercase();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn forged(person: PersonId, organisation: OrganisationId, by: &Device) -> VolunteerTombstone {
    VolunteerTombstone {
        person,
        organisation,
        at: chrono::Utc::now(),
        by_device: by.enrolled.device,
        by_person: None,
        reason: ErasureReason::Other,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_entry_leaves_every_file_and_an_offline_copy_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let url = hub.url.clone();
    let (mut office, labs) = project(&hub, tmp.path(), &code, 1).await;
    hub.cmd(&["add-organisation", "--name", "Consorzio Sociale Pavese"]);
    hub.cmd(&["add-organisation", "--name", "Coop. Il Convoglio"]);
    office.sync_ok(&url).await;
    let orgs = office.store.organisations().expect("organisations");
    let org_of = |name: &str| orgs.iter().find(|o| o.name == name).expect("listed").id;
    let (org, other_org) = (org_of("Consorzio Sociale Pavese"), org_of("Coop. Il Convoglio"));
    let volunteer = office
        .store
        .create_person(NewPerson {
            lab: labs[0],
            first_name: "Lara".into(),
            last_name: "Bianchi".into(),
            role: Role::Volunteer,
            organisation: "Consorzio".into(),
            phone: String::new(),
            email: String::new(),
        })
        .expect("person");
    office.sync_ok(&url).await;
    let mut keeper = enrol_for(&hub, tmp.path(), "consorzio", "Consorzio Sociale Pavese").await;
    let mut colleague = enrol_for(&hub, tmp.path(), "consorzio-2", "Consorzio Sociale Pavese").await;
    let mut other = enrol_for(&hub, tmp.path(), "convoglio", "Coop. Il Convoglio").await;
    let mut other2 = enrol_for(&hub, tmp.path(), "convoglio-2", "Coop. Il Convoglio").await;
    for d in [&mut keeper, &mut colleague, &mut other, &mut other2] {
        d.sync_ok(&url).await;
    }
    let entry = VolunteerEntry {
        codice_fiscale: CF.into(),
        residence: RESIDENCE.into(),
        start: Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")),
        ..VolunteerEntry::default()
    };
    keeper.store.keep_volunteer(volunteer, entry.clone()).expect("kept");
    keeper.sync_ok(&url).await;
    colleague.sync_ok(&url).await;
    assert!(colleague.store.volunteer(volunteer).expect("read").is_some(), "control: the colleague holds it");
    assert!(
        holds(&decrypted(colleague.store.path().expect("file"), &hex::encode([9u8; 32])), CF),
        "control: the codice fiscale is in the colleague's file"
    );
    let r = DocRef::volunteer(volunteer);

    // Forged erasures: another organisation's coordinator (naming the
    // entry's organisation, then its own) and the project-wide office.
    for (device, organisation) in [(&mut other, org), (&mut other2, other_org), (&mut office, org)] {
        let t = forged(volunteer, organisation, device);
        device.store.write_volunteer_tombstone_unchecked(&t).expect("in the insider's own register");
        let report = device.sync(&url).await.expect("the insider's sync ends");
        let project = DocRef::project(device.store.project());
        assert!(report.refused.contains_key(&project), "{}: {:?}", device.name, report.refused);
    }
    keeper.sync_ok(&url).await;
    assert!(keeper.store.volunteer(volunteer).expect("read").is_some(), "a forged erasure took effect");

    // The colleague goes offline and moves the volunteer's residence; the
    // keeper erases the entry.
    colleague
        .store
        .keep_volunteer(volunteer, VolunteerEntry { residence: NEW_RESIDENCE.into(), ..entry })
        .expect("offline edit");
    let started = std::time::Instant::now();
    keeper.store.erase_volunteer(volunteer, ErasureReason::Request, None).expect("erased");
    let erased_in = started.elapsed();
    keeper.sync(&url).await.expect("the keeper syncs");
    let started = std::time::Instant::now();
    let report = colleague.sync(&url).await.expect("the colleague syncs");
    println!(
        "erasing the entry on the keeper's laptop (tombstone, drop, audit, scrub): {erased_in:?}; \
         the offline colleague's sync that drops it: {:?}",
        started.elapsed()
    );
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert!(report.erased.contains(&r), "{report:?}");
    for d in [&mut keeper, &mut colleague] {
        d.sync_ok(&url).await;
        assert!(!d.store.doc_refs().expect("docs").contains(&r), "{} holds the entry", d.name);
        assert!(
            matches!(
                d.store.keep_volunteer(volunteer, VolunteerEntry::default()),
                Err(crdt_sync::Error::VolunteerErased { .. })
            ),
            "{} may write it again",
            d.name
        );
        assert!(d.store.person(volunteer).is_ok(), "the person stays");
    }

    // Every file, the hub's still, byte by byte.
    hub.kill();
    let hub_key = std::fs::read_to_string(data.join("hub.key")).expect("hub key");
    let mut files = vec![(data.join("register.db"), hub_key.trim().to_owned())];
    for d in [&keeper, &colleague, &other, &office] {
        files.push((d.store.path().expect("file").to_owned(), hex::encode([9u8; 32])));
    }
    for (path, key) in &files {
        let bytes = decrypted(path, key);
        assert!(holds(&bytes, "Bianchi"), "control: {} is readable", path.display());
        for secret in [CF, RESIDENCE, NEW_RESIDENCE] {
            assert!(!holds(&bytes, secret), "{} still holds {secret:?}", path.display());
        }
    }
    let mut hub_key_bytes = [0u8; 32];
    hex::decode_to_slice(hub_key.trim(), &mut hub_key_bytes).expect("hex key");
    let mut hub_store = Store::open(
        data.join("register.db"),
        &Key::from_bytes(hub_key_bytes),
        Box::new(crdt_sync::SystemEnv),
    )
    .expect("hub store");
    assert!(!hub_store.doc_refs().expect("docs").contains(&r), "the hub re-created it");
    let audit = hub_store.audit_log(50).expect("audit");
    assert!(audit.iter().any(|e| e.action == "volunteer_erasure"), "the hub did not audit it");
    assert!(hub_store.volunteer(volunteer).expect("read").is_none());
}
