//! Auth callout: the server's request (issued by its N key) and the service's response
//! (issued by the account or its signing key).

use serde::{Deserialize, Serialize};

use super::claims::{ClaimType, Claims, GenericFields, Payload};
use super::types::default_on_null;
use crate::nkeys::{
    is_valid_public_account_key, is_valid_public_server_key, is_valid_public_user_key, KeyType,
};
use crate::validation::ValidationResults;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerId {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub xkey: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInformation {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub id: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_tag: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub client_type: String,
    #[serde(rename = "mqtt_id", default, skip_serializing_if = "String::is_empty")]
    pub mqtt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nonce: String,
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectOptions {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jwt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub nkey: String,
    #[serde(rename = "sig", default, skip_serializing_if = "String::is_empty")]
    pub signed_nonce: String,
    #[serde(
        rename = "auth_token",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub token: String,
    #[serde(rename = "user", default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    #[serde(rename = "pass", default, skip_serializing_if = "String::is_empty")]
    pub password: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lang: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default)]
    pub protocol: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientTls {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cipher: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub certs: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub verified_chains: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    #[serde(rename = "server_id", default)]
    pub server: ServerId,
    #[serde(default)]
    pub user_nkey: String,
    #[serde(rename = "client_info", default)]
    pub client_information: ClientInformation,
    #[serde(rename = "connect_opts", default)]
    pub connect_options: ConnectOptions,
    #[serde(
        rename = "client_tls",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tls: Option<ClientTls>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub request_nonce: String,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type AuthorizationRequestClaims = Claims<AuthorizationRequest>;

impl Payload for AuthorizationRequest {
    const CLAIM_TYPE: ClaimType = ClaimType::AuthorizationRequest;
    const ISSUERS: &'static [KeyType] = &[KeyType::Server];
    const SUBJECT: Option<(KeyType, &'static str)> = None;

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        let r = &claims.nats;
        if r.server.id.is_empty() {
            vr.add_error("server_id is required");
        }
        if r.user_nkey.is_empty() {
            vr.add_error("user_nkey is required");
        } else if !is_valid_public_user_key(&r.user_nkey) {
            vr.add_error(format!(
                "user_nkey {:?} is not a user public key",
                r.user_nkey
            ));
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationResponse {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jwt: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer_account: String,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type AuthorizationResponseClaims = Claims<AuthorizationResponse>;

impl Payload for AuthorizationResponse {
    const CLAIM_TYPE: ClaimType = ClaimType::AuthorizationResponse;
    const ISSUERS: &'static [KeyType] = &[KeyType::Account];
    const SUBJECT: Option<(KeyType, &'static str)> = Some((KeyType::User, "user public key"));

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        if !is_valid_public_user_key(&claims.subject) {
            vr.add_error("Subject must be a user public key");
        }
        if !is_valid_public_server_key(&claims.audience) {
            vr.add_error("Audience must be a server public key");
        }
        let r = &claims.nats;
        if r.error.is_empty() && r.jwt.is_empty() {
            vr.add_error("Error or Jwt is required");
        }
        if !r.error.is_empty() && !r.jwt.is_empty() {
            vr.add_error("Only Error or Jwt can be set");
        }
        if !r.issuer_account.is_empty() && !is_valid_public_account_key(&r.issuer_account) {
            vr.add_error("issuer_account is not an account public key");
        }
    }
}
