//! The connection to NATS as a system-account user: announces account updates
//! (`$SYS.ACCOUNT.<key>.CLAIMS.UPDATE`) and carries the resolver protocol. It connects in the
//! background and retries forever, so the HTTP server is up first — nats-server with a URL
//! resolver needs it to start.
//!
//! Two ways in: `-nats`/`-creds` as for nats-account-server, or from the web console, which
//! signs a system-account user JWT for the console's own key. That key is made at start and
//! kept in memory only, so no user's seed ever reaches the server.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use nats_auth::nkeys::{KeyPair, KeyType};
use tokio::sync::watch;

use crate::config::Nats;

#[derive(Clone)]
pub struct NatsLink {
    client: Arc<watch::Sender<Option<async_nats::Client>>>,
    configured: Arc<AtomicBool>,
    /// The console's own user key, for a link the web console authorizes.
    console_key: Arc<KeyPair>,
    servers: Arc<std::sync::Mutex<Vec<String>>>,
    status: Arc<std::sync::Mutex<LinkStatus>>,
}

/// The link as the header shows it: its state and the last error a server or the connection
/// gave (an authorization violation stays visible while the link keeps retrying).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkStatus {
    /// "not configured", "connecting", "connected" or "failing"
    pub state: &'static str,
    pub error: Option<String>,
}

impl Default for LinkStatus {
    fn default() -> Self {
        LinkStatus {
            state: "not configured",
            error: None,
        }
    }
}

type StatusCell = Arc<std::sync::Mutex<LinkStatus>>;

