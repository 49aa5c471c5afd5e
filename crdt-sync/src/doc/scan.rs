//! A bounded look at automerge chunks from a peer, before automerge parses them.
//!
//! automerge inflates a compressed chunk whole, and walks every operation a
//! change's run-length-encoded columns describe, before anything checks how
//! large either is: one megabyte of zeros inflated to gigabytes on the hub,
//! and a few bytes can describe millions of operations. This walk reads the
//! same layouts (`automerge-0.12.0/src/storage/`: chunk headers, change and
//! document chunks, their column metadata, the RLE, delta and boolean column
//! encodings) in work bounded by the input and by the limits in
//! [`crate::doc::limits`]: compressed data is inflated by a streaming
//! decoder that stops at the budget, and operations are counted by summing
//! run lengths, never by materialising them. Whatever is over a limit is
//! [`BytesRefused::TooLarge`]; whatever does not follow the layouts (or
//! fails its checksum) is [`BytesRefused::Malformed`]. Only bytes that pass
//! reach `Change::try_from` or `Automerge::load`.
//!
//! The walk is an upper bound, not a parser: it counts the rows of every
//! column and takes the largest as the operations (or changes) a chunk
//! holds, which is exact for what automerge writes and never less than
//! what automerge would walk.

use std::io::Read;

use sha2::{Digest, Sha256};

use crate::doc::limits::{
    BytesRefused, Cost, MAX_CHANGE_BYTES, MAX_CHANGES_PER_MESSAGE, MAX_INFLATED_PER_MESSAGE,
    MAX_OPS_PER_CHANGE, MAX_OPS_PER_MESSAGE,
};

/// Every automerge chunk starts with these bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// A compacted document save (whose columns may be DEFLATE-compressed).
const DOCUMENT: u8 = 0;
/// One change, uncompressed.
const CHANGE: u8 = 1;
/// One change whose body is DEFLATE-compressed (automerge compresses
/// changes over 256 bytes in `Change::bytes`).
const COMPRESSED_CHANGE: u8 = 2;
/// automerge 0.12's "bundle" of changes: never written by Taccuino nor by
/// automerge's sync (which sends changes' raw bytes or a document save).
const BUNDLE: u8 = 3;

/// The column-spec bit that marks a DEFLATE-compressed column.
const DEFLATE_BIT: u32 = 0b1000;

/// Column types (the low three bits of a column spec).
const GROUP: u32 = 0;
const ACTOR: u32 = 1;
const INTEGER: u32 = 2;
const DELTA: u32 = 3;
const BOOLEAN: u32 = 4;
const STRING: u32 = 5;
const VALUE_METADATA: u32 = 6;
const VALUE: u32 = 7;

fn malformed(what: &str) -> BytesRefused {
    BytesRefused::Malformed(what.to_string())
}

fn too_large(what: String) -> BytesRefused {
    BytesRefused::TooLarge(what)
}

type Scan<T> = Result<T, BytesRefused>;

/// A cursor over bytes that never reads past its end.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(rest: &'a [u8]) -> Self {
        Reader { rest }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// An unsigned LEB128 of at most ten bytes.
    fn uleb(&mut self) -> Scan<u64> {
        let mut value = 0u64;
        for (i, b) in self.rest.iter().take(10).enumerate() {
            let bits = u64::from(b & 0x7f);
            if i == 9 && bits > 1 {
                return Err(malformed("a LEB128 number overflows 64 bits"));
            }
            value |= bits << (7 * i);
            if b & 0x80 == 0 {
                self.rest = &self.rest[i + 1..];
                return Ok(value);
            }
        }
        Err(malformed("a LEB128 number is truncated or too long"))
    }

    /// A signed LEB128 of at most ten bytes.
    fn sleb(&mut self) -> Scan<i64> {
        let mut value = 0i64;
        for (i, b) in self.rest.iter().take(10).enumerate() {
            value |= i64::from(b & 0x7f).wrapping_shl(7 * i as u32);
            if b & 0x80 == 0 {
                if i < 9 && b & 0x40 != 0 {
                    value |= -1i64 << (7 * (i + 1));
                }
                self.rest = &self.rest[i + 1..];
                return Ok(value);
            }
        }
        Err(malformed("a LEB128 number is truncated or too long"))
    }

    fn take(&mut self, n: u64) -> Scan<&'a [u8]> {
        let n = usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.rest.len())
            .ok_or_else(|| malformed("truncated"))?;
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    /// Bytes prefixed by their length (an actor id, a message, a string).
    fn prefixed(&mut self) -> Scan<&'a [u8]> {
        let n = self.uleb()?;
        self.take(n)
    }

    /// A count of items each at least `min` bytes long, checked against
    /// what is left so a huge count fails before anything loops over it.
    fn count(&mut self, min: usize) -> Scan<u64> {
        let n = self.uleb()?;
        if n.saturating_mul(min as u64) > self.rest.len() as u64 {
            return Err(malformed("a count larger than its bytes"));
        }
        Ok(n)
    }
}

