//! When to try the next sync: a pure policy, so the app's loop only asks
//! "is it time?" and reports how the attempt went.
//!
//! After a success the next sync is `interval` later. After a failure the
//! wait doubles from `first_retry` up to `max_retry`, with a jitter of up
//! to a quarter so that ten labs coming back online do not knock on the
//! hub in step. A refusal the user must act on (revoked, unknown device)
//! stops automatic attempts until [`Backoff::reset`].

use std::time::{Duration, Instant};

/// How an attempt ended, as far as scheduling cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Synced.
    Succeeded,
    /// Could not sync; worth retrying (offline, hub down, broken connection).
    Failed,
    /// The hub refuses this device: retrying cannot help.
    Refused,
}

/// The schedule of automatic syncs.
#[derive(Clone, Debug)]
pub struct Backoff {
    interval: Duration,
    first_retry: Duration,
    max_retry: Duration,
    failures: u32,
    next: Option<Instant>,
}

impl Backoff {
    /// A schedule starting now: the first sync is due at once.
    pub fn new(now: Instant, interval: Duration, first_retry: Duration, max_retry: Duration) -> Backoff {
        Backoff { interval, first_retry, max_retry, failures: 0, next: Some(now) }
    }

    /// The app's defaults: every 10 minutes; retries after 30 s, 1, 2, 4
    /// … minutes, at most 30.
    pub fn standard(now: Instant) -> Backoff {
        Backoff::new(now, Duration::from_secs(600), Duration::from_secs(30), Duration::from_secs(1800))
    }

    /// Whether an automatic sync is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.next.is_some_and(|next| now >= next)
    }

    /// When the next automatic sync is due (`None`: stopped).
    pub fn next(&self) -> Option<Instant> {
        self.next
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records how an attempt that ended at `now` went. `jitter` in
    /// `0.0..=1.0` (a random draw by the caller) spreads retries.
    pub fn record(&mut self, now: Instant, attempt: Attempt, jitter: f64) {
        match attempt {
            Attempt::Succeeded => {
                self.failures = 0;
                self.next = Some(now + self.interval);
            }
            Attempt::Failed => {
                self.failures = self.failures.saturating_add(1);
                let exp = self.failures.saturating_sub(1).min(16);
                let wait = self.first_retry.saturating_mul(1u32 << exp).min(self.max_retry);
                let extra = wait.mul_f64(jitter.clamp(0.0, 1.0) / 4.0);
                self.next = Some(now + wait + extra);
            }
            Attempt::Refused => {
                self.failures = self.failures.saturating_add(1);
                self.next = None;
            }
        }
    }

    /// Starts again (the user synced by hand, or paired anew): due now.
    pub fn reset(&mut self, now: Instant) {
        self.failures = 0;
        self.next = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn due_at_once_then_every_interval_after_success() {
        let t0 = Instant::now();
        let mut b = Backoff::standard(t0);
        assert!(b.due(t0));
        b.record(t0, Attempt::Succeeded, 0.5);
        assert!(!b.due(t0 + secs(599)));
        assert!(b.due(t0 + secs(600)));
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap_and_success_resets() {
        let t0 = Instant::now();
        let mut b = Backoff::standard(t0);
        let mut waits = Vec::new();
        for _ in 0..9 {
            b.record(t0, Attempt::Failed, 0.0);
            waits.push(b.next().expect("scheduled").duration_since(t0).as_secs());
        }
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        b.record(t0, Attempt::Failed, 1.0);
        assert_eq!(
            b.next().expect("scheduled").duration_since(t0).as_secs(),
            1800 + 450,
            "jitter adds a quarter at most"
        );
        b.record(t0, Attempt::Succeeded, 0.0);
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next().expect("scheduled").duration_since(t0).as_secs(), 600);
    }

    #[test]
    fn a_refusal_stops_until_reset() {
        let t0 = Instant::now();
        let mut b = Backoff::standard(t0);
        b.record(t0, Attempt::Refused, 0.0);
        assert!(!b.due(t0 + secs(100_000)));
        b.reset(t0 + secs(5));
        assert!(b.due(t0 + secs(5)));
    }
}
