//! The audit log in a JetStream stream, beside the key-value store's bucket, shared by every
//! console instance on that bucket: the same hash chain, across instances.
//!
//! A message holds one or more complete lines (a group commit). Each append expects the
//! stream's last sequence to be the one this instance chained to (`Nats-Expected-Last-Sequence`),
//! so two instances never chain to the same line: the one that loses reads the new last line
//! and chains again. The stream refuses deletes and purges, so lines are not removed through
//! the JetStream API; the chain finds any that are (`nats-console audit verify` on a download).

use std::time::Duration;

use async_nats::jetstream::{self, context::PublishErrorKind, stream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{line_hash, Head, Sink, SinkError};

/// How long an append waits for the stream's acknowledgement.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// Bytes of lines per message at most (below nats-server's default 1 MiB `max_payload`).
const MAX_MESSAGE: usize = 512 * 1024;

/// The stream of the log kept beside `bucket`.
pub fn stream_name(bucket: &str) -> String {
    format!("AUDIT_{bucket}")
}

fn subject(bucket: &str) -> String {
    format!("nats-console.audit.{bucket}")
}

/// How logs and errors name the log.
pub fn describe(bucket: &str) -> String {
    format!("stream {}", stream_name(bucket))
}

/// Finds or creates the stream; returns the writer's sink and a reader.
pub(super) async fn open(
    js: jetstream::Context,
    bucket: &str,
    replicas: usize,
) -> Result<(StreamSink, Reader), String> {
    let name = stream_name(bucket);
    let stream = match js.get_stream(&name).await {
        Ok(stream) => stream,
        Err(_) => js
            .create_stream(stream::Config {
                name: name.clone(),
                description: Some(format!(
                    "nats-console: the audit log of bucket {bucket} (JSON Lines, hash-chained)"
                )),
                subjects: vec![subject(bucket)],
                storage: stream::StorageType::File,
                num_replicas: replicas,
                max_message_size: MAX_MESSAGE as i32 + 4096,
                deny_delete: true,
                deny_purge: true,
                allow_direct: true,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("creating stream {name}: {e}"))?,
    };
    let sink = StreamSink {
        js: js.clone(),
        stream: stream.clone(),
        subject: subject(bucket),
        last: 0,
        runtime: tokio::runtime::Handle::current(),
    };
    Ok((sink, Reader { stream }))
}

pub(super) struct StreamSink {
    js: jetstream::Context,
    stream: stream::Stream,
    subject: String,
    /// The stream sequence of the message holding the line this instance chains to.
    last: u64,
    runtime: tokio::runtime::Handle,
}

impl Sink for StreamSink {
    fn append(&mut self, text: &[u8]) -> Result<(), SinkError> {
        // while disconnected, a publish would wait in the client's buffer: say so at once
        let state = self.js.client().connection_state();
        if state != async_nats::connection::State::Connected {
            return Err(SinkError::Failed(format!(
                "no connection to NATS ({state})"
            )));
        }
        let message = jetstream::message::PublishMessage::build()
            .payload(bytes::Bytes::copy_from_slice(text))
            .expected_last_sequence(self.last);
        let (js, subject) = (&self.js, self.subject.clone());
        // the writer is a thread of its own, outside the runtime: it may wait on it
        let acked = self.runtime.block_on(async {
            let ack = js.send_publish(subject, message).await?;
            tokio::time::timeout(ACK_TIMEOUT, ack)
                .await
                .unwrap_or_else(|_| {
                    Err(jetstream::context::PublishError::new(
                        PublishErrorKind::TimedOut,
                    ))
                })
        });
        match acked {
            Ok(ack) => {
                self.last = ack.sequence;
                Ok(())
            }
            Err(e)
                if e.kind() == PublishErrorKind::WrongLastSequence
                    || crate::store::kv::is_wrong_last_sequence(&e) =>
            {
                Err(SinkError::Moved)
            }
            Err(e) => Err(SinkError::Failed(e.to_string())),
        }
    }

    /// The last line of the stream's last message.
    fn head(&mut self) -> Result<Head, String> {
        let last = self.runtime.block_on(async {
            tokio::time::timeout(
                ACK_TIMEOUT,
                self.stream.get_last_raw_message_by_subject(&self.subject),
            )
            .await
        });
        let message = match last {
            Err(_) => return Err("no answer from the stream within 5 s".into()),
            Ok(Err(e)) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {
                self.last = 0;
                return Ok(Head::default());
            }
            Ok(Err(e)) => return Err(e.to_string()),
            Ok(Ok(message)) => message,
        };
        let line = message
            .payload
            .strip_suffix(b"\n")
            .and_then(|text| text.rsplit(|b| *b == b'\n').next())
            .ok_or_else(|| format!("message {} is not audit lines", message.sequence))?;
        let seq = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .and_then(|entry| entry["seq"].as_u64())
            .ok_or_else(|| format!("message {}: its last line has no seq", message.sequence))?;
        self.last = message.sequence;
        Ok(Head {
            seq,
            hash: line_hash(line),
        })
    }

    fn max_append(&self) -> usize {
        MAX_MESSAGE
    }

    /// A failed append may still have reached the stream (its acknowledgement lost): the next
    /// append finds out by its expected sequence, so no read is needed now (NATS may be away).
    fn reread_after_failure(&self) -> bool {
        false
    }
}

/// Reads the log back: every line, oldest first.
#[derive(Clone)]
pub(super) struct Reader {
    stream: stream::Stream,
}

impl Reader {
    /// Sends every line up to the stream's last message as the read begins.
    pub async fn send_lines(mut self, send: mpsc::Sender<Result<String, String>>) {
        if let Err(e) = self.read(&send).await {
            let _ = send.send(Err(e)).await;
        }
    }

    async fn read(&mut self, send: &mpsc::Sender<Result<String, String>>) -> Result<(), String> {
        let last = self
            .stream
            .info()
            .await
            .map_err(|e| e.to_string())?
            .state
            .last_sequence;
        if last == 0 {
            return Ok(());
        }
        let consumer = self
            .stream
            .create_consumer(jetstream::consumer::pull::OrderedConfig {
                description: Some("nats-console: reading the audit log".into()),
                ..Default::default()
            })
            .await
            .map_err(|e| e.to_string())?;
        let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
        while let Some(message) = messages.next().await {
            let message = message.map_err(|e| e.to_string())?;
            let sequence = message.info().map_err(|e| e.to_string())?.stream_sequence;
            for line in String::from_utf8_lossy(&message.payload).lines() {
                if send.send(Ok(line.to_string())).await.is_err() {
                    return Ok(());
                }
            }
            if sequence >= last {
                return Ok(());
            }
        }
        Ok(())
    }
}
