//! The test kit: the registers the tests of this crate and of the crates
//! above it build, in one place. Compiled for this crate's tests, and for
//! other crates with the `testing` feature (their `[dev-dependencies]`
//! only: nothing shipped links it).
//!
//! A separate crate cannot hold these: this crate's own unit tests would
//! then link a second copy of it, whose `Store` is another type.
//!
//! - [`d`], [`config`], [`store`]: a date, a device's configuration and an
//!   in-memory store (device, project and code range as parameters: a test
//!   of codes or of fingerprints says which it needs).
//! - [`register`]: a small register built by hand, two labs, every figure
//!   the indicators and exports tests expect worked out in its comments.
//! - [`one_family`]: one lab and one family with names no other data uses,
//!   and the moves the erasure and insider tests make with them.
//! - [`chunks`]: automerge chunks built or rewritten byte by byte (bombs,
//!   forged op counts, missing dependencies), for the scan's, the store's
//!   and the hub's tests of hostile bytes.

use std::ops::RangeInclusive;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::codes::CodeRange;
use crate::env::SeededEnv;
use crate::ids::{DeviceId, ProjectId};
use crate::store::{DeviceConfig, Store};

pub mod chunks;
pub mod one_family;
pub mod register;

/// A date, for tests: `d(2025, 1, 31)`.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Device `device` (its id is the number) of project `project`, assigning
/// the family codes `codes`. Two stores that sync need ranges that do not
/// overlap; a test of codes picks the range its figures need.
pub fn config(device: u128, project: u128, codes: RangeInclusive<u32>) -> DeviceConfig {
    DeviceConfig {
        device: DeviceId(Uuid::from_u128(device)),
        project: ProjectId(Uuid::from_u128(project)),
        codes: CodeRange::new(*codes.start(), *codes.end()).expect("a valid code range"),
    }
}

/// An in-memory store for [`config`]`(device, project, codes)`, its clock
/// and ids seeded with the device number (so the same call builds the same
/// store every time, and two devices draw different ids).
pub fn store(device: u128, project: u128, codes: RangeInclusive<u32>) -> Store {
    Store::in_memory(config(device, project, codes), Box::new(SeededEnv::with_seed(device as u64)))
        .expect("in-memory store")
}
