//! Admin actions on one server, over the session's NATS connection (nats-server 2.10+ control
//! subjects), each confirmed in the app and written to the audit log first:
//! `POST /api/v1/servers/<id>/kick` `{"cid":N}` (`$SYS.REQ.SERVER.<id>.KICK`),
//! `…/lameduck` `{"cid":N}` (`…LDM`: that one client is told to move to another server),
//! `…/reload` (`…RELOAD`: the server re-reads its configuration). The answer is the server's
//! reply, or `{"error":…}`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{refuse, SignedIn};
use crate::client_addr::ClientAddr;
use crate::state::AppState;

const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(serde::Deserialize)]
struct ConnectionId {
    cid: u64,
}

pub async fn act(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((server, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    if !nats_auth::nkeys::is_valid_public_server_key(&server) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("{server:.64} is not a server id (N…)"),
        );
    }
    let (token, audit_action) = match action.as_str() {
        "kick" => ("KICK", "server.kick"),
        "lameduck" => ("LDM", "server.lameduck"),
        "reload" => ("RELOAD", "server.reload"),
        _ => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!("no server action {action:.32}: kick, lameduck or reload"),
            )
        }
    };
    let payload = if token == "RELOAD" {
        serde_json::json!({})
    } else {
        match serde_json::from_slice::<ConnectionId>(&body) {
            Ok(ConnectionId { cid }) => serde_json::json!({ "cid": cid }),
            Err(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("{action} needs {{\"cid\": <connection id>}}"),
                )
            }
        }
    };
    let nats = match session.nats_client() {
        Ok(client) => client,
        Err(reason) => return refuse(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    let name = state.known_servers.name_of(&server);
    let entry = crate::audit::Record::new(session.actor(), client.to_string(), audit_action)
        .subject(&server)
        .details(serde_json::json!({ "server_name": name, "request": payload }));
    if let Err(refused) = super::record_first(&state, entry).await {
        return refused.into_response();
    }
    let subject = format!("$SYS.REQ.SERVER.{server}.{token}");
    let request = nats.request(subject.clone(), payload.to_string().into());
    match tokio::time::timeout(REPLY_TIMEOUT, request).await {
        Ok(Ok(reply)) => {
            let reply: serde_json::Value =
                serde_json::from_slice(&reply.payload).unwrap_or(serde_json::Value::Null);
            match reply.get("error").filter(|e| !e.is_null()) {
                Some(error) => refuse(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "{name}: {}",
                        error["description"].as_str().unwrap_or("error")
                    ),
                ),
                None => Json(reply).into_response(),
            }
        }
        Ok(Err(e)) if e.kind() == async_nats::RequestErrorKind::NoResponders => refuse(
            StatusCode::BAD_GATEWAY,
            format!(
                "no server answers {subject}: the server is down, or older than nats-server 2.10 (which has no {token} control subject)"
            ),
        ),
        Ok(Err(e)) => refuse(StatusCode::BAD_GATEWAY, format!("{subject}: {e}")),
        Err(_) => refuse(
            StatusCode::GATEWAY_TIMEOUT,
            format!("{name} did not answer {subject} within 5 s"),
        ),
    }
}
