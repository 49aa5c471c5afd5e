//! Automerge chunks built or rewritten byte by byte, as a buggy or modified
//! peer can: inflation bombs, run-length columns that claim more operations
//! than their bytes carry, changes that depend on changes never sent.
//!
//! Layout: magic `85 6f 4a 83`, a 4-byte checksum (the first bytes of
//! SHA-256 over what follows it), a type byte ([`DOCUMENT`], [`CHANGE`],
//! [`COMPRESSED`]), a LEB128 length, the data. See
//! <https://alexjg.github.io/automerge-storage-docs/>.
//!
//! The builders panic on bytes that are not what they expect: they are for
//! tests, which build their input from automerge's own output.

use flate2::{Compress, Compression, FlushCompress};
use sha2::{Digest, Sha256};

/// Every automerge chunk starts with these bytes.
pub const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The type byte of a document chunk (a save).
pub const DOCUMENT: u8 = 0;
/// The type byte of an uncompressed change chunk.
pub const CHANGE: u8 = 1;
/// The type byte of a compressed change chunk (its data is raw DEFLATE).
pub const COMPRESSED: u8 = 2;
/// The bit of a column specification that says its data is DEFLATE-compressed.
pub const DEFLATE_BIT: u64 = 0b1000;

/// Appends `n` as unsigned LEB128.
pub fn uleb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Appends `n` as signed LEB128.
pub fn sleb(out: &mut Vec<u8>, mut n: i64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if (n == 0 && b & 0x40 == 0) || (n == -1 && b & 0x40 != 0) {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Reads an unsigned LEB128 at `*at`, moving past it.
pub fn read_uleb(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    for i in 0..10 {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return v;
        }
    }
    panic!("a LEB128 longer than 10 bytes");
}

/// Reads a signed LEB128 at `*at`, moving past it.
pub fn read_sleb(bytes: &[u8], at: &mut usize) -> i64 {
    let mut v = 0i64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= i64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            if shift < 64 && b & 0x40 != 0 {
                v |= -1 << shift;
            }
            return v;
        }
    }
}

/// A chunk of `chunk_type` around `data`, with the checksum automerge
/// computes over `checksum_type` and `checksum_data` (the type and data of
/// the uncompressed chunk, for a compressed change). Tests that want a
/// checksum that does not match pass other bytes.
pub fn chunk_with(chunk_type: u8, data: &[u8], checksum_type: u8, checksum_data: &[u8]) -> Vec<u8> {
    let mut len = Vec::new();
    uleb(&mut len, checksum_data.len() as u64);
    let mut h = Sha256::new();
    h.update([checksum_type]);
    h.update(&len);
    h.update(checksum_data);
    let sum = h.finalize();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&sum[..4]);
    out.push(chunk_type);
    uleb(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    out
}

/// A chunk of `chunk_type` around `data`, with the checksum of its own type
/// and data (what a peer computes for a document or an uncompressed change).
pub fn chunk(chunk_type: u8, data: &[u8]) -> Vec<u8> {
    chunk_with(chunk_type, data, chunk_type, data)
}

/// Gives `bytes`, if they start with [`MAGIC`], the checksum that matches
/// everything after it (the whole rest, one chunk or not), in place: what a
/// buggy or hostile peer could send, so the bytes get past the checksum.
pub fn forge_checksum(bytes: &mut [u8]) {
    if bytes.len() > 8 && bytes[..4] == MAGIC {
        let hash = Sha256::digest(&bytes[8..]);
        bytes[4..8].copy_from_slice(&hash[..4]);
    }
}

/// A compressed change chunk whose DEFLATE data is `deflate`, its checksum
/// taken over those bytes as they are.
pub fn compressed_change(deflate: &[u8]) -> Vec<u8> {
    chunk(COMPRESSED, deflate)
}

/// Splits one whole chunk into its type and data.
///
/// # Panics
/// If `chunk` is not exactly one chunk.
pub fn split(chunk: &[u8]) -> (u8, &[u8]) {
    assert_eq!(chunk[..4], MAGIC, "an automerge chunk");
    let mut at = 9;
    let len = read_uleb(chunk, &mut at) as usize;
    assert_eq!(at + len, chunk.len(), "one chunk");
    (chunk[8], &chunk[at..])
}

