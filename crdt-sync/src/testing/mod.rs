//! The test kit: the registers the tests of this crate and of the crates
//! above it build, in one place. Compiled for this crate's tests, and for
//! other crates with the `testing` feature (their `[dev-dependencies]`
//! only: nothing shipped links it).
//!
//! A separate crate cannot hold these: this crate's own unit tests would
//! then link a second copy of it, whose `Store` is another type.
//!
//! - [`register`]: a small register built by hand, two labs, every figure
//!   the indicators and exports tests expect worked out in its comments.
//! - [`one_family`]: one lab and one family with names no other data uses,
//!   and the moves the erasure and insider tests make with them.
//! - [`chunks`]: automerge chunks built or rewritten byte by byte (bombs,
//!   forged op counts, missing dependencies), for the scan's, the store's
//!   and the hub's tests of hostile bytes.

use chrono::NaiveDate;

pub mod chunks;
pub mod one_family;
pub mod register;

/// A date, for tests: `d(2025, 1, 31)`.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}
