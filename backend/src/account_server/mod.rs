//! The nats-account-server HTTP API (`/jwt/v1/…`, `/healthz`): what nats-server's URL resolver
//! and `nsc push`/`nsc pull` talk to. Handlers are thin: parse, call the store or the write path,
//! map the result to a response.

mod render;
pub mod update;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use nats_auth::jwt::MAX_TOKEN_SIZE;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::audit::Origin;
use crate::client_addr::ClientAddr;
pub use crate::state::AppState;
use update::{delete_account, update_account, update_activation, UpdateError, UpdateOutcome};

/// The account-server API, the console API and (when built) the web app with SPA fallback.
pub fn router(state: Arc<AppState>, web_dir: Option<&std::path::Path>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::DELETE])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::AUTHORIZATION, header::ETAG]);
    let routes = Router::new()
        .route("/jwt/v1/accounts", get(probe))
        .route("/jwt/v1/accounts/", get(probe))
        .route(
            "/jwt/v1/accounts/{key}",
            get(get_account)
                .post(post_account)
                .delete(delete_account_route),
        )
        .route("/jwt/v1/activations", axum::routing::post(post_activation))
        .route("/jwt/v1/activations/{hash}", get(get_activation))
        .route("/jwt/v1/operator", get(get_operator).post(post_operator))
        .route("/jwt/v1/pack", get(get_pack))
        .route("/jwt/v1/help", get(help))
        .route("/healthz", get(healthz))
        .merge(crate::console_api::router(state.clone()))
        .route("/jwt/{*rest}", axum::routing::any(not_found))
        .route("/api/{*rest}", axum::routing::any(not_found));
    let routes = match web_dir {
        // two bundles, each with its own SPA fallback: the ops pages under /ops/, the rest
        Some(dir) => routes
            .nest_service(
                "/ops",
                web_files(
                    tower_http::services::ServeDir::new(dir.join("ops")).fallback(
                        tower_http::services::ServeFile::new(dir.join("ops/index.html")),
                    ),
                ),
            )
            .fallback_service(web_files(
                tower_http::services::ServeDir::new(dir)
                    .fallback(tower_http::services::ServeFile::new(dir.join("index.html"))),
            )),
        None => routes.fallback(not_found),
    };
    routes
        .layer(DefaultBodyLimit::max(MAX_TOKEN_SIZE))
        .layer(cors)
        .with_state(state)
}

/// The web app's files, revalidated on every load (`no-cache`; unchanged files cost a 304):
/// their names carry no hash, and a page chunk of one build must never meet another's main
/// module (scripts/build-web).
fn web_files<S>(files: S) -> tower_http::set_header::SetResponseHeader<S, HeaderValue> {
    tower_http::set_header::SetResponseHeader::overriding(
        files,
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    )
}

/// A plain-text error as NAS sends them: the reason and a newline.
fn text_error(status: StatusCode, reason: impl std::fmt::Display) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{reason}\n"),
    )
        .into_response()
}

/// A refused request: the status and the reason shown to the client.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        text_error(self.0, self.1)
    }
}

async fn not_found() -> Response {
    text_error(StatusCode::NOT_FOUND, "not found")
}

/// nats-server's start-up probe of its URL resolver: must answer 200.
async fn probe() -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-cache, no-store, must-revalidate"),
            (header::PRAGMA, "no-cache"),
            (header::EXPIRES, "0"),
        ],
        "",
    )
        .into_response()
}

async fn healthz() -> Response {
    StatusCode::OK.into_response()
}

async fn help() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        render::HELP,
    )
        .into_response()
}

/// The options of a GET (`?text=true&decode=true&check=true&notify=true`).
#[derive(Debug, Default)]
struct GetOptions {
    text: bool,
    decode: bool,
    check: bool,
    notify: bool,
}

