//! Keyed pseudonyms for funder exports (decision 0012).
//!
//! A household's human code (`PV03-0042`) is printed on the labs' paper
//! forms, so anyone holding a form could re-identify a row that carries it.
//! A pseudonymised export shows instead `F-` and eight Crockford base32
//! characters of HMAC-SHA256(key, household UUID): `M-` for a member, `S-`
//! for an operator or volunteer. Without the [`PseudonymKey`] the pseudonym
//! says nothing and cannot be recomputed from a code or an id; with the same
//! key it is the same in every export, so the funder can follow a family
//! over time (and across labs: the id is the family's, not the lab's)
//! without learning who it is.
//!
//! The key is generated once per project and kept apart from the exports
//! (the hub keeps it in `pseudonym.key` in its data directory; the app in
//! its own secure storage). It never appears in an export or in the audit
//! log: [`PseudonymKey`] has no `Serialize`, and its `Debug` is redacted.
//!
//! Forty bits of the MAC are kept: short enough to read aloud, and among
//! the few thousand families and members of a project the chance of two
//! sharing a pseudonym is about one in a hundred thousand (birthday bound,
//! 10,000 ids over 2^40).

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use rand::TryCryptoRng;
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crdt_sync::base32;
use crdt_sync::{HouseholdId, MemberId, PersonId};

/// Bytes of a key.
const KEY_LEN: usize = 32;
/// Bytes of the MAC kept in a pseudonym: 40 bits, eight base32 characters.
const KEPT: usize = 5;

/// What a pseudonym stands for: its prefix, and the domain separation of
/// the MAC (a member and a household can never share a pseudonym even if
/// their UUIDs were equal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Household,
    Member,
    Staff,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Household => "F",
            Kind::Member => "M",
            Kind::Staff => "S",
        }
    }

    fn domain(self) -> &'static [u8] {
        match self {
            Kind::Household => b"taccuino/pseudonym/v1/household\0",
            Kind::Member => b"taccuino/pseudonym/v1/member\0",
            Kind::Staff => b"taccuino/pseudonym/v1/staff\0",
        }
    }
}

/// The project's secret for pseudonyms: 32 random bytes, wiped on drop.
///
/// Build one with [`PseudonymKey::generate`] once per project, store it with
/// [`PseudonymKey::to_text`] somewhere the exports never go, and read it
/// back with [`PseudonymKey::from_text`].
#[derive(Clone)]
pub struct PseudonymKey(Zeroizing<[u8; KEY_LEN]>);

