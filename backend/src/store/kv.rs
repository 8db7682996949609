//! The NATS key-value store: a JetStream key-value bucket that any number of console instances
//! share. Each keeps the same in-memory index as the other stores, warmed at start and kept
//! current by a watch of the whole bucket, so reads never wait on NATS. Each write is a
//! compare-and-set on the revision this instance last saw of that key: a write based on an
//! outdated view fails with [`StoreError::Conflict`], the index catches up with the bucket, and
//! the account server's write path judges the update again (newer `iat` wins, older is refused).
//!
//! Keys: an account's JWT under its public key (`A…`); activations under `activation.<hash>`;
//! the operator trusted through the web console under `operator`; the setup code under
//! `setup-code` until an operator is trusted; the team portal's records under `portal.…` (JSON).
//! Values are the JWTs' bytes as pushed. The audit log is a stream beside the bucket
//! (`crate::audit`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::kv::{self, Operation};
use futures_util::StreamExt;
use nats_auth::nkeys::is_valid_public_account_key;

use super::{AccountStore, Index, StoreError, StoredJwt};
use crate::config::KvStore as KvConfig;

const OPERATOR_KEY: &str = "operator";
const SETUP_CODE_KEY: &str = "setup-code";
const ACTIVATION_PREFIX: &str = "activation.";
/// The team portal's records (see `crate::portal`).
pub const PORTAL_PREFIX: &str = "portal.";
/// Revisions kept per key: the current value and the one before (what an audit of a change, or
/// an operator undoing one, looks at).
const HISTORY: i64 = 2;
/// Largest value: a JWT of an account with many exports, imports and revocations.
const MAX_VALUE_SIZE: i32 = 1024 * 1024;
/// How long a write waits for the bucket's acknowledgement before it is refused as unavailable.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a start waits for the index to be warm.
const WARM_TIMEOUT: Duration = Duration::from_secs(120);

pub struct KvStore {
    bucket: String,
    servers: String,
    kv: kv::Store,
    client: async_nats::Client,
    index: Index,
    activations: Index,
    /// The revision of each bucket key as this instance last saw it: what its next write of
    /// that key expects to replace.
    revisions: Mutex<HashMap<String, u64>>,
    /// The highest revision applied to the index (where a resumed watch starts).
    applied: AtomicU64,
    /// The operator trusted through the web console, as the bucket holds it.
    operator: tokio::sync::watch::Sender<Option<String>>,
    /// The portal's records as the bucket holds them: key → (revision, JSON).
    records: std::sync::RwLock<std::collections::BTreeMap<String, (u64, bytes::Bytes)>>,
    replicas: usize,
    runtime: tokio::runtime::Handle,
}

/// What a start reports about the bucket.
pub struct Opened {
    pub store: Arc<KvStore>,
    /// A bucket with fewer replicas than configured, history below 2 or values capped below
    /// 1 MiB: why (the start logs it and goes on).
    pub warnings: Vec<String>,
}

/// Was a write refused because the stream (or the key) moved on since the revision it expected?
/// nats-server answers 10071, or 10164 (the same refusal, from a clustered stream); async-nats
/// names only the first, so the error's causes are looked at.
pub fn is_wrong_last_sequence(e: &(dyn std::error::Error + 'static)) -> bool {
    use async_nats::jetstream::ErrorCode;
    let mut cause = Some(e);
    while let Some(e) = cause {
        if let Some(js) = e.downcast_ref::<async_nats::jetstream::Error>() {
            return matches!(
                js.error_code(),
                ErrorCode::STREAM_WRONG_LAST_SEQUENCE
                    | ErrorCode::STREAM_WRONG_LAST_SEQUENCE_CONSTANT
            );
        }
        cause = e.source();
    }
    false
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("{what}: {e}"))
}

fn cannot_open(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Open(format!("{what}: {e}"))
}

