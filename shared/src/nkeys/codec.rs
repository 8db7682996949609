//! Text encoding of keys: base32 (RFC 4648 alphabet, no padding) over
//! `prefix ‖ payload ‖ crc16_le`. Unlike Go, payload lengths are checked.

use super::prefix::{KeyType, PREFIX_BYTE_SEED};
use crate::error::{Error, Result};

const KEY_LEN: usize = 32;

const fn crc16_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}
static CRC16_TABLE: [u16; 256] = crc16_table();

/// CRC-16/XMODEM (polynomial 0x1021, initial value 0), as nkeys computes it.
pub fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16_TABLE[((crc >> 8) as u8 ^ b) as usize]
    })
}

fn encode_raw(prefix: &[u8], payload: &[u8]) -> String {
    let mut raw = Vec::with_capacity(prefix.len() + payload.len() + 2);
    raw.extend_from_slice(prefix);
    raw.extend_from_slice(payload);
    let crc = crc16(&raw);
    raw.extend_from_slice(&crc.to_le_bytes());
    let text = crate::text_encoding::base32_encode(&raw);
    zeroize::Zeroize::zeroize(&mut raw);
    text
}

/// Encodes `payload` under a one-byte prefix (a public key's type byte, or
/// [`super::PREFIX_BYTE_PRIVATE`]).
pub fn encode(prefix: u8, payload: &[u8]) -> String {
    encode_raw(&[prefix], payload)
}

/// Encodes a raw 32-byte seed of type `kind` (`S` + type letter + …).
pub fn encode_seed(kind: KeyType, raw_seed: &[u8; 32]) -> String {
    let t = kind.prefix_byte();
    let b1 = PREFIX_BYTE_SEED | (t >> 5);
    let b2 = (t & 0x1f) << 3;
    encode_raw(&[b1, b2], raw_seed)
}

/// Base32-decodes and checks the CRC; returns the bytes without the CRC.
fn decode_checked(text: &str) -> Result<Vec<u8>> {
    // Name the first character outside the alphabet (padding included), as Go does, before
    // any complaint about the length.
    if let Some(pos) = text
        .bytes()
        .position(|b| !matches!(b, b'A'..=b'Z' | b'2'..=b'7'))
    {
        return Err(Error::Base32(pos));
    }
    // Unused trailing bits are not checked (Go's `StdEncoding.WithPadding(NoPadding)`): a
    // tampered key fails its CRC, as in Go.
    let mut raw =
        crate::text_encoding::base32_decode(text.as_bytes()).map_err(|e| match e.kind {
            crate::text_encoding::DecodeErrorKind::Length => Error::InvalidEncoding,
            _ => Error::Base32(e.position),
        })?;
    if raw.len() < 4 {
        return Err(Error::InvalidEncoding);
    }
    let crc_at = raw.len() - 2;
    let want = u16::from_le_bytes([raw[crc_at], raw[crc_at + 1]]);
    if crc16(&raw[..crc_at]) != want {
        zeroize::Zeroize::zeroize(&mut raw);
        return Err(Error::InvalidChecksum);
    }
    raw.truncate(crc_at);
    Ok(raw)
}

fn to_key(what: &'static str, payload: &[u8]) -> Result<[u8; KEY_LEN]> {
    payload.try_into().map_err(|_| Error::InvalidKeyLength {
        what,
        got: payload.len(),
        want: KEY_LEN,
    })
}

/// Decodes text whose prefix byte must be `expected_prefix` and returns the payload.
pub fn decode(expected_prefix: u8, text: &str) -> Result<Vec<u8>> {
    let raw = decode_checked(text)?;
    if raw[0] & 0xf8 != expected_prefix {
        return Err(Error::InvalidPrefixByte);
    }
    Ok(raw[1..].to_vec())
}

/// Decodes a public key of any type into its type and 32 key bytes.
pub fn decode_public_key(text: &str) -> Result<(KeyType, [u8; KEY_LEN])> {
    let raw = decode_checked(text)?;
    let kind = KeyType::from_prefix_byte(raw[0]).ok_or(Error::InvalidPrefixByte)?;
    Ok((kind, to_key("public key", &raw[1..])?))
}

/// Decodes a seed into its key type and the raw 32-byte seed.
pub fn decode_seed(text: &str) -> Result<(KeyType, [u8; KEY_LEN])> {
    let mut raw = decode_checked(text)?;
    let result = (|| {
        // Length first: a public or private key given as a seed is then named by its size.
        let key = to_key("seed", raw.get(2..).unwrap_or_default())?;
        if raw[0] & 0xf8 != PREFIX_BYTE_SEED {
            return Err(Error::InvalidSeed);
        }
        let kind_byte = ((raw[0] & 0x07) << 5) | ((raw[1] & 0xf8) >> 3);
        let kind = KeyType::from_prefix_byte(kind_byte).ok_or(Error::InvalidPrefixByte)?;
        Ok((kind, key))
    })();
    zeroize::Zeroize::zeroize(&mut raw);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn crc16_matches_xmodem_check_value() {
        // The CRC catalogue's check value for CRC-16/XMODEM over "123456789".
        assert_eq!(crc16(b"123456789"), 0x31c3);
    }

    #[test]
    fn seed_second_letter_is_the_type() {
        for kind in KeyType::ALL {
            let seed = encode_seed(kind, &[7u8; 32]);
            assert_eq!(seed.len(), 58);
            assert_eq!(&seed[..1], "S");
            assert_eq!(seed.chars().nth(1), Some(kind.letter()));
            assert_eq!(decode_seed(&seed).unwrap(), (kind, [7u8; 32]));
        }
    }

    #[test]
    fn public_key_first_letter_is_the_type() {
        for kind in KeyType::ALL {
            let key = encode(kind.prefix_byte(), &[9u8; 32]);
            assert_eq!(key.len(), 56);
            assert_eq!(key.chars().next(), Some(kind.letter()));
            assert_eq!(decode_public_key(&key).unwrap(), (kind, [9u8; 32]));
        }
    }

    #[test]
    fn short_and_padded_and_lowercase_inputs_are_refused() {
        assert_eq!(decode_seed("AAA"), Err(Error::InvalidEncoding));
        assert_eq!(decode_seed("hello-world"), Err(Error::Base32(0)));
        let seed = encode_seed(KeyType::User, &[1u8; 32]);
        assert_eq!(
            decode_seed(&format!("{seed}======")),
            Err(Error::Base32(58))
        );
        assert_eq!(decode_seed(&seed.to_lowercase()), Err(Error::Base32(0)));
    }

    #[test]
    fn public_key_is_not_a_seed() {
        let key = encode(KeyType::User.prefix_byte(), &[1u8; 32]);
        assert_eq!(
            decode_seed(&key),
            Err(Error::InvalidKeyLength {
                what: "seed",
                got: 31,
                want: 32
            })
        );
        // 34 bytes with a non-seed prefix: right size, wrong kind.
        let not_seed = encode_raw(&[KeyType::User.prefix_byte(), 0], &[1u8; 32]);
        assert_eq!(decode_seed(&not_seed), Err(Error::InvalidSeed));
    }

    #[test]
    fn wrong_payload_length_is_reported() {
        let short = encode(KeyType::Account.prefix_byte(), &[1u8; 31]);
        assert_eq!(
            decode_public_key(&short),
            Err(Error::InvalidKeyLength {
                what: "public key",
                got: 31,
                want: 32
            })
        );
    }
}
