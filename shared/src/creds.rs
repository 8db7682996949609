//! `.creds` files: a user JWT and its seed in decorated blocks, byte for byte as Go's
//! `FormatUserConfig`, parsed as leniently as Go, nkeys.js and async-nats read them.

use crate::error::{Error, Result};
use crate::jwt::{self, AnyClaims};
use crate::nkeys::{KeyPair, KeyType};

/// The creds text for `jwt` (a user JWT) and `seed` (that user's `SU…` seed). Unlike Go, the
/// seed must belong to the JWT's subject: a creds file that cannot connect is refused here.
pub fn format_user_creds(jwt: &str, seed: &str) -> Result<String> {
    let (jwt, seed) = (jwt.trim(), seed.trim());
    let claims = jwt::decode(jwt).map_err(|e| Error::Creds(format!("invalid user JWT: {e}")))?;
    let AnyClaims::User(user) = claims else {
        return Err(Error::Creds(format!(
            "{:?} cannot be serialized as a user config",
            claims.claim_type().as_str()
        )));
    };
    if !seed.starts_with("SU") {
        return Err(Error::Creds("nkey seed is not an user seed".into()));
    }
    let pair = KeyPair::from_seed(seed)?;
    if pair.public_key() != user.subject {
        return Err(Error::Creds(format!(
            "the seed is for {} but the JWT is about {}",
            pair.public_key(),
            user.subject
        )));
    }
    Ok(format!(
        "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n\
************************* IMPORTANT *************************\n\
NKEY Seed printed below can be used to sign and prove identity.\n\
NKEYs are sensitive and should be treated as secrets.\n\n\
-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n\n\
*************************************************************\n"
    ))
}

/// A JWT in a decorated block, as Go's `DecorateJWT`: `-----BEGIN NATS ACCOUNT JWT-----` …
pub fn decorate_jwt(jwt: &str) -> Result<String> {
    let claims = jwt::decode(jwt.trim())?;
    let label = claims.claim_type().as_str().to_ascii_uppercase();
    Ok(format!(
        "-----BEGIN NATS {label} JWT-----\n{}\n------END NATS {label} JWT------\n",
        jwt.trim()
    ))
}

/// The contents of every decorated block (`---…---` line, one token line, `---…---` line).
fn blocks(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let is_fence = |line: &str| {
        let line = line.trim();
        line.len() >= 6 && line.starts_with("---") && line.ends_with("---")
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < lines.len() + 1 && i < lines.len() {
        let content = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
        let closed = lines.get(i + 2).is_some_and(|l| is_fence(l));
        if is_fence(lines[i]) && !content.is_empty() && !is_fence(content) && closed {
            found.push(content);
            i += 3;
        } else {
            i += 1;
        }
    }
    found
}

/// The JWT of a creds file or decorated JWT; undecorated input is taken as the JWT itself.
pub fn parse_decorated_jwt(text: &str) -> String {
    match blocks(text).first() {
        Some(jwt) => (*jwt).to_string(),
        None => text.trim().to_string(),
    }
}

/// The seed of a creds file: the second decorated block, or else the first line that is an
/// operator, account or user seed.
pub fn parse_decorated_seed(text: &str) -> Result<String> {
    let found = blocks(text);
    let seed = match found.get(1) {
        Some(seed) => Some(*seed),
        None => text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("SO") || l.starts_with("SA") || l.starts_with("SU")),
    };
    let seed = seed.ok_or_else(|| Error::Creds("no nkey seed found".into()))?;
    if !(seed.starts_with("SO") || seed.starts_with("SA") || seed.starts_with("SU")) {
        return Err(Error::Creds("doesn't contain a seed nkey".into()));
    }
    Ok(seed.to_string())
}

/// The user key pair of a creds file (Go's `ParseDecoratedUserNKey`).
pub fn parse_decorated_user_key(text: &str) -> Result<KeyPair> {
    let pair = KeyPair::from_seed(&parse_decorated_seed(text)?)?;
    if pair.key_type() != KeyType::User {
        return Err(Error::Creds("not a user seed".into()));
    }
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn blocks_found_with_crlf_and_indented_fence() {
        let text = "-----BEGIN X-----\r\nabc.def\r\n  ------END X------\r\n\r\n-----BEGIN S-----\nSUXYZ\n------END S------";
        assert_eq!(blocks(text), ["abc.def", "SUXYZ"]);
        assert_eq!(parse_decorated_jwt(text), "abc.def");
        assert_eq!(parse_decorated_seed(text).unwrap(), "SUXYZ");
    }

    #[test]
    fn bare_jwt_is_its_own_jwt() {
        assert_eq!(parse_decorated_jwt("  a.b.c \n"), "a.b.c");
        assert!(parse_decorated_seed("a.b.c").is_err());
    }
}
