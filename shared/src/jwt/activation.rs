use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::claims::{ClaimType, Claims, GenericFields, Payload};
use super::exports::ExportType;
use super::types::validate_subject;
use crate::nkeys::{is_valid_public_account_key, KeyType};
use crate::validation::ValidationResults;

/// An activation's `nats` payload: the exporter lets the account in `sub` import `subject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    #[serde(rename = "subject", default, skip_serializing_if = "String::is_empty")]
    pub import_subject: String,
    #[serde(
        rename = "kind",
        default,
        skip_serializing_if = "ExportType::is_unknown"
    )]
    pub import_type: ExportType,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer_account: String,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type ActivationClaims = Claims<Activation>;

impl ActivationClaims {
    pub fn new(subject: impl Into<String>) -> Self {
        Claims::with_payload(subject, Activation::default())
    }

    /// Go's `HashID`, the name nats-server stores the activation under.
    pub fn hash_id(&self) -> String {
        activation_hash_id(&self.issuer, &self.subject, &self.nats.import_subject)
    }
}

/// `base32_std_padded(SHA-256("iss.sub.<subject cut at its first wildcard; '_' if it starts with one>"))`.
pub fn activation_hash_id(issuer: &str, subject: &str, import_subject: &str) -> String {
    let cut = import_subject
        .find(['*', '>'])
        .map_or(import_subject, |i| &import_subject[..i]);
    let cut = if cut.is_empty() { "_" } else { cut };
    let digest = Sha256::digest(format!("{issuer}.{subject}.{cut}").as_bytes());
    crate::text_encoding::base32_encode_padded(&digest)
}

/// Go's `validateWithTimeChecks(vr, false)`: the activation's own rules, no time checks.
pub(crate) fn validate_activation(claims: &ActivationClaims, vr: &mut ValidationResults) {
    let a = &claims.nats;
    if a.import_type == ExportType::Unknown {
        vr.add_error(format!("invalid import type: {:?}", a.import_type.as_str()));
    }
    validate_subject(&a.import_subject, vr);
    if !a.issuer_account.is_empty() && !is_valid_public_account_key(&a.issuer_account) {
        vr.add_error("account_id is not an account public key");
    }
}

impl Payload for Activation {
    const CLAIM_TYPE: ClaimType = ClaimType::Activation;
    const ISSUERS: &'static [KeyType] = &[KeyType::Account, KeyType::Operator];
    const SUBJECT: Option<(KeyType, &'static str)> = Some((KeyType::Account, "an account"));

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        validate_activation(claims, vr);
    }
}
