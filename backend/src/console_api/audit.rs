//! `GET /api/v1/audit` (admin): the audit log's entries, newest last, filtered; its head hash;
//! `GET /api/v1/audit/download`: the whole file as JSON Lines.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::refuse;
use crate::state::AppState;

/// Entries one request returns at most.
const MAX_LIMIT: usize = 1000;

/// `?action=…&actor=…&subject=…&text=…&limit=N`: every filter a substring, all must match.
#[derive(Default)]
struct Filter {
    action: String,
    actor: String,
    subject: String,
    text: String,
    limit: usize,
}

fn parse(query: Option<&str>) -> Result<Filter, String> {
    let mut filter = Filter {
        limit: 200,
        ..Default::default()
    };
    for (name, value) in crate::query_string::parameters(query, 256)? {
        match name {
            "action" => filter.action = value,
            "actor" => filter.actor = value,
            "subject" => filter.subject = value,
            "text" => filter.text = value,
            "limit" => filter.limit = crate::query_string::limit(&value, MAX_LIMIT)?,
            other => {
                return Err(format!(
                    "unknown query parameter {:?} (known: action, actor, subject, text, limit)",
                    other.chars().take(64).collect::<String>()
                ))
            }
        }
    }
    Ok(filter)
}

impl Filter {
    fn matches(&self, entry: &serde_json::Value, line: &str) -> bool {
        let field = |name: &str| entry.get(name).map(|v| v.to_string()).unwrap_or_default();
        field("action").contains(&self.action)
            && field("actor").contains(&self.actor)
            && field("subject").contains(&self.subject)
            && line.contains(&self.text)
    }
}

pub async fn list(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let filter = match parse(query.as_deref()) {
        Ok(f) => f,
        Err(reason) => return refuse(StatusCode::BAD_REQUEST, reason),
    };
    let Some(log) = state.audit.clone() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "this console keeps no audit log (its store has no writable folder)",
        );
    };
    let head = log.head();
    let mut lines = log.lines();
    let mut matched = std::collections::VecDeque::new();
    let mut total = 0;
    while let Some(line) = lines.recv().await {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("audit log {}: {e}", log.name()),
                )
            }
        };
        total += 1;
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if filter.matches(&entry, &line) {
            if matched.len() == filter.limit {
                matched.pop_front();
            }
            matched.push_back(entry);
        }
    }
    Json(serde_json::json!({
        "head": head,
        "total": total,
        "entries": Vec::from(matched),
    }))
    .into_response()
}

/// The whole log as JSON Lines, streamed as it is read.
pub async fn download(State(state): State<Arc<AppState>>) -> Response {
    let Some(log) = &state.audit else {
        return refuse(StatusCode::NOT_FOUND, "this console keeps no audit log");
    };
    let lines = futures_util::stream::unfold(log.lines(), |mut lines| async move {
        let line = lines.recv().await?;
        let chunk = line
            .map(|l| bytes::Bytes::from(l + "\n"))
            .map_err(std::io::Error::other);
        Some((chunk, lines))
    });
    (
        [
            (header::CONTENT_TYPE, "application/jsonl"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.jsonl\"",
            ),
        ],
        axum::body::Body::from_stream(lines),
    )
        .into_response()
}
