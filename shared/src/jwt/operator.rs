use serde::{Deserialize, Serialize};

use super::claims::{ClaimType, Claims, GenericFields, Payload};
use super::types::{default_on_null, is_false, url_parts};
use crate::error::{Error, Result};
use crate::nkeys::{is_valid_public_account_key, is_valid_public_operator_key, KeyType};
use crate::validation::ValidationResults;

/// The operator's `nats` payload: who may sign for it and where its services are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub signing_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account_server_url: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub operator_service_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub system_account: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub assert_server_version: String,
    /// With this set, the operator's identity key may sign only the operator JWT itself.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict_signing_key_usage: bool,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type OperatorClaims = Claims<Operator>;

impl OperatorClaims {
    pub fn new(subject: impl Into<String>) -> Self {
        Claims::with_payload(subject, Operator::default())
    }

    /// Go's `OperatorClaims.DidSign`: issued by the operator or one of its signing keys.
    pub fn did_sign(&self, issuer: &str) -> bool {
        issuer == self.subject || self.nats.signing_keys.iter().any(|k| k == issuer)
    }
}

/// Go's account server URL rule: empty, or a URL with a protocol.
pub fn validate_account_server_url(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    match url_parts(url) {
        None => Some(format!(
            "error parsing account server url: {url:?} is not a URL"
        )),
        Some(u) if u.scheme.is_empty() => {
            Some(format!("account server url {url:?} requires a protocol"))
        }
        Some(_) => None,
    }
}

/// Go's `ValidateOperatorServiceURL` (current Go also accepts `ws` and `wss`).
pub fn validate_operator_service_url(url: &str) -> Option<String> {
    if url.is_empty() {
        return None;
    }
    let Some(u) = url_parts(url) else {
        return Some(format!("error parsing operator service url {url:?}"));
    };
    if u.has_userinfo {
        return Some(format!(
            "operator service url {url:?} - credentials are not supported"
        ));
    }
    if !u.path.is_empty() {
        return Some(format!(
            "operator service url {url:?} - paths are not supported"
        ));
    }
    match u.scheme.to_ascii_lowercase().as_str() {
        "nats" | "tls" | "ws" | "wss" => None,
        _ => Some(format!(
            "operator service url {url:?} - protocol not supported (only 'nats', 'tls', 'ws' or 'wss')"
        )),
    }
}

fn validate_server_version(version: &str, vr: &mut ValidationResults) {
    if version.is_empty() {
        return;
    }
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() != 3 {
        vr.add_error("assert server version error: asserted server version must be of the form <major>.<minor>.<update>");
        return;
    }
    for part in parts {
        match part.parse::<i64>() {
            Err(_) => {
                vr.add_error(format!(
                    "assert server version error: asserted server version cant parse {part} to int"
                ));
                return;
            }
            Ok(n) if n < 0 => {
                vr.add_error(format!(
                    "assert server version error: asserted server version can't contain negative values: {version}"
                ));
                return;
            }
            Ok(_) => {}
        }
    }
}

impl Payload for Operator {
    const CLAIM_TYPE: ClaimType = ClaimType::Operator;
    const ISSUERS: &'static [KeyType] = &[KeyType::Operator];
    const SUBJECT: Option<(KeyType, &'static str)> =
        Some((KeyType::Operator, "an operator public key"));

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        let op = &claims.nats;
        if let Some(e) = validate_account_server_url(&op.account_server_url) {
            vr.add_error(e);
        }
        for url in &op.operator_service_urls {
            if let Some(e) = validate_operator_service_url(url) {
                vr.add_error(e);
            }
        }
        for key in &op.signing_keys {
            if !is_valid_public_operator_key(key) {
                vr.add_error(format!("{key} is not an operator public key"));
            }
        }
        if !op.system_account.is_empty() && !is_valid_public_account_key(&op.system_account) {
            vr.add_error(format!(
                "{} is not an account public key",
                op.system_account
            ));
        }
        validate_server_version(&op.assert_server_version, vr);
    }

    fn prepare_encode(&mut self) -> Result<()> {
        match validate_account_server_url(&self.account_server_url) {
            Some(e) => Err(Error::Encode(e)),
            None => Ok(()),
        }
    }
}
