//! Store benchmark: a plain program (`harness = false`) that builds the demo
//! register in a real encrypted database file and prints how long the
//! operations people wait for take. See `docs/benchmarks.md` for the goals
//! and the figures measured.
//!
//! ```text
//! cargo bench -p taccuino-bench --bench store            # large data set
//! TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-bench --bench store
//! ```
//!
//! Without `--bench` on the command line (as when `cargo test --benches`
//! runs it) it also runs the quick version, as a smoke test. The database
//! goes in Cargo's target temporary directory (on the same disk as the
//! build), or in `TACCUINO_BENCH_DIR`: a tmpfs would hide the cost of fsync.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use crdt_sync::{
    Attendance, CodeRange, DeviceConfig, DeviceId, DocKind, Families, HouseholdId, Key, LabId, Maintenance,
    Meetings, NewConsent, NewHousehold, NewLab, NewMeeting, NewMember, PersonId, ProjectId, ProjectSettings,
    Replication, SeededEnv, Store,
};
use taccuino_demo::{self as demo, DemoSize, DemoSummary};

type BoxResult<T> = Result<T, Box<dyn Error>>;

/// The seed of the demo data (the same register on every run).
const DATA_SEED: u64 = 2026;

/// What one run measures.
struct Settings {
    quick: bool,
    data: DemoSize,
    one_lab: DemoSize,
    writes: usize,
    searches: usize,
    opens: usize,
}

impl Settings {
    fn from_env() -> Settings {
        let by_env = std::env::var("TACCUINO_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let by_test = !std::env::args().any(|a| a == "--bench");
        if by_env || by_test {
            Settings {
                quick: true,
                data: DemoSize::Small,
                one_lab: DemoSize::Small,
                writes: 30,
                searches: 100,
                opens: 3,
            }
        } else {
            Settings {
                quick: false,
                data: DemoSize::Large,
                one_lab: DemoSize::LargeOneLab,
                writes: 250,
                searches: 100,
                opens: 3,
            }
        }
    }
}

fn key() -> Key {
    Key::from_bytes([7; 32])
}

fn config() -> BoxResult<DeviceConfig> {
    Ok(DeviceConfig {
        device: DeviceId(uuid::Uuid::from_u128(0xbe7c)),
        project: ProjectId(uuid::Uuid::from_u128(0x7acc)),
        codes: CodeRange::new(1, 9999)?,
    })
}

/// Percentiles of samples (nearest rank).
struct Stats {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
}

impl Stats {
    fn of(samples: &[Duration]) -> Stats {
        let mut s = samples.to_vec();
        s.sort();
        let rank = |p: f64| {
            let r = (p * s.len() as f64).ceil() as usize;
            s[r.clamp(1, s.len()) - 1]
        };
        let total: Duration = s.iter().sum();
        Stats {
            p50: rank(0.50),
            p90: rank(0.90),
            p99: rank(0.99),
            max: s.last().copied().unwrap_or_default(),
            mean: total / u32::try_from(s.len().max(1)).unwrap_or(u32::MAX),
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Seconds, or milliseconds below one second.
fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) { ms(d) } else { format!("{:.2} s", d.as_secs_f64()) }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Sizes of the database file and its WAL (0 when absent).
fn file_sizes(db: &Path) -> (u64, u64) {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    (size(db), size(Path::new(&wal)))
}

/// The file system `dir` is on, from /proc/mounts (longest matching mount point).
fn file_system(dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 2 && dir.starts_with(f[1])).then(|| (f[1].len(), format!("{} on {}", f[2], f[1])))
        })
        .max()
        .map(|(_, s)| s)
        .unwrap_or_else(|| "unknown".into())
}

fn print_machine(dir: &Path) {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown", str::trim);
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    println!("machine: {cpus} CPUs, {model}");
    println!("rustc: {rustc}");
    println!(
        "build: {}",
        if cfg!(debug_assertions) { "debug assertions on (not a release build)" } else { "optimised" }
    );
    println!("database directory: {} ({})", dir.display(), file_system(dir));
}

/// Creates a database at `path` and fills it; returns the time taken.
fn generate(path: &Path, size: DemoSize) -> BoxResult<(Duration, DemoSummary)> {
    let mut store = Store::create(path, &key(), config()?, Box::new(SeededEnv::with_seed(1)))?;
    let t = Instant::now();
    let summary = demo::populate(&mut store, size, DATA_SEED)?;
    let took = t.elapsed();
    drop(store);
    Ok((took, summary))
}

