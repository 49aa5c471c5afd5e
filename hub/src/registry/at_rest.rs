//! Encrypting a plaintext `hub.db` of an earlier version, in place.
//!
//! The plaintext file is checkpointed, exported into a new SQLCipher file
//! beside it (`sqlcipher_export`), and the new file renamed over the old
//! one: a crash at any point leaves either the old plaintext registry
//! (encrypted again at the next open) or the new encrypted one, never half
//! of each. The caller holds the data directory's lock, so no other process
//! has the file open meanwhile.

use std::path::{Path, PathBuf};

use crdt_sync::Key;
use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::error::{HubError, Result};

/// The first 16 bytes of every plaintext SQLite file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether `path` is a plaintext SQLite file (absent or empty: no).
pub fn is_plaintext(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => return Err(HubError::Io { path: path.to_owned(), source }),
    };
    let mut head = [0u8; 16];
    match file.read_exact(&mut head) {
        Ok(()) => Ok(&head == SQLITE_MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(source) => Err(HubError::Io { path: path.to_owned(), source }),
    }
}

/// Encrypts the plaintext database at `path` under `key`, atomically.
pub fn encrypt_in_place(path: &Path, key: &Key) -> Result<()> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| HubError::Io { path: p, source }
    };
    let tmp = sibling(path, ".encrypting");
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(&tmp, suffix));
    }
    {
        let conn = Connection::open(path)?;
        // Everything in the WAL goes into the file being exported.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let raw = Zeroizing::new(format!("x'{}'", hex::encode(key.as_bytes())));
        conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            rusqlite::params![tmp.to_string_lossy(), *raw],
        )?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.execute_batch("DETACH DATABASE encrypted;")?;
        // Closing the last connection removes the (empty) WAL and index.
        conn.close().map_err(|(_, e)| e)?;
    }
    let file = std::fs::File::open(&tmp).map_err(io(&tmp))?;
    file.sync_all().map_err(io(&tmp))?;
    drop(file);
    // A WAL left beside an encrypted file would be read as its own.
    for suffix in ["-wal", "-shm"] {
        let leftover = sibling(path, suffix);
        match std::fs::remove_file(&leftover) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(HubError::Io { path: leftover, source }),
        }
    }
    std::fs::rename(&tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    }
    tracing::info!(path = %path.display(), "the registry was plaintext: encrypted it in place");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_still_in_the_wal_are_encrypted_with_the_rest() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("hub.db");
        let old = Connection::open(&path).expect("plaintext");
        old.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('in the file');",
        )
        .expect("write");
        old.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO t VALUES ('in the wal');")
            .expect("write");
        // Left open, as a crashed earlier version would leave it: the last
        // row is only in the WAL.
        assert!(std::fs::metadata(sibling(&path, "-wal")).expect("wal").len() > 0);
        std::mem::forget(old);
        assert!(is_plaintext(&path).expect("read"));
        let key = Key::from_bytes([7; 32]);
        encrypt_in_place(&path, &key).expect("encrypt");
        assert!(!is_plaintext(&path).expect("read"));
        assert!(!sibling(&path, ".encrypting").exists());
        let conn = Connection::open(&path).expect("open");
        crdt_sync::key_connection(&conn, &key, &path).expect("the key opens it");
        let rows: Vec<String> = conn
            .prepare("SELECT v FROM t ORDER BY rowid")
            .expect("query")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        assert_eq!(rows, ["in the file", "in the wal"]);
        let other = Connection::open(&path).expect("open");
        let wrong = crdt_sync::key_connection(&other, &Key::from_bytes([8; 32]), &path);
        assert!(matches!(wrong, Err(crdt_sync::Error::WrongKeyOrNotADatabase { .. })));
    }
}
