//! `GET /api/v1/accounts/<key>/connections`: an account's live connections on every server,
//! asked on the session's own NATS connection: a team by `$SYS.REQ.ACCOUNT.PING.CONNZ` (which
//! nats-server maps to the asker's own account), an admin by `$SYS.REQ.ACCOUNT.<key>.CONNZ`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::session::Role;

use super::{refuse, SignedIn};

pub async fn list(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(account): Path<String>,
) -> Response {
    if !nats_auth::nkeys::is_valid_public_account_key(&account) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("{:.64} is not an account public key", account),
        );
    }
    if !session.may_see_account(&account) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "you are signed in for account {}: the connections of {account} are not yours to see",
                session.grant.account_name
            ),
        );
    }
    let client = match session.nats_client() {
        Ok(client) => client,
        Err(reason) => return refuse(StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    let subject = match session.grant.role {
        Role::Team => "$SYS.REQ.ACCOUNT.PING.CONNZ".to_string(),
        Role::Admin => format!("$SYS.REQ.ACCOUNT.{account}.CONNZ"),
    };
    let request = serde_json::json!({ "auth": true, "limit": 1024 });
    match crate::sys_request::gather(&client, subject, request).await {
        Ok(replies) => {
            let mut connections = Vec::new();
            let mut errors = Vec::new();
            for reply in &replies {
                let server = reply["server"]["name"].clone();
                if let Some(error) = reply.get("error") {
                    errors.push(serde_json::json!({ "server": server, "error": error }));
                }
                for c in reply["data"]["connections"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let mut c = c.clone();
                    c["server"] = server.clone();
                    connections.push(c);
                }
            }
            Json(serde_json::json!({
                "account": account,
                "servers": replies.len(),
                "connections": connections,
                "errors": errors,
            }))
            .into_response()
        }
        Err(e) => refuse(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}
