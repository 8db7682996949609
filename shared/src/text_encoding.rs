//! Base32 (RFC 4648 alphabet) for keys and JWT ids, base64url (no padding) for JWT segments.
//!
//! Written here, not taken from a general codec crate: those are generic over every bit width
//! and cost the web app ~50 KB of wasm. Behaviour is pinned by tests against the references.

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Go's `StdEncoding`: what JetStream's JSON uses for message payloads and headers.
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const INVALID: u8 = 0xff;

/// Why a text did not decode; `position` is the input byte the decoder stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    pub position: usize,
    pub kind: DecodeErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// No whole number of bytes fits the length (`position` = longest valid prefix).
    Length,
    /// A character outside the alphabet.
    Symbol,
    /// Bits after the last whole byte are not zero (base64url only).
    TrailingBits,
}

const fn reverse(alphabet: &[u8]) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}
static BASE32_VALUES: [u8; 256] = reverse(BASE32);
static BASE64URL_VALUES: [u8; 256] = reverse(BASE64URL);
static BASE64_VALUES: [u8; 256] = reverse(BASE64);

/// Packs `bytes` into `BITS`-wide symbols, most significant first, zero-filling the last one.
/// `N` = 2^BITS: indexing the alphabet with a masked value then needs no bounds check.
fn encode_into<const BITS: u32, const N: usize>(
    bytes: &[u8],
    alphabet: &[u8; N],
    out: &mut String,
) {
    let mask = N as u64 - 1;
    let mut text = vec![0u8; (bytes.len() * 8).div_ceil(BITS as usize)];
    // whole groups first (3 bytes = 4 base64 symbols, 5 bytes = 8 base32 symbols): JWT
    // encoding spends its time here
    let group = if BITS == 6 { 3 } else { 5 };
    let symbols = group * 8 / BITS as usize;
    let mut groups = bytes.chunks_exact(group);
    let mut at = 0;
    for (chunk, slots) in (&mut groups).zip(text.chunks_exact_mut(symbols)) {
        let acc = chunk.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
        for (i, slot) in slots.iter_mut().enumerate() {
            let shift = (symbols - 1 - i) as u32 * BITS;
            *slot = alphabet[((acc >> shift) & mask) as usize];
        }
        at += symbols;
    }
    let mut acc = 0u64;
    let mut held = 0u32;
    for &b in groups.remainder() {
        acc = (acc << 8) | u64::from(b);
        held += 8;
        while held >= BITS {
            held -= BITS;
            text[at] = alphabet[((acc >> held) & mask) as usize];
            at += 1;
        }
    }
    if held > 0 {
        text[at] = alphabet[((acc << (BITS - held)) & mask) as usize];
    }
    out.push_str(std::str::from_utf8(&text).expect("the alphabets are ASCII"));
}

/// Unpacks `bits`-wide symbols; returns the bytes and the value of the leftover bits.
fn decode_symbols(
    text: &[u8],
    bits: u32,
    values: &[u8; 256],
) -> Result<(Vec<u8>, u32), DecodeError> {
    // A last symbol holding fewer than 8 new bits cannot end a byte: no encoder writes it.
    let leftover = (text.len() * bits as usize) % 8;
    if leftover >= bits as usize {
        return Err(DecodeError {
            position: text.len() - leftover / bits as usize,
            kind: DecodeErrorKind::Length,
        });
    }
    let mut out = Vec::with_capacity(text.len() * bits as usize / 8);
    let mut acc = 0u32;
    let mut held = 0u32;
    for (position, &c) in text.iter().enumerate() {
        let v = values[c as usize];
        if v == INVALID {
            return Err(DecodeError {
                position,
                kind: DecodeErrorKind::Symbol,
            });
        }
        acc = (acc << bits) | u32::from(v);
        held += bits;
        if held >= 8 {
            held -= 8;
            out.push((acc >> held) as u8);
        }
    }
    Ok((out, acc & ((1 << held) - 1)))
}

/// Base32 without padding (keys, JWT ids).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    encode_into::<5, 32>(bytes, BASE32, &mut out);
    out
}

/// Base32 with `=` padding to a multiple of 8 characters (Go's `StdEncoding`).
pub fn base32_encode_padded(bytes: &[u8]) -> String {
    let mut out = base32_encode(bytes);
    while !out.len().is_multiple_of(8) {
        out.push('=');
    }
    out
}

/// Base32 without padding. Unused trailing bits are not checked (as Go's decoder), so a
/// tampered key is caught by its CRC rather than here.
pub fn base32_decode(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
    decode_symbols(text, 5, &BASE32_VALUES).map(|(bytes, _)| bytes)
}

