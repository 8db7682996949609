//! App-wide state: the unlocked vault (or none) and the last notice, shared through context.

use leptos::prelude::*;

use crate::vault::{Unlocked, VaultData};

#[derive(Clone, Copy)]
pub struct Console {
    pub vault: RwSignal<Option<Unlocked>, LocalStorage>,
    /// The last outcome shown to the user: (is_error, text).
    pub notice: RwSignal<Option<(bool, String)>>,
    /// Who is signed in to this console, as the console says.
    pub session: RwSignal<Option<crate::session::SessionInfo>>,
    /// The cluster as polled, with an hour of history.
    pub monitor: crate::monitoring::Monitor,
    /// The system account's live events (admins).
    pub events: crate::monitoring::events::LiveEvents,
    /// Does this browser hold a vault (locked or not)?
    pub vault_exists: RwSignal<bool>,
    /// The console's own NATS link, as `/api/v1/info` says (None: not known to this page).
    pub link: RwSignal<Option<LinkInfo>>,
}

/// The console's NATS link: "not configured", "connecting", "connected" or "failing", and the
/// last error a server or the connection gave.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct LinkInfo {
    pub nats: String,
    #[serde(default)]
    pub nats_error: Option<String>,
}

impl Console {
    pub fn new() -> Self {
        Console {
            vault: RwSignal::new_local(None),
            notice: RwSignal::new(None),
            session: RwSignal::new(None),
            monitor: crate::monitoring::Monitor::new(),
            events: crate::monitoring::events::LiveEvents::new(),
            vault_exists: RwSignal::new(crate::vault::exists()),
            link: RwSignal::new(None),
        }
    }

    /// Locks the vault: the seeds are dropped from memory.
    pub fn lock(&self) {
        self.vault.set(None);
    }

    pub fn is_unlocked(&self) -> bool {
        self.vault.with(|v| v.is_some())
    }

    pub fn ok(&self, text: impl Into<String>) {
        self.notice.set(Some((false, text.into())));
    }

    pub fn error(&self, text: impl Into<String>) {
        self.notice.set(Some((true, text.into())));
    }

    /// The vault's contents (a copy), when unlocked.
    pub fn data(&self) -> Option<VaultData> {
        self.vault.with(|v| v.as_ref().map(|v| v.data.clone()))
    }

    /// Changes the vault's contents and stores them encrypted; shows the outcome.
    pub fn change(&self, change: impl FnOnce(&mut VaultData) -> Result<String, String>) -> bool {
        let Some(mut vault) = self.vault.get_untracked() else {
            self.error("unlock the vault first");
            return false;
        };
        match change(&mut vault.data) {
            Ok(text) => {
                self.vault.set(Some(vault.clone()));
                let this = *self;
                leptos::task::spawn_local(async move {
                    if let Err(e) = vault.save().await {
                        this.error(format!("could not store the vault: {e}"));
                    }
                });
                self.ok(text);
                true
            }
            Err(e) => {
                self.error(e);
                false
            }
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Offers `text` as a file download.
pub fn download(file_name: &str, text: &str) {
    crate::files::download_bytes(file_name, text.as_bytes(), "text/plain");
}

/// `POST /jwt/v1/operator`: makes this console trust the operator. A console that trusts none
/// yet wants the setup code it printed at start.
pub async fn push_operator(jwt: &str, setup_code: &str) -> Result<(u16, String), String> {
    post(
        "/jwt/v1/operator",
        jwt,
        Some(setup_code).filter(|c| !c.trim().is_empty()),
    )
    .await
}

/// `GET /jwt/v1/operator`: the operator this console trusts (`None`: none yet).
pub async fn trusted_operator() -> Result<Option<String>, String> {
    get_jwt("/jwt/v1/operator").await
}

/// `GET /jwt/v1/accounts/<key>`: the account JWT as this console stores it (`None`: not stored).
pub async fn stored_account(key: &str) -> Result<Option<String>, String> {
    get_jwt(&format!("/jwt/v1/accounts/{key}")).await
}

/// A JWT the account server serves at `url`, or `None` for its 404.
async fn get_jwt(url: &str) -> Result<Option<String>, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match response.status() {
        200 => Ok(Some(response.text().await.map_err(|e| e.to_string())?)),
        404 => Ok(None),
        status => Err(format!("GET {url} answered {status}")),
    }
}

/// `DELETE /jwt/v1/accounts/<key>` with the operator-signed request: (status, the server's reason).
pub async fn delete_account(key: &str, request: &str) -> Result<(u16, String), String> {
    let url = format!("/jwt/v1/accounts/{key}");
    send_jwt(gloo_net::http::Request::delete(&url), request).await
}

async fn post(url: &str, jwt: &str, setup_code: Option<&str>) -> Result<(u16, String), String> {
    let mut request = gloo_net::http::Request::post(url);
    if let Some(code) = setup_code {
        request = request.header("Nats-Console-Setup", code.trim());
    }
    send_jwt(request, jwt).await
}

/// Sends `jwt` as the body of an account-server request: (status, the server's reason).
async fn send_jwt(
    request: gloo_net::http::RequestBuilder,
    jwt: &str,
) -> Result<(u16, String), String> {
    let response = request
        .header("Content-Type", "application/jwt")
        .body(jwt.to_string())
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    Ok((
        status,
        response.text().await.unwrap_or_default().trim().to_string(),
    ))
}

/// `POST /jwt/v1/accounts/<key>` with the JWT: (status, the server's reason).
pub async fn push_account(key: &str, jwt: &str) -> Result<(u16, String), String> {
    post(&format!("/jwt/v1/accounts/{key}"), jwt, None).await
}

/// Pushes account `name`'s JWT to this console and says how it went, as every page says it.
/// True when the console took it.
pub async fn push_account_saying(console: Console, key: &str, name: &str, jwt: &str) -> bool {
    match push_account(key, jwt).await {
        Ok((status, _)) if status < 300 => {
            console.ok(format!("account {name} pushed: the server accepted it"));
            true
        }
        Ok((status, reason)) => {
            console.error(format!("the server refused {name} ({status}): {reason}"));
            false
        }
        Err(e) => {
            console.error(format!("push failed: {e}"));
            false
        }
    }
}

/// Pushes the vault's account `key` as it is now (see `push_account_saying`); false when the
/// vault is locked or holds no such account.
pub async fn push_vault_account(console: Console, key: &str) -> bool {
    let Some((name, jwt)) = console.data().and_then(|d| {
        d.accounts
            .iter()
            .find(|a| a.key == key)
            .map(|a| (a.name.clone(), a.jwt.clone()))
    }) else {
        return false;
    };
    push_account_saying(console, key, &name, &jwt).await
}
