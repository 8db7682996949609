//! `/api/v1/jetstream/<account>/…`: an account's JetStream, acted on as a user of that account.
//! A team acts on its own account with its session's connection; anyone else first links the
//! account (`POST …/link` with a user JWT of that account that their browser signed for a
//! sign-in key, checked by `nats_auth::session` as a sign-in is). nats-server checks every
//! permission; names, subjects and configurations are checked by `nats_auth::jetstream` before
//! anything is sent. Changes are written to the audit log first.
//!
//! - `GET …` — who the console acts as for the account; `POST`/`DELETE …/link`
//! - `POST …/api/<op>` — one `$JS.API.<op>` request (body: its JSON), the server's answer
//! - `GET …/streams/<stream>/messages?seq=|time=&subject=&limit=` — a page, by `STREAM.MSG.GET`
//! - `GET …/streams/<stream>/export?seq=&to=&subject=` — those messages as JSON Lines, streamed
//! - `POST …/publish` — `{subject, headers: [[name, value]], data, base64}` → the stream's ack
//! - `POST …/streams/<stream>/consumers/<consumer>/next` — `{batch, wait_ms}` → messages
//! - `POST …/ack` — `{reply, kind: ack|nak|term|progress}`

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
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
use crate::jetstream::{JetStreamError, Page};
use crate::session::AccountConnection;
use crate::state::AppState;

/// Configurations kept in an audit entry, at most (bigger ones are named, not copied).
const MAX_AUDITED_BODY: usize = 16 * 1024;
/// A payload published from the console, at most (nats-server's default `max_payload`).
const MAX_PUBLISH: usize = 1024 * 1024;

fn bad_request(reason: impl std::fmt::Display) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, reason.to_string())
}

