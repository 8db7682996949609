//! Browsing a stream (`GET …/streams/<stream>/messages?seq=|time=&subject=&limit=`, by
//! `STREAM.MSG.GET`), exporting a range (`GET …/streams/<stream>/export?seq=&to=&subject=`, JSON
//! Lines, streamed), publishing (`POST …/publish` `{subject, headers: [[name, value]], data,
//! base64}` → the stream's ack), fetching from a pull consumer
//! (`POST …/streams/<stream>/consumers/<consumer>/next` `{batch, wait_ms}`) and acknowledging
//! (`POST …/ack` `{reply, kind: ack|nak|term|progress}`).

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jetstream as rules;
use serde::Deserialize;
use serde_json::json;

use super::{bad_request, connection, failed};
use crate::console_api::{ApiError, SignedIn};
use crate::jetstream::Page;

/// A payload published from the console, at most (nats-server's default `max_payload`).
const MAX_PUBLISH: usize = 1024 * 1024;

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
