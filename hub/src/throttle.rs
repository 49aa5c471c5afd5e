//! A failure budget for enrolment: after too many wrong pairing codes in a
//! window, every attempt is refused until the window ends. Pairing codes
//! carry 50 bits, so guessing is already impractical; the budget also keeps
//! a flood of attempts from filling the logs.

use std::time::{Duration, Instant};

/// Failures allowed per window, and the window.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    window: Duration,
    started: Option<Instant>,
    failures: u32,
}

impl Throttle {
    /// `limit` failures per `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Throttle { limit, window, started: None, failures: 0 }
    }

    fn roll(&mut self, now: Instant) {
        if self.started.is_none_or(|s| now.duration_since(s) >= self.window) {
            self.started = Some(now);
            self.failures = 0;
        }
    }

    /// Whether an attempt may be tried now.
    pub fn allows(&mut self, now: Instant) -> bool {
        self.roll(now);
        self.failures < self.limit
    }

    /// Records a failed attempt.
    pub fn failed(&mut self, now: Instant) {
        self.roll(now);
        self.failures += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_failures_close_the_window_until_it_ends() {
        let t0 = Instant::now();
        let mut t = Throttle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.allows(t0));
            t.failed(t0);
        }
        assert!(!t.allows(t0 + Duration::from_secs(59)));
        assert!(t.allows(t0 + Duration::from_secs(60)));
    }
}