fn connection(
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
fn failed(e: JetStreamError) -> Response {
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

#[derive(Deserialize)]
pub struct MessagesQuery {
    seq: Option<u64>,
    /// RFC 3339
    time: Option<String>,
    subject: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/jetstream/<account>/streams/<stream>/messages`.
pub async fn messages(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((account, stream)): Path<(String, String)>,
    query: Result<Query<MessagesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_request(e.body_text()))?;
    rules::check_name("stream", &stream).map_err(bad_request)?;
    let subject = query.subject.unwrap_or_else(|| ">".into());
    rules::check_subject(&subject, true).map_err(bad_request)?;
    let from = match (query.seq, query.time) {
        (Some(_), Some(_)) => return Err(bad_request("give seq or time, not both")),
        (_, Some(time)) => {
            if nats_auth::monitoring::rfc3339_nanos(&time).is_none() {
                return Err(bad_request(format!(
                    "time \"{time}\" is not an RFC 3339 time (2026-11-28T10:00:00Z)"
                )));
            }
            Page::Time(time)
        }
        (seq, None) => Page::Sequence(seq.unwrap_or(1)),
    };
    let limit = query
        .limit
        .unwrap_or(25)
        .clamp(1, crate::jetstream::MAX_PAGE);
    let connection = connection(&session, &account)?;
    Ok(
        match connection.messages(&stream, from, &subject, limit).await {
            Ok(page) => Json(page).into_response(),
            Err(e) => failed(e),
        },
    )
}

#[derive(Deserialize)]
pub struct ExportQuery {
    seq: Option<u64>,
    /// The last sequence exported (the stream's end when absent).
    to: Option<u64>,
    subject: Option<String>,
}

/// `GET /api/v1/jetstream/<account>/streams/<stream>/export`: JSON Lines, one message per line
/// as `STREAM.MSG.GET` gives it, read a page at a time while the download goes on (never the
/// whole range in memory). An error after the first line ends the file with an
/// `{"error": …}` line.
pub async fn export(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((account, stream)): Path<(String, String)>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_request(e.body_text()))?;
    rules::check_name("stream", &stream).map_err(bad_request)?;
    let subject = query.subject.unwrap_or_else(|| ">".into());
    rules::check_subject(&subject, true).map_err(bad_request)?;
    let to = query.to.unwrap_or(u64::MAX);
    let connection = connection(&session, &account)?;
    let start = query.seq.unwrap_or(1).max(1);
    let file_name = format!("{stream}.jsonl");
    let lines = futures_util::stream::unfold(Some(start), move |from| {
        let (connection, stream, subject) = (connection.clone(), stream.clone(), subject.clone());
        async move {
            let from = from.filter(|f| *f <= to)?;
            let page = connection
                .messages(
                    &stream,
                    Page::Sequence(from),
                    &subject,
                    crate::jetstream::MAX_PAGE,
                )
                .await;
            Some(match page {
                Ok(page) => {
                    let mut text = String::new();
                    for message in page
                        .messages
                        .iter()
                        .filter(|m| m["seq"].as_u64().unwrap_or(0) <= to)
                    {
                        text.push_str(&message.to_string());
                        text.push('\n');
                    }
                    let next = page.next.filter(|_| !page.messages.is_empty());
                    (Ok::<_, std::convert::Infallible>(text), next)
                }
                Err(e) => (Ok(format!("{}\n", e.to_json())), None),
            })
        }
    });
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-ndjson".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        axum::body::Body::from_stream(lines),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PublishRequest {
    subject: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    data: String,
    /// `data` is base64 (binary payloads).
    #[serde(default)]
    base64: bool,
}

/// `POST /api/v1/jetstream/<account>/publish`.
pub async fn publish(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: PublishRequest = serde_json::from_slice(&body).map_err(|e| {
        bad_request(format!(
            "expected {{\"subject\", \"headers\": [[name, value]], \"data\", \"base64\"}}: {e}"
        ))
    })?;
    rules::check_subject(&request.subject, false).map_err(bad_request)?;
    let payload = if request.base64 {
        nats_auth::text_encoding::base64_decode(request.data.as_bytes())
            .map_err(|e| bad_request(format!("data is not base64 (at byte {})", e.position)))?
    } else {
        request.data.into_bytes()
    };
    if payload.len() > MAX_PUBLISH {
        return Err(bad_request(format!(
            "a payload is at most {MAX_PUBLISH} bytes here"
        )));
    }
    let mut headers = async_nats::HeaderMap::new();
    for (name, value) in &request.headers {
        let valid_name =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !valid_name || value.contains(['\r', '\n']) {
            return Err(bad_request(format!(
                "header \"{name}\": a name is printable ASCII without ':', a value one line"
            )));
        }
        headers.append(name.as_str(), value.as_str());
    }
    let connection = connection(&session, &account)?;
    Ok(
        match connection
            .publish(&request.subject, headers, payload.into())
            .await
        {
            Ok(ack) => Json(ack).into_response(),
            Err(e) => failed(e),
        },
    )
}

#[derive(Deserialize)]
struct NextRequest {
    #[serde(default = "one")]
    batch: usize,
    #[serde(default = "second")]
    wait_ms: u64,
}

fn one() -> usize {
    1
}

fn second() -> u64 {
    1000
}

/// `POST /api/v1/jetstream/<account>/streams/<stream>/consumers/<consumer>/next`.
pub async fn next(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((account, stream, consumer)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    rules::check_name("stream", &stream).map_err(bad_request)?;
    rules::check_name("consumer", &consumer).map_err(bad_request)?;
    let request: NextRequest = if body.is_empty() {
        NextRequest {
            batch: 1,
            wait_ms: 1000,
        }
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad_request(format!("expected {{\"batch\", \"wait_ms\"}}: {e}")))?
    };
    if request.batch == 0 || request.batch > crate::jetstream::MAX_FETCH {
        return Err(bad_request(format!(
            "batch is 1 to {}",
            crate::jetstream::MAX_FETCH
        )));
    }
    let connection = connection(&session, &account)?;
    let wait = Duration::from_millis(request.wait_ms);
    Ok(
        match connection
            .next_messages(&stream, &consumer, request.batch, wait)
            .await
        {
            Ok(messages) => Json(json!({ "messages": messages })).into_response(),
            Err(e) => failed(e),
        },
    )
}

#[derive(Deserialize)]
struct AckRequest {
    reply: String,
    kind: String,
}

/// `POST /api/v1/jetstream/<account>/ack`.
pub async fn ack(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: AckRequest = serde_json::from_slice(&body)
        .map_err(|e| bad_request(format!("expected {{\"reply\", \"kind\"}}: {e}")))?;
    let payload = rules::ack_payload(&request.kind).map_err(bad_request)?;
    rules::check_ack_subject(&request.reply).map_err(bad_request)?;
    let connection = connection(&session, &account)?;
    Ok(match connection.ack(&request.reply, payload).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => failed(e),
    })
}
