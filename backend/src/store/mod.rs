//! Where account JWTs live. Every store answers from an in-memory index (so a GET never waits on
//! the disk) and keeps the files as the source of truth.

mod copy;
mod dir;
pub(crate) mod kv;
mod lean_index;
mod listing;
mod nsc;
mod pack;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use copy::{copy, CopyOptions, StoreSpec};
pub use dir::{write_atomically as write_file_atomically, DirectoryStore};
pub use kv::{KvStore, PORTAL_PREFIX};
pub use listing::{AccountPage, AccountQuery, PageCollector, MAX_PAGE};
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
    /// The key-value store's revision of this entry (what a write replacing it expects);
    /// 0 in the other stores.
    pub revision: u64,
    /// The claim's `name` (what the accounts list is searched by).
    pub name: Arc<str>,
}

impl StoredJwt {
    /// Reads what the index needs from a JWT (which may be v1 or v2). Only the stores' own
    /// files and writes that already passed the trust check come here, so the signature is
    /// not checked again (a million stored accounts load without a million verifications).
    pub fn from_jwt(account: &str, jwt: &str) -> Option<StoredJwt> {
        Self::of_type(account, jwt, "account")
    }

    /// An activation, stored under its hash (`account` holds the hash).
    pub fn activation_from_jwt(hash: &str, jwt: &str) -> Option<StoredJwt> {
        Self::of_type(hash, jwt, "activation")
    }

    fn of_type(key: &str, jwt: &str, claim_type: &str) -> Option<StoredJwt> {
        let peek = nats_auth::jwt::peek(jwt.trim()).ok()?;
        (peek.claim_type == claim_type).then(|| StoredJwt {
            name: peek.name.into(),
            ..StoredJwt::new(key, jwt, &peek.id, peek.issued_at, peek.expires)
        })
    }

