//! `GET /api/v1/accounts`: the stored accounts with their status under the trusted operator. A
//! team sees its own account alone.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jwt::{self, AnyClaims};
use serde::Serialize;

use super::SignedIn;
use crate::state::AppState;

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
    /// The stored JWT itself: what tells two versions apart (the `jti` hashes only the standard
    /// claims, so two versions signed in the same second share it, as in Go).
    jwt: String,
    limits: Limits,
    signing_keys: Vec<String>,
    revocations: usize,
    exports: usize,
    imports: usize,
    /// "ok", "expired", "not yet valid", "invalid: …" or "untrusted: …"
    status: String,
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
) -> Response {
    let now = crate::time::unix_now();
    let trusted = state.operator.get();
    let operator = trusted.as_ref().map(|o| &o.claims);
    let list: Vec<AccountSummary> = state
        .store
        .all()
        .into_iter()
        .filter(|stored| session.may_see_account(&stored.account))
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
                jwt: stored.jwt.to_string(),
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
