//! `POST /api/v1/nats-link` (admin): gives this console its own NATS link, as a system-account
//! user the browser signed for the console's key.

use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jwt::{self, AnyClaims};

use super::{refuse, SignedIn};
use crate::client_addr::ClientAddr;
use crate::state::AppState;

/// What the web console sends to give this server its NATS link: where NATS is, and a user JWT
/// of the system account issued for the console's own key (no seed).
#[derive(serde::Deserialize)]
struct NatsLinkRequest {
    servers: Vec<String>,
    jwt: String,
}

pub async fn set(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    body: axum::body::Bytes,
) -> Response {
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
    if let Err(failure) = nats_auth::chain::check_user(&user, &sys, Some(&operator.claims)) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("not a user of the system account: {failure}"),
        );
    }
    let issues = user.validate(crate::time::unix_now());
    if issues.is_blocking(true) {
        return refuse(StatusCode::BAD_REQUEST, issues.blocking_summary());
    }
    let entry = crate::audit::Record::new(session.actor(), client.to_string(), "nats-link.set")
        .subject(&user.subject)
        .details(serde_json::json!({ "servers": request.servers, "issuer": user.issuer }));
    if let Err(refused) = super::record_first(&state, entry).await {
        return refused.into_response();
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
    // the people signed in already get their own connections now, as a new sign-in would
    for session in state.sessions.unlinked() {
        session.connect(&state.nats_config, state.nats.servers());
    }
    Json(serde_json::json!({ "status": "connecting" })).into_response()
}
