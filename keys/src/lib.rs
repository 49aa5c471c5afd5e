//! # taccuino-keys: the register's key, wrapped (sans I/O)
//!
//! The [`Store`](crdt_sync::Store) is opened with a raw, random 256-bit [`Key`].
//! A volunteer never sees it: the app keeps it in a [`KeyFile`], a small JSON
//! document written next to the database, that holds the key *wrapped*
//! (encrypted) twice:
//!
//! - by the volunteer's **passphrase**: Argon2id (memory-hard, with
//!   parameters [calibrated](KdfParams::calibrate_here) on the laptop to the
//!   work a quarter of a second of one core does, computed on two lanes at
//!   once in about 0.175 s, never below 64 MiB and two passes) derives a
//!   wrapping key that seals the database key with XChaCha20-Poly1305;
//! - by the project coordinator's **recovery key**, so that a forgotten
//!   passphrase never means lost data: an anonymous public-key box (X25519
//!   from a fresh ephemeral key to the coordinator's [`RecoveryPublic`],
//!   HKDF-SHA256, XChaCha20-Poly1305). The app needs only the public half,
//!   pasted once into the project settings as `tcr1-…`; the secret half
//!   (`TCS1-…`) stays with the coordinator, offline.
//!
//! The passphrase can be changed ([`KeyFile::change_passphrase`]), or set
//! anew after a recovery ([`KeyFile::set_passphrase`]); the key, and so the
//! database, stays the same.
//!
//! ```
//! use taccuino_keys::{KdfParams, KeyError, KeyFile, RecoveryKeyPair, generate_key};
//!
//! # fn main() -> Result<(), KeyError> {
//! let mut rng = rand::rngs::OsRng;
//! // Once, by the coordinator: the public half goes into the project settings.
//! let coordinator = RecoveryKeyPair::generate(&mut rng)?;
//!
//! // On the laptop, when the database is created. A real app calibrates:
//! // `KdfParams::calibrate_here(KdfParams::target_here())`.
//! let params = KdfParams::for_tests();
//! let key = generate_key(&mut rng)?;
//! let mut file = KeyFile::create(&key, "la nostra comunità", params, &mut rng)?;
//! file.add_recovery(&key, &coordinator.public, &mut rng)?;
//! let json = file.to_json(); // the app writes this atomically
//!
//! // Every start.
//! let file = KeyFile::from_json(&json)?;
//! assert_eq!(file.unlock("la nostra comunità")?.as_bytes(), key.as_bytes());
//! assert_eq!(file.unlock("la vostra comunità").unwrap_err(), KeyError::WrongPassphrase);
//!
//! // The passphrase is forgotten: the coordinator opens the file.
//! let recovered = file.unlock_with_recovery(&coordinator.secret)?;
//! assert_eq!(recovered.as_bytes(), key.as_bytes());
//! # Ok(()) }
//! ```
//!
//! ## What the file protects, and what it does not
//!
//! Someone who copies the laptop's disk gets the database and the key file:
//! to read either they must guess the passphrase, each guess costing one
//! Argon2id run (64 MiB or more), or hold the coordinator's secret. Someone
//! who can *edit* the key file can destroy it (backups, and the recovery
//! wrap, are the answer to that), but cannot make it yield another key or a
//! weaker wrap of the same one: every field is bound to the ciphertext (see
//! [`KeyFile`]). Nothing here defends against malware running as the
//! volunteer while the register is open.
//!
//! Secrets are wiped from memory when dropped ([`Key`], derived wrapping
//! keys, [`RecoverySecret`] and its text), as far as Rust allows: copies the
//! compiler makes on the stack, and the caller's passphrase `&str`, are out
//! of reach.
//!
//! ## Randomness
//!
//! Every function that needs randomness takes it as a parameter, a
//! [`rand::TryCryptoRng`]: the app passes `&mut rand::rngs::OsRng` (the
//! operating system's generator; its rare failure is
//! [`KeyError::Randomness`], never a panic), tests a seeded ChaCha.
//!
//! ## Where it sits
//!
//! This crate depends on the core (`taccuino-crdt-sync`) for [`Key`] alone;
//! the core knows nothing of how a key is wrapped, so whatever links the
//! store or the sync protocol (the hub among them) links no Argon2. The app
//! and the hub's key file use this crate.
//!
//! ## Crates
//!
//! Argon2id, XChaCha20-Poly1305 and HKDF-SHA256 are RustCrypto's `argon2`
//! 0.6, `chacha20poly1305` 0.11 and `hkdf` 0.13; X25519 is `x25519-dalek` 3.
//! This generation shares `sha2` 0.11, `hmac` 0.13, `chacha20` 0.10 and
//! `rand_core` 0.10 with what the crate already uses, so it adds no second
//! version of anything to the crate's tree (`argon2` 0.5 and
//! `chacha20poly1305` 0.10 would add six, a third `rand_core` among them).
//! RustCrypto's `crypto_box` has a sealed box, but libsodium's:
//! XSalsa20-Poly1305 with a BLAKE2b nonce and no associated data, so it
//! could not bind a wrap to its key file; and its stable release (0.9) is of
//! the previous generation (`curve25519-dalek` 4, `aead` 0.5, `rand_core`
//! 0.6), the current one a pre-release. The recovery box is a few dozen
//! lines over the same well-kept primitives.

mod aead;

mod calibrate;
mod error;
mod file;
mod params;
mod passphrase;
mod recovery;
#[cfg(test)]
mod tests;

pub use error::KeyError;
pub use file::KeyFile;

/// The `format` field of every key file.
pub const FORMAT: &str = "taccuino-key-file";
/// The version of the format this build writes and reads.
pub const VERSION: u32 = 1;
pub use params::KdfParams;
pub use passphrase::MIN_PASSPHRASE_CHARS;
pub use recovery::{RecoveryKeyPair, RecoveryPublic, RecoverySecret};

use rand::TryCryptoRng;
use zeroize::Zeroizing;

pub use crdt_sync::Key;

/// A new random database key, from `rng` (the app passes
/// `&mut rand::rngs::OsRng`).
pub fn generate_key<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Key, KeyError> {
    let bytes = random_bytes::<32, R>(rng)?;
    Ok(Key::from_bytes(*bytes))
}

/// `N` random bytes, wiped when dropped.
fn random_bytes<const N: usize, R: TryCryptoRng + ?Sized>(
    rng: &mut R,
) -> Result<Zeroizing<[u8; N]>, KeyError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    rng.try_fill_bytes(bytes.as_mut_slice()).map_err(|e| KeyError::Randomness { reason: e.to_string() })?;
    Ok(bytes)
}
