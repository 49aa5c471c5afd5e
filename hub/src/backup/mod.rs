//! `taccuino-hub backup` and `restore`: one encrypted file that holds
//! everything a restore needs, made while the hub serves.
//!
//! **Consistent while serving.** The register and the registry are SQLite
//! files in WAL mode: a read transaction on a connection of its own sees one
//! committed state however much the hub writes meanwhile. Each file is
//! copied inside one such transaction with `sqlcipher_export`, into a new
//! file under the same key (pages re-encrypted, nothing decrypted on disk):
//! the register first, then the registry, so that the registry copy is the
//! later one (a device enrolled in between is put into the register's
//! directory at the restored hub's first sync; a device revoked in between
//! is revoked in the copy).
//!
//! **The file.** A first line `TACCUINO-HUB-BACKUP 1`, a line of JSON (the
//! [`Header`]: project, time, version, the key's id, and the hub's key
//! only if asked, wrapped in a `taccuino_keys::KeyFile` by a passphrase and
//! optionally for a coordinator's recovery key), then a SQLCipher database
//! under a key derived from the hub's: the manifest and the files (the two
//! database copies, the TLS certificate and its private key, so that
//! laptops that pinned the certificate trust the restored hub, and the
//! pseudonym key, so that exports keep their pseudonyms). Every page is
//! authenticated: a changed byte is refused at restore.
//!
//! **Restore** rebuilds a hub in a new or empty directory, or in none at
//! all: anything that fails removes what it wrote. Decision 0028. It then
//! revokes again the devices revoked after the backup, from the journal
//! kept beside it (`journal`, decision 0041).

pub mod journal;
pub mod schedule;

use std::io::Write;
use std::path::{Path, PathBuf};

use crdt_sync::{Key, ProjectId, Store, SystemEnv};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use taccuino_keys::{KdfParams, KeyFile, RecoveryPublic, RecoverySecret};
use zeroize::Zeroizing;

use crate::data_dir::DataDir;
use crate::error::{HubError, Result};
use crate::hub_key::{self, KeyOrigin};
use crate::private;
use crate::registry::Registry;

/// The first line of every backup.
const MAGIC: &[u8] = b"TACCUINO-HUB-BACKUP 1\n";
/// The container's format, in its manifest.
const FORMAT: &str = "1";
/// The longest header line (a wrapped key is well under 4 KiB).
const MAX_HEADER: usize = 64 * 1024;
/// The environment variable that holds the passphrase of a backup's key
/// (`backup --with-key`, `restore`).
pub const PASSPHRASE_ENV: &str = "TACCUINO_HUB_BACKUP_PASSPHRASE";
/// The name `backup` writes into the data directory after each backup: its
/// time shows how old the last backup is (metrics).
pub const STAMP: &str = "backup.stamp";

/// The files a backup holds, by their path in the data directory. Restore
/// writes these names only, whatever else a container may hold.
const FILES: [&str; 5] = ["register.db", "hub.db", "tls/cert.pem", "tls/key.pem", "pseudonym.key"];
/// Those without which there is no hub.
const REQUIRED: [&str; 2] = ["register.db", "hub.db"];

/// The plaintext line before the container.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The project the hub serves.
    pub project: ProjectId,
    /// When the copy was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The version of the hub that made it.
    pub hub_version: String,
    /// Which key the container is under: 16 hex digits derived from the
    /// hub's key (never the key).
    pub key_id: String,
    /// The hub's key, wrapped, if `--with-key` was given.
    pub key: Option<serde_json::Value>,
}

/// How the hub's key goes into a backup (`--with-key`).
pub struct KeyWrap {
    /// The passphrase that wraps it.
    pub passphrase: Zeroizing<String>,
    /// A coordinator's recovery key that also opens it.
    pub recovery: Option<RecoveryPublic>,
}

