//! Reading a stream and a pull consumer: pages of messages by `STREAM.MSG.GET` (no consumer
//! sees them), fetching the next messages of a pull consumer, acknowledging them.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};

use super::{concerns, JetStreamError, MAX_FETCH, MAX_FETCH_WAIT, MAX_PAGE, NO_MESSAGE_FOUND};
use crate::session::AccountConnection;

impl AccountConnection {
    /// One page of `stream`'s messages from sequence `from` on (or from `start_time`, RFC 3339),
    /// those on `subject` only (a filter, `>` for all): read one by one with `STREAM.MSG.GET`,
    /// which no consumer sees. `next` is where the following page starts.
    pub async fn messages(
        &self,
        stream: &str,
        from: Page,
        subject: &str,
        limit: usize,
    ) -> Result<MessagePage, JetStreamError> {
        let subject_filter = format!("$JS.API.STREAM.MSG.GET.{stream}");
        let mut messages = Vec::with_capacity(limit.min(MAX_PAGE));
        let mut request = match &from {
            Page::Sequence(seq) => json!({"seq": (*seq).max(1), "next_by_subj": subject}),
            Page::Time(time) => json!({"start_time": time, "next_by_subj": subject}),
        };
        let mut next = None;
        for _ in 0..limit.min(MAX_PAGE) {
            match self.api(&subject_filter, &request).await {
                Ok(answer) => {
                    let message = &answer["message"];
                    let seq = message["seq"].as_u64().unwrap_or(0);
                    messages.push(message.clone());
                    next = Some(seq + 1);
                    request = json!({"seq": seq + 1, "next_by_subj": subject});
                }
                Err(JetStreamError::Api { err_code, .. }) if err_code == NO_MESSAGE_FOUND => {
                    next = None;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(MessagePage { messages, next })
    }

    /// Fetches up to `batch` messages from pull consumer `consumer` of `stream`, waiting at most
    /// `wait` for them. They stay unacknowledged until [`AccountConnection::ack`].
    pub async fn next_messages(
        &self,
        stream: &str,
        consumer: &str,
        batch: usize,
        wait: Duration,
    ) -> Result<Vec<Fetched>, JetStreamError> {
        let batch = batch.clamp(1, MAX_FETCH);
        let wait = wait.clamp(Duration::from_millis(100), MAX_FETCH_WAIT);
        let subject = format!("$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}");
        let inbox = self.client.new_inbox();
        let mut subscription = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        let mut violations = self.violations.subscribe();
        let request = json!({"batch": batch, "expires": wait.as_nanos() as u64});
        self.client
            .publish_with_reply(subject.clone(), inbox, request.to_string().into())
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        let deadline = tokio::time::Instant::now() + wait + Duration::from_secs(1);
        let mut fetched = Vec::new();
        while fetched.len() < batch {
            let message = tokio::select! {
                m = subscription.next() => m,
                _ = tokio::time::sleep_until(deadline) => None,
                v = violations.recv() => match v {
                    Ok(v) if concerns(&v, &subject) => {
                        return Err(JetStreamError::PermissionDenied(v))
                    }
                    _ => continue,
                },
            };
            let Some(message) = message else { break };
            if let Some(status) = message.status {
                // 404 no messages, 408 request expired, 409 consumer gone or limits: the end
                let code = status.as_u16();
                if fetched.is_empty() && code == 503 {
                    return Err(JetStreamError::NoResponders(subject));
                }
                if fetched.is_empty() && code == 409 {
                    return Err(JetStreamError::Api {
                        code: 409,
                        err_code: 0,
                        description: message
                            .description
                            .unwrap_or_else(|| "the consumer refused the fetch".into()),
                    });
                }
                if code != 100 {
                    break;
                }
                continue;
            }
            fetched.push(Fetched::of(&message));
        }
        let _ = subscription.unsubscribe().await;
        Ok(fetched)
    }

    /// Acknowledges a fetched message: `payload` (`+ACK`, `-NAK`, `+TERM`, `+WPI`) to its
    /// reply subject, which `nats_auth::jetstream::check_ack_subject` has accepted.
    pub async fn ack(&self, reply: &str, payload: &'static str) -> Result<(), JetStreamError> {
        let mut violations = self.violations.subscribe();
        self.client
            .publish(reply.to_string(), Bytes::from_static(payload.as_bytes()))
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        self.client
            .flush()
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        // a violation comes back before the flush's PONG
        while let Ok(v) = violations.try_recv() {
            if concerns(&v, reply) {
                return Err(JetStreamError::PermissionDenied(v));
            }
        }
        Ok(())
    }
}

/// Where a page of messages starts.
#[derive(Debug, Clone)]
pub enum Page {
    Sequence(u64),
    /// RFC 3339
    Time(String),
}

/// A page of a stream's messages as `STREAM.MSG.GET` gives them (`subject`, `seq`, `time`,
/// `hdrs` and `data` in base64).
#[derive(Debug, Serialize)]
pub struct MessagePage {
    pub messages: Vec<Value>,
    /// The sequence the next page starts at; `None` at the end of the stream.
    pub next: Option<u64>,
}

/// A message fetched from a consumer, with what its reply subject says about its delivery.
#[derive(Debug, Serialize)]
pub struct Fetched {
    pub subject: String,
    /// Where the acknowledgement goes.
    pub reply: String,
    pub stream_seq: Option<u64>,
    pub consumer_seq: Option<u64>,
    pub delivered: Option<u64>,
    pub pending: Option<u64>,
    /// Headers as `[name, value]` pairs.
    pub headers: Vec<(String, String)>,
    /// The payload in base64.
    pub data: String,
}

impl Fetched {
    fn of(message: &async_nats::Message) -> Fetched {
        let reply = message
            .reply
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or_default();
        // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>, or with
        // <domain>.<account hash> before the stream and a token after (v2)
        let tokens: Vec<&str> = reply.split('.').collect();
        let at = match tokens.len() {
            9 => 4,
            n if n >= 12 => 6,
            _ => usize::MAX,
        };
        let number = |i: usize| tokens.get(at.wrapping_add(i)).and_then(|t| t.parse().ok());
        let headers = message
            .headers
            .iter()
            .flat_map(|h| h.iter())
            .flat_map(|(name, values)| {
                values
                    .iter()
                    .map(move |v| (name.to_string(), v.as_str().to_string()))
            })
            .collect();
        Fetched {
            subject: message.subject.to_string(),
            stream_seq: number(1),
            consumer_seq: number(2),
            delivered: number(0),
            pending: number(4),
            reply,
            headers,
            data: nats_auth::text_encoding::base64_encode(&message.payload),
        }
    }
}
