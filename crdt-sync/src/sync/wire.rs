//! The frames a device and the hub exchange over one connection.
//!
//! Encoded with postcard (compact, serde-based); every frame is bounded by
//! [`MAX_FRAME`] before it is decoded, and decoding never panics: a
//! malformed frame is an error the caller reports and drops.

use serde::{Deserialize, Serialize};

use super::bundle::BundleKey;
use crate::doc::DocRef;

/// Largest frame either side accepts, in bytes. A first sync of a
/// five-year lab document is about 3 MiB; 16 MiB leaves room and bounds
/// what a hostile peer can make the other side buffer.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 5;

/// Why a document was refused. On the wire a variant is its index
/// (postcard); in JSON, for the app's front end, its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// The device may not read this document (or it does not exist).
    NotAllowed,
    /// The device may read but not change this document.
    ReadOnly,
    /// The bytes were corrupt or not of this document.
    BadBytes,
    /// A new household or person that the device's lab document does not
    /// list (in its index of families, on its roster); another lab's is
    /// answered alike.
    NotListed,
    /// The family was erased: its document is never stored again. The
    /// device erases its own copy when its lab document, with the
    /// tombstone, arrives.
    Erased,
    /// The changes add, change or remove an erasure (or a request) that this
    /// device may not, or erase a family the lab does not list.
    ErasureNotAllowed,
    /// The family's processing is restricted (GDPR art. 18): only a
    /// coordinator changes it, restricts or lifts; other devices may only
    /// record a withdrawal.
    Restricted,
    /// The changes are written as another device (a coordinator's, another
    /// lab's, a revoked or unknown one), or by a device that may not do
    /// what they do ([`crate::authz::authors`]).
    WrongAuthor,
    /// The bytes ask for more work than the receiver does for one message
    /// (inflated size, changes, operations: [`super::limits`]), or too many
    /// changes wait for one they depend on. Nothing was stored.
    TooLarge,
}

/// Why the connection is being closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Fatal {
    /// The other side speaks another protocol version.
    Version,
    /// A frame could not be decoded, or came out of order.
    Protocol,
    /// The device's credential was revoked.
    Revoked,
    /// The other side failed to store what it received.
    Storage,
    /// Hub → device: the device sent no frame for too long (the hub's idle
    /// timeout, or its deadline for the first frame). Syncing again is the
    /// answer.
    Idle,
    /// Hub → device: the device is over its limits (connections at once,
    /// or frames and bytes per minute, counted across its connections).
    /// Syncing again after a minute is the answer.
    Busy,
}

impl Refusal {
    /// Its stable name: the snake_case name it has in JSON, which the app
    /// explains and the hub's metrics label refusals with.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::NotAllowed => "not_allowed",
            Refusal::ReadOnly => "read_only",
            Refusal::BadBytes => "bad_bytes",
            Refusal::NotListed => "not_listed",
            Refusal::Erased => "erased",
            Refusal::ErasureNotAllowed => "erasure_not_allowed",
            Refusal::Restricted => "restricted",
            Refusal::WrongAuthor => "wrong_author",
            Refusal::TooLarge => "too_large",
        }
    }
}

impl Fatal {
    /// Its stable name, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Fatal::Version => "version",
            Fatal::Protocol => "protocol",
            Fatal::Revoked => "revoked",
            Fatal::Storage => "storage",
            Fatal::Idle => "idle",
            Fatal::Busy => "busy",
        }
    }
}

