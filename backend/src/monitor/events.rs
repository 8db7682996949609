//! A session's live feed of the system account's events (admins): client CONNECT and
//! DISCONNECT, AUTH.ERR, STATSZ, LAMEDUCK, SHUTDOWN and account CONNS, each numbered, the last
//! [`BUFFER`] kept so a client that reconnects resumes where it was (`Last-Event-ID`). Where
//! the feed lost events (its NATS connection was down, a slow reader fell behind, the buffer
//! rolled over) it says so with a `cut` event.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::broadcast;

/// Events kept for readers that reconnect.
pub const BUFFER: usize = 2000;
/// A payload larger than this is replaced by its size (a STATSZ is about 2 KB).
const MAX_PAYLOAD: usize = 64 * 1024;

/// The subjects followed and the event type each carries.
const SUBJECTS: [(&str, &str); 7] = [
    ("$SYS.ACCOUNT.*.CONNECT", "connect"),
    ("$SYS.ACCOUNT.*.DISCONNECT", "disconnect"),
    ("$SYS.SERVER.*.CLIENT.AUTH.ERR", "auth_error"),
    ("$SYS.SERVER.*.STATSZ", "statsz"),
    ("$SYS.SERVER.*.LAMEDUCK", "lameduck"),
    ("$SYS.SERVER.*.SHUTDOWN", "shutdown"),
    ("$SYS.ACCOUNT.*.SERVER.CONNS", "account_conns"),
];

/// The event types a reader may filter on (`cut` is always sent).
pub use nats_auth::monitoring::EVENT_TYPES as TYPES;

/// One event as sent: its number, type, and JSON
/// `{"id","type","subject","time","server","account","event"}`.
#[derive(Clone, Debug)]
pub struct FeedEvent {
    pub id: u64,
    pub kind: &'static str,
    pub server: String,
    pub account: String,
    pub json: String,
}

pub struct EventFeed {
    /// When this feed began (Unix ms): the first part of every event id, so that an id from an
    /// earlier feed (before the console restarted) is told apart.
    pub began: u64,
    buffer: Mutex<VecDeque<Arc<FeedEvent>>>,
    next_id: Mutex<u64>,
    sender: broadcast::Sender<Arc<FeedEvent>>,
}

