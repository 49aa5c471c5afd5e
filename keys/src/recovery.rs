//! The coordinator's recovery wrap: an anonymous public-key box.
//!
//! The coordinator makes one [`RecoveryKeyPair`] for the project. Its public
//! half, a short text (`tcr1-` and 56 characters), goes into the project
//! settings; every laptop wraps its database key for it. The secret half
//! (`TCS1-` and 14 groups of four) stays with the coordinator, printed or
//! on an offline medium; both texts are Crockford base32 with a checksum
//! that catches typos.
//!
//! The box is ECIES over X25519: for each wrap, a fresh ephemeral X25519 key
//! agrees a shared secret with the coordinator's public key; HKDF-SHA256
//! (salt: both public keys) turns it into a wrapping key and a nonce, which
//! seal the database key with XChaCha20-Poly1305. The file keeps the
//! ephemeral public key and the sealed key; only the coordinator's secret
//! recomputes the shared secret. Why not `crypto_box`'s sealed box: see the
//! [module documentation](super).

use hkdf::Hkdf;
use rand::TryCryptoRng;
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, SharedSecret, StaticSecret};
use zeroize::Zeroizing;

use crate::aead::{self, KeyId, NONCE_LEN, WRAPPED_LEN};
use crdt_sync::base32;

use crate::{KeyError, random_bytes};
use crdt_sync::Key;

/// The scheme's name in the key file.
pub(crate) const SCHEME: &str = "x25519-hkdf-sha256-xchacha20poly1305";

const PUBLIC_PREFIX: &str = "tcr1-";
const SECRET_PREFIX: &str = "TCS1-";
/// Bytes of checksum after the key in the texts: 35 bytes are exactly 56
/// base32 characters.
const CHECK_LEN: usize = 3;
const TEXT_BYTES: usize = 32 + CHECK_LEN;
const PUBLIC_CHECK_DOMAIN: &[u8] = b"taccuino recovery public key v1";
const SECRET_CHECK_DOMAIN: &[u8] = b"taccuino recovery secret key v1";
/// Characters per group in the secret's text.
const GROUP: usize = 4;

/// Domain of the associated data; the `1` is the file's version.
const AD_LABEL: &[u8] = b"taccuino-key-file/1/recovery";
/// HKDF's `info`.
const HKDF_INFO: &[u8] = b"taccuino-key-file/1/recovery-wrap";

/// The coordinator's recovery public key, which laptops wrap their database
/// key for. Its text form is `tcr1-` and 56 base32 characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecoveryPublic([u8; 32]);

impl RecoveryPublic {
    /// Parses the text form, as pasted into the project settings: case and
    /// surrounding whitespace do not matter, `-` and spaces inside are
    /// skipped. A typo fails the checksum; the secret half, or a key that
    /// X25519 cannot use, is refused too ([`KeyError::InvalidRecoveryText`]).
    pub fn from_text(text: &str) -> Result<RecoveryPublic, KeyError> {
        let invalid = |reason: &str| KeyError::InvalidRecoveryText { reason: reason.into() };
        let public = Self::parse(text).map_err(invalid)?;
        // A low-order point would make every shared secret zero: the wrap
        // would be readable by anyone.
        let probe = StaticSecret::from([0x5a; 32]);
        if !probe.diffie_hellman(&PublicKey::from(public.0)).was_contributory() {
            return Err(invalid("not a usable X25519 public key"));
        }
        Ok(public)
    }

    /// Parses the text form, checking the prefix and the checksum only (the
    /// key itself is checked when wrapping for it).
    pub(crate) fn parse(text: &str) -> Result<RecoveryPublic, &'static str> {
        let text = text.trim();
        let Some(body) = strip_prefix(text, PUBLIC_PREFIX) else {
            return Err(if strip_prefix(text, SECRET_PREFIX).is_some() {
                "this is the secret half (TCS1-…), not the public key (tcr1-…)"
            } else {
                "a recovery public key starts with tcr1-"
            });
        };
        let bytes = base32::decode::<TEXT_BYTES>(body)?;
        let (key, check) = bytes.split_at(32);
        if check != checksum(PUBLIC_CHECK_DOMAIN, key) {
            return Err("the checksum does not match: a typo?");
        }
        let mut public = [0u8; 32];
        public.copy_from_slice(key);
        Ok(RecoveryPublic(public))
    }

    /// The text form: `tcr1-` and 56 lower-case base32 characters.
    pub fn to_text(&self) -> String {
        let mut bytes = [0u8; TEXT_BYTES];
        let (key, check) = bytes.split_at_mut(32);
        key.copy_from_slice(&self.0);
        check.copy_from_slice(&checksum(PUBLIC_CHECK_DOMAIN, &self.0));
        let mut text = String::with_capacity(PUBLIC_PREFIX.len() + base32::encoded_len(TEXT_BYTES));
        text.push_str(PUBLIC_PREFIX);
        base32::encode_into(&bytes, &mut text);
        text.make_ascii_lowercase();
        text
    }
}