fn print_generation(what: &str, path: &Path, took: Duration, s: &DemoSummary) {
    println!(
        "{what}: {} labs, {} families ({} members), {} staff, {} pathways, {} meetings, {} attendances, {} trainings",
        s.labs, s.households, s.members, s.persons, s.pathways, s.meetings, s.attendances, s.trainings
    );
    let per_write = took / u32::try_from(s.writes.max(1)).unwrap_or(u32::MAX);
    println!("  generation: {} for {} writes ({} per write)", secs(took), s.writes, ms(per_write));
    let (db, wal) = file_sizes(path);
    println!("  file size after closing: {} (database {} B + WAL {} B)", mib(db + wal), db, wal);
}

/// Opens the database `runs` times; returns every time taken.
fn time_opens(path: &Path, runs: usize) -> BoxResult<Vec<Duration>> {
    let mut out = Vec::new();
    for i in 0..runs {
        let t = Instant::now();
        let store = Store::open(path, &key(), Box::new(SeededEnv::with_seed(100 + i as u64)))?;
        out.push(t.elapsed());
        drop(store);
    }
    Ok(out)
}

/// Where a benchmark meeting is written: a lab and 15 members of its families.
struct Target {
    lab: LabId,
    attendance: Vec<Attendance>,
}

/// Every lab, with 15 members of the families registered there (found by
/// typing the lab's code prefix, as a volunteer would).
fn targets(store: &mut Store) -> BoxResult<Vec<Target>> {
    let mut out = Vec::new();
    for lab in store.labs()? {
        let mut attendance = Vec::new();
        for hit in store.search_households(&format!("pv{:02}", lab.number), 200)? {
            if hit.lab != lab.id {
                continue;
            }
            for m in store.household(hit.id)?.members {
                if attendance.len() < 15 {
                    attendance.push(Attendance { household: hit.id, member: m.id });
                }
            }
        }
        if attendance.len() < 15 {
            return Err(format!("lab {} has only {} members", lab.number, attendance.len()).into());
        }
        out.push(Target { lab: lab.id, attendance });
    }
    Ok(out)
}

/// A new lab with three families of five, for the baseline: the same write
/// on a lab document that is nearly empty.
fn new_lab(store: &mut Store) -> BoxResult<Target> {
    let number = u8::try_from(store.labs()?.len() + 1)?;
    let lab = store.create_lab(NewLab {
        number,
        name: "Laboratorio di prova".into(),
        address: "Piazza della Vittoria 1, 27100 Pavia".into(),
        partner: "Comune di Pavia".into(),
    })?;
    let mut attendance = Vec::new();
    for family in ["Verdi", "Neri", "Gialli"] {
        let member = |first: &str| NewMember {
            first_name: first.into(),
            last_name: family.into(),
            birth_year: Some(1990),
        };
        let id = store.create_household(NewHousehold {
            lab,
            reference: member("Anna"),
            others: ["Bruno", "Carla", "Dario", "Elsa"].into_iter().map(member).collect(),
            contacts: Default::default(),
            areas: Default::default(),
            referral: None,
            consent: NewConsent::given(
                NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
                "2026-01",
                PersonId(uuid::Uuid::from_u128(0xC0)),
            ),
        })?;
        for m in store.household(id)?.members {
            attendance.push(Attendance { household: id, member: m.id });
        }
    }
    Ok(Target { lab, attendance })
}

/// Durable writes of a meeting with 15 members present, taking the targets
/// in turn (so that each lab document grows by only a few meetings).
fn time_meeting_writes(store: &mut Store, targets: &[Target], n: usize) -> BoxResult<Vec<Duration>> {
    let date = NaiveDate::from_ymd_opt(2026, 10, 31).ok_or("date")?;
    let time = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).ok_or("time");
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let target = &targets[i % targets.len()];
        let meeting = NewMeeting {
            lab: target.lab,
            date,
            start: time(17)?,
            end: time(19)?,
            activity: "open_lab".into(),
            theme: "Misura delle prestazioni".into(),
            facilitators: Default::default(),
            attendance: target.attendance.clone(),
            guests: 2,
            notes: String::new(),
        };
        let t = Instant::now();
        store.create_meeting(meeting)?;
        samples.push(t.elapsed());
    }
    Ok(samples)
}

