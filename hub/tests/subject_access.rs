//! `taccuino-hub subject-access`: the real binary, against a register
//! synced from a device, writes the JSON and the PDF extract of one family
//! (found by its code), with its attendance and without the other family,
//! and refuses a code it does not know.

use crdt_sync::{Attendance, Families, Meetings};
mod common;

use chrono::NaiveDate;
use common::{Hub, enrol, family, init_hub, meeting_on, project};

/// The text of a PDF, as poppler's `pdftotext` reads it.
fn pdftotext(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs: install poppler-utils (scripts/setup.sh does)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_writes_a_familys_subject_access_extract() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (_coordinator, labs) = project(&hub, tmp.path(), &code, 1).await;
    let mut a1 = enrol(&hub, tmp.path(), "a1", Some(1), "volunteer").await;
    a1.sync_ok(&hub.url).await;
    let h = a1.store.create_household(family(labs[0], "Zebedeo")).expect("family");
    let other = a1.store.create_household(family(labs[0], "Gualtiero")).expect("other family");
    let ours = a1.store.household(h).expect("read");
    let theirs = a1.store.household(other).expect("read").members[0].id;
    let day = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
    let att = vec![
        Attendance { household: h, member: ours.members[0].id },
        Attendance { household: other, member: theirs },
    ];
    a1.store.create_meeting(meeting_on(labs[0], day, "Cucina", att)).expect("meeting");
    a1.sync_ok(&hub.url).await;

    let out = tmp.path().join("extract");
    let out_str = out.to_str().expect("path");
    let listed = hub.cmd(&["subject-access", "--code", &ours.code, "--out", out_str]);
    assert_eq!(listed.lines().count(), 2, "{listed}");
    let json_path = out.join(format!("accesso_dati_{}.json", ours.code));
    let pdf_path = out.join(format!("accesso_dati_{}.pdf", ours.code));
    let json = std::fs::read_to_string(&json_path).expect("json written");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["format"], "taccuino-subject-access/1");
    assert_eq!(v["household"]["code"], ours.code.as_str());
    assert_eq!(v["household"]["members"][0]["first_name"], "Zebedeo");
    assert_eq!(v["attendance"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(v["attendance"][0]["date"], "2026-03-31");
    assert_eq!(v["attendance"][0]["members"].as_array().map(Vec::len), Some(1), "only our member");
    assert!(!json.contains("Gualtiero"), "another family's name");
    let text = pdftotext(&pdf_path);
    assert!(text.contains("Zebedeo Ferrari") && text.contains(&ours.code), "{text}");
    assert!(text.contains("31/03/2026") && text.contains("I vostri diritti"), "{text}");
    assert!(!text.contains("Gualtiero"));

    let en = tmp.path().join("en");
    hub.cmd(&[
        "subject-access",
        "--code",
        &ours.code.to_lowercase(),
        "--english",
        "--out",
        en.to_str().expect("path"),
    ]);
    let text = pdftotext(&en.join(format!("subject_access_{}.pdf", ours.code)));
    assert!(text.contains("Your rights"), "{text}");

    let err = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["subject-access", "--code", "PV09-9999", "--out", out_str])
        .output()
        .expect("run");
    assert!(!err.status.success());
    assert!(
        String::from_utf8_lossy(&err.stderr).contains("PV09-9999"),
        "{}",
        String::from_utf8_lossy(&err.stderr)
    );
}
