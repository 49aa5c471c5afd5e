//! Reading, comparing and (on purpose only) rewriting committed fixtures.
//!
//! A fixture is rewritten only when `TACCUINO_UPDATE_FIXTURES=1` is set;
//! otherwise a difference fails the test with the fixture's path and the
//! one command that rewrites it, so a format never changes by accident.

use std::path::PathBuf;

/// The variable that turns the tests into the fixtures' writer.
pub const UPDATE: &str = "TACCUINO_UPDATE_FIXTURES";

/// The command a developer runs to rewrite the fixtures on purpose.
pub const REGENERATE: &str =
    "TACCUINO_UPDATE_FIXTURES=1 cargo test -p taccuino-crdt-sync --test frozen_formats";

/// Whether this run rewrites the fixtures.
pub fn updating() -> bool {
    std::env::var_os(UPDATE).is_some_and(|v| v == "1")
}

/// The path of fixture `name` (`documents/lab.automerge`).
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The committed bytes of fixture `name`.
pub fn read(name: &str) -> Vec<u8> {
    let p = path(name);
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!("fixture {} is missing ({e}); to create it on purpose: {REGENERATE}", p.display())
    })
}

/// Writes fixture `name` (update mode only), saying so on the test's output.
pub fn write(name: &str, bytes: &[u8]) {
    assert!(updating(), "fixtures are written only with {UPDATE}=1");
    let p = path(name);
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir).expect("fixture directory");
    }
    std::fs::write(&p, bytes).expect("write fixture");
    eprintln!("{UPDATE}=1: rewrote {} ({} bytes); commit it with the reason why", p.display(), bytes.len());
}

/// Compares what today's code makes with fixture `name`, or rewrites the
/// fixture in update mode. `what` says which format this freezes, and
/// `advice` what a deliberate change must also do (bump a version...).
pub fn check(name: &str, today: &[u8], what: &str, advice: &str) {
    if updating() {
        write(name, today);
        return;
    }
    let committed = read(name);
    if committed != today {
        panic!(
            "{what} changed: today's code no longer makes fixture {} ({} bytes committed, {} today; first \
             difference at byte {}).\n{advice}\nIf the change is on purpose, rewrite the fixture with `{REGENERATE}` \
             and commit it with the reason why.{}",
            path(name).display(),
            committed.len(),
            today.len(),
            committed.iter().zip(today).position(|(a, b)| a != b).unwrap_or(committed.len().min(today.len())),
            text_diff(&committed, today),
        );
    }
}

/// The first differing line of two text fixtures, to say what changed.
fn text_diff(committed: &[u8], today: &[u8]) -> String {
    let (Ok(a), Ok(b)) = (std::str::from_utf8(committed), std::str::from_utf8(today)) else {
        return String::new();
    };
    let mut a_lines = a.lines();
    let mut b_lines = b.lines();
    for n in 1.. {
        match (a_lines.next(), b_lines.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "\nfirst different line, {n}:\n  committed: {}\n  today:     {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                );
            }
        }
    }
    String::new()
}
