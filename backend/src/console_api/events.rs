//! `GET /api/v1/events` (admin): the system account's events as Server-Sent Events, from the
//! session's own feed ([`crate::monitor::events`]). Filters: `types=connect,disconnect,…`,
//! `account=<key>`, `server=<name>`. A reader that reconnects with `Last-Event-ID` gets what it
//! missed from the buffer, and a `cut` event for what the buffer no longer holds.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::{refuse, SignedIn};
use crate::monitor::events::{EventFeed, FeedEvent, TYPES};
use crate::state::AppState;

/// Which events a reader asked for.
#[derive(Default)]
struct Filter {
    types: Option<Vec<String>>,
    account: Option<String>,
    server: Option<String>,
}

impl Filter {
    fn parse(query: &str) -> Result<Filter, String> {
        let mut filter = Filter::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if value.len() > 256 {
                return Err(format!("{name:.32} is longer than 256 bytes"));
            }
            match name {
                "types" => {
                    let types: Vec<String> = value.split(',').map(str::to_string).collect();
                    if let Some(bad) = types.iter().find(|t| !TYPES.contains(&t.as_str())) {
                        return Err(format!(
                            "types: {bad:.32} is not one of {}",
                            TYPES.join(", ")
                        ));
                    }
                    filter.types = Some(types);
                }
                "account" => filter.account = Some(value.to_string()),
                "server" => filter.server = Some(value.to_string()),
                other => {
                    return Err(format!(
                        "unknown parameter {other:.32}; events take types, account, server"
                    ))
                }
            }
        }
        Ok(filter)
    }

    fn wants(&self, event: &FeedEvent) -> bool {
        event.kind == "cut"
            || (self
                .types
                .as_ref()
                .is_none_or(|t| t.iter().any(|t| t == event.kind))
                && self.account.as_ref().is_none_or(|a| *a == event.account)
                && self.server.as_ref().is_none_or(|s| *s == event.server))
    }
}

fn sse(feed: &EventFeed, event: &FeedEvent) -> Event {
    Event::default()
        .id(feed.sse_id(event.id))
        .event(event.kind)
        .data(&event.json)
}

fn cut(lost: Option<u64>, reason: String) -> Event {
    Event::default().event("cut").data(
        serde_json::json!({ "type": "cut", "lost": lost, "reason": reason, "time": crate::time::unix_now() })
            .to_string(),
    )
}

pub async fn stream(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let filter = match Filter::parse(raw.as_deref().unwrap_or("")) {
        Ok(filter) => filter,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, reason),
    };
    let feed = match session.events().await {
        Ok(feed) => feed,
        Err(reason) => return refuse(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| feed.last_seen(v));
    let (replay, lost, receiver) = feed.resume(last_seen.and_then(Result::ok));
    let cut = match last_seen {
        Some(Err(())) => Some(cut(
            None,
            format!(
                "the console restarted (this feed began at {}): events since your last one are lost",
                feed.began / 1000
            ),
        )),
        _ if lost > 0 => Some(cut(
            Some(lost),
            format!(
                "{lost} events passed while you were away; the console keeps the last {}",
                crate::monitor::events::BUFFER
            ),
        )),
        _ => None,
    };
    let filter = Arc::new(filter);
    let replayed = {
        let (filter, feed) = (filter.clone(), feed.clone());
        replay
            .into_iter()
            .filter(move |e| filter.wants(e))
            .map(move |e| sse(&feed, &e))
    };
    let head = stream::iter(cut.into_iter().chain(replayed).map(Ok::<_, Infallible>));
    let stopping = state.stopping.subscribe();
    Sse::new(head.chain(live(receiver, filter, feed, stopping)))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// The events to come; a reader that falls behind is told how many it lost. Ends when the
/// console stops (the browser reconnects by itself).
fn live(
    receiver: tokio::sync::broadcast::Receiver<Arc<FeedEvent>>,
    filter: Arc<Filter>,
    feed: Arc<EventFeed>,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(
        (receiver, filter, feed, stopping),
        |(mut receiver, filter, feed, mut stopping)| async move {
            loop {
                let received = tokio::select! {
                    received = receiver.recv() => received,
                    _ = stopping.wait_for(|stop| *stop) => return None,
                };
                match received {
                    Ok(event) if filter.wants(&event) => {
                        return Some((Ok(sse(&feed, &event)), (receiver, filter, feed, stopping)))
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(lost)) => {
                        let cut = cut(Some(lost), format!("this reader fell {lost} events behind"));
                        return Some((Ok(cut), (receiver, filter, feed, stopping)));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    )
}
