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
    let nats = |e: &dyn std::fmt::Display| SysRequestError::Nats(e.to_string());
    let inbox = client.new_inbox();
    let mut replies = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| nats(&e))?;
    client
        .publish_with_reply(subject, inbox, payload.to_string().into())
        .await
        .map_err(|e| nats(&e))?;
    client.flush().await.map_err(|e| nats(&e))?;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut gathered = Vec::new();
    let mut wait = DEADLINE;
    let mut waiting_for = expected.clone();
    while gathered.len() < MAX_REPLIES {
        let until = (tokio::time::Instant::now() + wait).min(deadline);
        match tokio::time::timeout_at(until, replies.next()).await {
            Ok(Some(message)) => {
                if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&message.payload) {
                    waiting_for.remove(server_id(&value));
                    gathered.push(value);
                }
                wait = if !expected.is_empty() && waiting_for.is_empty() {
                    NEWCOMER_GAP
                } else {
                    QUIET_GAP
                };
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
