//! Helpers shared by the workspace-level tests in `tests/tests/`.
//!
//! - [`crash`]: what the crash test and its child process agree on.
//! - [`fixture`]: ids, keys and a small lab register that tests (and the
//!   `crash_writer` child process) build on.
//! - [`snapshot`]: everything a store shows from outside, to prove that a
//!   refused operation changed nothing.
//! - [`files`]: the database file and its SQLite side files, as bytes.
//! - [`seed`]: seeds for randomised tests, printed so a failure can be replayed.
//! - [`hub_process`]: a real `taccuino-hub serve` on a loopback port.
//! - [`sim`]: one sync connection run in turns without a network, counting
//!   round trips exactly (the simulation tests and the hub's sync benchmark).
//!
//! Helpers go here once two test files need them; a helper used by one test
//! file stays in that file.

pub mod crash;
pub mod files;
pub mod fixture;
pub mod hub_process;
pub mod seed;
pub mod sim;
pub mod snapshot;
