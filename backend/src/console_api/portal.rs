//! The team portal's routes. Anonymous: ask for access (`POST /api/v1/access-requests`) and
//! follow the request by its id. A team session: record the users it issued, list them,
//! ask for a revocation. An admin: list and decide requests — after re-signing and pushing
//! the account in the browser; the console checks the stored account says what was decided.

use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use nats_auth::jwt::{self, AccountClaims, AnyClaims};
use serde::Deserialize;

use super::{record_first, ApiError, SignedIn};
use crate::audit::{Actor, Record};
use crate::client_addr::ClientAddr;
use crate::portal::{
    is_id, new_id, AccessRequest, Decision, IssuedUser, Portal, PortalError, RevocationRequest,
    State as RequestState, MAX_TEXT,
};
use crate::state::AppState;

fn portal(state: &AppState) -> Result<&Portal, ApiError> {
    state.portal.as_ref().ok_or_else(|| {
        ApiError(
            StatusCode::NOT_FOUND,
            "this console keeps no team portal (its store has no writable folder)".into(),
        )
    })
}

fn portal_error(e: PortalError) -> ApiError {
    let status = match e {
        PortalError::Full(_) | PortalError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        PortalError::Conflict(_) => StatusCode::CONFLICT,
        PortalError::NotFound(_) => StatusCode::NOT_FOUND,
        PortalError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError(status, e.to_string())
}

fn api_error(status: StatusCode, reason: impl Into<String>) -> ApiError {
    ApiError(status, reason.into())
}

/// What an admin decides on.
#[derive(Clone, Copy)]
enum Decided {
    Access,
    Revocation,
}

/// Records an admin's decision (`<kind>.approved` or `<kind>.refused`) on `subject` in the
/// audit log; returns the request's new state and the decision to keep with it.
async fn record_decision(
    state: &AppState,
    session: &crate::session::Session,
    client: ClientAddr,
    (approve, kind): (bool, Decided),
    subject: &str,
    mut details: serde_json::Value,
    reason: String,
) -> Result<(RequestState, Decision), ApiError> {
    let (state_now, action) = match (approve, kind) {
        (true, Decided::Access) => (RequestState::Approved, "access.approved"),
        (false, Decided::Access) => (RequestState::Refused, "access.refused"),
        (true, Decided::Revocation) => (RequestState::Approved, "revocation.approved"),
        (false, Decided::Revocation) => (RequestState::Refused, "revocation.refused"),
    };
    details["reason"] = reason.clone().into();
    let entry = Record::new(session.actor(), client.to_string(), action)
        .subject(subject)
        .details(details);
    record_first(state, entry).await?;
    let decision = Decision {
        by: session.grant.name.clone(),
        at: crate::time::unix_now(),
        reason,
    };
    Ok((state_now, decision))
}

fn bad_request(reason: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, reason.into())
}

/// A text field: trimmed, at most [`MAX_TEXT`] characters, no control characters.
fn text(field: &str, value: &str, required: bool) -> Result<String, ApiError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(bad_request(format!("{field}: required")));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(bad_request(format!(
            "{field}: at most {MAX_TEXT} characters"
        )));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad_request(format!("{field}: no control characters")));
    }
    Ok(value.to_string())
}

/// The account JWT this console stores for `key`, decoded.
fn stored_account(state: &AppState, key: &str) -> Option<AccountClaims> {
    match state.store.get(key).map(|s| jwt::decode(&s.jwt)) {
        Some(Ok(AnyClaims::Account(a))) => Some(a),
        _ => None,
    }
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &[u8], shape: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("expected {shape}: {e}")))
}

#[derive(Deserialize)]
struct AccessRequestBody {
    account: String,
    key: String,
    name: String,
    #[serde(default)]
    note: String,
}

pub async fn request_access(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    if !state
        .portal_requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        return Err(api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "too many access requests at once: try again in a minute",
        ));
    }
    let body: AccessRequestBody = json_body(
        &body,
        r#"{"account": "A…", "key": "A… (your signing key)", "name": "…", "note": "…"}"#,
    )?;
    let (name, note) = match (
        text("name", &body.name, true),
        text("note", &body.note, false),
    ) {
        (Ok(n), Ok(t)) => (n, t),
        (Err(r), _) | (_, Err(r)) => return Ok(r.into_response()),
    };
    if !nats_auth::nkeys::is_valid_public_account_key(&body.key) {
        return Err(bad_request(format!(
            "key: {:.64} is not an account public key (a signing key starts with A)",
            body.key
        )));
    }
    let Some(account) = stored_account(&state, &body.account) else {
        return Err(bad_request(format!(
            "account: {:.64} is not stored in this console",
            body.account
        )));
    };
    if body.key == account.subject {
        return Err(bad_request(
            "key: that is the account's identity key, not a key of your own",
        ));
    }
    let request = AccessRequest {
        id: new_id(),
        account: account.subject.clone(),
        key: body.key,
        name,
        note,
        created: crate::time::unix_now(),
        from: client.to_string(),
        state: RequestState::Pending,
        role: String::new(),
        decision: None,
    };
    let entry = Record::new(Actor::Anonymous, client.to_string(), "access.requested")
        .subject(&request.account)
        .details(serde_json::json!({ "id": request.id, "key": request.key, "name": request.name }));
    record_first(&state, entry).await?;
    match portal.request_access(request.clone()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(request)).into_response()),
        Err(e) => Err(portal_error(e)),
    }
}

