//! Every command through Tauri's mock runtime, with the app's real
//! configuration and capability (so the permission of each command is
//! checked too), over a real register in a temporary directory.

use serde_json::{Value, json};
use taccuino_app::files_dialog::Fixed;
use taccuino_app::state::{AppState, Kdf};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder};
use tauri::webview::InvokeRequest;

struct App {
    files: Fixed,
    _app: tauri::App<MockRuntime>,
    webview: tauri::WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let builder = taccuino_app::taccuino_builder!(MockRuntime);
    let files = Fixed::default();
    let state = AppState::new(dir.path(), Kdf::Fixed(taccuino_keys::KdfParams::FLOOR)).expect("state");
    let app = mock_builder()
        .invoke_handler(builder.invoke_handler())
        .manage(state)
        .manage(files.clone())
        .build(taccuino_app::context())
        .expect("app");
    builder.mount_events(&app);
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    App { files, _app: app, webview, _dir: dir }
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.call_from("tauri://localhost", cmd, args)
    }

    fn call_from(&self, url: &str, cmd: &str, args: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: url.parse().expect("url"),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().expect("json"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err_kind(&self, cmd: &str, args: Value) -> String {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} succeeded with {v}"),
            Err(e) => e["kind"].as_str().map(str::to_owned).unwrap_or_else(|| e.to_string()),
        }
    }

    fn demo(&self) -> Value {
        self.ok("create_demo_register", json!({ "passphrase": "cavolo rosso 42" }))
    }
}

const PASS: &str = "cavolo rosso 42";

#[test]
fn first_run_creates_a_register_locks_and_unlocks() {
    let app = app();
    assert_eq!(app.ok("app_status", json!({}))["register"], "new");
    assert_eq!(app.err_kind("session_info", json!({})), "locked");
    assert_eq!(app.err_kind("create_demo_register", json!({ "passphrase": "corta" })), "weak_passphrase");
    let session = app.demo();
    assert_eq!(session["labs"].as_array().expect("labs").len(), 1);
    assert_eq!(session["lab"], session["labs"][0]["id"]);
    assert!(!session["activity_types"].as_array().expect("types").is_empty());
    assert_eq!(app.ok("app_status", json!({}))["register"], "unlocked");
    assert_eq!(app.err_kind("create_demo_register", json!({ "passphrase": PASS })), "register_exists");

    app.ok("lock_register", json!({}));
    assert_eq!(app.ok("app_status", json!({}))["register"], "locked");
    assert_eq!(app.err_kind("search_families", json!({ "query": "a", "limit": 5 })), "locked");
    assert_eq!(app.err_kind("unlock", json!({ "passphrase": "cavolo rosso 43" })), "wrong_passphrase");
    let again = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!(again["labs"], session["labs"]);
}

#[test]
fn passphrase_change_keeps_the_register() {
    let app = app();
    app.demo();
    let before = app.ok("search_families", json!({ "query": "a", "limit": 100 }));
    assert_eq!(
        app.err_kind(
            "change_passphrase",
            json!({ "oldPassphrase": "sbagliata!!", "newPassphrase": "nuova frase 7" })
        ),
        "wrong_passphrase"
    );
    app.ok("change_passphrase", json!({ "oldPassphrase": PASS, "newPassphrase": "nuova frase 7" }));
    app.ok("lock_register", json!({}));
    assert_eq!(app.err_kind("unlock", json!({ "passphrase": PASS })), "wrong_passphrase");
    app.ok("unlock", json!({ "passphrase": "nuova frase 7" }));
    assert_eq!(app.ok("search_families", json!({ "query": "a", "limit": 100 })), before);
}

#[test]
fn language_and_lab_preferences_persist() {
    let app = app();
    let session = app.demo();
    app.ok("set_language", json!({ "language": "en" }));
    assert_eq!(app.ok("app_status", json!({}))["settings"]["language"], "en");
    assert!(app.call("set_language", json!({ "language": "fr" })).is_err());
    let lab = session["labs"][0]["id"].clone();
    let s = app.ok("select_lab", json!({ "lab": lab }));
    assert_eq!(s["settings"]["lab"], lab);
    assert_eq!(app.ok("session_info", json!({}))["lab"], lab);
}

