//! Creating and opening a store: the key, migrations, the device row, and
//! the projection check at start-up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use automerge::ActorId;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::Store;
use crate::codes::CodeRange;
use crate::doc::{DocKind, DocRef};
use crate::env::Environment;
use crate::error::{Error, Result};
use crate::ids::{DeviceId, ProjectId};
use crate::store::{Maintenance, Replication};

/// The numbered migrations, applied in order. Never edit one that landed.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_audit_log.sql"),
    include_str!("../../migrations/0003_hub_link.sql"),
    include_str!("../../migrations/0004_hub_pin.sql"),
    include_str!("../../migrations/0005_erasure.sql"),
    include_str!("../../migrations/0006_consent.sql"),
    include_str!("../../migrations/0007_sync_points.sql"),
    include_str!("../../migrations/0008_training_presence.sql"),
    include_str!("../../migrations/0009_conflicts.sql"),
    include_str!("../../migrations/0010_nomenclature.sql"),
    include_str!("../../migrations/0011_lookup_indexes.sql"),
    include_str!("../../migrations/0012_facts_token.sql"),
];

/// A 256-bit database key. Where it comes from (a passphrase through a KDF,
/// the OS keychain) is the caller's choice; the store uses it raw, so opening
/// costs no key derivation. The `taccuino-keys` crate makes one
/// (`generate_key`) and keeps it wrapped by the volunteer's passphrase. The bytes are wiped
/// when the value is dropped.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl Key {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key(bytes)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` statement, written into one buffer allocated at its
    /// final size (no reallocation leaves a copy behind) and wiped on drop.
    pub(super) fn pragma(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut sql = Zeroizing::new(String::with_capacity(96));
        sql.push_str("PRAGMA key = \"x'");
        for &byte in &self.0 {
            sql.push(char::from(HEX[usize::from(byte >> 4)]));
            sql.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        sql.push_str("'\";");
        sql
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Key {}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

/// Who this device is, fixed when its database is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    /// The device's id; its automerge actor id is derived from it.
    pub device: DeviceId,
    /// The project (deployment) this database belongs to.
    pub project: ProjectId,
    /// The code numbers this device may assign.
    pub codes: CodeRange,
}

/// How long a keyed open waits for SQLCipher to finish initialising.
const SQLCIPHER_INIT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Waits until SQLCipher can key a connection in this process.
///
/// SQLite marks itself initialised, and lets other threads open
/// connections, *before* it runs SQLCipher's own initialisation
/// (`SQLITE_EXTRA_INIT`, outside SQLite's init mutex). A connection keyed
/// on another thread in that window is refused ("An error occurred with
/// PRAGMA key or rekey": `sqlcipherCodecAttach` returns its init error
/// while `sqlcipher_init` is still 0). The window is the first use of
/// SQLite in a process (a test binary whose first tests start together,
/// an app that opens its register while another thread touches SQLite),
/// and narrow: SQLCipher's initialisation holds SQLite's main mutex, which
/// a new connection takes too, so only a thread that got past that point
/// while the initialising one was descheduled is refused. It failed two
/// CI runs (SQLCipher 4.20, `libsqlite3-sys` 0.40).
/// Keying a throwaway in-memory database tells when the window is over;
/// after the first success this costs one atomic load.
fn sqlcipher_ready() -> Result<()> {
    static READY: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    if READY.get().is_some() {
        return Ok(());
    }
    let started = std::time::Instant::now();
    loop {
        let probe = Connection::open_in_memory()?;
        match probe.execute_batch("PRAGMA key = 'ready';") {
            Ok(()) => {
                let _ = READY.set(());
                return Ok(());
            }
            Err(e) if started.elapsed() >= SQLCIPHER_INIT_WAIT => return Err(e.into()),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
    }
}

/// Keys `conn` for SQLCipher with `key`, as the store keys its own file,
/// and reads its first page: a wrong key, or a file that is not a
/// database, is [`Error::WrongKeyOrNotADatabase`] (never "file is not a
/// database" later) and the file is left untouched. The hub keys its
/// registry with this.
pub fn key_connection(conn: &Connection, key: &Key, path: &Path) -> Result<()> {
    sqlcipher_ready()?;
    // SQLCipher would print "error decrypting page 1" on a wrong key;
    // the caller gets a typed error instead.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma())?;
    probe(conn, path)
}

/// The first read tells a wrong key (or a foreign file) apart; nothing
/// has been written yet, so the file is untouched when it fails.
fn probe(conn: &Connection, path: &Path) -> Result<()> {
    let probe: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
    match probe {
        Ok(_) => Ok(()),
        Err(e) => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                Err(Error::WrongKeyOrNotADatabase { path: path.to_owned() })
            }
            _ => Err(e.into()),
        },
    }
}

fn configure(conn: &Connection, key: Option<&Key>, path: &Path) -> Result<()> {
    match key {
        Some(key) => key_connection(conn, key, path)?,
        None => probe(conn, path)?,
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = OFF;
         PRAGMA busy_timeout = 5000;
         PRAGMA wal_autocheckpoint = 4000;",
    )?;
    Ok(())
}

// About `wal_autocheckpoint = 4000` (pages, ~16 MiB of WAL): SQLite's
// default of 1,000 makes about one meeting write in 23 also copy the WAL
// into the database inside that write. The app calls `Store::checkpoint`
// when idle instead; the larger automatic threshold is the safety net.

