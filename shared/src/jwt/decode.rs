//! Decoding a JWT: header, claims (v1 migrated to v2 as Go does), signature, issuer type.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::claims::{AnyClaims, Claims, GenericClaims, Payload};
use super::go_json::{fold_keys, get_folded};
use super::header::{Header, ALGORITHM_NKEY};
use super::{Account, Activation, AuthorizationRequest, AuthorizationResponse, Operator, User};
use crate::error::{Error, Result};
use crate::nkeys::{decode_public_key, KeyType};

/// The largest token accepted (Go's `MaxTokenSize`).
pub const MAX_TOKEN_SIZE: usize = 1 << 20;

/// Decodes and verifies a JWT of any type, as Go's `Decode` (and, for claims of an unknown
/// type, `DecodeGeneric`): the signature must verify with the issuer's key and the issuer
/// must be of a type allowed to issue the claim. Validation is separate
/// ([`AnyClaims::validate`]), and so is trust ([`crate::chain`]).
pub fn decode(token: &str) -> Result<AnyClaims> {
    let (header_b64, payload_b64, sig_b64) = segments(token)?;
    let header = parse_header(header_b64)?;
    let payload = base64url(payload_b64)?;
    let (version, claims) = load_claims(&payload, true)?;
    let signature = base64url(sig_b64)?;

    // Generic claims have no version of their own: the header's algorithm decides (DecodeGeneric).
    let v2 = match &claims {
        AnyClaims::Generic(_) => header.algorithm.eq_ignore_ascii_case(ALGORITHM_NKEY),
        _ => version > 1,
    };
    let signed: &[u8] = if v2 {
        &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()]
    } else {
        payload_b64.as_bytes()
    };
    let verified =
        crate::nkeys::verify_with_public_key(claims.issuer(), signed, &signature).is_ok();
    if !verified {
        return Err(Error::SignatureVerification(if v2 { 2 } else { 1 }));
    }
    check_issuer_type(&claims)?;
    Ok(claims)
}

/// Reads a JWT's claims as [`decode`] does, without checking the signature or the issuer's
/// type: only for tokens checked when they were stored (a store's own files), where checking
/// again on every read would cost more than the read itself. Never for a token from outside.
pub fn decode_unverified(token: &str) -> Result<AnyClaims> {
    let (header_b64, payload_b64, _) = segments(token)?;
    parse_header(header_b64)?;
    Ok(load_claims(&base64url(payload_b64)?, true)?.1)
}

/// What a store indexes a JWT by: read by [`peek`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peek {
    pub id: String,
    pub subject: String,
    pub issued_at: i64,
    /// 0 when the JWT does not expire.
    pub expires: i64,
    /// `nats.type` (v2) or the top-level `type` (v1): "account", "activation", …
    pub claim_type: String,
    pub name: String,
}

/// The few fields a store serves a JWT by, read without checking the signature and without
/// reading the rest of the claims: a store's own files only (see [`decode_unverified`]), on
/// the path of every GET of a store too large to hold in memory.
pub fn peek(token: &str) -> Result<Peek> {
    #[derive(serde::Deserialize)]
    struct Fields {
        #[serde(default)]
        jti: String,
        #[serde(default)]
        sub: String,
        #[serde(default)]
        iat: i64,
        #[serde(default)]
        exp: i64,
        #[serde(default, rename = "type")]
        v1_type: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        nats: Nats,
    }
    #[derive(Default, serde::Deserialize)]
    struct Nats {
        #[serde(default, rename = "type")]
        claim_type: String,
    }
    let (_, payload_b64, _) = segments(token)?;
    let fields: Fields = serde_json::from_slice(&base64url(payload_b64)?).map_err(json_error)?;
    // v1 names the claim at the top (its `nats.type` is an activation's import type); v2 in
    // `nats`
    let claim_type = if fields.v1_type.is_empty() {
        fields.nats.claim_type
    } else {
        fields.v1_type
    };
    Ok(Peek {
        id: fields.jti,
        subject: fields.sub,
        issued_at: fields.iat,
        expires: fields.exp,
        claim_type,
        name: fields.name,
    })
}

/// A token's header, payload and signature segments; larger than a token may be, refused unread.
fn segments(token: &str) -> Result<(&str, &str, &str)> {
    if token.len() > MAX_TOKEN_SIZE {
        return Err(Error::TokenTooLarge {
            limit: MAX_TOKEN_SIZE,
        });
    }
    let mut chunks = token.split('.');
    match (chunks.next(), chunks.next(), chunks.next(), chunks.next()) {
        (Some(header), Some(payload), Some(signature), None) => Ok((header, payload, signature)),
        _ => Err(Error::ChunkCount),
    }
}

