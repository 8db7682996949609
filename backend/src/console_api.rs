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
        .route("/api/v1/nats-link", axum::routing::post(set_nats_link))
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
    nats_servers: Vec<String>,
    /// The user key a system-account JWT must be issued for to give this console a NATS link.
    nats_console_key: String,
    accounts: usize,
}

async fn info(State(state): State<Arc<AppState>>) -> Json<Info> {
    let trusted = state.operator.get();
    let operator = trusted.as_ref().map(|o| OperatorInfo {
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
        nats_servers: state.nats.servers(),
        nats_console_key: state.nats.console_public_key(),
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

async fn accounts(State(state): State<Arc<AppState>>) -> Response {
    let now = crate::account_server::update::now();
    let trusted = state.operator.get();
    let operator = trusted.as_ref().map(|o| &o.claims);
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

/// What the web console sends to give this server its NATS link: where NATS is, and a user JWT
/// of the system account issued for the console's own key (no seed).
#[derive(serde::Deserialize)]
struct NatsLinkRequest {
    servers: Vec<String>,
    jwt: String,
}

/// A refusal as the console API reports it: `{"error": reason}`.
fn refuse(status: axum::http::StatusCode, reason: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": reason.into() }))).into_response()
}

async fn set_nats_link(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    use axum::http::StatusCode;
    let Ok(request) = serde_json::from_slice::<NatsLinkRequest>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "expected {\"servers\": [\"nats://host:port\"], \"jwt\": \"<user JWT>\"}",
        );
    };
    if request.servers.is_empty() || request.servers.len() > 16 {
        return refuse(StatusCode::BAD_REQUEST, "servers: one to 16 NATS URLs");
    }
    if let Some(bad) = request
        .servers
        .iter()
        .find(|s| s.len() > 256 || !["nats://", "tls://"].iter().any(|p| s.starts_with(p)))
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("{bad:.64}: not a nats:// or tls:// URL"),
        );
    }
    if state.nats.client().is_some() {
        return refuse(
            StatusCode::CONFLICT,
            "this console is already connected to NATS",
        );
    }
    let Some(operator) = state.operator.get() else {
        return refuse(StatusCode::BAD_REQUEST, "no operator: push one first");
    };
    let system_account = operator.claims.nats.system_account.clone();
    let Some(AnyClaims::Account(sys)) = state
        .store
        .get(&system_account)
        .and_then(|s| jwt::decode(&s.jwt).ok())
    else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("the system account {system_account} is not stored here: push it first"),
        );
    };
    let user = match jwt::decode(request.jwt.trim()) {
        Ok(AnyClaims::User(u)) => u,
        Ok(other) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "not a user JWT: a {} JWT was sent",
                    other.claim_type().as_str()
                ),
            )
        }
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("bad JWT: {e}")),
    };
    if user.subject != state.nats.console_public_key() {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "the JWT is about {}, not this console's key {}",
                user.subject,
                state.nats.console_public_key()
            ),
        );
    }
    if let Err(failure) = nats_auth::chain::check_user(&user, &sys) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("not a user of the system account: {failure}"),
        );
    }
    let issues = user.validate(crate::account_server::update::now());
    if issues.is_blocking(true) {
        return refuse(StatusCode::BAD_REQUEST, issues.blocking_summary());
    }
    tracing::info!(
        "the web console set up the NATS link to {}",
        request.servers.join(",")
    );
    state.nats.start_with_jwt(
        &state.nats_config,
        request.servers,
        request.jwt.trim().to_string(),
    );
    Json(serde_json::json!({ "status": "connecting" })).into_response()
}