/// One column's spec and data length, as its chunk's metadata lists them.
#[derive(Clone, Copy)]
struct Column {
    spec: u32,
    len: u64,
}

impl Column {
    fn deflated(self) -> bool {
        self.spec & DEFLATE_BIT != 0
    }
}

fn columns(r: &mut Reader<'_>) -> Scan<Vec<Column>> {
    let n = r.count(2)?;
    (0..n)
        .map(|_| {
            let spec = u32::try_from(r.uleb()?).map_err(|_| malformed("a column spec over 32 bits"))?;
            Ok(Column { spec, len: r.uleb()? })
        })
        .collect()
}

/// The most rows column `data` of type `spec` describes, stopping early
/// once over `cap` (the caller refuses it then). Each step consumes at
/// least one byte, so the work is bounded by the column's length.
fn rows(spec: u32, data: &[u8], cap: u64) -> Scan<u64> {
    let mut r = Reader::new(data);
    let mut rows = 0u64;
    match spec & 0b111 {
        VALUE => return Ok(0),
        BOOLEAN => {
            while !r.is_empty() && rows <= cap {
                rows = rows.saturating_add(r.uleb()?);
            }
        }
        kind @ (GROUP | ACTOR | INTEGER | DELTA | STRING | VALUE_METADATA) => {
            // Runs: a positive count and one value; a negative count and
            // that many values (a literal run); zero and a count of nulls.
            let value = |r: &mut Reader<'_>| -> Scan<()> {
                match kind {
                    STRING => r.prefixed().map(drop),
                    DELTA => r.sleb().map(drop),
                    _ => r.uleb().map(drop),
                }
            };
            while !r.is_empty() && rows <= cap {
                let count = r.sleb()?;
                if count > 0 {
                    value(&mut r)?;
                    rows = rows.saturating_add(count.unsigned_abs());
                } else if count < 0 {
                    let n = count.unsigned_abs();
                    let mut read = 0u64;
                    while read < n && rows <= cap {
                        value(&mut r)?;
                        read += 1;
                        rows += 1;
                    }
                } else {
                    rows = rows.saturating_add(r.uleb()?);
                }
            }
        }
        _ => return Err(malformed("an unknown column type")),
    }
    Ok(rows)
}

/// The most rows of any of `cols`, whose data is `data` in order.
fn most_rows(cols: &[Column], data: &[u8], cap: u64) -> Scan<u64> {
    let mut r = Reader::new(data);
    let mut most = 0u64;
    for c in cols {
        let bytes = r.take(c.len)?;
        most = most.max(rows(c.spec, bytes, cap)?);
        if most > cap {
            break;
        }
    }
    Ok(most)
}

/// Inflates raw DEFLATE `data`, refusing more than `cap` bytes out. The
/// decoder is the one automerge uses (`flate2`'s `bufread` decoder), so the
/// bytes are the ones automerge would see; it streams, so a bomb costs at
/// most `cap` bytes of memory and the time to produce them.
fn inflate(data: &[u8], cap: u64, what: &str) -> Scan<Vec<u8>> {
    let mut out = Vec::new();
    flate2::bufread::DeflateDecoder::new(data)
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| malformed("compressed data that does not inflate"))?;
    if out.len() as u64 > cap {
        return Err(too_large(format!("{what} inflates to more than {cap} bytes")));
    }
    Ok(out)
}

