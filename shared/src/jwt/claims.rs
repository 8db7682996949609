//! The claims every JWT carries (`aud exp jti iat iss name nbf sub`) around a typed `nats`
//! payload, and the enum of all claim types.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::types::{default_on_null, is_zero};
use crate::nkeys::KeyType;
use crate::validation::ValidationResults;

/// The `nats.type` of a JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimType {
    Operator,
    Account,
    User,
    Activation,
    AuthorizationRequest,
    AuthorizationResponse,
    Generic,
}

impl ClaimType {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Operator => "operator",
            ClaimType::Account => "account",
            ClaimType::User => "user",
            ClaimType::Activation => "activation",
            ClaimType::AuthorizationRequest => "authorization_request",
            ClaimType::AuthorizationResponse => "authorization_response",
            ClaimType::Generic => "generic",
        }
    }
}

/// `tags`, `type` and `version`, present in every typed `nats` payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenericFields {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub tags: Vec<String>,
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub claim_type: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i64,
}

impl GenericFields {
    /// Adds tags as Go's `TagList.Add`: trimmed, lower-cased, no duplicates.
    pub fn add_tag(&mut self, tag: &str) {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
    }
}

/// What a typed `nats` payload declares about itself.
pub trait Payload: Serialize + DeserializeOwned + Default + Clone {
    const CLAIM_TYPE: ClaimType;
    /// Key types allowed to issue this claim (Go's `ExpectedPrefixes`).
    const ISSUERS: &'static [KeyType];
    /// The key type `sub` must be when encoding, with Go's message when it is not.
    const SUBJECT: Option<(KeyType, &'static str)>;

    fn generic(&self) -> &GenericFields;
    fn generic_mut(&mut self) -> &mut GenericFields;
    /// Go's type-specific `Validate` (the common time checks are added by the caller).
    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults);
    /// Work Go does in `Encode` before signing (sorting, encode-time checks).
    fn prepare_encode(&mut self) -> crate::Result<()> {
        Ok(())
    }
}

/// A JWT's claims: the standard members plus the typed `nats` payload. Field order is Go's
/// `ClaimsData` order, which the encoded bytes depend on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Claims<N> {
    #[serde(rename = "aud", default, skip_serializing_if = "String::is_empty")]
    pub audience: String,
    #[serde(rename = "exp", default, skip_serializing_if = "is_zero")]
    pub expires: i64,
    #[serde(rename = "jti", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(rename = "iat", default, skip_serializing_if = "is_zero")]
    pub issued_at: i64,
    #[serde(rename = "iss", default, skip_serializing_if = "String::is_empty")]
    pub issuer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "nbf", default, skip_serializing_if = "is_zero")]
    pub not_before: i64,
    #[serde(rename = "sub", default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    #[serde(default)]
    pub nats: N,
}

impl<N: Default> Claims<N> {
    /// Empty claims about `subject`; `nats` starts as Go's `New…Claims` makes it.
    pub fn with_payload(subject: impl Into<String>, nats: N) -> Self {
        Claims {
            subject: subject.into(),
            nats,
            ..Default::default()
        }
    }
}

impl<N> Claims<N> {
    /// Go's `ClaimsData.Validate`: expiry and not-before against `now` (Unix seconds).
    pub fn validate_times(&self, now: i64, vr: &mut ValidationResults) {
        if self.expires > 0 && now > self.expires {
            vr.add_time_check("claim is expired");
        }
        if self.not_before > 0 && self.not_before > now {
            vr.add_time_check("claim is not yet valid");
        }
    }

    pub fn is_self_signed(&self) -> bool {
        self.issuer == self.subject
    }
}

impl<N: Payload> Claims<N> {
    /// All of Go's checks for this claim at `now`: times, then the type's own rules.
    pub fn validate(&self, now: i64) -> ValidationResults {
        let mut vr = ValidationResults::new();
        self.validate_times(now, &mut vr);
        N::validate(self, &mut vr);
        vr
    }
}

