//! `/api/v1/jetstream/<account>/…`: an account's JetStream, acted on as a user of that account.
//! A team acts on its own account with its session's connection; anyone else first links the
//! account (`POST …/link` with a user JWT of that account that their browser signed for a
//! sign-in key, checked by `nats_auth::session` as a sign-in is). nats-server checks every
//! permission; names, subjects and configurations are checked by `nats_auth::jetstream` before
//! anything is sent. Changes are written to the audit log first.
//!
//! - here: `GET …` (who the console acts as for the account), `POST`/`DELETE …/link`, and
//!   `POST …/api/<op>` (one `$JS.API.<op>` request, body its JSON: the server's answer)
//! - `messages.rs`: browsing, export, publish, fetch and ack
//! - `backup.rs`: a stream's snapshot download and restore upload
//! - `live.rs`: advisories and key-value watches (Server-Sent Events)
//! - `objects.rs`: object downloads

mod backup;
mod live;
mod messages;
mod objects;

use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jetstream::{self as rules, api_op};
use nats_auth::jwt::{self, AnyClaims};
use nats_auth::session::check_sign_in;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{record_first, ApiError, SignedIn};
use crate::audit::Record;
use crate::client_addr::ClientAddr;
use crate::jetstream::JetStreamError;
use crate::session::AccountConnection;
use crate::state::AppState;

/// Configurations kept in an audit entry, at most (bigger ones are named, not copied).
const MAX_AUDITED_BODY: usize = 16 * 1024;

pub(super) fn bad_request(reason: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, reason.to_string())
}

pub(super) fn connection(
    session: &crate::session::Session,
    account: &str,
) -> Result<AccountConnection, ApiError> {
    session.connection_for(account).map_err(|reason| {
        let status = if reason.contains("no NATS connection") {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::CONFLICT
        };
        ApiError(status, reason)
    })
}

/// A JetStream failure as the console API reports it (with the server's codes).
pub(super) fn failed(e: JetStreamError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    (status, Json(e.to_json())).into_response()
}

fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| bad_request(format!("the request is not JSON: {e}")))
}

/// `GET /api/v1/jetstream/<account>`: how the console acts for the account in this session.
pub async fn status(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
) -> Response {
    let (acting_as, nats, expires) = if session.grant.account == account {
        ("session", session.link().describe(), session.grant.expires)
    } else if let Some(link) = session.account_link(&account) {
        ("link", link.link().describe(), link.grant.expires)
    } else {
        ("nobody", String::new(), 0)
    };
    Json(json!({"account": account, "acting_as": acting_as, "nats": nats, "expires": expires}))
        .into_response()
}

#[derive(Deserialize)]
struct LinkRequest {
    jwt: String,
}

/// `POST /api/v1/jetstream/<account>/link`: act for `account` with a user JWT of it.
pub async fn link(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Path(account): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: LinkRequest = serde_json::from_slice(&body).map_err(|_| {
        bad_request("expected {\"jwt\": \"<user JWT of the account, signed for a sign-in key>\"}")
    })?;
    let operator = state.operator.get().ok_or_else(|| {
        ApiError(
            StatusCode::CONFLICT,
            "this console trusts no operator".into(),
        )
    })?;
    let token = request.jwt.trim();
    let subject = match jwt::decode(token) {
        Ok(AnyClaims::User(user)) => user.subject,
        Ok(other) => {
            return Err(bad_request(format!(
                "expected a user JWT, not {}",
                other.claim_type().as_str()
            )))
        }
        Err(e) => return Err(bad_request(format!("the JWT does not decode: {e}"))),
    };
    if !state.sessions.is_pending(&subject) {
        return Err(crate::session::SessionError::UnknownKey(subject).into());
    }
    let stored_account = |key: &str| state.stored_account(key);
    let grant = check_sign_in(
        token,
        &subject,
        &operator.claims,
        stored_account,
        crate::time::unix_now(),
    )
    .map_err(|refusal| ApiError(StatusCode::FORBIDDEN, refusal.to_string()))?;
    if grant.account != account {
        return Err(bad_request(format!(
            "the JWT is a user of account {}, not of {account}",
            grant.account
        )));
    }
    let from = client.to_string();
    record_first(
        &state,
        Record::new(session.actor(), from.clone(), "jetstream.account.linked")
            .subject(&account)
            .details(json!({"user": grant.user, "signer": grant.signer, "expires": grant.expires})),
    )
    .await?;
    let link = state.sessions.open_account_link(grant, token, &from)?;
    session.add_account_link(link.clone())?;
    link.connect(&state.nats_config, state.nats.servers());
    Ok(Json(json!({
        "account": account,
        "acting_as": "link",
        "nats": link.link().describe(),
        "expires": link.grant.expires,
    }))
    .into_response())
}

/// `DELETE /api/v1/jetstream/<account>/link`.
pub async fn unlink(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
) -> Result<Response, ApiError> {
    match session.remove_account_link(&account) {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("your session has no link to account {account}"),
        )),
    }
}

/// `POST /api/v1/jetstream/<account>/api/<op>`: one JetStream API request.
pub async fn api(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Path((account, op)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let op = api_op(&op).map_err(bad_request)?;
    let body = parse_body(&body)?;
    op.check_body(&body).map_err(bad_request)?;
    let connection = connection(&session, &account)?;
    if op.change == Some("jetstream.stream.update") {
        // what nats-server would refuse to change is refused here, with the field named
        let stream = op.stream.as_deref().unwrap_or_default();
        let current = match connection
            .api(&format!("$JS.API.STREAM.INFO.{stream}"), &Value::Null)
            .await
        {
            Ok(info) => info,
            Err(e) => return Ok(failed(e)),
        };
        rules::check_stream_update(&current["config"], &body).map_err(bad_request)?;
    }
    if let Some(change) = op.change {
        let mut details = json!({"request": op.subject});
        if !body.is_null() && body.to_string().len() <= MAX_AUDITED_BODY {
            details["body"] = body.clone();
        }
        record_first(
            &state,
            Record::new(session.actor(), client.to_string(), change)
                .subject(&account)
                .details(details),
        )
        .await?;
    }
    Ok(match connection.api(&op.subject, &body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => failed(e),
    })
}

pub use backup::{restore, snapshot};
pub use live::{advisories, watch_bucket};
pub use messages::{ack, export, messages, next, publish};
pub use objects::download_object;