fn parse_options(query: Option<&str>, allowed: &[&str]) -> Result<GetOptions, Refusal> {
    let mut options = GetOptions::default();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, "true"));
        if name == "jti" {
            return Err(Refusal(
                StatusCode::NOT_IMPLEMENTED,
                "lookup by jti is no longer supported".into(),
            ));
        }
        if !allowed.contains(&name) {
            return Err(Refusal(
                StatusCode::BAD_REQUEST,
                format!(
                    "unknown query parameter {:?} (known: {})",
                    truncate(name),
                    allowed.join(", ")
                ),
            ));
        }
        let on = match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "" => true,
            "false" | "0" => false,
            _ => {
                return Err(Refusal(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "query parameter {name}: expected true or false, got {:?}",
                        truncate(value)
                    ),
                ))
            }
        };
        match name {
            "text" => options.text = on,
            "decode" => options.decode = on,
            "check" => options.check = on,
            "notify" => options.notify = on,
            _ => {}
        }
    }
    Ok(options)
}

/// Echoes at most 64 characters of client input in an error.
fn truncate(text: &str) -> String {
    text.chars().take(64).collect()
}

/// A request body holding a JWT: UTF-8 text, or a refusal saying it is not.
fn jwt_body(body: &Bytes) -> Result<&str, Refusal> {
    std::str::from_utf8(body).map_err(|_| {
        Refusal(
            StatusCode::BAD_REQUEST,
            "bad JWT in request: the body is not UTF-8 text".into(),
        )
    })
}

fn check_account_key(key: &str) -> Result<(), Refusal> {
    if nats_auth::nkeys::is_valid_public_account_key(key) {
        Ok(())
    } else {
        Err(Refusal(
            StatusCode::BAD_REQUEST,
            format!("{:?} is not an account public key", truncate(key)),
        ))
    }
}

async fn get_account(
    State(state): State<Arc<AppState>>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let options = match parse_options(query.as_deref(), &["text", "decode", "check", "notify"]) {
        Ok(o) => o,
        Err(refusal) => return refusal.into_response(),
    };
    if let Err(refusal) = check_account_key(&key) {
        return refusal.into_response();
    }
    if let Some(primary) = &state.primary {
        refresh_from_primary(&state, primary, &key).await;
    }
    // one read of the store (a sharded one may read the disk); a second only after a lookup
    let mut found = state.read_account(&key).await;
    if found.is_none() {
        lookup_over_nats(&state, &key).await;
        found = state.read_account(&key).await;
    }
    let found = found.or_else(|| {
        state
            .system_account
            .as_ref()
            .filter(|s| s.account == key)
            .cloned()
    });
    let Some(stored) = found else {
        return text_error(StatusCode::NOT_FOUND, "no matching account JWT");
    };
    if options.notify {
        if let Err(reason) = state
            .nats
            .try_publish_update(&stored.account, &stored.jwt)
            .await
        {
            return text_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("notify failed: {reason}"),
            );
        }
    }
    serve_jwt(&stored.jwt, &stored.jti, stored.expires, &options, &headers)
}

/// Serves a JWT with NAS's options and caching headers.
fn serve_jwt(
    jwt: &str,
    jti: &str,
    expires: i64,
    options: &GetOptions,
    headers: &HeaderMap,
) -> Response {
    if options.text {
        return (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            jwt.to_string(),
        )
            .into_response();
    }
    if options.decode {
        return match render::decoded(jwt) {
            Ok(text) => {
                ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
            }
            Err(e) => text_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot decode the stored JWT: {e}"),
            ),
        };
    }
    let now = crate::time::unix_now();
    if options.check && expires > 0 && expires < now {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{jti}\"");
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(&etag) || v.trim() == "*");
    if matches {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let cache_control = if expires > 0 {
        format!(
            "max-age={}, stale-while-revalidate=3600, stale-if-error=3600",
            (expires - now).max(0)
        )
    } else {
        "no-cache".to_string()
    };
    let mut response =
        ([(header::CONTENT_TYPE, "application/jwt")], jwt.to_string()).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    response
}

