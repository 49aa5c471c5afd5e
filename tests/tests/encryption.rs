//! Encryption at rest: what someone who copies the database file (and its
//! `-wal` and `-shm` side files) can and cannot learn, and what opening with
//! a wrong key, opening something that is not a database, opening nothing
//! and creating over something do to the files (nothing).
//!
//! New tests about the file on disk (erasure leaving no bytes behind,
//! re-keying, backups) go here.

use std::path::Path;

use crdt_sync::{DocRef, Error, Families, HouseholdId, Key, Meetings, Replication, SeededEnv, Store};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use taccuino_tests::files::{self, contains_ignoring_case};
use taccuino_tests::fixture::{self, Register, date, household, member};

/// The family whose data must never appear in clear on disk.
const FIRST_NAME: &str = "Zebedeo";
const LAST_NAME: &str = "Quartararo";
const CHILD_NAME: &str = "Ottavia";
const PHONE: &str = "+39 0382 917 4263";
const NEEDLES: [&str; 4] = [FIRST_NAME, LAST_NAME, CHILD_NAME, PHONE];

/// Where the `-shm` file keeps its read marks (`aReadMark[5]` of the WAL
/// index's checkpoint info, after two 48-byte copies of its header and the
/// 4-byte backfill count): see "wal-index format" in SQLite's file format
/// documentation.
const SHM_READ_MARKS: std::ops::Range<usize> = 100..120;

/// Every plain SQLite file starts with this.
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

fn env() -> Box<SeededEnv> {
    Box::new(SeededEnv::with_seed(11))
}

/// A database at `db` under `key` holding the register and the Quartararo
/// family (who also attended a meeting), still open.
fn register_the_quartararos(db: &Path, key: &Key) -> (Store, HouseholdId) {
    let mut store = Store::create(db, key, fixture::device(1, 1), env()).expect("create");
    let register = Register::ensure(&mut store, 2).expect("register");
    let id = store
        .create_household(household(
            register.lab,
            member(FIRST_NAME, LAST_NAME, Some(1979)),
            vec![member(CHILD_NAME, LAST_NAME, Some(2013))],
            PHONE,
        ))
        .expect("register the family");
    let members = store.household(id).expect("the family").members;
    let attendance = members.iter().map(|m| crdt_sync::Attendance { household: id, member: m.id }).collect();
    store.create_meeting(register.meeting(date(2026, 10, 20), attendance)).expect("a meeting they attended");
    (store, id)
}

/// Panics if any file in `dir` (the database, its side files, anything
/// SQLite left there) holds a needle, in any letter case.
fn assert_nothing_in_clear(dir: &Path, when: &str) {
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).expect("list the directory") {
        let path = entry.expect("a directory entry").path();
        let bytes = std::fs::read(&path).expect("read a file");
        seen += bytes.len();
        for needle in NEEDLES {
            assert!(
                !contains_ignoring_case(&bytes, needle.as_bytes()),
                "{when}: {} holds {needle:?} in clear",
                path.display()
            );
        }
        assert!(!bytes.starts_with(SQLITE_HEADER), "{when}: {} is a plain SQLite file", path.display());
    }
    assert!(seen > 4096, "{when}: the files hold nearly nothing ({seen} bytes)");
}

fn assert_wrong_key_or_not_a_database(result: crdt_sync::Result<Store>, db: &Path, what: &str) {
    match result {
        Err(Error::WrongKeyOrNotADatabase { path }) => assert_eq!(path, db, "{what}"),
        Err(other) => panic!("{what}: expected WrongKeyOrNotADatabase, got {other:?}"),
        Ok(_) => panic!("{what}: opened"),
    }
}

