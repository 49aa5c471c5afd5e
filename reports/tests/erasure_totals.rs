//! Erasure keeps the indicators' totals (issue 6): what the funder is told
//! does not change when families are erased, on the hand-built register and
//! on the large demo one.

use crdt_sync::testing::{d, register};
use crdt_sync::{
    Erasure, ErasureReason, Error, Families, HouseholdId, Key, Period, SeededEnv, Selection, Store,
};
use taccuino_reports::indicators;

#[test]
fn indicators_give_the_same_totals_before_and_after_erasure() {
    let (mut a, f) = register::build();
    a.confirm_merge(f.f3).expect("confirm");
    let everything = Selection::all_labs(register::period());
    let before = indicators::compute(&a, &everything).expect("before");
    // F2 takes its confirmed duplicate F3 with it; F5 and F1 are erased too.
    let t = a.erase_household(f.f2, ErasureReason::Request, None).expect("erase F2");
    assert_eq!(t.iter().map(|t| t.household).collect::<Vec<_>>(), vec![f.f2, f.f3]);
    assert!(matches!(a.household(f.f3), Err(Error::Erased { .. })));
    a.erase_household(f.f5, ErasureReason::Retention, None).expect("erase F5");
    a.erase_household(f.f1, ErasureReason::Withdrawal, None).expect("erase F1");
    let after = indicators::compute(&a, &everything).expect("after");
    assert_eq!(after, before);
    // Per lab and month too, for a narrower selection.
    let one = Selection::lab(f.lab1, Period::new(d(2025, 1, 1), d(2025, 12, 31)).expect("period"));
    let (mut b, _) = register::build();
    b.confirm_merge(f.f3).expect("confirm");
    assert_eq!(indicators::compute(&a, &one).expect("a"), indicators::compute(&b, &one).expect("b"));
}

/// The cost of an erasure on the large demo register (10 labs, 5 years) in
/// an encrypted file: `cargo test -p taccuino-reports --test erasure_totals --
/// --ignored --nocapture erasure_cost`. Figures in `docs/decisions/0009-erasure.md`.
#[test]
#[ignore = "slow: builds the large demo register"]
fn erasure_cost_on_the_large_demo() {
    use std::time::Instant;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("large.db");
    let key = Key::from_bytes([3; 32]);
    let config = crdt_sync::testing::config(1, 2, 1..=99_999);
    let mut s = Store::create(&path, &key, config, Box::new(SeededEnv::with_seed(1))).expect("create");
    let started = Instant::now();
    taccuino_demo::populate(&mut s, taccuino_demo::DemoSize::Large, 2026).expect("demo");
    println!("populate: {:.1} s", started.elapsed().as_secs_f64());
    drop(s);
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mib = |b: u64| b as f64 / 1024.0 / 1024.0;
    println!("file after closing: {:.1} MiB", mib(size(&path)));
    let mut s = Store::open(&path, &key, Box::new(SeededEnv::with_seed(2))).expect("open");
    let victims: Vec<String> = s
        .reader()
        .prepare(
            "SELECT id FROM households h WHERE merged_into IS NULL AND NOT EXISTS
               (SELECT 1 FROM households l WHERE l.canonical_id = h.id AND l.id <> h.id) ORDER BY code LIMIT 3",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let everything = Selection::all_labs(Period::new(d(2020, 1, 1), d(2027, 12, 31)).expect("period"));
    let before = indicators::compute(&s, &everything).expect("indicators");
    for id in &victims {
        let id: HouseholdId = id.parse().expect("id");
        let started = Instant::now();
        s.erase_household(id, ErasureReason::Request, None).expect("erase");
        let total = started.elapsed();
        let started = Instant::now();
        s.scrub().expect("scrub");
        let scrub = started.elapsed();
        println!(
            "erase_household: {:.0} ms in all, of which a scrub (checkpoint + VACUUM) alone takes {:.0} ms; file {:.1} MiB",
            total.as_secs_f64() * 1000.0,
            scrub.as_secs_f64() * 1000.0,
            mib(size(&path))
        );
    }
    assert_eq!(indicators::compute(&s, &everything).expect("indicators").total, before.total);
}
