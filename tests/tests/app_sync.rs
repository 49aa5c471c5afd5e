//! The desktop app and the hub, for real: a hub (its router on a loopback
//! port, its own encrypted store and registry) issues a pairing code; the
//! app, through its commands in Tauri's mock runtime, pairs on first run
//! with that code, receives the lab, records a meeting offline-style and
//! syncs it; a second device of the lab receives it; a spent code is
//! refused; a revoked device is told so; two laptops with no network
//! exchange a sync bundle, and an altered bundle is refused.

use crdt_sync::sync::{CertFingerprint, DeviceRole};
use crdt_sync::{ActivityType, NewLab, NewPerson, ProjectSettings, Role, Staff, VolunteerRegister};
use serde_json::{Value, json};
use taccuino_app::files_dialog::Fixed;
use taccuino_app::state::{AppState, Kdf};
use taccuino_hub::DataDir;
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder};
use tauri::webview::InvokeRequest;

struct App {
    files: Fixed,
    _app: tauri::App<MockRuntime>,
    webview: tauri::WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    app_with(|_| None)
}

/// An app whose updater `updates` gives (given the register's directory),
/// or this build's.
fn app_with(updates: impl FnOnce(&std::path::Path) -> Option<taccuino_app::updates::Updates>) -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let builder = taccuino_app::taccuino_builder!(MockRuntime);
    let files = Fixed::default();
    let mut state = AppState::new(dir.path(), Kdf::Fixed(taccuino_keys::KdfParams::FLOOR)).expect("state");
    if let Some(u) = updates(dir.path()) {
        state.updates = u;
    }
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
        tauri::test::get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
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

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} succeeded with {v}"),
            Err(e) => e,
        }
    }

    fn pair(&self, url: &str, code: &str, name: &str) -> Result<Value, Value> {
        self.call(
            "pair_with_hub",
            json!({ "url": url, "code": code, "deviceName": name, "passphrase": "quaderno a righe 7" }),
        )
    }
}