/// The data of the chunk `bytes` starts with, as far as its length reaches,
/// whatever its magic and checksum: `None` where the length is cut or runs
/// past the end. For re-framing mutated chunks.
pub fn data_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut len = 0usize;
    for (i, b) in bytes.get(9..)?.iter().take(9).enumerate() {
        len |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let start = 10 + i;
            return bytes.get(start..start.checked_add(len)?).map(<[u8]>::to_vec);
        }
    }
    None
}

/// A change body (the data of a [`CHANGE`] chunk): no dependencies, actor
/// `07` x 16, sequence 1, start op 1, time 0, no message, no other actors,
/// and the given operation columns `(spec, data)`.
pub fn change_body(columns: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut b = Vec::new();
    uleb(&mut b, 0); // deps
    uleb(&mut b, 16);
    b.extend_from_slice(&[7; 16]); // actor
    uleb(&mut b, 1); // seq
    uleb(&mut b, 1); // start op
    sleb(&mut b, 0); // time
    uleb(&mut b, 0); // message
    uleb(&mut b, 0); // other actors
    uleb(&mut b, columns.len() as u64);
    for (spec, data) in columns {
        uleb(&mut b, u64::from(*spec));
        uleb(&mut b, data.len() as u64);
    }
    for (_, data) in columns {
        b.extend_from_slice(data);
    }
    b
}

/// Raw DEFLATE that inflates to at least `inflated` zeros and is about
/// `compressed` bytes long (whichever comes first): one flushed block of a
/// mebibyte of zeros, repeated (a full flush makes each copy stand alone),
/// then an empty final block. About a thousandfold: `zeros_bomb(len,
/// u64::MAX)` of 16 MiB inflates to about 16 GiB.
pub fn zeros_bomb(compressed: usize, inflated: u64) -> Vec<u8> {
    let block = {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(4096);
        c.compress_vec(&vec![0u8; 1 << 20], &mut out, FlushCompress::Full).expect("compress");
        out
    };
    let end = {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(64);
        c.compress_vec(&[], &mut out, FlushCompress::Finish).expect("finish");
        out
    };
    let copies =
        (compressed / block.len()).clamp(1, usize::try_from(inflated >> 20).unwrap_or(usize::MAX) + 1);
    let mut out = Vec::with_capacity(copies * block.len() + end.len());
    for _ in 0..copies {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&end);
    out
}

/// How many bytes the raw DEFLATE `deflate` inflates to, counted a mebibyte
/// at a time (a bomb at the frame limit inflates to gigabytes).
pub fn inflated_size(deflate: &[u8]) -> u64 {
    let mut d = flate2::Decompress::new(false);
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0u64;
    let mut input = deflate;
    loop {
        let before_in = d.total_in();
        let before_out = d.total_out();
        let status = d.decompress(input, &mut sink, flate2::FlushDecompress::None).expect("inflate");
        input = &input[(d.total_in() - before_in) as usize..];
        total += d.total_out() - before_out;
        if status == flate2::Status::StreamEnd || (input.is_empty() && d.total_out() == before_out) {
            return total;
        }
    }
}

/// A document chunk with no actors, heads or change columns and one
/// operation column (id 2, integer) whose data is `deflate`, marked
/// compressed: reading the document inflates it.
pub fn document_with_one_deflated_column(deflate: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    uleb(&mut body, 0); // actors
    uleb(&mut body, 0); // heads
    uleb(&mut body, 0); // change columns
    uleb(&mut body, 1); // op columns
    uleb(&mut body, (2 << 4) | DEFLATE_BIT | 2);
    uleb(&mut body, deflate.len() as u64);
    body.extend_from_slice(deflate);
    chunk(DOCUMENT, &body)
}

/// Column metadata: `(spec, length)` pairs after their count.
fn read_columns(data: &[u8], at: &mut usize) -> Vec<(u64, u64)> {
    let n = read_uleb(data, at);
    (0..n).map(|_| (read_uleb(data, at), read_uleb(data, at))).collect()
}

fn write_columns(out: &mut Vec<u8>, cols: &[(u64, u64)]) {
    uleb(out, cols.len() as u64);
    for (spec, len) in cols {
        uleb(out, *spec);
        uleb(out, *len);
    }
}

