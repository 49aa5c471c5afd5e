//! The clock and the source of new ids, injected so that tests are
//! deterministic and replayable from a seed.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// Time and randomness, as inputs.
pub trait Environment: Send {
    /// The current instant.
    fn now(&mut self) -> DateTime<Utc>;
    /// A fresh UUID v7 (time-ordered).
    fn new_uuid(&mut self) -> Uuid;
    /// Today's date in Pavia (Europe/Rome).
    fn today(&mut self) -> NaiveDate {
        self.now().with_timezone(&Rome).date_naive()
    }
}

/// The real clock and the OS random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemEnv;

impl Environment for SystemEnv {
    fn now(&mut self) -> DateTime<Utc> {
        Utc::now()
    }
    fn new_uuid(&mut self) -> Uuid {
        Uuid::now_v7()
    }
}

/// A deterministic environment: time starts at `start` and advances by
/// `step_ms` at every call to [`Environment::now`]; ids come from a seeded RNG.
#[derive(Debug, Clone)]
pub struct SeededEnv {
    rng: ChaCha8Rng,
    now_ms: i64,
    step_ms: i64,
}

impl SeededEnv {
    /// A seeded environment starting at `start`.
    pub fn new(seed: u64, start: DateTime<Utc>) -> Self {
        SeededEnv { rng: ChaCha8Rng::seed_from_u64(seed), now_ms: start.timestamp_millis(), step_ms: 1_000 }
    }

    /// A seeded environment starting on 2026-11-02 09:00 in Pavia.
    pub fn with_seed(seed: u64) -> Self {
        let start = Rome
            .with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
            .single()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        Self::new(seed, start)
    }

    /// Move the clock to `t` (never backwards).
    pub fn set_now(&mut self, t: DateTime<Utc>) {
        self.now_ms = self.now_ms.max(t.timestamp_millis());
    }
}

impl Environment for SeededEnv {
    fn now(&mut self) -> DateTime<Utc> {
        self.now_ms += self.step_ms;
        DateTime::from_timestamp_millis(self.now_ms).unwrap_or_default()
    }
    fn new_uuid(&mut self) -> Uuid {
        let mut rand = [0u8; 10];
        self.rng.fill_bytes(&mut rand);
        // One millisecond per id keeps ids in creation order (members,
        // pathways), as `Uuid::now_v7` does within a process.
        self.now_ms += 1;
        let ms = self.now_ms.max(0) as u64;
        uuid::Builder::from_unix_timestamp_millis(ms, &rand).into_uuid()
    }
}
