//! Pacing of a device's work: a token bucket. A device may send a burst,
//! then at a sustained rate; beyond that the hub waits before reading its
//! next frame, so TCP pushes back on the sender. An honest device's big
//! first sync (one frame per document, thousands at once for a coordinator)
//! is slowed a little instead of cut off; a flood gets the same slow service
//! and no more. `limits.rs` keeps one bucket per device and budget (frames,
//! bytes, changes, operations), shared by all the device's connections.

use std::time::{Duration, Instant};

/// A token bucket of `burst` units refilled at `per_second`.
#[derive(Debug)]
pub struct Pace {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Pace {
    /// A full bucket of `burst` units refilled at `per_second` (any unit:
    /// the per-device budgets of `limits.rs` count bytes with it).
    pub fn of(per_second: f64, burst: f64, now: Instant) -> Self {
        Pace { per_second, burst, tokens: burst, last: now }
    }

    /// Takes `amount` tokens at `now` (frames, bytes: whatever the bucket
    /// counts); returns how long to wait before handling the work that cost
    /// them (zero while the bucket holds tokens).
    pub fn take_n(&mut self, amount: f64, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst) - amount;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            // The debt is repaid by waiting; the bucket stays empty meanwhile.
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_frames_are_paced_at_the_rate() {
        let t0 = Instant::now();
        let mut pace = Pace::of(100.0, 10.0, t0);
        for _ in 0..10 {
            assert_eq!(pace.take_n(1.0, t0), Duration::ZERO);
        }
        // The 11th frame at the same instant waits 1/100 s, the 12th 2/100.
        assert_eq!(pace.take_n(1.0, t0), Duration::from_millis(10));
        assert_eq!(pace.take_n(1.0, t0), Duration::from_millis(20));
        // Waiting repays the debt: after 20 ms the bucket is at zero again.
        let later = t0 + Duration::from_millis(20);
        assert_eq!(pace.take_n(1.0, later), Duration::from_millis(10));
        // A long pause refills up to the burst, not beyond.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..10 {
            assert_eq!(pace.take_n(1.0, much_later), Duration::ZERO);
        }
        assert!(pace.take_n(1.0, much_later) > Duration::ZERO);
    }
}
