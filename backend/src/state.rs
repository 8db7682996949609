//! The server's shared state: what every surface (account server, console API, sessions, the
//! NATS link, the resolver peer) reads and changes, in one place.

use std::sync::Arc;

use nats_auth::jwt::OperatorClaims;

use crate::nats_link::NatsLink;
use crate::store::{AccountStore, StoredJwt};

/// The trusted operator: its JWT as configured and as decoded.
pub struct Operator {
    pub jwt: String,
    pub claims: OperatorClaims,
}

/// The operator whose keys are trusted: from the configuration (pinned), or pushed once by the
/// web console to a console that had none (kept by the store).
#[derive(Default)]
pub struct TrustedOperator {
    current: std::sync::RwLock<Option<Arc<Operator>>>,
    /// Where a pushed operator JWT is kept; `None` when the configuration pins the operator or
    /// the store is read-only.
    pub keeper: Option<OperatorKeeper>,
}

/// Where the operator trusted through the web console is kept.
pub enum OperatorKeeper {
    /// `operator.jwt` in the directory store's folder.
    File(std::path::PathBuf),
    /// The key-value store's bucket, where every console instance sees it.
    Bucket(Arc<crate::store::KvStore>),
}

impl OperatorKeeper {
    pub async fn keep(&self, jwt: &str) -> Result<(), crate::store::StoreError> {
        match self {
            OperatorKeeper::File(file) => {
                let (file, text) = (file.clone(), jwt.to_string());
                tokio::task::spawn_blocking(move || {
                    crate::store::write_file_atomically(&file, &text)
                })
                .await
                .map_err(|e| crate::store::StoreError::Io {
                    path: "operator.jwt".into(),
                    source: std::io::Error::other(e.to_string()),
                })?
            }
            OperatorKeeper::Bucket(store) => store.save_operator(jwt).await,
        }
    }
}

impl TrustedOperator {
    pub fn new(operator: Option<Operator>, keeper: Option<OperatorKeeper>) -> Self {
        TrustedOperator {
            current: std::sync::RwLock::new(operator.map(Arc::new)),
            keeper,
        }
    }

    pub fn get(&self) -> Option<Arc<Operator>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set(&self, operator: Operator) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(operator));
    }
}

pub struct AppState {
    pub operator: TrustedOperator,
    /// Served even when the store lacks it (`systemaccountjwtpath`).
    pub system_account: Option<StoredJwt>,
    pub store: Arc<dyn AccountStore>,
    pub nats: NatsLink,
    /// Set on a replica: reads fall through to the primary, POSTs are refused.
    pub primary: Option<crate::primary::Primary>,
    pub max_pack: i64,
    pub write_locks: WriteLocks,
    /// `DELETE /jwt/v1/accounts/<key>` is served (`store.allow_delete`).
    pub allow_delete: bool,
    /// Timeouts and TLS for a NATS link the web console sets up.
    pub nats_config: crate::config::Nats,
    /// Sign-in keys and signed-in people.
    pub sessions: crate::session::Sessions,
    /// What a console without an operator waits for before trusting the first one.
    pub setup_code: crate::setup_code::SetupCode,
    /// Where every change is recorded; `None` for a store without a writable folder.
    pub audit: Option<crate::audit::AuditLog>,
    /// Served over HTTPS (session cookies are `Secure`).
    pub https: bool,
    /// The team portal's records; `None` for a store without a writable folder.
    pub portal: Option<crate::portal::Portal>,
    /// Account writes go to the audit log first and to the store without an fsync of their own
    /// (quick enough to make on the request's own task).
    pub write_ahead: bool,
    /// Anonymous access requests: a token bucket.
    pub portal_requests: std::sync::Mutex<crate::rate_limit::RateLimit>,
    /// Set when the console stops: long-lived responses (event streams) end, so the graceful
    /// shutdown does not wait on them.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// The NATS servers heard from (what a cluster-wide monitoring request waits for).
    pub known_servers: crate::monitor::known_servers::KnownServers,
}

impl AppState {
    /// The stored account `key`, decoded (what a sign-in is checked against).
    pub fn stored_account(&self, key: &str) -> Option<nats_auth::jwt::AccountClaims> {
        match nats_auth::jwt::decode(&self.store.get(key)?.jwt) {
            Ok(nats_auth::jwt::AnyClaims::Account(account)) => Some(account),
            _ => None,
        }
    }

    /// The stored account `key`, read without stalling the async worker: from memory or the
    /// page cache at once, else on a blocking thread (a sharded store's evicted page).
    pub async fn read_account(&self, key: &str) -> Option<StoredJwt> {
        if let Some(found) = self.store.get_if_ready(key) {
            return found;
        }
        let (store, key) = (self.store.clone(), key.to_string());
        tokio::task::spawn_blocking(move || store.get(&key))
            .await
            .ok()
            .flatten()
    }

    /// Records an entry in the audit log (when there is one); returns once it is on disk.
    pub async fn record(
        &self,
        entry: crate::audit::Record,
    ) -> Result<(), crate::audit::AuditError> {
        self.record_entry(entry).await.map(|_| ())
    }

    /// [`AppState::record`], returning the entry's number (`None` without an audit log).
    pub async fn record_entry(
        &self,
        entry: crate::audit::Record,
    ) -> Result<Option<u64>, crate::audit::AuditError> {
        match &self.audit {
            Some(log) => log.append(entry).await.map(|head| Some(head.seq)),
            None => Ok(None),
        }
    }

    /// The store change recorded as entry `seq` is made (see the audit log's write-ahead).
    pub fn applied(&self, seq: Option<u64>) {
        if let (Some(log), Some(seq)) = (&self.audit, seq) {
            log.applied(seq);
        }
    }
}

/// Locks that serialize the writes of one account: a fixed set, picked by the key's hash.
pub struct WriteLocks(Vec<tokio::sync::Mutex<()>>);

impl Default for WriteLocks {
    fn default() -> Self {
        WriteLocks((0..64).map(|_| tokio::sync::Mutex::new(())).collect())
    }
}

impl WriteLocks {
    pub async fn lock_for(&self, account: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(account);
        self.0[(hash % self.0.len() as u64) as usize].lock().await
    }
}
