//! The register file: a small SQLCipher database made by `Store::create`
//! with a fixed key (`fixtures/register/v<N>.db`, N its schema version,
//! `PRAGMA user_version`). A volunteer's laptop holds such a file for years:
//! every later build must open it with the same key, migrate it forward
//! and show the same register. A file is added for each schema version and
//! never rewritten, like the migrations themselves.

use std::path::Path;

use crdt_sync::{
    Erasure, Families, Key, Maintenance, ProjectSettings, Replication, Staff, Store, key_connection,
};
use rusqlite::Connection;

use crate::fixture;
use crate::register;

/// The key of the committed files (a test key: the file holds test data).
fn key() -> Key {
    Key::from_bytes(std::array::from_fn(|i| 0xa0 ^ i as u8))
}

/// How many migrations today's build has (`crdt-sync/migrations/`).
fn migrations() -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    std::fs::read_dir(dir)
        .expect("migrations")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql")))
        .count() as i64
}

/// The schema version of the file at `path`, read raw (without migrating it).
fn user_version(path: &Path) -> i64 {
    let conn = Connection::open(path).expect("open");
    key_connection(&conn, &key(), path).unwrap_or_else(|e| {
        panic!(
            "{}: the register's key no longer opens the file ({e}). A change of the key's form or of \
             SQLCipher's settings (cipher, KDF, page HMAC) would strand every laptop's register: keep the \
             settings of existing files, or migrate them explicitly (PRAGMA cipher_migrate)",
            path.display()
        )
    });
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version")
}

/// A register file made by today's code, at `dir/name`.
fn make(dir: &Path, name: &str) -> (std::path::PathBuf, register::Made) {
    let path = dir.join(name);
    let mut s = Store::create(&path, &key(), register::config(), register::env()).expect("create");
    let made = register::fill(&mut s);
    drop(s);
    (path, made)
}

