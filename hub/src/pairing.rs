//! Device credentials, and the hashes the hub stores of them and of pairing
//! codes' secrets (the codes themselves: `crdt_sync::sync::pairing`).
//!
//! The stored form is keyed: HMAC-SHA-256 under a key derived from the
//! hub's key (`hub_key::hashes_key`), so a copy of `hub.db` alone does not
//! let anyone test guesses of a live pairing code against it. Versions
//! before decision 0016 stored an unsalted SHA-256; such rows are still
//! recognised ([`legacy_hash`]) and rewritten in the keyed form when they are
//! next used.

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Marks a keyed hash in the registry (a legacy one is 64 bare hex digits).
const KEYED: &str = "k1:";

/// A new device credential: 32 random bytes, hex.
pub fn new_token(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Hashes secrets (codes, tokens) into the form the registry stores.
pub struct SecretHasher {
    key: Zeroizing<[u8; 32]>,
}

impl SecretHasher {
    /// A hasher keyed with `key` (derived from the hub's key).
    pub fn new(key: Zeroizing<[u8; 32]>) -> Self {
        SecretHasher { key }
    }

    /// The stored form of a code's secret or a token.
    pub fn hash(&self, secret: &str) -> String {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.key.as_slice())
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"));
        mac.update(secret.as_bytes());
        format!("{KEYED}{}", hex::encode(mac.finalize().into_bytes()))
    }
}

/// The stored form of versions before decision 0016 (unsalted SHA-256),
/// to recognise rows written then.
pub fn legacy_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a stored hash is of the legacy form (to rewrite when used).
pub fn is_legacy(stored: &str) -> bool {
    !stored.starts_with(KEYED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn tokens_are_random_and_hashes_keyed() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let token = new_token(&mut rng);
        assert_eq!(token.len(), 64);
        assert_ne!(new_token(&mut rng), token);
        let h = SecretHasher::new(Zeroizing::new([1; 32]));
        let other = SecretHasher::new(Zeroizing::new([2; 32]));
        assert_eq!(h.hash("a").len(), KEYED.len() + 64);
        assert_ne!(h.hash("a"), h.hash("b"));
        assert_ne!(h.hash("a"), other.hash("a"), "another hub's key, another hash");
        assert!(!h.hash("a").contains(&legacy_hash("a")), "not the unsalted digest");
        assert!(!is_legacy(&h.hash("a")) && is_legacy(&legacy_hash("a")));
    }
}
