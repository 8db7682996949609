//! The console API (`/api/v1`, JSON). Anonymous: the sign-in routes and asking for access
//! (the team portal). Everything else needs a
//! session (401 without one); admin routes refuse a team session (403). Refusals are
//! `{"error": reason}`. Public data only: JWTs and keys, never seeds.

mod accounts;
mod audit;
mod connections;
mod events;
mod info;
mod jetstream;
mod monitor;
mod nats_link;
mod nats_resolver;
mod portal;
mod servers;
pub mod session;
mod user_info;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use nats_auth::session::Role;

use crate::state::AppState;

/// The session a request was made in (set by [`require_session`]).
#[derive(Clone)]
pub struct SignedIn(pub Arc<crate::session::Session>);

pub fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let anonymous = Router::new()
        .route("/api/v1/session/key", post(session::new_key))
        .route(
            "/api/v1/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/api/v1/access-requests", post(portal::request_access))
        .route("/api/v1/access-requests/{id}", get(portal::access_request));
    let admin = Router::new()
        .route("/api/v1/nats-link", post(nats_link::set))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/download", get(audit::download))
        .route("/api/v1/events", get(events::stream))
        .route("/api/v1/servers/{id}/{action}", post(servers::act))
        .route("/api/v1/nats-resolver", get(nats_resolver::report))
        .route(
            "/api/v1/nats-resolver/accounts/{key}",
            post(nats_resolver::push),
        )
        .route("/api/v1/nats-resolver/delete", post(nats_resolver::delete))
        .route("/api/v1/access-requests", get(portal::access_requests))
        .route(
            "/api/v1/access-requests/{id}/decision",
            post(portal::decide_access),
        )
        .route(
            "/api/v1/revocation-requests/{id}/decision",
            post(portal::decide_revocation),
        )
        .route_layer(middleware::from_fn(require_admin));
    let signed_in = Router::new()
        .route("/api/v1/info", get(info::info))
        .route("/api/v1/accounts", get(accounts::list))
        .route("/api/v1/accounts/{key}/connections", get(connections::list))
        .route("/api/v1/monitor/{endpoint}", get(monitor::endpoint))
        .route("/api/v1/user-info", get(user_info::user_info))
        .route("/api/v1/jetstream/{account}", get(jetstream::status))
        .route(
            "/api/v1/jetstream/{account}/link",
            post(jetstream::link).delete(jetstream::unlink),
        )
        .route("/api/v1/jetstream/{account}/api/{op}", post(jetstream::api))
        .route(
            "/api/v1/jetstream/{account}/streams/{stream}/messages",
            get(jetstream::messages),
        )
        .route(
            "/api/v1/jetstream/{account}/streams/{stream}/export",
            get(jetstream::export),
        )
        .route(
            "/api/v1/jetstream/{account}/publish",
            post(jetstream::publish),
        )
        .route(
            "/api/v1/jetstream/{account}/streams/{stream}/consumers/{consumer}/next",
            post(jetstream::next),
        )
        .route("/api/v1/jetstream/{account}/ack", post(jetstream::ack))
        .route(
            "/api/v1/jetstream/{account}/streams/{stream}/snapshot",
            get(jetstream::snapshot),
        )
        .route(
            "/api/v1/jetstream/{account}/streams/{stream}/restore",
            post(jetstream::restore),
        )
        .route(
            "/api/v1/jetstream/{account}/advisories",
            get(jetstream::advisories),
        )
        .route(
            "/api/v1/jetstream/{account}/kv/{bucket}/watch",
            get(jetstream::watch_bucket),
        )
        .route(
            "/api/v1/jetstream/{account}/objects/{bucket}/{name}",
            get(jetstream::download_object),
        )
        .route(
            "/api/v1/users",
            get(portal::users).post(portal::record_user),
        )
        .route(
            "/api/v1/revocation-requests",
            get(portal::revocation_requests).post(portal::request_revocation),
        )
        .merge(admin)
        .route_layer(middleware::from_fn_with_state(state, require_session));
    anonymous.merge(signed_in)
}

/// A refusal on its way to the client: the status and the reason.
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        refuse(self.0, self.1)
    }
}

/// Records `entry` in the audit log before the change it describes (a failure refuses it).
pub async fn record_first(state: &AppState, entry: crate::audit::Record) -> Result<(), ApiError> {
    state.record(entry).await.map_err(|e| {
        let status = if e.is_unavailable() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError(status, e.to_string())
    })
}

/// A refusal as the console API reports it: `{"error": reason}`.
pub fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": reason.into() }))).into_response()
}

async fn require_session(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = crate::session::token_of(request.headers()) else {
        return refuse(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let Some(session) = state.sessions.get(&token) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "your session has ended (expired or signed out): sign in again",
        );
    };
    request.extensions_mut().insert(SignedIn(session));
    next.run(request).await
}

async fn require_admin(
    Extension(SignedIn(session)): Extension<SignedIn>,
    request: Request,
    next: Next,
) -> Response {
    if session.grant.role != Role::Admin {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "{} is for admins (users of the system account); you are signed in for account {}",
                request.uri().path(),
                session.grant.account_name
            ),
        );
    }
    next.run(request).await
}
