//! The first encrypted store of a process, opened while other threads are
//! first touching SQLite.
//!
//! SQLite lets other threads open connections before SQLCipher has
//! finished its own initialisation; a connection keyed in that window was
//! refused ("An error occurred with PRAGMA key or rekey"). It happened
//! twice in CI, each time to the first store a test binary created while
//! its other tests started. Only the first SQLite use of a process can hit
//! it, so each round runs in a fresh child process: this binary re-runs
//! itself with `FIRST_OPEN_CHILD` set.
//!
//! The window is narrow: the thread initialising SQLite holds SQLite's main
//! mutex through SQLCipher's initialisation, and a new connection waits for
//! that mutex while loading auto-extensions; only a thread that got past
//! that point while the initialising one was descheduled, a few
//! instructions earlier, is refused. Without `sqlcipher_ready` (in
//! `crdt-sync/src/store/open.rs`) this test passed 240 rounds on an idle
//! 2-core machine, so it guards the scenario rather than reproducing the
//! race on demand; the reasoning is in that function's comment.

use std::sync::{Arc, Barrier};

use crdt_sync::{SeededEnv, Store};
use taccuino_tests::fixture;

/// Child processes, each a fresh start of SQLite.
const ROUNDS: usize = 40;
/// Threads per child that open plain in-memory connections.
const PLAIN: usize = 3;
/// Threads per child that create an encrypted store.
const KEYED: usize = 3;

fn child() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let barrier = Arc::new(Barrier::new(PLAIN + KEYED));
    let mut threads = Vec::new();
    for i in 0..PLAIN + KEYED {
        let barrier = Arc::clone(&barrier);
        let path = dir.path().join(format!("register-{i}.taccuino"));
        threads.push(std::thread::spawn(move || {
            barrier.wait();
            if i < PLAIN {
                rusqlite::Connection::open_in_memory().map(drop).map_err(|e| e.to_string())
            } else {
                let env = Box::new(SeededEnv::with_seed(i as u64));
                Store::create(&path, &fixture::key(7), fixture::device(i as u128, 1), env)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
        }));
    }
    for (i, t) in threads.into_iter().enumerate() {
        if let Err(e) = t.join().expect("the thread ran") {
            eprintln!("thread {i}: {e}");
            std::process::exit(3);
        }
    }
}

#[test]
fn the_first_store_of_a_process_opens_while_other_threads_start_sqlite() {
    if std::env::var_os("FIRST_OPEN_CHILD").is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().expect("this test binary");
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let out = std::process::Command::new(&exe)
            .args(["the_first_store_of_a_process_opens_while_other_threads_start_sqlite", "--exact"])
            .env("FIRST_OPEN_CHILD", "1")
            .output()
            .expect("the child runs");
        if !out.status.success() {
            failures.push(format!("round {round}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
    }
    assert!(failures.is_empty(), "{} of {ROUNDS} rounds failed:\n{}", failures.len(), failures.join("\n"));
}
