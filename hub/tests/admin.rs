//! Administration while the hub serves (issue 13): `add-lab`, `import` and
//! `retention --erase` reach the running hub through its administration
//! socket and are carried out between syncs, with the same checks as on a
//! stopped hub; two administrators at once and devices syncing all the
//! while lose nothing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{Device, Hub, enrol, family, hub_fails, init_hub, meeting, meeting_on, project};
use crdt_sync::{DeviceConfig, DocRef, Families, Key, Meetings, ProjectSettings, SeededEnv, Store};

/// A lab device whose clock says March 2018: the families it registers
/// have had no activity for more than the retention policy's years.
async fn device_of_2018(hub: &Hub, tmp: &Path, lab: u8) -> Device {
    let fresh = enrol(hub, tmp, "archivio-tmp", Some(lab), "operator").await;
    let e = fresh.enrolled;
    let config = DeviceConfig { device: e.device, project: e.project, codes: e.codes };
    let start = Utc.with_ymd_and_hms(2018, 3, 1, 9, 0, 0).single().expect("date");
    let store = Store::create(
        tmp.join("archivio.db"),
        &Key::from_bytes([9; 32]),
        config,
        Box::new(SeededEnv::new(2018, start)),
    )
    .expect("store");
    Device { name: "archivio".into(), enrolled: e, store }
}

