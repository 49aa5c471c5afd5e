//! `crash_writer device <database> <link file> <seed>`: a laptop paired with
//! a real hub, for the crash test's kills during a sync.
//!
//! It opens the register at `<database>` (made by the parent from what
//! enrolment returned: `Store::create` is not atomic, and a kill is not
//! this child's business before it is open), prints `ready`, then goes
//! round after round until it is killed: it records one to three meetings
//! (printing `writing` and `committed <id>` around each, as the plain
//! writer does), reads `<link file>` ([`Link`]: the hub may have been
//! restarted on another port), and syncs:
//!
//! ```text
//! syncing
//! step
//! stepped
//! ...
//! synced <documents changed here>
//! ```
//!
//! The sync is the client's own (`sync_with`, which `sync_once` is), the
//! register lent to it one step at a time as the app lends its own
//! ([`Announced`]): each step prints `step` before and `stepped` after, so
//! that the parent can aim a kill inside a step (where the register
//! changes) rather than at the network waits between them.
//!
//! or `sync failed <kind>: <error>` when the sync fails (the hub was
//! killed); then it waits a moment, as the app backs off, and goes on. It
//! records meetings only once a sync has completed in this process: before
//! that its register may lack the lab, which a volunteer's laptop never
//! creates. A sync that the hub answers with refusals is an error (exit 1).
//!
//! Closing its stdin asks it to stop at the end of the round (exit 0);
//! closing its stdout stops it too.

use std::future::Future;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crdt_sync::{Meetings, ProjectSettings, Store, SystemEnv};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use taccuino_sync_client::{ClientError, StoreAccess, sync_with};
use taccuino_tests::crash::{
    self, COMMITTED, Link, READY, STEP, STEPPED, SYNC_FAILED, SYNCED, SYNCING, WRITING,
};
use taccuino_tests::fixture::Register;

/// How long to wait after a failed sync before the next round: without it
/// a dead hub (connection refused at once) turns the loop into a flood of
/// meetings.
const BACKOFF: Duration = Duration::from_millis(50);

/// Runs the device child; `std::env::args` are `device <database> <link
/// file> <seed>`.
pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(2);
    let usage = "usage: crash_writer device <database> <link file> <seed>";
    let path = PathBuf::from(args.next().ok_or(usage)?);
    let link = PathBuf::from(args.next().ok_or(usage)?);
    let seed: u64 = args.next().ok_or(usage)?.to_string_lossy().parse()?;

    let mut store = Store::open(&path, &crash::key(), Box::new(SystemEnv))?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        // Anything read is ignored: only the end of the input matters.
        let _ = std::io::stdin().lock().read_to_end(&mut Vec::new());
        flag.store(true, Ordering::SeqCst);
    });

    let mut out = std::io::stdout().lock();
    writeln!(out, "{READY}")?;
    out.flush()?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // The register and its activity types, once a sync brought them.
    let mut lab: Option<(Register, Vec<String>)> = None;
    for round in 0u64.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if let Some((register, activities)) = &lab {
            for n in 0..rng.random_range(1..=3) {
                let theme = format!("Incontro {round}.{n} (seed {seed})");
                let m = super::meeting(register, activities, &mut rng, theme)?;
                writeln!(out, "{WRITING}")?;
                out.flush()?;
                let id = store.create_meeting(m)?;
                writeln!(out, "{COMMITTED}{id}")?;
                out.flush()?;
            }
        }
        let link = Link::read(&link)?;
        writeln!(out, "{SYNCING}")?;
        out.flush()?;
        let mut access = Announced { store: &mut store, out: std::io::stdout() };
        match runtime.block_on(sync_with(&mut access, &link.hub, &link.token)) {
            Ok(report) => {
                if !report.refused.is_empty() {
                    return Err(format!("the hub refused {:?}", report.refused).into());
                }
                writeln!(out, "{SYNCED}{}", report.stats.docs_changed)?;
                out.flush()?;
                if lab.is_none() {
                    // Adds nothing: the lab, its roster, its families and
                    // the activity types all came with the sync.
                    let register = Register::ensure(&mut store, 0)?;
                    let activities = store.activity_types()?.into_iter().map(|t| t.key).collect();
                    lab = Some((register, activities));
                }
            }
            Err(e) => {
                writeln!(out, "{SYNC_FAILED}{}: {e}", kind(&e))?;
                out.flush()?;
                std::thread::sleep(BACKOFF);
            }
        }
    }
    Ok(())
}

/// The register lent to a sync one step at a time, each step announced on
/// stdout ([`STEP`], [`STEPPED`]).
struct Announced<'a> {
    store: &'a mut Store,
    out: std::io::Stdout,
}

impl Announced<'_> {
    fn say(&mut self, line: &str) -> Result<(), ClientError> {
        let mut out = self.out.lock();
        writeln!(out, "{line}")?;
        Ok(out.flush()?)
    }
}

impl StoreAccess for Announced<'_> {
    fn with_store<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Store) -> T + Send,
    ) -> impl Future<Output = Result<T, ClientError>> + Send {
        let step = self.say(STEP).map(|()| f(self.store)).and_then(|t| self.say(STEPPED).map(|()| t));
        std::future::ready(step)
    }
}

/// The variant of `e`, in lower case, for the parent to tell a hub that went
/// away (`network`, `io`, `protocol`) from a failure of this register.
fn kind(e: &ClientError) -> &'static str {
    match e {
        ClientError::Network(_) => "network",
        ClientError::Io(_) => "io",
        ClientError::Protocol(_) => "protocol",
        ClientError::Stalled(_) => "stalled",
        ClientError::Store(_) => "store",
        ClientError::Closed(_) => "closed",
        ClientError::Unauthorized => "unauthorized",
        ClientError::Revoked => "revoked",
        ClientError::StoreClosed => "store_closed",
        ClientError::CertificateChanged => "certificate_changed",
        _ => "other",
    }
}
