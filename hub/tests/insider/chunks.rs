//! Automerge chunks built or rewritten byte by byte, as modified software
//! can: inflation bombs, op counts that the bytes do not carry, changes
//! that depend on changes never sent. Layout: magic `85 6f 4a 83`, 4-byte
//! checksum (the first bytes of SHA-256 over what follows it), a type byte
//! (0 document, 1 change, 2 compressed change), a LEB128 length, the data.
//! See <https://alexjg.github.io/automerge-storage-docs/>.

use flate2::{Compress, Compression, FlushCompress};
use sha2::{Digest, Sha256};

/// Every automerge chunk starts with these bytes.
pub(crate) const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED: u8 = 2;
/// The bit of a column specification that says its data is DEFLATE-compressed.
const DEFLATE_BIT: u64 = 0b1000;

pub(crate) fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Reads an unsigned LEB128 at `*at`, moving past it.
fn read_uleb(bytes: &[u8], at: &mut usize) -> u64 {
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
fn read_sleb(bytes: &[u8], at: &mut usize) -> i64 {
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

fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0) {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// A chunk of `kind` around `data`, with the checksum a peer computes.
pub(crate) fn chunk(kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend([0; 4]);
    out.push(kind);
    uleb(&mut out, data.len() as u64);
    out.extend_from_slice(data);
    let hash = Sha256::digest(&out[8..]);
    out[4..8].copy_from_slice(&hash[..4]);
    out
}

/// Splits a chunk into its type and data.
fn split(chunk: &[u8]) -> (u8, &[u8]) {
    assert_eq!(chunk[..4], MAGIC, "an automerge chunk");
    let mut at = 9;
    let len = read_uleb(chunk, &mut at) as usize;
    assert_eq!(at + len, chunk.len(), "one chunk");
    (chunk[8], &chunk[at..])
}

/// A raw DEFLATE stream of about `len` bytes that inflates to zeros, about
/// a thousand times `len`. Built from one block compressing 1 MiB of zeros,
/// byte-aligned by a sync flush, repeated: each copy refers only to the
/// zeros before it, so any number of copies is a valid stream.
pub(crate) fn deflate_zeros(len: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let mut segment = |input: &[u8], flush| {
        let mut out = Vec::with_capacity(64 * 1024);
        let before = c.total_in();
        c.compress_vec(input, &mut out, flush).expect("deflate");
        assert_eq!((c.total_in() - before) as usize, input.len(), "all input taken");
        out
    };
    let first = segment(&zeros, FlushCompress::Sync);
    let repeat = segment(&zeros, FlushCompress::Sync);
    let last = segment(&[], FlushCompress::Finish);
    let mut out = first;
    while out.len() + repeat.len() + last.len() <= len {
        out.extend_from_slice(&repeat);
    }
    out.extend_from_slice(&last);
    out
}

/// How many bytes `deflate_zeros(len)` inflates to, about.
pub(crate) fn inflated_size(deflate: &[u8]) -> u64 {
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

/// A compressed change chunk (type 2) whose DEFLATE data is `deflate`.
pub(crate) fn compressed_change(deflate: &[u8]) -> Vec<u8> {
    chunk(COMPRESSED, deflate)
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
pub(crate) fn document_with_deflated_column(save: &[u8], deflate: &[u8]) -> Vec<u8> {
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
pub(crate) fn with_deps(change: &[u8], deps: &[[u8; 32]], seq: u64) -> Vec<u8> {
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
pub(crate) fn claim_more_ops(change: &[u8], extra: u64) -> Vec<u8> {
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

    #[test]
    fn the_zeros_stream_inflates_a_thousandfold() {
        let d = deflate_zeros(64 * 1024);
        assert!(d.len() <= 64 * 1024);
        let n = inflated_size(&d);
        assert!(n > 500 * d.len() as u64, "{n} from {}", d.len());
    }
}