impl std::fmt::Display for RecoveryPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl std::fmt::Debug for RecoveryPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryPublic({})", self.to_text())
    }
}

impl std::str::FromStr for RecoveryPublic {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<RecoveryPublic, KeyError> {
        RecoveryPublic::from_text(text)
    }
}

impl serde::Serialize for RecoveryPublic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_text())
    }
}

impl<'de> serde::Deserialize<'de> for RecoveryPublic {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RecoveryPublic, D::Error> {
        let text = String::deserialize(deserializer)?;
        RecoveryPublic::from_text(&text).map_err(serde::de::Error::custom)
    }
}

/// The coordinator's recovery secret: it opens every key file wrapped for
/// its [`RecoveryPublic`]. Wiped from memory when dropped; its `Debug`
/// shows nothing.
pub struct RecoverySecret(StaticSecret);

impl RecoverySecret {
    /// Parses the text form as the coordinator typed it back: case, `-`,
    /// spaces and line breaks do not matter, `O` reads as `0` and `I`, `L`
    /// as `1`. A typo fails the checksum ([`KeyError::InvalidRecoveryText`]).
    pub fn from_text(text: &str) -> Result<RecoverySecret, KeyError> {
        let invalid = |reason: &str| KeyError::InvalidRecoveryText { reason: reason.into() };
        let text = text.trim();
        let Some(body) = strip_prefix(text, SECRET_PREFIX) else {
            return Err(invalid(if strip_prefix(text, PUBLIC_PREFIX).is_some() {
                "this is the public key (tcr1-…), not the secret (TCS1-…)"
            } else {
                "a recovery secret starts with TCS1-"
            }));
        };
        let bytes = base32::decode::<TEXT_BYTES>(body).map_err(invalid)?;
        let (key, check) = bytes.split_at(32);
        if check != checksum(SECRET_CHECK_DOMAIN, key) {
            return Err(invalid("the checksum does not match: a typo?"));
        }
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(key);
        Ok(RecoverySecret(StaticSecret::from(*secret)))
    }

    /// The text form, for the coordinator to keep offline: `TCS1-` and 14
    /// groups of four upper-case base32 characters. Wiped when dropped.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new([0u8; TEXT_BYTES]);
        let (key, check) = bytes.split_at_mut(32);
        key.copy_from_slice(self.0.as_bytes());
        check.copy_from_slice(&checksum(SECRET_CHECK_DOMAIN, self.0.as_bytes()));
        let chars = base32::encoded_len(TEXT_BYTES);
        let mut plain = Zeroizing::new(String::with_capacity(chars));
        base32::encode_into(bytes.as_slice(), &mut plain);
        let mut text = Zeroizing::new(String::with_capacity(SECRET_PREFIX.len() + chars + chars / GROUP));
        text.push_str(SECRET_PREFIX);
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % GROUP == 0 {
                text.push('-');
            }
            text.push(c);
        }
        text
    }

    /// The public half.
    pub fn public(&self) -> RecoveryPublic {
        RecoveryPublic(PublicKey::from(&self.0).to_bytes())
    }
}

impl std::fmt::Debug for RecoverySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoverySecret(..)")
    }
}

/// A coordinator's recovery key pair, made once per project.
#[derive(Debug)]
pub struct RecoveryKeyPair {
    /// Goes into the project settings: `public.to_text()`.
    pub public: RecoveryPublic,
    /// Stays with the coordinator, offline: `secret.to_text()`.
    pub secret: RecoverySecret,
}

impl RecoveryKeyPair {
    /// A new random pair, from `rng` (the app passes
    /// `&mut rand::rngs::OsRng`).
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<RecoveryKeyPair, KeyError> {
        let secret = RecoverySecret(StaticSecret::from(*random_bytes::<32, R>(rng)?));
        Ok(RecoveryKeyPair { public: secret.public(), secret })
    }
}

