//! What a device holds to reach its hub and read its lab's bundles: the
//! fingerprint of the hub's certificate it pins, and the lab's bundle key.
//! The store keeps them (its hub link); the sync session and bundles use
//! them. Plain values, so that neither depends on the other for them.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// SHA-256 of a certificate's DER bytes: what a device pins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertFingerprint(pub [u8; 32]);

impl CertFingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of(der: &[u8]) -> CertFingerprint {
        CertFingerprint(Sha256::digest(der).into())
    }

    /// Lower-case hex, 64 characters (how it is stored and printed).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex characters; colons (as `openssl x509 -fingerprint`
    /// prints them) are ignored.
    pub fn from_hex(text: &str) -> Option<CertFingerprint> {
        let clean: String = text.chars().filter(|c| *c != ':').collect();
        let mut out = [0u8; 32];
        hex::decode_to_slice(clean.trim(), &mut out).ok()?;
        Some(CertFingerprint(out))
    }
}

impl std::fmt::Display for CertFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Bytes of a [`KeyId`].
pub(crate) const KEY_ID_LEN: usize = 8;
const KEY_ID_LABEL: &[u8] = b"taccuino-bundle/2/key-id";

/// A lab's 256-bit bundle key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleKey(pub [u8; 32]);

impl std::fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BundleKey(..)")
    }
}

/// Which key a bundle was made with: the first 8 bytes of SHA-256(label ‖
/// key). It reveals nothing of a random 256-bit key and lets a reader tell
/// "made with another key of this lab" (one retired when a device was
/// revoked, or a newer one this laptop has not synced yet) from "altered".
pub type KeyId = [u8; KEY_ID_LEN];

impl BundleKey {
    /// This key's [`KeyId`].
    pub fn id(&self) -> KeyId {
        let digest = Sha256::new().chain_update(KEY_ID_LABEL).chain_update(self.0).finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        id
    }

    /// The key as hex (how enrolment and the device's hub link carry it).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A key from hex (64 digits).
    pub fn from_hex(text: &str) -> Option<BundleKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(BundleKey(bytes.try_into().ok()?))
    }
}