/// How a restore finds the hub's key.
pub enum KeySource {
    /// The key itself (`--key-file`, the environment, a credential).
    Given(Key),
    /// The key in the backup, unwrapped with this passphrase.
    Passphrase(Zeroizing<String>),
    /// The key in the backup, unwrapped with a coordinator's recovery secret.
    Recovery(RecoverySecret),
}

/// A backup written.
#[derive(Debug)]
pub struct Made {
    /// Where.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Its header.
    pub header: Header,
}

/// A hub restored.
#[derive(Debug)]
pub struct Restored {
    /// The backup's header.
    pub header: Header,
    /// The devices the restored registry knows, revoked ones included.
    pub devices: usize,
    /// What the revocation journal beside the backup revoked again, if
    /// there is one.
    pub revoked_again: Option<Again>,
    /// The key, when it came from the backup (the caller writes it where
    /// the hub will look for it).
    pub key: Option<Key>,
}

/// What a restore did with the revocation journal beside the backup.
#[derive(Debug, Default)]
pub struct Again {
    /// The journal read.
    pub journal: PathBuf,
    /// Devices revoked after the backup, revoked again.
    pub revoked: Vec<crdt_sync::DeviceId>,
    /// Devices it names that the backup does not know (enrolled after it:
    /// they have no token on the restored hub).
    pub unknown: usize,
    /// Lines without this hub's tag, ignored.
    pub ignored: usize,
}

const CONTAINER_LABEL: &[u8] = b"taccuino-hub/backup-container/1";
const KEY_ID_LABEL: &[u8] = b"taccuino-hub/key-id/1";

fn key_id(key: &Key) -> String {
    hex::encode(&hub_key::derive(key, KEY_ID_LABEL)[..8])
}

fn container_key(key: &Key) -> Key {
    Key::from_bytes(*hub_key::derive(key, CONTAINER_LABEL))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HubError + '_ {
    move |source| HubError::Io { path: path.to_owned(), source }
}

/// The working directory a backup is assembled in, beside it.
const WORK_PREFIX: &str = ".taccuino-backup-";

/// How old a working directory must be to be taken for one left by a
/// backup that was killed (a backup takes seconds; another may be running
/// beside this one, and its directory is young).
const STALE_WORK: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes the working directories of backups killed midway (power cut,
/// `SIGKILL`) in `parent`: each holds a copy of the register, encrypted,
/// and would stay for ever beside the scheduled backups.
fn sweep_stale(parent: &Path, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_str().is_some_and(|n| n.starts_with(WORK_PREFIX))
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age > STALE_WORK));
        if stale {
            match std::fs::remove_dir_all(entry.path()) {
                Ok(()) => tracing::info!(dir = %entry.path().display(), "removed what a killed backup left"),
                Err(e) => {
                    tracing::warn!(dir = %entry.path().display(), error = %e, "cannot remove what a killed backup left")
                }
            }
        }
    }
}

