//! The restore drill (issue 13): a backup taken while devices sync, the
//! hub's disk lost, a hub rebuilt from the backup in a new directory; the
//! laptops keep syncing with it (the same pinned certificate), bring back
//! what they wrote after the backup, and the family erased after the
//! backup does not come back. And every way a restore must refuse.

mod common;

use std::ffi::OsStr;
use std::path::Path;

use chrono::NaiveDate;
use common::{Hub, enrol, family, hub_fails, init_hub, meeting_on, project};
use crdt_sync::sync::Refusal;
use crdt_sync::{DocRef, Erasure, ErasureReason, Error, Families, Meetings, Replication};
use taccuino_sync_client::Endpoint;

const PASSPHRASE: &str = "la nostra sede di via Folla";

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

/// Runs the hub's command line with `env`, off the async threads.
async fn hub_cmd_env(data: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let (data, args) = (data.to_owned(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(common::BIN)
            .envs(env)
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .output()
            .expect("run taccuino-hub");
        assert!(out.status.success(), "taccuino-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
    })
    .await
    .expect("the command ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_restored_from_a_backup_taken_under_load_loses_nothing_and_brings_back_no_erased_family() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (mut office, labs) = project(&hub, tmp.path(), &code, 2).await;
    let lab = labs[0];
    let mut a = enrol(&hub, tmp.path(), "a", Some(1), "volunteer").await;
    let mut b = enrol(&hub, tmp.path(), "b", Some(1), "operator").await;
    let mut c = enrol(&hub, tmp.path(), "c", Some(2), "volunteer").await;
    for d in [&mut a, &mut b, &mut c] {
        d.sync_ok(&hub.url).await;
    }
    let kept = a.store.create_household(family(lab, "Clotilde")).expect("family");
    let doomed = a.store.create_household(family(lab, "Ermenegilda")).expect("family");
    a.sync_ok(&hub.url).await;
    for d in [&mut b, &mut c, &mut office] {
        d.sync_ok(&hub.url).await;
    }

    // The backup, taken while lab 2 records and syncs meeting after meeting.
    let file = tmp.path().join("hub.backup");
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let url = hub.url.clone();
    let lab2 = labs[1];
    let syncing = tokio::spawn(async move {
        let mut meetings = Vec::new();
        for day in 1.. {
            let date = NaiveDate::from_ymd_opt(2026, 9, day % 28 + 1).expect("date");
            meetings
                .push(c.store.create_meeting(meeting_on(lab2, date, "Doposcuola", vec![])).expect("meeting"));
            c.sync_ok(&url).await;
            if *stopped.borrow_and_update() && meetings.len() >= 2 {
                break;
            }
        }
        (c, meetings)
    });
    let made = hub_cmd_env(
        &data,
        &["backup", "--out", file.to_str().expect("path"), "--with-key"],
        &[("TACCUINO_HUB_BACKUP_PASSPHRASE", PASSPHRASE)],
    )
    .await;
    assert_eq!(made, file.display().to_string());
    stop.send(true).expect("stop");
    let (mut c, meetings) = syncing.await.expect("lab 2 synced throughout");
    let stamp = std::fs::read_to_string(data.join("backup.stamp")).expect("the backup's time is recorded");
    assert!(stamp.contains(&file.display().to_string()), "{stamp}");

    // Nothing in the file is readable without the key: no name, no TLS key.
    let bytes = std::fs::read(&file).expect("backup");
    assert!(bytes.starts_with(b"TACCUINO-HUB-BACKUP 1\n"));
    for secret in ["Clotilde", "Ermenegilda", "PRIVATE KEY", "Laboratorio 1"] {
        assert!(!holds(&bytes, secret), "the backup holds {secret:?} in the clear");
    }
    let hub_key = std::fs::read_to_string(data.join("hub.key")).expect("key");
    assert!(!holds(&bytes, hub_key.trim()), "the hub's key in the clear");

    // After the backup: a new meeting and family on lab 1, and an erasure.
    let after = a
        .store
        .create_meeting(meeting_on(
            lab,
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
            "Dopo il backup",
            vec![],
        ))
        .expect("meeting");
    let newcomer = a.store.create_household(family(lab, "Novella")).expect("family");
    a.sync_ok(&hub.url).await;
    office.store.erase_household(doomed, ErasureReason::Request, None).expect("erase");
    office.sync_ok(&hub.url).await;
    b.sync_ok(&hub.url).await;
    assert!(b.store.household(doomed).is_err(), "b received the erasure");
    c.sync_ok(&hub.url).await;

    // The disk is lost. A new directory, the key from the backup.
    hub.kill();
    let old_pin = hub.url.pin().expect("pinned");
    std::fs::remove_dir_all(&data).expect("lose the disk");
    let restored_dir = tmp.path().join("restored");
    let said = hub_cmd_env(
        &restored_dir,
        &["restore", "--from", file.to_str().expect("path")],
        &[("TACCUINO_HUB_BACKUP_PASSPHRASE", PASSPHRASE)],
    )
    .await;
    assert!(said.contains("restored in") && said.contains("4 devices"), "{said}");
    let restored = Hub::start(&restored_dir);
    assert_eq!(restored.url.pin(), Some(old_pin), "the restored hub shows the certificate laptops pinned");
    // The laptops reach it at its new address with the pin they already hold.
    let url = Endpoint::parse(&format!("wss://{}", restored.addr)).expect("url").pinned(old_pin);

    // A lab laptop that received the erasure cannot hand it back: only a
    // coordinator's device may change a lab's tombstones, whoever's actor
    // the change claims (a stolen laptop could claim any). Its lab document
    // is refused, and kept on the laptop, until the coordinator's app has
    // synced: the restore's own instructions say to sync it first.
    let report = b.sync(&url).await.expect("b syncs");
    assert_eq!(report.refused.get(&DocRef::lab(lab)), Some(&Refusal::ErasureNotAllowed), "{report:?}");
    assert!(matches!(b.store.household(doomed), Err(Error::Erased { .. })), "b keeps the erasure");
    for d in [&mut office, &mut a, &mut b, &mut c] {
        d.sync_ok(&url).await;
    }
    // Once more, so that what one brought back reaches the others.
    for d in [&mut a, &mut b, &mut c, &mut office] {
        d.sync_ok(&url).await;
    }
    let mut fresh = enrol(&restored, tmp.path(), "fresh", Some(1), "lead").await;
    fresh.sync_ok(&url).await;
    for d in [&mut fresh, &mut b] {
        assert_eq!(
            d.store.meeting(after).expect("the meeting made after the backup").theme,
            "Dopo il backup"
        );
        assert_eq!(d.store.household(newcomer).expect("the family made after the backup").id, newcomer);
        assert_eq!(d.store.household(kept).expect("the family kept").id, kept);
        assert!(
            !d.store.has_doc(DocRef::household(doomed)).expect("has"),
            "{} holds the erased family",
            d.name
        );
        assert!(matches!(d.store.household(doomed), Err(Error::Erased { .. })), "{} reads it", d.name);
    }
    for m in &meetings {
        assert_eq!(office.store.meeting(*m).expect("lab 2's meetings").lab, lab2);
    }
    restored.assert_no_uncaught_panics();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_refuses_a_wrong_key_a_changed_file_and_a_used_directory_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _code) = init_hub(tmp.path());
    let plain = tmp.path().join("plain.backup");
    let wrapped = tmp.path().join("wrapped.backup");
    let pass: &[(&str, &OsStr)] = &[("TACCUINO_HUB_BACKUP_PASSPHRASE", OsStr::new(PASSPHRASE))];
    common::hub_cmd(&data, &["backup", "--out", plain.to_str().expect("path")]);
    hub_cmd_env(
        &data,
        &["backup", "--out", wrapped.to_str().expect("path"), "--with-key"],
        &[("TACCUINO_HUB_BACKUP_PASSPHRASE", PASSPHRASE)],
    )
    .await;
    // Never over an existing file; --with-key needs its passphrase.
    let again = hub_fails(&data, &["backup", "--out", plain.to_str().expect("path")], &[]);
    assert!(again.contains("already exists"), "{again}");
    let no_pass = tmp.path().join("nopass.backup");
    let said = hub_fails(&data, &["backup", "--out", no_pass.to_str().expect("path"), "--with-key"], &[]);
    assert!(said.contains("TACCUINO_HUB_BACKUP_PASSPHRASE"), "{said}");
    assert!(!no_pass.exists());

    let key_hex = std::fs::read_to_string(data.join("hub.key")).expect("key");
    let target = tmp.path().join("target");
    let restore = |from: &Path| vec!["restore".to_owned(), "--from".to_owned(), from.display().to_string()];
    let run = |from: &Path, env: &[(&str, &OsStr)]| {
        let args = restore(from);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        hub_fails(&target, &args, env)
    };
    // No key at all; a backup without a key and only a passphrase.
    assert!(run(&plain, &[]).contains("give the hub's key"));
    assert!(run(&plain, pass).contains("holds no key"));
    // A wrong passphrase; a wrong key.
    let wrong: &[(&str, &OsStr)] = &[("TACCUINO_HUB_BACKUP_PASSPHRASE", OsStr::new("non è questa la frase"))];
    assert!(run(&wrapped, wrong).contains("passphrase does not open"));
    let other_key = "ab".repeat(32);
    let said = run(&plain, &[("TACCUINO_HUB_KEY", OsStr::new(&other_key))]);
    assert!(said.contains("not the key"), "{said}");
    // A byte changed in the container; a file that is no backup.
    let mut bytes = std::fs::read(&plain).expect("read");
    let at = bytes.len() - 3000;
    bytes[at] ^= 0x01;
    let changed = tmp.path().join("changed.backup");
    std::fs::write(&changed, &bytes).expect("write");
    let said = run(&changed, &[("TACCUINO_HUB_KEY", OsStr::new(key_hex.trim()))]);
    assert!(said.contains("damaged or was changed"), "{said}");
    let said = run(&data.join("hub.key"), &[("TACCUINO_HUB_KEY", OsStr::new(key_hex.trim()))]);
    assert!(said.contains("is not a backup"), "{said}");
    assert!(!target.exists(), "a refused restore leaves nothing behind");

    // A directory already in use is never written into.
    let said = hub_fails(&data, &restore(&plain).iter().map(String::as_str).collect::<Vec<_>>(), pass);
    assert!(said.contains("is not empty"), "{said}");

    // With the key given from outside, the plain backup restores, and the
    // restored hub serves.
    let env: &[(&str, &OsStr)] = &[("TACCUINO_HUB_KEY", OsStr::new(key_hex.trim()))];
    let out = std::process::Command::new(common::BIN)
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(&target)
        .args(restore(&plain))
        .output()
        .expect("restore");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!target.join("hub.key").exists(), "a key given from outside is not copied into the directory");
    let hub = Hub::start_with_env(&target, env);
    let health = common::health(&hub.url).await.expect("health");
    assert!(health.contains("200 OK"), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serving_hub_makes_its_scheduled_backup_and_keeps_the_newest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _code) = init_hub(tmp.path());
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).expect("dir");
    let old = ["taccuino-hub-20240101T000000Z.backup", "taccuino-hub-20250101T000000Z.backup"];
    for name in old.iter().chain(&["appunti.txt"]) {
        std::fs::write(backups.join(name), b"old").expect("write");
    }
    let config = tmp.path().join("hub.toml");
    std::fs::write(&config, format!("[backup]\ndir = {:?}\nevery_hours = 24\nkeep = 2\n", backups.display()))
        .expect("config");
    // No backup recorded yet: the first is due at once.
    let hub = Hub::start_with(&data, &["--config", config.to_str().expect("path")]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let names = loop {
        let mut names: Vec<String> = std::fs::read_dir(&backups)
            .expect("read")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        names.sort();
        let done = !names.contains(&old[0].to_owned()) && hub.log().contains("scheduled backup written");
        if done || std::time::Instant::now() > deadline {
            break names;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(names.len(), 3, "{names:?}\n{}", hub.log());
    assert_eq!(names[0], "appunti.txt", "other files are left alone");
    assert_eq!(names[1], old[1], "the newest old backup is kept");
    let new = backups.join(&names[2]);
    assert!(std::fs::read_to_string(data.join("backup.stamp")).expect("stamp").contains(&names[2]));
    // What the schedule wrote restores.
    let key_hex = std::fs::read_to_string(data.join("hub.key")).expect("key");
    let env: &[(&str, &OsStr)] = &[("TACCUINO_HUB_KEY", OsStr::new(key_hex.trim()))];
    let target = tmp.path().join("restored");
    let out = std::process::Command::new(common::BIN)
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(&target)
        .args(["restore", "--from", new.to_str().expect("path")])
        .output()
        .expect("restore");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(hub.log().contains("scheduled backup written"), "{}", hub.log());
}

/// Decision 0041: laptops revoked after the last backup, one from the
/// command line and one from the coordinator's app, are revoked again by a
/// restore from that backup, from the journal the hub keeps beside it; a
/// line added to the journal without the hub's key revokes nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_revoked_after_the_backup_stay_revoked_after_a_restore() {
    use crdt_sync::sync::manage::{ManageRequest, ManageResponse};
    use taccuino_sync_client::ClientError;

    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let mut hub = Hub::start(&data);
    let (office, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let mut lost = enrol(&hub, tmp.path(), "lost", Some(1), "volunteer").await;
    let mut stolen = enrol(&hub, tmp.path(), "stolen", Some(1), "volunteer").await;
    let mut kept = enrol(&hub, tmp.path(), "kept", Some(1), "volunteer").await;
    for d in [&mut lost, &mut stolen, &mut kept] {
        d.sync_ok(&hub.url).await;
    }
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).expect("dir");
    let file = backups.join("hub.backup");
    let pass = [("TACCUINO_HUB_BACKUP_PASSPHRASE", PASSPHRASE)];
    hub_cmd_env(&data, &["backup", "--out", file.to_str().expect("path"), "--with-key"], &pass).await;
    let journal = backups.join("revocations.log");
    assert!(!journal.exists(), "nothing revoked since the backup");

    // After the backup: one laptop revoked from the command line, one from
    // the coordinator's app (by the serving hub).
    hub.cmd(&["revoke", &lost.enrolled.device.to_string()]);
    let gone = stolen.enrolled.device;
    let answer = taccuino_sync_client::manage(
        &hub.url,
        &office.enrolled.token,
        &ManageRequest::Revoke { device: gone },
    )
    .await
    .expect("manage");
    assert_eq!(answer, ManageResponse::Revoked { device: gone });
    // And one paired after the backup and revoked: the copy never knew it.
    let late = enrol(&hub, tmp.path(), "late", Some(1), "volunteer").await;
    hub.cmd(&["revoke", &late.enrolled.device.to_string()]);
    let text = std::fs::read_to_string(&journal).expect("the journal beside the backup");
    assert_eq!(text.lines().count(), 3, "{text}");
    for d in [&lost, &stolen] {
        assert!(text.contains(&d.enrolled.device.to_string()), "{text}");
    }
    assert!(!holds(text.as_bytes(), "Laboratorio"), "device ids and times only");
    // Someone who can write the backups' share, without the hub's key.
    let forged = format!("{} 1 {}\n", kept.enrolled.device, "ab".repeat(32));
    std::fs::write(&journal, format!("{text}{forged}")).expect("forge");

    // The disk is lost; the hub is rebuilt from the backup.
    hub.kill();
    std::fs::remove_dir_all(&data).expect("lose the disk");
    let restored_dir = tmp.path().join("restored");
    let out = std::process::Command::new(common::BIN)
        .envs(pass)
        .arg("--data-dir")
        .arg(&restored_dir)
        .args(["restore", "--from", file.to_str().expect("path")])
        .output()
        .expect("restore");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("2 device(s) revoked after the backup revoked again"), "{said}");
    assert!(said.contains("1 line(s)") && said.contains("ignored"), "{said}");
    assert!(said.contains("1 device(s) it names were paired after the backup"), "{said}");

    let restored = Hub::start(&restored_dir);
    let devices = restored.cmd(&["devices"]);
    for (d, status) in [(&lost, "revoked"), (&stolen, "revoked"), (&kept, "active")] {
        let line = devices.lines().find(|l| l.contains(&d.enrolled.device.to_string())).expect("listed");
        assert!(line.contains(status), "{} should be {status}: {line}", d.name);
    }
    assert!(!devices.contains(&late.enrolled.device.to_string()), "{devices}");
    for d in [&mut lost, &mut stolen] {
        let next = d.sync(&restored.url).await;
        assert!(
            matches!(next, Err(ClientError::Unauthorized | ClientError::Revoked)),
            "{}: {next:?}",
            d.name
        );
    }
    kept.sync_ok(&restored.url).await;
    restored.assert_no_uncaught_panics();
}