/// `save` (a document chunk) with its last operation column replaced by
/// `deflate`, marked compressed: loading it inflates that column first.
pub fn document_with_deflated_column(save: &[u8], deflate: &[u8]) -> Vec<u8> {
    let (kind, data) = split(save);
    assert_eq!(kind, DOCUMENT, "a document chunk");
    let mut at = 0;
    for _ in 0..read_uleb(data, &mut at) {
        let len = read_uleb(data, &mut at) as usize;
        at += len; // an actor id
    }
    at += 32 * read_uleb(data, &mut at) as usize; // the heads
    let prefix_end_before_meta = at;
    let change_cols = read_columns(data, &mut at);
    let mut ops_cols = read_columns(data, &mut at);
    let change_len: u64 = change_cols.iter().map(|c| c.1).sum();
    let ops_len: u64 = ops_cols.iter().map(|c| c.1).sum();
    let change_data = &data[at..at + change_len as usize];
    let ops_start = at + change_len as usize;
    let ops_data = &data[ops_start..ops_start + ops_len as usize];
    let suffix = &data[ops_start + ops_len as usize..];
    let last = ops_cols.last_mut().expect("operation columns");
    let kept = (ops_len - last.1) as usize;
    *last = (last.0 | DEFLATE_BIT, deflate.len() as u64);

    let mut out = data[..prefix_end_before_meta].to_vec();
    write_columns(&mut out, &change_cols);
    write_columns(&mut out, &ops_cols);
    out.extend_from_slice(change_data);
    out.extend_from_slice(&ops_data[..kept]);
    out.extend_from_slice(deflate);
    out.extend_from_slice(suffix);
    chunk(DOCUMENT, &out)
}

/// The change chunk `change` depending on `deps` instead of its own
/// dependencies, with sequence number `seq`: a change the receiver cannot
/// apply until it has changes that were never sent. (automerge refuses two
/// changes of one author with one sequence number, so a flood numbers its
/// changes.)
pub fn with_deps(change: &[u8], deps: &[[u8; 32]], seq: u64) -> Vec<u8> {
    let (kind, data) = split(change);
    assert_eq!(kind, CHANGE, "an uncompressed change chunk");
    let mut at = 0;
    at += 32 * read_uleb(data, &mut at) as usize;
    let actor_start = at;
    let actor_len = read_uleb(data, &mut at) as usize;
    at += actor_len;
    let actor = &data[actor_start..at];
    read_uleb(data, &mut at); // the old sequence number
    let mut out = Vec::with_capacity(data.len() + 32 * deps.len());
    uleb(&mut out, deps.len() as u64);
    for d in deps {
        out.extend_from_slice(d);
    }
    out.extend_from_slice(actor);
    uleb(&mut out, seq);
    out.extend_from_slice(&data[at..]);
    chunk(CHANGE, &out)
}

/// The column types of the format (the low 3 bits of a specification).
const GROUP: u64 = 0;
const BOOLEAN: u64 = 4;
const STRING: u64 = 5;
const VALUE: u64 = 7;

/// Rewrites one RLE-family column so that its longest run is `extra`
/// values longer. Runs: a signed count, then one value (count > 0), the
/// literal values (count < 0) or, for count 0, the number of nulls.
fn lengthen_rle(col: &[u8], ty: u64, extra: u64) -> Vec<u8> {
    let value = |at: &mut usize| match ty {
        STRING => {
            let len = read_uleb(col, at) as usize;
            *at += len;
        }
        3 => {
            read_sleb(col, at);
        }
        _ => {
            read_uleb(col, at);
        }
    };
    // (start, end, kind, count): kind 0 = null run, 1 = repeated value, 2 = literals.
    let mut runs = Vec::new();
    let mut at = 0;
    while at < col.len() {
        let start = at;
        let count = read_sleb(col, &mut at);
        let (kind, n) = match count {
            0 => (0, read_uleb(col, &mut at)),
            c if c > 0 => {
                value(&mut at);
                (1, c as u64)
            }
            c => {
                for _ in 0..-c {
                    value(&mut at);
                }
                (2, 0)
            }
        };
        runs.push((start, at, kind, n));
    }
    let longest = runs.iter().enumerate().filter(|(_, r)| r.2 != 2).max_by_key(|(_, r)| r.3).map(|(i, _)| i);
    let Some(i) = longest else { return col.to_vec() };
    let (start, end, kind, n) = runs[i];
    let mut out = col[..start].to_vec();
    let mut at = start;
    read_sleb(col, &mut at);
    if kind == 0 {
        sleb(&mut out, 0);
        uleb(&mut out, n + extra);
    } else {
        sleb(&mut out, (n + extra) as i64);
        out.extend_from_slice(&col[at..end]);
    }
    out.extend_from_slice(&col[end..]);
    out
}