/// Writes a backup of the hub in `dir` to `out` (refused if `out` exists),
/// whether the hub serves or not, then records its time in `backup.stamp`.
pub fn make(dir: &DataDir, out: &Path, wrap: Option<KeyWrap>) -> Result<Made> {
    if out.exists() {
        return Err(HubError::Usage(format!("{} already exists: name a new file", out.display())));
    }
    let key = dir.key()?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    sweep_stale(&parent, std::time::SystemTime::now());
    // Beside the backup, so that the last step is a link on one file system.
    let work = tempfile::Builder::new()
        .prefix(WORK_PREFIX)
        .tempdir_in(&parent)
        .map_err(|source| HubError::Io { path: parent.clone(), source })?;
    let register = work.path().join("register.db");
    let registry = work.path().join("hub.db");
    export(&dir.path("register.db"), &register, &key)?;
    export(&dir.path("hub.db"), &registry, &hub_key::registry_key(&key))?;
    // The copies open: a register and a registry this hub could serve.
    let project = Store::open(&register, &key, Box::new(SystemEnv))?.project();
    Registry::open(&registry, &key)?;
    whole(&register)?;
    whole(&registry)?;

    let header = Header {
        project,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        hub_version: env!("CARGO_PKG_VERSION").to_owned(),
        key_id: key_id(&key),
        key: match wrap {
            None => None,
            Some(wrap) => Some(wrapped(&key, wrap)?),
        },
    };
    let container = work.path().join("container.db");
    {
        let conn = Connection::open(&container)?;
        crdt_sync::key_connection(&conn, &container_key(&key), &container)?;
        conn.execute_batch(
            "CREATE TABLE manifest (name TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE files (name TEXT PRIMARY KEY, bytes BLOB NOT NULL);",
        )?;
        let tx = conn.unchecked_transaction()?;
        for (name, value) in [
            ("format", FORMAT.to_owned()),
            ("project", project.to_string()),
            ("created_at", header.created_at.clone()),
            ("key_id", header.key_id.clone()),
        ] {
            tx.execute("INSERT INTO manifest (name, value) VALUES (?1, ?2)", (name, value))?;
        }
        for name in FILES {
            let path = match name {
                "register.db" => register.clone(),
                "hub.db" => registry.clone(),
                other => dir.path(other),
            };
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => Zeroizing::new(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !REQUIRED.contains(&name) => continue,
                Err(e) => return Err(io(&path)(e)),
            };
            tx.execute("INSERT INTO files (name, bytes) VALUES (?1, ?2)", (name, &bytes[..]))?;
        }
        tx.commit()?;
        conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
        conn.close().map_err(|(_, e)| e)?;
    }

    let assembled = work.path().join("backup");
    {
        let mut file = private_file(&assembled)?;
        let mut head = serde_json::to_vec(&header).map_err(|e| HubError::Internal(e.to_string()))?;
        head.push(b'\n');
        file.write_all(MAGIC).map_err(io(&assembled))?;
        file.write_all(&head).map_err(io(&assembled))?;
        let mut body = std::fs::File::open(&container).map_err(io(&container))?;
        std::io::copy(&mut body, &mut file).map_err(io(&assembled))?;
        file.sync_all().map_err(io(&assembled))?;
    }
    // A link fails if `out` appeared meanwhile: nothing is ever replaced.
    std::fs::hard_link(&assembled, out).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            HubError::Usage(format!("{} already exists: name a new file", out.display()))
        }
        _ => io(out)(e),
    })?;
    std::fs::File::open(&parent).and_then(|d| d.sync_all()).map_err(io(&parent))?;
    let bytes = std::fs::metadata(out).map_err(io(out))?.len();
    let stamp = dir.path(STAMP);
    // The backup's absolute path: where the revocation journal goes when
    // no `[backup]` directory is configured (`DataDir::revocation_journal`).
    let at = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
    if let Err(e) = std::fs::write(&stamp, format!("{}\n{}\n", header.created_at, at.display())) {
        tracing::warn!(path = %stamp.display(), error = %e, "cannot record the backup's time");
    }
    Ok(Made { path: out.to_owned(), bytes, header })
}

/// The last backup `stamp` (`backup.stamp`, written by [`make`]) names,
/// if it names one by an absolute path.
pub(crate) fn last_backup(stamp: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(stamp).ok()?;
    Some(PathBuf::from(text.lines().nth(1)?.trim())).filter(|p| p.is_absolute())
}

/// Copies the database at `from` into a new file `to` under the same
/// `key`, from one read transaction (one committed state).
fn export(from: &Path, to: &Path, key: &Key) -> Result<()> {
    let conn = Connection::open(from)?;
    crdt_sync::key_connection(&conn, key, from)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let raw = Zeroizing::new(format!("x'{}'", hex::encode(key.as_bytes())));
    conn.execute("ATTACH DATABASE ?1 AS copy KEY ?2", rusqlite::params![to.to_string_lossy(), *raw])?;
    conn.execute_batch("BEGIN")?;
    let version: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    conn.query_row("SELECT sqlcipher_export('copy')", [], |_| Ok(()))?;
    conn.execute_batch(&format!("PRAGMA copy.user_version = {version}; COMMIT; DETACH DATABASE copy;"))?;
    Ok(())
}

