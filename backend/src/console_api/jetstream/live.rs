//! Live feeds as Server-Sent Events, for as long as the page listens: `GET …/advisories` (the
//! account's `$JS.EVENT.ADVISORY.>` and `$JS.EVENT.METRIC.>`) and `GET …/kv/<bucket>/watch`
//! (`?updates_only=true` to skip the current values).

use std::convert::Infallible;

use axum::extract::{Path, RawQuery};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;

use super::{bad_request, connection, failed};
use crate::console_api::{ApiError, SignedIn};
use crate::jetstream::LiveFeed;

fn events(feed: LiveFeed) -> Response {
    let events = feed.map(|(name, data)| {
        Ok::<_, Infallible>(Event::default().event(name).data(data.to_string()))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

pub async fn advisories(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
) -> Result<Response, ApiError> {
    let connection = connection(&session, &account)?;
    Ok(match connection.advisories().await {
        Ok(feed) => events(feed),
        Err(e) => failed(e),
    })
}

/// A key-value bucket name, as the clients take it (`[A-Za-z0-9_-]+`).
pub fn check_bucket(bucket: &str) -> Result<(), ApiError> {
    nats_auth::jetstream::check_bucket_name(bucket).map_err(bad_request)
}

pub async fn watch_bucket(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((account, bucket)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    check_bucket(&bucket)?;
    let updates_only = query.is_some_and(|q| q.split('&').any(|p| p == "updates_only=true"));
    let connection = connection(&session, &account)?;
    Ok(match connection.watch_bucket(&bucket, updates_only).await {
        Ok(feed) => events(feed),
        Err(e) => failed(e),
    })
}