/// A replica asks its primary for accounts it lacks or fetched over an hour ago; when the
/// primary cannot answer, the local copy is served.
async fn refresh_from_primary(state: &AppState, primary: &crate::primary::Primary, key: &str) {
    if primary.is_fresh(key) {
        return;
    }
    match primary.fetch_account(key).await {
        Ok(Some(jwt)) => {
            match update_account(state, Some(key), &jwt, &Origin::primary(&primary.url)).await {
                Ok(_) => primary.mark_fetched(key),
                Err(e) => tracing::warn!("the primary's JWT for {key} was refused: {e}"),
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("{e}; serving {key} from the local store"),
    }
}

/// On a miss, asks the NATS resolvers (`$SYS.REQ.ACCOUNT.<key>.CLAIMS.LOOKUP`, as NAS v1
/// does); an answer is verified like a POST and kept.
async fn lookup_over_nats(state: &AppState, key: &str) {
    let Some(client) = state.nats.client() else {
        return;
    };
    let subject = format!("$SYS.REQ.ACCOUNT.{key}.CLAIMS.LOOKUP");
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        client.request(subject, bytes::Bytes::new()),
    )
    .await;
    let Ok(Ok(message)) = answer else { return };
    let Ok(jwt) = std::str::from_utf8(&message.payload) else {
        return;
    };
    if jwt.is_empty() {
        return;
    }
    if let Err(e) = update_account(state, Some(key), jwt, &Origin::nats()).await {
        tracing::debug!("the NATS lookup of {key} answered a JWT that was refused: {e}");
    }
}

async fn post_account(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    if let Err(refusal) = parse_options(query.as_deref(), &[]) {
        return refusal.into_response();
    }
    if let Some(primary) = &state.primary {
        let refused = UpdateError::Replica(primary.url.clone());
        return text_error(update_status(&refused), refused);
    }
    let jwt = match jwt_body(&body) {
        Ok(text) => text,
        Err(refusal) => return refusal.into_response(),
    };
    match update_account(&state, Some(&key), jwt, &origin(&state, client, &headers)).await {
        Ok(UpdateOutcome::Saved(stored)) => {
            tracing::info!("updated account {} (jti {})", stored.account, stored.jti);
            StatusCode::OK.into_response()
        }
        Ok(UpdateOutcome::Unchanged) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::debug!("refused update of {}: {e}", truncate(&key));
            text_error(update_status(&e), e)
        }
    }
}

async fn delete_account_route(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(primary) = &state.primary {
        let refused = UpdateError::Replica(primary.url.clone());
        return text_error(update_status(&refused), refused);
    }
    let request = match jwt_body(&body) {
        Ok(text) => text,
        Err(refusal) => return refusal.into_response(),
    };
    match delete_account(&state, &key, request, &origin(&state, client, &headers)).await {
        Ok(true) => {
            tracing::info!("deleted account {key}");
            StatusCode::OK.into_response()
        }
        Ok(false) => text_error(StatusCode::NOT_FOUND, "no matching account JWT"),
        Err(e) => text_error(update_status(&e), e),
    }
}

async fn post_activation(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let jwt = match jwt_body(&body) {
        Ok(text) => text,
        Err(refusal) => return refusal.into_response(),
    };
    match update_activation(&state, jwt, &origin(&state, client, &headers)).await {
        Ok(stored) => {
            tracing::info!("stored activation {}", stored.account);
            StatusCode::OK.into_response()
        }
        Err(e) => text_error(update_status(&e), e),
    }
}

/// `base32` (padded) of a SHA-256: 56 characters of `A-Z2-7=`.
fn is_activation_hash(hash: &str) -> bool {
    hash.len() == 56
        && hash
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b) || b == b'=')
}

async fn get_activation(
    State(state): State<Arc<AppState>>,
    Path(hash): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let options = match parse_options(query.as_deref(), &["text", "decode", "notify"]) {
        Ok(o) => o,
        Err(refusal) => return refusal.into_response(),
    };
    if !is_activation_hash(&hash) {
        return text_error(
            StatusCode::BAD_REQUEST,
            format!("{:?} is not an activation hash", truncate(&hash)),
        );
    }
    let Some(stored) = state.store.get_activation(&hash) else {
        return text_error(StatusCode::NOT_FOUND, "No Matching JWT");
    };
    if options.notify {
        if let Ok(nats_auth::jwt::AnyClaims::Activation(a)) = nats_auth::jwt::decode(&stored.jwt) {
            let exporter = if a.nats.issuer_account.is_empty() {
                a.issuer.clone()
            } else {
                a.nats.issuer_account.clone()
            };
            state
                .nats
                .publish(
                    &format!("$SYS.ACCOUNT.{exporter}.CLAIMS.ACTIVATE.{hash}"),
                    &stored.jwt,
                )
                .await;
        }
    }
    serve_jwt(&stored.jwt, &stored.jti, stored.expires, &options, &headers)
}