/// A copy must be whole in its file once its last connection closed
/// (SQLite folds the WAL in and removes it then): the file is what goes
/// into the backup.
fn whole(path: &Path) -> Result<()> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    match std::fs::metadata(PathBuf::from(wal)) {
        Ok(m) if m.len() > 0 => {
            Err(HubError::Internal(format!("{} kept a write-ahead log after it closed", path.display())))
        }
        _ => Ok(()),
    }
}

fn wrapped(key: &Key, wrap: KeyWrap) -> Result<serde_json::Value> {
    let mut rng = rand::rngs::OsRng;
    let params = KdfParams::calibrate_here(KdfParams::target_here());
    let bad = |e: taccuino_keys::KeyError| HubError::Usage(format!("cannot wrap the hub's key: {e}"));
    let mut file = KeyFile::create(key, &wrap.passphrase, params, &mut rng).map_err(bad)?;
    if let Some(recipient) = &wrap.recovery {
        file.add_recovery(key, recipient, &mut rng).map_err(bad)?;
    }
    serde_json::from_str(&file.to_json()).map_err(|e| HubError::Internal(e.to_string()))
}

fn private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(io(path))
}

/// Reads the header of the backup at `from` and the offset of its container.
fn read_header(from: &Path, bytes: &[u8]) -> Result<(Header, usize)> {
    let not_backup = || HubError::Usage(format!("{} is not a backup of a Taccuino hub", from.display()));
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(not_backup)?;
    let end = rest.iter().take(MAX_HEADER).position(|&b| b == b'\n').ok_or_else(not_backup)?;
    let header: Header = serde_json::from_slice(&rest[..end]).map_err(|_| not_backup())?;
    Ok((header, MAGIC.len() + end + 1))
}

/// Rebuilds a hub from the backup at `from` into `into` (absent or empty).
/// On any error, what was written is removed.
pub fn restore(from: &Path, into: &Path, key: KeySource) -> Result<Restored> {
    let fresh = match std::fs::read_dir(into) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(HubError::Usage(format!(
                    "{} is not empty: restore into a new directory",
                    into.display()
                )));
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(io(into)(e)),
    };
    let bytes = Zeroizing::new(std::fs::read(from).map_err(io(from))?);
    let (header, body) = read_header(from, &bytes)?;
    let (key, from_backup) = match key {
        KeySource::Given(key) => (key, false),
        KeySource::Passphrase(passphrase) => {
            let file = wrapped_key(from, &header)?;
            let key = file.unlock(&passphrase).map_err(|_| {
                HubError::Usage(format!(
                    "the passphrase does not open the hub's key in {} (or that part of the file was changed)",
                    from.display()
                ))
            })?;
            (key, true)
        }
        KeySource::Recovery(secret) => {
            let file = wrapped_key(from, &header)?;
            let key = file.unlock_with_recovery(&secret).map_err(|_| {
                HubError::Usage(format!(
                    "the recovery key does not open the hub's key in {}: it was not wrapped for it",
                    from.display()
                ))
            })?;
            (key, true)
        }
    };
    if key_id(&key) != header.key_id {
        return Err(HubError::Usage(format!(
            "this is not the key {} was made with (the hub's key, from wherever it is kept)",
            from.display()
        )));
    }
    let written = unpack(from, into, &bytes[body..], &key, &header);
    let (devices, revoked_again) = match written {
        Ok(done) => done,
        Err(e) => {
            if fresh {
                let _ = std::fs::remove_dir_all(into);
            } else if let Ok(entries) = std::fs::read_dir(into) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
            return Err(e);
        }
    };
    Ok(Restored { header, devices, revoked_again, key: from_backup.then_some(key) })
}

