//! A stream's backup and restore: `STREAM.SNAPSHOT` delivered chunk by chunk, each acknowledged
//! only when the next one is asked for (so a slow download slows the server instead of
//! failing: nats-server holds back once a window of chunks is unacknowledged), and
//! `STREAM.RESTORE` fed from an upload as it arrives. Neither holds a whole snapshot in memory.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde_json::{json, Value};

use super::JetStreamError;
use crate::session::AccountConnection;

/// Chunks of a snapshot (nats-server takes 1 KiB to 1 MiB).
const CHUNK: usize = 128 * 1024;
/// Unacknowledged snapshot bytes nats-server may send ahead: what one download may hold.
const WINDOW: usize = 4 * 1024 * 1024;
/// nats-server gives up after 5 s without an acknowledgement; waiting on it longer is moot.
const CHUNK_WAIT: Duration = Duration::from_secs(30);
/// A restore's last step rebuilds the stream: it may take a while.
const RESTORE_FINISH_WAIT: Duration = Duration::from_secs(300);

/// A snapshot being delivered.
pub struct Snapshot {
    client: async_nats::Client,
    subscription: async_nats::Subscriber,
    /// Where the last chunk handed out is acknowledged, once the next is asked for.
    unacknowledged: Option<async_nats::Subject>,
    done: bool,
}

impl AccountConnection {
    /// Starts a snapshot of `stream`: the server's `{config, state}` and the chunks to come.
    pub async fn snapshot(&self, stream: &str) -> Result<(Value, Snapshot), JetStreamError> {
        let inbox = self.client.new_inbox();
        let subscription = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| JetStreamError::Nats(e.to_string()))?;
        let request = json!({
            "deliver_subject": inbox,
            "chunk_size": CHUNK,
            "window_size": WINDOW,
            "no_consumers": false,
            "jsck": false,
        });
        let answer = self
            .api(&format!("$JS.API.STREAM.SNAPSHOT.{stream}"), &request)
            .await?;
        Ok((
            answer,
            Snapshot {
                client: self.client.clone(),
                subscription,
                unacknowledged: None,
                done: false,
            },
        ))
    }

    /// Restores `stream` from `backup` (`{config, state}` as a snapshot started) and the
    /// snapshot's bytes as they come from `data`; the restored stream's info.
    pub async fn restore<E: std::fmt::Display>(
        &self,
        stream: &str,
        backup: &Value,
        mut data: impl Stream<Item = Result<Bytes, E>> + Unpin,
    ) -> Result<Value, JetStreamError> {
        let answer = self
            .api(&format!("$JS.API.STREAM.RESTORE.{stream}"), backup)
            .await?;
        let deliver = answer["deliver_subject"]
            .as_str()
            .ok_or_else(|| JetStreamError::BadAnswer("no deliver_subject".into()))?
            .to_string();
        let mut pending = BytesMut::with_capacity(CHUNK);
        let send = |chunk: Bytes| {
            let deliver = deliver.clone();
            async move {
                let reply = self.request_raw(&deliver, None, chunk, CHUNK_WAIT).await?;
                match reply.payload.is_empty() {
                    true => Ok(()),
                    false => Err(super::api_error(&reply.payload)),
                }
            }
        };
        while let Some(piece) = data.next().await {
            let piece = piece.map_err(|e| JetStreamError::Upload(e.to_string()))?;
            pending.extend_from_slice(&piece);
            while pending.len() >= CHUNK {
                send(pending.split_to(CHUNK).freeze()).await?;
            }
        }
        if !pending.is_empty() {
            send(pending.split().freeze()).await?;
        }
        let finished = self
            .request_raw(&deliver, None, Bytes::new(), RESTORE_FINISH_WAIT)
            .await?;
        super::json_answer(&finished.payload)
    }
}

impl Snapshot {
    /// The next chunk, once the one before is acknowledged (the caller has written it out by
    /// the time it asks for more); `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, JetStreamError>> {
        if let Some(reply) = self.unacknowledged.take() {
            if let Err(e) = self.client.publish(reply, Bytes::new()).await {
                self.done = true;
                return Some(Err(JetStreamError::Nats(e.to_string())));
            }
        }
        if self.done {
            return None;
        }
        let message = match tokio::time::timeout(CHUNK_WAIT, self.subscription.next()).await {
            Err(_) => {
                self.done = true;
                return Some(Err(JetStreamError::Timeout(
                    "the snapshot's next chunk".into(),
                    CHUNK_WAIT,
                )));
            }
            Ok(None) => return None,
            Ok(Some(message)) => message,
        };
        if let Some(status) = message.status {
            self.done = true;
            if status.as_u16() == 204 {
                return None;
            }
            return Some(Err(JetStreamError::Nats(format!(
                "the server ended the snapshot: {} {}",
                status.as_u16(),
                message.description.unwrap_or_default()
            ))));
        }
        if message.payload.is_empty() {
            self.done = true;
            return None;
        }
        // the last, short chunk comes without a reply: nothing to acknowledge
        self.unacknowledged = message.reply;
        Some(Ok(message.payload))
    }
}
