//! Makes a register directory that the app opens, filled with the large
//! demo data, for the desktop app's benchmark (`ui/e2e/app.bench-e2e.ts`,
//! `docs/benchmarks.md`, "Desktop app").
//!
//! ```text
//! cargo run -p taccuino-app --example bench_register -- DIR large|one-lab PASSPHRASE
//! ```
//!
//! - `large`: `DemoSize::Large`, 10 labs over five years (2,000 families,
//!   about 37,500 attendances); `one-lab`: `DemoSize::LargeOneLab`, lab 1
//!   alone, as a lab's own laptop holds it.
//! - `DIR` gets the three files the app reads (`register.db`, `keys.json`,
//!   `settings.json`). The key is wrapped with Argon2id at
//!   `KdfParams::FLOOR` (64 MiB, two passes): the cheapest wrap the app
//!   itself would make, so unlock times are a lower bound of a real
//!   register's (the app calibrates to about 0.175 s on two lanes, decision 0037).
//! - If `DIR/register.db` exists nothing is made, so the directory can be
//!   cached between runs; unless it was made more than six days ago, since
//!   its meetings end on that day and this week's view would be empty.
//!   The register is built in `DIR.partial` and its files moved into `DIR`
//!   at the end, `register.db` last, so an interrupted run never leaves a
//!   half-filled register that looks cached.
//! - Dates are relative to today (`SystemEnv`), as in the app: the week
//!   view of a register made today shows this week's meetings.
//! - Then, made now or kept, the register is unlocked the way the app's
//!   `unlock` command does it, three times, timing its two halves apart
//!   (which the benchmark cannot do through WebDriver): the Argon2id
//!   unwrap of `keys.json` and `Store::open` (loading every document and
//!   checking the projection). The last line of the output is those
//!   figures as JSON, prefixed with `json: `, for the benchmark to read.
//!   It also times the unwrap with the parameters the app would choose
//!   here (`KdfParams::calibrate_here`, about 0.175 s on two lanes), since a register made
//!   by the app costs that instead of the floor's.
//!   Built in the same profile as the app, these are the same code at the
//!   same optimisation level as in the app.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crdt_sync::{CodeRange, DeviceConfig, DeviceId, ProjectId, ProjectSettings, Store, SystemEnv};
use taccuino_app::settings::Settings;
use taccuino_demo::{self as demo, DemoSize};
use taccuino_keys::{KdfParams, KeyFile};

type BoxResult<T> = Result<T, Box<dyn Error>>;

/// The demo data's seed: the same as the app's "try with the demo data".
const DEMO_SEED: u64 = 2026;

/// A kept register older than this is made again (see [`made_days_ago`]).
const STALE_AFTER_DAYS: u64 = 6;

const USAGE: &str = "usage: bench_register DIR large|one-lab PASSPHRASE";

fn main() {
    if let Err(e) = run() {
        eprintln!("bench_register: {e}");
        std::process::exit(1);
    }
}

fn run() -> BoxResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, size, passphrase] = args.as_slice() else {
        return Err(USAGE.into());
    };
    let size = match size.as_str() {
        "large" => DemoSize::Large,
        "one-lab" => DemoSize::LargeOneLab,
        other => return Err(format!("unknown size {other:?}; {USAGE}").into()),
    };
    let dir = PathBuf::from(dir);
    if dir.join("register.db").exists() && made_days_ago(&dir) > STALE_AFTER_DAYS {
        // Its dates end on the day it was made: this week's view would be
        // empty, and cheaper than a real one.
        println!("{}: register made more than {STALE_AFTER_DAYS} days ago, made again", dir.display());
        for name in ["register.db", "register.db-wal", "register.db-shm", "keys.json", "settings.json"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
    }
    let generated = if dir.join("register.db").exists() {
        println!("{}: register exists, kept", dir.display());
        None
    } else {
        Some(generate(&dir, size, passphrase)?)
    };
    measure(&dir, passphrase, generated)
}

