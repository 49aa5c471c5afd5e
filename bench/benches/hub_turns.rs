//! The hub's own work per sync when many lab laptops each bring a new
//! meeting (issue 12's 1,000 devices), without a network and without the
//! simulated laptops' cost: the hub's register on disk (as a real hub's,
//! with its flush per turn), the large demo, `TACCUINO_BENCH_DEVICES`
//! laptops per lab (default 10, so 100), each already holding its lab. Each
//! laptop records a meeting; then they sync one after the other, in turns,
//! and only the hub's side is timed: each of its turns is a group of one
//! in one transaction, as `taccuino-hub` runs it when no other device
//! waits; a second day syncs in groups (decision 0038). The hub's store
//! serves one group at a time, so the time per sync bounds how many syncs a
//! hub serves in a second.
//!
//! `cargo bench -p taccuino-bench --bench hub_turns`
//! (`TACCUINO_BENCH_QUICK=1`: the small demo; `TACCUINO_BENCH_PAUSE_MS`
//! pauses after "ready", for `perf record -p`).

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use crdt_sync::sync::{DeviceRole, Frame, Grant, Session};
use crdt_sync::{
    CodeRange, DeviceConfig, DeviceId, DirectoryEntry, LabId, Meetings, NewMeeting, ProjectSettings,
    Replication, Store, SystemEnv,
};
use taccuino_demo::{DemoSize, populate_for_hub};

/// One laptop's whole session against the hub, in turns, each turn a group
/// of one (what `taccuino-hub` runs when no other device waits); the hub's
/// time.
fn sync(hub: &mut Store, laptop: &mut Laptop) -> Duration {
    sync_group(hub, std::slice::from_mut(laptop))
}

