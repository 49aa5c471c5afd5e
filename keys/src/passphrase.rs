//! The passphrase wrap: Argon2id derives a wrapping key from the passphrase
//! and a random salt; XChaCha20-Poly1305 seals the database key with it.
//!
//! The passphrase is taken in Unicode normalisation form C first, so that
//! "perché" opens the file however the keyboard composed the "é" (one code
//! point, or "e" and a combining accent). Nothing else is changed: spaces
//! and case count.

use rand::TryCryptoRng;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use crate::aead::{self, KeyId, NONCE_LEN, WRAPPED_LEN};
use crate::{KdfParams, KeyError, random_bytes};
use crdt_sync::Key;

/// Shortest passphrase accepted for a new wrap, in characters (Unicode
/// scalar values after normalisation: "perché" is six, not seven).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Length of the Argon2id salt, in bytes.
pub(crate) const SALT_LEN: usize = 16;

/// Domain of the associated data; the `1` is the file's version, so a wrap
/// is bound to the version it was written under.
const AD_LABEL: &[u8] = b"taccuino-key-file/1/passphrase";

/// The database key wrapped under a passphrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PassphraseWrap {
    /// Argon2id's cost.
    pub params: KdfParams,
    /// Argon2id's salt, fresh for every wrap.
    pub salt: [u8; SALT_LEN],
    /// XChaCha20-Poly1305's nonce, fresh for every wrap.
    pub nonce: [u8; NONCE_LEN],
    /// The sealed key and its tag.
    pub wrapped: [u8; WRAPPED_LEN],
}

impl PassphraseWrap {
    /// Wraps `key` (whose id is `key_id`) under `passphrase`, with a fresh
    /// salt and nonce.
    pub fn seal<R: TryCryptoRng + ?Sized>(
        key: &Key,
        key_id: &KeyId,
        passphrase: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<PassphraseWrap, KeyError> {
        let passphrase = normalized(passphrase);
        check_strength(&passphrase)?;
        let salt = *random_bytes::<SALT_LEN, R>(rng)?;
        let nonce = *random_bytes::<NONCE_LEN, R>(rng)?;
        let wrapping_key = derive(passphrase.as_bytes(), &salt, params)?;
        let ad = associated_data(key_id, params, &salt);
        let wrapped = aead::seal(&wrapping_key, &nonce, &ad, key)?;
        Ok(PassphraseWrap { params, salt, nonce, wrapped })
    }

    /// Unwraps the key with `passphrase`: [`KeyError::WrongPassphrase`] if it
    /// does not authenticate.
    pub fn open(&self, key_id: &KeyId, passphrase: &str) -> Result<Key, KeyError> {
        let wrapping_key = derive(normalized(passphrase).as_bytes(), &self.salt, self.params)?;
        let ad = associated_data(key_id, self.params, &self.salt);
        aead::open(&wrapping_key, &self.nonce, &ad, &self.wrapped)?.ok_or(KeyError::WrongPassphrase)
    }
}

/// [`KeyError::WeakPassphrase`] if `passphrase` is too short for a new wrap.
pub(crate) fn check_strength(passphrase: &str) -> Result<(), KeyError> {
    if passphrase.nfc().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeyError::WeakPassphrase { min_chars: MIN_PASSPHRASE_CHARS });
    }
    Ok(())
}

/// `passphrase` in normalisation form C, wiped when dropped.
fn normalized(passphrase: &str) -> Zeroizing<String> {
    // NFC is rarely longer than its input; room for growth all the same,
    // since a reallocation would leave a copy behind.
    let mut out = Zeroizing::new(String::with_capacity(passphrase.len() * 3));
    out.extend(passphrase.nfc());
    out
}

/// Argon2id (v0x13) of `passphrase` and `salt`: the 32-byte wrapping key.
pub(crate) fn derive(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let mut out = Zeroizing::new([0u8; 32]);
    params
        .argon2()?
        .hash_password_into(passphrase, salt, out.as_mut_slice())
        .map_err(|e| KeyError::Crypto { reason: format!("Argon2id: {e}") })?;
    Ok(out)
}

/// Everything in the file that the wrap depends on, so that editing any of
/// it makes the wrap fail to open. Fixed-length fields in a fixed order, so
/// the encoding is unambiguous.
fn associated_data(key_id: &KeyId, params: KdfParams, salt: &[u8; SALT_LEN]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(AD_LABEL.len() + key_id.len() + 12 + SALT_LEN);
    ad.extend_from_slice(AD_LABEL);
    ad.extend_from_slice(key_id);
    ad.extend_from_slice(&params.memory_kib().to_be_bytes());
    ad.extend_from_slice(&params.iterations().to_be_bytes());
    ad.extend_from_slice(&params.parallelism().to_be_bytes());
    ad.extend_from_slice(salt);
    ad
}