    pub fn new(key: &str, jwt: &str, jti: &str, issued_at: i64, expires: i64) -> StoredJwt {
        StoredJwt {
            account: key.to_string(),
            jwt: Arc::from(jwt.trim()),
            jti: jti.to_string(),
            issued_at,
            expires,
            revision: 0,
            name: Arc::from(""),
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
    /// The key-value store could not be opened (at start).
    #[error("key-value store: {0}")]
    Open(String),
    /// The shared store cannot be written now (NATS unreachable, no JetStream quorum).
    #[error("the store cannot be written now: {0}")]
    Unavailable(String),
    /// Another console instance changed this entry since this one read it; the index has
    /// caught up, so the change can be judged again.
    #[error("{0} was changed by another console instance at the same moment")]
    Conflict(String),
}

/// The account stores behind one interface.
pub trait AccountStore: Send + Sync {
    /// What the start-up log says about the store.
    fn describe(&self) -> String;
    /// "directory store", "read-only directory store", "nsc store".
    fn kind(&self) -> &'static str;
    fn is_read_only(&self) -> bool;
    fn get(&self, account: &str) -> Option<StoredJwt>;
    /// [`AccountStore::get`] when it can answer without waiting on the disk; `None` when it
    /// would wait (an async caller then asks `get` from a blocking thread).
    fn get_if_ready(&self, account: &str) -> Option<Option<StoredJwt>> {
        Some(self.get(account))
    }
    /// Writes one JWT in place of `replaces` (what the caller judged it against). Callers go
    /// through the account server's single write path. A store shared with other console
    /// instances refuses with [`StoreError::Conflict`] when `replaces` is no longer current.
    fn save(&self, jwt: &StoredJwt, replaces: Option<&StoredJwt>) -> Result<(), StoreError>;
    /// Every stored JWT (for packs and listings), in key order.
    fn all(&self) -> Vec<StoredJwt>;
    /// How many accounts are stored.
    fn count(&self) -> usize {
        self.all().len()
    }
    /// One page of the accounts the query matches.
    fn page(&self, query: &AccountQuery) -> AccountPage {
        let mut page = PageCollector::new(query);
        for stored in self.all() {
            page.offer(&stored.account, Some(&stored.name), Some(stored.expires));
        }
        page.finish()
    }
    /// nats-server's store hash: the XOR of the SHA-256 of every stored JWT.
    fn hash(&self) -> [u8; 32];
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
    /// Every stored activation (for `store copy`).
    fn activations(&self) -> Vec<StoredJwt> {
        Vec::new()
    }
    /// Re-reads the files; returns the JWTs that changed (read-only stores announce them).
    fn refresh(&self) -> Result<Vec<StoredJwt>, StoreError> {
        Ok(Vec::new())
    }
    /// From now on, account writes skip their own fsync: a write-ahead log (the audit log) holds
    /// them until [`AccountStore::sync`]. Returns false for a store that cannot.
    fn use_write_ahead(&self) -> bool {
        false
    }
    /// Can a write be made now? (The key-value store cannot while NATS is unreachable; reads
    /// go on from the index.)
    fn check_writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Makes every write so far durable.
    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The in-memory index every store keeps: account → JWT, and the store hash nats-server's
/// resolvers compare (XOR of the SHA-256 of every JWT), kept current on each change.
#[derive(Debug, Default)]
pub(crate) struct Index(RwLock<Entries>);

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, StoredJwt>,
    hash: [u8; 32],
}

/// The SHA-256 of a stored JWT: what the store hash is the XOR of.
pub(crate) fn xor_digest_of(jwt: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(jwt.as_bytes()).into()
}

fn xor_digest(hash: &mut [u8; 32], jwt: &str) {
    hash.iter_mut()
        .zip(xor_digest_of(jwt))
        .for_each(|(h, d)| *h ^= d);
}

impl Entries {
    fn insert(&mut self, jwt: StoredJwt) {
        xor_digest(&mut self.hash, &jwt.jwt);
        if let Some(old) = self.map.insert(jwt.account.clone(), jwt) {
            xor_digest(&mut self.hash, &old.jwt);
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.map.remove(key) {
            xor_digest(&mut self.hash, &old.jwt);
        }
    }
}

impl Index {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, account: &str) -> Option<StoredJwt> {
        self.read().map.get(account).cloned()
    }

    pub fn insert(&self, jwt: StoredJwt) {
        self.write().insert(jwt);
    }

    /// Replaces the whole index; returns the entries that are new or changed.
    pub fn replace(&self, entries: Vec<StoredJwt>) -> Vec<StoredJwt> {
        let mut current = self.write();
        let changed = entries
            .iter()
            .filter(|e| {
                current
                    .map
                    .get(&e.account)
                    .is_none_or(|old| old.jwt != e.jwt)
            })
            .cloned()
            .collect();
        *current = Entries::default();
        entries.into_iter().for_each(|e| current.insert(e));
        changed
    }

    pub fn all(&self) -> Vec<StoredJwt> {
        let mut all: Vec<StoredJwt> = self.read().map.values().cloned().collect();
        all.sort_by(|a, b| a.account.cmp(&b.account));
        all
    }

    pub fn remove(&self, key: &str) {
        self.write().remove(key);
    }

    /// One page of the accounts the query matches (without copying the others).
    pub fn page(&self, query: &AccountQuery) -> AccountPage {
        let mut page = PageCollector::new(query);
        for stored in self.read().map.values() {
            page.offer(&stored.account, Some(&stored.name), Some(stored.expires));
        }
        page.finish()
    }

    pub fn len(&self) -> usize {
        self.read().map.len()
    }

    pub fn hash(&self) -> [u8; 32] {
        self.read().hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(account: &str, text: &str) -> StoredJwt {
        StoredJwt::new(account, text, "jti", 0, 0)
    }

    #[test]
    fn the_hash_follows_every_change() {
        let full = |texts: &[&str]| {
            let mut h = [0u8; 32];
            texts.iter().for_each(|t| xor_digest(&mut h, t));
            h
        };
        let index = Index::default();
        index.insert(jwt("A", "a1"));
        index.insert(jwt("B", "b1"));
        assert_eq!(index.hash(), full(&["a1", "b1"]));
        index.insert(jwt("A", "a2"));
        assert_eq!(index.hash(), full(&["a2", "b1"]));
        index.remove("B");
        assert_eq!(index.hash(), full(&["a2"]));
        index.replace(vec![jwt("C", "c1")]);
        assert_eq!(index.hash(), full(&["c1"]));
    }
}
