//! Sealing the 32-byte database key under a 32-byte wrapping key with
//! XChaCha20-Poly1305, shared by the passphrase and the recovery wraps.

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::KeyError;

/// A commitment to the database key: the first 16 bytes of
/// SHA-256(label ‖ key). It reveals nothing of a random 256-bit key; it
/// lets [`KeyFile::add_recovery`](crate::KeyFile::add_recovery) refuse a key that is not the file's, and
/// it is in every wrap's associated data, so a wrap copied from another
/// key file does not open here.
pub(crate) type KeyId = [u8; 16];
use crdt_sync::Key;

/// Length of XChaCha20-Poly1305's nonce: 192 bits, so random nonces are safe.
pub(crate) const NONCE_LEN: usize = 24;
/// A sealed key: 32 bytes of ciphertext, then the 16-byte tag.
pub(crate) const WRAPPED_LEN: usize = 32 + TAG_LEN;
const TAG_LEN: usize = 16;

/// Seals `key` under `wrapping_key`, authenticating `ad` with it.
pub(crate) fn seal(
    wrapping_key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ad: &[u8],
    key: &Key,
) -> Result<[u8; WRAPPED_LEN], KeyError> {
    let cipher = cipher(wrapping_key)?;
    let mut buffer = Zeroizing::new(*key.as_bytes());
    let tag = cipher
        .encrypt_inout_detached(&XNonce::from(*nonce), ad, buffer.as_mut_slice().into())
        .map_err(|_| KeyError::Crypto { reason: "XChaCha20-Poly1305 refused to seal".into() })?;
    let mut wrapped = [0u8; WRAPPED_LEN];
    let (ciphertext, tag_out) = wrapped.split_at_mut(32);
    ciphertext.copy_from_slice(buffer.as_slice());
    tag_out.copy_from_slice(tag.as_slice());
    Ok(wrapped)
}

/// Opens a sealed key: `Ok(None)` if it does not authenticate under
/// `wrapping_key` and `ad` (wrong key, or altered ciphertext or data).
pub(crate) fn open(
    wrapping_key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ad: &[u8],
    wrapped: &[u8; WRAPPED_LEN],
) -> Result<Option<Key>, KeyError> {
    let cipher = cipher(wrapping_key)?;
    let (ciphertext, tag) = wrapped.split_at(32);
    let mut tag_bytes = [0u8; TAG_LEN];
    tag_bytes.copy_from_slice(tag);
    let mut buffer = Zeroizing::new([0u8; 32]);
    buffer.copy_from_slice(ciphertext);
    match cipher.decrypt_inout_detached(
        &XNonce::from(*nonce),
        ad,
        buffer.as_mut_slice().into(),
        &Tag::from(tag_bytes),
    ) {
        Ok(()) => Ok(Some(Key::from_bytes(*buffer))),
        Err(_) => Ok(None),
    }
}

/// The cipher, holding its own copy of the key (wiped when dropped).
fn cipher(wrapping_key: &[u8; 32]) -> Result<XChaCha20Poly1305, KeyError> {
    XChaCha20Poly1305::new_from_slice(wrapping_key)
        .map_err(|_| KeyError::Crypto { reason: "XChaCha20-Poly1305 refused a 32-byte key".into() })
}
