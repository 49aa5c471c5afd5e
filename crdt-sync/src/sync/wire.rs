//! The frames a device and the hub exchange over one connection.
//!
//! Encoded with postcard (compact, serde-based); every frame is bounded by
//! [`MAX_FRAME`] before it is decoded, and decoding never panics: a
//! malformed frame is an error the caller reports and drops.

use serde::{Deserialize, Serialize};

use crate::doc::DocRef;

/// Largest frame either side accepts, in bytes. A first sync of a
/// five-year lab document is about 3 MiB; 16 MiB leaves room and bounds
/// what a hostile peer can make the other side buffer.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u16 = 2;

/// Why a document was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Refusal {
    /// The device may not read this document (or it does not exist).
    NotAllowed,
    /// The device may read but not change this document.
    ReadOnly,
    /// The bytes were corrupt or not of this document.
    BadBytes,
    /// A new household that the device's lab document does not list.
    NotListed,
    /// The family was erased: its document is never stored again. The
    /// device erases its own copy when its lab document, with the
    /// tombstone, arrives.
    Erased,
    /// The changes add, change or remove an erasure (or a request) that this
    /// device may not, or erase a family the lab does not list.
    ErasureNotAllowed,
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
    /// Too many frames too fast.
    RateLimited,
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
    },
    /// Hub → device, the answer to `Hello`: the documents this device may
    /// sync. Documents it holds but may not sync are answered with `Refused`.
    Catalog {
        /// Allowed documents.
        docs: Vec<DocRef>,
        /// A bit per document of `docs` (bit `i % 8` of byte `i / 8`): set
        /// when the device offered it at the heads the hub holds, so
        /// neither side sends anything for it.
        same: Vec<u8>,
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

/// Whether bit `i` of a [`Frame::Catalog`] `same` set is on.
pub fn same_bit(same: &[u8], i: usize) -> bool {
    same.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) != 0)
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
        let (frame, rest) =
            postcard::take_from_bytes::<Frame>(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(DecodeError::Malformed(format!("{} trailing bytes", rest.len())));
        }
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::LabId;
    use proptest::prelude::*;

    #[test]
    fn frames_round_trip() {
        let doc = DocRef::lab(LabId(uuid::Uuid::from_u128(5)));
        for f in [
            Frame::Hello { version: PROTOCOL_VERSION, docs: vec![doc], heads: vec![7] },
            Frame::Catalog { docs: vec![], same: vec![] },
            Frame::Sync { doc, message: vec![1, 2, 3] },
            Frame::Refused { doc, reason: Refusal::NotListed },
            Frame::Close { reason: Fatal::Revoked },
        ] {
            assert_eq!(Frame::decode(&f.encode()).expect("decode"), f);
        }
        let mut long = Frame::Catalog { docs: vec![doc], same: vec![1] }.encode();
        long.push(0);
        assert!(matches!(Frame::decode(&long), Err(DecodeError::Malformed(_))));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = Frame::decode(&bytes);
        }
    }
}
