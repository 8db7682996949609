use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::claims::{ClaimType, Claims, GenericFields, Payload};
use super::exports::{validate_exports, Export};
use super::imports::{validate_imports, Import};
use super::revocations::{self, RevocationList};
use super::signing_keys::SigningKeys;
use super::types::{
    default_on_null, has_wildcards, is_false, is_zero, validate_subject, Info, Permissions,
};
use crate::nkeys::{
    is_valid_public_account_key, is_valid_public_curve_key, is_valid_public_user_key, KeyType,
};
use crate::validation::ValidationResults;

/// JetStream limits of an account or of one tier. 0 disables, −1 is unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JetStreamLimits {
    #[serde(rename = "mem_storage", default, skip_serializing_if = "is_zero")]
    pub memory_storage: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub disk_storage: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub streams: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub consumer: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_ack_pending: i64,
    #[serde(
        rename = "mem_max_stream_bytes",
        default,
        skip_serializing_if = "is_zero"
    )]
    pub memory_max_stream_bytes: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub disk_max_stream_bytes: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub max_bytes_required: bool,
}

impl JetStreamLimits {
    pub fn is_empty(&self) -> bool {
        *self == JetStreamLimits::default()
    }
    pub fn is_enabled(&self) -> bool {
        self.memory_storage != 0 || self.disk_storage != 0
    }
}

/// What the operator allows an account (Go's `OperatorLimits`: NATS, account and JetStream
/// limits written flat, plus JetStream tiers). −1 is unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorLimits {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub subs: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub data: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub payload: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub imports: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub exports: i64,
    #[serde(rename = "wildcards", default, skip_serializing_if = "is_false")]
    pub wildcard_exports: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub disallow_bearer: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub conn: i64,
    #[serde(rename = "leaf", default, skip_serializing_if = "is_zero")]
    pub leaf_node_conn: i64,
    #[serde(flatten)]
    pub jetstream: JetStreamLimits,
    #[serde(
        rename = "tiered_limits",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub jetstream_tiers: BTreeMap<String, JetStreamLimits>,
}

impl OperatorLimits {
    /// Go's `NewAccountClaims` defaults: unlimited, wildcard exports allowed, JetStream off.
    pub fn unlimited() -> Self {
        OperatorLimits {
            subs: -1,
            data: -1,
            payload: -1,
            imports: -1,
            exports: -1,
            wildcard_exports: true,
            disallow_bearer: false,
            conn: -1,
            leaf_node_conn: -1,
            ..Default::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == OperatorLimits::default()
    }

    pub fn is_jetstream_enabled(&self) -> bool {
        if self.jetstream_tiers.is_empty() {
            self.jetstream.is_enabled()
        } else {
            self.jetstream_tiers
                .values()
                .any(JetStreamLimits::is_enabled)
        }
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        if !self.jetstream_tiers.is_empty() {
            if !self.jetstream.is_empty() {
                vr.add_error("JetStream Limits and tiered JetStream Limits are mutually exclusive");
            }
            if self.jetstream_tiers.contains_key("") {
                vr.add_error("Tiered JetStream Limits can not contain a blank \"\" tier name");
            }
        }
    }
}

/// One destination of a subject mapping; `weight` 0 means 100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightedMapping {
    pub subject: String,
    #[serde(default, skip_serializing_if = "is_zero_u8")]
    pub weight: u8,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
}

fn is_zero_u8(v: &u8) -> bool {
    *v == 0
}

impl WeightedMapping {
    pub fn effective_weight(&self) -> u32 {
        if self.weight == 0 {
            100
        } else {
            u32::from(self.weight)
        }
    }
}