impl EventFeed {
    /// Starts following the system account's events on `client`; the feed ends with it.
    pub async fn start(client: async_nats::Client) -> Result<Arc<EventFeed>, String> {
        let mut subscriptions = Vec::new();
        for (subject, kind) in SUBJECTS {
            let subscriber = client
                .subscribe(subject)
                .await
                .map_err(|e| format!("subscribing to {subject}: {e}"))?;
            subscriptions.push(subscriber.map(move |m| (kind, m)).boxed());
        }
        let feed = EventFeed::new();
        let weak = Arc::downgrade(&feed);
        let mut messages = futures_util::stream::select_all(subscriptions);
        let states = client.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut cut_since: Option<i64> = None;
            let mut last_server = states.server_info().server_id;
            loop {
                tokio::select! {
                    message = messages.next() => {
                        let Some((kind, message)) = message else { return };
                        let Some(feed) = weak.upgrade() else { return };
                        feed.push_message(kind, &message.subject, &message.payload);
                    }
                    _ = tick.tick() => {
                        let Some(feed) = weak.upgrade() else { return };
                        let connected =
                            states.connection_state() == async_nats::connection::State::Connected;
                        // a reconnect quicker than a tick shows as another server id
                        let server = states.server_info().server_id;
                        let moved = connected && server != last_server;
                        if connected {
                            last_server = server;
                        }
                        match (connected, cut_since) {
                            (false, None) => cut_since = Some(crate::time::unix_now()),
                            (true, Some(since)) => {
                                cut_since = None;
                                feed.push_cut(format!(
                                    "the console's NATS connection was down from {since} to {}: events of that time are lost",
                                    crate::time::unix_now()
                                ), None);
                            }
                            (true, None) if moved => {
                                feed.push_cut(format!(
                                    "the console's NATS connection moved to server {} by {}: events of the moments before are lost",
                                    states.server_info().server_name, crate::time::unix_now()
                                ), None);
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
        Ok(feed)
    }

    fn new() -> Arc<EventFeed> {
        let (sender, _) = broadcast::channel(1024);
        let began = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Arc::new(EventFeed {
            began,
            buffer: Mutex::new(VecDeque::with_capacity(BUFFER)),
            next_id: Mutex::new(1),
            sender,
        })
    }

    fn push_message(&self, kind: &'static str, subject: &str, payload: &[u8]) {
        let tokens: Vec<&str> = subject.split('.').collect();
        let event: Value = if payload.len() > MAX_PAYLOAD {
            json!({ "too_large": payload.len() })
        } else {
            serde_json::from_slice(payload).unwrap_or(Value::Null)
        };
        let server = event["server"]["name"].as_str().unwrap_or("").to_string();
        let account = match tokens.get(1) {
            Some(&"ACCOUNT") => tokens.get(2).copied().unwrap_or(""),
            _ => event["client"]["acc"].as_str().unwrap_or(""),
        }
        .to_string();
        let (server_name, account_key) = (server.clone(), account.clone());
        self.push(kind, server, account, |id| {
            json!({
                "id": id,
                "type": kind,
                "subject": subject,
                "time": crate::time::unix_now(),
                "server": server_name,
                "account": account_key,
                "event": event,
            })
        });
    }

    /// Records that events were lost, and why.
    pub fn push_cut(&self, reason: String, lost: Option<u64>) {
        self.push("cut", String::new(), String::new(), |id| {
            json!({ "id": id, "type": "cut", "time": crate::time::unix_now(), "reason": reason, "lost": lost })
        });
    }

    fn push(
        &self,
        kind: &'static str,
        server: String,
        account: String,
        body: impl FnOnce(u64) -> Value,
    ) {
        let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
        let id = *next;
        *next += 1;
        let event = Arc::new(FeedEvent {
            id,
            kind,
            server,
            account,
            json: body(id).to_string(),
        });
        let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        if buffer.len() == BUFFER {
            buffer.pop_front();
        }
        buffer.push_back(event.clone());
        let _ = self.sender.send(event);
    }

    /// The SSE id of event `id`: `<began>-<id>`.
    pub fn sse_id(&self, id: u64) -> String {
        format!("{}-{id}", self.began)
    }

    /// Where a reader's `Last-Event-ID` leaves off: `Ok(n)` in this feed, `Err(())` for an id of
    /// an earlier feed (events since then are lost), `None` without one.
    pub fn last_seen(&self, header: &str) -> Option<Result<u64, ()>> {
        let (began, id) = header.split_once('-')?;
        let (began, id) = (began.parse::<u64>().ok()?, id.parse::<u64>().ok()?);
        Some(if began == self.began { Ok(id) } else { Err(()) })
    }

    /// The events after `last_seen` still buffered, the number lost in between, and a receiver
    /// of what comes next (taken under one lock, so nothing falls between the two).
    pub fn resume(
        &self,
        last_seen: Option<u64>,
    ) -> (
        Vec<Arc<FeedEvent>>,
        u64,
        broadcast::Receiver<Arc<FeedEvent>>,
    ) {
        let next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
        let receiver = self.sender.subscribe();
        let buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        let Some(last_seen) = last_seen.filter(|l| *l < *next) else {
            return (Vec::new(), 0, receiver);
        };
        let oldest = buffer.front().map_or(*next, |e| e.id);
        let lost = oldest.saturating_sub(last_seen + 1);
        let replay = buffer
            .iter()
            .filter(|e| e.id > last_seen)
            .cloned()
            .collect();
        (replay, lost, receiver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_resumes_after_its_last_event_and_learns_what_the_buffer_lost() {
        let feed = EventFeed::new();
        let connect = br#"{"server":{"name":"n1"},"client":{"acc":"A"}}"#;
        for _ in 0..BUFFER + 5 {
            feed.push_message("connect", "$SYS.ACCOUNT.AAPP.CONNECT", connect);
        }
        let (replay, lost, _) = feed.resume(Some(1));
        // ids 1..=2005; the buffer holds 6..=2005; 2..=5 are lost
        assert_eq!((replay.len(), lost), (BUFFER, 4));
        assert_eq!(replay[0].id, 6);
        let (replay, lost, _) = feed.resume(Some(BUFFER as u64 + 4));
        assert_eq!((replay.len(), lost), (1, 0));
        assert_eq!(replay[0].account, "AAPP");
        assert_eq!(replay[0].server, "n1");
        let (replay, _, mut live) = feed.resume(None);
        assert!(replay.is_empty());
        feed.push_cut("testing".into(), None);
        assert_eq!(live.try_recv().unwrap().kind, "cut");
        // an id from before a restart of the feed is not trusted
        let (replay, lost, _) = feed.resume(Some(1_000_000));
        assert_eq!((replay.len(), lost), (0, 0));
        assert_eq!(feed.last_seen(&feed.sse_id(7)), Some(Ok(7)));
        assert_eq!(feed.last_seen("12-7"), Some(Err(())));
        assert_eq!(feed.last_seen("7"), None);
    }
}
