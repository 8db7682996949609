//! The console API (`/api/v1`, JSON): what the web app shows about this server and its store.
//! Read-only views of public data: JWTs and keys, never seeds.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use nats_auth::jwt::{self, AnyClaims};
use serde::Serialize;

use crate::account_server::AppState;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/info", get(info))
        .route("/api/v1/accounts", get(accounts))
}

#[derive(Serialize)]
struct OperatorInfo {
    name: String,
    key: String,
    signing_keys: Vec<String>,
    system_account: String,
    account_server_url: String,
    strict_signing_key_usage: bool,
}

#[derive(Serialize)]
struct Info {
    version: &'static str,
    operator: Option<OperatorInfo>,
    system_account: Option<String>,
    store: &'static str,
    read_only: bool,
    replica_of: Option<String>,
    /// "not configured", "connecting" or "connected"
    nats: &'static str,
    accounts: usize,
}

async fn info(State(state): State<Arc<AppState>>) -> Json<Info> {
    let operator = state.operator.as_ref().map(|o| OperatorInfo {
        name: o.claims.name.clone(),
        key: o.claims.subject.clone(),
        signing_keys: o.claims.nats.signing_keys.clone(),
        system_account: o.claims.nats.system_account.clone(),
        account_server_url: o.claims.nats.account_server_url.clone(),
        strict_signing_key_usage: o.claims.nats.strict_signing_key_usage,
    });
    Json(Info {
        version: crate::server::VERSION,
        system_account: operator
            .as_ref()
            .map(|o| o.system_account.clone())
            .filter(|s| !s.is_empty()),
        operator,
        store: state.store.kind(),
        read_only: state.store.is_read_only() || state.primary.is_some(),
        replica_of: state.primary.as_ref().map(|p| p.url.clone()),
        nats: match (state.nats.is_configured(), state.nats.client().is_some()) {
            (false, _) => "not configured",
            (true, false) => "connecting",
            (true, true) => "connected",
        },
        accounts: state.store.all().len(),
    })
}

#[derive(Serialize)]
struct Limits {
    conn: i64,
    leaf: i64,
    subs: i64,
    data: i64,
    payload: i64,
    imports: i64,
    exports: i64,
    jetstream: bool,
}

#[derive(Serialize)]
struct AccountSummary {
    name: String,
    key: String,
    issuer: String,
    issued_at: i64,
    expires: i64,
    jti: String,
    limits: Limits,
    signing_keys: Vec<String>,
    revocations: usize,
    exports: usize,
    imports: usize,
    /// "ok", "expired", "not yet valid", "invalid: …" or "untrusted: …"
    status: String,
}

async fn accounts(State(state): State<Arc<AppState>>) -> Response {
    let now = crate::account_server::update::now();
    let operator = state.operator.as_ref().map(|o| &o.claims);
    let list: Vec<AccountSummary> = state
        .store
        .all()
        .into_iter()
        .filter_map(|stored| {
            let AnyClaims::Account(a) = jwt::decode(&stored.jwt).ok()? else {
                return None;
            };
            let issues = a.validate(now);
            let status =
                if let Some(Err(f)) = operator.map(|op| nats_auth::chain::check_account(&a, op)) {
                    format!("untrusted: {f}")
                } else if issues
                    .issues
                    .iter()
                    .any(|i| i.description == "claim is expired")
                {
                    "expired".into()
                } else if issues
                    .issues
                    .iter()
                    .any(|i| i.description == "claim is not yet valid")
                {
                    "not yet valid".into()
                } else if issues.is_blocking(false) {
                    format!("invalid: {}", issues.blocking_summary())
                } else {
                    "ok".into()
                };
            let l = &a.nats.limits;
            Some(AccountSummary {
                name: a.name.clone(),
                key: a.subject.clone(),
                issuer: a.issuer.clone(),
                issued_at: a.issued_at,
                expires: a.expires,
                jti: a.id.clone(),
                limits: Limits {
                    conn: l.conn,
                    leaf: l.leaf_node_conn,
                    subs: l.subs,
                    data: l.data,
                    payload: l.payload,
                    imports: l.imports,
                    exports: l.exports,
                    jetstream: l.is_jetstream_enabled(),
                },
                signing_keys: a.nats.signing_keys.keys().map(str::to_string).collect(),
                revocations: a.nats.revocations.len(),
                exports: a.nats.exports.len(),
                imports: a.nats.imports.len(),
                status,
            })
        })
        .collect();
    Json(list).into_response()
}
