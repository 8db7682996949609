//! The team portal's records, kept in the store folder (`portal/`, one JSON file per record,
//! written atomically) or in the key-value store's bucket (`portal.<kind>.<id>`, shared by every
//! console instance; a decision is a compare-and-set, so two admins cannot both decide one
//! request): access requests (a member's signing key for an account, approved or
//! refused by an admin), the users teams issued (public JWTs, with who issued them), and
//! revocation requests. Counts are bounded; nothing here is a secret.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::store::{KvStore, StoreError, PORTAL_PREFIX};

/// Pending access requests at most (anonymous requests cannot fill the disk).
pub const MAX_PENDING_ACCESS: usize = 256;
/// Pending revocation requests at most.
pub const MAX_PENDING_REVOCATIONS: usize = 1024;
/// Issued users recorded at most.
pub const MAX_USERS: usize = 100_000;
/// A note or a reason, at most (characters).
pub const MAX_TEXT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pending,
    Approved,
    Refused,
}

/// Who decided a request, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: String,
    pub at: i64,
    pub reason: String,
}

/// A member asks for a signing key of an account: their own key, from their own vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub id: String,
    pub account: String,
    /// The member's public signing key (an `A…` key).
    pub key: String,
    pub name: String,
    pub note: String,
    pub created: i64,
    pub from: String,
    pub state: State,
    /// The role of the scoped key the admin approved (the scope's `role`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// A user a team issued: its public JWT and who issued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedUser {
    pub key: String,
    pub name: String,
    pub account: String,
    pub signer: String,
    pub issued_at: i64,
    pub expires: i64,
    pub jwt: String,
    /// The session that recorded it: the signed-in person's name and session key.
    pub issued_by: String,
    pub issued_by_key: String,
}