/// A boolean column is alternating run lengths (false first): the longest
/// grows by `extra`.
fn lengthen_boolean(col: &[u8], extra: u64) -> Vec<u8> {
    let mut at = 0;
    let mut runs = Vec::new();
    while at < col.len() {
        runs.push(read_uleb(col, &mut at));
    }
    if let Some(max) = runs.iter_mut().max() {
        *max += extra;
    }
    let mut out = Vec::new();
    for r in runs {
        uleb(&mut out, r);
    }
    out
}

/// The change chunk `change` (uncompressed, whose operations are all alike,
/// such as many puts of null) rewritten to claim `extra` more operations:
/// every operation column's longest run grows by `extra`, which costs a few
/// bytes. Dependencies, actor, sequence number and the rest stay as they
/// were.
pub fn claim_more_ops(change: &[u8], extra: u64) -> Vec<u8> {
    let (kind, data) = split(change);
    assert_eq!(kind, CHANGE, "an uncompressed change chunk");
    let mut at = 0;
    at += 32 * read_uleb(data, &mut at) as usize; // deps
    let actor_len = read_uleb(data, &mut at) as usize;
    at += actor_len;
    read_uleb(data, &mut at); // seq
    read_uleb(data, &mut at); // start op
    read_sleb(data, &mut at); // time
    let message_len = read_uleb(data, &mut at) as usize;
    at += message_len;
    for _ in 0..read_uleb(data, &mut at) {
        let len = read_uleb(data, &mut at) as usize;
        at += len; // other actors
    }
    let header_end = at;
    let mut cols = read_columns(data, &mut at);
    let mut body = Vec::new();
    let mut new_data = Vec::new();
    for (spec, len) in cols.iter_mut() {
        let col = &data[at..at + *len as usize];
        at += *len as usize;
        assert_eq!(*spec & DEFLATE_BIT, 0, "uncompressed columns");
        let grown = match *spec & 0b111 {
            BOOLEAN => lengthen_boolean(col, extra),
            VALUE => col.to_vec(), // raw values: nulls take none
            ty @ (GROUP | 1 | 2 | 3 | STRING | 6) => lengthen_rle(col, ty, extra),
            _ => col.to_vec(),
        };
        *len = grown.len() as u64;
        new_data.extend(grown);
    }
    let extra_bytes = &data[at..];
    body.extend_from_slice(&data[..header_end]);
    write_columns(&mut body, &cols);
    body.extend(new_data);
    body.extend_from_slice(extra_bytes);
    chunk(CHANGE, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moved from the hub's insider suite, whose bombs were then built by a
    /// twin of `zeros_bomb` (a sync flush instead of a full one).
    #[test]
    fn the_zeros_stream_inflates_a_thousandfold() {
        let d = zeros_bomb(64 * 1024, u64::MAX);
        assert!(d.len() <= 64 * 1024);
        let n = inflated_size(&d);
        assert!(n > 500 * d.len() as u64, "{n} from {}", d.len());
    }

    /// The two ways of building a chunk agree: `chunk` is `chunk_with` its
    /// own type and data, and its checksum is SHA-256 over what follows it
    /// (how the hub's insider suite computed it).
    #[test]
    fn chunk_checksums_cover_type_length_and_data() {
        let data = vec![9u8; 300];
        let c = chunk(CHANGE, &data);
        let hash = Sha256::digest(&c[8..]);
        assert_eq!(c[4..8], hash[..4]);
        assert_eq!(split(&c), (CHANGE, &data[..]));
        assert_eq!(data_of(&c), Some(data.clone()));
        let mut forged = c.clone();
        forged[4..8].copy_from_slice(&[0; 4]);
        forge_checksum(&mut forged);
        assert_eq!(forged, c);
    }

    #[test]
    fn leb128_round_trips() {
        for n in [0u64, 1, 127, 128, 300, u64::MAX] {
            let mut out = Vec::new();
            uleb(&mut out, n);
            assert_eq!(read_uleb(&out, &mut 0), n);
        }
        for n in [0i64, -1, 63, -64, 64, -65, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            sleb(&mut out, n);
            assert_eq!(read_sleb(&out, &mut 0), n, "{n}");
        }
    }
}
