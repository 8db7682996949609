//! `$SYS` requests that every server answers (`…PING.…`, account-scoped requests): sent on a
//! session's own NATS connection, so nats-server decides what the person may ask; replies are
//! gathered until a quiet gap follows the last one, or the deadline.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt;

/// Wait this long after the latest reply for more.
const QUIET_GAP: Duration = Duration::from_millis(250);
/// Never wait longer than this in all.
const DEADLINE: Duration = Duration::from_secs(2);
/// Replies kept at most (one per server).
const MAX_REPLIES: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum SysRequestError {
    #[error("NATS: {0}")]
    Nats(String),
}

/// Once every expected server answered, wait only this long for servers not seen before (a
/// full quiet gap is waited now and then to find them: `KnownServers::discovery_due`).
const NEWCOMER_GAP: Duration = Duration::from_millis(10);

/// Publishes `payload` on `subject` and returns every JSON reply that arrived in time.
pub async fn gather(
    client: &async_nats::Client,
    subject: String,
    payload: serde_json::Value,
) -> Result<Vec<serde_json::Value>, SysRequestError> {
    gather_expecting(client, subject, payload, &HashSet::new()).await
}

/// [`gather`], ending sooner once a reply came from each server id in `expected`.
pub async fn gather_expecting(
    client: &async_nats::Client,
    subject: String,
    payload: serde_json::Value,
    expected: &HashSet<String>,
) -> Result<Vec<serde_json::Value>, SysRequestError> {
    let mut waiting_for = expected.clone();
    collect(client, subject, payload.to_string().into(), |payload| {
        let value = serde_json::from_slice::<serde_json::Value>(&payload).ok()?;
        waiting_for.remove(server_id(&value));
        Some((value, !expected.is_empty() && waiting_for.is_empty()))
    })
    .await
}

/// Publishes `payload` on `subject` and returns every reply's bytes (replies that are not JSON,
/// as a resolver's `CLAIMS.LOOKUP`), ending sooner once `expected` replies arrived.
pub async fn gather_raw(
    client: &async_nats::Client,
    subject: String,
    payload: bytes::Bytes,
    expected: usize,
) -> Result<Vec<bytes::Bytes>, SysRequestError> {
    let mut count = 0;
    collect(client, subject, payload, |payload| {
        count += 1;
        Some((payload, expected > 0 && count >= expected))
    })
    .await
}

/// The request and the wait: `take` turns a reply into a kept item (or drops it) and says
/// whether every expected server has answered, after which only [`NEWCOMER_GAP`] is waited.
async fn collect<T>(
    client: &async_nats::Client,
    subject: String,
    payload: bytes::Bytes,
    mut take: impl FnMut(bytes::Bytes) -> Option<(T, bool)>,
) -> Result<Vec<T>, SysRequestError> {
    let nats = |e: &dyn std::fmt::Display| SysRequestError::Nats(e.to_string());
    let inbox = client.new_inbox();
    let mut replies = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| nats(&e))?;
    client
        .publish_with_reply(subject, inbox, payload)
        .await
        .map_err(|e| nats(&e))?;
    client.flush().await.map_err(|e| nats(&e))?;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut gathered = Vec::new();
    let mut wait = DEADLINE;
    while gathered.len() < MAX_REPLIES {
        let until = (tokio::time::Instant::now() + wait).min(deadline);
        match tokio::time::timeout_at(until, replies.next()).await {
            Ok(Some(message)) => {
                let mut all_in = false;
                if let Some((item, done)) = take(message.payload) {
                    gathered.push(item);
                    all_in = done;
                }
                wait = if all_in { NEWCOMER_GAP } else { QUIET_GAP };
            }
            Ok(None) | Err(_) => break,
        }
    }
    let _ = replies.unsubscribe().await;
    Ok(gathered)
}

/// The id of the server a reply came from (`{"server":{"id"}}`, or IDZ's bare `{"id"}`).
pub fn server_id(reply: &serde_json::Value) -> &str {
    reply["server"]["id"]
        .as_str()
        .or_else(|| reply["id"].as_str())
        .unwrap_or("")
}
