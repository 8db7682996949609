//! nats-console as a peer of nats-server's NATS resolvers (`resolver { type: full }` and
//! `{ type: cache }`), over the system account:
//! - answers `$SYS.REQ.ACCOUNT.<key>.CLAIMS.LOOKUP` with the stored JWT (no answer on a miss);
//! - answers `$SYS.REQ.CLAIMS.PACK` (queue `responder`): an empty message when the asker's store
//!   hash equals ours, else one `key|jwt` message per account and then an empty message;
//! - takes updates on `$SYS.ACCOUNT.*.CLAIMS.UPDATE`, `$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE` and
//!   `$SYS.REQ.CLAIMS.UPDATE`, each verified exactly like a POST, replying with NAS's JSON;
//! - asks its peers for their packs every `reconnectwait` and merges what is newer.
//!
//! The store hash is nats-server's: the XOR of the SHA-256 of every stored JWT.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use crate::account_server::update::{update_account, UpdateOutcome};
use crate::audit::Origin;
use crate::state::AppState;

const PACK: &str = "$SYS.REQ.CLAIMS.PACK";
const LOOKUP: &str = "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP";
const UPDATE_LEGACY: &str = "$SYS.ACCOUNT.*.CLAIMS.UPDATE";
const UPDATE_REQUEST: &str = "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE";
const UPDATE_ANY: &str = "$SYS.REQ.CLAIMS.UPDATE";

/// Waits for the NATS connection, then serves the resolver protocol until the task is dropped.
pub async fn run(state: Arc<AppState>, sync_every: Duration) {
    let client = state.nats.connected().await;
    let handlers = [
        tokio::spawn(serve_lookups(state.clone(), client.clone())),
        tokio::spawn(serve_packs(state.clone(), client.clone())),
        tokio::spawn(serve_updates(state.clone(), client.clone())),
        tokio::spawn(pull_packs(state.clone(), client.clone(), sync_every)),
    ];
    for handler in handlers {
        let _ = handler.await;
    }
}

fn account_of(subject: &str) -> Option<&str> {
    subject.split('.').nth(3)
}

async fn serve_lookups(state: Arc<AppState>, client: async_nats::Client) {
    let Ok(mut requests) = client.subscribe(LOOKUP).await else {
        tracing::error!("cannot subscribe to {LOOKUP}");
        return;
    };
    while let Some(request) = requests.next().await {
        let (Some(reply), Some(account)) = (request.reply, account_of(&request.subject)) else {
            continue;
        };
        if let Some(found) = state.store.get(account) {
            let _ = client.publish(reply, found.jwt.to_string().into()).await;
        }
    }
}

async fn serve_packs(state: Arc<AppState>, client: async_nats::Client) {
    let Ok(mut requests) = client.queue_subscribe(PACK, "responder".into()).await else {
        tracing::error!("cannot subscribe to {PACK}");
        return;
    };
    while let Some(request) = requests.next().await {
        let Some(reply) = request.reply else { continue };
        if request.payload.as_ref() != state.store.hash() {
            let now = crate::time::unix_now();
            for jwt in state
                .store
                .all()
                .into_iter()
                .filter(|j| j.expires == 0 || j.expires >= now)
            {
                let message = format!("{}|{}", jwt.account, jwt.jwt);
                let _ = client.publish(reply.clone(), message.into()).await;
            }
        }
        let _ = client.publish(reply, bytes::Bytes::new()).await;
        let _ = client.flush().await;
    }
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// NAS's reply to an update request.
fn update_reply(account: &str, result: &Result<UpdateOutcome, String>) -> String {
    let server = serde_json::json!({
        "name": "nats-console",
        "host": "",
        "ver": crate::server::VERSION,
        "seq": SEQ.fetch_add(1, Ordering::Relaxed),
        "id": "",
        "time": crate::time::rfc3339_now(),
    });
    let body = match result {
        Ok(_) => {
            serde_json::json!({"server": server, "data": {"code": 200, "account": account, "message": "Updated jwt"}})
        }
        Err(e) => {
            serde_json::json!({"server": server, "error": {"code": 400, "account": account, "description": e}})
        }
    };
    body.to_string()
}

async fn serve_updates(state: Arc<AppState>, client: async_nats::Client) {
    let mut subscriptions = Vec::new();
    for subject in [UPDATE_LEGACY, UPDATE_REQUEST, UPDATE_ANY] {
        match client.subscribe(subject).await {
            Ok(s) => subscriptions.push(s),
            Err(e) => tracing::error!("cannot subscribe to {subject}: {e}"),
        }
    }
    let mut updates = futures_util::stream::select_all(subscriptions);
    while let Some(message) = updates.next().await {
        let account = if message.subject.as_str() == UPDATE_ANY {
            None
        } else {
            account_of(&message.subject).map(str::to_string)
        };
        let Ok(jwt) = std::str::from_utf8(&message.payload) else {
            continue;
        };
        // what arrived over NATS has been announced already: store it, do not echo it
        let result = update_account(&state, account.as_deref(), jwt, &Origin::nats())
            .await
            .map_err(|e| e.to_string());
        let shown = account.clone().unwrap_or_else(|| "?".into());
        match &result {
            Ok(UpdateOutcome::Saved(stored)) => tracing::info!(
                "updated account {} from NATS ({})",
                stored.account,
                message.subject
            ),
            Ok(UpdateOutcome::Unchanged) => {}
            Err(e) => tracing::debug!("refused update of {shown} from NATS: {e}"),
        }
        if let Some(reply) = message.reply {
            let _ = client
                .publish(reply, update_reply(&shown, &result).into())
                .await;
        }
    }
}

/// Every `every`, asks the peers for what we lack (our hash in the request) and merges it.
async fn pull_packs(state: Arc<AppState>, client: async_nats::Client, every: Duration) {
    let mut tick = tokio::time::interval(every.max(Duration::from_millis(100)));
    loop {
        tick.tick().await;
        let inbox = client.new_inbox();
        let Ok(mut replies) = client.subscribe(inbox.clone()).await else {
            continue;
        };
        let hash = state.store.hash();
        if client
            .publish_with_reply(PACK, inbox, bytes::Bytes::copy_from_slice(&hash))
            .await
            .is_err()
        {
            continue;
        }
        // several responders may answer; each ends with an empty message
        loop {
            let next = tokio::time::timeout(Duration::from_secs(2), replies.next()).await;
            let Ok(Some(message)) = next else { break };
            if message.payload.is_empty() {
                continue;
            }
            let Ok(text) = std::str::from_utf8(&message.payload) else {
                continue;
            };
            for line in text.lines() {
                let Some((account, jwt)) = line.split_once('|') else {
                    continue;
                };
                if state.store.get(account).is_some_and(|s| &*s.jwt == jwt) {
                    continue;
                }
                match update_account(&state, Some(account), jwt, &Origin::nats()).await {
                    Ok(UpdateOutcome::Saved(_)) => {
                        tracing::info!("updated account {account} from a peer's pack")
                    }
                    Ok(UpdateOutcome::Unchanged) => {}
                    Err(e) => tracing::debug!("not taking {account} from a peer's pack: {e}"),
                }
            }
        }
        let _ = replies.unsubscribe().await;
    }
}
