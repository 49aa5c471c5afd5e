//! Device credentials, and the hash the hub stores of them and of pairing
//! codes' secrets (the codes themselves: `crdt_sync::sync::pairing`).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new device credential: 32 random bytes, hex.
pub fn new_token(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a code or token.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn tokens_are_random_and_hashes_hex() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let token = new_token(&mut rng);
        assert_eq!(token.len(), 64);
        assert_ne!(new_token(&mut rng), token);
        assert_eq!(hash("a").len(), 64);
        assert_ne!(hash("a"), hash("b"));
    }
}
