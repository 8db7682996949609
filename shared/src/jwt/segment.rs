//! JWT segments are base64url without padding (Go's `RawURLEncoding`).

use crate::error::{Error, Result};

pub fn encode(bytes: &[u8]) -> String {
    crate::text_encoding::base64url_encode(bytes)
}

pub fn decode(segment: &str) -> Result<Vec<u8>> {
    crate::text_encoding::base64url_decode(segment.as_bytes())
        .map_err(|e| Error::Base64(format!("illegal base64 data at input byte {}", e.position)))
}