fn print_writes(what: &str, n: usize, s: &Stats) {
    println!(
        "  {what} ({n} writes): p50 {}, p90 {}, p99 {}, max {}, mean {}",
        ms(s.p50),
        ms(s.p90),
        ms(s.p99),
        ms(s.max),
        ms(s.mean)
    );
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn main() -> BoxResult<()> {
    let settings = Settings::from_env();
    let dir = match std::env::var_os("TACCUINO_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(option_env!("CARGO_TARGET_TMPDIR").unwrap_or(".")),
    };
    std::fs::create_dir_all(&dir)?;
    let tmp = tempfile::Builder::new().prefix("taccuino-bench-").tempdir_in(&dir)?;
    println!(
        "# Taccuino store benchmark ({})",
        if settings.quick { "quick: small data set" } else { "large data set" }
    );
    print_machine(&dir);
    println!();

    // 1. Generating the register, and its size on disk.
    let all = tmp.path().join("all-labs.db");
    let (took, summary) = generate(&all, settings.data)?;
    print_generation("all labs", &all, took, &summary);

    // 3a. Opening it: every document loaded, projection heads checked.
    let opens = time_opens(&all, settings.opens)?;
    let open_all = opens.iter().copied().min().unwrap_or_default();
    println!(
        "  open + projection check: {} (runs: {})",
        secs(open_all),
        opens.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", ")
    );

    // 4. Rebuild, 5. search and 2. durable meeting writes on the opened store.
    let mut store = Store::open(&all, &key(), Box::new(SeededEnv::with_seed(99)))?;
    let t = Instant::now();
    store.rebuild_projection()?;
    let rebuild = t.elapsed();
    println!("  full projection rebuild: {}", secs(rebuild));

    let mut samples = Vec::with_capacity(settings.searches);
    let mut hits = 0;
    for _ in 0..settings.searches {
        let t = Instant::now();
        hits = store.search_households("ross", 20)?.len();
        samples.push(t.elapsed());
    }
    let search = Stats::of(&samples);
    println!(
        "  search \"ross\" (limit 20, {hits} hits, {} runs): p50 {}, p99 {}",
        settings.searches,
        ms(search.p50),
        ms(search.p99)
    );
    // A family's page: its attendance history (every meeting any member of
    // it, or of a family merged into it, attended).
    let families: Vec<HouseholdId> = store
        .doc_refs()?
        .into_iter()
        .filter(|r| r.kind == DocKind::Household)
        .map(|r| HouseholdId(r.id))
        .take(settings.searches)
        .collect();
    let mut samples = Vec::with_capacity(families.len());
    let mut rows = 0;
    for id in &families {
        let t = Instant::now();
        rows += store.attendance_history(*id)?.len();
        samples.push(t.elapsed());
    }
    let history = Stats::of(&samples);
    println!(
        "  a family's attendance history ({} families, {rows} rows in all): p50 {}, p99 {}",
        families.len(),
        ms(history.p50),
        ms(history.p99)
    );
    let labs = targets(&mut store)?;
    let writes = Stats::of(&time_meeting_writes(&mut store, &labs, settings.writes)?);
    print_writes("meeting with 15 members, durable write, labs in turn", settings.writes, &writes);
    let baseline = [new_lab(&mut store)?];
    let n = settings.writes.min(50);
    print_writes(
        "same write on a new, nearly empty lab",
        n,
        &Stats::of(&time_meeting_writes(&mut store, &baseline, n)?),
    );

    drop(store);

    // 3b. One lab's own database.
    let one = tmp.path().join("one-lab.db");
    let (took, summary) = generate(&one, settings.one_lab)?;
    print_generation("one lab", &one, took, &summary);
    let opens = time_opens(&one, settings.opens)?;
    let open_one = opens.iter().copied().min().unwrap_or_default();
    println!(
        "  open + projection check: {} (runs: {})",
        secs(open_one),
        opens.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", ")
    );

    println!();
    println!("goals{}:", if settings.quick { " (quick run: indicative only)" } else { "" });
    println!(
        "  meeting write p99 < 10 ms: {} ({})",
        verdict(writes.p99 < Duration::from_millis(10)),
        ms(writes.p99)
    );
    println!("  open of all labs < 2 s: {} ({})", verdict(open_all < Duration::from_secs(2)), secs(open_all));
    println!(
        "  open of one lab's five years < 1 s: {} ({})",
        verdict(open_one < Duration::from_secs(1)),
        secs(open_one)
    );
    Ok(())
}