#[test]
fn a_meeting_is_recorded_field_by_field_with_attendance() {
    let app = app();
    let session = app.demo();
    let lab = session["lab"].clone();
    let today = session["today"].as_str().expect("today").to_owned();
    let id = app.ok(
        "create_meeting",
        json!({ "meeting": {
            "lab": lab, "date": today, "start": "17:00:00", "end": "19:00:00",
            "activity": session["activity_types"][0]["key"], "theme": "", "facilitators": [],
            "attendance": [], "guests": 0, "notes": ""
        }}),
    );
    app.ok("update_meeting", json!({ "id": id, "patch": { "theme": "Compiti insieme", "guests": 3, "notes": "Porta i quaderni" } }));
    let hit = app.ok("search_families", json!({ "query": "a", "limit": 1 }))[0].clone();
    let family = app.ok("family_for_attendance", json!({ "id": hit["id"] }));
    assert!(family["members"].as_array().expect("members").iter().all(|m| m["present"] == false));
    let member = family["members"][0]["id"].clone();
    app.ok(
        "set_presence",
        json!({ "meeting": id, "household": hit["id"], "member": member, "present": true }),
    );

    let m = app.ok("get_meeting", json!({ "id": id }));
    assert_eq!(m["meeting"]["theme"], "Compiti insieme");
    assert_eq!(m["meeting"]["guests"], 3);
    assert_eq!(m["meeting"]["notes"], "Porta i quaderni");
    assert_eq!(m["families"][0]["code"], hit["code"]);
    assert_eq!(m["families"][0]["members"][0]["present"], true);

    let week = app.ok("list_meetings", json!({ "lab": lab, "from": today, "to": today }));
    let listed = week.as_array().expect("list").iter().find(|x| x["id"] == id).expect("in the list").clone();
    assert_eq!(listed["attendees"], 1);

    app.ok(
        "set_presence",
        json!({ "meeting": id, "household": hit["id"], "member": member, "present": false }),
    );
    assert_eq!(app.ok("get_meeting", json!({ "id": id }))["families"], json!([]));
    assert_eq!(
        app.err_kind(
            "update_meeting",
            json!({ "id": id, "patch": { "start": "20:00:00", "end": "19:00:00" } })
        ),
        "invalid"
    );
    let unknown = "01890000-0000-7000-8000-000000000000";
    assert_eq!(app.err_kind("get_meeting", json!({ "id": unknown })), "not_found");
}