/// Runs the hub's command line off the async threads, as a second
/// administrator in another terminal would.
async fn admin(data: &Path, args: &[&str]) -> String {
    let (data, args) = (data.to_owned(), args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        common::hub_cmd(&data, &args)
    })
    .await
    .expect("the command ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_administration_command_works_while_devices_sync() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let socket = data.join("admin.sock");
    let mode = std::fs::metadata(&socket).expect("the hub made its socket").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only the hub's user may open the socket");

    let (mut coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut a1 = enrol(&hub, tmp.path(), "a1", Some(1), "volunteer").await;
    let mut a2 = enrol(&hub, tmp.path(), "a2", Some(1), "volunteer").await;
    let mut b1 = enrol(&hub, tmp.path(), "b1", Some(2), "volunteer").await;
    for d in [&mut a1, &mut a2, &mut b1] {
        d.sync_ok(&hub.url).await;
    }

    // A family registered in 2018 and never seen since: due for erasure.
    let mut archivio = device_of_2018(&hub, tmp.path(), 1).await;
    archivio.sync_ok(&hub.url).await;
    let mut old = family(labs[0], "Ottavio");
    old.consent = crdt_sync::NewConsent::given(
        NaiveDate::from_ymd_opt(2018, 3, 1).expect("date"),
        "2018-01",
        crdt_sync::PersonId(uuid::Uuid::from_u128(0xC0)),
    )
    .with_guardian(crdt_sync::NewGuardian::Member { index: 0 });
    let old = archivio.store.create_household(old).expect("old family");
    archivio.sync_ok(&hub.url).await;
    let due = hub.cmd(&["retention"]);
    let old_code = archivio.store.household(old).expect("family").code;
    assert!(due.contains(&old_code) && due.ends_with("1 due"), "{due}");

    // Lab 1 with no network: A1 writes a bundle.
    let m = a1.store.create_meeting(meeting(labs[0])).expect("meeting");
    let bytes = a1.lab_bundle(labs[0]);
    let file = tmp.path().join("lab1.taccuino-bundle");
    std::fs::write(&file, &bytes).expect("write bundle");
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0x20;
    let altered_file = tmp.path().join("altered.taccuino-bundle");
    std::fs::write(&altered_file, &altered).expect("write");

    // Lab 2 keeps working and syncing while the office administers.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let url = hub.url.clone();
    let lab2 = labs[1];
    let syncing = tokio::spawn(async move {
        let mut meetings = Vec::new();
        let mut day = 1;
        loop {
            let date = NaiveDate::from_ymd_opt(2026, 10, day).expect("date");
            meetings.push(
                b1.store.create_meeting(meeting_on(lab2, date, "Doposcuola", vec![])).expect("meeting"),
            );
            b1.sync_ok(&url).await;
            day = day % 28 + 1;
            if *stopped.borrow_and_update() {
                return (b1, meetings);
            }
        }
    });

    // Two administrators at once, and an import, all while lab 2 syncs.
    let file_arg = file.to_str().expect("path");
    let (add3, add4, import) = (
        ["add-lab", "--number", "3", "--name", "Laboratorio Crosione"],
        ["add-lab", "--number", "4", "--name", "Laboratorio Scala"],
        ["import", file_arg],
    );
    let (three, four, imported) =
        tokio::join!(admin(&data, &add3), admin(&data, &add4), admin(&data, &import));
    assert!(three.starts_with("lab 3 added"), "{three}");
    assert!(four.starts_with("lab 4 added"), "{four}");
    assert!(
        imported.contains(" 0 not this lab's") && !imported.contains(": 0 documents changed"),
        "{imported}"
    );
    // The same checks as on a stopped hub: a second lab 3, an altered
    // bundle, a family not due, each refused with its reason.
    let twice = hub_fails(&data, &["add-lab", "--number", "3", "--name", "Doppione"], &[]);
    assert!(twice.contains("lab 3 already exists"), "{twice}");
    let refused = hub_fails(&data, &["import", altered_file.to_str().expect("path")], &[]);
    assert!(refused.contains("altered"), "{refused}");
    let not_due = hub_fails(&data, &["retention", "--erase", "PV01-9999"], &[]);
    assert!(not_due.contains("PV01-9999 is not due for erasure"), "{not_due}");
    let erased = admin(&data, &["retention", "--erase", &old_code]).await;
    assert_eq!(erased, format!("erased {old_code}"));

    stop.send(true).expect("stop syncing");
    let (mut b1, meetings) = syncing.await.expect("lab 2 synced throughout");
    assert!(meetings.len() >= 2, "lab 2 synced while the commands ran: {}", meetings.len());

    // Everything reached everyone it should, and nothing was lost.
    coordinator.sync_ok(&hub.url).await;
    let numbers: Vec<u8> = coordinator.store.labs().expect("labs").iter().map(|l| l.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    for id in &meetings {
        assert_eq!(coordinator.store.meeting(*id).expect("lab 2's meeting on the hub").lab, labs[1]);
    }
    a2.sync_ok(&hub.url).await;
    assert_eq!(a2.store.meeting(m).expect("the imported meeting").lab, labs[0]);
    let report = archivio.sync(&hub.url).await.expect("archivio syncs");
    assert!(report.erased.contains(&DocRef::household(old)), "{report:?}");
    assert!(archivio.store.household(old).is_err(), "erased on the lab's laptop too");
    b1.sync_ok(&hub.url).await;
    let due = hub.cmd(&["retention"]);
    assert!(due.ends_with("0 due"), "{due}");
    hub.assert_no_uncaught_panics();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administration_socket_answers_a_malformed_request_and_goes_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, _code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let socket = data.join("admin.sock");
    for (request, says) in [
        ("this is not json\n", "bad request"),
        (
            "{\"request\":{\"command\":\"add_lab\",\"number\":5,\"name\":\"x\",\"address\":\"\",\"partner\":\"\"},\"payload\":999}\n",
            "more than allowed",
        ),
        ("{\"request\":{\"command\":\"drop_everything\"},\"payload\":0}\n", "bad request"),
    ] {
        let mut stream = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        BufReader::new(stream).read_line(&mut answer).expect("answer");
        assert!(answer.contains(says), "{request:?}: {answer}");
    }
    // A request cut before its payload: nothing is done.
    let mut stream = std::os::unix::net::UnixStream::connect(&socket).expect("connect");
    stream
        .write_all(b"{\"request\":{\"command\":\"import\",\"file\":\"x\"},\"payload\":1000}\nabc")
        .expect("send");
    stream.shutdown(std::net::Shutdown::Write).expect("half-close");
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).expect("answer");
    assert!(answer.contains("bad request"), "{answer}");
    // And the hub still administers.
    let added = hub.cmd(&["add-lab", "--number", "5", "--name", "Laboratorio 5"]);
    assert!(added.starts_with("lab 5 added"), "{added}");
    hub.assert_no_uncaught_panics();
}
