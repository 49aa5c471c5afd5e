//! A coordinator's first download of the whole project (issue 12), without
//! a network: the hub's session over an in-memory register of the demo
//! project, a new laptop's on an encrypted register on disk, frames encoded
//! and decoded as on the wire and applied in batches of 64 in one
//! transaction, as `taccuino-sync-client` does. What is left is the two
//! sides' own work, to profile (`TACCUINO_BENCH_PAUSE_MS=10000` pauses after
//! "ready", for `perf record -D` to start within the pause).
//!
//! `cargo bench -p taccuino-bench --bench first_download` (ten labs, five
//! years; `TACCUINO_BENCH_QUICK=1`: the small demo).

use std::time::Instant;

use crdt_sync::sync::{DeviceRole, Frame, Grant, Session};
use crdt_sync::{CodeRange, DeviceConfig, DeviceId, Replication, Store, SystemEnv};
use taccuino_demo::{DemoSize, populate_for_hub};

const BATCH: usize = 64;

fn main() {
    let quick = std::env::var_os("TACCUINO_BENCH_QUICK").is_some();
    let size = if quick { DemoSize::Small } else { DemoSize::Large };
    let project = crdt_sync::ProjectId(uuid::Uuid::now_v7());
    let config = |codes: (u32, u32)| DeviceConfig {
        device: DeviceId(uuid::Uuid::now_v7()),
        project,
        codes: CodeRange::new(codes.0, codes.1).expect("range"),
    };
    let started = Instant::now();
    let mut hub = Store::in_memory(config((1, 9_999)), Box::new(SystemEnv)).expect("hub");
    populate_for_hub(&mut hub, size, 2026).expect("demo");
    println!(
        "first download: demo {size:?}, {} documents, generated in {:.1} s",
        hub.doc_refs().expect("docs").len(),
        started.elapsed().as_secs_f64()
    );
    let tmp = tempfile::tempdir().expect("tmp");
    let key = crdt_sync::Key::from_bytes([5; 32]);
    let mut laptop =
        Store::create(tmp.path().join("laptop.db"), &key, config((20_000, 20_999)), Box::new(SystemEnv))
            .expect("laptop");
    let grant = Grant { role: DeviceRole::Coordinator, lab: None, organisation: None };
    let id = laptop.device();
    hub.reconcile_directory(&[(id, crdt_sync::DirectoryEntry { grant, revoked: false })]).expect("directory");
    println!("ready");
    // For a profiler started with a delay: a pause before the download.
    if let Some(ms) = std::env::var("TACCUINO_BENCH_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    let started = Instant::now();
    let (mut hub_side, mut device_side) = (Session::hub(id, grant), Session::device());
    let mut to_hub = vec![device_side.hello(&mut laptop).expect("hello")];
    let (mut hub_time, mut device_time, mut bytes_in, mut trips) = (0.0, 0.0, 0usize, 0);
    while !to_hub.is_empty() {
        trips += 1;
        let t = Instant::now();
        let mut to_device = Vec::new();
        for f in to_hub.drain(..) {
            let f = Frame::decode(&f.encode()).expect("frame");
            to_device.extend(hub_side.receive(&mut hub, f).expect("hub"));
        }
        hub_time += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let encoded: Vec<Vec<u8>> = to_device.iter().map(Frame::encode).collect();
        bytes_in += encoded.iter().map(Vec::len).sum::<usize>();
        for batch in encoded.chunks(BATCH) {
            let out = laptop
                .in_one_transaction(|s| {
                    let mut out = Vec::new();
                    for bytes in batch {
                        out.extend(device_side.receive(s, Frame::decode(bytes).expect("frame"))?);
                    }
                    Ok(out)
                })
                .expect("device");
            to_hub.extend(out);
        }
        to_hub.extend(device_side.outgoing(&mut laptop).expect("outgoing"));
        device_time += t.elapsed().as_secs_f64();
    }
    assert!(device_side.is_settled(&mut laptop).expect("settled?"), "the download settled");
    let took = started.elapsed().as_secs_f64();
    assert_eq!(laptop.doc_refs().expect("docs").len(), hub.doc_refs().expect("docs").len(), "every document");
    println!(
        "  coordinator's first download, in turns: {took:.2} s ({trips} round trips, {:.1} MB in): hub {hub_time:.2} s, laptop {device_time:.2} s",
        bytes_in as f64 / 1e6
    );
}
