//! JWT segments are base64url without padding (Go's `RawURLEncoding`).

use data_encoding::BASE64URL_NOPAD;

use crate::error::{Error, Result};

pub fn encode(bytes: &[u8]) -> String {
    BASE64URL_NOPAD.encode(bytes)
}

pub fn decode(segment: &str) -> Result<Vec<u8>> {
    BASE64URL_NOPAD
        .decode(segment.as_bytes())
        .map_err(|e| Error::Base64(format!("illegal base64 data at input byte {}", e.position)))
}
