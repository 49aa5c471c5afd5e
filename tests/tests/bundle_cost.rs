//! What a lab's bundle costs on five years of one lab (the demo data), and
//! that no family name reads out of it.

use crdt_sync::sync::bundle::{BundleKey, export, open};
use crdt_sync::{DocKind, DocRef, ProjectSettings, Replication};

/// The cost of a lab's whole bundle (five years of one lab, what its
/// laptop holds): `cargo test -p taccuino-tests --test bundle_cost --
/// --ignored --nocapture`. Figures in decision 0016.
#[test]
#[ignore = "slow: builds a lab's five years"]
fn bundle_cost_on_a_labs_five_years() {
    use std::time::Instant;
    let mut s = crdt_sync::testing::store(1, 2, 1..=99_999);
    taccuino_demo::populate(&mut s, taccuino_demo::DemoSize::LargeOneLab, 2026).expect("demo");
    let lab = s.labs().expect("labs")[0].id;
    let docs: Vec<DocRef> = s
        .doc_refs()
        .expect("docs")
        .into_iter()
        .filter(|d| matches!(d.kind, DocKind::Lab | DocKind::Household))
        .collect();
    let key = BundleKey([5; 32]);
    let started = Instant::now();
    let bytes = export(&mut s, lab, &key, &docs, 0).expect("export");
    let exported = started.elapsed();
    let started = Instant::now();
    let opened = open(&bytes, &key).expect("open");
    let opened_in = started.elapsed();
    println!(
        "{} documents, {:.2} MiB; export {:.0} ms, open (decrypt + parse) {:.0} ms",
        opened.info().docs.len(),
        bytes.len() as f64 / 1024.0 / 1024.0,
        exported.as_secs_f64() * 1000.0,
        opened_in.as_secs_f64() * 1000.0
    );
    let reader = s.reader();
    let mut stmt = reader.prepare("SELECT DISTINCT last_name FROM members").expect("query");
    let names: Vec<String> =
        stmt.query_map([], |r| r.get(0)).expect("rows").collect::<rusqlite::Result<_>>().expect("names");
    assert!(names.len() > 20, "{}", names.len());
    for name in names.iter().filter(|n| n.len() >= 4) {
        assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()), "{name} reads out of the bundle");
    }
}