/// SHA-256 over a chunk's type, its data's length and its data: for a
/// change, its hash.
fn digest(chunk_type: u8, data: &[u8]) -> [u8; 32] {
    let mut len = Vec::with_capacity(10);
    let mut n = data.len() as u64;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            len.push(byte);
            break;
        }
        len.push(byte | 0x80);
    }
    let mut h = Sha256::new();
    h.update([chunk_type]);
    h.update(&len);
    h.update(data);
    h.finalize().into()
}

/// The first four bytes of [`digest`]: the chunk's checksum.
fn checksum(chunk_type: u8, data: &[u8]) -> [u8; 4] {
    let d = digest(chunk_type, data);
    [d[0], d[1], d[2], d[3]]
}

/// The hash and the dependencies of an uncompressed change chunk (what an
/// honest sync message carries), read from its bytes alone, without
/// automerge parsing it: enough to tell, before parsing, which changes
/// would wait for a change nobody sent (`Store::check_would_wait`). `None`
/// for any other chunk, and for bytes the scan refuses.
pub(crate) fn change_links(chunk: &[u8]) -> Option<(automerge::ChangeHash, Vec<automerge::ChangeHash>)> {
    let mut r = Reader::new(chunk);
    if r.take(4).ok()? != MAGIC {
        return None;
    }
    r.take(4).ok()?;
    if r.take(1).ok()?[0] != CHANGE {
        return None;
    }
    let len = r.uleb().ok()?;
    let data = r.take(len).ok()?;
    let hash = automerge::ChangeHash(digest(CHANGE, data));
    let mut body = Reader::new(data);
    let n = body.count(32).ok()?;
    let deps = body.take(n * 32).ok()?;
    let deps =
        deps.chunks_exact(32).map(|d| d.try_into().ok().map(automerge::ChangeHash)).collect::<Option<_>>()?;
    Some((hash, deps))
}

/// What one change body (after its header, inflated) holds; refuses a body
/// with compressed columns (automerge does) or over the change limits.
fn change_body(body: &[u8], cost: &mut Cost) -> Scan<()> {
    let mut r = Reader::new(body);
    let deps = r.count(32)?;
    r.take(deps * 32)?;
    r.prefixed()?; // actor
    r.uleb()?; // seq
    if r.uleb()? == 0 {
        return Err(malformed("a change starting at operation 0"));
    }
    r.sleb()?; // time
    r.prefixed()?; // message
    let others = r.count(1)?;
    for _ in 0..others {
        r.prefixed()?;
    }
    let cols = columns(&mut r)?;
    if cols.iter().any(|c| c.deflated()) {
        return Err(malformed("a change with compressed columns"));
    }
    let total =
        cols.iter().try_fold(0u64, |t, c| t.checked_add(c.len)).ok_or_else(|| malformed("column lengths"))?;
    let data = r.take(total)?;
    let ops = most_rows(&cols, data, MAX_OPS_PER_CHANGE)?;
    if ops > MAX_OPS_PER_CHANGE {
        return Err(too_large(format!("a change with more than {MAX_OPS_PER_CHANGE} operations")));
    }
    cost.changes += 1;
    cost.ops += ops;
    Ok(())
}

