//! The kinds of hostile message and how each is made.

use super::*;

/// The kinds of hostile message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Random bytes as a binary frame.
    RandomBytes,
    /// A real frame cut short.
    Truncated,
    /// A real frame with a few bits flipped.
    BitFlipped,
    /// A well-formed `Sync` frame whose automerge changes are damaged
    /// (with the chunk checksum forged to match, when sent by the intruder).
    CorruptChanges,
    /// A well-formed `Sync` frame whose automerge message carries Bloom
    /// filters automerge never sends (no bits, huge probe counts, hundreds).
    BrokenBloom,
    /// A valid `Sync` frame for a document of the other lab.
    OtherLab,
    /// A `Sync` frame for a document that does not exist.
    UnknownDoc,
    /// Valid new changes to the project document, which only coordinators write.
    ReadOnlyWrite,
    /// A frame only the hub sends (`Catalog`, `Refused`), or `Close`.
    OutOfOrder,
    /// `Hello` with another protocol version.
    WrongVersion,
    /// `Hello` again (after the first, a protocol error).
    ExtraHello,
    /// A text frame.
    Text,
    /// A connection without a credential.
    NoCredential,
    /// A connection with an unknown credential.
    WrongCredential,
}

/// Kinds after which the connection stays open.
pub(crate) const OPEN: &[(Kind, u32)] = &[
    (Kind::CorruptChanges, 6),
    (Kind::BrokenBloom, 2),
    (Kind::OtherLab, 6),
    (Kind::UnknownDoc, 2),
    (Kind::ReadOnlyWrite, 2),
];
/// Kinds after which the hub may (or must) close the connection.
pub(crate) const CLOSING: &[(Kind, u32)] = &[
    (Kind::RandomBytes, 5),
    (Kind::Truncated, 4),
    (Kind::BitFlipped, 4),
    (Kind::OutOfOrder, 1),
    (Kind::WrongVersion, 1),
    (Kind::ExtraHello, 1),
    (Kind::Text, 1),
];

pub(crate) fn pick(rng: &mut StdRng, table: &[(Kind, u32)]) -> Kind {
    table.choose_weighted(rng, |(_, w)| *w).map(|(k, _)| *k).expect("weights")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// A volunteer of lab 1 (the honest lab): may write lab 1's documents,
    /// so sends nothing that carries valid changes the hub lacks.
    Insider,
    /// A volunteer of lab 2: sends anything, including valid new changes
    /// to lab 1's documents.
    Intruder,
}

pub(crate) fn has_changes(message: &[u8]) -> bool {
    SyncMessage::decode(message).is_ok_and(|m| !m.changes.is_empty())
}

pub(crate) fn random_bytes(rng: &mut StdRng, n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rng.fill_bytes(&mut b);
    b
}

pub(crate) fn random_doc(rng: &mut StdRng) -> DocRef {
    let id = Uuid::from_u128(rng.random());
    match rng.random_range(0..5) {
        0 => DocRef::lab(LabId(id)),
        1 => DocRef::household(crdt_sync::HouseholdId(id)),
        2 => DocRef::person(crdt_sync::PersonId(id)),
        3 => DocRef::project(crdt_sync::ProjectId(id)),
        _ => DocRef::training(crdt_sync::ProjectId(id)),
    }
}

/// Damages one change chunk of `message`.
pub(crate) fn corrupt(message: &[u8], rng: &mut StdRng, forge: bool) -> Vec<u8> {
    let mut m = SyncMessage::decode(message).expect("a captured message decodes");
    let mut chunks: Vec<Vec<u8>> = m.changes.iter().map(<[u8]>::to_vec).collect();
    let i = rng.random_range(0..chunks.len());
    let c = &mut chunks[i];
    match rng.random_range(0..4) {
        0 => {
            for _ in 0..rng.random_range(1..=4) {
                let bit = rng.random_range(64..c.len().max(9) * 8);
                if let Some(b) = c.get_mut(bit / 8) {
                    *b ^= 1 << (bit % 8);
                }
            }
        }
        1 => c.truncate(rng.random_range(0..c.len())),
        2 => {
            let n = rng.random_range(1..64);
            c.extend(random_bytes(rng, n));
        }
        _ => {
            let n = rng.random_range(8..c.len().max(9));
            let body = random_bytes(rng, n);
            c.truncate(8);
            c.extend(body);
        }
    }
    if forge {
        forge_checksum(c);
    }
    m.changes = ChunkList::from(chunks);
    m.encode()
}

/// A sync message whose `have` no automerge sends.
pub(crate) fn broken_bloom(rng: &mut StdRng, heads: Vec<ChangeHash>) -> Vec<u8> {
    let bloom = |bytes: &[u8]| BloomFilter::try_from(bytes).expect("bloom bytes");
    let have = |b: BloomFilter| Have { last_sync: vec![], bloom: b };
    let haves = match rng.random_range(0..4) {
        // One entry, no bits: every probe is `% 0`.
        0 => vec![have(bloom(&[1, 0, 7]))],
        1 => vec![have(bloom(&[1, 0, 0]))],
        // 65,536 probes per hash, each allocated.
        2 => vec![have(bloom(&[1, 10, 0x80, 0x80, 0x04, 0xff, 0xff]))],
        // Hundreds of filters: each one is tried against every change.
        _ => (0..300).map(|_| have(bloom(&[1, 10, 7, 0xff, 0xff]))).collect(),
    };
    SyncMessage {
        heads,
        need: vec![],
        have: haves,
        changes: ChunkList::empty(),
        flags: None,
        version: MessageVersion::V1,
    }
    .encode()
}

