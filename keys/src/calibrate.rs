//! Choosing Argon2id's cost for this machine.

use std::time::{Duration, Instant};

use crate::KdfParams;
use crate::params::MAX_ITERATIONS;
use crate::passphrase::derive;

/// Most memory calibration chooses: 256 MiB, a transient allocation that a
/// 4 GB laptop running the app can spare.
const CALIBRATION_MAX_MEMORY_KIB: u32 = 256 * 1024;

/// A candidate within this factor of the target is kept as it is.
const TOLERANCE: f64 = 1.25;

impl KdfParams {
    /// Lanes of a calibrated wrap. The `argon2` crate computes lanes on threads
    /// of their own (its `parallel` feature), so on a laptop with two cores a
    /// pass over the same memory takes less time (0.7 of it on the 2-core
    /// test machine, memory bandwidth being the limit); what a guess costs
    /// an attacker (memory × passes) does not depend on the lanes (decision
    /// 0037). Two: lab laptops have at least two cores.
    pub const LANES: u32 = 2;

    /// How long unlocking should take on the volunteer's laptop: long enough
    /// that each guess of a stolen file costs an attacker as much, short
    /// enough not to annoy at every start. A quarter of a second, so that
    /// the app's first screen is usable within a second of launching
    /// (issue 12, decision 0022): on a 2-core laptop that is about 190 MiB
    /// and two passes, three times the floor's memory; a slower laptop
    /// gets the floor (64 MiB, two passes), never less.
    pub const DEFAULT_TARGET: Duration = Duration::from_millis(250);

    /// The target on a machine that computes [`KdfParams::LANES`] lanes at
    /// once: 175 ms of wall time buy the work a quarter of a second of one
    /// core bought (two lanes did 1.43× the work per second on a 2-core
    /// test machine, the same memory and passes in 140 ms instead of
    /// 200 ms: memory bandwidth, not cores, is the limit), so unlocking is
    /// shorter and no cheaper to attack (decision 0037).
    pub const PARALLEL_TARGET: Duration = Duration::from_millis(175);

    /// The target for this machine: [`KdfParams::PARALLEL_TARGET`] where
    /// two threads can run at once, else [`KdfParams::DEFAULT_TARGET`].
    pub fn target_here() -> Duration {
        match std::thread::available_parallelism() {
            Ok(n) if n.get() >= Self::LANES as usize => Self::PARALLEL_TARGET,
            _ => Self::DEFAULT_TARGET,
        }
    }

    /// Parameters whose key derivation takes about `target`, as timed by
    /// `measure` (called twice at most: with the floor, then with a
    /// candidate costing about `target`).
    ///
    /// Starts from [`KdfParams::FLOOR`]'s memory and passes on [`KdfParams::LANES`]
    /// lanes and never goes below them: on a machine too slow for `target`,
    /// that is the wrap, and unlocking takes longer.
    /// Otherwise the work (memory × passes) is scaled to the target, memory
    /// first up to 256 MiB (memory is what makes guessing on GPUs and ASICs
    /// expensive), then passes up to 32. If the candidate is off by more than
    /// a quarter (the machine is not linear: caches, page faults), its
    /// passes, or memory if it is at two passes, are scaled once more. The result
    /// always satisfies [`KdfParams::meets_floor`] and the ceiling, whatever
    /// `measure` returns.
    pub fn calibrate(target: Duration, mut measure: impl FnMut(KdfParams) -> Duration) -> KdfParams {
        let floor = start();
        let target = target.as_secs_f64();
        let base = seconds(measure(floor));
        if base >= target {
            return floor;
        }
        // Work in KiB-passes, as the time is about proportional to it.
        let work = work_of(floor) * target / base;
        let candidate = with_work(work, CALIBRATION_MAX_MEMORY_KIB);
        let measured = seconds(measure(candidate));
        if measured <= target * TOLERANCE && measured >= target / TOLERANCE {
            return candidate;
        }
        // One correction, keeping the memory unless fewer passes than the
        // floor's would be needed.
        with_work(work_of(candidate) * target / measured, candidate.memory_kib())
    }

    /// [`KdfParams::calibrate`] timing real key derivations on this machine
    /// with [`Instant`]: takes a little more than `target` (with the old
    /// 0.5 s target, 0.63 s on a 2-core test machine, choosing 256 MiB and
    /// three passes).
    /// Run it when a key file is created or re-wrapped, not at every start.
    pub fn calibrate_here(target: Duration) -> KdfParams {
        Self::calibrate(target, measure)
    }
}

/// How long one key derivation with `params` takes here. A failure (not
/// enough memory) counts as "too slow", so calibration backs off.
fn measure(params: KdfParams) -> Duration {
    let start = Instant::now();
    match derive(b"calibration passphrase", b"calibration salt", params) {
        Ok(_) => start.elapsed(),
        Err(_) => Duration::MAX,
    }
}

/// A duration in seconds, never zero (a clock too coarse to see the floor's
/// run would otherwise divide by zero) nor infinite.
fn seconds(duration: Duration) -> f64 {
    duration.as_secs_f64().clamp(1e-6, 1e9)
}

fn work_of(params: KdfParams) -> f64 {
    f64::from(params.memory_kib()) * f64::from(params.iterations())
}

/// Where calibration starts, and the least it chooses: the floor's memory
/// and passes on [`KdfParams::LANES`] lanes.
fn start() -> KdfParams {
    let floor = KdfParams::FLOOR;
    KdfParams::new(floor.memory_kib(), floor.iterations(), KdfParams::LANES).unwrap_or(floor)
}

/// The memory calibration would choose for `work` at the floor's passes.
fn memory_for(work: f64) -> u32 {
    let floor = KdfParams::FLOOR;
    let memory = work / f64::from(floor.iterations());
    // Whole MiB; `as` saturates, and NaN becomes 0 (then the floor).
    let memory = ((memory / 1024.0) as u32).saturating_mul(1024);
    memory.clamp(floor.memory_kib(), CALIBRATION_MAX_MEMORY_KIB)
}

/// Parameters doing about `work` KiB-passes, with at most `memory_cap` KiB.
fn with_work(work: f64, memory_cap: u32) -> KdfParams {
    let floor = KdfParams::FLOOR;
    let memory = memory_for(work).min(memory_cap).max(floor.memory_kib());
    let iterations = (work / f64::from(memory)).round() as u32;
    let iterations = iterations.clamp(floor.iterations(), MAX_ITERATIONS);
    KdfParams::new(memory, iterations, KdfParams::LANES).unwrap_or_else(|_| start())
}
