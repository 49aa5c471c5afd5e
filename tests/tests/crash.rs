//! Crash test: a writer killed with SIGKILL at random moments, mostly in the
//! middle of a write, loses no meeting it reported as saved and leaves a
//! database that opens, passes SQLite's integrity check, and whose
//! projection matches its documents without needing repair.
//!
//! The writer is a separate process (`src/bin/crash_writer.rs`) because only
//! a process can be killed half-way through a transaction. Each trial
//! starts it on the same database, kills it, and checks the file. The seed
//! is printed; `TACCUINO_CRASH_SEED=<seed>` replays the same kill schedule
//! (the exact kill moments still depend on timing), and
//! `TACCUINO_CRASH_TRIALS=<n>` changes the number of trials (default 50).
//!
//! New crash scenarios (kills during other operations: compaction, sync,
//! erasure) go here, each as its own `#[test]` with its own child mode.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crdt_sync::{DocRef, Maintenance, MeetingId, Meetings, Replication, Store, SystemEnv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use taccuino_tests::crash::{self, COMMITTED, READY, WRITING};
use taccuino_tests::seed;

/// How long a child may take to print what the parent waits for before the
/// test gives up (a hang, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(120);

/// SIGKILL's number on every Unix.
const SIGKILL: i32 = 9;

/// When the parent kills the child.
#[derive(Clone, Copy, Debug)]
enum KillWhen {
    /// Right after reading the n-th `committed` line: lands in the next write.
    Committed(usize),
    /// This many milliseconds after `ready`: anywhere in the write loop.
    MsAfterReady(u64),
    /// This many milliseconds after starting: possibly while it opens the
    /// store (never on the first trial, which creates it).
    MsAfterSpawn(u64),
}

/// Kills the child if a trial panics half-way, so that no writer outlives
/// the test.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What one trial's child printed.
struct Trial {
    lines: Vec<String>,
}

impl Trial {
    fn committed(&self) -> impl Iterator<Item = MeetingId> + '_ {
        self.lines.iter().filter_map(|l| {
            l.strip_prefix(COMMITTED).map(|id| id.parse().expect("the child prints meeting ids"))
        })
    }

    /// Whether the kill landed inside `create_meeting`.
    fn killed_mid_write(&self) -> bool {
        self.lines.last().map(String::as_str) == Some(WRITING)
    }

    fn killed_before_ready(&self) -> bool {
        !self.lines.iter().any(|l| l == READY)
    }
}

/// Starts the writer on `db`, kills it as `kill` says, and returns what it
/// printed (all of it, including lines still in the pipe at the kill).
fn run_writer(db: &Path, seed: u64, kill: KillWhen, stderr: &Path) -> Trial {
    let child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .arg(db)
        .arg(seed.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(File::create(stderr).expect("create the child's stderr file"))
        .spawn()
        .expect("start crash_writer");
    let mut child = Reaper(child);
    let stdout = child.0.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut lines = Vec::new();
    let child_error = |lines: &[String]| {
        format!(
            "crash_writer stopped before it was killed; last line {:?}; stderr: {}",
            lines.last(),
            std::fs::read_to_string(stderr).unwrap_or_default()
        )
    };
    let wait_for = |lines: &mut Vec<String>, done: &dyn Fn(&[String]) -> bool| {
        while !done(lines) {
            match rx.recv_timeout(PATIENCE) {
                Ok(line) => lines.push(line),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("crash_writer printed nothing for {PATIENCE:?}")
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}", child_error(lines)),
            }
        }
    };
    match kill {
        KillWhen::Committed(n) => {
            wait_for(&mut lines, &|l| l.iter().filter(|l| l.starts_with(COMMITTED)).count() >= n)
        }
        KillWhen::MsAfterReady(ms) => {
            wait_for(&mut lines, &|l| l.iter().any(|l| l == READY));
            std::thread::sleep(Duration::from_millis(ms));
        }
        KillWhen::MsAfterSpawn(ms) => {
            std::thread::sleep(Duration::from_millis(ms).saturating_sub(started.elapsed()))
        }
    }
    child.0.kill().expect("send SIGKILL");
    let status = child.0.wait().expect("reap the child");
    assert_eq!(status.signal(), Some(SIGKILL), "{} (status {status})", child_error(&lines));
    reader.join().expect("the reader thread does not panic");
    lines.extend(rx.try_iter());
    Trial { lines }
}

/// The `documents` table as the crash left it, read without `Store`, whose
/// `open` would repair a stale projection before anyone could see it:
/// document key to (heads, projected heads).
fn documents_as_left(db: &Path) -> BTreeMap<String, (Vec<u8>, Option<Vec<u8>>)> {
    let conn = rusqlite::Connection::open(db).expect("open the file raw");
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode([crash::KEY_BYTE; 32])))
        .expect("set the key");
    let mut stmt =
        conn.prepare("SELECT doc_key, heads, projected_heads FROM documents").expect("the documents table");
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .expect("read documents")
        .collect::<rusqlite::Result<_>>()
        .expect("read documents")
}