/// One hostile message: what to send, and how the hub must end the
/// connection after it, if that is certain.
pub(crate) struct Hostile {
    pub(crate) msg: Message,
    pub(crate) close: Option<Fatal>,
}

pub(crate) fn binary(frame: &Frame) -> Message {
    Message::Binary(frame.encode().into())
}

/// Builds a message of `kind` for `who`.
pub(crate) fn make(kind: Kind, who: Who, rng: &mut StdRng, c: &Corpus) -> Hostile {
    let open = |msg| Hostile { msg, close: None };
    match kind {
        Kind::RandomBytes => {
            let n =
                if rng.random_bool(0.9) { rng.random_range(0..256) } else { rng.random_range(0..64 * 1024) };
            let mut b = random_bytes(rng, n);
            if let Some(first) = b.first_mut() {
                // Mostly a valid variant tag, to get past the first byte.
                if rng.random_bool(0.7) {
                    *first = rng.random_range(0..5);
                }
            }
            open(Message::Binary(b.into()))
        }
        Kind::Truncated => {
            let b = c.frames(who, rng).encode();
            let n = rng.random_range(0..b.len().max(1));
            open(Message::Binary(b[..n].to_vec().into()))
        }
        Kind::BitFlipped => {
            let mut b = c.frames(who, rng).encode();
            for _ in 0..rng.random_range(1..=8) {
                let bit = rng.random_range(0..b.len() * 8);
                b[bit / 8] ^= 1 << (bit % 8);
            }
            open(Message::Binary(b.into()))
        }
        Kind::CorruptChanges => {
            let (doc, message) = c.with_changes(who, rng);
            let message = corrupt(&message, rng, who == Who::Intruder);
            open(binary(&Frame::Sync { doc, message }))
        }
        Kind::BrokenBloom => {
            let docs: Vec<DocRef> = c.readable(who).into_iter().collect();
            let doc = *docs.choose(rng).expect("docs");
            open(binary(&Frame::Sync { doc, message: broken_bloom(rng, c.heads.clone()) }))
        }
        Kind::OtherLab => match who {
            // Valid frames, some with valid new changes, for lab 1's documents.
            Who::Intruder => {
                let pool: Vec<&Frame> = c
                    .honest
                    .iter()
                    .chain(&c.forged_lab)
                    .filter(|f| matches!(f, Frame::Sync { doc, .. } if c.lab1.contains(doc)))
                    .collect();
                open(binary(pool.choose(rng).expect("lab 1 frames")))
            }
            Who::Insider => {
                let doc = *c.foreign(who).choose(rng).expect("lab 2 docs");
                open(binary(&Frame::Sync { doc, message: c.message(rng) }))
            }
        },
        Kind::UnknownDoc => open(binary(&Frame::Sync { doc: random_doc(rng), message: c.message(rng) })),
        Kind::ReadOnlyWrite => open(binary(c.forged_project.choose(rng).expect("project frames"))),
        Kind::OutOfOrder => match rng.random_range(0..3) {
            0 => Hostile {
                msg: binary(&Frame::Catalog {
                    allowed: vec![0xff],
                    same: vec![0xff],
                    more: (0..rng.random_range(0..4)).map(|_| random_doc(rng)).collect(),
                }),
                close: Some(Fatal::Protocol),
            },
            1 => Hostile {
                msg: binary(&Frame::Refused { doc: random_doc(rng), reason: Refusal::NotAllowed }),
                close: Some(Fatal::Protocol),
            },
            // The device says goodbye: the hub just ends the connection.
            _ => open(binary(&Frame::Close { reason: Fatal::Protocol })),
        },
        Kind::WrongVersion => {
            let version = loop {
                let v = rng.random::<u16>();
                if v != PROTOCOL_VERSION {
                    break v;
                }
            };
            Hostile {
                msg: binary(&Frame::Hello { version, docs: vec![], heads: vec![], since: None }),
                close: Some(Fatal::Version),
            }
        }
        Kind::ExtraHello => {
            let docs = (0..rng.random_range(0..4)).map(|_| random_doc(rng)).collect();
            Hostile {
                msg: binary(&Frame::Hello { version: PROTOCOL_VERSION, docs, heads: vec![], since: None }),
                close: Some(Fatal::Protocol),
            }
        }
        Kind::Text => {
            let n = rng.random_range(0..200);
            let text: String = (0..n).map(|_| char::from(rng.random_range(32u8..127))).collect();
            Hostile { msg: Message::Text(text.into()), close: Some(Fatal::Protocol) }
        }
        Kind::NoCredential | Kind::WrongCredential => unreachable!("not a frame"),
    }
}
