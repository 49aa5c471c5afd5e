//! A save while the hub stalls mid-sync (issue 12, goal: p99 < 20 ms): the
//! app paired with a real hub through a loopback proxy that holds the hub's
//! answer to the `Hello`; while the sync waits, the window saves a meeting
//! field again and again. Prints p50/p99/max of a save, during the stalled
//! sync and with no sync at all, for `docs/benchmarks.md`:
//! `cargo bench -p taccuino-tests --bench stalled_sync`
//! (`TACCUINO_BENCH_QUICK=1`: fewer saves).

#[path = "../tests/stall/mod.rs"]
mod stall;

use std::time::{Duration, Instant};

use serde_json::json;
use stall::{App, Hub, Proxy, call, meeting};

fn main() {
    let saves = if std::env::var_os("TACCUINO_BENCH_QUICK").is_some() { 50 } else { 500 };
    let hub = Hub::start();
    let proxy = Proxy::start(&hub);
    let a = App::new();
    let session = a.pair(&proxy.url(), &hub.code(), "Portatile A").expect("pairing through the proxy");
    let id = a.ok("create_meeting", meeting(&session, "Misura"));
    let save = |i: usize| {
        let started = Instant::now();
        a.ok(
            "update_meeting",
            json!({ "id": id, "patch": { "guests": i % 40, "notes": format!("nota {i}") } }),
        );
        started.elapsed()
    };

    let idle: Vec<Duration> = (0..saves).map(save).collect();

    proxy.stall_next_answer();
    let webview = a.webview.clone();
    let sync = std::thread::spawn(move || call(&webview, "sync_now", json!({})));
    proxy.wait_until_holding();
    let stalled: Vec<Duration> = (0..saves).map(|i| save(saves + i)).collect();
    let still_held = proxy.is_holding() && !sync.is_finished();
    proxy.release();
    let done = sync.join().expect("sync thread").expect("the sync completes once released");

    println!("stalled_sync: {saves} saves of a meeting field (update_meeting through the window's path)");
    report("no sync running", idle);
    report("sync waiting on a stalled hub", stalled);
    println!(
        "  the hub's answer was held throughout: {still_held}; the sync then ended {} ({} bytes out)",
        done["outcome"], done["bytes_out"]
    );
    println!("  load: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
}

fn report(what: &str, mut d: Vec<Duration>) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize];
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    println!(
        "  {what:32} p50 {:7.2} ms  p99 {:7.2} ms  max {:7.2} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(d[d.len() - 1])
    );
}
