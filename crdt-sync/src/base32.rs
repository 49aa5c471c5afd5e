//! Crockford's base32, for keys people copy by hand (the coordinator's
//! recovery key, the exports' pseudonym key): no I, L, O or U, and on reading `O` is taken for `0`, `I` and `L` for `1`, in
//! either case.

use zeroize::Zeroizing;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of characters encoding `bytes` bytes.
pub const fn encoded_len(bytes: usize) -> usize {
    (bytes * 8).div_ceil(5)
}

/// Appends `bytes`, encoded in upper case, to `out`. `out` should have room
/// for [`encoded_len`] more characters, so that it does not reallocate and
/// leave a copy of a secret behind.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    let mut buffer: u16 = 0;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u16::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[usize::from((buffer >> bits) & 0x1f)]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[usize::from((buffer << (5 - bits)) & 0x1f)]));
    }
}

/// Decodes exactly `N` bytes from `text`, skipping `-` and whitespace.
/// Refuses other characters, the wrong length, and non-zero padding bits
/// (so each value has one encoding).
pub fn decode<const N: usize>(text: &str) -> Result<Zeroizing<[u8; N]>, &'static str> {
    let mut out = Zeroizing::new([0u8; N]);
    let mut buffer: u16 = 0;
    let mut bits = 0u32;
    let mut written = 0usize;
    for c in text.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
        let value = value_of(c).ok_or("a character that is not in the alphabet")?;
        buffer = (buffer << 5) | u16::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            let slot = out.get_mut(written).ok_or("too long")?;
            // The low 8 bits after the shift: the truncation is the point.
            *slot = (buffer >> bits) as u8;
            written += 1;
            buffer &= (1 << bits) - 1;
        }
    }
    if written != N {
        return Err(if written < N { "too short" } else { "too long" });
    }
    if bits >= 5 {
        return Err("too long");
    }
    if buffer != 0 {
        return Err("not a canonical encoding");
    }
    Ok(out)
}

fn value_of(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET.iter().position(|&a| char::from(a) == c).and_then(|i| u8::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn base32_round_trips_and_is_canonical() {
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let mut text = String::new();
            super::encode_into(&bytes, &mut text);
            assert_eq!(text.len(), super::encoded_len(len));
            if len == 35 {
                assert_eq!(super::decode::<35>(&text).expect("decode").as_slice(), bytes.as_slice());
            }
        }
        // 32 bytes leave 4 padding bits, which must be zero.
        let mut text = String::new();
        super::encode_into(&[0xff; 32], &mut text);
        assert!(super::decode::<32>(&text).is_ok());
        let mut bad = text.clone();
        bad.pop();
        bad.push('Z');
        assert_eq!(super::decode::<32>(&bad).expect_err("should fail"), "not a canonical encoding");
    }
}
