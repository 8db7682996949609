//! `GET /api/v1/info`: this console, its operator, store and NATS link.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

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
    /// "not configured", "connecting", "connected" or "failing"
    nats: &'static str,
    /// The last error of the link (a server's refusal, a connection failure).
    nats_error: Option<String>,
    nats_servers: Vec<String>,
    /// The user key a system-account JWT must be issued for to give this console a NATS link.
    nats_console_key: String,
    accounts: usize,
    /// Signed-in sessions now.
    sessions: usize,
    /// The audit log's last entry (its hash can be pinned elsewhere).
    audit_head: Option<crate::audit::Head>,
}

pub async fn info(State(state): State<Arc<AppState>>) -> Response {
    let link = state.nats.status();
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
        nats: link.state,
        nats_error: link.error,
        accounts: state.store.count(),
        sessions: state.sessions.count(),
        audit_head: state.audit.as_ref().map(|a| a.head()),
    })
    .into_response()
}
