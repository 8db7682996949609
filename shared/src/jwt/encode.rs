//! Issuing JWTs as Go's `doEncode`: `iss` and `iat` set, `jti` = base32(SHA-512/256) of the
//! standard claims, `nats.version` = 2, JSON in Go's field order and escaping, Ed25519 over
//! `header.payload`. The clock and the signer are the caller's.

use crate::text_encoding::{base32_encode, base64url_encode_append};
use serde::Serialize;
use sha2::{Digest, Sha512_256};

use super::claims::{Claims, GenericClaims, Payload};
use super::decode::check_key_type;
use super::go_json;
use crate::error::{Error, Result};
use crate::nkeys::{is_valid_public_key_of, KeyPair};

/// `base64url({"typ":"JWT","alg":"ed25519-nkey"})`, the header Go writes.
pub(crate) const HEADER_B64: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ";

/// Signs JWTs: a [`KeyPair`], or anything that signs with a key it does not reveal (an HSM, a
/// browser vault).
pub trait JwtSigner {
    fn public_key(&self) -> String;
    fn sign(&self, data: &[u8]) -> Result<[u8; 64]>;
}

impl JwtSigner for KeyPair {
    fn public_key(&self) -> String {
        KeyPair::public_key(self)
    }
    fn sign(&self, data: &[u8]) -> Result<[u8; 64]> {
        KeyPair::sign(self, data)
    }
}

/// The standard claims, borrowed, in Go's `ClaimsData` order.
#[derive(Serialize)]
struct StandardClaims<'a> {
    #[serde(rename = "aud", skip_serializing_if = "str::is_empty")]
    audience: &'a str,
    #[serde(rename = "exp", skip_serializing_if = "is_zero")]
    expires: i64,
    #[serde(rename = "jti", skip_serializing_if = "str::is_empty")]
    id: &'a str,
    #[serde(rename = "iat", skip_serializing_if = "is_zero")]
    issued_at: i64,
    #[serde(rename = "iss", skip_serializing_if = "str::is_empty")]
    issuer: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(rename = "nbf", skip_serializing_if = "is_zero")]
    not_before: i64,
    #[serde(rename = "sub", skip_serializing_if = "str::is_empty")]
    subject: &'a str,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

impl<'a> StandardClaims<'a> {
    fn of<N>(c: &'a Claims<N>) -> Self {
        StandardClaims {
            audience: &c.audience,
            expires: c.expires,
            id: &c.id,
            issued_at: c.issued_at,
            issuer: &c.issuer,
            name: &c.name,
            not_before: c.not_before,
            subject: &c.subject,
        }
    }
}

/// Sets `iss`, `iat` and `jti` (Go hashes the standard claims with `jti` empty).
fn stamp<N>(claims: &mut Claims<N>, issuer: String, now: i64) -> Result<()> {
    claims.issuer = issuer;
    claims.issued_at = now;
    claims.id = String::new();
    let json = go_json::to_string(&StandardClaims::of(claims))?;
    claims.id = base32_encode(&Sha512_256::digest(json.as_bytes()));
    Ok(())
}

fn sign_payload(payload_json: &str, signer: &impl JwtSigner) -> Result<String> {
    let mut token = String::with_capacity(HEADER_B64.len() + payload_json.len() * 4 / 3 + 100);
    token.push_str(HEADER_B64);
    token.push('.');
    base64url_encode_append(payload_json.as_bytes(), &mut token);
    let signature = signer.sign(token.as_bytes())?;
    token.push('.');
    base64url_encode_append(&signature, &mut token);
    Ok(token)
}

impl<N: Payload> Claims<N> {
    /// Signs these claims at `now` (Unix seconds), updating `iss`, `iat`, `jti`, `nats.type`
    /// and `nats.version` as Go does, and returns the JWT.
    pub fn encode(&mut self, signer: &impl JwtSigner, now: i64) -> Result<String> {
        if let Some((kind, what)) = N::SUBJECT {
            if !is_valid_public_key_of(kind, &self.subject) {
                return Err(Error::UnexpectedSubject(what));
            }
        }
        self.nats.prepare_encode()?;
        self.nats.generic_mut().claim_type = N::CLAIM_TYPE.as_str().to_string();
        if self.subject.is_empty() {
            return Err(Error::SubjectNotSet);
        }
        let issuer = signer.public_key();
        check_key_type(&issuer, N::ISSUERS)?;
        stamp(self, issuer, now)?;
        self.nats.generic_mut().version = 2;
        sign_payload(&go_json::to_string(self)?, signer)
    }
}

impl GenericClaims {
    /// Signs claims of a free-form type (any issuer), as Go's `GenericClaims.Encode`.
    pub fn encode(&mut self, signer: &impl JwtSigner, now: i64) -> Result<String> {
        if self.subject.is_empty() {
            return Err(Error::SubjectNotSet);
        }
        stamp(self, signer.public_key(), now)?;
        self.nats.insert("version".into(), 2.into());
        sign_payload(&generic_payload_json(self)?, signer)
    }
}

/// Go's JSON of generic claims: standard members, then `nats` as a sorted free-form map.
pub(crate) fn generic_payload_json(claims: &GenericClaims) -> Result<String> {
    let mut json = go_json::to_string(&StandardClaims::of(claims))?;
    if !claims.nats.is_empty() {
        json.pop(); // the closing brace
        if json.len() > 1 {
            json.push(',');
        }
        json.push_str("\"nats\":");
        go_json::write_free_form(&serde_json::Value::Object(claims.nats.clone()), &mut json)?;
        json.push('}');
    }
    Ok(json)
}
