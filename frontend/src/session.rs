//! The console session of this browser: sign in by signing a short-lived user JWT for the key
//! the console makes (`/api/v1/session`), see it, sign out. The cookie is HttpOnly: the page
//! knows the session only through `GET /api/v1/session`.

use leptos::prelude::*;
use nats_auth::jwt::AnyClaims;
use serde::Deserialize;

use crate::forms::FormError;
use crate::issue::{self, SignInChoice};
use crate::state::{now, stored_account, trusted_operator, Console};
use crate::vault::VaultData;

/// What the console says about the session (`GET /api/v1/session`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionInfo {
    /// "admin" or "team"
    pub role: String,
    pub account: String,
    pub account_name: String,
    pub user: String,
    pub name: String,
    pub signer: String,
    pub expires: i64,
    /// The session's own NATS connection.
    pub nats: String,
}

impl SessionInfo {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

#[derive(Deserialize)]
struct ApiError {
    error: String,
}

/// The reason in a console API refusal (`{"error": …}`), or the status.
pub async fn refusal_of(response: gloo_net::http::Response) -> String {
    let status = response.status();
    match response.json::<ApiError>().await {
        Ok(e) => e.error,
        Err(_) => format!("the console answered {status}"),
    }
}

/// Asks the console who is signed in here, and remembers it.
pub async fn load(console: Console) {
    let session = match gloo_net::http::Request::get("/api/v1/session").send().await {
        Ok(r) if r.ok() => r.json::<SessionInfo>().await.ok(),
        _ => None,
    };
    // signed in and at the front door: the first page is Home
    let at_root = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .as_deref()
        == Some("/");
    if session.is_some() && at_root {
        crate::nav::go(crate::nav::Page::Home);
    }
    console.session.set(session);
}

/// A user JWT of `choice`'s account signed by its key for a fresh sign-in key of the console,
/// named `name`, for `hours`: what a sign-in and an account link both send.
async fn signed_for_new_key(
    data: &VaultData,
    choice: &SignInChoice,
    name: &str,
    hours: &str,
) -> Result<String, FormError> {
    let at_choice = |e: String| FormError::at("sign-in-as", e);
    let operator = match trusted_operator().await.map_err(at_choice)? {
        Some(jwt) => match nats_auth::jwt::decode(&jwt) {
            Ok(AnyClaims::Operator(o)) => o,
            _ => {
                return Err(at_choice(
                    "the console's operator JWT does not decode".into(),
                ))
            }
        },
        None => {
            return Err(at_choice(
                "this console trusts no operator yet: create one on the Operator page".into(),
            ))
        }
    };
    let account = match stored_account(&choice.account).await.map_err(at_choice)? {
        Some(jwt) => match nats_auth::jwt::decode(&jwt) {
            Ok(AnyClaims::Account(a)) => a,
            _ => return Err(at_choice("the stored account JWT does not decode".into())),
        },
        None => {
            return Err(at_choice(format!(
                "account {} is not pushed to this console yet: push it first",
                issue::short(&choice.account)
            )))
        }
    };
    let response = gloo_net::http::Request::post("/api/v1/session/key")
        .send()
        .await
        .map_err(|e| at_choice(e.to_string()))?;
    if !response.ok() {
        return Err(at_choice(refusal_of(response).await));
    }
    #[derive(Deserialize)]
    struct Key {
        key: String,
    }
    let key: Key = response
        .json()
        .await
        .map_err(|e| at_choice(e.to_string()))?;
    let (jwt, _) = issue::session_jwt(
        data,
        &operator,
        &account,
        &choice.signer,
        &key.key,
        name,
        hours,
        now(),
    )?;
    Ok(jwt)
}

/// Signs in as `choice` (a key of the vault), named `name`, for `hours`.
pub async fn sign_in(
    data: &VaultData,
    choice: &SignInChoice,
    name: &str,
    hours: &str,
) -> Result<SessionInfo, FormError> {
    let at_choice = |e: String| FormError::at("sign-in-as", e);
    let jwt = signed_for_new_key(data, choice, name, hours).await?;
    let body = serde_json::json!({ "jwt": jwt }).to_string();
    let response = gloo_net::http::Request::post("/api/v1/session")
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| at_choice(e.to_string()))?
        .send()
        .await
        .map_err(|e| at_choice(e.to_string()))?;
    if !response.ok() {
        return Err(at_choice(refusal_of(response).await));
    }
    response
        .json::<SessionInfo>()
        .await
        .map_err(|e| at_choice(e.to_string()))
}

