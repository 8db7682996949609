//! The cluster's own resolver (nats-resolver), admin only, over the session's NATS connection:
//! `GET /api/v1/nats-resolver` (what each server holds, compared with this console's store),
//! `POST /api/v1/nats-resolver/accounts/<key>` (push the stored JWT; every server's answer),
//! `POST /api/v1/nats-resolver/delete` (body: the operator-signed delete request the browser
//! signed; every server's answer). Changes are written to the audit log first.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jwt::{self, AnyClaims};

use super::{record_first, ApiError, SignedIn};
use crate::client_addr::ClientAddr;
use crate::nats_resolver::{self, ServerAnswer, MAX_COMPARED};
use crate::state::AppState;

const NO_RESOLVER: &str = "no server answered $SYS.REQ.CLAIMS.LIST: the servers resolve accounts through a URL (not nats-resolver), or none is reachable";

fn client_of(session: &crate::session::Session) -> Result<async_nats::Client, ApiError> {
    session
        .nats_client()
        .map_err(|reason| ApiError(StatusCode::SERVICE_UNAVAILABLE, reason))
}

fn bad_gateway(e: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::BAD_GATEWAY, e.to_string())
}

pub async fn report(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
) -> Result<Response, ApiError> {
    let client = client_of(&session)?;
    let servers = nats_resolver::list(&client).await.map_err(bad_gateway)?;
    if servers.is_empty() {
        return Err(ApiError(StatusCode::BAD_GATEWAY, NO_RESOLVER.into()));
    }
    // bounded on both sides: the report lists at most MAX_COMPARED accounts of each
    let stored = state.store.all();
    let store_truncated = stored.len() > MAX_COMPARED;
    let here: BTreeMap<String, String> = stored
        .into_iter()
        .take(MAX_COMPARED)
        .map(|s| (s.account, s.jwt.to_string()))
        .collect();
    let listed: std::collections::BTreeSet<&String> =
        servers.iter().flat_map(|s| s.accounts.iter()).collect();
    let compared: Vec<String> = listed.into_iter().take(MAX_COMPARED).cloned().collect();
    let truncated = compared.len() == MAX_COMPARED || store_truncated;
    let versions = nats_resolver::lookup_all(&client, compared, servers.len())
        .await
        .map_err(bad_gateway)?;
    let accounts = nats_resolver::reconcile(&here, &servers, &versions);
    let servers: Vec<serde_json::Value> = servers
        .iter()
        .map(|s| {
            serde_json::json!({
                "server": s.server, "server_id": s.server_id, "accounts": s.accounts.len()
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "servers": servers,
        "accounts": accounts,
        "truncated": truncated,
    }))
    .into_response())
}

/// Every server's answer, or 502 when none came.
fn answered(answers: Vec<ServerAnswer>, subject: &str) -> Result<Response, ApiError> {
    if answers.is_empty() {
        return Err(ApiError(
            StatusCode::BAD_GATEWAY,
            format!("no server answered {subject}: {NO_RESOLVER}"),
        ));
    }
    Ok(Json(serde_json::json!({ "answers": answers })).into_response())
}

pub async fn push(
    State(state): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
) -> Result<Response, ApiError> {
    if !nats_auth::nkeys::is_valid_public_account_key(&account) {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("{account:.64} is not an account public key"),
        ));
    }
    let Some(stored) = state.store.get(&account) else {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("account {account} is not stored here: store it first"),
        ));
    };
    let client = client_of(&session)?;
    let entry = crate::audit::Record::new(session.actor(), from.to_string(), "resolver.push")
        .subject(&account)
        .details(serde_json::json!({ "jti": stored.jti }));
    record_first(&state, entry).await?;
    let answers = nats_resolver::push(&client, &stored.jwt)
        .await
        .map_err(bad_gateway)?;
    answered(answers, "$SYS.REQ.CLAIMS.UPDATE")
}

pub async fn delete(
    State(state): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let bad = |reason: String| ApiError(StatusCode::BAD_REQUEST, reason);
    let text = std::str::from_utf8(&body)
        .map_err(|_| bad("expected the delete request JWT as text".into()))?
        .trim();
    let request = match jwt::decode(text) {
        Ok(AnyClaims::Generic(g)) => g,
        Ok(other) => {
            return Err(bad(format!(
                "expected an operator-signed delete request (a generic claim), got a {} JWT",
                other.claim_type().as_str()
            )))
        }
        Err(e) => return Err(bad(format!("bad delete request: {e}"))),
    };
    let trusted = state.operator.get().ok_or_else(|| {
        ApiError(
            StatusCode::CONFLICT,
            "this console trusts no operator yet".into(),
        )
    })?;
    let accounts = nats_auth::chain::check_resolver_deletion(&request, &trusted.claims)
        .map_err(|f| ApiError(StatusCode::FORBIDDEN, f.to_string()))?;
    let issues = AnyClaims::Generic(request.clone()).validate(crate::time::unix_now());
    if issues.is_blocking(true) {
        return Err(bad(format!(
            "the delete request is not valid now: {}",
            issues.blocking_summary()
        )));
    }
    let client = client_of(&session)?;
    let entry = crate::audit::Record::new(session.actor(), from.to_string(), "resolver.delete")
        .subject(accounts.join(","))
        .details(serde_json::json!({ "accounts": accounts, "signed_by": request.issuer }));
    record_first(&state, entry).await?;
    let answers = nats_resolver::delete(&client, text)
        .await
        .map_err(bad_gateway)?;
    answered(answers, "$SYS.REQ.CLAIMS.DELETE")
}
