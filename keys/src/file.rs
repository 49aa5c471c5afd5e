//! The key file: its JSON format, its validation, and the operations that
//! tie the passphrase and recovery wraps together.

use std::collections::HashSet;

use rand::TryCryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aead::{KeyId, NONCE_LEN, WRAPPED_LEN};
use crate::passphrase::{PassphraseWrap, SALT_LEN, check_strength};
use crate::recovery::{RecoveryWrap, SCHEME};
use crate::{FORMAT, KdfParams, KeyError, RecoveryPublic, RecoverySecret, VERSION};
use crdt_sync::Key;

const KDF: &str = "argon2id";
const CIPHER: &str = "xchacha20poly1305";
const KEY_ID_LABEL: &[u8] = b"taccuino-key-file/1/key-id";

fn key_id(key: &Key) -> KeyId {
    let digest = Sha256::new().chain_update(KEY_ID_LABEL).chain_update(key.as_bytes()).finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

/// The database key, wrapped by the volunteer's passphrase and, optionally,
/// for one or more recovery keys. A plain value: the app reads and writes
/// it ([`KeyFile::from_json`], [`KeyFile::to_json`], or serde), atomically,
/// next to the database.
///
/// # Format (version 1)
///
/// ```json
/// {
///   "format": "taccuino-key-file",
///   "version": 1,
///   "key_id": "<16 bytes, hex>",
///   "passphrase": {
///     "kdf": "argon2id",
///     "memory_kib": 65536,
///     "iterations": 3,
///     "parallelism": 1,
///     "salt": "<16 bytes, hex>",
///     "cipher": "xchacha20poly1305",
///     "nonce": "<24 bytes, hex>",
///     "wrapped_key": "<32 + 16 bytes, hex>"
///   },
///   "recovery": [
///     {
///       "scheme": "x25519-hkdf-sha256-xchacha20poly1305",
///       "recipient": "tcr1-…",
///       "ephemeral_public": "<32 bytes, hex>",
///       "wrapped_key": "<32 + 16 bytes, hex>"
///     }
///   ]
/// }
/// ```
///
/// Reading checks `format` and `version` first (another version is
/// [`KeyError::UnsupportedVersion`]), then refuses missing or unknown
/// fields, other algorithm names, values of the wrong length, KDF parameters
/// above the ceiling (see [`KdfParams`]) and repeated recipients
/// ([`KeyError::Malformed`]).
///
/// # What is authenticated
///
/// The passphrase wrap's associated data is the version, the key id, the
/// KDF parameters and the salt; the parameters and salt are also inputs of
/// Argon2id, and the nonce of the cipher. Editing any of them (or the
/// ciphertext) within range makes [`KeyFile::unlock`] fail with
/// [`KeyError::WrongPassphrase`]: an AEAD cannot tell an altered file from a
/// wrong passphrase, and an unkeyed checksum could be recomputed by whoever
/// edits the file, so claiming "altered" would be a guess. A recovery wrap
/// binds the version, the key id and both public keys; since its recipient's
/// secret is known to be right, a failure there is [`KeyError::Malformed`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "RawKeyFile", try_from = "serde_json::Value")]
pub struct KeyFile {
    key_id: KeyId,
    passphrase: PassphraseWrap,
    recovery: Vec<RecoveryWrap>,
}

impl KeyFile {
    /// Wraps `key` under `passphrase` with `params` (calibrated ones in the
    /// app: [`KdfParams::calibrate_here`]); no recovery wrap yet. A
    /// passphrase shorter than [`super::MIN_PASSPHRASE_CHARS`] characters is
    /// [`KeyError::WeakPassphrase`].
    pub fn create<R: TryCryptoRng + ?Sized>(
        key: &Key,
        passphrase: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<KeyFile, KeyError> {
        let key_id = key_id(key);
        let passphrase = PassphraseWrap::seal(key, &key_id, passphrase, params, rng)?;
        Ok(KeyFile { key_id, passphrase, recovery: Vec::new() })
    }

    /// The database key, unwrapped with `passphrase`.
    /// [`KeyError::WrongPassphrase`] if it does not open the file.
    pub fn unlock(&self, passphrase: &str) -> Result<Key, KeyError> {
        let key = self.passphrase.open(&self.key_id, passphrase)?;
        self.check_unwrapped(key)
    }

    /// Re-wraps the same key under `new`, with fresh salt and nonce and
    /// `params`, after unlocking with `old`. On any error (`old` wrong,
    /// `new` too short) the file is unchanged. Recovery wraps are kept.
    pub fn change_passphrase<R: TryCryptoRng + ?Sized>(
        &mut self,
        old: &str,
        new: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<(), KeyError> {
        check_strength(new)?;
        let key = self.unlock(old)?;
        self.set_passphrase(&key, new, params, rng)
    }

    /// Wraps the file's own key under a new passphrase, without the old
    /// one: after [`KeyFile::unlock_with_recovery`], the coordinator sets a
    /// passphrase the volunteer then changes. `key` must be the file's key
    /// ([`KeyError::KeyMismatch`]). On any error the file is unchanged.
    pub fn set_passphrase<R: TryCryptoRng + ?Sized>(
        &mut self,
        key: &Key,
        new: &str,
        params: KdfParams,
        rng: &mut R,
    ) -> Result<(), KeyError> {
        self.check_key(key)?;
        self.passphrase = PassphraseWrap::seal(key, &self.key_id, new, params, rng)?;
        Ok(())
    }

    /// Wraps `key`, which must be the file's ([`KeyError::KeyMismatch`]),
    /// for `recipient`, replacing an earlier wrap for the same recipient.
    pub fn add_recovery<R: TryCryptoRng + ?Sized>(
        &mut self,
        key: &Key,
        recipient: &RecoveryPublic,
        rng: &mut R,
    ) -> Result<(), KeyError> {
        self.check_key(key)?;
        let wrap = RecoveryWrap::seal(key, &self.key_id, recipient, rng)?;
        match self.recovery.iter_mut().find(|w| w.recipient == *recipient) {
            Some(existing) => *existing = wrap,
            None => self.recovery.push(wrap),
        }
        Ok(())
    }

    /// Drops the wrap for `recipient` (a retired coordinator key); whether
    /// there was one.
    pub fn remove_recovery(&mut self, recipient: &RecoveryPublic) -> bool {
        let before = self.recovery.len();
        self.recovery.retain(|w| w.recipient != *recipient);
        self.recovery.len() != before
    }

    /// The recovery keys this file is wrapped for, in the order added.
    pub fn recovery_recipients(&self) -> impl Iterator<Item = &RecoveryPublic> {
        self.recovery.iter().map(|w| &w.recipient)
    }

    /// The database key, unwrapped with a coordinator's recovery secret.
    /// [`KeyError::WrongRecoveryKey`] if the file has no wrap for it.
    pub fn unlock_with_recovery(&self, secret: &RecoverySecret) -> Result<Key, KeyError> {
        let public = secret.public();
        let wrap = self.recovery.iter().find(|w| w.recipient == public).ok_or(KeyError::WrongRecoveryKey)?;
        let key = wrap.open(&self.key_id, secret)?;
        self.check_unwrapped(key)
    }

    /// The passphrase wrap's KDF parameters: if they do not
    /// [meet the floor](KdfParams::meets_floor), re-wrap after unlocking.
    pub fn kdf_params(&self) -> KdfParams {
        self.passphrase.params
    }

    /// Reads a key file. Never panics: anything but a valid key file is
    /// [`KeyError::Malformed`], a file of another version
    /// [`KeyError::UnsupportedVersion`].
    pub fn from_json(json: impl AsRef<[u8]>) -> Result<KeyFile, KeyError> {
        let value: serde_json::Value = serde_json::from_slice(json.as_ref())
            .map_err(|e| KeyError::malformed(format!("not JSON: {e}")))?;
        KeyFile::try_from(value)
    }

    /// The file's JSON, pretty-printed, for the app to write.
    pub fn to_json(&self) -> String {
        // Strings, numbers and arrays of them always serialise: no input
        // reaches this `expect`.
        serde_json::to_string_pretty(&RawKeyFile::from(self.clone())).expect("a key file always serialises")
    }

    /// [`KeyError::KeyMismatch`] unless `key` is this file's.
    fn check_key(&self, key: &Key) -> Result<(), KeyError> {
        if key_id(key) == self.key_id { Ok(()) } else { Err(KeyError::KeyMismatch) }
    }

    /// A key that authenticated under this file's key id but does not have
    /// it could only come from a broken writer: refuse it rather than open
    /// the database with the wrong key.
    fn check_unwrapped(&self, key: Key) -> Result<Key, KeyError> {
        if key_id(&key) == self.key_id {
            Ok(key)
        } else {
            Err(KeyError::malformed("the unwrapped key does not match the key id"))
        }
    }
}

/// The JSON shape of version 1, field for field.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyFile {
    format: String,
    version: u32,
    key_id: String,
    passphrase: RawPassphrase,
    recovery: Vec<RawRecovery>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPassphrase {
    kdf: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
    cipher: String,
    nonce: String,
    wrapped_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecovery {
    scheme: String,
    recipient: String,
    ephemeral_public: String,
    wrapped_key: String,
}

impl From<KeyFile> for RawKeyFile {
    fn from(file: KeyFile) -> RawKeyFile {
        let p = &file.passphrase;
        RawKeyFile {
            format: FORMAT.into(),
            version: VERSION,
            key_id: hex::encode(file.key_id),
            passphrase: RawPassphrase {
                kdf: KDF.into(),
                memory_kib: p.params.memory_kib(),
                iterations: p.params.iterations(),
                parallelism: p.params.parallelism(),
                salt: hex::encode(p.salt),
                cipher: CIPHER.into(),
                nonce: hex::encode(p.nonce),
                wrapped_key: hex::encode(p.wrapped),
            },
            recovery: file
                .recovery
                .iter()
                .map(|w| RawRecovery {
                    scheme: SCHEME.into(),
                    recipient: w.recipient.to_text(),
                    ephemeral_public: hex::encode(w.ephemeral),
                    wrapped_key: hex::encode(w.wrapped),
                })
                .collect(),
        }
    }
}

impl TryFrom<serde_json::Value> for KeyFile {
    type Error = KeyError;

    /// Reads a key file from parsed JSON: the version first, so that a
    /// future format is named as such rather than as damaged.
    fn try_from(value: serde_json::Value) -> Result<KeyFile, KeyError> {
        let format = value.get("format").and_then(serde_json::Value::as_str);
        if format != Some(FORMAT) {
            return Err(KeyError::malformed(format!("the format field is not {FORMAT:?}")));
        }
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        let Some(version) = version.and_then(|v| u32::try_from(v).ok()) else {
            return Err(KeyError::malformed("no version number"));
        };
        if version != VERSION {
            return Err(KeyError::UnsupportedVersion(version));
        }
        let raw: RawKeyFile =
            serde_json::from_value(value).map_err(|e| KeyError::malformed(e.to_string()))?;
        KeyFile::try_from(raw)
    }
}

impl TryFrom<RawKeyFile> for KeyFile {
    type Error = KeyError;

    fn try_from(raw: RawKeyFile) -> Result<KeyFile, KeyError> {
        let p = raw.passphrase;
        if p.kdf != KDF {
            return Err(KeyError::malformed(format!("unknown key derivation {:?}", p.kdf)));
        }
        if p.cipher != CIPHER {
            return Err(KeyError::malformed(format!("unknown cipher {:?}", p.cipher)));
        }
        let passphrase = PassphraseWrap {
            params: KdfParams::from_file(p.memory_kib, p.iterations, p.parallelism)?,
            salt: from_hex::<SALT_LEN>("passphrase.salt", &p.salt)?,
            nonce: from_hex::<NONCE_LEN>("passphrase.nonce", &p.nonce)?,
            wrapped: from_hex::<WRAPPED_LEN>("passphrase.wrapped_key", &p.wrapped_key)?,
        };
        let mut seen = HashSet::new();
        let mut recovery = Vec::with_capacity(raw.recovery.len());
        for r in raw.recovery {
            if r.scheme != SCHEME {
                return Err(KeyError::malformed(format!("unknown recovery scheme {:?}", r.scheme)));
            }
            let recipient = RecoveryPublic::parse(&r.recipient)
                .map_err(|e| KeyError::malformed(format!("recovery.recipient: {e}")))?;
            if !seen.insert(recipient) {
                return Err(KeyError::malformed("the same recovery recipient twice"));
            }
            recovery.push(RecoveryWrap {
                recipient,
                ephemeral: from_hex::<32>("recovery.ephemeral_public", &r.ephemeral_public)?,
                wrapped: from_hex::<WRAPPED_LEN>("recovery.wrapped_key", &r.wrapped_key)?,
            });
        }
        Ok(KeyFile { key_id: from_hex::<16>("key_id", &raw.key_id)?, passphrase, recovery })
    }
}

/// Exactly `N` bytes of hex, or [`KeyError::Malformed`] naming `field`.
fn from_hex<const N: usize>(field: &str, text: &str) -> Result<[u8; N], KeyError> {
    let mut bytes = [0u8; N];
    hex::decode_to_slice(text, &mut bytes)
        .map_err(|e| KeyError::malformed(format!("{field}: expected {N} bytes of hex: {e}")))?;
    Ok(bytes)
}
