//! Stopping without losing a sync (issue 13). Told to stop (SIGTERM,
//! Ctrl-C), the hub accepts no new connection, gives the sync and
//! enrolment sockets already open [`Limits::shutdown_grace`] to end by
//! themselves, then tells those still open to close (a sync with
//! `Fatal::Busy`, which devices take as "sync again later"), and last
//! writes what it keeps in memory and checkpoints its two databases
//! (`AppState::close`, in `server/mod.rs`).
//!
//! axum's graceful shutdown waits for plain HTTP connections only: a
//! WebSocket leaves hyper at its upgrade and runs in a task of its own,
//! which nothing waits for. So the sockets are counted here: each holds a
//! [`Joined`] from the moment its handler runs, before the upgrade (so
//! none slips in between axum's wait and this one), until it ends.
//!
//! [`Limits::shutdown_grace`]: crate::Limits::shutdown_grace

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// The open sockets, and the hub's stopping.
#[derive(Clone, Debug)]
pub struct Drain {
    /// `true` once the sockets still open must close. Each open socket
    /// holds a receiver: their count is the sockets open.
    cut: Arc<watch::Sender<bool>>,
    /// When the hub was told to stop.
    began: Arc<watch::Sender<Option<Instant>>>,
    grace: Duration,
}

/// An open socket's place in the [`Drain`]: dropping it (the socket ended)
/// is what the stopping hub waits for.
#[derive(Debug)]
pub struct Joined(watch::Receiver<bool>);

impl Joined {
    /// Resolves once the socket must close: the hub is stopping and the
    /// grace period is over.
    pub async fn cut(&mut self) {
        // An error is the hub's state gone: close as well.
        let _ = self.0.wait_for(|cut| *cut).await;
    }

    /// Whether the socket must close now (checked before each turn at the
    /// store, so that nothing is written after the last checkpoint).
    pub fn is_cut(&self) -> bool {
        *self.0.borrow()
    }
}

/// How the open sockets ended ([`Drain::drain`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drained {
    /// Open when the hub was told to stop.
    pub open: usize,
    /// Still open at the end of the grace period, and told to close.
    pub cut: usize,
    /// Still open after being told to close (stuck writing to a device
    /// that reads nothing): left to end with the process.
    pub stuck: usize,
}

/// How long the sockets told to close have to do it.
const CUT_WAIT: Duration = Duration::from_secs(2);

impl Drain {
    /// No socket open; `grace` for those open at a stop.
    pub fn new(grace: Duration) -> Self {
        Drain { cut: Arc::new(watch::Sender::new(false)), began: Arc::new(watch::Sender::new(None)), grace }
    }

    /// A socket opens.
    pub fn join(&self) -> Joined {
        Joined(self.cut.subscribe())
    }

    /// The sockets open now.
    pub fn open(&self) -> usize {
        self.cut.receiver_count()
    }

    /// The hub was told to stop (`why`: "on request", "on failure (…)"):
    /// the grace period starts now. Logs
    /// the first of the two lines a stop writes.
    pub fn begin(&self, why: &str) {
        let first = self.began.send_if_modified(|began| {
            if began.is_some() {
                return false;
            }
            *began = Some(Instant::now());
            true
        });
        if first {
            let (open, grace_secs) = (self.open(), self.grace.as_secs());
            tracing::info!(
                open,
                grace_secs,
                "stopping {why}: no new connections; open sync or enrolment connections: {open}, given {grace_secs} s to end"
            );
        }
    }

    /// Resolves at the end of the grace period (never before [`Drain::begin`]).
    pub async fn grace_over(&self) {
        let at = self.began_at().await;
        tokio::time::sleep_until(at + self.grace).await;
    }

    async fn began_at(&self) -> Instant {
        let mut rx = self.began.subscribe();
        let began = rx.wait_for(Option::is_some).await.map(|began| began.unwrap_or_else(Instant::now));
        match began {
            Ok(began) => began,
            // The sender lives as long as `self`.
            Err(_) => std::future::pending().await,
        }
    }

    /// After [`Drain::begin`]: waits for the open sockets to end, until the
    /// grace period is over (or at once if `now` says so: a hub that
    /// cannot go on), then tells those left to close and gives them a
    /// moment to do it.
    pub async fn drain(&self, now: bool) -> Drained {
        let began = self.began_at().await;
        let open = self.open();
        let until = if now { Instant::now() } else { began + self.grace };
        if tokio::time::timeout_at(until, self.cut.closed()).await.is_ok() {
            return Drained { open, cut: 0, stuck: 0 };
        }
        let cut = self.open();
        self.cut.send_replace(true);
        let stuck = match tokio::time::timeout(CUT_WAIT, self.cut.closed()).await {
            Ok(()) => 0,
            Err(_) => self.open(),
        };
        Drained { open, cut, stuck }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sockets_that_end_in_time_are_waited_for_and_the_others_cut() {
        let grace = Duration::from_millis(500);
        let drain = Drain::new(grace);
        let quick = drain.join();
        let mut slow = drain.join();
        assert_eq!(drain.open(), 2);
        drain.begin("test");
        let ends = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(quick);
        });
        // The slow one closes when told to.
        let told = tokio::spawn(async move {
            slow.cut().await;
            assert!(slow.is_cut());
        });
        let started = Instant::now();
        let drained = drain.drain(false).await;
        assert_eq!(drained, Drained { open: 2, cut: 1, stuck: 0 });
        let took = started.elapsed();
        assert!(took >= grace && took < grace + CUT_WAIT, "the grace period, no more: {took:?}");
        ends.await.expect("quick");
        told.await.expect("slow");
    }

    #[tokio::test]
    async fn with_nothing_open_a_stop_does_not_wait() {
        let drain = Drain::new(Duration::from_secs(10));
        drain.begin("test");
        let started = Instant::now();
        assert_eq!(drain.drain(false).await, Drained { open: 0, cut: 0, stuck: 0 });
        assert!(started.elapsed() < Duration::from_secs(1));
        // A hub that cannot go on gives no grace; a socket that does not
        // close when told is left after a moment.
        let stuck = drain.join();
        assert_eq!(drain.drain(true).await, Drained { open: 1, cut: 1, stuck: 1 });
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(stuck);
    }
}
