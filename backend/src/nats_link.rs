//! The connection to NATS as a system-account user: announces account updates
//! (`$SYS.ACCOUNT.<key>.CLAIMS.UPDATE`). It connects in the background and retries forever, so
//! the HTTP server is up first — nats-server with a URL resolver needs it to start.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::Nats;

#[derive(Clone)]
pub struct NatsLink {
    inner: Option<Arc<watch::Receiver<Option<async_nats::Client>>>>,
}

impl NatsLink {
    /// No NATS configured: nothing is announced.
    pub fn disabled() -> NatsLink {
        NatsLink { inner: None }
    }

    pub fn is_configured(&self) -> bool {
        self.inner.is_some()
    }

    pub fn client(&self) -> Option<async_nats::Client> {
        self.inner.as_ref().and_then(|rx| rx.borrow().clone())
    }

    /// Waits until connected (forever when NATS is not configured).
    pub async fn connected(&self) -> async_nats::Client {
        let Some(rx) = &self.inner else {
            return std::future::pending().await;
        };
        let mut rx = (**rx).clone();
        loop {
            if let Some(client) = rx.borrow_and_update().clone() {
                return client;
            }
            if rx.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }

    /// Starts connecting in the background.
    pub fn start(config: &Nats) -> NatsLink {
        let (tx, rx) = watch::channel(None);
        let config = config.clone();
        tokio::spawn(async move {
            let servers = config.servers.join(",");
            let mut attempt = 0u64;
            loop {
                match connect(&config).await {
                    Ok(client) => {
                        tracing::info!("connected to NATS at {servers}");
                        let _ = tx.send(Some(client));
                        return;
                    }
                    Err(e) => {
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
        NatsLink {
            inner: Some(Arc::new(rx)),
        }
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
        let client = match (&self.inner, self.client()) {
            (None, _) => return Err("NATS is not configured".into()),
            (Some(_), None) => return Err("NATS is not connected yet".into()),
            (Some(_), Some(client)) => client,
        };
        let subject = format!("$SYS.ACCOUNT.{account}.CLAIMS.UPDATE");
        client
            .publish(subject, jwt.to_string().into())
            .await
            .map_err(|e| e.to_string())?;
        client.flush().await.map_err(|e| e.to_string())
    }
}

async fn connect(config: &Nats) -> Result<async_nats::Client, String> {
    let mut options = match &config.user_credentials {
        Some(path) => async_nats::ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|e| format!("creds {}: {e}", path.display()))?,
        None => async_nats::ConnectOptions::new(),
    };
    options = options
        .name("nats-console")
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
    options = options.reconnect_delay_callback(move |_| reconnect_wait);
    options
        .connect(config.servers.clone())
        .await
        .map_err(|e| e.to_string())
}