/// Builds the register in `DIR.partial`, then moves it to `dir`; returns
/// the seconds `demo::populate` took.
fn generate(dir: &Path, size: DemoSize, passphrase: &str) -> BoxResult<f64> {
    let mut partial = dir.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    std::fs::create_dir_all(&partial)?;

    let started = Instant::now();
    let key = taccuino_keys::generate_key(&mut rand::rng())?;
    let keys = KeyFile::create(&key, passphrase, KdfParams::FLOOR, &mut rand::rng())?;
    let wrapped = started.elapsed();
    std::fs::write(partial.join("keys.json"), keys.to_json())?;

    let config = DeviceConfig {
        device: DeviceId(uuid::Uuid::now_v7()),
        project: ProjectId(uuid::Uuid::now_v7()),
        codes: CodeRange::new(1, 9999)?,
    };
    let generating = Instant::now();
    let mut store = Store::create(partial.join("register.db"), &key, config, Box::new(SystemEnv))?;
    let summary = demo::populate(&mut store, size, DEMO_SEED)?;
    let generated = generating.elapsed();
    let first_lab = store.labs()?.first().map(|l| l.id);
    // Closing checkpoints the WAL into the file.
    drop(store);

    Settings { lab: first_lab, ..Settings::default() }.save(&partial.join("settings.json"))?;

    std::fs::create_dir_all(dir)?;
    for name in ["keys.json", "settings.json", "register.db-wal", "register.db-shm", "register.db"] {
        let from = partial.join(name);
        if from.exists() {
            std::fs::rename(&from, dir.join(name))?;
        }
    }
    std::fs::remove_dir_all(&partial)?;

    println!(
        "{}: {} labs, {} families, {} meetings, {} attendances, {} writes",
        dir.display(),
        summary.labs,
        summary.households,
        summary.meetings,
        summary.attendances,
        summary.writes
    );
    println!(
        "key wrap (Argon2id {}): {:.2} s; generation: {:.2} s; register.db: {:.1} MiB",
        describe(KdfParams::FLOOR),
        wrapped.as_secs_f64(),
        generated.as_secs_f64(),
        file_mib(&dir.join("register.db"))
    );
    Ok(generated.as_secs_f64())
}

/// Unlocks the register as the app does, three times: the key unwrap
/// (Argon2id) and `Store::open`, timed apart.
fn measure(dir: &Path, passphrase: &str, generated: Option<f64>) -> BoxResult<()> {
    let keys = KeyFile::from_json(std::fs::read(dir.join("keys.json"))?)?;
    let (mut kdf, mut open) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let t = Instant::now();
        let key = keys.unlock(passphrase)?;
        kdf.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let store = Store::open(dir.join("register.db"), &key, Box::new(SystemEnv))?;
        open.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(store);
    }
    // What a register made by the app would cost instead: the app wraps
    // with parameters calibrated here (about 0.175 s on two lanes) (`Kdf::Calibrated`).
    let calibrated = KdfParams::calibrate_here(KdfParams::target_here());
    let wrap = KeyFile::create(&keys.unlock(passphrase)?, passphrase, calibrated, &mut rand::rng())?;
    let t = Instant::now();
    wrap.unlock(passphrase)?;
    let calibrated_ms = t.elapsed().as_secs_f64() * 1000.0;
    let list = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    println!("key unwrap (Argon2id {}), 3 runs: {} ms", describe(keys.kdf_params()), list(&kdf));
    println!("Store::open (load + projection check), 3 runs: {} ms", list(&open));
    println!(
        "a register made by the app (Argon2id calibrated here: {}) would unwrap in {calibrated_ms:.1} ms",
        describe(calibrated)
    );
    let json = serde_json::json!({
        "kdf": describe(keys.kdf_params()),
        "kdf_ms": kdf,
        "store_open_ms": open,
        "calibrated_kdf": describe(calibrated),
        "calibrated_kdf_ms": calibrated_ms,
        "generation_s": generated,
        "register_mib": file_mib(&dir.join("register.db")),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
    });
    println!("json: {json}");
    Ok(())
}

/// Days since `keys.json` was written: only when the register was made
/// (unlocking reads it; the app rewrites it only on a passphrase change).
fn made_days_ago(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("keys.json"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .map_or(u64::MAX, |age| age.as_secs() / 86_400)
}

fn describe(p: KdfParams) -> String {
    format!("{} MiB, t={}, p={}", p.memory_kib() / 1024, p.iterations(), p.parallelism())
}

fn file_mib(path: &Path) -> f64 {
    std::fs::metadata(path).map(|m| m.len() as f64 / (1024.0 * 1024.0)).unwrap_or(0.0)
}
