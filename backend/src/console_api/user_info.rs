//! `GET /api/v1/user-info`: what nats-server knows of the session's own NATS user
//! (`$SYS.REQ.USER.INFO`: user, account, permissions, expiry), asked on its own connection.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{refuse, SignedIn};

pub async fn user_info(Extension(SignedIn(session)): Extension<SignedIn>) -> Response {
    let nats = match session.nats_client() {
        Ok(client) => client,
        Err(reason) => return refuse(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    let request = nats.request("$SYS.REQ.USER.INFO", "".into());
    match tokio::time::timeout(Duration::from_secs(5), request).await {
        Ok(Ok(reply)) => match serde_json::from_slice::<serde_json::Value>(&reply.payload) {
            Ok(info) => Json(info).into_response(),
            Err(e) => refuse(StatusCode::BAD_GATEWAY, format!("$SYS.REQ.USER.INFO: {e}")),
        },
        Ok(Err(e)) => refuse(StatusCode::BAD_GATEWAY, format!("$SYS.REQ.USER.INFO: {e}")),
        Err(_) => refuse(
            StatusCode::GATEWAY_TIMEOUT,
            "$SYS.REQ.USER.INFO: no answer within 5 s",
        ),
    }
}