/// One request by its id (anonymous: the id is the member's own, and cannot be guessed).
pub async fn access_request(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    if !is_id(&id) {
        return Err(bad_request("not a request id"));
    }
    match portal.access_request(&id) {
        Some(request) => Ok(Json(request).into_response()),
        None => Err(api_error(
            StatusCode::NOT_FOUND,
            format!("no access request {id}"),
        )),
    }
}

/// Admin: every access request (`?state=pending` for those waiting).
pub async fn access_requests(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let mut wanted = None;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        wanted = Some(match pair {
            "state=pending" => RequestState::Pending,
            "state=approved" => RequestState::Approved,
            "state=refused" => RequestState::Refused,
            other => {
                return Err(bad_request(format!(
                    "unknown query {:.64} (known: state=pending|approved|refused)",
                    other
                )))
            }
        });
    }
    let list: Vec<AccessRequest> = portal
        .access_requests()
        .into_iter()
        .filter(|r| wanted.is_none_or(|w| r.state == w))
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize)]
struct DecisionBody {
    approve: bool,
    #[serde(default)]
    reason: String,
}

/// Admin: approve (the account as stored must now list the member's key as a signing key) or
/// refuse an access request.
pub async fn decide_access(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let body: DecisionBody = json_body(&body, r#"{"approve": true|false, "reason": "…"}"#)?;
    let reason = text("reason", &body.reason, false)?;
    let Some(request) = portal.access_request(&id).filter(|_| is_id(&id)) else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            format!("no access request {id:.64}"),
        ));
    };
    let mut role = String::new();
    if body.approve {
        let scope = stored_account(&state, &request.account)
            .filter(|a| a.nats.signing_keys.contains(&request.key))
            .map(|a| {
                a.nats
                    .signing_keys
                    .scope(&request.key)
                    .map(|s| s.role.clone())
            });
        match scope {
            Some(r) => role = r.unwrap_or_default(),
            None => {
                return Err(api_error(
                    StatusCode::CONFLICT,
                    format!(
                        "the account as stored here does not list {} as a signing key: add it (with its role), sign and push the account first",
                        request.key
                    ),
                ))}
        }
    }
    let details =
        serde_json::json!({ "id": id, "key": request.key, "name": request.name, "role": role });
    let (state_now, decision) = record_decision(
        &state,
        &session,
        client,
        (body.approve, Decided::Access),
        &request.account,
        details,
        reason,
    )
    .await?;
    match portal.decide_access(&id, state_now, role, decision).await {
        Ok(request) => Ok(Json(request).into_response()),
        Err(e) => Err(portal_error(e)),
    }
}

#[derive(Deserialize)]
struct UserBody {
    jwt: String,
}

/// A session records a user it issued: the JWT must be trusted by the account as stored here.
pub async fn record_user(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let body: UserBody = json_body(&body, r#"{"jwt": "<user JWT>"}"#)?;
    let user = match jwt::decode(body.jwt.trim()) {
        Ok(AnyClaims::User(u)) => u,
        Ok(other) => {
            return Err(bad_request(format!(
                "not a user JWT: a {} JWT was sent",
                other.claim_type().as_str()
            )))
        }
        Err(e) => return Err(bad_request(format!("bad JWT: {e}"))),
    };
    let account_key = nats_auth::session::account_of(&user).to_string();
    if !session.may_see_account(&account_key) {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            format!(
                "the user belongs to account {account_key}; you are signed in for {}",
                session.grant.account_name
            ),
        ));
    }
    let Some(account) = stored_account(&state, &account_key) else {
        return Err(bad_request(format!(
            "account {account_key} is not stored here"
        )));
    };
    if let Err(failure) = nats_auth::chain::check_user(
        &user,
        &account,
        state.operator.get().as_ref().map(|o| &o.claims),
    ) {
        return Err(api_error(StatusCode::FORBIDDEN, failure.to_string()));
    }
    let issues = user.validate(crate::time::unix_now());
    if issues.is_blocking(true) {
        return Err(bad_request(issues.blocking_summary()));
    }
    let issued = IssuedUser {
        key: user.subject.clone(),
        name: user.name.clone(),
        account: account_key,
        signer: user.issuer.clone(),
        issued_at: user.issued_at,
        expires: user.expires,
        jwt: body.jwt.trim().to_string(),
        issued_by: session.grant.name.clone(),
        issued_by_key: session.grant.user.clone(),
    };
    let entry = Record::new(session.actor(), client.to_string(), "user.issued")
        .subject(&issued.key)
        .details(serde_json::json!({
            "name": issued.name,
            "account": issued.account,
            "signer": issued.signer,
            "expires": issued.expires,
            "jti": user.id,
        }));
    record_first(&state, entry).await?;
    match portal.record_user(issued.clone()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(issued)).into_response()),
        Err(e) => Err(portal_error(e)),
    }
}