impl KvStore {
    /// Connects, finds or creates the bucket, and returns once the index holds the whole bucket.
    pub async fn open(config: &KvConfig, connect_timeout: Duration) -> Result<Opened, StoreError> {
        let servers = config.servers.join(",");
        let mut options = async_nats::ConnectOptions::new()
            .name("nats-console store")
            .connection_timeout(connect_timeout)
            .retry_on_initial_connect()
            .max_reconnects(None);
        if let Some(creds) = &config.creds {
            options = options.credentials_file(creds).await.map_err(|e| {
                StoreError::Open(format!("store.kv creds {}: {e}", creds.display()))
            })?;
        }
        let addresses = config
            .servers
            .iter()
            .map(|url| url.parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| cannot_open(&servers, e))?;
        let client = tokio::time::timeout(connect_timeout * 3, options.connect(addresses))
            .await
            .map_err(|_| cannot_open(&servers, "no NATS server answered"))?
            .map_err(|e| cannot_open(&servers, e))?;
        let js = async_nats::jetstream::new(client.clone());
        // a console started with its NATS cluster waits for JetStream to elect its leaders
        let started = std::time::Instant::now();
        let (kv, status) = loop {
            match find_or_create_bucket(&js, config).await {
                Ok(found) => break found,
                Err(e) if started.elapsed() < WARM_TIMEOUT => {
                    tracing::warn!("bucket {}: {e}; trying again", config.bucket);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e),
            }
        };
        let warnings = bucket_warnings(&status.info.config, config);
        let store = Arc::new(KvStore {
            bucket: config.bucket.clone(),
            servers,
            kv,
            client,
            index: Index::default(),
            activations: Index::default(),
            revisions: Mutex::new(HashMap::new()),
            applied: AtomicU64::new(0),
            operator: tokio::sync::watch::channel(None).0,
            records: Default::default(),
            replicas: status.info.config.num_replicas,
            runtime: tokio::runtime::Handle::current(),
        });
        let watch = store
            .kv
            // every key's latest entry, then every change
            .watch_with_history(">")
            .await
            .map_err(|e| cannot_open("watching the bucket", e))?;
        let (warm, warmed) = tokio::sync::oneshot::channel();
        // an empty bucket is warm at once; else once the watch has delivered every key
        let warm = if status.info.state.messages == 0 {
            let _ = warm.send(());
            None
        } else {
            Some(warm)
        };
        tokio::spawn(store.clone().follow(watch, warm));
        tokio::time::timeout(WARM_TIMEOUT, warmed)
            .await
            .map_err(|_| cannot_open("reading the bucket", "not done within 2 minutes"))?
            .map_err(|_| cannot_open("reading the bucket", "the watch ended"))?;
        Ok(Opened { store, warnings })
    }

