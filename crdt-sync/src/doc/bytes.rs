//! Strict parsing of document bytes from elsewhere.
//!
//! Automerge's own incremental load keeps the valid prefix of corrupt or
//! truncated bytes. A replica must refuse such bytes whole, so they are split
//! here into their chunks (a compacted save, or single changes) and each
//! chunk is parsed strictly before anything is applied. Before any of that,
//! the bounded scan of [`super::scan`] refuses bytes that would ask automerge
//! for more work than [`crate::doc::limits`] allows.

use automerge::{Automerge, Change, LoadOptions, OnPartialLoad, VerificationMode};

use crate::doc::limits::{BytesRefused, Cost};

/// Every automerge chunk starts with these bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk type of a compacted document save.
const DOCUMENT_CHUNK: u8 = 0;

/// The parsed content of some document bytes.
#[derive(Default)]
pub(crate) struct Parsed {
    /// Compacted saves.
    pub saves: Vec<Automerge>,
    /// Single changes.
    pub changes: Vec<Change>,
}

fn leb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Why bytes were not parsed.
#[derive(Debug)]
pub(crate) enum Unparsed {
    /// Over a limit of [`crate::doc::limits`], found before any parse.
    TooLarge(String),
    /// Malformed, corrupt, or refused by automerge (panics included).
    Bad(String),
}

impl Unparsed {
    /// The store's error for these bytes offered as document `doc`.
    pub(crate) fn into_error(self, doc: String) -> crate::Error {
        match self {
            Unparsed::TooLarge(reason) => crate::Error::TooLarge { doc, reason },
            Unparsed::Bad(reason) => crate::Error::RejectedBytes { doc, reason },
        }
    }
}

impl From<BytesRefused> for Unparsed {
    fn from(e: BytesRefused) -> Self {
        match e {
            BytesRefused::TooLarge(r) => Unparsed::TooLarge(r),
            BytesRefused::Malformed(r) => Unparsed::Bad(r),
        }
    }
}

/// Splits `bytes` into chunks and parses each one strictly, after the
/// bounded scan ([`super::scan`]) has found them within the limits. The
/// parse runs under `catch_unwind`: automerge panics on some inconsistent
/// bytes, and a panic here is these bytes' refusal, not the caller's (on
/// the hub, a panic while it holds the shared store would poison it).
pub(crate) fn parse(bytes: &[u8]) -> Result<(Parsed, Cost), Unparsed> {
    let cost = super::scan::scan(bytes)?;
    let parsed = std::panic::catch_unwind(|| parse_scanned(bytes))
        .map_err(|_| Unparsed::Bad("automerge failed on these bytes (it panicked)".into()))?
        .map_err(Unparsed::Bad)?;
    Ok((parsed, cost))
}

fn parse_scanned(bytes: &[u8]) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut rest = bytes;
    if rest.is_empty() {
        return Err("no bytes".into());
    }
    while !rest.is_empty() {
        if rest.len() < 9 || rest[..4] != MAGIC {
            return Err("not an automerge chunk".into());
        }
        let chunk_type = rest[8];
        let (len, n) = leb128(&rest[9..]).ok_or("bad chunk length")?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_add(9 + n))
            .filter(|end| *end <= rest.len())
            .ok_or("chunk is truncated")?;
        let chunk = &rest[..end];
        if chunk_type == DOCUMENT_CHUNK {
            let options = LoadOptions::new()
                .on_partial_load(OnPartialLoad::Error)
                .verification_mode(VerificationMode::Check);
            out.saves.push(Automerge::load_with_options(chunk, options).map_err(|e| e.to_string())?);
        } else {
            let change = Change::try_from(chunk).map_err(|e| e.to_string())?;
            // `Change::try_from` does not verify the chunk's checksum (the
            // first four bytes of the change's hash): without this check a
            // flipped bit in a change is taken as another, valid change.
            if change.hash().0[..4] != chunk[4..8] {
                return Err("change chunk checksum mismatch".into());
            }
            out.changes.push(change);
        }
        rest = &rest[end..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ROOT;
    use automerge::transaction::Transactable;

    fn sample() -> (Automerge, Vec<u8>) {
        let mut doc = Automerge::new();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "a", 1)?;
            Ok(())
        })
        .expect("write");
        let heads = doc.get_heads();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, "b", 2)?;
            Ok(())
        })
        .expect("write");
        let changes = doc.save_after(&heads);
        (doc, changes)
    }

    #[test]
    fn saves_and_changes_parse() {
        let (doc, changes) = sample();
        let (p, _) = parse(&doc.save()).expect("save");
        assert_eq!((p.saves.len(), p.changes.len()), (1, 0));
        let (p, _) = parse(&changes).expect("changes");
        assert_eq!((p.saves.len(), p.changes.len()), (0, 1));
        let both = [doc.save(), changes].concat();
        let (p, _) = parse(&both).expect("both");
        assert_eq!((p.saves.len(), p.changes.len()), (1, 1));
    }

    #[test]
    fn every_truncation_is_refused() {
        let (doc, changes) = sample();
        for bytes in [doc.save(), changes] {
            for cut in 0..bytes.len() {
                assert!(parse(&bytes[..cut]).is_err(), "cut at {cut} accepted");
            }
        }
    }

    #[test]
    fn flipped_bits_in_a_change_are_refused() {
        let (_, changes) = sample();
        for i in 0..changes.len() {
            for bit in 0..8 {
                let mut bad = changes.clone();
                bad[i] ^= 1 << bit;
                assert!(parse(&bad).is_err(), "flip of bit {bit} at {i} accepted");
            }
        }
    }

    #[test]
    fn flipped_bits_are_refused() {
        let (doc, _) = sample();
        let save = doc.save();
        for i in 0..save.len() {
            let mut bad = save.clone();
            bad[i] ^= 0x10;
            if let Ok((p, _)) = parse(&bad) {
                // A flip in a value can still parse only if the checksum
                // happens to match, which the load verifies.
                panic!("flip at {i} accepted: {} saves", p.saves.len());
            }
        }
    }
}
