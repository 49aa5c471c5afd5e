//! Seeds for randomised tests: random by default, fixed by an environment
//! variable, always printed so that a failing run can be replayed.

/// The seed in environment variable `var` if it is set (it must be a `u64`),
/// otherwise a fresh random one. Prints which, and how to replay it.
///
/// # Panics
///
/// When `var` is set but is not a number: a typo must not silently turn a
/// replay into a new random run.
pub fn from_env(var: &str) -> u64 {
    match std::env::var(var) {
        Ok(s) => {
            let seed = s.trim().parse().unwrap_or_else(|_| panic!("{var}={s:?} is not a u64 seed"));
            println!("seed {seed} (from {var})");
            seed
        }
        Err(_) => {
            let seed = rand::random();
            println!("seed {seed} (replay with {var}={seed})");
            seed
        }
    }
}
