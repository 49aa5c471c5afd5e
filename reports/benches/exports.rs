//! Exports benchmark: a plain program (`harness = false`) that fills an
//! in-memory store with the demo register and prints how long the merged
//! register takes to export (CSV, zip, XLSX, the PDF registers of a month),
//! the half-yearly monitoring workbook, and how long the indicators take.
//! See `docs/benchmarks.md`.
//!
//! ```text
//! cargo bench -p taccuino-reports --bench exports            # 10 labs × 5 years
//! TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-reports --bench exports
//! ```
//!
//! Without `--bench` on the command line (as under `cargo test --benches`)
//! it runs the quick version, as a smoke test. The store is in memory: an
//! export only reads, so the disk does not change the figures once the
//! pages are cached, and generating in memory is several times faster.

use std::error::Error;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crdt_sync::{
    CodeRange, DeviceConfig, DeviceId, Month, Period, ProjectId, ProjectSettings, SeededEnv, Selection, Store,
};
use taccuino_demo::{self as demo, DemoSize};
use taccuino_reports::export::{self, Format, Options, PseudonymKey};
use taccuino_reports::indicators;

type BoxResult<T> = Result<T, Box<dyn Error>>;

/// `SeededEnv::with_seed` starts on this day; the demo register ends on it.
fn today() -> BoxResult<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 2).ok_or_else(|| "valid date".into())
}

fn quick() -> bool {
    let by_env = std::env::var("TACCUINO_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    by_env || !std::env::args().any(|a| a == "--bench")
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The best and the median of `runs` runs of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> BoxResult<T>) -> BoxResult<(Duration, Duration, T)> {
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        last = Some(f()?);
        samples.push(t.elapsed());
    }
    samples.sort();
    let out = last.ok_or("no run")?;
    Ok((samples[0], samples[samples.len() / 2], out))
}

fn main() -> BoxResult<()> {
    let quick = quick();
    let size = if quick { DemoSize::Small } else { DemoSize::Large };
    let runs = if quick { 3 } else { 5 };
    println!("exports benchmark ({})", if quick { "quick: DemoSize::Small" } else { "DemoSize::Large" });

    let config = DeviceConfig {
        device: DeviceId(uuid::Uuid::from_u128(0xe4)),
        project: ProjectId(uuid::Uuid::from_u128(0x7acc)),
        codes: CodeRange::new(1, 9999)?,
    };
    let mut store = Store::in_memory(config, Box::new(SeededEnv::with_seed(1)))?;
    let t = Instant::now();
    let summary = demo::populate(&mut store, size, 2026)?;
    println!(
        "generation in memory: {:.2} s ({} labs, {} families, {} meetings, {} attendances)",
        t.elapsed().as_secs_f64(),
        summary.labs,
        summary.households,
        summary.meetings,
        summary.attendances
    );

    let today = today()?;
    let all = Selection::all_labs(Period::new(today - chrono::Months::new(61), today)?);
    let cancel = AtomicBool::new(false);

    let (best, median, ind) = time(runs * 2, || Ok(indicators::compute(&store, &all)?))?;
    println!(
        "indicators, all labs, {} months: best {} / median {} (goal < 100 ms); {} attendances, {} families reached",
        ind.months.len(),
        ms(best),
        ms(median),
        ind.total.attendances,
        ind.total.families_reached
    );
    let one = Selection::lab(store.labs()?[0].id, all.period);
    let (best, median, _) = time(runs * 2, || Ok(indicators::compute(&store, &one)?))?;
    println!("indicators, one lab: best {} / median {}", ms(best), ms(median));

    for (label, format, goal) in [
        ("CSV (4 files)", Format::Csv, " (goal < 200 ms)"),
        ("CSV in a zip", Format::CsvZip, ""),
        ("XLSX", Format::Xlsx, " (goal < 1 s)"),
    ] {
        let options = Options::new(all.clone(), format, PseudonymKey::from_bytes([3; 32]));
        let (best, median, out) = time(runs, || Ok(export::run(&mut store, &options, &|_| {}, &cancel)?))?;
        let bytes: usize = out.files.iter().map(|f| f.bytes.len()).sum();
        println!(
            "{label}: best {} / median {}{goal}; {:.1} MiB",
            ms(best),
            ms(median),
            bytes as f64 / (1024.0 * 1024.0)
        );
    }

    // The half-yearly monitoring of the same five years: eleven semesters,
    // each the indicators of every lab and of each partner.
    let options = Options::new(all.clone(), Format::Xlsx, PseudonymKey::from_bytes([3; 32]));
    let (best, median, out) = time(runs, || Ok(export::monitoring(&mut store, &options, &|_| {}, &cancel)?))?;
    let bytes: usize = out.files.iter().map(|f| f.bytes.len()).sum();
    println!(
        "monitoring workbook (XLSX, every semester): best {} / median {}; {:.0} KiB",
        ms(best),
        ms(median),
        bytes as f64 / 1024.0
    );

    let month = Month::of(today - chrono::Months::new(1));
    let registers = Selection::all_labs(Period::new(month.first_day(), month.last_day())?);
    let options = Options::new(registers, Format::PdfMonths, PseudonymKey::from_bytes([3; 32]));
    let (best, median, out) = time(runs, || Ok(export::run(&mut store, &options, &|_| {}, &cancel)?))?;
    let bytes: usize = out.files.iter().map(|f| f.bytes.len()).sum();
    println!(
        "PDF registers of {month} ({} files, every lab): best {} / median {}; {:.0} KiB per file",
        out.files.len(),
        ms(best),
        ms(median),
        bytes as f64 / 1024.0 / out.files.len().max(1) as f64
    );
    Ok(())
}