/// Lets this session act as a user of `choice`'s account for an hour (an admin on another
/// account's JetStream pages): the vault signs a user JWT of that account for a key the console
/// made, and the console connects with it, so nats-server applies that user's rights.
pub async fn link_account(
    data: &VaultData,
    choice: &SignInChoice,
    name: &str,
) -> Result<serde_json::Value, String> {
    let jwt = signed_for_new_key(data, choice, name, "1")
        .await
        .map_err(|e| e.message)?;
    let url = format!("/api/v1/jetstream/{}/link", choice.account);
    crate::api::post(&url, serde_json::json!({ "jwt": jwt })).await
}

/// Ends the session here and at the console.
pub async fn sign_out(console: Console) {
    let _ = gloo_net::http::Request::delete("/api/v1/session")
        .send()
        .await;
    console.session.set(None);
}

/// Signs in as the operator's system account (admin), right after the operator was created.
pub async fn sign_in_as_admin(
    console: Console,
    data: &VaultData,
    name: &str,
) -> Result<SessionInfo, String> {
    let op = issue::operator(data).ok_or("no operator in the vault")?;
    let choice = issue::sign_in_choices(data, &op.nats.system_account)
        .into_iter()
        .find(|c| c.account == op.nats.system_account)
        .ok_or("the vault holds no key of the system account")?;
    let session = sign_in(data, &choice, name, "8")
        .await
        .map_err(|e| e.message)?;
    console.session.set(Some(session.clone()));
    Ok(session)
}

thread_local! {
    /// The console whose session a refused request may resume (set once by the app).
    static CONSOLE: std::cell::Cell<Option<Console>> = const { std::cell::Cell::new(None) };
    /// A resume under way: other refused requests wait for it instead of signing in too.
    static RESUMING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Lets refused requests resume `console`'s session.
pub fn remember(console: Console) {
    CONSOLE.with(|c| c.set(Some(console)));
}

/// A request was refused with 401 while this page had a session: the console behind this
/// address does not know it (another instance on the same store, or a restart that lost it).
/// With the vault unlocked, signs in again with the same key, as the same person, for the time
/// the session had left; true when a session is back (the request can be made again).
pub async fn resume() -> bool {
    let Some(console) = CONSOLE.with(std::cell::Cell::get) else {
        return false;
    };
    let Some(previous) = console.session.get_untracked() else {
        return false;
    };
    if RESUMING.with(|r| r.replace(true)) {
        for _ in 0..100 {
            crate::monitoring::sleep_ms(100).await;
            if !RESUMING.with(std::cell::Cell::get) {
                break;
            }
        }
        return console.session.get_untracked().is_some();
    }
    let resumed = async {
        let data = console
            .vault
            .with_untracked(|v| v.as_ref().map(|v| v.data.clone()))?;
        let choice = issue::sign_in_choices(&data, "")
            .into_iter()
            .find(|c| c.account == previous.account && c.signer == previous.signer)?;
        let left = previous.expires - now();
        if left <= 0 {
            return None;
        }
        let hours = ((left + 3599) / 3600).clamp(1, 12).to_string();
        sign_in(&data, &choice, &previous.name, &hours).await.ok()
    }
    .await;
    RESUMING.with(|r| r.set(false));
    let back = resumed.is_some();
    console.session.set(resumed);
    back
}
