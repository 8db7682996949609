//! A stream's backup and restore, as two files: `backup.json` (`{config, state}`, what
//! `STREAM.SNAPSHOT` answers and `STREAM.RESTORE` takes) and the snapshot's data.
//!
//! - `GET …/streams/<stream>/snapshot` — the data as a download; the backup JSON comes in the
//!   `Nats-Snapshot` header (base64url). Each chunk is acknowledged to nats-server only when
//!   the next is asked for, so the download's pace is the server's.
//! - `POST …/streams/<stream>/restore` — body: the data, streamed; header `Nats-Snapshot`: the
//!   backup JSON (base64url). Refused by nats-server when the stream exists (10130).

use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jetstream as rules;
use nats_auth::text_encoding::{base64url_decode, base64url_encode};
use serde_json::{json, Value};

use super::{bad_request, connection, failed};
use crate::audit::Record;
use crate::client_addr::ClientAddr;
use crate::console_api::{record_first, ApiError, SignedIn};
use crate::state::AppState;

/// The header that carries a backup's `{config, state}`.
const SNAPSHOT_HEADER: &str = "nats-snapshot";
/// A backup JSON, at most (a stream's configuration and state are a few KB).
const MAX_BACKUP_JSON: usize = 48 * 1024;

/// Writes `action` on `stream` of `account` to the audit log, before it is done.
async fn record_stream_change(
    state: &AppState,
    session: &crate::session::Session,
    client: &ClientAddr,
    action: &'static str,
    account: &str,
    stream: &str,
) -> Result<(), ApiError> {
    let entry = Record::new(session.actor(), client.to_string(), action)
        .subject(account)
        .details(json!({ "stream": stream }));
    record_first(state, entry).await
}

pub async fn snapshot(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Path((account, stream)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    rules::check_name("stream", &stream).map_err(bad_request)?;
    let connection = connection(&session, &account)?;
    record_stream_change(
        &state,
        &session,
        &client,
        "jetstream.stream.snapshot",
        &account,
        &stream,
    )
    .await?;
    let (backup, snapshot) = match connection.snapshot(&stream).await {
        Ok(started) => started,
        Err(e) => return Ok(failed(e)),
    };
    let chunks = futures_util::stream::unfold(snapshot, |mut snapshot| async move {
        snapshot.next_chunk().await.map(|chunk| (chunk, snapshot))
    });
    let backup = HeaderValue::from_str(&base64url_encode(backup.to_string().as_bytes()))
        .map_err(|e| bad_request(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{stream}.snapshot\"");
    let mut response = axum::body::Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(SNAPSHOT_HEADER, backup);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The backup JSON of a restore request: base64url JSON with the stream's `config` and `state`.
fn backup_of(headers: &HeaderMap, stream: &str) -> Result<Value, ApiError> {
    let text = headers
        .get(SNAPSHOT_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            bad_request("the Nats-Snapshot header (the backup JSON, base64url) is required")
        })?;
    if text.len() > MAX_BACKUP_JSON {
        return Err(bad_request("the backup JSON is too big to be one"));
    }
    let bytes = base64url_decode(text.as_bytes())
        .map_err(|_| bad_request("the Nats-Snapshot header is not base64url"))?;
    let backup: Value = serde_json::from_slice(&bytes)
        .map_err(|e| bad_request(format!("the backup is not JSON: {e}")))?;
    let config = backup
        .get("config")
        .ok_or_else(|| bad_request("the backup has no \"config\": it is not a stream backup"))?;
    rules::check_stream_config(config).map_err(|e| bad_request(format!("the backup's {e}")))?;
    if config["name"] != stream {
        return Err(bad_request(format!(
            "the backup is of stream {}, not {stream}",
            config["name"]
        )));
    }
    Ok(json!({"config": config, "state": backup.get("state").cloned().unwrap_or(json!({}))}))
}

pub async fn restore(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Path((account, stream)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    rules::check_name("stream", &stream).map_err(bad_request)?;
    let backup = backup_of(&headers, &stream)?;
    let connection = connection(&session, &account)?;
    record_stream_change(
        &state,
        &session,
        &client,
        "jetstream.stream.restore",
        &account,
        &stream,
    )
    .await?;
    Ok(
        match connection
            .restore(&stream, &backup, body.into_data_stream())
            .await
        {
            Ok(info) => Json(info).into_response(),
            Err(e) => failed(e),
        },
    )
}
