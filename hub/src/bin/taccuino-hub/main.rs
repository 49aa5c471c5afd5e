//! `taccuino-hub`: the hub's command line.

mod release;

use crdt_sync::{AuditTrail, Families, ProjectId, ProjectSettings, Retention, VolunteerRegister};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use crdt_sync::sync::{DeviceRole, bundle};
use taccuino_hub::admin::{self, Request};
use taccuino_hub::backup;
use taccuino_hub::directory::Reconciler;
use taccuino_hub::{
    Actor, AppState, CONFIG_EXAMPLE, Config, DataDir, KEY_ENV, KeyOrigin, LimitsFile, Overrides, metrics,
    read_pseudonym_key, reports, serve_tls,
};
use taccuino_reports::export::Privacy;
use zeroize::Zeroizing;

#[derive(Parser)]
#[command(name = "taccuino-hub", version, about = "Taccuino's central hub")]
struct Cli {
    /// The data directory.
    #[arg(long, env = "TACCUINO_HUB_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file (see `config-example`).
    #[arg(long, env = "TACCUINO_HUB_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// A PEM certificate to serve instead of the generated self-signed one.
    #[arg(long, env = "TACCUINO_HUB_TLS_CERT", global = true)]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, env = "TACCUINO_HUB_TLS_KEY", global = true)]
    tls_key: Option<PathBuf>,
    /// A file holding the hub's key, outside the data directory so that a
    /// copy of the directory does not carry it (`init` writes a new key
    /// there). Otherwise the key is taken from TACCUINO_HUB_KEY (hex), then
    /// from systemd's `$CREDENTIALS_DIRECTORY/hub.key`, then from
    /// `hub.key` in the data directory.
    #[arg(long, env = "TACCUINO_HUB_KEY_FILE", global = true)]
    key_file: Option<PathBuf>,
    /// How the log (on stderr) is written: `text`, lines for a person, or
    /// `json`, one JSON object per line for a log collector.
    #[arg(long, env = "TACCUINO_HUB_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// A line for a person: time, level, where, message, fields.
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message`
    /// and the event's fields beside it.
    Json,
}

/// The log, on stderr, filtered by `RUST_LOG` (`info` by default). Colours
/// only on a terminal: a journal or a file gets plain text.
fn init_logs(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => {
            logs.json().flatten_event(true).with_current_span(false).with_span_list(false).init()
        }
    }
}

/// A future that resolves when the hub is told to stop: Ctrl-C, or SIGTERM
/// (what a service manager sends: `systemctl stop`, `docker stop`). The
/// handlers are in place when this returns (inside the runtime), before
/// the hub says it listens: a SIGTERM from then on stops it cleanly.
fn stop_requested() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Which labs and which period a report covers.
#[derive(clap::Args)]
struct Scope {
    /// A lab's number; repeat for several; none means all labs.
    #[arg(long = "lab")]
    labs: Vec<u8>,
    /// First day, 31/01/2026 or 2026-01-31.
    #[arg(long)]
    from: String,
    /// Last day.
    #[arg(long)]
    to: String,
}

impl Scope {
    fn selection(&self, store: &crdt_sync::Store) -> anyhow::Result<crdt_sync::Selection> {
        let (from, to) = (reports::parse_date(&self.from)?, reports::parse_date(&self.to)?);
        Ok(reports::selection(store, &self.labs, from, to)?)
    }
}

/// `serve`'s limits (see the example configuration's `[limits]`); each
/// one given here wins over the file.
#[derive(clap::Args, Clone, Default)]
struct LimitFlags {
    /// Seconds a client may take over the TLS handshake.
    #[arg(long, env = "TACCUINO_HUB_HANDSHAKE_SECS")]
    handshake_secs: Option<u64>,
    /// Seconds a connection may stay plain HTTP.
    #[arg(long, env = "TACCUINO_HUB_REQUEST_SECS")]
    request_secs: Option<u64>,
    /// Seconds a new WebSocket may wait before its first frame.
    #[arg(long, env = "TACCUINO_HUB_FIRST_FRAME_SECS")]
    first_frame_secs: Option<u64>,
    /// Seconds a device's sync may send no frame.
    #[arg(long, env = "TACCUINO_HUB_IDLE_SECS")]
    idle_secs: Option<u64>,
    /// Sync connections one device may hold at once.
    #[arg(long, env = "TACCUINO_HUB_CONNECTIONS_PER_DEVICE")]
    connections_per_device: Option<u32>,
    /// Connections one address may hold at once.
    #[arg(long, env = "TACCUINO_HUB_CONNECTIONS_PER_ADDRESS")]
    connections_per_address: Option<u32>,
    /// Frames one device may send per minute.
    #[arg(long, env = "TACCUINO_HUB_FRAMES_PER_MINUTE")]
    frames_per_minute: Option<u64>,
    /// Bytes one device may send per minute.
    #[arg(long, env = "TACCUINO_HUB_BYTES_PER_MINUTE")]
    bytes_per_minute: Option<u64>,
    /// Release packages one device may download per day.
    #[arg(long, env = "TACCUINO_HUB_DOWNLOADS_PER_DAY")]
    downloads_per_day: Option<u32>,
    /// Seconds the running syncs may take to finish when the hub is told
    /// to stop (SIGTERM, Ctrl-C) before they are closed.
    #[arg(long, env = "TACCUINO_HUB_SHUTDOWN_GRACE_SECS")]
    shutdown_grace_secs: Option<u64>,
}

impl LimitFlags {
    fn file(self) -> LimitsFile {
        LimitsFile {
            handshake_secs: self.handshake_secs,
            request_secs: self.request_secs,
            first_frame_secs: self.first_frame_secs,
            idle_secs: self.idle_secs,
            connections_per_device: self.connections_per_device,
            connections_per_address: self.connections_per_address,
            frames_per_minute: self.frames_per_minute,
            bytes_per_minute: self.bytes_per_minute,
            downloads_per_day: self.downloads_per_day,
            shutdown_grace_secs: self.shutdown_grace_secs,
            ..LimitsFile::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Creates a new hub in the data directory.
    Init {
        /// The project's id (a UUID); a new one if omitted.
        #[arg(long)]
        project: Option<uuid::Uuid>,
    },
    /// Runs the hub.
    Serve {
        /// Address and port to listen on (port 0 picks a free one; the
        /// chosen address is printed as `listening on ADDR`, then the
        /// certificate's fingerprint as `certificate sha256 HEX`).
        #[arg(long, env = "TACCUINO_HUB_LISTEN")]
        listen: Option<String>,
        /// Serve Prometheus metrics (`GET /metrics`, plain HTTP) on this
        /// loopback address; printed as `metrics on ADDR` after the two
        /// lines above. None by default.
        #[arg(long, env = "TACCUINO_HUB_METRICS_LISTEN")]
        metrics_listen: Option<String>,
        #[command(flatten)]
        limits: LimitFlags,
    },
    /// Adds a lab to the register (with the project's default activity
    /// types if it has none yet), as a coordinator would. The hub must be
    /// stopped; devices receive the lab at their next sync.
    AddLab {
        /// The lab's number (1–99).
        #[arg(long)]
        number: u8,
        /// Its name, e.g. "Laboratorio Crosione".
        #[arg(long)]
        name: String,
        /// Its address.
        #[arg(long, default_value = "")]
        address: String,
        /// The partner organisation that runs it.
        #[arg(long, default_value = "")]
        partner: String,
    },
    /// Adds a partner organisation to the project document, and prints its
    /// id; its coordinators are enrolled with `enroll --role coordinator
    /// --organisation <id or name>` and keep its volunteers' register.
    AddOrganisation {
        /// Its name, e.g. "Consorzio Sociale Pavese".
        #[arg(long)]
        name: String,
    },
    /// Prints a one-time pairing code for a new device.
    Enroll {
        /// The lab's number (1–10); not for coordinators.
        #[arg(long)]
        lab: Option<u8>,
        /// For a coordinator of one partner organisation: its id or name
        /// (see `add-organisation`). The device then receives and keeps
        /// that organisation's volunteers' register, and no other's.
        #[arg(long)]
        organisation: Option<String>,
        /// volunteer, operator, lead or coordinator.
        #[arg(long)]
        role: String,
        /// Hours the code stays valid.
        #[arg(long, env = "TACCUINO_HUB_PAIRING_TTL_HOURS")]
        ttl_hours: Option<u32>,
    },
    /// Lists enrolled devices; with --log, the administration log instead
    /// (pairing codes made, devices revoked, leads' requests, from here or
    /// from a coordinator's app).
    Devices {
        /// The administration log instead of the devices.
        #[arg(long)]
        log: bool,
    },
    /// Releases of the app for the laptops: publish one signed off the hub
    /// (`taccuino-release sign`), list them, hold a lab on a version.
    Release {
        #[command(subcommand)]
        command: release::ReleaseCommand,
    },
    /// Revokes a device: its open connection is cut and it can no longer
    /// sync; a lab device's lab gets a new bundle key.
    Revoke {
        /// The device id (from `devices`).
        device: uuid::Uuid,
    },
    /// Imports a sync bundle (from a lab with no network): decrypted and
    /// authenticated with the lab's current key, refused if a revoked or
    /// unknown device made it or its key was retired by a revocation, then
    /// merged document by document as that lab may write.
    Import {
        /// The bundle file.
        file: PathBuf,
    },
    /// Exports the merged register (pseudonymised unless --full) into a folder.
    Export {
        #[command(flatten)]
        scope: Scope,
        /// csv, csv-zip, xlsx or pdf (the printed monthly registers).
        #[arg(long, default_value = "xlsx")]
        format: String,
        /// With names, codes and contacts, and no small-count suppression
        /// (coordinators only; recorded in the audit log).
        #[arg(long, conflicts_with = "pseudonym_key")]
        full: bool,
        /// The pseudonym key file to use instead of the hub's own
        /// (`pseudonym-key` prints where that is).
        #[arg(long, value_name = "FILE")]
        pseudonym_key: Option<PathBuf>,
        /// English headers instead of Italian.
        #[arg(long)]
        english: bool,
        /// The folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints where the project's pseudonym key is (never the key itself),
    /// creating it if this hub has none yet. Keep it apart from the exports:
    /// with it, pseudonyms can be linked to families.
    PseudonymKey,
    /// Writes everything the register holds about one family (GDPR arts. 15
    /// and 20) into a folder: a JSON file and a PDF to read. Recorded in the
    /// audit log; an erased family is refused.
    SubjectAccess {
        /// The family's code, e.g. PV01-0042.
        #[arg(long)]
        code: String,
        /// In English instead of Italian.
        #[arg(long)]
        english: bool,
        /// The folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Prints the indicators against the grant's targets, as JSON.
    Indicators {
        #[command(flatten)]
        scope: Scope,
    },
    /// Writes the audit trail of a lab (or of one family) as CSV for the
    /// data protection officer: who did what, when, from which device; ids
    /// and codes only.
    Audit {
        /// The lab's number.
        #[arg(long)]
        lab: Option<u8>,
        /// A family's code instead (e.g. PV03-0042).
        #[arg(long)]
        code: Option<String>,
        /// English headers instead of Italian.
        #[arg(long)]
        english: bool,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Lists the families due for erasure under the project's retention
    /// policy; with --erase, erases those named (hub stopped), which every
    /// device then erases as it syncs.
    Retention {
        /// Codes to erase, as listed; all must still be due.
        #[arg(long = "erase", num_args = 1..)]
        erase: Vec<String>,
    },
    /// Writes a backup of the hub into one encrypted file, while it serves
    /// or not: the register, the registry, the TLS certificate and key and
    /// the pseudonym key, under the hub's key. The key itself goes in only
    /// with --with-key, wrapped with the passphrase in
    /// TACCUINO_HUB_BACKUP_PASSPHRASE.
    Backup {
        /// The file to write (never replaced if it exists).
        #[arg(long)]
        out: PathBuf,
        /// Also put the hub's key in the backup, wrapped with the passphrase
        /// in TACCUINO_HUB_BACKUP_PASSPHRASE (at least 12 characters).
        #[arg(long)]
        with_key: bool,
        /// With --with-key: also wrap it for this coordinator recovery key
        /// (tcr1-…), whose secret half then opens it too.
        #[arg(long, requires = "with_key", value_name = "PUBLIC_KEY")]
        recovery: Option<String>,
    },
    /// Rebuilds a hub from a backup in the data directory, which must be new
    /// or empty. The key: --key-file, TACCUINO_HUB_KEY or systemd's
    /// credential; or, for a backup made with --with-key, the passphrase in
    /// TACCUINO_HUB_BACKUP_PASSPHRASE or --recovery-secret-file.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// A file holding the coordinator's recovery secret (TCS1-…) that
        /// opens the key in the backup.
        #[arg(long, value_name = "FILE")]
        recovery_secret_file: Option<PathBuf>,
    },
    /// Prints an example configuration file.
    ConfigExample,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    if let Command::ConfigExample = cli.command {
        print!("{CONFIG_EXAMPLE}");
        return Ok(());
    }
    let (listen, ttl, limits) = match &cli.command {
        Command::Serve { listen, limits, .. } => (listen.clone(), None, limits.clone().file()),
        Command::Enroll { ttl_hours, .. } => (None, *ttl_hours, LimitsFile::default()),
        _ => (None, None, LimitsFile::default()),
    };
    let metrics_listen = match &cli.command {
        Command::Serve { metrics_listen, .. } => metrics_listen.clone(),
        _ => None,
    };
    let config = Config::resolve(
        Overrides {
            data_dir: cli.data_dir.clone(),
            listen,
            pairing_ttl_hours: ttl,
            tls_cert: cli.tls_cert.clone(),
            tls_key: cli.tls_key.clone(),
            limits,
            metrics_listen,
        },
        cli.config.as_deref(),
    )?;
    let origin = KeyOrigin::choose(
        cli.key_file.clone(),
        std::env::var(KEY_ENV).ok(),
        std::env::var_os("CREDENTIALS_DIRECTORY").map(PathBuf::from),
    )?;
    let dir = DataDir::with_key(&config.data_dir, origin.clone());
    match cli.command {
        Command::Init { project } => {
            let project = ProjectId(project.unwrap_or_else(uuid::Uuid::now_v7));
            dir.init(project)?;
            println!("hub created in {} for project {project}", config.data_dir.display());
            let identity = dir.tls_identity(config.tls.as_ref())?;
            println!("certificate sha256 {}", identity.fingerprint());
        }
        Command::Serve { .. } => {
            let lock = dir.lock()?;
            let store = dir.open_store()?;
            let mut registry = dir.open_registry_locked(&lock)?;
            registry.journal_revocations(
                dir.revocation_journal(config.backup.as_ref().map(|s| s.dir.as_path()))?,
            );
            let identity = dir.tls_identity(config.tls.as_ref())?;
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let state = AppState::with_limits(store, registry, config.limits.clone())
                .with_pairing_ttl_hours(config.pairing_ttl_hours)
                .on_data_dir(&dir);
            let admin_socket = admin::socket::AdminSocket::bind(dir.root())?;
            let served = runtime.block_on(async move {
                if let Some(schedule) = config.backup.clone() {
                    tracing::info!(
                        dir = %schedule.dir.display(),
                        every_hours = schedule.every_hours,
                        keep = schedule.keep,
                        "scheduled backups"
                    );
                    tokio::spawn(backup::schedule::run(dir.clone(), schedule));
                }
                let admin_state = state.clone();
                tokio::spawn(async move {
                    if let Err(e) = admin::socket::serve(admin_socket, admin_state).await {
                        tracing::error!(error = %e, "the administration socket stopped");
                    }
                });
                let stop = stop_requested()?;
                let listener = tokio::net::TcpListener::bind(&config.listen)
                    .await
                    .with_context(|| format!("cannot listen on {}", config.listen))?;
                let metrics = match &config.metrics_listen {
                    Some(addr) => Some(metrics::bind(addr).await?),
                    None => None,
                };
                println!("listening on {}", listener.local_addr()?);
                println!("certificate sha256 {}", identity.fingerprint());
                if let Some(metrics) = metrics {
                    // After the two lines above, which launchers read first; a
                    // launcher that stopped reading does not stop the hub.
                    let _ = writeln!(std::io::stdout(), "metrics on {}", metrics.local_addr()?);
                    let state = state.clone();
                    tokio::spawn(async move {
                        if let Err(e) = metrics::serve_metrics(metrics, state, std::future::pending()).await {
                            tracing::error!(error = %e, "the metrics listener stopped");
                        }
                    });
                }
                // Stops gracefully: the open syncs get the grace period, then
                // the databases are checkpointed; exit status 0.
                serve_tls(listener, &identity, state, stop).await?;
                anyhow::Ok(())
            });
            // Sockets still open end here (cut and stuck, after the grace
            // period), without waiting for them: after a failure (a
            // poisoned store) too the process must exit, non-zero, for its
            // service manager to restart it.
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            served?;
        }
        Command::AddLab { number, name, address, partner } => {
            administer(&dir, Request::AddLab { number, name, address, partner }, &[])?;
        }
        Command::AddOrganisation { name } => {
            administer(&dir, Request::AddOrganisation { name }, &[])?;
        }
        Command::Enroll { lab, role, organisation, .. } => {
            let role = DeviceRole::parse(&role).with_context(|| {
                format!("unknown role {role:?}: volunteer, operator, lead or coordinator")
            })?;
            let lab = match (role, lab) {
                (DeviceRole::Coordinator, None) => None,
                (DeviceRole::Coordinator, Some(_)) => {
                    bail!("a coordinator device is not tied to a lab: drop --lab")
                }
                (_, None) => bail!("a {} device needs --lab", role.as_str()),
                (_, Some(n)) => {
                    let store = dir.open_store()?;
                    let found = store.labs()?.into_iter().find(|l| l.number == n);
                    let lab = found.with_context(|| {
                        format!(
                            "lab {n} is not in the register yet: a coordinator must create it and sync first"
                        )
                    })?;
                    Some((lab.id, n))
                }
            };
            let organisation = match organisation {
                None => None,
                Some(_) if role != DeviceRole::Coordinator => {
                    bail!("only a coordinator's device is enrolled for an organisation: drop --organisation")
                }
                Some(given) => {
                    let mut store = dir.open_store()?;
                    let found = store.organisations()?.into_iter().find(|o| {
                        o.id.to_string() == given.trim() || o.name.eq_ignore_ascii_case(given.trim())
                    });
                    Some(found.with_context(|| {
                        format!(
                            "no organisation {given:?} in the register: add it with add-organisation first"
                        )
                    })?)
                }
            };
            let cert = dir.tls_identity(config.tls.as_ref())?.fingerprint();
            let mut registry = dir.open_registry()?;
            let code = registry.issue_code_for(
                role,
                lab,
                organisation.as_ref().map(|o| o.id),
                config.pairing_ttl_hours,
                Some(&cert),
            )?;
            let target = format!(
                "{}{}{}",
                role.as_str(),
                lab.map(|(_, n)| format!(" lab {n}")).unwrap_or_default(),
                organisation.map(|o| format!(" organisation {}", o.id)).unwrap_or_default()
            );
            registry.log_admin(&Actor::CommandLine, "issue_code", &target)?;
            println!("{code}");
            eprintln!("valid for {} hours, once", config.pairing_ttl_hours);
        }
        Command::Devices { log: true } => {
            println!("{:<25} {:<45} {:<12} TARGET", "WHEN", "WHO", "WHAT");
            for e in dir.open_registry()?.admin_log()? {
                let when = chrono::DateTime::from_timestamp_millis(e.at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default();
                println!("{when:<25} {:<45} {:<12} {}", e.actor, e.action, e.target);
            }
        }
        Command::Devices { log: false } => {
            println!(
                "{:<38} {:<12} {:<4} {:<25} {:<9} {:<9} NAME",
                "DEVICE", "ROLE", "LAB", "LAST SYNC", "STATUS", "VERSION"
            );
            for d in dir.open_registry()?.devices()? {
                let last = d
                    .last_sync
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_else(|| "never".into());
                let lab = d.lab_number.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
                let status = if d.revoked_at.is_some() { "revoked" } else { "active" };
                println!(
                    "{:<38} {:<12} {:<4} {:<25} {:<9} {:<9} {}",
                    d.id,
                    d.role.as_str(),
                    lab,
                    last,
                    status,
                    d.app_version.as_deref().unwrap_or("-"),
                    d.name
                );
            }
        }
        Command::Release { command } => release::run(&dir, command)?,
        Command::Revoke { device } => {
            let id = crdt_sync::DeviceId(device);
            let mut registry = dir.open_registry()?;
            registry.journal_revocations(
                dir.revocation_journal(config.backup.as_ref().map(|s| s.dir.as_path()))?,
            );
            if !registry.revoke(id)? {
                bail!("no device {device}");
            }
            let name = registry.device(id)?.map(|d| d.name).unwrap_or_default();
            registry.log_admin(&Actor::CommandLine, "revoke", &format!("{device} ({name})"))?;
            println!("device {device} revoked");
            if let Some(n) = registry.device(id)?.and_then(|d| d.lab_number) {
                eprintln!(
                    "lab {n}'s bundle key was replaced: its other devices receive the new one at their next \
                     sync, and bundles made with the old one are refused"
                );
            }
        }
        Command::Import { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            // Before anything is sent: a file that is no bundle at all.
            bundle::claimed_lab(&bytes).with_context(|| format!("{} refused", file.display()))?;
            administer(&dir, Request::Import { file: file.display().to_string() }, &bytes)?;
        }
        Command::Export { scope, format, full, pseudonym_key, english, out } => {
            let mut store = dir.open_store()?;
            let selection = scope.selection(&store)?;
            let format = reports::parse_format(&format)?;
            let privacy = match (full, pseudonym_key) {
                (true, _) => Privacy::Full,
                (false, Some(file)) => Privacy::Pseudonymised(read_pseudonym_key(&file)?),
                (false, None) => Privacy::Pseudonymised(dir.pseudonym_key()?),
            };
            for path in reports::export_to(&mut store, selection, format, privacy, english, &out)? {
                println!("{}", path.display());
            }
        }
        Command::PseudonymKey => {
            let key = dir.pseudonym_key()?;
            println!("{}", dir.pseudonym_key_path().display());
            eprintln!(
                "fingerprint {} (the audit log records it with each pseudonymised export)",
                key.fingerprint()
            );
        }
        Command::SubjectAccess { code, english, out } => {
            let mut store = dir.open_store()?;
            for path in reports::subject_access_to(&mut store, &code, english, &out)? {
                println!("{}", path.display());
            }
        }
        Command::Indicators { scope } => {
            let store = dir.open_store()?;
            let selection = scope.selection(&store)?;
            println!("{}", reports::indicators_json(&store, &selection)?);
        }
        Command::Audit { lab, code, english, out } => {
            let mut store = dir.open_store()?;
            let scope = match (lab, code) {
                (Some(n), None) => {
                    let lab = store.labs()?.into_iter().find(|l| l.number == n);
                    crdt_sync::TrailScope::Lab(lab.with_context(|| format!("no lab {n}"))?.id)
                }
                (None, Some(code)) => crdt_sync::TrailScope::Household(store.household_by_code(&code)?),
                _ => bail!("give --lab N or --code CODE"),
            };
            let language = if english {
                taccuino_reports::export::Language::En
            } else {
                taccuino_reports::export::Language::It
            };
            let file = taccuino_reports::export::audit_trail_csv(&store.audit_trail(scope)?, language)?;
            std::fs::write(&out, &file.bytes).with_context(|| format!("cannot write {}", out.display()))?;
            println!("{}", out.display());
        }
        Command::Retention { erase } if !erase.is_empty() => {
            administer(&dir, Request::Erase { codes: erase }, &[])?;
        }
        Command::Retention { .. } => {
            let mut store = dir.open_store()?;
            let today = chrono::Utc::now().date_naive();
            let due = store.retention_due(today)?;
            let policy = store.retention_policy()?;
            println!("families with no activity for {} years or more:", policy.inactive_years);
            for d in &due {
                let merged = if d.merged.is_empty() {
                    String::new()
                } else {
                    format!(" (with {})", d.merged.join(", "))
                };
                let flag =
                    if d.unconfirmed_merge { "  [unconfirmed merge: confirm or undo it first]" } else { "" };
                println!(
                    "{}  last activity {}  {} years{merged}{flag}",
                    d.code, d.last_activity, d.years_inactive
                );
            }
            println!("{} due", due.len());
        }
        Command::Backup { out, with_key, recovery } => {
            let wrap = if with_key {
                let passphrase =
                    std::env::var(backup::PASSPHRASE_ENV).map(Zeroizing::new).with_context(|| {
                        format!(
                            "--with-key wraps the hub's key with the passphrase in {}: set it",
                            backup::PASSPHRASE_ENV
                        )
                    })?;
                let recovery = match recovery {
                    Some(text) => Some(
                        taccuino_keys::RecoveryPublic::from_text(text.trim())
                            .with_context(|| format!("{text:?} is not a recovery public key (tcr1-…)"))?,
                    ),
                    None => None,
                };
                Some(backup::KeyWrap { passphrase, recovery })
            } else {
                None
            };
            let made = backup::make(&dir, &out, wrap)?;
            println!("{}", made.path.display());
            eprintln!(
                "backup of {} ({} bytes){}",
                made.header.created_at,
                made.bytes,
                if made.header.key.is_some() { ", with the hub's key wrapped" } else { "" }
            );
        }
        Command::Restore { from, recovery_secret_file } => {
            let passphrase = std::env::var(backup::PASSPHRASE_ENV).ok().map(Zeroizing::new);
            let source = backup::key_source(&origin, passphrase, recovery_secret_file.as_deref())?;
            let restored = backup::restore(&from, &config.data_dir, source)?;
            if let Some(key) = &restored.key {
                let kept = backup::keep_key(&config.data_dir, &origin, key)?;
                eprintln!("the hub's key, from the backup, is in {kept}");
            }
            println!(
                "hub of project {} restored in {} from the backup of {}: {} devices",
                restored.header.project,
                config.data_dir.display(),
                restored.header.created_at,
                restored.devices
            );
            match &restored.revoked_again {
                Some(again) => {
                    eprintln!(
                        "{} device(s) revoked after the backup revoked again, from {}{}",
                        again.revoked.len(),
                        again.journal.display(),
                        if again.revoked.is_empty() {
                            String::new()
                        } else {
                            format!(
                                ": {}",
                                again.revoked.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                            )
                        }
                    );
                    if again.unknown > 0 {
                        eprintln!(
                            "{} device(s) it names were paired after the backup: this copy does not know them, \
                             and they cannot sync with it",
                            again.unknown
                        );
                    }
                    if again.ignored > 0 {
                        eprintln!(
                            "{} line(s) of {} were not written by this hub and were ignored: check who can \
                             write the backups' directory",
                            again.ignored,
                            again.journal.display()
                        );
                    }
                    eprintln!(
                        "devices enrolled after {} are not known to this copy: pair them again. Sync a \
                         coordinator's app first: it brings back erasures made since, which lab laptops may \
                         not hand back; then every laptop brings back what it holds at its next sync.",
                        restored.header.created_at
                    );
                }
                None => eprintln!(
                    "no revocation journal ({}) beside the backup: devices enrolled or revoked after {} are \
                     not known to this copy: revoke again any device revoked since (see `devices`), and pair \
                     again those enrolled since. Sync a coordinator's app first: it brings back erasures made \
                     since, which lab laptops may not hand back; then every laptop brings back what it holds \
                     at its next sync.",
                    backup::journal::FILE,
                    restored.header.created_at
                ),
            }
        }
        Command::ConfigExample => {}
    }
    Ok(())
}

/// Carries out an administration command that writes the register: on the
/// files themselves when the hub is stopped (holding the directory's lock),
/// or by the running hub, through its administration socket (`admin`).
fn administer(dir: &DataDir, request: Request, payload: &[u8]) -> anyhow::Result<()> {
    let outcome = match dir.try_lock()? {
        Some(lock) => {
            let mut registry = dir.open_registry_locked(&lock)?;
            let mut store = dir.open_store()?;
            let today = chrono::Utc::now().date_naive();
            let mut reconciler = Reconciler::default();
            admin::execute(&request, payload, &mut store, &mut registry, &mut reconciler, today)?
        }
        None => admin::socket::send(dir.root(), request, payload)?,
    };
    for line in outcome.out {
        println!("{line}");
    }
    for line in outcome.err {
        eprintln!("{line}");
    }
    Ok(())
}