/// One frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// Device → hub, first: the version and the documents the device holds.
    Hello {
        /// [`PROTOCOL_VERSION`] of the sender.
        version: u16,
        /// Every document the device holds.
        docs: Vec<DocRef>,
        /// For each of `docs`, a digest of its heads ([`heads_digest`]), so
        /// the hub can tell which documents are already in step and skip
        /// them; empty when the device does not say.
        heads: Vec<u64>,
        /// v5: the digest of the device's sync points with this hub
        /// ([`SyncPoints::digest`](crate::sync::SyncPoints::digest)) when
        /// `docs` lists only the documents that moved since those points
        /// (and those without one); `None` when it lists every document.
        since: Option<u64>,
    },
    /// Hub → device, the answer to `Hello`: the documents this device may
    /// sync. Documents it offered but may not sync are answered with
    /// `Refused`. The offered documents are named by their place in the
    /// device's `Hello` (bit `i % 8` of byte `i / 8` is document `i`), so
    /// the answer to a sync with nothing new is a few bytes, not the ids
    /// again ([`catalog_docs`] lists them).
    Catalog {
        /// A bit per document of the `Hello`: set when the device may sync it.
        allowed: Vec<u8>,
        /// A bit per document of the `Hello`: set when the device offered it
        /// at the heads the hub holds, so neither side sends anything for it.
        same: Vec<u8>,
        /// Documents the device may sync that it did not offer (new to it,
        /// or, later in a session, newly listed households).
        more: Vec<DocRef>,
    },
    /// Either way: one automerge sync message for one document.
    Sync {
        /// The document.
        doc: DocRef,
        /// An encoded `automerge::sync::Message`.
        message: Vec<u8>,
    },
    /// Hub → device: this document will not be synced in this session.
    Refused {
        /// The document.
        doc: DocRef,
        /// Why.
        reason: Refusal,
    },
    /// Either way, last: the sender closes the connection.
    Close {
        /// Why.
        reason: Fatal,
    },
    /// Hub → a lab's device, first after its `Hello` (v4): the lab's current
    /// bundle key, which the device keeps in place of the one it held. The
    /// hub rotates a lab's key when one of its devices is revoked; this is
    /// how the lab's other devices learn the new one (decision 0016).
    BundleKey {
        /// The key (its `Debug` never shows it).
        key: BundleKey,
    },
    /// Hub → device, the answer to a `Hello` with `since` (v5) when the
    /// hub's sync points for this device have another digest: send a
    /// `Hello` of every document (without `since`).
    Again,
    /// Device → hub, last (v5): the device's sync points once the session
    /// settled, as a digest. The hub keeps its own points for this device
    /// if they have the same digest, and none otherwise (the next sync is
    /// then a full one).
    Done {
        /// [`SyncPoints::digest`](crate::sync::SyncPoints::digest) of the device's points.
        points: u64,
    },
}

/// A short digest of a document's heads (order does not matter): the first
/// 8 bytes of SHA-256 over the sorted hashes.
pub fn heads_digest(heads: &[automerge::ChangeHash]) -> u64 {
    use sha2::{Digest, Sha256};
    let mut sorted = heads.to_vec();
    sorted.sort();
    let mut hasher = Sha256::new();
    for h in &sorted {
        hasher.update(h.0);
    }
    let d = hasher.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// Whether bit `i` of one of a [`Frame::Catalog`]'s bit sets is on (bits
/// past the end are off).
pub fn bit(set: &[u8], i: usize) -> bool {
    set.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0)
}

/// A bit set of `len` bits, all off, for a [`Frame::Catalog`].
pub fn bits(len: usize) -> Vec<u8> {
    vec![0; len.div_ceil(8)]
}

/// Turns bit `i` on; a set too short grows.
pub fn set_bit(set: &mut Vec<u8>, i: usize) {
    if set.len() <= i / 8 {
        set.resize(i / 8 + 1, 0);
    }
    set[i / 8] |= 1 << (i % 8);
}

/// Every document a [`Frame::Catalog`] allows, given the documents of the
/// `Hello` it answers, in order: the offered ones, then `more`.
pub fn catalog_docs(offered: &[DocRef], allowed: &[u8], more: &[DocRef]) -> Vec<DocRef> {
    let mut docs: Vec<DocRef> =
        offered.iter().enumerate().filter(|(i, _)| bit(allowed, *i)).map(|(_, d)| *d).collect();
    docs.extend_from_slice(more);
    docs
}

/// A frame that could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Larger than [`MAX_FRAME`].
    #[error("frame of {0} bytes is over the limit")]
    TooLarge(usize),
    /// Not a frame.
    #[error("malformed frame: {0}")]
    Malformed(String),
}

