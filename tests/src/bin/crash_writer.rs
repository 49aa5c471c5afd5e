//! The child process of the crash test (`tests/tests/crash.rs`).
//!
//! `crash_writer <database> <seed>` opens the encrypted database at
//! `<database>` (creating it on the first run), makes sure it holds the test
//! register ([`Register::ensure`], idempotent), prints `ready`, then records
//! meetings without pausing until it is killed. Around each
//! [`Store::create_meeting`] it prints, flushing every line:
//!
//! ```text
//! writing
//! committed <meeting id>
//! ```
//!
//! `committed` is printed only after the call returned, so the parent may
//! demand every id it read to survive the kill; a last `writing` with no
//! `committed` after it means the kill landed inside the call.
//!
//! It stops by itself only on an error (exit code 1, the error on stderr)
//! or when stdout is closed, so it never outlives a parent that died.
//!
//! `crash_writer device <database> <link file> <seed>` is a laptop paired
//! with a real hub instead: see [`device`].

// The device mode lives beside this file (a file directly in `src/bin/`
// would be a binary of its own).
#[path = "crash_writer/device.rs"]
mod device;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Duration, NaiveTime};
use crdt_sync::{ActivityType, Environment, Meetings, NewMeeting, Store, SystemEnv};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use taccuino_tests::crash;
use taccuino_tests::crash::{COMMITTED, READY, WRITING};
use taccuino_tests::fixture::{self, Register};

/// Families in the register: enough for attendance to vary.
const FAMILIES: usize = 6;

fn main() -> ExitCode {
    let result = match std::env::args_os().nth(1) {
        Some(mode) if mode == "device" => device::run(),
        _ => run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crash_writer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let usage = "usage: crash_writer <database> <seed>";
    let path = PathBuf::from(args.next().ok_or(usage)?);
    let seed: u64 = args.next().ok_or(usage)?.to_string_lossy().parse()?;

    let key = crash::key();
    let env = Box::new(SystemEnv);
    let mut store = if path.exists() {
        Store::open(&path, &key, env)?
    } else {
        Store::create(&path, &key, fixture::device(1, 1), env)?
    };
    let register = Register::ensure(&mut store, FAMILIES)?;
    let activities: Vec<String> = ActivityType::defaults().into_iter().map(|t| t.key).collect();

    let mut out = std::io::stdout().lock();
    writeln!(out, "{READY}")?;
    out.flush()?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for n in 0u64.. {
        let m = meeting(&register, &activities, &mut rng, format!("Incontro {n} (seed {seed})"))?;
        writeln!(out, "{WRITING}")?;
        out.flush()?;
        let id = store.create_meeting(m)?;
        writeln!(out, "{COMMITTED}{id}")?;
        out.flush()?;
    }
    Ok(())
}

/// A meeting of the register's lab in the last year, with random attendance,
/// hours, activity and notes, titled `theme`.
fn meeting(
    register: &Register,
    activities: &[String],
    rng: &mut ChaCha8Rng,
    theme: String,
) -> Result<NewMeeting, Box<dyn std::error::Error>> {
    let date = SystemEnv.today() - Duration::days(rng.random_range(0..365));
    let present = rng.random_range(2..=8);
    let attendance = register.attendees.choose_multiple(rng, present).copied().collect();
    let mut m = register.meeting(date, attendance);
    let start = rng.random_range(8..18);
    m.start = NaiveTime::from_hms_opt(start, 0, 0).ok_or("start hour")?;
    m.end = NaiveTime::from_hms_opt(start + rng.random_range(1..=3), 30, 0).ok_or("end hour")?;
    m.activity = activities.choose(rng).ok_or("activity types")?.clone();
    m.theme = theme;
    m.guests = rng.random_range(0..6);
    // Notes of varying length, so that transactions vary in size.
    m.notes = "Merenda, compiti, giochi in cortile. ".repeat(rng.random_range(0..40));
    Ok(m)
}