#[test]
fn families_are_registered_searched_edited_and_merged_with_undo() {
    let app = app();
    let session = app.demo();
    let lab = session["lab"].clone();
    let today = session["today"].as_str().expect("today").to_owned();
    let staff = app.ok("list_staff", json!({ "lab": lab }));
    let collector = staff[0]["id"].clone();
    let consent = json!({
        "basis": "consent", "special": "explicit_consent", "notice_version": "2026-01", "date": today,
        "collected_by": collector, "guardian": null, "scopes": ["photos"]
    });
    let family = |first: &str, others: Value, consent: Value| {
        json!({ "family": {
            "lab": lab,
            "reference": { "first_name": first, "last_name": "Ñañez Ricciò", "birth_year": 1990 },
            "others": others, "contacts": { "phone": "", "email": "", "address": "" },
            "areas": ["economic"], "referral": null, "consent": consent
        }})
    };
    // No legal basis record, no family: refused before anything is stored.
    assert!(app.call("register_family", family("Ilaria", json!([]), Value::Null)).is_err());
    let child = json!([{ "first_name": "Teo", "last_name": "Ñañez", "birth_year": 2019 }]);
    assert_eq!(app.err_kind("register_family", family("Ilaria", child.clone(), consent.clone())), "invalid");
    let hits = app.ok("search_families", json!({ "query": "nanez riccio", "limit": 10 }));
    assert_eq!(hits.as_array().expect("hits").len(), 0, "nothing stored: {hits}");
    let new = |first: &str| app.ok("register_family", family(first, json!([]), consent.clone()));
    let a = new("Ilaria");
    let b = new("Ilaría");
    assert!(a["code"].as_str().expect("code").starts_with("PV01-"));
    let hits = app.ok("search_families", json!({ "query": "nanez riccio", "limit": 10 }));
    assert_eq!(hits.as_array().expect("hits").len(), 2, "accents ignored: {hits}");

    let page = app.ok("get_family", json!({ "id": a["id"] }));
    assert_eq!(page["household"]["code"], a["code"]);
    assert_eq!(page["duplicates"][0]["id"], b["id"], "the look-alike is proposed");

    // A child joins only once the family's record names a guardian: renew it.
    let teo = json!({ "household": a["id"], "member": { "first_name": "Teo", "last_name": "Ñañez", "birth_year": 2019 } });
    let err = app.call("add_member", teo.clone()).expect_err("no guardian on the record");
    assert_eq!((err["kind"].as_str(), err["field"].as_str()), (Some("invalid"), Some("member.birth_year")));
    let mut renewed = page["household"]["consent"].clone();
    renewed["notice_version"] = json!("2026-09");
    renewed["guardian"] = json!({ "kind": "member", "member": page["household"]["reference"] });
    let mut backdated = renewed.clone();
    backdated["date"] = json!("2020-01-01");
    let err = app
        .call("renew_consent", json!({ "household": a["id"], "consent": backdated }))
        .expect_err("older than the current record");
    assert_eq!(err["field"], "household.consent.date");
    let status = app.ok("renew_consent", json!({ "household": a["id"], "consent": renewed }));
    assert_eq!(status, "valid");
    let member = app.ok("add_member", teo);
    app.ok(
        "update_member",
        json!({ "household": a["id"], "member": member, "patch": { "birth_year": 2018 } }),
    );
    app.ok("update_family", json!({ "id": a["id"], "patch": { "contacts": { "phone": "333 000 1111", "email": "", "address": "" } } }));
    let page = app.ok("get_family", json!({ "id": a["id"] }));
    assert_eq!(page["household"]["members"].as_array().expect("members").len(), 2);
    assert_eq!(page["household"]["contacts"]["phone"], "333 000 1111");
    assert_eq!(page["household"]["consent"]["notice_version"], "2026-09");
    assert_eq!(page["household"]["consent"]["guardian"]["member"], page["household"]["reference"]);

    app.ok("merge_families", json!({ "loser": b["id"], "winner": a["id"] }));
    assert_eq!(app.ok("get_family", json!({ "id": b["id"] }))["household"]["merged_into"], a["id"]);
    app.ok("undo_merge", json!({ "loser": b["id"] }));
    assert_eq!(app.ok("get_family", json!({ "id": b["id"] }))["household"]["merged_into"], Value::Null);
    app.ok("merge_families", json!({ "loser": b["id"], "winner": a["id"] }));
    app.ok("confirm_merge", json!({ "loser": b["id"] }));
    assert_eq!(app.err_kind("undo_merge", json!({ "loser": b["id"] })), "merge");
    assert_eq!(app.err_kind("merge_families", json!({ "loser": a["id"], "winner": a["id"] })), "merge");

    // With a guardian, a family with a minor is registered.
    let mut guarded = consent.clone();
    guarded["guardian"] = json!({ "kind": "member", "index": 0 });
    let c = app.ok("register_family", family("Chiara", child, guarded));
    let page = app.ok("get_family", json!({ "id": c["id"] }));
    assert_eq!(page["household"]["legal_status"], "valid");
    assert_eq!(page["household"]["consent"]["guardian"]["kind"], "member");

    // Withdrawal of everything: pending decision; restriction freezes the family.
    let status = app.ok(
        "withdraw_consent",
        json!({ "id": c["id"], "scopes": { "kind": "all" }, "date": today, "recordedBy": collector }),
    );
    assert_eq!(status, "pending_decision");
    // The coordinator's list shows it until a decision is taken.
    let pending = app.ok("pending_decisions", json!({}));
    assert_eq!(pending["withdrawn"].as_array().map(Vec::len), Some(1), "{pending}");
    assert_eq!(pending["withdrawn"][0]["code"], c["code"]);
    assert_eq!(pending["withdrawn"][0]["withdrawn_on"], today);
    assert_eq!(pending["erasure_requests"], json!([]));
    app.ok("restrict_family", json!({ "id": c["id"], "reason": "withdrawal", "by": collector }));
    assert_eq!(app.ok("pending_decisions", json!({}))["withdrawn"], json!([]), "decided");
    let page = app.ok("get_family", json!({ "id": c["id"] }));
    assert_eq!(page["household"]["legal_status"], "restricted");
    let patch =
        json!({ "id": c["id"], "patch": { "contacts": { "phone": "1", "email": "", "address": "" } } });
    assert_eq!(app.err_kind("update_family", patch.clone()), "restricted");
    let record = json!({ "household": c["id"], "consent": page["household"]["consent"] });
    assert_eq!(app.err_kind("renew_consent", record), "restricted");
    app.ok("lift_restriction", json!({ "id": c["id"], "by": collector }));
    app.ok("update_family", patch);
}