fn main() {
    let quick = std::env::var_os("TACCUINO_BENCH_QUICK").is_some();
    let per_lab: usize =
        std::env::var("TACCUINO_BENCH_DEVICES").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let size = if quick { DemoSize::Small } else { DemoSize::Large };
    let project = crdt_sync::ProjectId(uuid::Uuid::now_v7());
    let config = |first: u32, last: u32| DeviceConfig {
        device: DeviceId(uuid::Uuid::now_v7()),
        project,
        codes: CodeRange::new(first, last).expect("range"),
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let key = crdt_sync::Key::from_bytes([7; 32]);
    let started = Instant::now();
    let mut hub = Store::create(tmp.path().join("hub.db"), &key, config(1, 9_999), Box::new(SystemEnv))
        .expect("the hub's register");
    populate_for_hub(&mut hub, size, 2026).expect("demo");
    let labs: Vec<LabId> = hub.labs().expect("labs").into_iter().map(|l| l.id).collect();
    println!(
        "hub turns: demo {size:?}, {} documents, {} labs, generated in {:.1} s",
        hub.doc_refs().expect("docs").len(),
        labs.len(),
        started.elapsed().as_secs_f64()
    );

    // The laptops, each with its lab (its first sync, not timed).
    let started = Instant::now();
    let mut laptops = Vec::new();
    for (l, lab) in labs.iter().enumerate() {
        for i in 0..per_lab {
            let first = 10_000 + ((l * per_lab + i) as u32) * 100;
            let store = Store::in_memory(config(first, first + 99), Box::new(SystemEnv)).expect("laptop");
            let grant = Grant { role: DeviceRole::Volunteer, lab: Some(*lab), organisation: None };
            let id = store.device();
            hub.reconcile_directory(&[(id, DirectoryEntry { grant, revoked: false })]).expect("directory");
            let mut laptop = (store, id, grant, *lab);
            sync(&mut hub, &mut laptop);
            laptops.push(laptop);
        }
    }
    println!("  {} laptops hold their labs ({:.1} s)", laptops.len(), started.elapsed().as_secs_f64());
    record_meetings(&mut laptops, NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"));
    println!("ready");
    if let Some(ms) = std::env::var("TACCUINO_BENCH_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    let remembered = hub.readable_docs_remembered();
    let started = Instant::now();
    let mut times: Vec<Duration> = laptops.iter_mut().map(|laptop| sync(&mut hub, laptop)).collect();
    let wall = started.elapsed();
    times.sort();
    let total: Duration = times.iter().sum();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "  {} syncs of a new meeting, one after the other: the hub's time {:.2} s in all, {:.2} ms each (p50 {:.2}, p95 {:.2}, max {:.2}); wall {:.2} s with the laptops",
        times.len(),
        total.as_secs_f64(),
        total.as_secs_f64() * 1e3 / times.len() as f64,
        pct(50).as_secs_f64() * 1e3,
        pct(95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        wall.as_secs_f64(),
    );
    let (hits, misses) = hub.readable_docs_remembered();
    println!(
        "  readable documents at each Hello: {} answers remembered, {} decided afresh (decision 0036)",
        hits - remembered.0,
        misses - remembered.1
    );
    println!(
        "  at that rate one hub's store serves 1,000 such syncs in {:.1} s (the goal is < 2 s)",
        total.as_secs_f64() * 1000.0 / times.len() as f64
    );

    // The same again, a day later, with the hub's turns committed in groups
    // as `taccuino-hub` runs them when devices queue for its store
    // (decision 0038): `GROUP` laptops at a time, in step, each step of
    // theirs one group of turns in one transaction.
    record_meetings(&mut laptops, NaiveDate::from_ymd_opt(2026, 12, 8).expect("date"));
    let started = Instant::now();
    let mut hub_time = Duration::ZERO;
    for group in laptops.chunks_mut(GROUP) {
        hub_time += sync_group(&mut hub, group);
    }
    let wall = started.elapsed();
    // And a third day one at a time again: the register grew since the
    // first, so the grouped day is compared with the mean of both.
    record_meetings(&mut laptops, NaiveDate::from_ymd_opt(2026, 12, 9).expect("date"));
    let again: Duration = laptops.iter_mut().map(|laptop| sync(&mut hub, laptop)).sum();
    let one_at_a_time = (total + again) / 2;
    println!(
        "  {} syncs of a new meeting, {GROUP} at a time, their turns committed in groups: the hub's time {:.2} s in all, {:.2} ms each; one at a time the day after, {:.2} ms each; grouped / one at a time (mean of both days) {:.2}×; wall {:.2} s with the laptops",
        laptops.len(),
        hub_time.as_secs_f64(),
        hub_time.as_secs_f64() * 1e3 / laptops.len() as f64,
        again.as_secs_f64() * 1e3 / laptops.len() as f64,
        hub_time.as_secs_f64() / one_at_a_time.as_secs_f64(),
        wall.as_secs_f64(),
    );
    println!(
        "  at that rate one hub's store serves 1,000 such syncs in {:.1} s (the goal is < 2 s)",
        hub_time.as_secs_f64() * 1000.0 / laptops.len() as f64
    );
}

/// Laptops that sync at once in the grouped pass.
const GROUP: usize = 16;

type Laptop = (Store, DeviceId, Grant, LabId);

/// Each laptop records a meeting on `day`.
fn record_meetings(laptops: &mut [Laptop], day: NaiveDate) {
    for (i, (store, _, _, lab)) in laptops.iter_mut().enumerate() {
        store
            .create_meeting(NewMeeting {
                lab: *lab,
                date: day,
                start: NaiveTime::from_hms_opt(16, 0, 0).expect("time"),
                end: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
                activity: "open_lab".into(),
                theme: format!("Incontro {i} del {day}"),
                facilitators: Default::default(),
                attendance: Vec::new(),
                guests: 3,
                notes: String::new(),
            })
            .expect("meeting");
    }
}

/// One step of the hub's for several laptops: each one's frames a turn, all
/// in one transaction (a function of its own for a profile).
#[inline(never)]
fn hub_group_turn(hub: &mut Store, sessions: &mut [Session], frames: &mut [Vec<Frame>]) -> Vec<Vec<Frame>> {
    hub.in_one_transaction_each(sessions.len(), |i, s| {
        let mut out = Vec::new();
        for f in std::mem::take(&mut frames[i]) {
            out.extend(sessions[i].receive(s, f)?);
        }
        Ok(out)
    })
    .expect("the group commits")
    .into_iter()
    .map(|turn| turn.expect("hub"))
    .collect()
}

/// The whole sessions of `group`'s laptops against the hub, in step; the
/// hub's time.
fn sync_group(hub: &mut Store, group: &mut [Laptop]) -> Duration {
    let mut hub_sides: Vec<Session> =
        group.iter().map(|(_, id, grant, _)| Session::hub(*id, *grant)).collect();
    let mut device_sides: Vec<Session> = group.iter().map(|_| Session::device()).collect();
    let mut to_hub: Vec<Vec<Frame>> = group
        .iter_mut()
        .zip(&mut device_sides)
        .map(|((laptop, ..), side)| vec![side.hello(laptop).expect("hello")])
        .collect();
    let mut hub_time = Duration::ZERO;
    loop {
        let active: Vec<usize> = (0..group.len()).filter(|i| !to_hub[*i].is_empty()).collect();
        if active.is_empty() {
            break;
        }
        let mut sessions: Vec<Session> =
            active.iter().map(|i| std::mem::replace(&mut hub_sides[*i], Session::device())).collect();
        let mut frames: Vec<Vec<Frame>> = active
            .iter()
            .map(|i| to_hub[*i].drain(..).map(|f| Frame::decode(&f.encode()).expect("frame")).collect())
            .collect();
        let t = Instant::now();
        let answers = hub_group_turn(hub, &mut sessions, &mut frames);
        hub_time += t.elapsed();
        for ((i, session), to_device) in active.iter().zip(sessions).zip(answers) {
            hub_sides[*i] = session;
            let (laptop, ..) = &mut group[*i];
            let side = &mut device_sides[*i];
            let out = laptop
                .in_one_transaction(|s| {
                    let mut out = Vec::new();
                    for f in to_device {
                        out.extend(side.receive(s, Frame::decode(&f.encode()).expect("frame"))?);
                    }
                    Ok(out)
                })
                .expect("device");
            to_hub[*i].extend(out);
            to_hub[*i].extend(side.outgoing(laptop).expect("outgoing"));
        }
    }
    for ((laptop, ..), side) in group.iter_mut().zip(&mut device_sides) {
        assert!(side.is_settled(laptop).expect("settled?"), "the sync settled");
    }
    hub_time
}