/// Reads unsigned claims JSON (any type, v1 or v2) as `decode` reads a JWT's payload: for
/// signing claims written by hand or by another tool.
pub fn parse_claims(json: &[u8]) -> Result<AnyClaims> {
    if json.len() > MAX_TOKEN_SIZE {
        return Err(Error::TokenTooLarge {
            limit: MAX_TOKEN_SIZE,
        });
    }
    // The version is the signer's to set: any value in the input is replaced when encoding.
    Ok(load_claims(json, false)?.1)
}

/// Decodes only the header (no signature check).
pub fn decode_header(token: &str) -> Result<Header> {
    parse_header(token.split('.').next().unwrap_or(""))
}

fn parse_header(segment: &str) -> Result<Header> {
    // Nearly every token carries exactly the header Go writes: skip parsing it.
    if segment == super::encode::HEADER_B64 {
        return Ok(Header::default());
    }
    let bytes = base64url(segment)?;
    let header: Header = from_json_bytes(&bytes, "jwt.Header")?;
    header.check()?;
    Ok(header)
}

fn base64url(segment: &str) -> Result<Vec<u8>> {
    super::segment::decode(segment)
}

/// Parses JSON into a Go-folded tree, then into `T`.
fn from_json_bytes<T: DeserializeOwned>(bytes: &[u8], go_type: &str) -> Result<T> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(json_error)?;
    if !value.is_object() {
        return Err(Error::Json(format!(
            "json: cannot unmarshal {} into Go value of type {go_type}",
            json_kind(&value)
        )));
    }
    fold_keys(&mut value);
    serde_json::from_value(value).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> Error {
    if e.is_eof() {
        Error::Json("unexpected end of JSON input".into())
    } else {
        Error::Json(e.to_string())
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's `loadClaims`: reads type and version, migrates v1, builds the typed claims.
/// `signed`: a JWT's payload, as Go's `Decode` reads it — one from a newer library version is
/// refused, and `"version": 1` means v1 even in the v2 layout. Claims JSON to be signed is read
/// as Go unmarshals it into the typed claims: only the v1 layout (a top-level `type`) migrates.
fn load_claims(payload: &[u8], signed: bool) -> Result<(i64, AnyClaims)> {
    let value: Value = serde_json::from_slice(payload).map_err(json_error)?;
    let Value::Object(mut top) = value else {
        return Err(Error::Json(format!(
            "json: cannot unmarshal {} into Go value of type jwt.identifier",
            json_kind(&value)
        )));
    };
    let top_type = get_folded(&top, "type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let nats = get_folded(&top, "nats").and_then(Value::as_object);
    let (kind, version) = match &top_type {
        Some(t) if !t.is_empty() => (t.clone(), 1),
        _ => {
            let kind = nats
                .and_then(|n| get_folded(n, "type"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let version = match nats.and_then(|n| get_folded(n, "version")) {
                None => 0,
                Some(v) => v.as_i64().ok_or_else(|| {
                    Error::Json(format!("json: cannot unmarshal {v} into Go struct field GenericFields.nats.version of type int"))
                })?,
            };
            (kind, version)
        }
    };
    if version > 2 && signed {
        return Err(Error::NewerVersion);
    }
    let v1_layout = top_type.as_deref().is_some_and(|t| !t.is_empty());
    if version == 1 && (signed || v1_layout) {
        migrate_v1(&mut top, &kind);
    }
    let mut value = Value::Object(top);
    let claims = match kind.as_str() {
        "operator" => AnyClaims::Operator(typed::<Operator>(&mut value)?),
        "account" => AnyClaims::Account(typed::<Account>(&mut value)?),
        "user" => AnyClaims::User(typed::<User>(&mut value)?),
        "activation" => AnyClaims::Activation(typed::<Activation>(&mut value)?),
        "authorization_request" => {
            AnyClaims::AuthorizationRequest(typed::<AuthorizationRequest>(&mut value)?)
        }
        "authorization_response" => {
            AnyClaims::AuthorizationResponse(typed::<AuthorizationResponse>(&mut value)?)
        }
        "cluster" => return Err(Error::UnsupportedClaimType("Cluster")),
        "server" => return Err(Error::UnsupportedClaimType("Server")),
        _ => AnyClaims::Generic(generic(value)?),
    };
    Ok((version, claims))
}

fn typed<N: Payload>(value: &mut Value) -> Result<Claims<N>> {
    fold_keys(value);
    serde_json::from_value(std::mem::take(value)).map_err(json_error)
}

/// Generic claims keep `nats` exactly as written; only the standard members are folded.
fn generic(value: Value) -> Result<GenericClaims> {
    let Value::Object(top) = value else {
        unreachable!("checked by load_claims")
    };
    let nats = get_folded(&top, "nats").cloned();
    let mut standard: Map<String, Value> = top;
    standard.retain(|k, _| !k.eq_ignore_ascii_case("nats"));
    let mut standard = Value::Object(standard);
    fold_keys(&mut standard);
    let mut claims: GenericClaims = serde_json::from_value(standard).map_err(json_error)?;
    claims.nats = match nats {
        Some(Value::Object(map)) => map,
        None => Map::new(),
        Some(other) => {
            return Err(Error::Json(format!(
                "json: cannot unmarshal {} into Go struct field GenericClaims.nats of type map[string]interface {{}}",
                json_kind(&other)
            )))
        }
    };
    Ok(claims)
}

/// v1 keeps `type`, `tags` and `issuer_account` at the top level and an activation's kind in
/// `nats.type`; user `max` is gone and user limits default to unlimited (Go's migration).
/// The `nats` members Go's v1 user struct reads (permissions, limits, bearer).
const V1_USER_FIELDS: [&str; 10] = [
    "pub",
    "sub",
    "resp",
    "src",
    "times",
    "times_location",
    "subs",
    "data",
    "payload",
    "bearer_token",
];

fn migrate_v1(top: &mut Map<String, Value>, kind: &str) {
    let mut take = |name: &str| -> Option<Value> {
        let key = top
            .keys()
            .rev()
            .find(|k| k.eq_ignore_ascii_case(name))?
            .clone();
        top.shift_remove(&key)
    };
    let tags = take("tags");
    let issuer_account = take("issuer_account");
    take("type");
    let mut nats = match take("nats") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    fold_keys_shallow(&mut nats);
    if kind == "user" {
        // Go reads a v1 user's `nats` as its v1 struct: what that struct lacks (a v2 layout's
        // `tags`, `issuer_account`, connection types …) is dropped, `max` too; the top level's
        // tags and issuer_account are what count
        nats.retain(|k, _| V1_USER_FIELDS.contains(&k.as_str()));
    }
    if let Some(tags) = tags {
        nats.insert("tags".into(), tags);
    }
    match kind {
        "user" => {
            for limit in ["subs", "data", "payload"] {
                nats.entry(limit).or_insert(Value::from(-1));
            }
            if let Some(ia) = issuer_account {
                nats.insert("issuer_account".into(), ia);
            }
        }
        "activation" => {
            if let Some(t) = nats.shift_remove("type") {
                nats.insert("kind".into(), t);
            }
            if let Some(ia) = issuer_account {
                nats.insert("issuer_account".into(), ia);
            }
        }
        _ => {}
    }
    nats.insert("type".into(), Value::from(kind));
    nats.insert("version".into(), Value::from(1));
    top.insert("nats".into(), Value::Object(nats));
}

fn fold_keys_shallow(map: &mut Map<String, Value>) {
    if map
        .keys()
        .any(|k| k.bytes().any(|b| b.is_ascii_uppercase()))
    {
        let entries = std::mem::take(map);
        for (k, v) in entries {
            let k = k.to_ascii_lowercase();
            map.shift_remove(&k);
            map.insert(k, v);
        }
    }
}

/// Go's expected-prefix check after the signature: is the issuer a key type that may issue
/// this claim?
fn check_issuer_type(claims: &AnyClaims) -> Result<()> {
    let allowed: &[KeyType] = match claims {
        AnyClaims::Operator(_) => Operator::ISSUERS,
        AnyClaims::Account(_) => Account::ISSUERS,
        AnyClaims::User(_) => User::ISSUERS,
        AnyClaims::Activation(_) => Activation::ISSUERS,
        AnyClaims::AuthorizationRequest(_) => AuthorizationRequest::ISSUERS,
        AnyClaims::AuthorizationResponse(_) => AuthorizationResponse::ISSUERS,
        AnyClaims::Generic(_) => return Ok(()),
    };
    check_key_type(claims.issuer(), allowed)
}

pub(crate) fn check_key_type(issuer: &str, allowed: &[KeyType]) -> Result<()> {
    match decode_public_key(issuer) {
        Ok((kind, _)) if allowed.contains(&kind) => Ok(()),
        _ => Err(Error::UnexpectedIssuer(
            allowed
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}
