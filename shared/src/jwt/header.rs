use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const TOKEN_TYPE_JWT: &str = "JWT";
/// The v2 algorithm name.
pub const ALGORITHM_NKEY: &str = "ed25519-nkey";
/// The v1 algorithm name: still decoded, never written.
pub const ALGORITHM_NKEY_V1: &str = "ed25519";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    #[serde(rename = "typ", default)]
    pub token_type: String,
    #[serde(rename = "alg", default)]
    pub algorithm: String,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            token_type: TOKEN_TYPE_JWT.into(),
            algorithm: ALGORITHM_NKEY.into(),
        }
    }
}

impl Header {
    /// Go's `Header.Valid`: `typ` is `JWT` in any case; `alg` is one of the nkey algorithms.
    pub fn check(&self) -> Result<()> {
        if !self.token_type.eq_ignore_ascii_case(TOKEN_TYPE_JWT) {
            return Err(Error::UnsupportedType(self.token_type.clone()));
        }
        let alg = self.algorithm.to_ascii_lowercase();
        if alg != ALGORITHM_NKEY && alg != ALGORITHM_NKEY_V1 {
            return Err(Error::UnexpectedAlgorithm(self.algorithm.clone()));
        }
        Ok(())
    }
}