/// The `nats` of a claim of unknown type: free-form, kept as decoded (Go's
/// `map[string]interface{}`).
pub type GenericPayload = serde_json::Map<String, serde_json::Value>;
/// Claims of a type this library has no struct for (for example nsc's account-delete request).
pub type GenericClaims = Claims<GenericPayload>;

/// A decoded JWT of any type.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyClaims {
    Operator(super::OperatorClaims),
    Account(super::AccountClaims),
    User(super::UserClaims),
    Activation(super::ActivationClaims),
    AuthorizationRequest(super::AuthorizationRequestClaims),
    AuthorizationResponse(super::AuthorizationResponseClaims),
    Generic(GenericClaims),
}

macro_rules! each_claim {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            AnyClaims::Operator($c) => $body,
            AnyClaims::Account($c) => $body,
            AnyClaims::User($c) => $body,
            AnyClaims::Activation($c) => $body,
            AnyClaims::AuthorizationRequest($c) => $body,
            AnyClaims::AuthorizationResponse($c) => $body,
            AnyClaims::Generic($c) => $body,
        }
    };
}

impl AnyClaims {
    pub fn claim_type(&self) -> ClaimType {
        match self {
            AnyClaims::Operator(_) => ClaimType::Operator,
            AnyClaims::Account(_) => ClaimType::Account,
            AnyClaims::User(_) => ClaimType::User,
            AnyClaims::Activation(_) => ClaimType::Activation,
            AnyClaims::AuthorizationRequest(_) => ClaimType::AuthorizationRequest,
            AnyClaims::AuthorizationResponse(_) => ClaimType::AuthorizationResponse,
            AnyClaims::Generic(_) => ClaimType::Generic,
        }
    }

    pub fn issuer(&self) -> &str {
        each_claim!(self, c => &c.issuer)
    }
    pub fn subject(&self) -> &str {
        each_claim!(self, c => &c.subject)
    }
    pub fn name(&self) -> &str {
        each_claim!(self, c => &c.name)
    }
    pub fn issued_at(&self) -> i64 {
        each_claim!(self, c => c.issued_at)
    }
    pub fn expires(&self) -> i64 {
        each_claim!(self, c => c.expires)
    }

    /// The claim's `nats.version` (1 for migrated v1 JWTs).
    pub fn version(&self) -> i64 {
        match self {
            AnyClaims::Generic(c) => c.nats.get("version").and_then(|v| v.as_i64()).unwrap_or(0),
            AnyClaims::Operator(c) => c.nats.generic().version,
            AnyClaims::Account(c) => c.nats.generic().version,
            AnyClaims::User(c) => c.nats.generic().version,
            AnyClaims::Activation(c) => c.nats.generic().version,
            AnyClaims::AuthorizationRequest(c) => c.nats.generic().version,
            AnyClaims::AuthorizationResponse(c) => c.nats.generic().version,
        }
    }

    /// Go's `Validate` for the claim's type at `now`.
    pub fn validate(&self, now: i64) -> ValidationResults {
        match self {
            AnyClaims::Generic(c) => {
                let mut vr = ValidationResults::new();
                c.validate_times(now, &mut vr);
                vr
            }
            AnyClaims::Operator(c) => c.validate(now),
            AnyClaims::Account(c) => c.validate(now),
            AnyClaims::User(c) => c.validate(now),
            AnyClaims::Activation(c) => c.validate(now),
            AnyClaims::AuthorizationRequest(c) => c.validate(now),
            AnyClaims::AuthorizationResponse(c) => c.validate(now),
        }
    }

    /// Signs the claims with `signer` at `now`, as their type's `encode` does.
    pub fn encode(&mut self, signer: &impl super::JwtSigner, now: i64) -> crate::Result<String> {
        each_claim!(self, c => c.encode(signer, now))
    }

    /// The claims as Go's JSON (what `nats-console jwt decode` prints under `claims`).
    pub fn to_json(&self) -> crate::Result<String> {
        match self {
            AnyClaims::Generic(c) => super::encode::generic_payload_json(c),
            _ => each_claim!(self, c => super::go_json::to_string(c)),
        }
    }
}