/// Applies the migrations the file lacks; returns whether it applied any
/// (a register written by an older app).
fn migrate(conn: &mut Connection) -> Result<bool> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(Error::NewerDatabase { found: version, supported });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(version < supported)
}

impl Store {
    /// Creates a new database at `path`, encrypted with `key`. Refuses to
    /// touch an existing file.
    pub fn create(
        path: impl AsRef<Path>,
        key: &Key,
        config: DeviceConfig,
        env: Box<dyn Environment>,
    ) -> Result<Store> {
        let path = path.as_ref();
        if path.exists() {
            return Err(Error::AlreadyExists { path: path.to_owned() });
        }
        // Built under a temporary name and renamed when complete, so a crash
        // during creation never leaves a half-made file at `path` that
        // neither `open` nor `create` would accept.
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".creating");
        let tmp = PathBuf::from(tmp);
        for suffix in ["", "-wal", "-shm"] {
            let mut stale = tmp.as_os_str().to_owned();
            stale.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(stale));
        }
        let conn = Connection::open(&tmp)?;
        let store = Self::init(conn, Some(key), Some(tmp.clone()), config, env)?;
        let Store { conn, env, .. } = store;
        // Closing checkpoints the WAL into the file and removes it.
        conn.close().map_err(|(_, e)| Error::Sqlite(e))?;
        std::fs::rename(&tmp, path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        Self::open(path, key, env)
    }

    /// A store in memory, unencrypted: for tests and simulations.
    pub fn in_memory(config: DeviceConfig, env: Box<dyn Environment>) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, None, None, config, env)
    }

    fn init(
        mut conn: Connection,
        key: Option<&Key>,
        path: Option<PathBuf>,
        config: DeviceConfig,
        mut env: Box<dyn Environment>,
    ) -> Result<Store> {
        configure(&conn, key, path.as_deref().unwrap_or(Path::new(":memory:")))?;
        migrate(&mut conn)?;
        let now = env.now().timestamp_millis();
        conn.execute(
            "INSERT INTO device (singleton, device_id, project_id, created_at) VALUES (1, ?1, ?2, ?3)",
            params![config.device.to_string(), config.project.to_string(), now],
        )?;
        conn.execute(
            "INSERT INTO code_ranges (first_code, last_code, next_code) VALUES (?1, ?2, ?1)",
            params![config.codes.first, config.codes.last],
        )?;
        let mut store = Store {
            conn,
            path,
            env,
            device: config.device,
            project: config.project,
            actor: ActorId::from(config.device.0.as_bytes().as_slice()), // replaced below
            actor_wrote: false,
            operator: None,
            docs: Default::default(),
            origins: HashMap::new(),
            directory: None,
            waiting: HashMap::new(),
            batch: None,
            readable: Default::default(),
        };
        store.rotate_actor();
        // The project and training documents exist from the start (their
        // genesis is the same everywhere, so this creates no rival copies).
        store.ensure_doc(DocRef::project(config.project))?;
        store.ensure_doc(DocRef::training(config.project))?;
        Ok(store)
    }

    /// Opens an existing database. A wrong key is
    /// [`Error::WrongKeyOrNotADatabase`], and the file is left untouched.
    ///
    /// Documents load when first used, not here: a document's heads and the
    /// heads its projection was made at are written in the same transaction
    /// as its bytes, so the `documents` rows alone tell which projections
    /// are stale (another projection version, or a file written otherwise);
    /// only those documents load and are re-projected. A register written by
    /// an older app has every lab document's erasures applied again.
    /// [`Maintenance::check_projection`] still compares every document's real
    /// heads, for tests and checks.
    pub fn open(path: impl AsRef<Path>, key: &Key, env: Box<dyn Environment>) -> Result<Store> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(Error::NoDatabase { path: path.to_owned() });
        }
        // SQLite takes an empty file for a new database and would write to
        // it (WAL header, migrations) before finding no device row.
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(Error::WrongKeyOrNotADatabase { path: path.to_owned() });
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&conn, Some(key), path)?;
        let upgraded = migrate(&mut conn)?;
        let row: Option<(String, String)> = conn
            .query_row("SELECT device_id, project_id FROM device", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((device, project)) = row else {
            return Err(Error::WrongKeyOrNotADatabase { path: path.to_owned() });
        };
        let bad = |_| Error::WrongKeyOrNotADatabase { path: path.to_owned() };
        let device: DeviceId = device.parse().map_err(bad)?;
        let project: ProjectId = project.parse().map_err(bad)?;
        let mut store = Store {
            conn,
            path: Some(path.to_owned()),
            env,
            device,
            project,
            actor: ActorId::from(device.0.as_bytes().as_slice()), // replaced below
            actor_wrote: false,
            operator: None,
            docs: Default::default(),
            origins: HashMap::new(),
            directory: None,
            waiting: HashMap::new(),
            batch: None,
            readable: Default::default(),
        };
        store.rotate_actor();
        let stale = store.stale_projections()?;
        store.reproject(&stale)?;
        let labs: Vec<DocRef> = if upgraded {
            store.doc_refs()?.into_iter().filter(|r| r.kind == DocKind::Lab).collect()
        } else {
            stale.into_iter().filter(|r| r.kind == DocKind::Lab).collect()
        };
        store.apply_pending_erasures(&labs)?;
        store.apply_pending_volunteer_erasures()?;
        store.maintenance()?;
        Ok(store)
    }
}