/// async-nats repeats the server's words ("authorization violation: nats: authorization
/// violation"): said once.
fn plain_error(error: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in error.split(": ") {
        let part = part.strip_prefix("nats: ").unwrap_or(part);
        if part != "nats" && parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

fn set_status(cell: &StatusCell, state: &'static str, error: Option<String>) {
    let error = error.map(|e| plain_error(&e));
    let mut status = cell.lock().unwrap_or_else(|e| e.into_inner());
    status.state = state;
    if error.is_some() || state == "connected" {
        status.error = error;
    }
}

/// Follows the client's events: a server's refusal while reconnecting marks the link failing.
fn follow_events(cell: StatusCell) -> impl Fn(async_nats::Event) -> std::future::Ready<()> {
    move |event| {
        match event {
            async_nats::Event::Connected => set_status(&cell, "connected", None),
            async_nats::Event::Disconnected => set_status(&cell, "connecting", None),
            async_nats::Event::Closed => set_status(&cell, "failing", Some("closed".into())),
            async_nats::Event::ServerError(e) => {
                set_status(&cell, "failing", Some(format!("the server said: {e}")))
            }
            async_nats::Event::ClientError(e) => set_status(&cell, "failing", Some(e.to_string())),
            _ => {}
        }
        std::future::ready(())
    }
}

/// How the link authenticates.
enum Auth {
    /// A creds file (`-creds`), or none.
    Creds(Option<std::path::PathBuf>),
    /// A user JWT for the console's own key.
    Jwt(String, Arc<KeyPair>),
}

impl NatsLink {
    /// A link that is not configured yet.
    pub fn new() -> NatsLink {
        let console_key =
            KeyPair::new(KeyType::User, &mut rand_core::OsRng).expect("the OS provides randomness");
        NatsLink {
            client: Arc::new(watch::channel(None).0),
            configured: Arc::new(AtomicBool::new(false)),
            console_key: Arc::new(console_key),
            servers: Default::default(),
            status: Default::default(),
        }
    }

    pub fn status(&self) -> LinkStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn is_configured(&self) -> bool {
        self.configured.load(Ordering::SeqCst)
    }

    pub fn client(&self) -> Option<async_nats::Client> {
        self.client.borrow().clone()
    }

    pub fn servers(&self) -> Vec<String> {
        self.servers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The public key a web-console-issued user JWT must be about.
    pub fn console_public_key(&self) -> String {
        self.console_key.public_key()
    }

    /// Waits until connected.
    pub async fn connected(&self) -> async_nats::Client {
        let mut rx = self.client.subscribe();
        loop {
            if let Some(client) = rx.borrow_and_update().clone() {
                return client;
            }
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    /// Connects with `-nats`/`-creds`, in the background.
    pub fn start(&self, config: &Nats) {
        self.spawn(config.clone(), Auth::Creds(config.user_credentials.clone()));
    }

    /// Connects to `servers` as the user `jwt` (issued for the console's key), in the background.
    pub fn start_with_jwt(&self, config: &Nats, servers: Vec<String>, jwt: String) {
        let mut config = config.clone();
        config.servers = servers;
        self.spawn(config, Auth::Jwt(jwt, self.console_key.clone()));
    }

    fn spawn(&self, config: Nats, auth: Auth) {
        self.configured.store(true, Ordering::SeqCst);
        *self.servers.lock().unwrap_or_else(|e| e.into_inner()) = config.servers.clone();
        let tx = self.client.clone();
        let status = self.status.clone();
        set_status(&status, "connecting", None);
        tokio::spawn(async move {
            let servers = config.servers.join(",");
            let mut attempt = 0u64;
            loop {
                match connect(&config, &auth, "nats-console", Some(status.clone())).await {
                    Ok(client) => {
                        tracing::info!("connected to NATS at {servers}");
                        set_status(&status, "connected", None);
                        tx.send_replace(Some(client));
                        return;
                    }
                    Err(e) => {
                        set_status(&status, "failing", Some(e.clone()));
                        attempt += 1;
                        // NAS logs every failure; after the first few, only every tenth
                        if attempt <= 3 || attempt.is_multiple_of(10) {
                            tracing::warn!(
                                "failed to connect to NATS at {servers}: {e}; retrying every {:?}",
                                config.reconnect_wait
                            );
                        }
                        tokio::time::sleep(config.reconnect_wait.max(Duration::from_millis(50)))
                            .await;
                    }
                }
            }
        });
    }

    /// Announces a changed account JWT; logs (and otherwise ignores) a failure.
    pub async fn publish_update(&self, account: &str, jwt: &str) {
        if let Err(e) = self.try_publish_update(account, jwt).await {
            if self.is_configured() {
                tracing::warn!("could not announce the update of {account}: {e}");
            }
        }
    }

    /// Publishes on any subject; logs (and otherwise ignores) a failure.
    pub async fn publish(&self, subject: &str, payload: &str) {
        let Some(client) = self.client() else { return };
        if let Err(e) = client
            .publish(subject.to_string(), payload.to_string().into())
            .await
        {
            tracing::warn!("could not publish on {subject}: {e}");
        }
    }

    pub async fn try_publish_update(&self, account: &str, jwt: &str) -> Result<(), String> {
        let client = match (self.is_configured(), self.client()) {
            (false, _) => return Err("NATS is not configured".into()),
            (true, None) => return Err("NATS is not connected yet".into()),
            (true, Some(client)) => client,
        };
        let subject = format!("$SYS.ACCOUNT.{account}.CLAIMS.UPDATE");
        client
            .publish(subject, jwt.to_string().into())
            .await
            .map_err(|e| e.to_string())?;
        client.flush().await.map_err(|e| e.to_string())
    }
}

impl Default for NatsLink {
    fn default() -> Self {
        Self::new()
    }
}

/// Connects as the user `jwt` whose key is `key` (a session's own connection). The server's
/// permission violations on it are sent to `violations`: a request the user may not make gets
/// no answer, only that `-ERR`, and the console says which permission was missing.
pub async fn connect_as(
    config: &Nats,
    jwt: String,
    key: Arc<KeyPair>,
    name: &str,
    violations: tokio::sync::broadcast::Sender<String>,
) -> Result<async_nats::Client, String> {
    let options = options(config, &Auth::Jwt(jwt, key), name).await?;
    options
        .event_callback(move |event| {
            if let async_nats::Event::ServerError(async_nats::ServerError::Other(e)) = event {
                if e.to_ascii_lowercase().starts_with("permissions violation") {
                    let _ = violations.send(e);
                }
            }
            std::future::ready(())
        })
        .connect(config.servers.clone())
        .await
        .map_err(|e| e.to_string())
}

async fn connect(
    config: &Nats,
    auth: &Auth,
    name: &str,
    status: Option<StatusCell>,
) -> Result<async_nats::Client, String> {
    let mut options = options(config, auth, name).await?;
    if let Some(status) = status {
        options = options.event_callback(follow_events(status));
    }
    options
        .connect(config.servers.clone())
        .await
        .map_err(|e| e.to_string())
}

async fn options(
    config: &Nats,
    auth: &Auth,
    name: &str,
) -> Result<async_nats::ConnectOptions, String> {
    let mut options = match auth {
        Auth::Creds(Some(path)) => async_nats::ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|e| format!("creds {}: {e}", path.display()))?,
        Auth::Creds(None) => async_nats::ConnectOptions::new(),
        Auth::Jwt(jwt, key) => {
            let key = key.clone();
            async_nats::ConnectOptions::with_jwt(jwt.clone(), move |nonce| {
                let key = key.clone();
                async move {
                    key.sign(&nonce)
                        .map(|s| s.to_vec())
                        .map_err(async_nats::AuthError::new)
                }
            })
        }
    };
    options = options
        .name(name)
        .no_echo()
        .connection_timeout(config.connect_timeout)
        .max_reconnects(usize::try_from(config.max_reconnects).ok());
    if let Some(tls) = &config.tls {
        options = options.require_tls(true);
        if let Some(root) = &tls.root {
            options = options.add_root_certificates(root.clone());
        }
        if let (Some(cert), Some(key)) = (&tls.cert, &tls.key) {
            options = options.add_client_certificate(cert.clone(), key.clone());
        }
    }
    let reconnect_wait = config.reconnect_wait;
    Ok(options.reconnect_delay_callback(move |_| reconnect_wait))
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_errors_are_said_once() {
        assert_eq!(
            super::plain_error("authorization violation: nats: authorization violation"),
            "authorization violation"
        );
        assert_eq!(
            super::plain_error("the server said: nats: authorization violation"),
            "the server said: authorization violation"
        );
        assert_eq!(super::plain_error("timed out"), "timed out");
    }
}
