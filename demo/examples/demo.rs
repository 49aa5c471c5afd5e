//! The demo register in a terminal, until the desktop app lands: creates an
//! encrypted demo database with the small demo data on first run, then shows
//! the lab, the last meetings and a search.
//!
//! `cargo run -p taccuino-demo --example demo -- [DIR] [SEARCH]`
//! (`scripts/demo.sh` does this). The demo key is fixed and public: never
//! put real data in a demo database.

use std::path::PathBuf;

use crdt_sync::{
    CodeRange, DeviceConfig, DeviceId, Families, Key, Meetings, ProjectId, ProjectSettings, Replication,
    Store, SystemEnv,
};
use taccuino_demo::{self as demo, DemoSize};

const DEMO_KEY: [u8; 32] = *b"taccuino-demo-key-not-for-real!!";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("taccuino-demo"));
    let search = args.next().unwrap_or_else(|| "nicolo".into());
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("demo.db");
    let key = Key::from_bytes(DEMO_KEY);
    let mut store = if path.exists() {
        Store::open(&path, &key, Box::new(SystemEnv))?
    } else {
        let config = DeviceConfig {
            device: DeviceId(uuid::Uuid::now_v7()),
            project: ProjectId(uuid::Uuid::now_v7()),
            codes: CodeRange::new(1, DemoSize::Small.code_numbers() + 100)?,
        };
        let mut s = Store::create(&path, &key, config, Box::new(SystemEnv))?;
        let summary = demo::populate(&mut s, DemoSize::Small, 2026)?;
        println!(
            "Registro dimostrativo creato in {}: {} famiglie, {} incontri.",
            path.display(),
            summary.households,
            summary.meetings
        );
        s
    };
    let today = chrono::Utc::now().date_naive();
    for lab in store.labs()? {
        println!("\n{} (PV{:02}) — {}, {}", lab.name, lab.number, lab.address, lab.partner);
        let from = today - chrono::Days::new(60);
        for m in store.meetings(lab.id, from, today)? {
            println!(
                "  {}  {}–{}  {:<22} presenti {:>2}, ospiti {}",
                m.date.format("%d/%m/%Y"),
                m.start,
                m.end,
                m.theme,
                m.attendees,
                m.guests
            );
        }
    }
    println!("\nRicerca «{search}»:");
    for hit in store.search_households(&search, 10)? {
        println!("  {}  {}", hit.code, hit.names);
    }
    let docs = store.doc_refs()?;
    println!("\nImpronta del registro: {}", store.fingerprint(&docs)?);
    Ok(())
}
