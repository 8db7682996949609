//! `/api/v1/session`: sign-in by signature. `POST …/session/key` makes a sign-in key;
//! `POST …/session` takes the user JWT the browser signed for it and, when nats-auth accepts
//! it, sets the session cookie; `GET` shows the session; `DELETE` ends it.

use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nats_auth::jwt::{self, AnyClaims};
use nats_auth::session::{check_sign_in, SignInRefusal};
use serde::Serialize;

use super::{refuse, ApiError};
use crate::audit::{Actor, Record};
use crate::client_addr::ClientAddr;
use crate::session::{Session, SessionError};
use crate::state::AppState;

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> ApiError {
        let status = match e {
            SessionError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            SessionError::TooManyPending
            | SessionError::TooManySessions
            | SessionError::TooManyLinks => StatusCode::SERVICE_UNAVAILABLE,
            SessionError::UnknownKey(_) => StatusCode::BAD_REQUEST,
        };
        ApiError(status, e.to_string())
    }
}

fn session_error(e: SessionError) -> Response {
    ApiError::from(e).into_response()
}

pub async fn new_key(State(state): State<Arc<AppState>>) -> Response {
    match state
        .sessions
        .admit()
        .and_then(|()| state.sessions.new_key())
    {
        Ok(key) => Json(serde_json::json!({ "key": key })).into_response(),
        Err(e) => session_error(e),
    }
}

/// What `GET /api/v1/session` and a sign-in answer.
#[derive(Serialize)]
struct SessionView<'a> {
    #[serde(flatten)]
    grant: &'a nats_auth::session::SessionGrant,
    /// The session's own NATS connection: "not configured", "connecting", "connected" or
    /// "failed: …".
    nats: String,
}

fn view(session: &Session) -> Json<SessionView<'_>> {
    Json(SessionView {
        grant: &session.grant,
        nats: session.link().describe(),
    })
}

#[derive(serde::Deserialize)]
struct SignInRequest {
    jwt: String,
}

/// Refusals of well-formed sign-ins are 403 (not trusted); of malformed ones 400.
fn refusal_status(refusal: &SignInRefusal) -> StatusCode {
    match refusal {
        SignInRefusal::UnknownAccount(_)
        | SignInRefusal::AccountNotTrusted { .. }
        | SignInRefusal::Untrusted(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(e) = state.sessions.admit() {
        return session_error(e);
    }
    let from = client.to_string();
    let refused = |status: StatusCode, reason: String, subject: String| {
        let state = state.clone();
        let from = from.clone();
        async move {
            if state.sessions.admit_refusal_record() {
                let entry = Record::new(Actor::Anonymous, from, "session.refused")
                    .subject(subject)
                    .outcome(reason.clone());
                let _ = state.record(entry).await;
            }
            refuse(status, reason)
        }
    };
    let Ok(request) = serde_json::from_slice::<SignInRequest>(&body) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "expected {\"jwt\": \"<user JWT signed for the sign-in key>\"}".into(),
            String::new(),
        )
        .await;
    };
    let Some(operator) = state.operator.get() else {
        return refused(
            StatusCode::CONFLICT,
            "this console trusts no operator yet: create or import one first".into(),
            String::new(),
        )
        .await;
    };
    let token = request.jwt.trim();
    // the key first: only a key this console made for a sign-in may go on to the full check
    let subject = match jwt::decode(token) {
        Ok(AnyClaims::User(user)) => user.subject,
        Ok(other) => {
            let reason = SignInRefusal::NotAUser(other.claim_type().as_str()).to_string();
            return refused(StatusCode::BAD_REQUEST, reason, String::new()).await;
        }
        Err(e) => {
            let reason = SignInRefusal::BadJwt(e.to_string()).to_string();
            return refused(StatusCode::BAD_REQUEST, reason, String::new()).await;
        }
    };
    if !state.sessions.is_pending(&subject) {
        let reason = SessionError::UnknownKey(subject.clone()).to_string();
        return refused(StatusCode::BAD_REQUEST, reason, subject).await;
    }
    let stored_account = |key: &str| state.stored_account(key);
    let now = crate::time::unix_now();
    let grant = match check_sign_in(token, &subject, &operator.claims, stored_account, now) {
        Ok(grant) => grant,
        Err(refusal) => {
            return refused(refusal_status(&refusal), refusal.to_string(), subject).await;
        }
    };
    let session = match state.sessions.open(grant, token, &from) {
        Ok(session) => session,
        Err(e) => return session_error(e),
    };
    let entry = Record::new(session.actor(), from, "session.signed-in")
        .subject(&session.grant.account)
        .details(serde_json::json!({
            "signer": session.grant.signer,
            "expires": session.grant.expires,
        }));
    if let Err(refused) = super::record_first(&state, entry).await {
        state.sessions.end_id(&session.id);
        return refused.into_response();
    }
    session.connect(&state.nats_config, state.nats.servers());
    tracing::info!(
        "{} signed in as {} of account {} ({})",
        session.grant.name,
        session.grant.role.as_str(),
        session.grant.account_name,
        session.grant.account
    );
    let cookie = crate::session::cookie(Some((&session, now)), state.https);
    ([(header::SET_COOKIE, cookie)], view(&session)).into_response()
}

pub async fn current(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match crate::session::token_of(&headers).and_then(|t| state.sessions.get(&t)) {
        Some(session) => view(&session).into_response(),
        None => refuse(StatusCode::UNAUTHORIZED, "sign in first"),
    }
}

pub async fn sign_out(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    let Some(session) = crate::session::token_of(&headers).and_then(|t| state.sessions.end(&t))
    else {
        return refuse(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let entry = Record::new(session.actor(), client.to_string(), "session.signed-out")
        .subject(&session.grant.account);
    if let Err(e) = state.record(entry).await {
        tracing::error!("{e}");
    }
    (
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            crate::session::cookie(None, state.https),
        )],
    )
        .into_response()
}

/// Ends expired sessions every 15 seconds (closing their NATS connections) and records it.
pub async fn sweep(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
    loop {
        tick.tick().await;
        for session in state.sessions.sweep() {
            let entry = Record::new(session.actor(), session.from.clone(), "session.expired")
                .subject(&session.grant.account);
            let _ = state.record(entry).await;
        }
    }
}