/// Base64url without padding (Go's `RawURLEncoding`), appended to `out`.
pub fn base64url_encode_append(bytes: &[u8], out: &mut String) {
    encode_into::<6, 64>(bytes, BASE64URL, out);
}

pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    base64url_encode_append(bytes, &mut out);
    out
}

/// Base64url without padding; non-zero trailing bits are refused (only one text per bytes).
pub fn base64url_decode(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let (bytes, trailing) = decode_symbols(text, 6, &BASE64URL_VALUES)?;
    if trailing != 0 {
        return Err(DecodeError {
            position: text.len() - 1,
            kind: DecodeErrorKind::TrailingBits,
        });
    }
    Ok(bytes)
}

/// Base64 with `=` padding (Go's `StdEncoding`).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    encode_into::<6, 64>(bytes, BASE64, &mut out);
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// Base64 with or without `=` padding (Go's `StdEncoding`, lenient on trailing bits as
/// JetStream's producers are not all strict).
pub fn base64_decode(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let end = text.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    if text.len() - end > 2 {
        return Err(DecodeError {
            position: end,
            kind: DecodeErrorKind::Symbol,
        });
    }
    decode_symbols(&text[..end], 6, &BASE64_VALUES).map(|(bytes, _)| bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4648 §10 test vectors.
    const VECTORS: [(&str, &str, &str); 7] = [
        ("", "", ""),
        ("f", "MY======", "Zg"),
        ("fo", "MZXQ====", "Zm8"),
        ("foo", "MZXW6===", "Zm9v"),
        ("foob", "MZXW6YQ=", "Zm9vYg"),
        ("fooba", "MZXW6YTB", "Zm9vYmE"),
        ("foobar", "MZXW6YTBOI======", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors_both_ways() {
        for (plain, b32, b64) in VECTORS {
            assert_eq!(base32_encode_padded(plain.as_bytes()), b32);
            let unpadded = b32.trim_end_matches('=');
            assert_eq!(base32_encode(plain.as_bytes()), unpadded);
            assert_eq!(
                base32_decode(unpadded.as_bytes()).unwrap(),
                plain.as_bytes()
            );
            assert_eq!(base64url_encode(plain.as_bytes()), b64);
            assert_eq!(base64url_decode(b64.as_bytes()).unwrap(), plain.as_bytes());
            let padded = format!("{b64}{}", "=".repeat((4 - b64.len() % 4) % 4));
            assert_eq!(base64_encode(plain.as_bytes()), padded);
            assert_eq!(base64_decode(padded.as_bytes()).unwrap(), plain.as_bytes());
            assert_eq!(base64_decode(b64.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn standard_alphabet_for_jetstream() {
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(base64_decode(b"+/8=").unwrap(), [0xfb, 0xff]);
        assert!(base64_decode(b"-_8=").is_err());
        assert!(base64_decode(b"Zg===").is_err());
    }

    #[test]
    fn url_alphabet_not_standard() {
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode(b"-_8").unwrap(), [0xfb, 0xff]);
        let err = base64url_decode(b"+/8").unwrap_err();
        assert_eq!((err.position, err.kind), (0, DecodeErrorKind::Symbol));
    }

    #[test]
    fn errors_name_the_position() {
        let e = |r: Result<Vec<u8>, DecodeError>| {
            let e = r.unwrap_err();
            (e.position, e.kind)
        };
        use DecodeErrorKind::*;
        // base64url: 1 symbol of 4 cannot make a byte; lengths are checked before symbols
        assert_eq!(e(base64url_decode(b"Zm9vY")), (4, Length));
        assert_eq!(e(base64url_decode(b"Z!9vY")), (4, Length));
        assert_eq!(e(base64url_decode(b"Zm9v=g")), (4, Symbol));
        assert_eq!(e(base64url_decode(b"Zh")), (1, TrailingBits));
        // base32: 1, 3 or 6 symbols of 8 cannot end a byte
        assert_eq!(e(base32_decode(b"MZXW6Y")), (5, Length));
        assert_eq!(e(base32_decode(b"MZX")), (2, Length));
        assert_eq!(e(base32_decode(b"M")), (0, Length));
        assert_eq!(e(base32_decode(b"MZ1W")), (2, Symbol));
        // base32 leaves trailing bits to the key's CRC
        assert_eq!(base32_decode(b"MZ").unwrap(), b"f");
        assert_eq!(base32_decode(b"M7").unwrap(), b"g");
    }
}
