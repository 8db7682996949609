//! Where account JWTs live. Every store answers from an in-memory index (so a GET never waits on
//! the disk) and keeps the files as the source of truth.

mod dir;
mod nsc;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use dir::{write_atomically as write_file_atomically, DirectoryStore};
pub use nsc::NscStore;

/// A stored account JWT with what the HTTP layer needs to serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJwt {
    pub account: String,
    pub jwt: Arc<str>,
    /// The claim's `jti`, served as the ETag.
    pub jti: String,
    pub issued_at: i64,
    /// 0 when the JWT does not expire.
    pub expires: i64,
}

impl StoredJwt {
    /// Reads what the index needs from a JWT (which may be v1 or v2). Only the stores' own
    /// files and writes that already passed the trust check come here.
    pub fn from_jwt(account: &str, jwt: &str) -> Option<StoredJwt> {
        match nats_auth::jwt::decode(jwt.trim()).ok()? {
            nats_auth::jwt::AnyClaims::Account(a) => {
                Some(StoredJwt::new(account, jwt, &a.id, a.issued_at, a.expires))
            }
            _ => None,
        }
    }

    /// An activation, stored under its hash (`account` holds the hash).
    pub fn activation_from_jwt(hash: &str, jwt: &str) -> Option<StoredJwt> {
        match nats_auth::jwt::decode(jwt.trim()).ok()? {
            nats_auth::jwt::AnyClaims::Activation(a) => {
                Some(StoredJwt::new(hash, jwt, &a.id, a.issued_at, a.expires))
            }
            _ => None,
        }
    }

    pub fn new(key: &str, jwt: &str, jti: &str, issued_at: i64, expires: i64) -> StoredJwt {
        StoredJwt {
            account: key.to_string(),
            jwt: Arc::from(jwt.trim()),
            jti: jti.to_string(),
            issued_at,
            expires,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the {0} is read-only")]
    ReadOnly(&'static str),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The account stores behind one interface.
pub trait AccountStore: Send + Sync {
    /// What the start-up log says about the store.
    fn describe(&self) -> String;
    /// "directory store", "read-only directory store", "nsc store".
    fn kind(&self) -> &'static str;
    fn is_read_only(&self) -> bool;
    fn get(&self, account: &str) -> Option<StoredJwt>;
    /// Writes one JWT. Callers go through the account server's single write path.
    fn save(&self, jwt: &StoredJwt) -> Result<(), StoreError>;
    /// Every stored JWT (for packs and listings), in key order.
    fn all(&self) -> Vec<StoredJwt>;
    /// Removes an account; `Ok(false)` when there was none.
    fn delete(&self, _account: &str) -> Result<bool, StoreError> {
        Err(StoreError::ReadOnly(self.kind()))
    }
    /// An activation by its hash (Go's `HashID`).
    fn get_activation(&self, _hash: &str) -> Option<StoredJwt> {
        None
    }
    fn save_activation(&self, _activation: &StoredJwt) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly(self.kind()))
    }
    /// Re-reads the files; returns the JWTs that changed (read-only stores announce them).
    fn refresh(&self) -> Result<Vec<StoredJwt>, StoreError> {
        Ok(Vec::new())
    }
}

/// The in-memory index every store keeps: account → JWT.
#[derive(Debug, Default)]
pub(crate) struct Index(RwLock<HashMap<String, StoredJwt>>);

impl Index {
    pub fn get(&self, account: &str) -> Option<StoredJwt> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .cloned()
    }

    pub fn insert(&self, jwt: StoredJwt) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(jwt.account.clone(), jwt);
    }

    /// Replaces the whole index; returns the entries that are new or changed.
    pub fn replace(&self, entries: Vec<StoredJwt>) -> Vec<StoredJwt> {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        let changed = entries
            .iter()
            .filter(|e| map.get(&e.account).is_none_or(|old| old.jwt != e.jwt))
            .cloned()
            .collect();
        *map = entries
            .into_iter()
            .map(|e| (e.account.clone(), e))
            .collect();
        changed
    }

    pub fn all(&self) -> Vec<StoredJwt> {
        let mut all: Vec<StoredJwt> = self
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| a.account.cmp(&b.account));
        all
    }

    pub fn remove(&self, key: &str) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    pub fn len(&self) -> usize {
        self.0.read().unwrap_or_else(|e| e.into_inner()).len()
    }
}
