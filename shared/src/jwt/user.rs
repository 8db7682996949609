use serde::{Deserialize, Serialize};

use super::claims::{ClaimType, Claims, GenericFields, Payload};
use super::types::{default_on_null, is_false, is_zero, CidrList, Permissions, TimeRange};
use crate::nkeys::{is_valid_public_account_key, KeyType};
use crate::validation::ValidationResults;

/// Connection types a user may be limited to (`allowed_connection_types`).
pub const CONNECTION_TYPES: [&str; 7] = [
    "STANDARD",
    "WEBSOCKET",
    "LEAFNODE",
    "LEAFNODE_WS",
    "MQTT",
    "MQTT_WS",
    "IN_PROCESS",
];

/// A user's permissions and limits (also the template of a scoped signing key).
/// Go embeds these structs, so every field is written flat, in this order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPermissionLimits {
    #[serde(flatten)]
    pub permissions: Permissions,
    #[serde(rename = "src", default, skip_serializing_if = "CidrList::is_empty")]
    pub source_networks: CidrList,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub times: Vec<TimeRange>,
    #[serde(
        rename = "times_location",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub locale: String,
    /// Subscriptions; −1 unlimited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub subs: i64,
    /// Bytes; −1 unlimited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub data: i64,
    /// Largest message payload in bytes; −1 unlimited.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub payload: i64,
    /// The JWT alone authenticates (no nonce signature).
    #[serde(default, skip_serializing_if = "is_false")]
    pub bearer_token: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub proxy_required: bool,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub allowed_connection_types: Vec<String>,
}

impl UserPermissionLimits {
    pub fn set_unlimited_nats_limits(&mut self) {
        self.subs = -1;
        self.data = -1;
        self.payload = -1;
    }

    /// No permission and no limit set (what a user of a scoped signing key must be).
    pub fn is_empty(&self) -> bool {
        *self == UserPermissionLimits::default()
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        self.permissions.validate(vr);
        self.source_networks.validate(vr);
        for range in &self.times {
            range.validate(vr);
        }
        if !self.locale.is_empty() && !crate::timezones::is_known_zone(&self.locale) {
            vr.add_error(format!(
                "could not parse iana time zone by name: unknown time zone {}",
                self.locale
            ));
        }
    }
}

/// The user's `nats` payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    #[serde(flatten)]
    pub limits: UserPermissionLimits,
    /// The account this user belongs to, when a signing key of that account issued it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub issuer_account: String,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type UserClaims = Claims<User>;

impl UserClaims {
    /// New user claims with Go's `NewUserClaims` defaults (unlimited subs, data, payload).
    pub fn new(subject: impl Into<String>) -> Self {
        let mut user = User::default();
        user.limits.set_unlimited_nats_limits();
        Claims::with_payload(subject, user)
    }

    /// The account the user belongs to: `issuer_account`, or the issuer itself.
    pub fn account(&self) -> &str {
        if self.nats.issuer_account.is_empty() {
            &self.issuer
        } else {
            &self.nats.issuer_account
        }
    }

    /// Go's `SetScoped(true)`: clears permissions and limits, as a scoped key's users need.
    pub fn set_scoped(&mut self) {
        self.nats.limits = UserPermissionLimits::default();
    }
}

impl Payload for User {
    const CLAIM_TYPE: ClaimType = ClaimType::User;
    const ISSUERS: &'static [KeyType] = &[KeyType::Account];
    const SUBJECT: Option<(KeyType, &'static str)> = Some((KeyType::User, "user public key"));

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        claims.nats.limits.validate(vr);
        let issuer_account = &claims.nats.issuer_account;
        if !issuer_account.is_empty() && !is_valid_public_account_key(issuer_account) {
            vr.add_error("account_id is not an account public key");
        }
    }
}