/// A team asks the admin to revoke one of its users (revocations live in the account JWT,
/// which only the operator side signs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationRequest {
    pub id: String,
    pub account: String,
    pub user: String,
    pub user_name: String,
    pub reason: String,
    pub requested_by: String,
    pub created: i64,
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("{0}")]
    Full(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// The bucket cannot be reached: try again once NATS is back.
    #[error("{0}")]
    Unavailable(String),
    #[error("portal records in {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// One kind of record: a folder of `<id>.json`, or bucket keys `portal.<kind>.<id>`.
struct Records<T> {
    keeping: Keeping<T>,
}

enum Keeping<T> {
    /// Read at open and kept in memory; this instance is the only writer.
    Folder {
        dir: PathBuf,
        map: RwLock<BTreeMap<String, T>>,
    },
    /// The key-value store's bucket, shared by every console instance and followed by its
    /// watch; a record is parsed again only when its revision changed.
    Bucket {
        kv: Arc<KvStore>,
        prefix: String,
        parsed: std::sync::Mutex<HashMap<String, (u64, T)>>,
    },
}

fn io_error(path: impl std::fmt::Display, e: impl std::fmt::Display) -> PortalError {
    PortalError::Io {
        path: path.to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

impl<T: Serialize + for<'de> Deserialize<'de> + Clone> Records<T> {
    fn open(dir: PathBuf) -> Result<Records<T>, PortalError> {
        let io = |source| PortalError::Io {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let mut map = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).map_err(io)?.flatten() {
            let path = entry.path();
            let Some(id) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            match std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<T>(&b).ok())
            {
                Some(record) => {
                    map.insert(id.to_string(), record);
                }
                None => tracing::warn!("skipping {}: not a portal record", path.display()),
            }
        }
        Ok(Records {
            keeping: Keeping::Folder {
                dir,
                map: RwLock::new(map),
            },
        })
    }

    fn in_bucket(kv: Arc<KvStore>, kind: &str) -> Records<T> {
        Records {
            keeping: Keeping::Bucket {
                kv,
                prefix: format!("{PORTAL_PREFIX}{kind}."),
                parsed: Default::default(),
            },
        }
    }

    /// Every record with its id and the revision it was read at (0 in a folder).
    fn versions(&self) -> Vec<(String, u64, T)> {
        match &self.keeping {
            Keeping::Folder { map, .. } => map
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(id, record)| (id.clone(), 0, record.clone()))
                .collect(),
            Keeping::Bucket { kv, prefix, parsed } => {
                let mut parsed = parsed.lock().unwrap_or_else(|e| e.into_inner());
                // what the bucket holds now; records gone from it leave the cache with it
                let mut now = HashMap::with_capacity(parsed.len());
                let mut all = Vec::new();
                for (key, revision, value) in kv.records(prefix) {
                    let id = key[prefix.len()..].to_string();
                    let record = match parsed.remove(&id) {
                        Some((seen, record)) if seen == revision => record,
                        _ => match serde_json::from_slice::<T>(&value) {
                            Ok(record) => record,
                            Err(e) => {
                                tracing::warn!(
                                    "skipping bucket key {key}: not a portal record ({e})"
                                );
                                continue;
                            }
                        },
                    };
                    now.insert(id.clone(), (revision, record.clone()));
                    all.push((id, revision, record));
                }
                *parsed = now;
                all
            }
        }
    }

    /// The record `id` and the revision it was read at (what a change of it expects).
    fn get_versioned(&self, id: &str) -> Option<(u64, T)> {
        match &self.keeping {
            Keeping::Folder { map, .. } => map
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(id)
                .map(|record| (0, record.clone())),
            Keeping::Bucket { kv, prefix, .. } => {
                let (revision, value) = kv.record(&format!("{prefix}{id}"))?;
                serde_json::from_slice(&value)
                    .ok()
                    .map(|record| (revision, record))
            }
        }
    }

    fn get(&self, id: &str) -> Option<T> {
        self.get_versioned(id).map(|(_, record)| record)
    }

    fn all(&self) -> Vec<T> {
        self.versions().into_iter().map(|(_, _, r)| r).collect()
    }

    fn len(&self) -> usize {
        match &self.keeping {
            Keeping::Folder { map, .. } => map.read().unwrap_or_else(|e| e.into_inner()).len(),
            Keeping::Bucket { kv, prefix, .. } => kv.count_records(prefix),
        }
    }

    /// Writes the record durably and keeps it. `judged`: the revision of the record the
    /// change was decided on (`None` for a new record); in a bucket, a record another console
    /// instance changed since is not overwritten ([`PortalError::Conflict`]).
    async fn put(&self, id: &str, record: T, judged: Option<u64>) -> Result<(), PortalError> {
        let text = serde_json::to_string_pretty(&record).unwrap_or_default();
        match &self.keeping {
            Keeping::Folder { dir, map } => {
                crate::store::write_file_atomically(&dir.join(format!("{id}.json")), &text)
                    .map_err(|e| io_error(dir.display(), e))?;
                map.write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id.to_string(), record);
                Ok(())
            }
            Keeping::Bucket { kv, prefix, .. } => {
                let key = format!("{prefix}{id}");
                match kv.save_record(&key, &text, judged).await {
                    Ok(()) => Ok(()),
                    Err(StoreError::Conflict(_)) => Err(PortalError::Conflict(format!(
                        "{id} was changed meanwhile by another console instance: look again"
                    ))),
                    Err(StoreError::Unavailable(reason)) => Err(PortalError::Unavailable(format!(
                        "portal records not saved: {reason}"
                    ))),
                    Err(e) => Err(io_error(format!("bucket {}", kv.bucket()), e)),
                }
            }
        }
    }
}

/// The portal's records in `<store>/portal/`.
pub struct Portal {
    access: Records<AccessRequest>,
    users: Records<IssuedUser>,
    revocations: Records<RevocationRequest>,
    /// Serializes check-then-write of the records.
    write: tokio::sync::Mutex<()>,
}

/// 16 random bytes, base32 (lower case): an id that cannot be guessed.
pub fn new_id() -> String {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    nats_auth::text_encoding::base32_encode(&bytes)
        .trim_end_matches('=')
        .to_ascii_lowercase()
}

