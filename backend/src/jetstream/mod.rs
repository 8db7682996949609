//! JetStream for a person, over a connection acting as a user of the account (a session's own,
//! or an account link its browser signed): `$JS.API` requests, browsing a stream's messages
//! with `STREAM.MSG.GET` (never through a consumer, so work-queue and interest streams stay
//! intact), fetching from a pull consumer, acknowledging, publishing. nats-server checks every
//! permission; a request it refuses gets no answer but a `-ERR`, which is reported here as
//! the missing permission instead of a timeout.

mod backup;
mod browse;
mod live;
mod objects;

pub use browse::Page;
pub use live::LiveFeed;

use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};

use crate::session::AccountConnection;

/// How long a `$JS.API` request may take (a stream's creation in a cluster takes a while).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages in one page of a stream, at most.
pub const MAX_PAGE: usize = 256;
/// Messages fetched from a consumer at once, at most.
pub const MAX_FETCH: usize = 256;
/// How long a fetch may wait for messages, at most.
pub const MAX_FETCH_WAIT: Duration = Duration::from_secs(30);
/// nats-server's "no message found" (`JSNoMessageFoundErr`).
pub(crate) const NO_MESSAGE_FOUND: u64 = 10037;

/// Why a JetStream request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum JetStreamError {
    #[error("nats-server refused it: {0}")]
    PermissionDenied(String),
    #[error("no server answered on {0}: JetStream is not enabled for this account, or no stream takes that subject")]
    NoResponders(String),
    #[error("no answer on {0} within {1:?}")]
    Timeout(String, Duration),
    #[error("{0}")]
    Nats(String),
    #[error("the server's answer is not JSON: {0}")]
    BadAnswer(String),
    #[error("the upload broke off: {0}")]
    Upload(String),
    /// The JetStream API's own error (`{"code","err_code","description"}`).
    #[error("{description} (err_code {err_code})")]
    Api {
        code: u16,
        err_code: u64,
        description: String,
    },
}

impl JetStreamError {
    /// The HTTP status the console API answers with.
    pub fn status(&self) -> u16 {
        match self {
            JetStreamError::PermissionDenied(_) => 403,
            JetStreamError::NoResponders(_) => 503,
            JetStreamError::Timeout(..) => 504,
            JetStreamError::Nats(_) | JetStreamError::BadAnswer(_) => 502,
            JetStreamError::Upload(_) => 400,
            JetStreamError::Api { code, .. } if (400..600).contains(code) => *code,
            JetStreamError::Api { .. } => 502,
        }
    }

    /// The error as the console API reports it: the reason, and the server's codes when it gave
    /// them.
    pub fn to_json(&self) -> Value {
        match self {
            JetStreamError::Api {
                code,
                err_code,
                description,
            } => {
                json!({"error": self.to_string(), "code": code, "err_code": err_code, "description": description})
            }
            JetStreamError::PermissionDenied(v) => {
                json!({"error": self.to_string(), "permission": v})
            }
            _ => json!({"error": self.to_string()}),
        }
    }
}

/// The JetStream API error in an answer (`{"error": {"code", "err_code", "description"}}`).
fn api_error(payload: &[u8]) -> JetStreamError {
    let answer: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let error = &answer["error"];
    JetStreamError::Api {
        code: error["code"].as_u64().unwrap_or(500) as u16,
        err_code: error["err_code"].as_u64().unwrap_or(0),
        description: error["description"]
            .as_str()
            .unwrap_or("the server refused it")
            .to_string(),
    }
}

/// An answer of the JetStream API: its JSON, or its error.
fn json_answer(payload: &[u8]) -> Result<Value, JetStreamError> {
    let answer: Value =
        serde_json::from_slice(payload).map_err(|e| JetStreamError::BadAnswer(e.to_string()))?;
    if answer.get("error").is_some() {
        return Err(api_error(payload));
    }
    Ok(answer)
}

/// Does a violation the server reported concern `subject` (publishing to it), or the inbox the
/// answer would come to (subscribing)?
fn concerns(violation: &str, subject: &str) -> bool {
    violation.contains(&format!("\"{subject}\"")) || violation.contains("\"_INBOX.")
}

impl AccountConnection {
    /// One request, raced against nats-server's permission violations for it.
    async fn request_raw(
        &self,
        subject: &str,
        headers: Option<async_nats::HeaderMap>,
        payload: Bytes,
        timeout: Duration,
    ) -> Result<async_nats::Message, JetStreamError> {
        let mut violations = self.violations.subscribe();
        let mut request = async_nats::Request::new()
            .payload(payload)
            .timeout(Some(timeout));
        if let Some(headers) = headers {
            request = request.headers(headers);
        }
        let answer = self.client.send_request(subject.to_string(), request);
        let refused = async {
            loop {
                match violations.recv().await {
                    Ok(v) if concerns(&v, subject) => return v,
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                        std::future::pending::<()>().await
                    }
                }
            }
        };
        tokio::select! {
            answer = answer => answer.map_err(|e| {
                use async_nats::RequestErrorKind as K;
                match e.kind() {
                    K::NoResponders => JetStreamError::NoResponders(subject.to_string()),
                    K::TimedOut => JetStreamError::Timeout(subject.to_string(), timeout),
                    _ => JetStreamError::Nats(e.to_string()),
                }
            }),
            violation = refused => Err(JetStreamError::PermissionDenied(violation)),
        }
    }

    /// A `$JS.API` request: the server's JSON answer, or its API error as an error.
    pub async fn api(&self, subject: &str, body: &Value) -> Result<Value, JetStreamError> {
        let payload = if body.is_null() {
            Bytes::new()
        } else {
            Bytes::from(body.to_string())
        };
        let message = self
            .request_raw(subject, None, payload, REQUEST_TIMEOUT)
            .await?;
        json_answer(&message.payload)
    }

    /// Publishes to a stream's subject and returns the stream's acknowledgement
    /// (`{"stream","seq","duplicate"}`).
    pub async fn publish(
        &self,
        subject: &str,
        headers: async_nats::HeaderMap,
        payload: Bytes,
    ) -> Result<Value, JetStreamError> {
        let headers = (!headers.is_empty()).then_some(headers);
        let message = self
            .request_raw(subject, headers, payload, REQUEST_TIMEOUT)
            .await?;
        json_answer(&message.payload)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn violations_are_matched_to_their_request() {
        let v = "Permissions Violation for Publish to \"$JS.API.STREAM.INFO.B\"";
        assert!(super::concerns(v, "$JS.API.STREAM.INFO.B"));
        assert!(!super::concerns(v, "$JS.API.STREAM.INFO.BB"));
        assert!(super::concerns(
            "Permissions Violation for Subscription to \"_INBOX.abc.*\"",
            "$JS.API.INFO"
        ));
    }
}