#[test]
fn names_and_phone_numbers_are_never_on_disk_in_clear() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("register.taccuino");
    let (mut store, id) = register_the_quartararos(&db, &fixture::key(1));

    // The needles are right: the store holds every one of them, in the
    // projection's rows (which the plain-SQLite control below shows a scan
    // would see). The household document's own bytes are no longer a
    // control: since the family carries its legal-basis record, its
    // document is large enough for automerge to deflate its columns, so the
    // names are not in clear there even before encryption.
    assert_eq!(store.search_households("quartar", 5).expect("search")[0].id, id);
    let family = store.household(id).expect("the family");
    let mut held: Vec<String> =
        family.members.iter().flat_map(|m| [m.first_name.clone(), m.last_name.clone()]).collect();
    held.push(family.contacts.phone.clone());
    for needle in NEEDLES {
        assert!(held.iter().any(|v| v == needle), "the control failed: the store does not hold {needle:?}");
    }
    assert!(!store.export_doc(DocRef::household(id)).expect("export").is_empty());

    // And the scan sees data in SQLite pages: a plain SQLite file holding
    // the same values (in a table and a full-text index) shows them.
    let plain = dir.path().join("control").join("plain.sqlite");
    std::fs::create_dir(plain.parent().expect("a parent")).expect("a directory for the control");
    let conn = rusqlite::Connection::open(&plain).expect("a plain SQLite file");
    conn.execute_batch("CREATE TABLE t (v TEXT); CREATE VIRTUAL TABLE s USING fts5 (v);").expect("tables");
    for needle in NEEDLES {
        conn.execute("INSERT INTO t VALUES (?1)", [needle]).expect("insert");
        conn.execute("INSERT INTO s VALUES (?1)", [needle]).expect("insert");
    }
    drop(conn);
    let bytes = std::fs::read(&plain).expect("read the control");
    for needle in NEEDLES {
        assert!(contains_ignoring_case(&bytes, needle.as_bytes()), "the scan misses {needle:?} in clear");
    }
    std::fs::remove_dir_all(plain.parent().expect("a parent")).expect("remove the control");

    // Open: recent pages are in the -wal file.
    assert!(files::with_suffix(&db, "-wal").exists(), "an open store has a -wal file");
    assert_nothing_in_clear(dir.path(), "while the store is open");
    drop(store);
    assert_nothing_in_clear(dir.path(), "after the store closed");
}

#[test]
fn a_wrong_key_is_refused_and_changes_no_byte() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("register.taccuino");
    let right = fixture::key(1);
    let (store, id) = register_the_quartararos(&db, &right);
    drop(store);

    let before = files::digests(&db);
    for (n, wrong) in [fixture::key(2), fixture::key(0), fixture::key(0xFF)].iter().enumerate() {
        assert_wrong_key_or_not_a_database(Store::open(&db, wrong, env()), &db, "wrong key");
        assert_eq!(files::digests(&db), before, "wrong key {n} changed the files");
    }

    let mut store = Store::open(&db, &right, env()).expect("the right key still opens it");
    let family = store.household(id).expect("the family is there");
    let reference = family.reference_member().expect("a reference person");
    assert_eq!(reference.first_name, FIRST_NAME);
    assert_eq!(family.contacts.phone, PHONE);
}

#[test]
fn a_wrong_key_while_the_app_has_the_file_open_disturbs_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("register.taccuino");
    let right = fixture::key(1);
    let (mut store, id) = register_the_quartararos(&db, &right);

    // The app is running: the -wal and -shm files exist and are in use.
    let before = files::read_all(&db);
    assert_eq!(before.len(), 3, "database, -wal and -shm: {:?}", before.keys());
    assert_wrong_key_or_not_a_database(Store::open(&db, &fixture::key(2), env()), &db, "wrong key");
    let after = files::read_all(&db);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
    assert!(after[""] == before[""], "the wrong key changed the database file");
    assert!(after["-wal"] == before["-wal"], "the wrong key changed the -wal file");
    // The -shm file is the WAL's shared-memory index, not data: any reader
    // that begins a read transaction (as the wrong key's probe does before
    // it fails to decrypt page 1) records the frame it reads up to in a
    // read-mark slot. Nothing else in it may change.
    let (shm_before, shm_after) = (&before["-shm"], &after["-shm"]);
    assert_eq!(shm_before.len(), shm_after.len(), "the -shm file changed size");
    let changed: Vec<usize> = (0..shm_before.len()).filter(|i| shm_before[*i] != shm_after[*i]).collect();
    assert!(
        changed.iter().all(|i| SHM_READ_MARKS.contains(i)),
        "the wrong key changed the -shm file outside the read marks, at {changed:?}"
    );

    // The running store goes on working, and its write is there next time.
    let m = store.add_member(id, member("Ugo", LAST_NAME, Some(2016))).expect("write");
    drop(store);
    let mut store = Store::open(&db, &right, env()).expect("reopen");
    assert!(store.household(id).expect("family").members.iter().any(|x| x.id == m));
}

