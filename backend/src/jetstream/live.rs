//! Live feeds of an account, for Server-Sent Events: its JetStream advisories and metrics
//! (`$JS.EVENT.ADVISORY.>`, `$JS.EVENT.METRIC.>`, published into the account only while
//! someone subscribes), and a key-value bucket's changes through an ephemeral push consumer
//! that nats-server removes by itself once the watch is gone.

use std::time::Duration;

use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::JetStreamError;
use crate::session::AccountConnection;

/// An ephemeral watch consumer left behind (the browser went away) is removed after this.
const WATCH_INACTIVE: Duration = Duration::from_secs(30);

/// What a feed yields: an SSE event name and its JSON.
pub type LiveFeed = BoxStream<'static, (&'static str, Value)>;

fn text_or_json(payload: &[u8]) -> Value {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

impl AccountConnection {
    /// The account's advisories and metrics, as they are published.
    pub async fn advisories(&self) -> Result<LiveFeed, JetStreamError> {
        let subscribe = |subject: &'static str| async move {
            self.client
                .subscribe(subject)
                .await
                .map_err(|e| JetStreamError::Nats(e.to_string()))
        };
        let advisories = subscribe("$JS.EVENT.ADVISORY.>").await?;
        let metrics = subscribe("$JS.EVENT.METRIC.>").await?;
        let feed = stream::select(advisories, metrics).map(|message| {
            let name = if message.subject.starts_with("$JS.EVENT.METRIC.") {
                "metric"
            } else {
                "advisory"
            };
            (
                name,
                json!({"subject": message.subject.as_str(), "event": text_or_json(&message.payload)}),
            )
        });
        Ok(feed.boxed())
    }

    /// The changes of key-value bucket `bucket`: every key's current value first (`updates_only`
    /// false), then each put, delete and purge as it happens.
    pub async fn watch_bucket(
        &self,
        bucket: &str,
        updates_only: bool,
    ) -> Result<LiveFeed, JetStreamError> {
        let inbox = self.client.new_inbox();
        let subscription = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        let stream = format!("KV_{bucket}");
        let prefix = format!("$KV.{bucket}.");
        let request = json!({
            "stream_name": stream,
            "config": {
                "deliver_subject": inbox,
                "deliver_policy": if updates_only { "new" } else { "last_per_subject" },
                "ack_policy": "none",
                "replay_policy": "instant",
                "filter_subject": format!("{prefix}>"),
                "inactive_threshold": WATCH_INACTIVE.as_nanos() as u64,
                "num_replicas": 1,
                "mem_storage": true,
            },
        });
        self.api(&format!("$JS.API.CONSUMER.CREATE.{stream}"), &request)
            .await?;
        let feed = subscription.filter_map(move |message| {
            let prefix = prefix.clone();
            async move {
                // heartbeats and flow control carry a status; only entries count
                if message.status.is_some() {
                    return None;
                }
                let key = message.subject.strip_prefix(prefix.as_str())?.to_string();
                let header = |name: &str| {
                    message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(name))
                        .map(|v| v.as_str().to_string())
                };
                let operation = header("KV-Operation").unwrap_or_else(|| "PUT".into());
                // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.…: the revision
                let revision = message
                    .reply
                    .as_ref()
                    .and_then(|r| r.split('.').nth(5).and_then(|t| t.parse::<u64>().ok()));
                Some((
                    "entry",
                    json!({
                        "key": key,
                        "operation": operation,
                        "revision": revision,
                        "value": nats_auth::text_encoding::base64_encode(&message.payload),
                    }),
                ))
            }
        });
        Ok(feed.boxed())
    }
}