    /// Applies the bucket's changes to the index, for as long as the console runs; a watch
    /// that fails is resumed after the last revision applied.
    async fn follow(
        self: Arc<Self>,
        mut watch: kv::Watch,
        mut warm: Option<tokio::sync::oneshot::Sender<()>>,
    ) {
        loop {
            while let Some(entry) = watch.next().await {
                match entry {
                    Ok(entry) => {
                        self.apply(&entry);
                        if entry.delta == 0 {
                            if let Some(warm) = warm.take() {
                                let _ = warm.send(());
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!("bucket {}: the watch failed: {e}", self.bucket);
                        break;
                    }
                }
            }
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let from = self.applied.load(Ordering::Acquire) + 1;
                match self.kv.watch_all_from_revision(from).await {
                    Ok(resumed) => {
                        tracing::info!(
                            "bucket {}: watching again from revision {from}",
                            self.bucket
                        );
                        watch = resumed;
                        break;
                    }
                    Err(e) => tracing::debug!("bucket {}: watch not resumed yet: {e}", self.bucket),
                }
            }
        }
    }

    /// One change of the bucket, unless this instance already has it (or a newer one).
    fn apply(&self, entry: &kv::Entry) {
        let mut revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        self.applied.fetch_max(entry.revision, Ordering::AcqRel);
        if revisions
            .get(&entry.key)
            .is_some_and(|seen| *seen >= entry.revision)
        {
            return;
        }
        revisions.insert(entry.key.clone(), entry.revision);
        let removed = matches!(entry.operation, Operation::Delete | Operation::Purge);
        let text = std::str::from_utf8(&entry.value).unwrap_or_default();
        let key = entry.key.as_str();
        if key.starts_with(PORTAL_PREFIX) {
            let mut records = self.records.write().unwrap_or_else(|e| e.into_inner());
            if removed {
                records.remove(key);
            } else {
                records.insert(key.to_string(), (entry.revision, entry.value.clone()));
            }
        } else if key == OPERATOR_KEY {
            if !removed {
                self.operator.send_replace(Some(text.trim().to_string()));
            }
        } else if let Some(hash) = key.strip_prefix(ACTIVATION_PREFIX) {
            match StoredJwt::activation_from_jwt(hash, text).filter(|_| !removed) {
                Some(activation) => self.activations.insert(StoredJwt {
                    revision: entry.revision,
                    ..activation
                }),
                None => self.activations.remove(hash),
            }
        } else if is_valid_public_account_key(key) {
            match StoredJwt::from_jwt(key, text).filter(|_| !removed) {
                Some(account) => self.index.insert(StoredJwt {
                    revision: entry.revision,
                    ..account
                }),
                None => self.index.remove(key),
            }
        }
    }

    /// Writes `value` under `key` if the bucket's latest revision of it is still `expected`
    /// (`None`: the key holds nothing, or a delete marker).
    async fn put(&self, key: &str, value: &str, expected: Option<u64>) -> Result<u64, StoreError> {
        let bytes = bytes::Bytes::copy_from_slice(value.as_bytes());
        let write = async {
            match expected {
                Some(revision) => {
                    self.kv
                        .update(key, bytes, revision)
                        .await
                        .map_err(|e| match e.kind() {
                            kv::UpdateErrorKind::WrongLastRevision => None,
                            _ if is_wrong_last_sequence(&e) => None,
                            _ => Some(e.to_string()),
                        })
                }
                None => self
                    .kv
                    .create(key, bytes)
                    .await
                    .map_err(|e| match e.kind() {
                        kv::CreateErrorKind::AlreadyExists => None,
                        _ if is_wrong_last_sequence(&e) => None,
                        _ => Some(e.to_string()),
                    }),
            }
        };
        match tokio::time::timeout(WRITE_TIMEOUT, write).await {
            Ok(Ok(revision)) => Ok(revision),
            Ok(Err(None)) => {
                // another instance wrote it first: catch up, and let the caller judge again
                self.catch_up(key).await;
                Err(StoreError::Conflict(key.to_string()))
            }
            Ok(Err(Some(reason))) => Err(unavailable(&format!("bucket {}", self.bucket), reason)),
            Err(_) => Err(unavailable(
                &format!("bucket {}", self.bucket),
                "no acknowledgement within 5 s",
            )),
        }
    }

    /// Reads `key`'s latest entry into the index (without waiting for the watch).
    async fn catch_up(&self, key: &str) {
        if let Ok(Ok(Some(entry))) = tokio::time::timeout(WRITE_TIMEOUT, self.kv.entry(key)).await {
            self.apply(&entry);
        }
    }

    /// Runs a bucket operation from the store's synchronous interface (callers are on a
    /// blocking thread: the account server's write path uses `spawn_blocking`).
    fn wait<T>(&self, operation: impl std::future::Future<Output = T>) -> T {
        self.runtime.block_on(operation)
    }

    /// A write, and the index updated at once (unless the watch already brought a newer one).
    fn save_entry(
        &self,
        key: &str,
        value: &str,
        expected: Option<u64>,
        apply: impl FnOnce(u64),
    ) -> Result<(), StoreError> {
        let revision = self.wait(self.put(key, value, expected))?;
        let mut revisions = self.revisions.lock().unwrap_or_else(|e| e.into_inner());
        if revisions.get(key).is_none_or(|seen| *seen < revision) {
            revisions.insert(key.to_string(), revision);
            apply(revision);
        }
        Ok(())
    }

    /// The revision this instance last saw of `key` (a write that was not judged against a
    /// particular entry expects it).
    fn seen(&self, key: &str) -> Option<u64> {
        self.revisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .copied()
    }

    /// The operator trusted through the web console, as the bucket holds it (follows changes
    /// made by every instance).
    pub fn operator(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.operator.subscribe()
    }

    /// Keeps the trusted operator's JWT in the bucket.
    pub async fn save_operator(&self, jwt: &str) -> Result<(), StoreError> {
        let revision = self.put(OPERATOR_KEY, jwt, self.seen(OPERATOR_KEY)).await?;
        self.revisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(OPERATOR_KEY.into(), revision);
        self.operator.send_replace(Some(jwt.to_string()));
        Ok(())
    }

    /// The JetStream context of the bucket's connection (the audit stream lives beside it).
    pub fn jetstream(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(self.client.clone())
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The bucket's replicas, as it was found or created (the audit stream beside it gets as
    /// many).
    pub fn replicas(&self) -> usize {
        self.replicas
    }

    /// The record under `key` and its revision.
    pub fn record(&self, key: &str) -> Option<(u64, bytes::Bytes)> {
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// Every record whose key starts with `prefix`: (key, revision, value), in key order.
    pub fn records(&self, prefix: &str) -> Vec<(String, u64, bytes::Bytes)> {
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, (revision, value))| (key.clone(), *revision, value.clone()))
            .collect()
    }

    /// How many records have keys starting with `prefix`.
    pub fn count_records(&self, prefix: &str) -> usize {
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .count()
    }

    /// Writes a record if the bucket still holds the revision it was judged against (`None`:
    /// a new record); [`StoreError::Conflict`] when another instance wrote it first.
    pub async fn save_record(
        &self,
        key: &str,
        value: &str,
        judged: Option<u64>,
    ) -> Result<(), StoreError> {
        let revision = self.put(key, value, judged).await?;
        let mut records = self.records.write().unwrap_or_else(|e| e.into_inner());
        if records.get(key).is_none_or(|(seen, _)| *seen < revision) {
            records.insert(
                key.to_string(),
                (revision, bytes::Bytes::copy_from_slice(value.as_bytes())),
            );
        }
        Ok(())
    }

    /// The setup code every instance prints: the first instance's, kept in the bucket.
    pub async fn setup_code(&self, new: String) -> Result<String, StoreError> {
        match self.kv.create(SETUP_CODE_KEY, new.clone().into()).await {
            Ok(_) => Ok(new),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                match self.kv.get(SETUP_CODE_KEY).await {
                    Ok(Some(code)) => Ok(String::from_utf8_lossy(&code).trim().to_string()),
                    Ok(None) => Ok(new),
                    Err(e) => Err(unavailable("reading the setup code", e)),
                }
            }
            Err(e) => Err(unavailable("keeping the setup code", e)),
        }
    }