/// Where an HTTP change came from: the client's address, and the session its cookie names.
fn origin(state: &AppState, client: ClientAddr, headers: &HeaderMap) -> Origin {
    let session = crate::session::token_of(headers)
        .and_then(|token| state.sessions.get(&token))
        .map(|s| s.actor());
    Origin::http(client.to_string(), session)
}

pub fn update_status(e: &UpdateError) -> StatusCode {
    match e {
        UpdateError::Older { .. } => StatusCode::CONFLICT,
        UpdateError::ReadOnly(_)
        | UpdateError::Replica(_)
        | UpdateError::DeleteOff
        | UpdateError::OperatorPinned => StatusCode::METHOD_NOT_ALLOWED,
        UpdateError::Store(crate::store::StoreError::Unavailable(_)) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        UpdateError::Store(crate::store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
        UpdateError::Store(_) | UpdateError::Audit(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn get_operator(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let options = match parse_options(query.as_deref(), &["text", "decode"]) {
        Ok(o) => o,
        Err(refusal) => return refusal.into_response(),
    };
    match state.operator.get() {
        None => text_error(StatusCode::NOT_FOUND, "no operator is configured"),
        Some(op) => serve_jwt(
            &op.jwt,
            &op.claims.id,
            op.claims.expires,
            &options,
            &headers,
        ),
    }
}

async fn post_operator(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<ClientAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let jwt = match jwt_body(&body) {
        Ok(text) => text,
        Err(refusal) => return refusal.into_response(),
    };
    // a console that trusts no operator yet takes the first one only with its setup code
    if state.operator.get().is_none() && state.operator.keeper.is_some() {
        let given = headers
            .get(crate::setup_code::HEADER)
            .and_then(|v| v.to_str().ok());
        if !state.setup_code.matches(given) {
            let reason = match given {
                None => "this console trusts no operator yet: send the setup code it printed at start (header Nats-Console-Setup; `nats-console setup-code` prints it again)",
                Some(_) => "wrong setup code: it is in the console's start-up log (`nats-console setup-code` prints it again)",
            };
            let _ = state
                .record(
                    crate::audit::Record::new(
                        crate::audit::Actor::Anonymous,
                        client.to_string(),
                        "operator.refused",
                    )
                    .outcome(reason),
                )
                .await;
            return text_error(StatusCode::FORBIDDEN, reason);
        }
    }
    match update::update_operator(&state, jwt, &origin(&state, client, &headers)).await {
        Ok(name) => {
            tracing::info!("the web console set the operator: {name}");
            StatusCode::OK.into_response()
        }
        Err(e) => text_error(update_status(&e), e),
    }
}

async fn get_pack(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let cap = state.max_pack;
    let mut max = cap;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("max", value)) => match value.parse::<i64>() {
                Ok(n) if n <= cap || cap < 0 => max = n,
                Ok(n) => {
                    return text_error(
                        StatusCode::BAD_REQUEST,
                        format!("max {n} is over the limit of {cap}"),
                    )
                }
                Err(_) => {
                    return text_error(
                        StatusCode::BAD_REQUEST,
                        format!("max: expected a number, got {:?}", truncate(value)),
                    )
                }
            },
            _ => {
                return text_error(
                    StatusCode::BAD_REQUEST,
                    format!("unknown query parameter {:?} (known: max)", truncate(pair)),
                )
            }
        }
    }
    let now = crate::time::unix_now();
    let lines: Vec<String> = state
        .store
        .all()
        .into_iter()
        .filter(|j| j.expires == 0 || j.expires >= now)
        .take(if max < 0 { usize::MAX } else { max as usize })
        .map(|j| format!("{}|{}", j.account, j.jwt))
        .collect();
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        lines.join("\n"),
    )
        .into_response()
}