#[test]
fn staff_and_training_register() {
    let app = app();
    let session = app.demo();
    let lab = session["lab"].clone();
    let staff = app.ok("list_staff", json!({ "lab": lab }));
    let n = staff.as_array().expect("staff").len();
    assert!(n > 0);
    let id = app.ok(
        "add_staff",
        json!({ "person": { "lab": lab, "first_name": "Rita", "last_name": "Levi", "role": "volunteer",
            "organisation": "Caritas", "phone": "", "email": "" } }),
    );
    app.ok("update_staff", json!({ "id": id, "patch": { "phone": "0382 000000" } }));
    assert_eq!(app.ok("list_staff", json!({ "lab": lab })).as_array().expect("staff").len(), n + 1);

    let before = app.ok("training_register", json!({}));
    let threshold = before["threshold_hours"].as_u64().expect("threshold");
    let t = app.ok(
        "add_training",
        json!({ "training": { "date": session["today"], "title": "Primo ascolto", "minutes": threshold * 60, "attendees": [] } }),
    );
    app.ok("update_training", json!({ "id": t, "patch": { "title": "Primo ascolto (1)" } }));
    app.ok("set_training_presence", json!({ "training": t, "person": id, "present": true }));
    let after = app.ok("training_register", json!({}));
    let rita =
        after["people"].as_array().expect("people").iter().find(|p| p["person"] == id).expect("Rita").clone();
    assert_eq!(rita["minutes"], threshold * 60);
    assert_eq!(rita["trained"], true);

    // Arrival and departure (issue 15): at a 120-minute session from 09:00,
    // arriving at 09:25 is 95 minutes, 79%, not completed at 80%.
    let s2 = app.ok(
        "add_training",
        json!({ "training": { "date": session["today"], "start": "09:00:00", "title": "Mediazione",
            "minutes": 120, "attendees": [id] } }),
    );
    let record = |arrival: Value, departure: Value| json!({ "training": s2, "person": id, "record": { "arrival": arrival, "departure": departure, "minutes": null } });
    app.ok("record_training_times", record(json!("09:25:00"), Value::Null));
    let reg = app.ok("training_register", json!({}));
    let s = reg["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == s2)
        .expect("session")
        .clone();
    assert_eq!((s["start"].clone(), s["completion_percent"].clone()), (json!("09:00:00"), json!(80)));
    let a = &s["attendees"][0];
    assert_eq!(
        (a["attended_minutes"].clone(), a["share_percent"].clone(), a["completed"].clone()),
        (json!(95), json!(79), json!(false))
    );
    assert_eq!(
        app.err_kind("record_training_times", record(json!("10:00:00"), json!("09:30:00"))),
        "invalid"
    );
    let reg = app.ok("training_register", json!({}));
    let s = reg["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["id"] == s2)
        .expect("session")
        .clone();
    assert_eq!(s["attendees"][0]["record"]["arrival"], "09:25:00", "the refused record changed nothing");

    // The sign-in sheet and Rita's certificate, saved where the dialog says.
    let out = tempfile::tempdir().expect("out");
    app.files.answer(None);
    assert_eq!(app.ok("export_sign_in_sheet", json!({ "training": s2 })), Value::Null);
    let sheet = out.path().join("foglio.pdf");
    app.files.answer(Some(sheet.clone()));
    let saved = app.ok("export_sign_in_sheet", json!({ "training": s2 }));
    assert_eq!(saved["paths"], json!([sheet.display().to_string()]));
    assert!(std::fs::read(&sheet).expect("written").starts_with(b"%PDF-"));
    let cert = out.path().join("attestato.pdf");
    app.files.answer(Some(cert.clone()));
    app.ok("export_training_certificate", json!({ "person": id }));
    assert!(std::fs::read(&cert).expect("written").starts_with(b"%PDF-"));
}

#[test]
fn indicators_and_audit_log() {
    let app = app();
    let session = app.demo();
    let today = session["today"].as_str().expect("today").to_owned();
    let ind = app.ok(
        "indicators",
        json!({ "selection": { "labs": "all", "period": { "from": "2020-01-01", "to": today } } }),
    );
    assert!(ind["total"]["meetings"].as_u64().expect("meetings") >= 10, "{}", ind["total"]);
    assert_eq!(
        app.err_kind(
            "indicators",
            json!({ "selection": { "labs": "all", "period": { "from": today, "to": "2020-01-01" } } })
        ),
        "invalid"
    );
    app.ok("cancel_export", json!({}));
    assert!(app.ok("audit_log", json!({ "limit": 10 })).is_array());
}

#[test]
fn commands_are_refused_to_remote_pages_and_unknown_commands() {
    let app = app();
    let err = app.call_from("https://example.org", "app_status", json!({})).expect_err("remote page");
    assert!(err.to_string().contains("not allowed"), "{err}");
    let err = app.call("read_file", json!({ "path": "/etc/passwd" })).expect_err("no such command");
    assert!(err.to_string().contains("not"), "{err}");
}

#[test]
fn the_coordinators_recovery_key_reopens_a_register_whose_passphrase_is_lost() {
    let app = app();
    app.demo();
    let pair = taccuino_keys::RecoveryKeyPair::generate(&mut rand::rng()).expect("pair");
    let public = pair.public.to_text();
    assert_eq!(
        app.err_kind("add_recovery_key", json!({ "passphrase": "non è questa", "recoveryPublic": public })),
        "wrong_passphrase"
    );
    assert_eq!(
        app.err_kind("add_recovery_key", json!({ "passphrase": PASS, "recoveryPublic": "tcr1-nonsense" })),
        "invalid"
    );
    let keys = app.ok("add_recovery_key", json!({ "passphrase": PASS, "recoveryPublic": public }));
    assert_eq!(keys, json!([public]));
    assert_eq!(app.ok("recovery_keys", json!({})), json!([public]));
    assert_eq!(app.err_kind("set_new_passphrase", json!({ "newPassphrase": "rubata 12345" })), "locked");

    app.ok("lock_register", json!({}));
    let other = taccuino_keys::RecoveryKeyPair::generate(&mut rand::rng()).expect("pair");
    assert_eq!(
        app.err_kind("unlock_with_recovery", json!({ "recoveryKey": other.secret.to_text().as_str() })),
        "wrong_recovery_key"
    );
    let families = {
        app.ok("unlock_with_recovery", json!({ "recoveryKey": pair.secret.to_text().as_str() }));
        app.ok("search_families", json!({ "query": "a", "limit": 100 }))
    };
    app.ok("set_new_passphrase", json!({ "newPassphrase": "nuova dopo il recupero" }));
    app.ok("lock_register", json!({}));
    assert_eq!(app.err_kind("unlock", json!({ "passphrase": PASS })), "wrong_passphrase");
    app.ok("unlock", json!({ "passphrase": "nuova dopo il recupero" }));
    assert_eq!(app.ok("search_families", json!({ "query": "a", "limit": 100 })), families);
}

#[test]
fn exports_are_written_where_the_user_chose_and_closing_the_dialog_writes_nothing() {
    let app = app();
    let session = app.demo();
    let out = tempfile::tempdir().expect("out");
    let selection = json!({ "labs": "all", "period": { "from": "2020-01-01", "to": session["today"] } });
    let options =
        json!({ "selection": selection, "format": "xlsx", "privacy": "pseudonymised", "language": "it" });
    let channel = json!("__CHANNEL__:1");

    app.files.answer(None);
    assert_eq!(app.ok("export_register", json!({ "options": options, "progress": channel })), Value::Null);
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 0);

    let file = out.path().join("registro.xlsx");
    app.files.answer(Some(file.clone()));
    let saved = app.ok("export_register", json!({ "options": options, "progress": channel }));
    assert_eq!(saved["paths"], json!([file.display().to_string()]));
    assert_eq!(&std::fs::read(&file).expect("written")[..2], b"PK", "an xlsx is a zip");

    let folder = out.path().join("csv");
    std::fs::create_dir(&folder).expect("mkdir");
    app.files.answer(Some(folder.clone()));
    let csv =
        json!({ "selection": selection, "format": "csv", "privacy": "pseudonymised", "language": "it" });
    let saved = app.ok("export_register", json!({ "options": csv, "progress": channel }));
    let paths = saved["paths"].as_array().expect("paths");
    assert_eq!(paths.len(), 5, "{saved}");
    for p in paths {
        let bytes = std::fs::read(p.as_str().expect("path")).expect("written");
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "CSV with BOM for Italian Excel");
    }
    let log = app.ok("audit_log", json!({ "limit": 10 }));
    assert_eq!(log.as_array().expect("log").len(), 2, "each export is in the audit log: {log}");
}

