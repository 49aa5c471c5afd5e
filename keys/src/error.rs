//! What can go wrong with a key file.

use crate::VERSION;

/// Everything that can go wrong wrapping, reading or unwrapping the database
/// key. Nothing in this crate panics on any input: a hostile or damaged
/// key file is [`KeyError::Malformed`] or one of the "wrong" variants.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The passphrase does not open the key file. A file whose wrapped key,
    /// salt, nonce, key id or (in range) KDF parameters were altered fails
    /// the same way: authenticated encryption cannot tell a wrong passphrase
    /// from an altered file, and no unauthenticated check could do better.
    /// Nothing was changed.
    #[error("wrong passphrase (or the key file was altered)")]
    WrongPassphrase,
    /// The recovery secret is not one of those the key file was wrapped for.
    #[error("this recovery key does not open this key file")]
    WrongRecoveryKey,
    /// Not a key file, or a damaged one: bad JSON, a missing or extra field,
    /// a value of the wrong length or out of range, or a recovery wrap that
    /// fails authentication under its own recipient's secret.
    #[error("the key file is damaged or is not a Taccuino key file: {reason}")]
    Malformed {
        /// What is wrong, in English, for logs.
        reason: String,
    },
    /// A key file written by another version of Taccuino.
    #[error("key file version {0} is not supported (this build reads version {VERSION}): update Taccuino")]
    UnsupportedVersion(u32),
    /// A new passphrase is shorter than [`super::MIN_PASSPHRASE_CHARS`]
    /// characters (Unicode scalar values, not bytes).
    #[error("the passphrase must have at least {min_chars} characters")]
    WeakPassphrase {
        /// The minimum, in characters.
        min_chars: usize,
    },
    /// [`super::KdfParams::new`] was asked for parameters below the floor or
    /// above the ceiling.
    #[error("key derivation parameters out of range: {reason}")]
    InvalidKdfParams {
        /// Which bound, in English, for logs.
        reason: String,
    },
    /// The key given to [`super::KeyFile::add_recovery`] or
    /// [`super::KeyFile::set_passphrase`] is not the one the file wraps.
    #[error("this is not the key that the key file holds")]
    KeyMismatch,
    /// A recovery key's text (`tcr1-…` or `TCS1-…`) does not parse: a typo,
    /// a truncated paste, or the other half of the pair.
    #[error("not a valid recovery key: {reason}")]
    InvalidRecoveryText {
        /// What is wrong, in English, for logs.
        reason: String,
    },
    /// The random number generator failed.
    #[error("no randomness available: {reason}")]
    Randomness {
        /// The generator's error.
        reason: String,
    },
    /// A cryptographic primitive failed on valid input: Argon2id could not
    /// allocate its memory, or a "cannot happen" length error.
    #[error("key derivation or encryption failed: {reason}")]
    Crypto {
        /// The primitive's error.
        reason: String,
    },
}

impl KeyError {
    /// A [`KeyError::Malformed`] with `reason`.
    pub(crate) fn malformed(reason: impl Into<String>) -> KeyError {
        KeyError::Malformed { reason: reason.into() }
    }
}