impl PseudonymKey {
    /// A new random key.
    ///
    /// Errors: [`Error::Register`] (`Internal`) if the random source fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<PseudonymKey> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rng.try_fill_bytes(bytes.as_mut())
            .map_err(|e| Error::internal(format!("the random source failed: {e}")))?;
        Ok(PseudonymKey(bytes))
    }

    /// A key from its 32 bytes (tests, or a key kept elsewhere).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> PseudonymKey {
        PseudonymKey(Zeroizing::new(bytes))
    }

    /// The key as text, for its key file: 52 Crockford base32 characters.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(base32::encoded_len(KEY_LEN)));
        base32::encode_into(self.0.as_ref(), &mut out);
        out
    }

    /// Reads a key written by [`PseudonymKey::to_text`] (case, spaces,
    /// dashes and a final newline do not matter).
    ///
    /// Errors: [`Error::Register`] (`Invalid`) (`pseudonym_key`) if it is not one.
    pub fn from_text(text: &str) -> Result<PseudonymKey> {
        let bytes = base32::decode::<KEY_LEN>(text)
            .map_err(|why| Error::invalid("pseudonym_key", format!("not a pseudonym key: {why}")))?;
        Ok(PseudonymKey(bytes))
    }

    /// The key's public fingerprint, `K-…`: the audit log records it with
    /// each pseudonymised export, so a coordinator can check that the hub
    /// and the app use the same key without showing either. It reveals
    /// nothing of the key or of any pseudonym (another MAC domain).
    pub fn fingerprint(&self) -> String {
        let mut mac = self.mac();
        mac.update(b"taccuino/pseudonym/v1/fingerprint\0");
        let tag = mac.finalize().into_bytes();
        let mut out = String::with_capacity(2 + base32::encoded_len(KEPT));
        out.push_str("K-");
        base32::encode_into(&tag[..KEPT], &mut out);
        out
    }

    /// A family's pseudonym, `F-7K3Q9M2X`.
    pub fn household(&self, id: HouseholdId) -> String {
        self.pseudonym(Kind::Household, id.0.as_bytes())
    }

    /// A family member's pseudonym, `M-…`.
    pub fn member(&self, id: MemberId) -> String {
        self.pseudonym(Kind::Member, id.0.as_bytes())
    }

    /// An operator's or volunteer's pseudonym, `S-…`.
    pub fn staff(&self, id: PersonId) -> String {
        self.pseudonym(Kind::Staff, id.0.as_bytes())
    }

    /// The pseudonym of an id as the projection stores it (a UUID's text).
    /// A malformed id (never written by the projection) is keyed as text,
    /// so it still gets a stable pseudonym and never fails the export.
    pub(crate) fn of_text(&self, kind: Kind, id: &str) -> String {
        match Uuid::parse_str(id) {
            Ok(uuid) => self.pseudonym(kind, uuid.as_bytes()),
            Err(_) => self.pseudonym(kind, id.as_bytes()),
        }
    }

    fn pseudonym(&self, kind: Kind, id: &[u8]) -> String {
        let mut mac = self.mac();
        mac.update(kind.domain());
        mac.update(id);
        let tag = mac.finalize().into_bytes();
        let mut out = String::with_capacity(2 + base32::encoded_len(KEPT));
        out.push_str(kind.prefix());
        out.push('-');
        base32::encode_into(&tag[..KEPT], &mut out);
        out
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length; 32 bytes cannot fail.
        <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"))
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

impl PartialEq for PseudonymKey {
    fn eq(&self, other: &PseudonymKey) -> bool {
        // Not constant time: keys are compared only in tests and options'
        // equality, never against attacker input.
        *self.0 == *other.0
    }
}

impl Eq for PseudonymKey {}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> PseudonymKey {
        PseudonymKey::from_bytes([b; KEY_LEN])
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_across_keys_and_kinds() {
        let id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0042);
        let (a, b) = (key(1), key(2));
        let p = a.household(HouseholdId(id));
        assert_eq!(p, a.household(HouseholdId(id)), "stable with the same key");
        assert_eq!(p, key(1).household(HouseholdId(id)), "stable with a copy of the key");
        assert_ne!(p, b.household(HouseholdId(id)), "another key, another pseudonym");
        assert_ne!(p[2..], a.member(MemberId(id))[2..], "kinds are separated");
        assert!(p.starts_with("F-") && p.len() == 10, "{p}");
        assert!(p[2..].chars().all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)), "{p}");
        assert_eq!(a.of_text(Kind::Household, &id.to_string()), p, "the projection's text form");
        assert!(a.member(MemberId(id)).starts_with("M-"));
        assert!(a.staff(PersonId(id)).starts_with("S-"));
        assert!(a.fingerprint().starts_with("K-") && a.fingerprint() != b.fingerprint());
        assert_eq!(a.fingerprint(), key(1).fingerprint());
    }

    #[test]
    fn a_key_round_trips_as_text_and_bad_text_is_refused() {
        let k = PseudonymKey::generate(&mut rand::rngs::OsRng).expect("random key");
        let text = k.to_text();
        assert_eq!(text.len(), 52);
        assert_eq!(PseudonymKey::from_text(&format!("{}\n", text.to_lowercase())).expect("read back"), k);
        for bad in ["", "not a key", &text[..51], &format!("{}A", &*text)] {
            let err = PseudonymKey::from_text(bad).expect_err(bad);
            assert!(
                matches!(err, Error::Register(crdt_sync::Error::Invalid { field: "pseudonym_key", .. })),
                "{err}"
            );
        }
        assert_eq!(format!("{k:?}"), "PseudonymKey(<redacted>)");
    }
}