#[test]
fn files_that_are_not_databases_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut random = |n: usize| {
        let mut b = vec![0u8; n];
        rng.fill_bytes(&mut b);
        b
    };
    let plain_sqlite = {
        let p = dir.path().join("plain.sqlite");
        let conn = rusqlite::Connection::open(&p).expect("a plain SQLite file");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES ('ciao');").expect("write it");
        drop(conn);
        std::fs::read(&p).expect("read it")
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("random bytes, a few pages", random(3 * 4096)),
        ("random bytes, less than a page", random(700)),
        ("a few random bytes", random(10)),
        (
            "a text file",
            "Verbale dell'incontro del 3 marzo: presenti 12 famiglie.\n".repeat(100).into_bytes(),
        ),
        ("the plain SQLite header only", SQLITE_HEADER.to_vec()),
        ("an unencrypted SQLite database", plain_sqlite),
    ];
    for (i, (what, bytes)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("case-{i}.taccuino"));
        std::fs::write(&path, &bytes).expect("write the file");
        let before = files::digests(&path);
        assert_wrong_key_or_not_a_database(Store::open(&path, &fixture::key(1), env()), &path, what);
        assert_eq!(files::digests(&path), before, "{what}: the files changed");
    }
}

#[test]
fn an_empty_file_is_not_a_database_and_stays_empty() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("empty.taccuino");
    std::fs::write(&path, b"").expect("an empty file");
    let before = files::digests(&path);
    assert_wrong_key_or_not_a_database(Store::open(&path, &fixture::key(1), env()), &path, "an empty file");
    assert_eq!(files::digests(&path), before, "the empty file changed");
}

#[test]
fn open_needs_a_database_and_create_never_overwrites() {
    let dir = tempfile::tempdir().expect("a temporary directory");

    let missing = dir.path().join("missing.taccuino");
    match Store::open(&missing, &fixture::key(1), env()) {
        Err(Error::NoDatabase { path }) => assert_eq!(path, missing),
        other => panic!("expected NoDatabase, got {other:?}"),
    }
    assert!(files::read_all(&missing).is_empty(), "open created a file at a missing path");
    let in_missing_dir = dir.path().join("nowhere").join("x.taccuino");
    assert!(matches!(Store::open(&in_missing_dir, &fixture::key(1), env()), Err(Error::NoDatabase { .. })));
    assert!(!in_missing_dir.parent().expect("a parent").exists());

    // Over a database, over a text file and over an empty file alike.
    let db = dir.path().join("register.taccuino");
    let (store, id) = register_the_quartararos(&db, &fixture::key(1));
    drop(store);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "appunti").expect("a text file");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"").expect("an empty file");
    for path in [&db, &text, &empty] {
        let before = files::digests(path);
        for key in [fixture::key(1), fixture::key(2)] {
            match Store::create(path, &key, fixture::device(2, 5001), env()) {
                Err(Error::AlreadyExists { path: p }) => assert_eq!(&p, path),
                other => panic!("{}: expected AlreadyExists, got {other:?}", path.display()),
            }
        }
        assert_eq!(files::digests(path), before, "{}: create changed it", path.display());
    }
    let mut store = Store::open(&db, &fixture::key(1), env()).expect("still opens");
    let family = store.household(id).expect("family");
    assert_eq!(family.reference_member().expect("reference").last_name, LAST_NAME);
}