#[test]
fn the_monitoring_is_written_where_the_user_chose_and_a_pdf_is_refused() {
    let app = app();
    let session = app.demo();
    let out = tempfile::tempdir().expect("out");
    let selection = json!({ "labs": "all", "period": { "from": "2020-01-01", "to": session["today"] } });
    let channel = json!("__CHANNEL__:1");
    let zip =
        json!({ "selection": selection, "format": "csv_zip", "privacy": "pseudonymised", "language": "it" });
    let file = out.path().join("monitoraggio.zip");
    app.files.answer(Some(file.clone()));
    let saved = app.ok("export_monitoring", json!({ "options": zip, "progress": channel }));
    assert_eq!(saved["paths"], json!([file.display().to_string()]));
    assert_eq!(&std::fs::read(&file).expect("written")[..2], b"PK", "a zip");
    let log = app.ok("audit_log", json!({ "limit": 10 }));
    assert_eq!(log[0]["details"]["report"], "monitoring", "{log}");

    let pdf = json!({ "selection": selection, "format": "pdf_months", "privacy": "pseudonymised", "language": "it" });
    assert_eq!(app.err_kind("export_monitoring", json!({ "options": pdf, "progress": channel })), "invalid");
    assert_eq!(app.ok("audit_log", json!({ "limit": 10 })).as_array().expect("log").len(), 1);
}

