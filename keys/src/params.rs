//! Argon2id's cost parameters, with a floor for new wraps and a ceiling for
//! what a key file may ask.

use argon2::{Algorithm, Argon2, Params, Version};

use crate::KeyError;

/// Argon2id's cost parameters (version 0x13, 32-byte output).
///
/// Parameters come from three places, with different rules:
///
/// - **Chosen for a new wrap** ([`KdfParams::new`], [`KdfParams::calibrate`],
///   [`KdfParams::FLOOR`]): at least the [floor](KdfParams::FLOOR), 64 MiB
///   and two passes, and at most the ceiling below.
/// - **[`KdfParams::for_tests`]**: 8 KiB and one pass, the only way below
///   the floor, so that tests of this crate and of the app run in
///   milliseconds. Its name says what it is for.
/// - **Read from a key file**: anything Argon2 accepts up to the ceiling
///   (1 GiB, 32 passes, 16 lanes), else [`KeyError::Malformed`]. The ceiling
///   stops a hostile file from making `unlock` allocate gigabytes or run for
///   hours. There is deliberately *no floor* on reading: the parameters are
///   an input of the key derivation and part of the authenticated data, so
///   editing them cannot produce a weaker wrap that still opens (it fails as
///   [`KeyError::WrongPassphrase`]); a file that really was written with weak
///   parameters (a test's, or an older release's) still opens, so that no
///   one is locked out of their data, and the app re-wraps it after the next
///   unlock (see [`KdfParams::meets_floor`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KdfParams {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

/// Largest memory cost a key file may ask for: 1 GiB.
pub(crate) const MAX_MEMORY_KIB: u32 = 1024 * 1024;
/// Most passes a key file may ask for.
pub(crate) const MAX_ITERATIONS: u32 = 32;
/// Most lanes a key file may ask for.
pub(crate) const MAX_PARALLELISM: u32 = 16;

impl KdfParams {
    /// The least a new wrap uses: 64 MiB, two passes, one lane (above OWASP's
    /// minimum for Argon2id, and RFC 9106's memory for constrained machines).
    /// The `argon2` crate runs lanes one after another (no threads), so more
    /// lanes would not buy more work in the same time.
    pub const FLOOR: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 2, parallelism: 1 };

    /// Parameters for a new wrap: `memory_kib` KiB, `iterations` passes,
    /// `parallelism` lanes. Below [`KdfParams::FLOOR`] in any of them, or
    /// above the ceiling (1 GiB, 32 passes, 16 lanes), is
    /// [`KeyError::InvalidKdfParams`].
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<KdfParams, KeyError> {
        let params = KdfParams { memory_kib, iterations, parallelism };
        if !params.meets_floor() {
            return Err(KeyError::InvalidKdfParams {
                reason: format!(
                    "{params} is below the floor of {} KiB, {} passes, {} lane",
                    Self::FLOOR.memory_kib,
                    Self::FLOOR.iterations,
                    Self::FLOOR.parallelism
                ),
            });
        }
        params.check_ceiling().map_err(|reason| KeyError::InvalidKdfParams { reason })?;
        Ok(params)
    }

    /// Tiny parameters (8 KiB, one pass) so that tests run in microseconds.
    /// **Never for real data**: a passphrase wrapped with these falls to a
    /// guessing attack in no time.
    pub const fn for_tests() -> KdfParams {
        KdfParams { memory_kib: 8, iterations: 1, parallelism: 1 }
    }

    /// Memory cost, in KiB.
    pub const fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Number of passes over the memory.
    pub const fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Number of lanes.
    pub const fn parallelism(&self) -> u32 {
        self.parallelism
    }

    /// Whether these are at least [`KdfParams::FLOOR`] in every parameter.
    /// After unlocking a file whose parameters are not (one made by an
    /// older release, say), the app re-wraps it with calibrated ones:
    /// `file.change_passphrase(p, p, KdfParams::calibrate_here(..), rng)`.
    pub const fn meets_floor(&self) -> bool {
        self.memory_kib >= Self::FLOOR.memory_kib
            && self.iterations >= Self::FLOOR.iterations
            && self.parallelism >= Self::FLOOR.parallelism
    }

    /// Parameters read from a key file: whatever Argon2 accepts, up to the
    /// ceiling; no floor (see the type's documentation).
    pub(crate) fn from_file(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<KdfParams, KeyError> {
        let params = KdfParams { memory_kib, iterations, parallelism };
        params.check_ceiling().map_err(KeyError::malformed)?;
        params.argon2().map_err(|_| KeyError::malformed(format!("Argon2 refuses {params}")))?;
        Ok(params)
    }

    fn check_ceiling(&self) -> Result<(), String> {
        if self.memory_kib > MAX_MEMORY_KIB
            || self.iterations > MAX_ITERATIONS
            || self.parallelism > MAX_PARALLELISM
        {
            return Err(format!(
                "{self} is above the ceiling of {MAX_MEMORY_KIB} KiB, {MAX_ITERATIONS} passes, {MAX_PARALLELISM} lanes"
            ));
        }
        Ok(())
    }

    /// The Argon2id instance for these parameters, with a 32-byte output.
    pub(crate) fn argon2(&self) -> Result<Argon2<'static>, KeyError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| KeyError::Crypto { reason: format!("Argon2 parameters {self}: {e}") })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl std::fmt::Display for KdfParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "m={} KiB, t={}, p={}", self.memory_kib, self.iterations, self.parallelism)
    }
}