/// Is `id` of the form [`new_id`] makes (so it can name a file)?
pub fn is_id(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

impl Portal {
    pub fn open(store: &Path) -> Result<Portal, PortalError> {
        let dir = store.join("portal");
        Ok(Portal {
            access: Records::open(dir.join("access"))?,
            users: Records::open(dir.join("users"))?,
            revocations: Records::open(dir.join("revocations"))?,
            write: Default::default(),
        })
    }

    /// The records in the key-value store's bucket.
    pub fn in_bucket(kv: Arc<KvStore>) -> Portal {
        Portal {
            access: Records::in_bucket(kv.clone(), "access"),
            users: Records::in_bucket(kv.clone(), "users"),
            revocations: Records::in_bucket(kv, "revocations"),
            write: Default::default(),
        }
    }

    pub async fn request_access(&self, request: AccessRequest) -> Result<(), PortalError> {
        let _write = self.write.lock().await;
        let all = self.access.all();
        if all.iter().filter(|r| r.state == State::Pending).count() >= MAX_PENDING_ACCESS {
            return Err(PortalError::Full(format!(
                "{MAX_PENDING_ACCESS} access requests are waiting for an admin: try again later"
            )));
        }
        if let Some(same) = all
            .iter()
            .find(|r| r.key == request.key && r.state == State::Pending)
        {
            return Err(PortalError::Conflict(format!(
                "key {} has a pending request already ({})",
                request.key, same.id
            )));
        }
        self.access.put(&request.id.clone(), request, None).await
    }

    pub fn access_request(&self, id: &str) -> Option<AccessRequest> {
        self.access.get(id)
    }

    pub fn access_requests(&self) -> Vec<AccessRequest> {
        let mut all = self.access.all();
        all.sort_by_key(|r| r.created);
        all
    }

    /// Records an admin's decision on a pending request.
    pub async fn decide_access(
        &self,
        id: &str,
        state: State,
        role: String,
        decision: Decision,
    ) -> Result<AccessRequest, PortalError> {
        let _write = self.write.lock().await;
        let (judged, mut request) = self
            .access
            .get_versioned(id)
            .ok_or_else(|| PortalError::NotFound(format!("no access request {id}")))?;
        if request.state != State::Pending {
            return Err(PortalError::Conflict(format!(
                "access request {id} was decided already"
            )));
        }
        request.state = state;
        request.role = role;
        request.decision = Some(decision);
        self.access.put(id, request.clone(), Some(judged)).await?;
        Ok(request)
    }

    pub async fn record_user(&self, user: IssuedUser) -> Result<(), PortalError> {
        let _write = self.write.lock().await;
        let existing = self.users.get_versioned(&user.key);
        if existing.is_none() && self.users.len() >= MAX_USERS {
            return Err(PortalError::Full(format!(
                "{MAX_USERS} issued users are recorded: no more"
            )));
        }
        let judged = existing.map(|(revision, _)| revision);
        self.users.put(&user.key.clone(), user, judged).await
    }

    pub fn user(&self, key: &str) -> Option<IssuedUser> {
        self.users.get(key)
    }

    /// The users issued for `account`, newest first.
    pub fn users_of(&self, account: &str) -> Vec<IssuedUser> {
        let mut users: Vec<IssuedUser> = self
            .users
            .all()
            .into_iter()
            .filter(|u| u.account == account)
            .collect();
        users.sort_by_key(|u| std::cmp::Reverse(u.issued_at));
        users
    }

    pub async fn request_revocation(&self, request: RevocationRequest) -> Result<(), PortalError> {
        let _write = self.write.lock().await;
        let all = self.revocations.all();
        if all.iter().filter(|r| r.state == State::Pending).count() >= MAX_PENDING_REVOCATIONS {
            return Err(PortalError::Full(format!(
                "{MAX_PENDING_REVOCATIONS} revocation requests are waiting: try again later"
            )));
        }
        if let Some(same) = all
            .iter()
            .find(|r| r.user == request.user && r.state == State::Pending)
        {
            return Err(PortalError::Conflict(format!(
                "user {} has a pending revocation request already ({})",
                request.user, same.id
            )));
        }
        self.revocations
            .put(&request.id.clone(), request, None)
            .await
    }

    pub fn revocation_requests(&self) -> Vec<RevocationRequest> {
        let mut all = self.revocations.all();
        all.sort_by_key(|r| r.created);
        all
    }

    pub async fn decide_revocation(
        &self,
        id: &str,
        state: State,
        decision: Decision,
    ) -> Result<RevocationRequest, PortalError> {
        let _write = self.write.lock().await;
        let (judged, mut request) = self
            .revocations
            .get_versioned(id)
            .ok_or_else(|| PortalError::NotFound(format!("no revocation request {id}")))?;
        if request.state != State::Pending {
            return Err(PortalError::Conflict(format!(
                "revocation request {id} was decided already"
            )));
        }
        request.state = state;
        request.decision = Some(decision);
        self.revocations
            .put(id, request.clone(), Some(judged))
            .await?;
        Ok(request)
    }
}
