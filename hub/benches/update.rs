//! Update benchmark: a package the size of the real `.deb` (13.6 MB)
//! published on the real `taccuino-hub` binary and downloaded by laptops
//! over TLS on loopback, each byte checked as it arrives, as the app does.
//! Prints figures; asserts only correctness (every download verifies).
//!
//! 1. Publishing (the hub checks and copies the package).
//! 2. One laptop asks `GET /update` and downloads the package.
//! 3. Many laptops (20; 5 with `TACCUINO_BENCH_QUICK`) download it at once:
//!    time, and the hub's peak memory (the package is streamed from disk,
//!    never held whole).
//!
//! `cargo bench -p taccuino-hub --bench update`. Figures: `docs/benchmarks.md`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Device, Hub, enrol, init_hub, project};
use taccuino_sync_client::{download, update_info};
use taccuino_updates::{PackageCheck, PackageFormat, TrustedKeys, testing};

const SIZE: usize = 13_600_000;

fn main() {
    let quick = std::env::var_os("TACCUINO_BENCH_QUICK").is_some();
    let laptops = if quick { 5 } else { 20 };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run(laptops));
}

async fn fetch(hub: &Hub, who: &Device) -> Duration {
    let started = Instant::now();
    let info =
        update_info(&hub.url, &who.enrolled.token, Some(PackageFormat::Deb), &"0.1.0".parse().expect("v"))
            .await
            .expect("update info");
    let offer = info.offer.expect("an offer");
    let release = offer.release.verify(&TrustedKeys::built_in()).expect("verifies");
    let mut check = PackageCheck::new(&release);
    let mut sink = tokio::io::sink();
    download(&hub.url, &who.enrolled.token, &offer.path, &mut check, &mut sink, |_, _| {})
        .await
        .expect("download");
    check.finish().expect("the signed bytes");
    started.elapsed()
}

async fn run(laptops: usize) {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, code) = init_hub(tmp.path());
    let hub = Hub::start(&data);
    let (_office, _labs) = project(&hub, tmp.path(), &code, 1).await;
    let mut devices = Vec::new();
    for i in 0..laptops {
        devices.push(enrol(&hub, tmp.path(), &format!("laptop{i}"), Some(1), "volunteer").await);
    }
    println!("update benchmark: a {:.1} MB package, {laptops} laptops, TLS on loopback", SIZE as f64 / 1e6);

    let package: Vec<u8> = (0..SIZE as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let (signed, bytes) = testing::signed_release("0.2.0", PackageFormat::Deb, &package);
    let dir = tmp.path().join("release");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("release.json"), &signed.manifest).expect("manifest");
    std::fs::write(dir.join("release.json.minisig"), &signed.signature).expect("signature");
    std::fs::write(dir.join("Taccuino_0.2.0_test.deb"), &bytes).expect("package");
    let started = Instant::now();
    hub.cmd(&["release", "publish", dir.to_str().expect("utf-8")]);
    println!("  publish (check and copy)                      {:>8.0} ms", ms(started.elapsed()));

    let one = fetch(&hub, &devices[0]).await;
    println!(
        "  one laptop: offer, download, verify           {:>8.0} ms  {:>6.1} MB/s",
        ms(one),
        SIZE as f64 / 1e6 / one.as_secs_f64()
    );

    hub.reset_peak_memory();
    let before = hub.resident_memory().unwrap_or(0);
    let started = Instant::now();
    let all = futures_util::future::join_all(devices.iter().map(|d| fetch(&hub, d))).await;
    let took = started.elapsed();
    let mut each: Vec<f64> = all.iter().map(|d| ms(*d)).collect();
    each.sort_by(f64::total_cmp);
    println!(
        "  {laptops} laptops at once                            {:>8.0} ms  p50 {:.0} ms  max {:.0} ms  {:>6.1} MB/s in all",
        ms(took),
        each[each.len() / 2],
        each[each.len() - 1],
        (SIZE * laptops) as f64 / 1e6 / took.as_secs_f64()
    );
    let peak = hub.peak_memory().unwrap_or(0);
    println!(
        "  hub memory: {:.0} MB resident before, {:.0} MB peak during ({:.1} MB over, for {:.0} MB sent)",
        before as f64 / 1e6,
        peak as f64 / 1e6,
        peak.saturating_sub(before) as f64 / 1e6,
        (SIZE * laptops) as f64 / 1e6
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