#[test]
fn a_register_that_is_not_paired_has_no_bundles() {
    let app = app();
    app.demo();
    let out = tempfile::tempdir().expect("out");
    app.files.answer(Some(out.path().to_path_buf()));
    assert_eq!(app.err_kind("export_bundle", json!({})), "not_paired");
    assert_eq!(app.ok("sync_status", json!({}))["link"], Value::Null);
    assert_eq!(app.err_kind("sync_now", json!({})), "not_paired");
}

#[test]
fn a_family_erased_on_the_demo_register_leaves_only_its_code() {
    let app = app();
    let session = app.demo();
    assert_eq!(session["role"], Value::Null, "the demo register is not paired");
    let hits = app.ok("search_families", json!({ "query": "a", "limit": 50 }));
    let hit = hits.as_array().expect("hits").first().expect("a demo family").clone();
    let before = app.ok(
        "indicators",
        json!({ "selection": { "labs": "all", "period": { "from": "2020-01-01", "to": session["today"] } } }),
    );

    let done = app.ok("erase_family", json!({ "id": hit["id"], "reason": "request" }));
    assert_eq!(done["kind"], "erased");
    assert_eq!(done["codes"][0], hit["code"]);

    let err = app.call("get_family", json!({ "id": hit["id"] })).expect_err("erased");
    assert_eq!((err["kind"].as_str(), err["code"].as_str()), (Some("erased"), hit["code"].as_str()));
    let hits = app.ok("search_families", json!({ "query": "a", "limit": 50 }));
    assert!(!hits.as_array().expect("hits").iter().any(|h| h["id"] == hit["id"]), "not found any more");
    let after = app.ok(
        "indicators",
        json!({ "selection": { "labs": "all", "period": { "from": "2020-01-01", "to": session["today"] } } }),
    );
    assert_eq!(after["total"]["families_reached"], before["total"]["families_reached"], "still counted");
    let again = app.ok("erase_family", json!({ "id": hit["id"], "reason": "request" }));
    assert_eq!(again["codes"][0], hit["code"], "erasing twice changes nothing");
}

#[test]
fn privacy_settings_retention_and_the_audit_trail() {
    let app = app();
    app.demo();
    let policy = app.ok("privacy_settings", json!({}));
    assert_eq!(
        policy,
        json!({ "inactive_years": 5, "stale_device_days": 30, "volunteer_years": 5 }),
        "the defaults"
    );
    let bad = json!({ "policy": { "inactive_years": 0, "stale_device_days": 30 } });
    assert_eq!(app.err_kind("set_privacy_settings", bad), "invalid");
    // A policy without the volunteers' years (an older screen) keeps the default.
    app.ok("set_privacy_settings", json!({ "policy": { "inactive_years": 2, "stale_device_days": 14 } }));
    assert_eq!(app.ok("privacy_settings", json!({}))["stale_device_days"], 14);
    assert_eq!(app.ok("privacy_settings", json!({}))["volunteer_years"], 5);
    let policy = json!({ "policy": { "inactive_years": 2, "stale_device_days": 14, "volunteer_years": 3 } });
    app.ok("set_privacy_settings", policy);
    assert_eq!(app.ok("privacy_settings", json!({}))["volunteer_years"], 3);
    // The demo's families were all active in the last five weeks.
    assert_eq!(app.ok("retention_due", json!({})), json!([]));

    let hits = app.ok("search_families", json!({ "query": "a", "limit": 5 }));
    let family = hits[0]["id"].clone();
    let trail = app.ok("audit_trail", json!({ "scope": { "household": family } }));
    let trail = trail.as_array().expect("entries");
    assert_eq!(trail[0]["action"], "created", "{trail:?}");
    // The erase_due list is checked again: a family that is not due is refused whole.
    assert_eq!(app.err_kind("erase_due", json!({ "confirmed": [family] })), "not_due");
    assert!(app.ok("get_family", json!({ "id": family })).is_object(), "nothing was erased");

    let out = tempfile::tempdir().expect("out");
    let file = out.path().join("registro_attivita.csv");
    app.files.answer(Some(file.clone()));
    let saved = app.ok("export_audit_trail", json!({ "scope": { "household": family } }));
    assert_eq!(saved["paths"], json!([file.display().to_string()]));
    let bytes = std::fs::read(&file).expect("written");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert!(String::from_utf8_lossy(&bytes).contains(';'));
}