    /// The setup code is spent (an operator is trusted).
    pub async fn remove_setup_code(&self) {
        if let Err(e) = self.kv.purge(SETUP_CODE_KEY).await {
            tracing::warn!(
                "bucket {}: could not remove the setup code: {e}",
                self.bucket
            );
        }
    }
}

/// The bucket, created when missing, and its status.
async fn find_or_create_bucket(
    js: &async_nats::jetstream::Context,
    config: &KvConfig,
) -> Result<(kv::Store, kv::bucket::Status), StoreError> {
    let kv = match js.get_key_value(&config.bucket).await {
        Ok(kv) => kv,
        Err(_) => js
            .create_key_value(kv::Config {
                bucket: config.bucket.clone(),
                description: "nats-console: account JWTs, the operator, activations".into(),
                history: HISTORY,
                max_value_size: MAX_VALUE_SIZE,
                num_replicas: config.replicas,
                storage: async_nats::jetstream::stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| cannot_open(&format!("creating bucket {}", config.bucket), e))?,
    };
    let status = kv
        .status()
        .await
        .map_err(|e| cannot_open(&format!("bucket {}", config.bucket), e))?;
    Ok((kv, status))
}

/// What an existing bucket lacks against the configuration.
fn bucket_warnings(
    stream: &async_nats::jetstream::stream::Config,
    config: &KvConfig,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if stream.num_replicas < config.replicas {
        warnings.push(format!(
            "bucket {} has {} replica(s), fewer than the {} configured: losing one NATS server may stop writes",
            config.bucket, stream.num_replicas, config.replicas
        ));
    }
    if stream.max_messages_per_subject < HISTORY {
        warnings.push(format!(
            "bucket {} keeps a history of {}, not {HISTORY}",
            config.bucket, stream.max_messages_per_subject
        ));
    }
    if stream.max_message_size >= 0 && stream.max_message_size < MAX_VALUE_SIZE {
        warnings.push(format!(
            "bucket {} takes values up to {} bytes, not 1 MiB: larger JWTs are refused",
            config.bucket, stream.max_message_size
        ));
    }
    warnings
}

impl AccountStore for KvStore {
    fn describe(&self) -> String {
        format!(
            "NATS key-value store: bucket {} on {} ({} accounts)",
            self.bucket,
            self.servers,
            self.index.len()
        )
    }

    fn kind(&self) -> &'static str {
        "NATS key-value store"
    }

    fn is_read_only(&self) -> bool {
        false
    }

    fn get(&self, account: &str) -> Option<StoredJwt> {
        self.index.get(account)
    }

    fn check_writable(&self) -> Result<(), StoreError> {
        match self.client.connection_state() {
            async_nats::connection::State::Connected => Ok(()),
            state => Err(StoreError::Unavailable(format!(
                "no connection to the NATS servers of bucket {} ({}; {state}): reads go on from memory, writes resume once it is back",
                self.bucket, self.servers
            ))),
        }
    }

    fn save(&self, jwt: &StoredJwt, replaces: Option<&StoredJwt>) -> Result<(), StoreError> {
        // the revision judged against, not whatever the watch brought since: a write judged
        // against an outdated entry must fail
        let expected = match replaces {
            Some(current) => Some(current.revision),
            // nothing was there: a delete marker may be
            None => self
                .seen(&jwt.account)
                .filter(|_| self.index.get(&jwt.account).is_none()),
        };
        self.save_entry(&jwt.account, &jwt.jwt, expected, |revision| {
            self.index.insert(StoredJwt {
                revision,
                ..jwt.clone()
            })
        })
    }

    fn all(&self) -> Vec<StoredJwt> {
        self.index.all()
    }

    fn page(&self, query: &super::AccountQuery) -> super::AccountPage {
        self.index.page(query)
    }

    fn hash(&self) -> [u8; 32] {
        self.index.hash()
    }

    fn delete(&self, account: &str) -> Result<bool, StoreError> {
        if self.index.get(account).is_none() {
            return Ok(false);
        }
        let expected = self.seen(account);
        self.wait(async {
            tokio::time::timeout(
                WRITE_TIMEOUT,
                self.kv.delete_expect_revision(account, expected),
            )
            .await
            .map_err(|_| {
                unavailable(
                    &format!("bucket {}", self.bucket),
                    "no acknowledgement within 5 s",
                )
            })?
            .map_err(|e| unavailable(&format!("bucket {}", self.bucket), e))
        })?;
        self.index.remove(account);
        Ok(true)
    }

    fn get_activation(&self, hash: &str) -> Option<StoredJwt> {
        self.activations.get(hash)
    }

    fn activations(&self) -> Vec<StoredJwt> {
        self.activations.all()
    }

    fn save_activation(&self, activation: &StoredJwt) -> Result<(), StoreError> {
        let key = format!("{ACTIVATION_PREFIX}{}", activation.account);
        let expected = self.seen(&key);
        self.save_entry(&key, &activation.jwt, expected, |revision| {
            self.activations.insert(StoredJwt {
                revision,
                ..activation.clone()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_nats::jetstream::context::{PublishError, PublishErrorKind};

    fn refusal(err_code: u64) -> PublishError {
        let answer = format!(r#"{{"code":400,"err_code":{err_code},"description":"x"}}"#);
        let js: async_nats::jetstream::Error = serde_json::from_str(&answer).unwrap();
        PublishError::with_source(PublishErrorKind::Other, js)
    }

    #[test]
    fn both_answers_of_a_moved_stream_are_conflicts_and_nothing_else_is() {
        // 10164 is what a clustered stream answers; async-nats 0.51 names only 10071
        assert!(is_wrong_last_sequence(&refusal(10071)));
        assert!(is_wrong_last_sequence(&refusal(10164)));
        assert!(!is_wrong_last_sequence(&refusal(10059)));
        assert!(!is_wrong_last_sequence(&std::io::Error::other("down")));
    }
}