fn wrapped_key(from: &Path, header: &Header) -> Result<KeyFile> {
    let value = header.key.as_ref().ok_or_else(|| {
        HubError::Usage(format!(
            "{} holds no key (it was made without --with-key): give the hub's key with --key-file or {}",
            from.display(),
            hub_key::KEY_ENV
        ))
    })?;
    KeyFile::from_json(value.to_string())
        .map_err(|e| HubError::Usage(format!("the key in {} cannot be read: {e}", from.display())))
}

/// Writes the container's files into `into`; the number of devices.
fn unpack(
    from: &Path,
    into: &Path,
    body: &[u8],
    key: &Key,
    header: &Header,
) -> Result<(usize, Option<Again>)> {
    let damaged =
        |why: String| HubError::Usage(format!("{} is damaged or was changed: {why}", from.display()));
    private::create_dir(into)?;
    let container = into.join(".restoring.db");
    {
        let mut file = private_file(&container)?;
        file.write_all(body).map_err(io(&container))?;
        file.sync_all().map_err(io(&container))?;
    }
    let unpacked = (|| -> Result<()> {
        let conn = Connection::open(&container)?;
        crdt_sync::key_connection(&conn, &container_key(key), &container)
            .map_err(|_| damaged("its first page does not open".into()))?;
        // Every page's authentication code, before a byte is used.
        let failures: Vec<String> = conn
            .prepare("PRAGMA cipher_integrity_check")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| damaged(e.to_string()))?;
        if let Some(first) = failures.first() {
            return Err(damaged(first.clone()));
        }
        let manifest = |name: &str| -> Result<Option<String>> {
            conn.query_row("SELECT value FROM manifest WHERE name = ?1", [name], |r| r.get(0))
                .optional()
                .map_err(|e| damaged(e.to_string()))
        };
        if manifest("format")?.as_deref() != Some(FORMAT) {
            return Err(HubError::Usage(format!(
                "{} was made by another version of the hub: restore it with that version",
                from.display()
            )));
        }
        if manifest("project")? != Some(header.project.to_string())
            || manifest("key_id")?.as_deref() != Some(header.key_id.as_str())
            || manifest("created_at")?.as_deref() != Some(header.created_at.as_str())
        {
            return Err(damaged("its header does not match its content".into()));
        }
        for name in FILES {
            let bytes: Option<Vec<u8>> = conn
                .query_row("SELECT bytes FROM files WHERE name = ?1", [name], |r| r.get(0))
                .optional()
                .map_err(|e| damaged(e.to_string()))?;
            let Some(bytes) = bytes.map(Zeroizing::new) else {
                if REQUIRED.contains(&name) {
                    return Err(damaged(format!("it holds no {name}")));
                }
                continue;
            };
            let path = into.join(name);
            if let Some(parent) = path.parent()
                && parent != into
            {
                private::create_dir(parent)?;
            }
            let mut file = private_file(&path)?;
            file.write_all(&bytes).map_err(io(&path))?;
            file.sync_all().map_err(io(&path))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&container);
    unpacked?;
    let store = Store::open(into.join("register.db"), key, Box::new(SystemEnv))?;
    if store.project() != header.project {
        return Err(damaged("its register is of another project".into()));
    }
    drop(store);
    let mut registry = Registry::open(&into.join("hub.db"), key)?;
    let journal = journal::Journal::in_dir(from.parent().unwrap_or(Path::new(".")), key);
    let again = revoke_again(&mut registry, &journal)?;
    let devices = registry.devices()?.len();
    drop(registry);
    std::fs::File::open(into).and_then(|d| d.sync_all()).map_err(io(into))?;
    Ok((devices, again))
}

/// Revokes in the restored `registry` every device `journal` names that it
/// holds active (decision 0041); `None` if there is no journal.
fn revoke_again(registry: &mut Registry, journal: &journal::Journal) -> Result<Option<Again>> {
    let Some(entries) = journal.read()? else { return Ok(None) };
    let path = journal.path().unwrap_or_default();
    let mut again = Again { journal: path, ignored: entries.ignored, ..Again::default() };
    for (device, _) in entries.revoked {
        match registry.device(device)? {
            None => again.unknown += 1,
            Some(d) if d.revoked_at.is_some() => {}
            Some(_) => {
                registry.revoke(device)?;
                again.revoked.push(device);
            }
        }
    }
    Ok(Some(again))
}

/// Where a restore looks for the hub's key: a passphrase or a recovery
/// secret opens the one in the backup; otherwise the key must be kept
/// outside the (new) data directory, as `origin` says.
pub fn key_source(
    origin: &KeyOrigin,
    passphrase: Option<Zeroizing<String>>,
    recovery_secret: Option<&Path>,
) -> Result<KeySource> {
    if let Some(path) = recovery_secret {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(io(path))?);
        let secret = RecoverySecret::from_text(text.trim()).map_err(|_| {
            HubError::Usage(format!("{} does not hold a recovery key (TCS1-…)", path.display()))
        })?;
        return Ok(KeySource::Recovery(secret));
    }
    if let Some(passphrase) = passphrase {
        return Ok(KeySource::Passphrase(passphrase));
    }
    match origin {
        KeyOrigin::DataDir => Err(HubError::Usage(format!(
            "give the hub's key (--key-file, {} or systemd's credential hub.key), or, for a backup made \
             with --with-key, its passphrase in {PASSPHRASE_ENV} or --recovery-secret-file",
            hub_key::KEY_ENV
        ))),
        KeyOrigin::Env(hex) => Ok(KeySource::Given(hub_key::parse_key(hex, hub_key::KEY_ENV)?)),
        KeyOrigin::File(path) => Ok(KeySource::Given(hub_key::read_key_file(path, || {
            format!("no hub key at {}", path.display())
        })?)),
    }
}

