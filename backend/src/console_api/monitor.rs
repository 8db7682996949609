//! `GET /api/v1/monitor/<z>?<query>`: a monitoring endpoint of every server (or `server=<id>`),
//! asked over the session's own NATS connection (see [`crate::monitor`]).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{refuse, SignedIn};
use crate::monitor::query::{self, Endpoint};
use crate::monitor::MonitorError;
use crate::state::AppState;

pub async fn endpoint(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(endpoint) = Endpoint::parse(&name) else {
        let names: Vec<&str> = Endpoint::ALL.iter().map(|e| e.name()).collect();
        return refuse(
            StatusCode::NOT_FOUND,
            format!(
                "no monitoring endpoint {name:.32}: one of {}",
                names.join(", ")
            ),
        );
    };
    let query = match query::parse(endpoint, raw.as_deref().unwrap_or("")) {
        Ok(query) => query,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, reason),
    };
    match crate::monitor::ask(&session, &state.known_servers, endpoint, query).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => {
            let status = match e {
                MonitorError::Forbidden(_) => StatusCode::FORBIDDEN,
                MonitorError::NoConnection(_) => StatusCode::SERVICE_UNAVAILABLE,
                MonitorError::Nats(_) => StatusCode::BAD_GATEWAY,
            };
            refuse(status, e.to_string())
        }
    }
}