/// Heads as the store writes them in `documents`: sorted, concatenated.
fn encode_heads(store: &mut Store, r: DocRef) -> Vec<u8> {
    let mut heads = store.heads(r).expect("heads of a listed document");
    heads.sort();
    heads.iter().flat_map(|h| h.0).collect()
}

/// Everything the file must satisfy after a kill, given every meeting id any
/// child reported as committed so far and how many trials have run.
fn check_after_kill(db: &Path, committed: &[MeetingId], trials: usize, context: &str) {
    let left = documents_as_left(db);
    for (doc, (heads, projected)) in &left {
        assert_eq!(
            Some(heads),
            projected.as_ref(),
            "{context}: {doc} was left with a projection of other heads: \
             its rows did not commit with its changes"
        );
    }

    let mut store = Store::open(db, &crash::key(), Box::new(SystemEnv))
        .unwrap_or_else(|e| panic!("{context}: the database does not open: {e}"));
    let integrity = store.integrity_check().expect("run integrity_check");
    assert_eq!(integrity, "ok", "{context}: integrity_check");

    // The heads recorded in `documents` are those of the chunks stored
    // with them, so the projection written with them was of these changes.
    let docs = store.doc_refs().expect("doc_refs");
    assert_eq!(
        docs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        left.keys().cloned().collect::<Vec<_>>(),
        "{context}: documents"
    );
    for r in &docs {
        assert_eq!(
            &encode_heads(&mut store, *r),
            &left[&r.to_string()].0,
            "{context}: {r}'s stored chunks and its recorded heads disagree"
        );
    }
    assert_eq!(
        store.check_projection().expect("check_projection"),
        0,
        "{context}: stale projection after open"
    );

    for id in committed {
        let m = store
            .meeting(*id)
            .unwrap_or_else(|e| panic!("{context}: meeting {id} was reported committed: {e}"));
        assert!(m.attendance.len() >= 2, "{context}: meeting {id} lost its attendance: {m:?}");
    }
    // Each kill can leave at most one meeting that committed but was not
    // reported (killed between the commit and the line); no more.
    let rows = store.count_rows("meetings").expect("count meetings");
    let rows = usize::try_from(rows).expect("a count");
    assert!(
        (committed.len()..=committed.len() + trials).contains(&rows),
        "{context}: {rows} meetings stored, {} reported committed over {trials} kills",
        committed.len()
    );
    let attendance = store.count_rows("attendance").expect("count attendance");
    assert!(attendance >= 2 * committed.len() as i64, "{context}: attendance rows");

    let incremental = store.projection_dump().expect("dump");
    store.rebuild_projection().expect("rebuild");
    let rebuilt = store.projection_dump().expect("dump");
    if incremental != rebuilt {
        let first = incremental
            .iter()
            .zip(&rebuilt)
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("{a}\n  vs rebuilt\n{b}"));
        panic!(
            "{context}: the projection differs from a rebuild ({} rows vs {}); first difference: {first:?}",
            incremental.len(),
            rebuilt.len()
        );
    }
}

#[test]
fn killed_writer_keeps_every_committed_meeting_and_a_consistent_projection() {
    let seed = seed::from_env("TACCUINO_CRASH_SEED");
    let trials: usize = std::env::var("TACCUINO_CRASH_TRIALS")
        .ok()
        .map(|s| s.parse().expect("TACCUINO_CRASH_TRIALS is a number"))
        .unwrap_or(50);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("crash.taccuino");
    let stderr = dir.path().join("crash_writer.stderr");

    let started = Instant::now();
    let mut committed: Vec<MeetingId> = Vec::new();
    let (mut mid_write, mut before_ready) = (0, 0);
    for trial in 0..trials {
        let kill = match (trial, rng.random_range(0..3)) {
            // The first child creates the database. `Store::create` is not
            // atomic (a kill inside it leaves a file that never opens), a
            // known gap that is not this test's subject: let it finish.
            (0, _) => KillWhen::Committed(rng.random_range(1..=5)),
            (_, 0) => KillWhen::Committed(rng.random_range(1..=20)),
            (_, 1) => KillWhen::MsAfterReady(rng.random_range(0..150)),
            _ => KillWhen::MsAfterSpawn(rng.random_range(0..400)),
        };
        let out = run_writer(&db, rng.random(), kill, &stderr);
        committed.extend(out.committed());
        mid_write += usize::from(out.killed_mid_write());
        before_ready += usize::from(out.killed_before_ready());
        let context = format!("seed {seed}, trial {trial} ({kill:?}, last line {:?})", out.lines.last());
        check_after_kill(&db, &committed, trial + 1, &context);
    }
    println!(
        "{trials} kills in {:.1?}: {} meetings committed, {mid_write} kills inside create_meeting, \
         {before_ready} before the store was open",
        started.elapsed(),
        committed.len()
    );
    assert!(mid_write > 0, "no kill landed inside create_meeting: the test did not test crashes mid-write");
}