impl Frame {
    /// The frame's bytes.
    pub fn encode(&self) -> Vec<u8> {
        // Serialising plain enums of vectors into a Vec cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Decodes a frame, refusing oversized or trailing bytes.
    pub fn decode(bytes: &[u8]) -> Result<Frame, DecodeError> {
        if bytes.len() > MAX_FRAME {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        let decoded = postcard::take_from_bytes::<Frame>(bytes);
        if let Some(version) = other_version(bytes)
            && !matches!(decoded, Ok((_, [])))
        {
            // Another version's `Hello` may be laid out otherwise: only its
            // version is read, so that the answer is `Fatal::Version`
            // (update the app), not `Fatal::Protocol`.
            return Ok(Frame::Hello { version, docs: Vec::new(), heads: Vec::new(), since: None });
        }
        let (frame, rest) = decoded.map_err(|e| DecodeError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(DecodeError::Malformed(format!("{} trailing bytes", rest.len())));
        }
        Ok(frame)
    }
}

/// The version of a `Hello` (variant 0, then its version as a varint) that
/// is not [`PROTOCOL_VERSION`].
fn other_version(bytes: &[u8]) -> Option<u16> {
    let (&0, rest) = bytes.split_first()? else { return None };
    let (version, _) = postcard::take_from_bytes::<u16>(rest).ok()?;
    (version != PROTOCOL_VERSION).then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::LabId;
    use proptest::prelude::*;

    #[test]
    fn a_hello_of_another_version_is_read_for_its_version_alone() {
        // Version 4's `Hello` had no `since`: its bytes end early here.
        let v4 = [0x00, 0x04, 0x00, 0x00];
        assert_eq!(
            Frame::decode(&v4).expect("read"),
            Frame::Hello { version: 4, docs: vec![], heads: vec![], since: None }
        );
        // A later version's, with fields this build does not know.
        let v9 = [0x00, 0x09, 0x00, 0x00, 0x00, 0x2a, 0x2a];
        assert!(matches!(Frame::decode(&v9), Ok(Frame::Hello { version: 9, .. })));
        // This version's malformed `Hello` stays malformed.
        assert!(Frame::decode(&[0x00, PROTOCOL_VERSION as u8, 0x00]).is_err());
    }

    #[test]
    fn frames_round_trip() {
        let doc = DocRef::lab(LabId(uuid::Uuid::from_u128(5)));
        for f in [
            Frame::Hello { version: PROTOCOL_VERSION, docs: vec![doc], heads: vec![7], since: None },
            Frame::Catalog { allowed: vec![], same: vec![], more: vec![] },
            Frame::Catalog { allowed: vec![0b101], same: vec![0b1], more: vec![doc] },
            Frame::Sync { doc, message: vec![1, 2, 3] },
            Frame::Refused { doc, reason: Refusal::NotListed },
            Frame::Close { reason: Fatal::Revoked },
            Frame::BundleKey { key: BundleKey([7; 32]) },
            Frame::Close { reason: Fatal::Idle },
            Frame::Close { reason: Fatal::Busy },
        ] {
            assert_eq!(Frame::decode(&f.encode()).expect("decode"), f);
        }
        // Closes added later keep the earlier ones' indices: an older
        // device still reads Revoked and Storage as before.
        assert_eq!(Frame::Close { reason: Fatal::Storage }.encode().last(), Some(&3));
        assert_eq!(Frame::Close { reason: Fatal::Idle }.encode().last(), Some(&4));
        assert_eq!(Frame::Close { reason: Fatal::Busy }.encode().last(), Some(&5));
        let mut long = Frame::Catalog { allowed: vec![1], same: vec![1], more: vec![doc] }.encode();
        long.push(0);
        assert!(matches!(Frame::decode(&long), Err(DecodeError::Malformed(_))));
    }

    #[test]
    fn refusals_have_the_names_the_front_end_explains() {
        let name = |r: Refusal| serde_json::to_value(r).expect("json").as_str().map(str::to_owned);
        use Refusal::*;
        for r in [
            NotAllowed,
            ReadOnly,
            BadBytes,
            NotListed,
            Erased,
            ErasureNotAllowed,
            Restricted,
            WrongAuthor,
            TooLarge,
        ] {
            assert_eq!(name(r).as_deref(), Some(r.as_str()), "as_str is the JSON name");
        }
        assert_eq!(name(Refusal::NotListed).as_deref(), Some("not_listed"));
        let closes =
            [Fatal::Version, Fatal::Protocol, Fatal::Revoked, Fatal::Storage, Fatal::Idle, Fatal::Busy];
        assert_eq!(closes.map(Fatal::as_str), ["version", "protocol", "revoked", "storage", "idle", "busy"]);
        assert_eq!(name(Refusal::ErasureNotAllowed).as_deref(), Some("erasure_not_allowed"));
        assert_eq!(name(Refusal::Restricted).as_deref(), Some("restricted"));
        assert_eq!(name(Refusal::TooLarge).as_deref(), Some("too_large"));
        // The wire keeps the variant's index: renaming changes no frame.
        let doc = DocRef::lab(LabId(uuid::Uuid::from_u128(5)));
        let frame = Frame::Refused { doc, reason: Refusal::ReadOnly }.encode();
        assert_eq!(frame.last(), Some(&1));
    }

    #[test]
    fn catalog_bits_name_the_offered_documents_in_order() {
        let doc = |n| DocRef::lab(LabId(uuid::Uuid::from_u128(n)));
        let offered: Vec<DocRef> = (0..10).map(doc).collect();
        let mut allowed = bits(offered.len());
        assert_eq!(allowed.len(), 2);
        for i in [0, 3, 9] {
            set_bit(&mut allowed, i);
        }
        assert!(bit(&allowed, 9) && !bit(&allowed, 8) && !bit(&allowed, 200));
        assert_eq!(catalog_docs(&offered, &allowed, &[doc(42)]), vec![doc(0), doc(3), doc(9), doc(42)]);
        // Bits past the offered documents (a hostile hub) name nothing.
        set_bit(&mut allowed, 40);
        assert_eq!(allowed.len(), 6);
        assert_eq!(catalog_docs(&offered, &allowed, &[]), vec![doc(0), doc(3), doc(9)]);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = Frame::decode(&bytes);
        }
    }
}
