//! `GET /api/v1/accounts`: the stored accounts with their status under the trusted operator, a
//! page at a time (searched by key or name), or the ones the app names. A team sees its own
//! account alone.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jwt::{self, AnyClaims, OperatorClaims};
use nats_auth::nkeys::is_valid_public_account_key;
use serde::Serialize;

use super::SignedIn;
use crate::state::AppState;
use crate::store::{AccountPage, AccountQuery, StoredJwt, MAX_PAGE};

#[derive(Serialize)]
struct Limits {
    conn: i64,
    leaf: i64,
    subs: i64,
    data: i64,
    payload: i64,
    imports: i64,
    exports: i64,
    jetstream: bool,
}

#[derive(Serialize)]
struct AccountSummary {
    name: String,
    key: String,
    issuer: String,
    issued_at: i64,
    expires: i64,
    jti: String,
    /// The stored JWT itself: what tells two versions apart (the `jti` hashes only the standard
    /// claims, so two versions signed in the same second share it, as in Go).
    jwt: String,
    limits: Limits,
    signing_keys: Vec<String>,
    revocations: usize,
    exports: usize,
    imports: usize,
    /// "ok", "expired", "not yet valid", "invalid: …" or "untrusted: …"
    status: String,
}

/// What `GET /api/v1/accounts` was asked for.
struct ListQuery {
    accounts: AccountQuery,
    /// `keys=A…,A…`: these accounts (the vault's), instead of a page.
    keys: Option<Vec<String>>,
}

/// `?q=TEXT&after=KEY&limit=N&expiring_within=SECONDS`, or `?keys=A…,A…`.
fn parse(query: Option<&str>, now: i64) -> Result<ListQuery, String> {
    let mut accounts = AccountQuery::new("");
    let mut keys = None;
    // keys= names up to a thousand keys of 56 characters
    for (name, value) in crate::query_string::parameters(query, MAX_PAGE * 57)? {
        match name {
            "q" | "after" if value.len() > 256 => {
                return Err(format!("{name}: longer than 256 characters"))
            }
            "q" => accounts.text = value.trim().to_uppercase(),
            "after" => accounts.after = value,
            "limit" => accounts.limit = crate::query_string::limit(&value, MAX_PAGE)?,
            "expiring_within" => {
                let seconds: i64 = value
                    .parse()
                    .ok()
                    .filter(|s| *s >= 0)
                    .ok_or("expiring_within: a number of seconds")?;
                accounts.expires_before = Some(now.saturating_add(seconds));
            }
            "keys" => {
                let list: Vec<String> = value
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect();
                if list.len() > MAX_PAGE {
                    return Err(format!("keys: at most {MAX_PAGE} accounts at once"));
                }
                if let Some(bad) = list.iter().find(|k| !is_valid_public_account_key(k)) {
                    return Err(format!("keys: {bad:.64} is not an account public key"));
                }
                keys = Some(list);
            }
            other => {
                return Err(format!(
                    "unknown query parameter {:?} (known: q, after, limit, expiring_within, keys)",
                    other.chars().take(64).collect::<String>()
                ))
            }
        }
    }
    Ok(ListQuery { accounts, keys })
}

/// A page of the stored accounts (`total`, `before` it, `next`: the key to continue after),
/// or the accounts `keys` names. A team sees its own account alone.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = crate::time::unix_now();
    let query = match parse(query.as_deref(), now) {
        Ok(q) => q,
        Err(reason) => return super::refuse(StatusCode::BAD_REQUEST, reason),
    };
    let store = state.store.clone();
    let trusted = state.operator.get();
    // reading and verifying up to a thousand JWTs: off the async workers
    let listed = tokio::task::spawn_blocking(move || {
        let admin = session.grant.role == nats_auth::session::Role::Admin;
        let named = |keys: Vec<String>| AccountPage {
            keys,
            complete: true,
            ..Default::default()
        };
        let mut page = match (query.keys, admin) {
            (Some(keys), _) => named(
                keys.into_iter()
                    .filter(|k| session.may_see_account(k))
                    .collect(),
            ),
            (None, true) => store.page(&query.accounts),
            (None, false) => named(vec![session.grant.account.clone()]),
        };
        let operator = trusted.as_ref().map(|o| &o.claims);
        let accounts: Vec<AccountSummary> = page
            .keys
            .iter()
            .filter_map(|key| summary(&store.get(key)?, operator, now))
            .collect();
        if page.total == 0 {
            // accounts asked for by key: those stored
            page.total = accounts.len();
        }
        (page, accounts)
    })
    .await;
    let Ok((page, accounts)) = listed else {
        return super::refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "listing the accounts failed",
        );
    };
    let next = (page.before + page.keys.len() < page.total)
        .then(|| page.keys.last().cloned())
        .flatten();
    Json(serde_json::json!({
        "total": page.total,
        "before": page.before,
        "complete": page.complete,
        "next": next,
        "accounts": accounts,
    }))
    .into_response()
}

fn summary(
    stored: &StoredJwt,
    operator: Option<&OperatorClaims>,
    now: i64,
) -> Option<AccountSummary> {
    let AnyClaims::Account(a) = jwt::decode(&stored.jwt).ok()? else {
        return None;
    };
    let issues = a.validate(now);
    let status = if let Some(Err(f)) = operator.map(|op| nats_auth::chain::check_account(&a, op)) {
        format!("untrusted: {f}")
    } else if issues
        .issues
        .iter()
        .any(|i| i.description == "claim is expired")
    {
        "expired".into()
    } else if issues
        .issues
        .iter()
        .any(|i| i.description == "claim is not yet valid")
    {
        "not yet valid".into()
    } else if issues.is_blocking(false) {
        format!("invalid: {}", issues.blocking_summary())
    } else {
        "ok".into()
    };
    let l = &a.nats.limits;
    Some(AccountSummary {
        name: a.name.clone(),
        key: a.subject.clone(),
        issuer: a.issuer.clone(),
        issued_at: a.issued_at,
        expires: a.expires,
        jti: a.id.clone(),
        jwt: stored.jwt.to_string(),
        limits: Limits {
            conn: l.conn,
            leaf: l.leaf_node_conn,
            subs: l.subs,
            data: l.data,
            payload: l.payload,
            imports: l.imports,
            exports: l.exports,
            jetstream: l.is_jetstream_enabled(),
        },
        signing_keys: a.nats.signing_keys.keys().map(str::to_string).collect(),
        revocations: a.nats.revocations.len(),
        exports: a.nats.exports.len(),
        imports: a.nats.imports.len(),
        status,
    })
}
