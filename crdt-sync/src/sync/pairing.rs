//! Pairing codes and the hub's certificate pin.
//!
//! A coordinator reads a pairing code over the phone, so it is short and
//! forgiving (Crockford's base32: case, spaces and dashes ignored, `O` read
//! as `0`, `I` and `L` as `1`). It has two parts:
//!
//! - the **secret**, 10 characters (50 bits), which the hub redeems once for
//!   a device credential and stores only as a hash;
//! - the **check**, 5 characters (25 bits) of HMAC-SHA256 keyed by the secret
//!   over the SHA-256 fingerprint of the hub's TLS certificate.
//!
//! The device computes the check for the certificate the hub presents before
//! it sends anything, and pins that certificate's fingerprint for every later
//! sync. Someone in the middle without the secret cannot make a certificate
//! that passes (one chance in 2^25 per attempt, and each attempt burns a
//! person's enrolment); someone with the secret could enrol on their own
//! anyway. Keying by the secret is what lets 25 bits suffice: an unkeyed
//! fingerprint prefix could be ground offline against the hub's public
//! certificate once and then used against every enrolment.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub use crate::credentials::CertFingerprint;

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of the secret part.
pub const SECRET_LEN: usize = 10;
/// Characters of the certificate check.
pub const CHECK_LEN: usize = 5;

/// A pairing code as typed, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingCode {
    /// The secret, normalised (10 characters if the code was well formed).
    pub secret: String,
    /// The certificate check, normalised, if the code has one.
    pub check: Option<String>,
}

impl PairingCode {
    /// Splits a code as a person typed it. Never fails: a code of the wrong
    /// length is looked up (and not found) like any mistyped one, and a
    /// missing check is refused by the client when the hub speaks TLS.
    pub fn parse(typed: &str) -> PairingCode {
        let all = normalise(typed);
        if all.len() == SECRET_LEN + CHECK_LEN {
            let (secret, check) = all.split_at(SECRET_LEN);
            PairingCode { secret: secret.to_owned(), check: Some(check.to_owned()) }
        } else {
            PairingCode { secret: all, check: None }
        }
    }

    /// Whether the check matches `cert`. A code without a check matches
    /// nothing.
    pub fn matches(&self, cert: &CertFingerprint) -> bool {
        self.check.as_deref().is_some_and(|c| c == certificate_check(&self.secret, cert))
    }
}

/// The code as the hub prints it: `XXXXX-XXXXX` for the secret, then
/// `-CCCCC` for the check when the hub has a certificate.
pub fn display_code(secret: &str, cert: Option<&CertFingerprint>) -> String {
    let mut out = String::new();
    for (i, c) in secret.chars().enumerate() {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    if let Some(cert) = cert {
        out.push('-');
        out.push_str(&certificate_check(secret, cert));
    }
    out
}

/// A code as a person may type it, normalised: case and separators ignored,
/// and the letters Crockford maps (O→0, I/L→1) folded.
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

/// The 5-character check binding `secret` to `cert`.
pub fn certificate_check(secret: &str, cert: &CertFingerprint) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(b"taccuino pairing check v1\0");
    mac.update(&cert.0);
    let tag = mac.finalize().into_bytes();
    let bits = u64::from_be_bytes([tag[0], tag[1], tag[2], tag[3], tag[4], tag[5], tag[6], tag[7]]);
    (0..CHECK_LEN)
        .map(|i| {
            let shift = 64 - 5 * (i + 1);
            // Masked to 5 bits: the index is < 32.
            char::from(ALPHABET[((bits >> shift) & 0x1f) as usize])
        })
        .collect()
}

/// A new random secret of [`SECRET_LEN`] characters.
pub fn new_secret(rng: &mut impl rand::RngCore) -> String {
    let mut bytes = [0u8; SECRET_LEN];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn cert(n: u8) -> CertFingerprint {
        CertFingerprint::of(&[n; 100])
    }

    #[test]
    fn a_printed_code_round_trips_as_typed() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let secret = new_secret(&mut rng);
        let printed = display_code(&secret, Some(&cert(1)));
        assert_eq!(printed.len(), 17, "{printed}");
        let typed = printed.to_lowercase().replace('-', " ");
        let code = PairingCode::parse(&typed);
        assert_eq!(code.secret, secret);
        assert!(code.matches(&cert(1)));
        assert!(!code.matches(&cert(2)), "another certificate fails the check");
        assert_ne!(new_secret(&mut rng), secret);
    }

    #[test]
    fn the_check_depends_on_the_secret_and_the_certificate() {
        let a = certificate_check("ABCDEFGHJK", &cert(1));
        assert_eq!(a.len(), CHECK_LEN);
        assert_eq!(a, certificate_check("ABCDEFGHJK", &cert(1)), "deterministic");
        assert_ne!(a, certificate_check("ABCDEFGHJM", &cert(1)));
        assert_ne!(a, certificate_check("ABCDEFGHJK", &cert(3)));
    }

    #[test]
    fn codes_without_a_check_or_of_odd_length_match_nothing() {
        let plain = PairingCode::parse("abcde-fghjk");
        assert_eq!(plain, PairingCode { secret: "ABCDEFGHJK".into(), check: None });
        assert!(!plain.matches(&cert(1)));
        assert_eq!(display_code("ABCDEFGHJK", None), "ABCDE-FGHJK");
        assert_eq!(PairingCode::parse("o1l-i").secret, "0111");
        assert_eq!(PairingCode::parse("").check, None);
    }

    #[test]
    fn fingerprints_print_and_parse() {
        let f = cert(4);
        assert_eq!(CertFingerprint::from_hex(&f.to_hex()), Some(f));
        let colons: Vec<String> = f.0.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(CertFingerprint::from_hex(&colons.join(":")), Some(f));
        assert_eq!(CertFingerprint::from_hex("abc"), None);
    }
}
