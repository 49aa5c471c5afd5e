//! What the crash test (`tests/tests/crash.rs`) and its child process
//! (`src/bin/crash_writer.rs`) agree on: the key, and the lines the child
//! prints.

use crdt_sync::Key;

use crate::fixture;

/// The key of the crash test's database.
pub fn key() -> Key {
    fixture::key(KEY_BYTE)
}

/// The byte [`key`] is made of (the parent also reads the file without the
/// store, and needs the raw key for that).
pub const KEY_BYTE: u8 = 0xC4;

/// Printed once the store is open and holds the register.
pub const READY: &str = "ready";

/// Printed just before each `create_meeting`.
pub const WRITING: &str = "writing";

/// Printed, followed by the meeting's id, just after `create_meeting`
/// returned: that meeting is durable.
pub const COMMITTED: &str = "committed ";