/// The database key wrapped for one recovery public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecoveryWrap {
    /// Whose secret opens it.
    pub recipient: RecoveryPublic,
    /// The ephemeral X25519 public key of this wrap.
    pub ephemeral: [u8; 32],
    /// The sealed key and its tag.
    pub wrapped: [u8; WRAPPED_LEN],
}

impl RecoveryWrap {
    /// Wraps `key` (whose id is `key_id`) for `recipient`.
    pub fn seal<R: TryCryptoRng + ?Sized>(
        key: &Key,
        key_id: &KeyId,
        recipient: &RecoveryPublic,
        rng: &mut R,
    ) -> Result<RecoveryWrap, KeyError> {
        let ephemeral_secret = StaticSecret::from(*random_bytes::<32, R>(rng)?);
        let ephemeral = PublicKey::from(&ephemeral_secret).to_bytes();
        let shared = ephemeral_secret.diffie_hellman(&PublicKey::from(recipient.0));
        if !shared.was_contributory() {
            return Err(KeyError::InvalidRecoveryText { reason: "not a usable X25519 public key".into() });
        }
        let (wrapping_key, nonce) = wrapping_key(&shared, &ephemeral, recipient)?;
        let ad = associated_data(key_id, recipient, &ephemeral);
        let wrapped = aead::seal(&wrapping_key, &nonce, &ad, key)?;
        Ok(RecoveryWrap { recipient: *recipient, ephemeral, wrapped })
    }

    /// Unwraps the key with `secret`, which must be the recipient's: a
    /// failure then means the wrap was altered ([`KeyError::Malformed`]).
    pub fn open(&self, key_id: &KeyId, secret: &RecoverySecret) -> Result<Key, KeyError> {
        let shared = secret.0.diffie_hellman(&PublicKey::from(self.ephemeral));
        if !shared.was_contributory() {
            return Err(KeyError::malformed("a recovery wrap's ephemeral key is not a usable X25519 key"));
        }
        let (wrapping_key, nonce) = wrapping_key(&shared, &self.ephemeral, &self.recipient)?;
        let ad = associated_data(key_id, &self.recipient, &self.ephemeral);
        aead::open(&wrapping_key, &nonce, &ad, &self.wrapped)?.ok_or_else(|| {
            KeyError::malformed("a recovery wrap fails authentication under its recipient's secret")
        })
    }
}

/// HKDF-SHA256 of the shared secret, salted with both public keys: the
/// wrapping key and the nonce. Both are unique to the ephemeral key.
fn wrapping_key(
    shared: &SharedSecret,
    ephemeral: &[u8; 32],
    recipient: &RecoveryPublic,
) -> Result<(Zeroizing<[u8; 32]>, [u8; NONCE_LEN]), KeyError> {
    let mut salt = [0u8; 64];
    let (first, second) = salt.split_at_mut(32);
    first.copy_from_slice(ephemeral);
    second.copy_from_slice(&recipient.0);
    let mut okm = Zeroizing::new([0u8; 32 + NONCE_LEN]);
    Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
        .expand(HKDF_INFO, okm.as_mut_slice())
        .map_err(|_| KeyError::Crypto { reason: "HKDF-SHA256 refused 56 bytes of output".into() })?;
    let (key_bytes, nonce_bytes) = okm.split_at(32);
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(key_bytes);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(nonce_bytes);
    Ok((key, nonce))
}

/// The key id and both public keys, fixed-length, in a fixed order.
fn associated_data(key_id: &KeyId, recipient: &RecoveryPublic, ephemeral: &[u8; 32]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(AD_LABEL.len() + key_id.len() + 64);
    ad.extend_from_slice(AD_LABEL);
    ad.extend_from_slice(key_id);
    ad.extend_from_slice(&recipient.0);
    ad.extend_from_slice(ephemeral);
    ad
}

/// The first [`CHECK_LEN`] bytes of SHA-256 over `domain` and `key`.
fn checksum(domain: &[u8], key: &[u8]) -> [u8; CHECK_LEN] {
    let digest = Sha256::new().chain_update(domain).chain_update(key).finalize();
    let mut check = [0u8; CHECK_LEN];
    check.copy_from_slice(&digest[..CHECK_LEN]);
    check
}

/// `text` without `prefix`, compared ignoring ASCII case.
fn strip_prefix<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) { text.get(prefix.len()..) } else { None }
}
