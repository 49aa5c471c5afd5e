//! `taccuino-hub indicators` and `taccuino-hub export` against a register
//! synced from a device: the figures match what was recorded, and a
//! pseudonymised export carries no family name or code (the family's keyed
//! pseudonym instead, from the hub's `pseudonym.key` or `--pseudonym-key`)
//! while a full one does.

use crdt_sync::{Attendance, Families, Meetings};
mod common;

use chrono::NaiveDate;
use common::{Hub, enrol, family, init_hub, meeting_on, project};
use taccuino_reports::export::PseudonymKey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_reports_what_the_labs_recorded() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (_coordinator, labs) = project(&hub, tmp.path(), &code, 2).await;
    let mut a1 = enrol(&hub, tmp.path(), "a1", Some(1), "volunteer").await;
    a1.sync_ok(&hub.url).await;
    let h = a1.store.create_household(family(labs[0], "Zebedeo")).expect("family");
    let member = a1.store.household(h).expect("read").members[0].id;
    let code = a1.store.household(h).expect("read").code;
    let day = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
    let att = vec![Attendance { household: h, member }];
    a1.store.create_meeting(meeting_on(labs[0], day, "Cucina", att)).expect("meeting");
    a1.sync_ok(&hub.url).await;

    let json = hub.cmd(&["indicators", "--from", "01/01/2026", "--to", "31/12/2026"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["total"]["meetings"], 1, "{json}");
    assert_eq!(v["total"]["families_reached"], 1, "{json}");
    assert_eq!(v["total"]["attendances"], 1, "{json}");
    let lab2 = hub.cmd(&["indicators", "--lab", "2", "--from", "2026-01-01", "--to", "2026-12-31"]);
    let v2: serde_json::Value = serde_json::from_str(&lab2).expect("json");
    assert_eq!(v2["total"]["meetings"], 0, "{lab2}");

    // The hub's pseudonym key: where it is, never what it is.
    let key_path = hub.cmd(&["pseudonym-key"]).trim().to_owned();
    assert!(key_path.ends_with("pseudonym.key"), "{key_path}");
    let key_text = std::fs::read_to_string(&key_path).expect("the key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the owner only");
    }
    let hub_key = PseudonymKey::from_text(&key_text).expect("a pseudonym key");
    let other_path = tmp.path().join("other.key");
    let other = PseudonymKey::from_bytes([9; 32]);
    std::fs::write(&other_path, other.to_text().as_bytes()).expect("write the other key");
    let other_arg = other_path.to_str().expect("path").to_owned();

    let mut texts = Vec::new();
    for (full, dir) in [(false, "pseudo"), (true, "full"), (false, "pseudo-again"), (false, "other-key")] {
        let out = tmp.path().join(dir);
        let mut args = vec!["export", "--format", "csv", "--from", "01/03/2026", "--to", "31/03/2026"];
        let out_str = out.to_str().expect("path").to_owned();
        args.extend(["--out", out_str.as_str()]);
        if full {
            args.push("--full");
        }
        if dir == "other-key" {
            args.extend(["--pseudonym-key", other_arg.as_str()]);
        }
        let listed = hub.cmd(&args);
        assert!(listed.lines().count() >= 4, "{listed}");
        let mut all = Vec::new();
        for f in std::fs::read_dir(&out).expect("dir") {
            all.extend(std::fs::read(f.expect("entry").path()).expect("read"));
        }
        let text = String::from_utf8_lossy(&all);
        assert_eq!(text.contains("Zebedeo"), full, "full={full}");
        assert_eq!(text.contains(&code), full, "the code only in a full export ({dir})");
        assert!(text.contains("31/03/2026"), "Italian dates");
        assert!(!text.contains(key_text.trim()), "never the key");
        texts.push(text.into_owned());
    }
    let (pseudo, again, other_key) = (&texts[0], &texts[2], &texts[3]);
    assert!(pseudo.contains(&hub_key.household(h)), "the hub's key by default");
    assert!(again.contains(&hub_key.household(h)), "the same pseudonym in the next export");
    assert!(other_key.contains(&other.household(h)) && !other_key.contains(&hub_key.household(h)));
    let err = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["indicators", "--lab", "9", "--from", "2026-01-01", "--to", "2026-12-31"])
        .output()
        .expect("run");
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("no lab 9"));
}
