//! `GET /api/v1/user-info`: what nats-server knows of the session's own NATS user
//! (`$SYS.REQ.USER.INFO`: user, account, permissions, expiry), asked on its own connection.
//!
//! The request is an account subject, so it also crosses the account's leaf node connections:
//! a leaf server answers with its view of the leaf connection (account `$G`, no user). Only the
//! answer naming the session's own user key is the session's; the others are passed over.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures_util::StreamExt;

use super::{refuse, SignedIn};

const SUBJECT: &str = "$SYS.REQ.USER.INFO";
const WAIT: Duration = Duration::from_secs(5);
/// Answers read at most before giving up (one per leaf server in the account, and the hub).
const MAX_ANSWERS: usize = 64;

pub async fn user_info(Extension(SignedIn(session)): Extension<SignedIn>) -> Response {
    let nats = match session.nats_client() {
        Ok(client) => client,
        Err(reason) => return refuse(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    let inbox = nats.new_inbox();
    let mut answers = match nats.subscribe(inbox.clone()).await {
        Ok(answers) => answers,
        Err(e) => return refuse(StatusCode::BAD_GATEWAY, format!("{SUBJECT}: {e}")),
    };
    if let Err(e) = nats.publish_with_reply(SUBJECT, inbox, "".into()).await {
        return refuse(StatusCode::BAD_GATEWAY, format!("{SUBJECT}: {e}"));
    }
    let user = session.grant.user.as_str();
    let mine = async {
        let mut others = 0usize;
        while let Some(answer) = answers.next().await {
            match serde_json::from_slice::<serde_json::Value>(&answer.payload) {
                Ok(info) if info["data"]["user"] == user => return Ok(info),
                Ok(_) if others < MAX_ANSWERS => others += 1,
                Ok(_) => break,
                Err(e) => return Err(format!("{SUBJECT}: {e}")),
            }
        }
        Err(format!(
            "{SUBJECT}: no answer named this session's user {user}"
        ))
    };
    let outcome = tokio::time::timeout(WAIT, mine).await;
    let _ = answers.unsubscribe().await;
    match outcome {
        Ok(Ok(info)) => Json(info).into_response(),
        Ok(Err(reason)) => refuse(StatusCode::BAD_GATEWAY, reason),
        Err(_) => refuse(
            StatusCode::GATEWAY_TIMEOUT,
            format!("{SUBJECT}: no answer within 5 s"),
        ),
    }
}