/// Puts a key that came out of a backup where the restored hub will look
/// for it, as `origin` says: `hub.key` in the data directory, or the key
/// file (written if absent, compared if present). Returns where it is.
pub fn keep_key(root: &Path, origin: &KeyOrigin, key: &Key) -> Result<String> {
    let same = |other: Key| {
        if other.as_bytes() == key.as_bytes() {
            Ok(())
        } else {
            Err(HubError::Usage(format!(
                "{} holds another key than the backup's: remove it, or give that one",
                origin.describe(root)
            )))
        }
    };
    match origin {
        KeyOrigin::DataDir => hub_key::write_key_file(&root.join(hub_key::KEY_FILE_NAME), key)?,
        KeyOrigin::Env(hex) => same(hub_key::parse_key(hex, hub_key::KEY_ENV)?)?,
        KeyOrigin::File(path) if path.exists() => same(hub_key::read_key_file(path, String::new)?)?,
        KeyOrigin::File(path) => hub_key::write_key_file(path, key)?,
    }
    Ok(origin.describe(root))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    /// What a killed backup left is removed at the next one; a young one
    /// (another backup running beside) and anything else are not.
    #[test]
    fn a_killed_backups_work_is_swept_and_nothing_else() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = |name: &str| {
            let d = tmp.path().join(name);
            std::fs::create_dir_all(&d).expect("dir");
            std::fs::write(d.join("register.db"), b"an encrypted copy").expect("file");
            d
        };
        let (old, young, other) =
            (dir(".taccuino-backup-AbC123"), dir(".taccuino-backup-XyZ789"), dir("keep-me"));
        std::fs::write(tmp.path().join(".taccuino-backup-file"), b"not a directory").expect("file");
        let now = SystemTime::now();
        let two_days = now - Duration::from_secs(48 * 3600);
        std::fs::File::open(&old).expect("open").set_modified(two_days).expect("age it");
        std::fs::File::open(&other).expect("open").set_modified(two_days).expect("age it");
        sweep_stale(tmp.path(), now);
        assert!(!old.exists(), "a day-old working directory goes");
        assert!(young.exists(), "a young one may be another backup's");
        assert!(other.exists() && tmp.path().join(".taccuino-backup-file").exists(), "nothing else");
    }
}