fn validate_mappings(
    mappings: &BTreeMap<String, Vec<WeightedMapping>>,
    vr: &mut ValidationResults,
) {
    for (from, targets) in mappings {
        validate_subject(from, vr);
        // Weights are summed without Go 2.3's uint8 wrap-around: 5 × 60 is over 100.
        let mut per_cluster: BTreeMap<&str, u32> = BTreeMap::new();
        let mut total = 0u32;
        for target in targets {
            validate_subject(&target.subject, vr);
            if has_wildcards(&target.subject) && !has_wildcards(from) {
                vr.add_error(format!(
                    "Subject {:?} in weighted mapping {from:?} is not allowed to contains wildcard",
                    target.subject
                ));
            }
            if target.cluster.is_empty() {
                total += target.effective_weight();
            } else {
                let sum = per_cluster.entry(&target.cluster).or_default();
                *sum += u32::from(target.weight);
                if *sum > 100 {
                    vr.add_error(format!(
                        "Mapping {from:?} in cluster {:?} exceeds 100% among all of it's weighted to mappings",
                        target.cluster
                    ));
                }
            }
        }
        if total > 100 {
            vr.add_error(format!(
                "Mapping {from:?} exceeds 100% among all of it's weighted to mappings"
            ));
        }
    }
}

/// Auth callout: `auth_users` bypass the callout and run it; it may place users into
/// `allowed_accounts`; `xkey` encrypts the requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalAuthorization {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub auth_users: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub allowed_accounts: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub xkey: String,
}

impl ExternalAuthorization {
    pub fn is_empty(&self) -> bool {
        *self == ExternalAuthorization::default()
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        if !self.allowed_accounts.is_empty() && self.auth_users.is_empty() {
            vr.add_error("External authorization cannot have accounts without users specified");
        }
        for user in &self.auth_users {
            if !is_valid_public_user_key(user) {
                vr.add_error(format!("AuthUser {user:?} is not a valid user public key"));
            }
        }
        for account in &self.allowed_accounts {
            if account == "*" {
                if self.allowed_accounts.len() > 1 {
                    vr.add_error("AllowedAccounts can only be a list of accounts or \"*\"");
                }
            } else if !is_valid_public_account_key(account) {
                vr.add_error(format!(
                    "Account {account:?} is not a valid account public key"
                ));
            }
        }
        if !self.xkey.is_empty() && !is_valid_public_curve_key(&self.xkey) {
            vr.add_error(format!("XKey {:?} is not a valid public xkey", self.xkey));
        }
    }
}

/// Message tracing: where traces go and what share of traced messages to sample.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgTrace {
    #[serde(rename = "dest", default, skip_serializing_if = "String::is_empty")]
    pub destination: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sampling: i64,
}

/// The account's `nats` payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub imports: Vec<Import>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "default_on_null"
    )]
    pub exports: Vec<Export>,
    #[serde(default)]
    pub limits: OperatorLimits,
    #[serde(default, skip_serializing_if = "SigningKeys::is_empty")]
    pub signing_keys: SigningKeys,
    #[serde(default, skip_serializing_if = "RevocationList::is_empty")]
    pub revocations: RevocationList,
    #[serde(default)]
    pub default_permissions: Permissions,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mappings: BTreeMap<String, Vec<WeightedMapping>>,
    // Written only when set: Go 2.3 had no such field, and byte parity with its JWTs matters.
    #[serde(default, skip_serializing_if = "ExternalAuthorization::is_empty")]
    pub authorization: ExternalAuthorization,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<MsgTrace>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster_traffic: String,
    #[serde(flatten)]
    pub info: Info,
    #[serde(flatten)]
    pub generic: GenericFields,
}

pub type AccountClaims = Claims<Account>;

impl AccountClaims {
    /// New account claims with Go's `NewAccountClaims` defaults (unlimited, JetStream off).
    pub fn new(subject: impl Into<String>) -> Self {
        Claims::with_payload(
            subject,
            Account {
                limits: OperatorLimits::unlimited(),
                ..Default::default()
            },
        )
    }

    /// Go's `AccountClaims.DidSign` for a user or activation JWT: issued by the account, or by
    /// one of its signing keys with `issuer_account` naming the account.
    pub fn did_sign(&self, issuer: &str, issuer_account: &str) -> bool {
        issuer == self.subject
            || (issuer_account == self.subject && self.nats.signing_keys.contains(issuer))
    }

    /// Revokes JWTs about `public_key` (or `*`) issued at or before `at`.
    pub fn revoke_at(&mut self, public_key: &str, at: i64) {
        revocations::revoke(&mut self.nats.revocations, public_key, at);
    }

