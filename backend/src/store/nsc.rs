//! A read-only view of an nsc operator folder (`<op>/<op>.jwt`,
//! `<op>/accounts/<name>/<name>.jwt`), indexed by each account JWT's subject rather than scanned
//! per request. `refresh` re-reads the folder; the server calls it periodically and announces
//! what changed.

use std::fs;
use std::path::{Path, PathBuf};

use super::{AccountStore, Index, StoreError, StoredJwt};

pub struct NscStore {
    operator_dir: PathBuf,
    index: Index,
}

impl NscStore {
    pub fn open(operator_dir: &Path) -> Result<NscStore, StoreError> {
        let store = NscStore {
            operator_dir: operator_dir.to_path_buf(),
            index: Index::default(),
        };
        store.index.replace(store.scan()?);
        Ok(store)
    }

    fn scan(&self) -> Result<Vec<StoredJwt>, StoreError> {
        let accounts = self.operator_dir.join("accounts");
        let entries = fs::read_dir(&accounts).map_err(|source| StoreError::Io {
            path: accounts.display().to_string(),
            source,
        })?;
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let file = entry.path().join(format!("{}.jwt", name.to_string_lossy()));
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let subject = nats_auth::jwt::decode(text.trim())
                .map(|c| c.subject().to_string())
                .ok();
            match subject.and_then(|sub| StoredJwt::from_jwt(&sub, &text)) {
                Some(stored) => found.push(stored),
                None => tracing::warn!("skipping {}: not an account JWT", file.display()),
            }
        }
        Ok(found)
    }
}

impl AccountStore for NscStore {
    fn describe(&self) -> String {
        format!(
            "read-only store for the NSC folder at {} ({} accounts)",
            self.operator_dir.display(),
            self.index.len()
        )
    }

    fn kind(&self) -> &'static str {
        "nsc store"
    }

    fn is_read_only(&self) -> bool {
        true
    }

    fn get(&self, account: &str) -> Option<StoredJwt> {
        self.index.get(account)
    }

    fn save(&self, _jwt: &StoredJwt, _replaces: Option<&StoredJwt>) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly("nsc store"))
    }

    fn all(&self) -> Vec<StoredJwt> {
        self.index.all()
    }

    fn hash(&self) -> [u8; 32] {
        self.index.hash()
    }

    fn refresh(&self) -> Result<Vec<StoredJwt>, StoreError> {
        Ok(self.index.replace(self.scan()?))
    }
}
