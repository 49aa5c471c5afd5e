//! `taccuino-hub release ...`: publish a release signed off the hub, list
//! the published ones, hold labs on a version (decision 0034).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use crdt_sync::ProjectSettings;
use taccuino_hub::{Actor, DataDir};

/// `taccuino-hub release ...`.
#[derive(Subcommand)]
pub(crate) enum ReleaseCommand {
    /// Publishes a release directory (`release.json`, its `.minisig`, the
    /// package), after checking it as laptops will: signed by a key built
    /// into this build, the package as signed, newer than every release of
    /// its format already published. Works while the hub serves; laptops
    /// are offered it when they next sync.
    Publish {
        /// The directory `taccuino-release sign` wrote.
        dir: PathBuf,
    },
    /// Lists the published releases and the labs held on a version.
    List,
    /// Holds a lab on a version (its laptops are offered nothing newer),
    /// or lets it go with --clear. To move labs one at a time, hold them
    /// all before publishing, then let them go one by one.
    Hold {
        /// The lab's number; with --all, every lab of the register.
        #[arg(long, required_unless_present = "all")]
        lab: Option<u8>,
        /// Every lab.
        #[arg(long, conflicts_with = "lab")]
        all: bool,
        /// The newest version its laptops are offered.
        #[arg(long, required_unless_present = "clear")]
        at: Option<String>,
        /// Let the lab go: it is offered the newest release again.
        #[arg(long, conflicts_with = "at")]
        clear: bool,
    },
}

/// `taccuino-hub release ...`.
pub(crate) fn run(dir: &DataDir, command: ReleaseCommand) -> anyhow::Result<()> {
    let mut registry = dir.open_registry()?;
    match command {
        ReleaseCommand::Publish { dir: release_dir } => {
            let keys = taccuino_updates::TrustedKeys::built_in();
            let release = taccuino_hub::releases::publish(dir, &mut registry, &release_dir, &keys)?;
            let m = release.manifest();
            println!("published {} {} ({} bytes)", m.version, m.format, m.size);
            let held: Vec<String> =
                registry.holds()?.iter().map(|h| format!("lab {} at {}", h.lab_number, h.version)).collect();
            if !held.is_empty() {
                eprintln!(
                    "held: {} (taccuino-hub release hold --lab N --clear lets a lab go)",
                    held.join(", ")
                );
            }
        }
        ReleaseCommand::List => {
            println!("{:<12} {:<6} {:<25} FILE", "VERSION", "FORMAT", "PUBLISHED");
            for r in registry.releases()? {
                let when = chrono::DateTime::from_timestamp_millis(r.published_at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default();
                let file =
                    taccuino_updates::Manifest::parse(&r.signed.manifest).map(|m| m.file).unwrap_or_default();
                println!("{:<12} {:<6} {:<25} {file}", r.version.to_string(), r.format.as_str(), when);
            }
            for h in registry.holds()? {
                println!("lab {} held at {}", h.lab_number, h.version);
            }
        }
        ReleaseCommand::Hold { lab, all, at, clear } => {
            let version = match (&at, clear) {
                (Some(v), false) => {
                    Some(semver::Version::parse(v).with_context(|| format!("{v:?} is not a version"))?)
                }
                _ => None,
            };
            let labs = dir.open_store()?.labs()?;
            let chosen: Vec<_> = labs.iter().filter(|l| all || Some(l.number) == lab).collect();
            if chosen.is_empty() {
                bail!("lab {} is not in the register", lab.map(|n| n.to_string()).unwrap_or_default());
            }
            for l in chosen {
                registry.hold((l.id, l.number), version.as_ref(), &Actor::CommandLine)?;
                match &version {
                    Some(v) => println!("lab {} held at {v}", l.number),
                    None => println!("lab {} is offered the newest release", l.number),
                }
            }
        }
    }
    Ok(())
}