/// The account a list is for: `?account=A…` (an admin may name any; a team only its own), or
/// the session's own.
fn account_query(
    session: &crate::session::Session,
    query: Option<&str>,
) -> Result<String, ApiError> {
    let mut account = session.grant.account.clone();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("account", key)) => account = key.to_string(),
            _ => return Err(bad_request("unknown query (known: account=A…)")),
        }
    }
    if !session.may_see_account(&account) {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            format!(
                "you are signed in for account {}: {account:.64} is not yours to see",
                session.grant.account_name
            ),
        ));
    }
    Ok(account)
}

/// The users issued for an account, each with whether the stored account revokes it.
pub async fn users(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let account_key = account_query(&session, query.as_deref())?;
    let account = stored_account(&state, &account_key);
    let list: Vec<serde_json::Value> = portal
        .users_of(&account_key)
        .into_iter()
        .map(|u| {
            let revoked = account
                .as_ref()
                .is_some_and(|a| a.is_revoked(&u.key, u.issued_at));
            let mut v = serde_json::to_value(&u).unwrap_or_default();
            v["revoked"] = revoked.into();
            v
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize)]
struct RevocationBody {
    user: String,
    #[serde(default)]
    reason: String,
}

/// A session asks for one of its account's users to be revoked.
pub async fn request_revocation(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let body: RevocationBody = json_body(&body, r#"{"user": "U…", "reason": "…"}"#)?;
    let reason = text("reason", &body.reason, false)?;
    let Some(user) = portal.user(&body.user) else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            format!(
                "{:.64} is not a user issued through this console",
                body.user
            ),
        ));
    };
    if !session.may_see_account(&user.account) {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            format!(
                "user {} belongs to another account than {}",
                user.key, session.grant.account_name
            ),
        ));
    }
    let request = RevocationRequest {
        id: new_id(),
        account: user.account.clone(),
        user: user.key.clone(),
        user_name: user.name.clone(),
        reason,
        requested_by: session.grant.name.clone(),
        created: crate::time::unix_now(),
        state: RequestState::Pending,
        decision: None,
    };
    let entry = Record::new(session.actor(), client.to_string(), "revocation.requested")
        .subject(&request.user)
        .details(serde_json::json!({ "id": request.id, "account": request.account, "reason": request.reason }));
    record_first(&state, entry).await?;
    match portal.request_revocation(request.clone()).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(request)).into_response()),
        Err(e) => Err(portal_error(e)),
    }
}

/// Revocation requests: an admin sees all, a team its own account's.
pub async fn revocation_requests(
    State(state): State<Arc<AppState>>,
    Extension(SignedIn(session)): Extension<SignedIn>,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let list: Vec<RevocationRequest> = portal
        .revocation_requests()
        .into_iter()
        .filter(|r| session.may_see_account(&r.account))
        .collect();
    Ok(Json(list).into_response())
}

/// Admin: approve (the account as stored must now revoke the user) or refuse.
pub async fn decide_revocation(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let portal = portal(&state)?;
    let body: DecisionBody = json_body(&body, r#"{"approve": true|false, "reason": "…"}"#)?;
    let reason = text("reason", &body.reason, false)?;
    let Some(request) = portal
        .revocation_requests()
        .into_iter()
        .find(|r| r.id == id)
    else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            format!("no revocation request {id:.64}"),
        ));
    };
    if body.approve {
        let issued_at = portal.user(&request.user).map_or(0, |u| u.issued_at);
        let revoked = stored_account(&state, &request.account)
            .is_some_and(|a| a.is_revoked(&request.user, issued_at));
        if !revoked {
            return Err(api_error(
                StatusCode::CONFLICT,
                format!(
                    "the account as stored here does not revoke {}: revoke it, sign and push the account first",
                    request.user
                ),
            ));
        }
    }
    let details = serde_json::json!({ "id": id, "account": request.account });
    let (state_now, decision) = record_decision(
        &state,
        &session,
        client,
        (body.approve, Decided::Revocation),
        &request.user,
        details,
        reason,
    )
    .await?;
    match portal.decide_revocation(&id, state_now, decision).await {
        Ok(request) => Ok(Json(request).into_response()),
        Err(e) => Err(portal_error(e)),
    }
}