struct Hub {
    dir: DataDir,
    url: String,
    cert: CertFingerprint,
    lab: crdt_sync::LabId,
    /// An operator the coordinators registered for lab 3 (on the hub).
    office_operator: crdt_sync::PersonId,
    /// A partner organisation of the project, which keeps a volunteers'
    /// register, and one of its volunteers in lab 3.
    organisation: (crdt_sync::OrganisationId, crdt_sync::PersonId),
    _root: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn hub() -> Hub {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = DataDir::new(root.path().join("hub"));
    dir.init(crdt_sync::ProjectId(uuid_v7())).expect("init");
    // The coordinator's first steps, done on the hub's store directly: the
    // activity types and lab 3.
    let (lab, office_operator, organisation) = {
        let mut store = dir.open_store().expect("store");
        for t in ActivityType::defaults() {
            store.put_activity_type(t).expect("activity type");
        }
        let lab = store
            .create_lab(NewLab {
                number: 3,
                name: "Laboratorio Crosione".into(),
                address: "Via Acerbi 21".into(),
                partner: "Coop. Il Convoglio".into(),
            })
            .expect("lab");
        let person = store
            .create_person(NewPerson {
                lab,
                first_name: "Marta".into(),
                last_name: "Scotti".into(),
                role: Role::Operator,
                organisation: "Coop. Il Convoglio".into(),
                phone: "0382 000111".into(),
                email: String::new(),
            })
            .expect("person");
        let organisation = store.add_organisation("Coop. Il Convoglio").expect("organisation");
        let volunteer = store
            .create_person(NewPerson {
                lab,
                first_name: "Piero".into(),
                last_name: "Gatti".into(),
                role: Role::Volunteer,
                organisation: "Coop. Il Convoglio".into(),
                phone: String::new(),
                email: String::new(),
            })
            .expect("volunteer");
        (lab, person, (organisation, volunteer))
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let state =
        taccuino_hub::AppState::new(dir.open_store().expect("store"), dir.open_registry().expect("registry"))
            .on_data_dir(&dir);
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("wss://{}", listener.local_addr().expect("addr"));
    let identity = dir.tls_identity(None).expect("the certificate init made");
    let cert = identity.fingerprint();
    runtime.spawn(async move {
        taccuino_hub::serve_tls(listener, &identity, state, std::future::pending()).await
    });
    Hub { dir, url, cert, lab, office_operator, organisation, _root: root, _runtime: runtime }
}

fn today_of(session: &Value) -> Value {
    session["today"].clone()
}

fn uuid_v7() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

impl Hub {
    fn code(&self) -> String {
        self.dir
            .open_registry()
            .expect("registry")
            .issue_code(DeviceRole::Volunteer, Some((self.lab, 3)), 1, Some(&self.cert))
            .expect("code")
    }
}

#[test]
fn the_app_pairs_on_first_run_and_a_meeting_reaches_the_other_laptop_of_the_lab() {
    let hub = hub();
    let a = app();
    let b = app();

    let code = hub.code();
    let session = a.pair(&hub.url, &code, "Portatile A").expect("pairing");
    assert_eq!(session["labs"][0]["name"], "Laboratorio Crosione", "the first sync brought the lab");
    assert_eq!(session["lab"], json!(hub.lab.to_string()));
    let status = a.ok("sync_status", json!({}));
    assert_eq!(status["link"]["url"], json!(hub.url));
    assert_eq!(status["link"]["role"], "volunteer");
    assert_eq!(status["link"]["last_outcome"], "ok");
    assert!(status["link"].get("token").is_none(), "the credential never reaches the window");
    assert_eq!(session["role"], "volunteer");
    let any = uuid_v7().to_string();
    let err = a.err("erase_family", json!({ "id": any, "reason": "request" }));
    assert_eq!(err["kind"], "forbidden", "a volunteer's laptop does not erase families");
    let err = a.err("audit_trail", json!({ "scope": { "lab": hub.lab.to_string() } }));
    assert_eq!(err["kind"], "forbidden", "nor reads the audit trail");
    let err =
        a.err("set_privacy_settings", json!({ "policy": { "inactive_years": 1, "stale_device_days": 1 } }));
    assert_eq!(err["kind"], "forbidden");
    // The training register is the coordinators' (the hub takes no change
    // to it from a lab), and so is a person the office registered: the
    // laptop reads them and is refused before it writes.
    let err = a.err(
        "add_training",
        json!({ "training": { "date": today_of(&session), "title": "Ascolto", "minutes": 60, "attendees": [] } }),
    );
    assert_eq!(err["kind"], "forbidden", "{err}");
    let staff = a.ok("list_staff", json!({ "lab": hub.lab.to_string() }));
    let marta = json!(hub.office_operator.to_string());
    assert!(staff.as_array().expect("staff").iter().any(|p| p["id"] == marta), "{staff}");
    let err = a.err("update_staff", json!({ "id": marta, "patch": { "phone": "0382 999" } }));
    assert_eq!(err["kind"], "forbidden", "{err}");
    assert_eq!(session["rights"], json!([]), "a volunteer's laptop may do none of the privileged actions");
    assert!(a.ok("search_families", json!({ "query": "", "limit": 5 })).is_array(), "just synced: not stale");

    // The code worked once.
    let again = b.pair(&hub.url, &code, "Portatile B").expect_err("a spent code");
    assert_eq!(again["kind"], "pairing");
    assert_eq!(again["reason"], "used");
    assert_eq!(b.ok("app_status", json!({}))["register"], "new", "nothing half-made stays behind");
    b.pair(&hub.url, &hub.code(), "Portatile B").expect("b pairs with its own code");

    // A records a meeting and syncs; B syncs and sees it.
    let today = session["today"].clone();
    let meeting = a.ok(
        "create_meeting",
        json!({ "meeting": {
            "lab": session["lab"], "date": today, "start": "17:00:00", "end": "19:00:00",
            "activity": session["activity_types"][0]["key"], "theme": "Compiti insieme", "facilitators": [],
            "attendance": [], "guests": 4, "notes": ""
        }}),
    );
    let sent = a.ok("sync_now", json!({}));
    assert_eq!(sent["outcome"], "ok", "{sent}");
    assert!(sent["bytes_out"].as_u64().expect("bytes") > 0);
    let got = b.ok("sync_now", json!({}));
    assert_eq!(got["outcome"], "ok", "{got}");
    assert!(got["docs_changed"].as_u64().expect("count") >= 1, "{got}");
    let m = b.ok("get_meeting", json!({ "id": meeting }));
    assert_eq!(m["meeting"]["theme"], "Compiti insieme");
    assert_eq!(m["meeting"]["guests"], 4);

    // The coordinator revokes A: its next sync is told, and recorded.
    let device = {
        let registry = hub.dir.open_registry().expect("registry");
        let devices = registry.devices().expect("devices");
        devices.iter().find(|d| d.name == "Portatile A").map(|d| d.id).expect("device")
    };
    let mut registry = hub.dir.open_registry().expect("registry");
    assert!(registry.revoke(device).expect("revoke"));
    let revoked = a.err("sync_now", json!({}));
    assert!(matches!(revoked["kind"].as_str(), Some("unauthorized" | "revoked")), "{revoked}");
    let status = a.ok("sync_status", json!({}));
    assert!(matches!(status["link"]["last_outcome"].as_str(), Some("unauthorized" | "revoked")));
}

#[test]
fn an_unreachable_hub_or_a_wrong_code_leaves_no_register() {
    let hub = hub();
    let a = app();
    let err = a.pair("ws://127.0.0.1:9", "ABCD-EFGH", "Portatile A").expect_err("nobody listens on port 9");
    assert_eq!(err["kind"], "offline");
    let unknown = crdt_sync::sync::pairing::display_code("ZZZZZZZZZZ", Some(&hub.cert));
    let err = a.pair(&hub.url, &unknown, "Portatile A").expect_err("unknown code");
    assert_eq!(err["kind"], "pairing");
    assert_eq!(err["reason"], "unknown");
    let err = a.pair("http://example.org", "ZZZZ-ZZZZ", "Portatile A").expect_err("no TLS over a network");
    assert_eq!(err["kind"], "invalid");
    assert_eq!(err["field"], "hub.url");
    // The code's last group checks the hub's certificate before the code
    // is sent: a misread one is caught here and the code is not spent.
    let code = hub.code();
    let misread = format!("{}{}", &code[..16], if code.ends_with('0') { '1' } else { '0' });
    let err = a.pair(&hub.url, &misread, "Portatile A").expect_err("check fails");
    assert_eq!((err["kind"].as_str(), err["reason"].as_str()), (Some("pairing"), Some("code_mismatch")));
    let err = a.pair(&hub.url, &code[..11], "Portatile A").expect_err("no check");
    assert_eq!(err["reason"], "code_incomplete");
    assert_eq!(a.ok("app_status", json!({}))["register"], "new");
    a.pair(&hub.url, &code, "Portatile A").expect("the code was not spent");
}

#[test]
fn two_laptops_of_a_lab_exchange_a_bundle_with_no_network() {
    let hub = hub();
    let a = app();
    let b = app();
    let session = a.pair(&hub.url, &hub.code(), "Portatile A").expect("a");
    b.pair(&hub.url, &hub.code(), "Portatile B").expect("b");
    // Offline from here: A records a meeting and writes a bundle.
    let meeting = a.ok(
        "create_meeting",
        json!({ "meeting": {
            "lab": session["lab"], "date": session["today"], "start": "10:00:00", "end": "12:00:00",
            "activity": session["activity_types"][0]["key"], "theme": "Orto condiviso", "facilitators": [],
            "attendance": [], "guests": 2, "notes": ""
        }}),
    );
    let usb = tempfile::tempdir().expect("usb stick");
    a.files.answer(Some(usb.path().to_path_buf()));
    let written = a.ok("export_bundle", json!({}));
    let path = std::path::PathBuf::from(written.as_str().expect("path"));
    assert!(path.starts_with(usb.path()));

    // An altered copy is refused whole, and B's register is unchanged.
    let mut bytes = std::fs::read(&path).expect("bundle");
    let tampered = usb.path().join("altered.bundle");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&tampered, &bytes).expect("write");
    b.files.answer(Some(tampered));
    assert_eq!(b.err("import_bundle", json!({}))["kind"], "bad_file");
    assert_eq!(b.err("get_meeting", json!({ "id": meeting }))["kind"], "not_found");

    b.files.answer(Some(path));
    let first = b.ok("import_bundle", json!({}));
    assert!(first["changed"].as_u64().expect("changed") >= 1, "{first}");
    assert_eq!(b.ok("get_meeting", json!({ "id": meeting }))["meeting"]["theme"], "Orto condiviso");
    let again = b.ok("import_bundle", json!({}));
    assert_eq!(again["changed"], 0, "importing twice changes nothing: {again}");
    b.files.answer(None);
    assert_eq!(b.ok("import_bundle", json!({})), Value::Null, "closing the dialog does nothing");
}

/// Issue 13: the coordinator's app manages the project's laptops over its
/// own connection to the hub. A lead asks for a laptop; the coordinator
/// makes the code that answers the request; the new laptop pairs with it and
/// shows up with its version and last sync; revoked from the app, it is
/// refused at its next sync. A volunteer's app is refused before it asks.
#[test]
fn the_coordinators_app_pairs_lists_and_revokes_a_laptop() {
    let hub = hub();
    let office = app();
    let lead = app();
    let laptop = app();
    let code = |role: DeviceRole, lab: Option<(crdt_sync::LabId, u8)>| {
        hub.dir.open_registry().expect("registry").issue_code(role, lab, 1, Some(&hub.cert)).expect("code")
    };
    let session =
        office.pair(&hub.url, &code(DeviceRole::Coordinator, None), "Ufficio di piano").expect("pair");
    assert!(session["rights"].as_array().expect("rights").contains(&json!("manage_devices")), "{session}");
    let session =
        lead.pair(&hub.url, &code(DeviceRole::Lead, Some((hub.lab, 3))), "Referente").expect("pair");
    assert_eq!(
        session["rights"],
        json!(["request_erasure", "read_audit_trail", "ask_for_device", "review_conflicts"])
    );

    // The lead asks; the lead may not list nor make codes.
    let request = lead.ok("ask_for_device", json!({ "role": "volunteer", "note": "Giulia, il martedì" }));
    assert_eq!(lead.err("list_devices", json!({}))["kind"], "forbidden");
    let err = lead.err("create_pairing_code", json!({ "role": "volunteer", "lab": 3, "request": null }));
    assert_eq!(err["kind"], "forbidden");

    let list = office.ok("list_devices", json!({}));
    assert_eq!(list["devices"].as_array().expect("devices").len(), 2, "{list}");
    assert_eq!(list["requests"][0]["id"], request);
    assert_eq!(list["requests"][0]["note"], "Giulia, il martedì");
    // The hub's own checks come back as its reason.
    let err = office.err("create_pairing_code", json!({ "role": "volunteer", "lab": 9, "request": null }));
    assert_eq!(
        (err["kind"].as_str(), err["reason"].as_str()),
        (Some("device_management"), Some("unknown_lab"))
    );
    let err = office.err("revoke_device", json!({ "device": list["this_device"] }));
    assert_eq!(err["reason"], "unknown_device", "the office does not revoke itself: {err}");

    let made = office.ok("create_pairing_code", json!({ "role": "volunteer", "lab": 3, "request": request }));
    assert_eq!((made["role"].as_str(), made["lab"].as_u64()), (Some("volunteer"), Some(3)));
    laptop
        .pair(&hub.url, made["code"].as_str().expect("code"), "Portatile di Giulia")
        .expect("the new laptop pairs");
    assert_eq!(laptop.err("list_devices", json!({}))["kind"], "forbidden", "a volunteer's app does not ask");

    // Listed with what it said at its sync (the hub writes it within 200 ms).
    let giulia = (0..50)
        .find_map(|_| {
            let list = office.ok("list_devices", json!({}));
            let found = list["devices"]
                .as_array()
                .expect("devices")
                .iter()
                .find(|d| d["name"] == "Portatile di Giulia" && !d["last_sync"].is_null())
                .cloned();
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            found.map(|d| (d, list))
        })
        .expect("the new laptop is listed with its last sync");
    let (giulia, list) = giulia;
    assert_eq!(giulia["app_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!((giulia["role"].as_str(), giulia["lab"].as_u64()), (Some("volunteer"), Some(3)));
    assert!(list["requests"].as_array().expect("requests").is_empty(), "the request is answered");

    // Lost: revoked from the app; its next sync is refused.
    office.ok("revoke_device", json!({ "device": giulia["id"] }));
    let err = laptop.err("sync_now", json!({}));
    assert!(matches!(err["kind"].as_str(), Some("revoked" | "unauthorized")), "{err}");
    let list = office.ok("list_devices", json!({}));
    let revoked =
        list["devices"].as_array().expect("devices").iter().find(|d| d["id"] == giulia["id"]).cloned();
    assert!(!revoked.expect("still listed")["revoked_at"].is_null());
}

/// Issue 14: a release signed with the tests' key, published on the hub, is
/// offered to the paired app after its sync, downloaded over the pinned TLS
/// and verified; a package altered on the hub's disk is discarded, and a
/// downloaded package altered while it waits is refused at install, before
/// any installer runs. (The install itself runs `dpkg` in `scripts/test.sh`,
/// on the installed package.)
#[test]
fn the_app_is_offered_a_signed_release_after_a_sync_and_downloads_it_verified() {
    use taccuino_updates::{PackageFormat, TrustedKeys, testing};
    let hub = hub();
    let a = app_with(|dir| {
        let current = "0.1.0".parse().expect("version");
        Some(taccuino_app::updates::Updates::new(
            dir.join("updates"),
            Some(PackageFormat::Deb),
            current,
            TrustedKeys::built_in(),
        ))
    });
    let publish = |version: &str, package: &[u8]| {
        let (signed, bytes) = testing::signed_release(version, PackageFormat::Deb, package);
        let dir = hub._root.path().join(format!("release-{version}"));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("release.json"), &signed.manifest).expect("manifest");
        std::fs::write(dir.join("release.json.minisig"), &signed.signature).expect("signature");
        let file = taccuino_updates::Manifest::parse(&signed.manifest).expect("manifest").file;
        std::fs::write(dir.join(&file), &bytes).expect("package");
        let mut registry = hub.dir.open_registry().expect("registry");
        taccuino_hub::releases::publish(&hub.dir, &mut registry, &dir, &TrustedKeys::built_in())
            .expect("published");
        file
    };
    let package: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = publish("0.2.0", &package);

    // Before any sync the app knows nothing of the hub's versions.
    assert_eq!(a.ok("update_status", json!({}))["hub"], Value::Null);
    a.pair(&hub.url, &hub.code(), "Portatile A").expect("pairing");
    // The sync after pairing asked the hub.
    let status = a.ok("update_status", json!({}));
    assert_eq!(status["current"], "0.1.0");
    assert_eq!(status["installed_from"], "deb");
    assert_eq!(status["hub"]["protocol"], json!(crdt_sync::sync::PROTOCOL_VERSION));
    assert_eq!(status["hub"]["skew"], Value::Null);
    assert_eq!(status["offer"]["version"], "0.2.0");
    assert_eq!(status["offer"]["size"], json!(package.len()));
    assert_eq!(status["download"]["state"], "none");
    let err = a.err("install_update", json!({}));
    assert_eq!((err["kind"].as_str(), err["reason"].as_str()), (Some("update"), Some("not_downloaded")));

    let done = a.ok("download_update", json!({}));
    assert_eq!(done["download"]["state"], "ready", "{done}");
    let downloaded = a._dir.path().join("updates").join(&file);
    assert_eq!(std::fs::read(&downloaded).expect("downloaded"), package, "the signed bytes, whole");
    // The register stayed open and usable meanwhile.
    assert!(a.ok("search_families", json!({ "query": "", "limit": 5 })).is_array());

    // Altered while it waited on this laptop: refused before any installer.
    let mut bytes = package.clone();
    bytes[4242] ^= 1;
    std::fs::write(&downloaded, &bytes).expect("alter");
    let err = a.err("install_update", json!({}));
    assert_eq!((err["kind"].as_str(), err["reason"].as_str()), (Some("update"), Some("digest_mismatch")));
    assert_eq!(a.ok("update_status", json!({}))["download"]["reason"], "digest_mismatch");
    assert!(
        a.ok("search_families", json!({ "query": "", "limit": 5 })).is_array(),
        "the register was not closed"
    );

    // A newer release whose package is altered on the hub's disk: the
    // download is discarded, nothing is kept.
    let newer = publish("0.3.0", &package);
    let on_hub = hub.dir.root().join("releases/0.3.0-deb").join(&newer);
    std::fs::write(&on_hub, &bytes).expect("alter on the hub");
    let status = a.ok("check_for_update", json!({}));
    assert_eq!(status["offer"]["version"], "0.3.0");
    let err = a.err("download_update", json!({}));
    assert_eq!((err["kind"].as_str(), err["reason"].as_str()), (Some("update"), Some("digest_mismatch")));
    let left: Vec<_> = std::fs::read_dir(a._dir.path().join("updates"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|f| f.contains("0.3.0")), "nothing of the bad download is kept: {left:?}");
}

/// Two coordinators of one organisation change the same volunteer's entry
/// offline: the second to sync is offered the conflict to resolve (the
/// app's check of what the hub would take knows the device's organisation),
/// and the choice reaches the other.
#[test]
fn an_organisations_coordinators_resolve_a_conflict_in_a_volunteers_entry() {
    let hub = hub();
    let (a, b) = (app(), app());
    for (app, name) in [(&a, "Ufficio Convoglio"), (&b, "Portatile Convoglio")] {
        let code = hub
            .dir
            .open_registry()
            .expect("registry")
            .issue_code_for(DeviceRole::Coordinator, None, Some(hub.organisation.0), 1, Some(&hub.cert))
            .expect("code");
        app.pair(&hub.url, &code, name).expect("pair");
    }
    let entry = |residence: &str| {
        json!({ "person": hub.organisation.1.to_string(), "entry": {
            "codice_fiscale": "", "birth_place": "Pavia", "birth_date": "1980-05-04",
            "residence": residence, "start": "2026-01-10", "end": null, "occasional": false,
            "insurance_from": "2026-01-01", "insurance_to": "2026-12-31"
        }})
    };
    a.ok("keep_volunteer", entry("Via Acerbi 21, Pavia"));
    assert_eq!(a.ok("sync_now", json!({}))["outcome"], "ok");
    assert_eq!(b.ok("sync_now", json!({}))["outcome"], "ok");
    assert_eq!(b.ok("volunteers_view", json!({}))["rows"].as_array().map(Vec::len), Some(1));
    // Offline, both change the residence; A syncs first, then B.
    a.ok("keep_volunteer", entry("Via Riviera 5, Pavia"));
    b.ok("keep_volunteer", entry("Viale Cremona 12, Pavia"));
    assert_eq!(a.ok("sync_now", json!({}))["outcome"], "ok");
    assert_eq!(b.ok("sync_now", json!({}))["outcome"], "ok");
    let queue = b.ok("list_conflicts", json!({}));
    let conflicts = queue["conflicts"].as_array().expect("conflicts");
    assert_eq!(conflicts.len(), 1, "{queue}");
    let c = &conflicts[0];
    assert_eq!(c["conflict"]["doc"]["kind"], "volunteer", "{c}");
    assert_eq!(c["may_resolve"], true, "the organisation's coordinator may resolve it: {c}");
    let riviera = c["conflict"]["conflict"]["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["text"].as_str().is_some_and(|t| t.contains("Riviera")))
        .expect("A's value")["id"]
        .clone();
    b.ok(
        "resolve_conflict",
        json!({ "doc": c["conflict"]["doc"], "path": c["conflict"]["conflict"]["path"], "choice": riviera }),
    );
    assert_eq!(b.ok("sync_now", json!({}))["outcome"], "ok");
    assert_eq!(a.ok("sync_now", json!({}))["outcome"], "ok");
    assert_eq!(a.ok("list_conflicts", json!({}))["conflicts"], json!([]));
    let view = a.ok("volunteers_view", json!({}));
    assert_eq!(view["rows"][0]["record"]["residence"], "Via Riviera 5, Pavia", "{view}");
}