/// The committed register files, oldest first.
fn committed() -> Vec<(i64, std::path::PathBuf)> {
    let dir = fixture::path("register");
    let mut out: Vec<(i64, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let p = e.ok()?.path();
                    let v = p.file_name()?.to_str()?.strip_prefix('v')?.strip_suffix(".db")?.parse().ok()?;
                    Some((v, p))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn today_has_a_register_file_of_its_schema_version() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (path, _) = make(tmp.path(), "today.db");
    let version = user_version(&path);
    assert_eq!(version, migrations(), "a new file is at the last migration");
    let name = format!("register/v{version}.db");
    if fixture::updating() {
        if fixture::path(&name).exists() {
            eprintln!("{name} exists: register files are never rewritten (delete it first to remake it)");
        } else {
            fixture::write(&name, &std::fs::read(&path).expect("read"));
        }
        return;
    }
    assert!(
        fixture::path(&name).exists(),
        "the schema is now version {version} and no register file of that version is committed: add one on \
         purpose with `{}` (the older ones stay, as the migrations do)",
        fixture::REGENERATE
    );
}

#[test]
fn every_committed_register_file_opens_migrates_and_shows_the_register() {
    let files = committed();
    assert!(!files.is_empty(), "no register file under {}", fixture::path("register").display());
    let tmp = tempfile::tempdir().expect("tmp");
    for (version, file) in files {
        // A copy: opening migrates and writes; the committed file stays as it was made.
        let path = tmp.path().join(format!("v{version}.db"));
        std::fs::copy(&file, &path).expect("copy");
        assert_eq!(user_version(&path), version, "{}: its name says its schema version", file.display());
        let mut old = Store::open(&path, &key(), register::env()).unwrap_or_explain(&file);
        assert_eq!(
            user_version(&path),
            migrations(),
            "{}: opening migrates it to today's schema",
            file.display()
        );
        assert_eq!((old.device(), old.project()), (register::config().device, register::config().project));
        // What a volunteer sees, found by name (ids are the file's own).
        let labs = old.labs().expect("labs");
        let labs: Vec<_> = labs.iter().map(|l| (l.number, l.name.as_str(), l.partner.as_str())).collect();
        assert_eq!(labs, [(3, "Laboratorio Crosione", "Coop. Il Convoglio")], "{}", file.display());
        let hits = old.search_households("anna rossi", 5).expect("search");
        assert_eq!(hits.len(), 1, "{}: the Rossi family", file.display());
        let rossi = old.household(hits[0].id).expect("Rossi");
        assert_eq!(rossi.code, hits[0].code);
        let names: Vec<_> = rossi.members.iter().map(|m| m.first_name.as_str()).collect();
        assert_eq!(names, ["Anna", "Luca"], "{}", file.display());
        assert!(old.search_households("bianchi", 5).expect("search").is_empty(), "erased");
        assert_eq!(old.erased_households(None).expect("erased").len(), 1, "{}: the Bianchi", file.display());
        let trainings = old.trainings().expect("trainings");
        assert_eq!(trainings.len(), 1);
        // Before issue 15 (v7 and older) Olga has no times: the whole
        // session; since, her signed 80 minutes of 90. Either completes it.
        let olga = &trainings[0].attendees[0];
        let minutes = if version < 8 { 90 } else { 80 };
        assert_eq!((olga.attended_minutes, olga.completed), (minutes, true), "{}", file.display());
        // The projection of the old file, opened today (migrated or
        // re-projected), is what today's code derives from its documents.
        let opened = old.projection_dump().expect("dump");
        old.rebuild_projection().expect("rebuild");
        assert!(
            opened == old.projection_dump().expect("dump"),
            "{}: after opening, the projection differs from a rebuild from the documents (a migration that \
             left rows behind, or a projection change without a new projection version)",
            file.display()
        );
        assert_eq!(old.integrity_check().expect("integrity"), "ok");
        // The file of today's schema version holds what today's code makes.
        if version == migrations() {
            let (today_path, _) = make(tmp.path(), "today.db");
            let mut today = Store::open(&today_path, &key(), register::env()).expect("reopen");
            let docs = today.doc_refs().expect("docs");
            let same = old.doc_refs().expect("docs") == docs
                && old.fingerprint(&docs).expect("fp") == today.fingerprint(&docs).expect("fp")
                && old.projection_dump().expect("dump") == today.projection_dump().expect("dump");
            assert!(
                same,
                "{}: today's code makes another register file of schema version {version} (other documents, \
                 changes or rows). If the write path or tests/frozen_formats/register.rs changed on purpose, \
                 delete this file and rewrite it with `{}`",
                file.display(),
                fixture::REGENERATE
            );
        }
    }
}

trait OrExplain<T> {
    fn unwrap_or_explain(self, file: &Path) -> T;
}

impl<T> OrExplain<T> for crdt_sync::Result<T> {
    fn unwrap_or_explain(self, file: &Path) -> T {
        self.unwrap_or_else(|e| {
            panic!(
                "{}: a register file of an earlier build no longer opens ({e}). A migration or a change of \
                 the key or cipher settings would strand every laptop's register: add a migration instead \
                 (crdt-sync/migrations/, never edit one that landed)",
                file.display()
            )
        })
    }
}

/// Issue 14: a register written by a newer app (a laptop updated, then
/// rolled back by hand, or a file copied from a newer laptop) is refused
/// by an older app with `NewerDatabase`, and not one byte of it changes:
/// the newer app opens it again as it left it.
#[test]
fn a_register_from_a_newer_app_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (path, _) = make(tmp.path(), "newer.db");
    let newer = migrations() + 1;
    {
        let conn = Connection::open(&path).expect("open");
        key_connection(&conn, &key(), &path).expect("key");
        conn.execute_batch(&format!("PRAGMA user_version = {newer}; PRAGMA wal_checkpoint(TRUNCATE);"))
            .expect("a newer app's schema version");
    }
    let files = |p: &Path| -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<_> = std::fs::read_dir(p)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|f| std::fs::metadata(f).is_ok_and(|m| m.len() > 0))
            .map(|f| {
                (
                    f.file_name().expect("name").to_string_lossy().into_owned(),
                    std::fs::read(&f).expect("read"),
                )
            })
            .collect();
        out.sort();
        out
    };
    let before = files(tmp.path());
    match Store::open(&path, &key(), register::env()) {
        Err(crdt_sync::Error::NewerDatabase { found, supported }) => {
            assert_eq!((found, supported), (newer, migrations()));
        }
        Ok(_) => panic!("an older app opened a newer register"),
        Err(e) => panic!("refused for another reason: {e}"),
    }
    let after = files(tmp.path());
    assert_eq!(
        before.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        after.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "no file with content appeared or went"
    );
    assert!(before == after, "the register's bytes changed when an older app refused it");
    assert_eq!(user_version(&path), newer);
}
