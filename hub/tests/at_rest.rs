//! The hub's files at rest (issue 11, decision 0016), on the real binary:
//! a private data directory, an encrypted registry with no lab key or
//! token hash readable in it, a plaintext registry of an earlier version
//! encrypted in place, and a key kept outside the data directory (the
//! environment, a key file, systemd's credential), with clear errors when
//! it is missing or wrong.

mod common;

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Hub, enrol, hub_cmd, hub_fails, project};
use sha2::{Digest, Sha256};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

/// Every directory in the data directory is 0700 and every file 0600.
fn assert_private(data: &Path) {
    assert_eq!(mode(data), 0o700, "{}", data.display());
    let mut files = 0;
    for dir in [data.to_owned(), data.join("tls")] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(&dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                files += 1;
                assert_eq!(mode(&path), 0o600, "{} is {:o}", path.display(), mode(&path));
            }
        }
    }
    assert!(files >= 6, "the hub's files were looked at ({files})");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The registry's bytes on disk, with its WAL.
fn registry_bytes(data: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(data.join("hub.db")).expect("hub.db");
    if let Ok(wal) = std::fs::read(data.join("hub.db-wal")) {
        bytes.extend_from_slice(&wal);
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_private_and_the_registry_reveals_no_secret() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("hub");
    // An administrator made the directory by hand, readable by everyone.
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    hub_cmd(&data, &["init"]);
    assert_private(&data);
    let code = hub_cmd(&data, &["enroll", "--role", "coordinator"]);

    let mut hub = Hub::start(&data);
    let (_coordinator, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let mut lab = enrol(&hub, tmp.path(), "lab1", Some(1), "volunteer").await;
    lab.sync_ok(&hub.url).await;
    // While serving (the WAL and its index exist now) and after.
    assert_private(&data);
    hub.kill();
    assert_private(&data);

    let bytes = registry_bytes(&data);
    assert!(!bytes.starts_with(b"SQLite format 3"), "hub.db is not a plaintext SQLite file");
    let lab_key = lab.enrolled.bundle_key.clone().expect("a lab key");
    let raw_key = hex::decode(&lab_key).expect("hex");
    let token = &lab.enrolled.token;
    let token_sha = hex::encode(Sha256::digest(token.as_bytes()));
    for (what, needle) in [
        ("the lab's key, hex", lab_key.as_bytes()),
        ("the lab's key", raw_key.as_slice()),
        ("the token", token.as_bytes()),
        ("the token's SHA-256", token_sha.as_bytes()),
        ("the device's name", b"lab1".as_slice()),
    ] {
        assert!(!contains(&bytes, needle), "{what} reads out of hub.db");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_kept_outside_the_data_directory_opens_the_hub() {
    let tmp = tempfile::tempdir().expect("tmp");
    let secret_dir = tmp.path().join("secrets");
    std::fs::create_dir(&secret_dir).expect("mkdir");

    // From the environment: nothing in the data directory carries the key.
    let key = "5a".repeat(32);
    let env = [("TACCUINO_HUB_KEY", OsStr::new(&key))];
    let data = tmp.path().join("env-hub");
    let out = std::process::Command::new(common::BIN)
        .envs(env)
        .arg("--data-dir")
        .arg(&data)
        .arg("init")
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!data.join("hub.key").exists(), "the key stays outside");
    let said = hub_fails(&data, &["devices"], &[]);
    assert!(said.contains("no key for the hub") && said.contains("TACCUINO_HUB_KEY"), "{said}");
    let wrong = "a5".repeat(32);
    let said = hub_fails(&data, &["devices"], &[("TACCUINO_HUB_KEY", OsStr::new(&wrong))]);
    assert!(said.contains("does not open") && said.contains("from TACCUINO_HUB_KEY"), "{said}");
    assert!(!said.contains("malformed") && !said.contains("not a database"), "{said}");
    let code = hub_output(&data, &["enroll", "--role", "coordinator"], &env);
    let hub = Hub::start_with_env(&data, &env);
    project(&hub, tmp.path(), &code, 1).await;
    drop(hub);
    for entry in std::fs::read_dir(&data).expect("list") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(!contains(&bytes, key.as_bytes()), "the key reads out of the data directory");
    }

    // `init --key-file` writes a new key there; systemd's credential
    // directory holding it then serves the same hub.
    let data = tmp.path().join("file-hub");
    let key_file = secret_dir.join("hub.key");
    hub_cmd(&data, &["--key-file", key_file.to_str().expect("path"), "init"]);
    assert!(!data.join("hub.key").exists(), "the key stays outside");
    assert_eq!(mode(&key_file), 0o600);
    let from_file = [("TACCUINO_HUB_KEY_FILE", key_file.as_os_str())];
    let code = hub_output(&data, &["enroll", "--role", "coordinator"], &from_file);
    let credentials = [("CREDENTIALS_DIRECTORY", secret_dir.as_os_str())];
    let hub = Hub::start_with_env(&data, &credentials);
    let devices = tmp.path().join("devices");
    std::fs::create_dir(&devices).expect("mkdir");
    project(&hub, &devices, &code, 1).await;
    drop(hub);
    let elsewhere = tmp.path().join("nowhere.key");
    let said = hub_fails(&data, &["--key-file", elsewhere.to_str().expect("path"), "devices"], &[]);
    assert!(said.contains("no hub key at"), "{said}");
    let said = hub_fails(&data, &["devices"], &[("TACCUINO_HUB_KEY", OsStr::new(&key)), from_file[0]]);
    assert!(said.contains("given twice"), "{said}");
}

/// Runs the command line with `env`, asserts success, returns stdout.
fn hub_output(data: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> String {
    let out = std::process::Command::new(common::BIN)
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_owned()
}

/// The registry as versions before decision 0016 wrote it: plaintext, with
/// unsalted SHA-256 hashes of a device's token and of a pairing code.
const OLD_SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pairing_codes (code_hash TEXT PRIMARY KEY, role TEXT NOT NULL, lab_id TEXT,
    lab_number INTEGER, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER,
    device_id TEXT);
CREATE TABLE lab_keys (lab_id TEXT PRIMARY KEY, key TEXT NOT NULL);
CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL, lab_id TEXT, lab_number INTEGER, code_first INTEGER NOT NULL,
    code_last INTEGER NOT NULL, enrolled_at INTEGER NOT NULL, last_sync INTEGER, revoked_at INTEGER);
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plaintext_registry_is_encrypted_in_place_and_its_devices_keep_working() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("hub");
    let created = hub_cmd(&data, &["init"]);
    let cert = created.lines().find_map(|l| l.strip_prefix("certificate sha256 ")).expect("fingerprint");
    let cert = crdt_sync::sync::CertFingerprint::from_hex(cert).expect("hex");
    let project_id = {
        let register = taccuino_hub::DataDir::new(&data).open_store().expect("register");
        register.project()
    };
    std::fs::remove_file(data.join("hub.db")).expect("remove");
    let device = crdt_sync::DeviceId(uuid::Uuid::now_v7());
    let token = "00aa".repeat(16);
    let secret = crdt_sync::sync::pairing::new_secret(&mut rand::rng());
    let now = chrono::Utc::now().timestamp_millis();
    {
        let old = rusqlite::Connection::open(data.join("hub.db")).expect("plaintext");
        old.execute_batch("PRAGMA journal_mode = WAL;").expect("wal");
        old.execute_batch(OLD_SCHEMA).expect("schema");
        old.execute(
            "INSERT INTO devices (id, name, token_hash, role, code_first, code_last, enrolled_at)
             VALUES (?1, 'old laptop', ?2, 'coordinator', 5000, 5999, ?3)",
            rusqlite::params![device.to_string(), hex::encode(Sha256::digest(token.as_bytes())), now],
        )
        .expect("device");
        old.execute(
            "INSERT INTO pairing_codes (code_hash, role, created_at, expires_at) VALUES (?1, 'coordinator', ?2, ?3)",
            rusqlite::params![hex::encode(Sha256::digest(secret.as_bytes())), now, now + 3_600_000],
        )
        .expect("code");
    }
    assert!(std::fs::read(data.join("hub.db")).expect("read").starts_with(b"SQLite format 3"));

    // The first command to open it encrypts it, and still reads it.
    let listed = hub_cmd(&data, &["devices"]);
    assert!(listed.contains("old laptop"), "{listed}");
    let bytes = registry_bytes(&data);
    assert!(!bytes.starts_with(b"SQLite format 3"), "encrypted in place");
    assert!(!contains(&bytes, b"old laptop") && !contains(&bytes, b"coordinator"), "nothing in clear");
    assert!(!data.join("hub.db.encrypting").exists(), "no temporary file left");
    assert_eq!(mode(&data.join("hub.db")), 0o600);

    // The device enrolled before keeps syncing with its credential, and the
    // code issued before is still redeemed.
    let hub = Hub::start(&data);
    let config = crdt_sync::DeviceConfig {
        device,
        project: project_id,
        codes: crdt_sync::CodeRange::new(5000, 5999).expect("range"),
    };
    let mut store = crdt_sync::Store::create(
        tmp.path().join("old.db"),
        &crdt_sync::Key::from_bytes([2; 32]),
        config,
        Box::new(crdt_sync::SystemEnv),
    )
    .expect("store");
    for round in 0..2 {
        let report = taccuino_sync_client::sync_once(&mut store, &hub.url, &token).await;
        assert!(report.is_ok(), "round {round}: {report:?}");
    }
    let code = crdt_sync::sync::pairing::display_code(&secret, Some(&cert));
    let enrolled = taccuino_sync_client::enroll(&hub.url, &code, "new laptop").await.expect("legacy code");
    assert_eq!(enrolled.enrolled.role, crdt_sync::sync::DeviceRole::Coordinator);
}