    pub fn clear_revocation(&mut self, public_key: &str) {
        self.nats.revocations.remove(public_key);
    }

    /// Is a JWT about `public_key` issued at `issued_at` revoked by this account?
    pub fn is_revoked(&self, public_key: &str, issued_at: i64) -> bool {
        revocations::is_revoked(&self.nats.revocations, public_key, issued_at)
    }
}

fn validate_trace(trace: &MsgTrace, vr: &mut ValidationResults) {
    let mut dest = ValidationResults::new();
    validate_subject(&trace.destination, &mut dest);
    if let Some(first) = dest.issues.first() {
        vr.add_error(format!(
            "the account Trace.Destination {}",
            first.description
        ));
    }
    if has_wildcards(&trace.destination) {
        vr.add_error(format!(
            "the account Trace.Destination subject {:?} is not a valid publish subject",
            trace.destination
        ));
    }
    if !(0..=100).contains(&trace.sampling) {
        vr.add_error(format!(
            "the account Trace.Sampling value '{}' is not valid, should be in the range [1..100]",
            trace.sampling
        ));
    }
}

fn validate_cluster_traffic(value: &str) -> Option<String> {
    match value {
        "" | "system" | "owner" => None,
        _ => match value.strip_prefix("account:") {
            Some(id) if !id.starts_with('A') => {
                Some("cluster traffic should be an account public key".into())
            }
            Some(id) if !is_valid_public_account_key(id) => {
                Some("cluster traffic is not a public account key".into())
            }
            Some(_) => None,
            None => Some(format!("unknown cluster traffic option: {value:?}")),
        },
    }
}

impl Payload for Account {
    const CLAIM_TYPE: ClaimType = ClaimType::Account;
    const ISSUERS: &'static [KeyType] = &[KeyType::Account, KeyType::Operator];
    const SUBJECT: Option<(KeyType, &'static str)> = Some((KeyType::Account, "account public key"));

    fn generic(&self) -> &GenericFields {
        &self.generic
    }
    fn generic_mut(&mut self) -> &mut GenericFields {
        &mut self.generic
    }

    fn validate(claims: &Claims<Self>, vr: &mut ValidationResults) {
        let a = &claims.nats;
        validate_imports(&a.imports, &claims.subject, vr);
        validate_exports(&a.exports, vr);
        a.limits.validate(vr);
        a.default_permissions.validate(vr);
        validate_mappings(&a.mappings, vr);
        a.authorization.validate(vr);
        if let Some(trace) = &a.trace {
            validate_trace(trace, vr);
        }
        let limits = &a.limits;
        // Go checks the import count twice (once guarded by "limits not empty"): two errors.
        if !limits.is_empty() && limits.imports >= 0 && a.imports.len() as i64 > limits.imports {
            vr.add_error("the account contains more imports than allowed by the operator");
        }
        if limits.imports != -1 && a.imports.len() as i64 > limits.imports {
            vr.add_error("the account contains more imports than allowed by the operator");
        }
        if limits.exports != -1 {
            if a.exports.len() as i64 > limits.exports {
                vr.add_error("the account contains more exports than allowed by the operator");
            }
            if !limits.wildcard_exports {
                for export in &a.exports {
                    if has_wildcards(&export.subject) {
                        vr.add_error("the account contains wildcard exports that are not allowed by the operator");
                    }
                }
            }
        }
        a.signing_keys.validate(vr);
        a.info.validate(vr);
        if let Some(e) = validate_cluster_traffic(&a.cluster_traffic) {
            vr.add_error(e);
        }
        if is_valid_public_account_key(&claims.issuer) && !a.limits.is_empty() {
            vr.add_warning("self-signed account JWTs shouldn't contain operator limits");
        }
    }

    fn prepare_encode(&mut self) -> crate::Result<()> {
        // Go sorts by subject before signing (a stable sort for the short lists JWTs hold).
        self.exports.sort_by(|a, b| a.subject.cmp(&b.subject));
        self.imports.sort_by(|a, b| a.subject.cmp(&b.subject));
        Ok(())
    }
}
