//! Pairing codes and device credentials: generation, normalisation, hashing.
//! The hub stores only SHA-256 hashes of both.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Crockford's base32: no I, L, O, U, so a code read over the phone is
/// hard to mistype.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new pairing code: 10 characters (50 bits) as `XXXXX-XXXXX`.
pub fn new_code(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 10];
    rng.fill_bytes(&mut bytes);
    let chars: String = bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A pairing code as a person may type it, normalised: case and separators
/// ignored, and the letters Crockford maps (O→0, I/L→1) folded.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

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
    fn codes_are_short_and_forgiving() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let code = new_code(&mut rng);
        assert_eq!(code.len(), 11);
        assert_eq!(normalise(&code.to_lowercase().replace('-', " ")), normalise(&code));
        assert_eq!(normalise("o1l-i"), "0111");
        assert_ne!(new_code(&mut rng), code);
        assert_eq!(hash("a").len(), 64);
    }
}