/// *Impostazioni*: the areas of the nomenclature and the mapping; the
/// demo register (not paired) may change them, bad input is `invalid`.
#[test]
fn nomenclature_areas_and_the_activity_types_mapping() {
    let app = app();
    app.demo();
    let view = app.ok("nomenclature", json!({}));
    assert_eq!(view["areas"], json!([]));
    assert!(view["activity_types"].as_array().expect("types").iter().all(|t| t["nomenclature"].is_null()));
    let bad = json!({ "area": { "code": "ABCDEFGHIJKLMNOPQ", "name": "Troppo lungo" } });
    assert_eq!(app.err_kind("put_nomenclature_area", bad), "invalid");
    let view =
        app.ok("put_nomenclature_area", json!({ "area": { "code": " A1 ", "name": "Famiglia e minori" } }));
    assert_eq!(view["areas"], json!([{ "code": "A1", "name": "Famiglia e minori" }]));
    let view = app.ok("set_activity_nomenclature", json!({ "key": "open_lab", "code": "A1" }));
    let open_lab = |v: &Value| {
        v["activity_types"]
            .as_array()
            .expect("types")
            .iter()
            .find(|t| t["key"] == "open_lab")
            .cloned()
            .expect("t")
    };
    assert_eq!(open_lab(&view)["nomenclature"], "A1");
    assert_eq!(
        app.err_kind("set_activity_nomenclature", json!({ "key": "open_lab", "code": "Z9" })),
        "not_found"
    );
    // The session's activity types carry the mapping too.
    let session = app.ok("session_info", json!({}));
    let listed = session["activity_types"].as_array().expect("types");
    assert_eq!(listed.iter().find(|t| t["key"] == "open_lab").expect("t")["nomenclature"], "A1");
    // Removing the area unmaps the type.
    let view = app.ok("remove_nomenclature_area", json!({ "code": "A1" }));
    assert_eq!((view["areas"].clone(), open_lab(&view)["nomenclature"].clone()), (json!([]), Value::Null));
    assert_eq!(app.err_kind("remove_nomenclature_area", json!({ "code": "A1" })), "not_found");
}

#[test]
fn a_familys_subject_access_extract_is_written_where_chosen() {
    let app = app();
    app.demo();
    let hits = app.ok("search_families", json!({ "query": "a", "limit": 5 }));
    let family = &hits[0];
    let out = tempfile::tempdir().expect("out");
    app.files.answer(None);
    assert_eq!(app.ok("subject_access", json!({ "id": family["id"] })), Value::Null, "dialog closed");
    app.files.answer(Some(out.path().to_owned()));
    let saved = app.ok("subject_access", json!({ "id": family["id"] }));
    let paths: Vec<&str> =
        saved["paths"].as_array().expect("paths").iter().filter_map(|p| p.as_str()).collect();
    assert_eq!(paths.len(), 2, "{saved}");
    let json_path = paths.iter().find(|p| p.ends_with(".json")).expect("a JSON file");
    let extract: Value = serde_json::from_slice(&std::fs::read(json_path).expect("read")).expect("JSON");
    assert_eq!(extract["format"], "taccuino-subject-access/1");
    assert_eq!(extract["household"]["code"], family["code"]);
    let pdf = paths.iter().find(|p| p.ends_with(".pdf")).expect("a PDF");
    assert_eq!(&std::fs::read(pdf).expect("read")[..4], b"%PDF");
    let log = app.ok("audit_log", json!({ "limit": 5 }));
    assert_eq!(log[0]["action"], "subject_access", "{log}");
}