/// A document chunk's body: actors, heads, the change and op column
/// metadata, their data (columns possibly DEFLATE-compressed), then the
/// heads' indices. Changes are the rows of its change columns, operations
/// the rows of its op columns.
fn document_body(body: &[u8], cost: &mut Cost, budget: u64) -> Scan<u64> {
    let mut r = Reader::new(body);
    let actors = r.count(1)?;
    for _ in 0..actors {
        r.prefixed()?;
    }
    let heads = r.count(32)?;
    r.take(heads * 32)?;
    let change_cols = columns(&mut r)?;
    let op_cols = columns(&mut r)?;
    let mut inflated = body.len() as u64;
    let mut section = |cols: &[Column], cap: u64| -> Scan<u64> {
        let mut most = 0u64;
        for c in cols {
            let data = r.take(c.len)?;
            let n = if c.deflated() {
                let left = budget.saturating_sub(inflated);
                let plain = inflate(data, left, "a document's column")?;
                inflated = inflated - c.len + plain.len() as u64;
                rows(c.spec, &plain, cap)?
            } else {
                rows(c.spec, data, cap)?
            };
            most = most.max(n);
            if most > cap {
                break;
            }
        }
        Ok(most)
    };
    let changes = section(&change_cols, MAX_CHANGES_PER_MESSAGE)?;
    if changes > MAX_CHANGES_PER_MESSAGE {
        return Err(too_large(format!("a document of more than {MAX_CHANGES_PER_MESSAGE} changes")));
    }
    let ops = section(&op_cols, MAX_OPS_PER_MESSAGE)?;
    if ops > MAX_OPS_PER_MESSAGE {
        return Err(too_large(format!("a document of more than {MAX_OPS_PER_MESSAGE} operations")));
    }
    for _ in 0..heads {
        if r.is_empty() {
            break; // older saves carry no head indices
        }
        r.uleb()?;
    }
    cost.changes += changes;
    cost.ops += ops;
    Ok(inflated)
}

/// Scans one chunk at the start of `input`, adding what it holds to `cost`;
/// returns the chunk's length in `input`.
fn chunk(input: &[u8], cost: &mut Cost) -> Scan<usize> {
    let mut r = Reader::new(input);
    if r.take(4)? != MAGIC {
        return Err(malformed("not an automerge chunk"));
    }
    let sum = r.take(4)?;
    let chunk_type = r.take(1)?[0];
    let len = r.uleb()?;
    let data = r.take(len).map_err(|_| malformed("the chunk is truncated"))?;
    let end = input.len() - r.rest.len();
    let budget = MAX_INFLATED_PER_MESSAGE.saturating_sub(cost.inflated_bytes);
    let inflated = match chunk_type {
        DOCUMENT | CHANGE if checksum(chunk_type, data) != sum => {
            return Err(malformed("the chunk's checksum does not match"));
        }
        DOCUMENT => document_body(data, cost, budget)?,
        CHANGE => {
            if end as u64 > MAX_CHANGE_BYTES {
                return Err(too_large(format!("a change of more than {MAX_CHANGE_BYTES} bytes")));
            }
            change_body(data, cost)?;
            end as u64
        }
        COMPRESSED_CHANGE => {
            let body = inflate(data, budget.min(MAX_CHANGE_BYTES), "a compressed change")?;
            // The checksum is the inflated change's: automerge checks it
            // only after inflating, this walk too (within the budget).
            if checksum(CHANGE, &body) != sum {
                return Err(malformed("the chunk's checksum does not match"));
            }
            change_body(&body, cost)?;
            body.len() as u64
        }
        BUNDLE => return Err(malformed("an automerge bundle chunk, which Taccuino's sync never sends")),
        other => return Err(malformed(&format!("an unknown chunk type {other}"))),
    };
    cost.inflated_bytes = cost.inflated_bytes.saturating_add(inflated);
    Ok(end)
}

/// Scans `bytes`, one or more chunks back to back (a save, changes, or a
/// bundle's document), adding to `cost` and checking the per-message limits
/// on the running total; `cost` is meaningful only when this returns `Ok`.
pub(crate) fn scan_into(bytes: &[u8], cost: &mut Cost) -> Scan<()> {
    if bytes.is_empty() {
        return Err(malformed("no bytes"));
    }
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = chunk(rest, cost)?;
        rest = &rest[n..];
        cost.check()?;
    }
    Ok(())
}

/// [`scan_into`] from nothing: what `bytes` costs, or why they are refused.
pub(crate) fn scan(bytes: &[u8]) -> Scan<Cost> {
    let mut cost = Cost::default();
    scan_into(bytes, &mut cost)?;
    Ok(cost)
}
