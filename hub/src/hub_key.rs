//! Where the hub's key comes from, and the keys derived from it.
//!
//! One random 256-bit key opens the register (`register.db`). It may sit in
//! the data directory (`hub.key`, the default), or outside it so that a copy
//! of the directory does not carry it: in `TACCUINO_HUB_KEY` (hex), in a file
//! named by `--key-file` / `TACCUINO_HUB_KEY_FILE`, or in the credential a
//! service manager provides (systemd's `$CREDENTIALS_DIRECTORY/hub.key`,
//! `LoadCredential=`). The registry's SQLCipher key and the key of the
//! hashes of pairing codes and device tokens are derived from it (HMAC-SHA-256
//! with a label each), so the one key opens everything and each use has its
//! own. Decision 0016.

use std::io::Write;
use std::path::{Path, PathBuf};

use crdt_sync::Key;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{HubError, Result};

/// The environment variable that may hold the key, as 64 hex digits.
pub const KEY_ENV: &str = "TACCUINO_HUB_KEY";
/// The file name of the key in the data directory and in systemd's
/// credentials directory.
pub const KEY_FILE_NAME: &str = "hub.key";

const REGISTRY_LABEL: &[u8] = b"taccuino-hub/registry-db/1";
const HASHES_LABEL: &[u8] = b"taccuino-hub/secret-hashes/1";

/// Where the hub's key is kept.
#[derive(Clone)]
pub enum KeyOrigin {
    /// `hub.key` in the data directory.
    DataDir,
    /// The value of `TACCUINO_HUB_KEY` (hex), read once at start-up.
    Env(Zeroizing<String>),
    /// A file outside the data directory: `--key-file`,
    /// `TACCUINO_HUB_KEY_FILE`, or systemd's credential.
    File(PathBuf),
}

impl std::fmt::Debug for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOrigin::DataDir => f.write_str("DataDir"),
            KeyOrigin::Env(_) => f.write_str("Env(..)"),
            KeyOrigin::File(p) => f.debug_tuple("File").field(p).finish(),
        }
    }
}

impl KeyOrigin {
    /// Picks the origin from what the command line and the environment give:
    /// `key_file` (`--key-file` / `TACCUINO_HUB_KEY_FILE`), `env_key`
    /// (`TACCUINO_HUB_KEY`), `credentials` (`$CREDENTIALS_DIRECTORY`, used
    /// when it holds `hub.key`); none of them: the data directory. A key
    /// given two ways is refused rather than one silently winning.
    pub fn choose(
        key_file: Option<PathBuf>,
        env_key: Option<String>,
        credentials: Option<PathBuf>,
    ) -> Result<KeyOrigin> {
        let env_key = env_key.map(Zeroizing::new).filter(|k| !k.trim().is_empty());
        Ok(match (key_file, env_key) {
            (Some(_), Some(_)) => {
                return Err(HubError::Usage(format!(
                    "the hub's key is given twice ({KEY_ENV} and a key file): give one"
                )));
            }
            (Some(file), None) => KeyOrigin::File(file),
            (None, Some(hex)) => KeyOrigin::Env(hex),
            (None, None) => match credentials.map(|d| d.join(KEY_FILE_NAME)) {
                Some(file) if file.exists() => KeyOrigin::File(file),
                _ => KeyOrigin::DataDir,
            },
        })
    }

    /// Where the key was looked for, for messages (never the key).
    pub fn describe(&self, data_dir: &Path) -> String {
        match self {
            KeyOrigin::DataDir => data_dir.join(KEY_FILE_NAME).display().to_string(),
            KeyOrigin::Env(_) => KEY_ENV.to_owned(),
            KeyOrigin::File(p) => p.display().to_string(),
        }
    }
}

/// Parses a key written as 64 hex digits (surrounding white space allowed).
pub fn parse_key(text: &str, whence: &str) -> Result<Key> {
    let mut key = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(text.trim(), key.as_mut_slice())
        .map_err(|_| HubError::Usage(format!("{whence} does not hold a hub key (64 hexadecimal digits)")))?;
    Ok(Key::from_bytes(*key))
}

/// Reads the key file at `path`; `missing` is the message when it is absent.
pub fn read_key_file(path: &Path, missing: impl FnOnce() -> String) -> Result<Key> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => HubError::Usage(missing()),
        _ => HubError::Io { path: path.to_owned(), source: e },
    })?);
    parse_key(&text, &path.display().to_string())
}

/// Writes a new key file at `path`, readable by the owner only; refuses to
/// replace an existing one.
pub fn write_key_file(path: &Path, key: &Key) -> Result<()> {
    let io = |source| HubError::Io { path: path.to_owned(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(io)?;
    let text = Zeroizing::new(hex::encode(key.as_bytes()));
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

/// A key for one use, derived from the hub's key with `label`.
pub(crate) fn derive(key: &Key, label: &[u8]) -> Zeroizing<[u8; 32]> {
    // HMAC takes keys of any length; 32 bytes cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"));
    mac.update(label);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// The SQLCipher key of the registry (`hub.db`), derived from the hub's key.
pub fn registry_key(key: &Key) -> Key {
    Key::from_bytes(*derive(key, REGISTRY_LABEL))
}

/// The key of the hashes the registry keeps of pairing codes and device
/// tokens, derived from the hub's key.
pub fn hashes_key(key: &Key) -> Zeroizing<[u8; 32]> {
    derive(key, HASHES_LABEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_taken_from_one_place_and_never_printed() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("k");
        let hex = "ab".repeat(32);
        assert!(KeyOrigin::choose(Some(file.clone()), Some(hex.clone()), None).is_err(), "two ways");
        let origin = KeyOrigin::choose(None, Some(hex.clone()), None).expect("env");
        assert!(!format!("{origin:?}").contains("ab"), "{origin:?}");
        assert!(matches!(KeyOrigin::choose(None, Some(" ".into()), None), Ok(KeyOrigin::DataDir)));
        // systemd's credentials directory counts only when it holds hub.key.
        let creds = dir.path().to_owned();
        assert!(matches!(KeyOrigin::choose(None, None, Some(creds.clone())), Ok(KeyOrigin::DataDir)));
        std::fs::write(creds.join(KEY_FILE_NAME), &hex).expect("write");
        assert!(matches!(KeyOrigin::choose(None, None, Some(creds)), Ok(KeyOrigin::File(_))));
        assert_eq!(parse_key(&hex, "x").expect("key").as_bytes(), &[0xab; 32]);
        let e = parse_key("abc", "TACCUINO_HUB_KEY").expect_err("short");
        assert!(e.to_string().contains("TACCUINO_HUB_KEY does not hold a hub key"), "{e}");
    }

    #[test]
    fn derived_keys_differ_from_each_other_and_from_the_key() {
        let key = Key::from_bytes([3; 32]);
        let (registry, hashes) = (registry_key(&key), hashes_key(&key));
        assert_ne!(registry.as_bytes(), key.as_bytes());
        assert_ne!(registry.as_bytes(), &*hashes);
        assert_eq!(registry_key(&key).as_bytes(), registry.as_bytes(), "stable");
    }
}