#[test]
fn the_person_who_says_they_use_the_app_is_named_in_the_audit_trail_until_it_locks() {
    let app = app();
    let session = app.demo();
    assert_eq!((&session["operator"], &session["settings"]["last_operator"]), (&Value::Null, &Value::Null));
    let lab = session["lab"].clone();
    let person = app.ok("list_staff", json!({ "lab": lab }))[0].clone();
    let family = app.ok("search_families", json!({ "query": "a", "limit": 1 }))[0]["id"].clone();
    let change_family = |phone: &str| {
        app.ok(
            "update_family",
            json!({ "id": family, "patch": { "contacts": { "phone": phone, "email": "", "address": "" } } }),
        )
    };
    let last_change = || {
        let trail = app.ok("audit_trail", json!({ "scope": { "household": family } }));
        let changed: Vec<Value> =
            trail.as_array().expect("entries").iter().filter(|e| e["action"] == "changed").cloned().collect();
        changed.last().expect("a change").clone()
    };

    // Someone the register does not know: refused, nothing changes.
    let unknown = "01890000-0000-7000-8000-000000000000";
    let err = app.call("set_operator", json!({ "person": unknown })).expect_err("unknown person");
    assert_eq!((err["kind"].as_str(), err["what"].as_str()), (Some("not_found"), Some("person")));
    assert_eq!(app.ok("session_info", json!({}))["operator"], Value::Null);
    assert_eq!(app.ok("app_status", json!({}))["settings"]["last_operator"], Value::Null);

    let s = app.ok("set_operator", json!({ "person": person["id"] }));
    assert_eq!(s["operator"]["id"], person["id"]);
    assert_eq!(s["operator"]["last_name"], person["last_name"], "the header shows the name");
    assert_eq!(s["settings"]["last_operator"], person["id"]);
    change_family("0382 111111");
    let entry = last_change();
    assert_eq!(entry["person"], person["id"], "{entry}");

    // A pseudonymised export of the lab is in the lab's trail with the person too.
    let out = tempfile::tempdir().expect("out");
    app.files.answer(Some(out.path().join("registro.xlsx")));
    let selection = json!({ "labs": "all", "period": { "from": "2020-01-01", "to": session["today"] } });
    let options =
        json!({ "selection": selection, "format": "xlsx", "privacy": "pseudonymised", "language": "it" });
    app.ok("export_register", json!({ "options": options, "progress": "__CHANNEL__:1" }));
    let trail = app.ok("audit_trail", json!({ "scope": { "lab": lab } }));
    let export = trail
        .as_array()
        .expect("entries")
        .iter()
        .rfind(|e| e["action"] == "exported")
        .expect("the export")
        .clone();
    assert_eq!(export["person"], person["id"], "{export}");

    // Nobody: entries carry the device only; the last choice is still offered.
    let s = app.ok("set_operator", json!({ "person": null }));
    assert_eq!((&s["operator"], &s["settings"]["last_operator"]), (&Value::Null, &person["id"]));
    change_family("0382 222222");
    assert_eq!(last_change()["person"], Value::Null);

    // Locking forgets the person; the next unlock asks again.
    app.ok("set_operator", json!({ "person": person["id"] }));
    app.ok("lock_register", json!({}));
    assert_eq!(app.err_kind("set_operator", json!({ "person": person["id"] })), "locked");
    let s = app.ok("unlock", json!({ "passphrase": PASS }));
    assert_eq!((&s["operator"], &s["settings"]["last_operator"]), (&Value::Null, &person["id"]));
    change_family("0382 333333");
    assert_eq!(last_change()["person"], Value::Null);
}

#[test]
fn an_erasure_names_the_person_who_confirmed_it() {
    let app = app();
    let session = app.demo();
    let person = app.ok("list_staff", json!({ "lab": session["lab"] }))[0]["id"].clone();
    app.ok("set_operator", json!({ "person": person }));
    let family = app.ok("search_families", json!({ "query": "a", "limit": 1 }))[0]["id"].clone();
    app.ok("erase_family", json!({ "id": family, "reason": "request" }));
    let trail = app.ok("audit_trail", json!({ "scope": { "lab": session["lab"] } }));
    let erased: Vec<&Value> =
        trail.as_array().expect("entries").iter().filter(|e| e["action"] == "erased").collect();
    assert_eq!(erased.len(), 1, "{trail}");
    assert_eq!(erased[0]["person"], person);
}
