//! The directory store: `<dir>/<KEY>.jwt`, or sharded `<dir>/<KEY[-2:]>/<KEY>.jwt`; files are
//! 0600 and folders 0700. Flat, it holds every JWT in memory. Sharded (the layout for very
//! large stores), it holds only which accounts exist and their digests ([`LeanIndex`]): a start
//! lists the folders, then reads the files in the background for the store hash and into a
//! read cache (one file, [`Pack`]) that GETs read from; until an account is cached, its GET
//! reads its file. Alone, it writes a temporary file that is fsynced and renamed over
//! the old one, so a crash never leaves a torn JWT. With the audit log as its write-ahead log
//! (the default for a writable store), account files are overwritten in place without fsync:
//! the log holds every acknowledged change, and the changes after its last checkpoint are made
//! again at start.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use nats_auth::nkeys::is_valid_public_account_key;

use super::lean_index::LeanIndex;
use super::pack::Pack;
use super::{AccountStore, Index, StoreError, StoredJwt};

pub struct DirectoryStore {
    root: PathBuf,
    shard: bool,
    read_only: bool,
    /// Every JWT (a flat store).
    index: Index,
    /// Which accounts exist and their digests (a sharded store; `index` stays empty).
    lean: Option<std::sync::Arc<LeanIndex>>,
    /// The sharded store's read cache: the JWTs in one file.
    pack: Option<std::sync::Arc<Pack>>,
    /// Activations by hash, in `<root>/activations/<hash>.jwt`.
    activations: Index,
    /// Account writes rely on a write-ahead log: no fsync each, [`AccountStore::sync`] later.
    write_ahead: AtomicBool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl DirectoryStore {
    /// Opens (creating it if needed) the store at `root` and indexes its files.
    pub fn open(root: &Path, shard: bool, read_only: bool) -> Result<DirectoryStore, StoreError> {
        if !read_only {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(root)
                .map_err(io_error(root))?;
        }
        let store = DirectoryStore {
            root: root.to_path_buf(),
            shard,
            read_only,
            index: Index::default(),
            lean: None,
            pack: None,
            activations: Index::default(),
            write_ahead: AtomicBool::new(false),
        };
        if !read_only {
            store.remove_stale_temp_files();
        }
        if shard {
            let lean = std::sync::Arc::new(LeanIndex::with_keys(store.scan_keys()?));
            let pack = Pack::create(root).map(std::sync::Arc::new);
            learn_digests(store.root.clone(), lean.clone(), pack.clone());
            return Ok(DirectoryStore {
                lean: Some(lean),
                pack,
                ..store
            });
        }
        store.index.replace(store.scan()?);
        Ok(store)
    }

    fn path_of(&self, account: &str) -> PathBuf {
        if self.shard {
            let shard = &account[account.len().saturating_sub(2)..];
            self.root.join(shard).join(format!("{account}.jwt"))
        } else {
            self.root.join(format!("{account}.jwt"))
        }
    }

    /// A crash between writing a temporary file and renaming it leaves the temporary file
    /// behind (the JWT it replaced is intact); clear them at start.
    fn remove_stale_temp_files(&self) {
        let mut dirs = vec![self.root.clone()];
        if let Ok(entries) = fs::read_dir(&self.root) {
            dirs.extend(
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path()),
            );
        }
        for dir in dirs {
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }

    /// The account keys of every `<KEY>.jwt` (in the root and, when sharded, one level down),
    /// without reading the files.
    fn scan_keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        for dir in self.folders()? {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&dir)(e)),
            };
            keys.extend(entries.flatten().filter_map(|entry| {
                let name = entry.file_name();
                let key = name.to_str()?.strip_suffix(".jwt")?;
                is_valid_public_account_key(key).then(|| key.to_string())
            }));
        }
        Ok(keys)
    }

    /// The root and, when sharded, its folders.
    fn folders(&self) -> Result<Vec<PathBuf>, StoreError> {
        let mut dirs = vec![self.root.clone()];
        if self.shard {
            for entry in fs::read_dir(&self.root)
                .map_err(io_error(&self.root))?
                .flatten()
            {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    dirs.push(entry.path());
                }
            }
        }
        Ok(dirs)
    }

    /// Reads every `<KEY>.jwt` (in the root and, when sharded, one level down). Files that are
    /// not account JWTs named by their subject are skipped with a warning.
    fn scan(&self) -> Result<Vec<StoredJwt>, StoreError> {
        let mut found = Vec::new();
        for dir in self.folders()? {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&dir)(e)),
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(account) = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".jwt"))
                    .filter(|k| is_valid_public_account_key(k))
                else {
                    continue;
                };
                if let Some(stored) = read_jwt(&path, account) {
                    found.push(stored);
                }
            }
        }
        Ok(found)
    }
}

/// Reads the digest of every account a sharded store listed at start, on two threads beside
/// the server, and fills the read cache; until then the store hash is incomplete (resolver
/// peers get a full pack).
fn learn_digests(
    root: PathBuf,
    lean: std::sync::Arc<LeanIndex>,
    pack: Option<std::sync::Arc<Pack>>,
) {
    let started = std::time::Instant::now();
    let keys = lean.unknown_keys();
    if keys.is_empty() {
        return;
    }
    let keys = std::sync::Arc::new(keys);
    let workers: Vec<_> = (0..2)
        .map(|part| {
            let (root, lean, keys, pack) = (root.clone(), lean.clone(), keys.clone(), pack.clone());
            std::thread::spawn(move || {
                for key in keys.iter().skip(part).step_by(2) {
                    let path = root.join(&key[key.len() - 2..]).join(format!("{key}.jwt"));
                    let path = if path.is_file() {
                        path
                    } else {
                        root.join(format!("{key}.jwt"))
                    };
                    match read_jwt(&path, key) {
                        Some(stored) => {
                            let packed = pack.as_ref().and_then(|p| p.append(&stored.jwt));
                            lean.learn(key, &stored.jwt, packed)
                        }
                        None => lean.remove(key),
                    }
                }
            })
        })
        .collect();
    std::thread::spawn(move || {
        workers.into_iter().for_each(|w| {
            let _ = w.join();
        });
        tracing::info!(
            "store hash complete: {} accounts read in {:.1} s; read cache {} MB",
            lean.len(),
            started.elapsed().as_secs_f64(),
            pack.as_ref().map_or(0, |p| p.len() >> 20)
        );
    });
}

fn read_jwt(path: &Path, account: &str) -> Option<StoredJwt> {
    use std::io::Read;
    // one path lookup (a sharded store does this on every GET): the size from the open file
    let mut file = fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size > nats_auth::jwt::MAX_TOKEN_SIZE as u64 {
        tracing::warn!("skipping {}: larger than a JWT may be", path.display());
        return None;
    }
    let mut text = String::with_capacity(size as usize);
    file.read_to_string(&mut text).ok()?;
    match StoredJwt::from_jwt(account, &text) {
        Some(stored) => Some(stored),
        None => {
            tracing::warn!("skipping {}: not an account JWT", path.display());
            None
        }
    }
}

impl AccountStore for DirectoryStore {
    fn describe(&self) -> String {
        format!(
            "{}{} at {}",
            self.kind(),
            if self.shard { " (sharded)" } else { "" },
            self.root.display()
        )
    }

    fn kind(&self) -> &'static str {
        if self.read_only {
            "read-only directory store"
        } else {
            "directory store"
        }
    }

    fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn get(&self, account: &str) -> Option<StoredJwt> {
        if let Some(lean) = &self.lean {
            // from the read cache: one open file, no path to walk
            if let (Some(pack), Some(packed)) = (&self.pack, lean.packed(account)) {
                if let Some(stored) = pack
                    .read(packed)
                    .and_then(|text| StoredJwt::from_jwt(account, &text))
                {
                    return Some(stored);
                }
            }
            // else from the file (the page cache keeps the hot ones); a file placed by hand counts
            let found = read_jwt(&self.path_of(account), account)
                .or_else(|| read_jwt(&self.root.join(format!("{account}.jwt")), account));
            match &found {
                Some(stored) if !lean.contains(account) => lean.set(account, &stored.jwt, None),
                None if lean.contains(account) => lean.remove(account),
                _ => {}
            }
            return found;
        }
        if let Some(found) = self.index.get(account) {
            return Some(found);
        }
        // a file placed by hand after start is served too
        let path = self.path_of(account);
        let found = read_jwt(&path, account)?;
        self.index.insert(found.clone());
        Some(found)
    }

    fn get_if_ready(&self, account: &str) -> Option<Option<StoredJwt>> {
        let Some(lean) = &self.lean else {
            return Some(self.get(account));
        };
        // a cached JWT whose page the kernel kept; anything else may wait on the disk
        let pack = self.pack.as_ref()?;
        let text = pack.read_cached(lean.packed(account)?).ok()??;
        StoredJwt::from_jwt(account, &text).map(Some)
    }

    fn save(&self, jwt: &StoredJwt, _replaces: Option<&StoredJwt>) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.kind()));
        }
        let path = self.path_of(&jwt.account);
        if self.write_ahead.load(Ordering::Relaxed) {
            write_in_place(&path, &jwt.jwt)?;
        } else {
            write_atomically(&path, &jwt.jwt)?;
        }
        match &self.lean {
            Some(lean) => {
                let packed = self.pack.as_ref().and_then(|p| p.append(&jwt.jwt));
                lean.set(&jwt.account, &jwt.jwt, packed)
            }
            None => self.index.insert(jwt.clone()),
        }
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.kind()));
        }
        let path = self.path_of(account);
        self.index.remove(account);
        if let Some(lean) = &self.lean {
            lean.remove(account);
        }
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_error(&path)(e)),
        }
    }

    fn get_activation(&self, hash: &str) -> Option<StoredJwt> {
        if let Some(found) = self.activations.get(hash) {
            return Some(found);
        }
        let text = fs::read_to_string(self.activation_path(hash)).ok()?;
        let found = StoredJwt::activation_from_jwt(hash, &text)?;
        self.activations.insert(found.clone());
        Some(found)
    }

    fn save_activation(&self, activation: &StoredJwt) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.kind()));
        }
        write_atomically(&self.activation_path(&activation.account), &activation.jwt)?;
        self.activations.insert(activation.clone());
        Ok(())
    }

    fn activations(&self) -> Vec<StoredJwt> {
        let folder = self.root.join("activations");
        let Ok(entries) = fs::read_dir(&folder) else {
            return Vec::new();
        };
        let mut found: Vec<StoredJwt> = entries
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let hash = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".jwt")?
                    .to_string();
                let meta = fs::metadata(&path).ok()?;
                if meta.len() > nats_auth::jwt::MAX_TOKEN_SIZE as u64 {
                    return None;
                }
                StoredJwt::activation_from_jwt(&hash, &fs::read_to_string(&path).ok()?)
            })
            .collect();
        found.sort_by(|a, b| a.account.cmp(&b.account));
        found
    }

    fn all(&self) -> Vec<StoredJwt> {
        match &self.lean {
            Some(lean) => lean.keys().iter().filter_map(|key| self.get(key)).collect(),
            None => self.index.all(),
        }
    }

    fn page(&self, query: &super::AccountQuery) -> super::AccountPage {
        match &self.lean {
            Some(lean) => {
                let mut page = super::PageCollector::new(query);
                lean.for_each(|key, learned| {
                    page.offer(key, learned.map(|l| &*l.name), learned.map(|l| l.expires))
                });
                page.finish()
            }
            None => self.index.page(query),
        }
    }

    fn count(&self) -> usize {
        match &self.lean {
            Some(lean) => lean.len(),
            None => self.index.len(),
        }
    }

    fn hash(&self) -> [u8; 32] {
        match &self.lean {
            Some(lean) => lean.hash().0,
            None => self.index.hash(),
        }
    }

    fn refresh(&self) -> Result<Vec<StoredJwt>, StoreError> {
        let found = self.scan()?;
        let Some(lean) = &self.lean else {
            return Ok(self.index.replace(found));
        };
        // a read-only sharded store: what changed on disk since, by digest
        let keys: std::collections::HashSet<&str> =
            found.iter().map(|f| f.account.as_str()).collect();
        lean.keys()
            .iter()
            .filter(|k| !keys.contains(&***k))
            .for_each(|k| lean.remove(k));
        Ok(found
            .into_iter()
            .filter(|f| lean.changes(&f.account, &f.jwt))
            .collect())
    }

    fn use_write_ahead(&self) -> bool {
        !self.read_only && {
            self.write_ahead.store(true, Ordering::Relaxed);
            true
        }
    }

    /// One `syncfs` of the file system holding the store: every write and rename so far.
    fn sync(&self) -> Result<(), StoreError> {
        use std::os::fd::AsRawFd;
        let dir = fs::File::open(&self.root).map_err(io_error(&self.root))?;
        // SAFETY: syncfs takes an open file descriptor, which `dir` holds for the call
        if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
            return Err(io_error(&self.root)(std::io::Error::last_os_error()));
        }
        Ok(())
    }
}

impl DirectoryStore {
    fn activation_path(&self, hash: &str) -> PathBuf {
        self.root.join("activations").join(format!("{hash}.jwt"))
    }
}

/// Overwrites the file in place, without fsync: for account writes a write-ahead log already
/// holds (a crash mid-write leaves a torn file whose change the log makes again at start). In
/// place, so an update reuses the file's inode instead of freeing one per write, which makes
/// later file creation slow on this kind of file system.
fn write_in_place(path: &Path, text: &str) -> Result<(), StoreError> {
    let open = || {
        fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
    };
    let mut file = match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // a new shard folder
            let dir = path.parent().unwrap_or(Path::new("."));
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io_error(dir))?;
            open()
        }
        other => other,
    }
    .map_err(io_error(path))?;
    file.write_all(text.as_bytes()).map_err(io_error(path))
}

/// temp file + fsync + rename + fsync of the folder: the file is either the old or the new JWT.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), StoreError> {
    {
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error(dir))?;
        let name = path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(
            ".{}.{}.{}.tmp",
            name,
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, path)?;
            // the rename is durable once the folder is synced
            fs::File::open(dir)?.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(io_error(path)(e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nats_auth::nkeys::{KeyPair, KeyType};

    fn account_jwt(signer: &KeyPair, iat: i64) -> (String, String) {
        let key = KeyPair::new(KeyType::Account, &mut rand_core::OsRng)
            .unwrap()
            .public_key();
        let mut claims = nats_auth::jwt::AccountClaims::new(key.clone());
        (key, claims.encode(signer, iat).unwrap())
    }

    fn hash_of<'a>(jwts: impl Iterator<Item = &'a String>) -> [u8; 32] {
        let mut hash = [0u8; 32];
        jwts.for_each(|j| super::super::xor_digest(&mut hash, j));
        hash
    }

    #[test]
    fn a_sharded_store_keeps_jwts_on_disk_and_its_hash_current() {
        let root = std::env::temp_dir().join(format!("nats-console-lean-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let signer = KeyPair::new(KeyType::Operator, &mut rand_core::OsRng).unwrap();
        let mut jwts: std::collections::BTreeMap<String, String> = (0..40)
            .map(|_| account_jwt(&signer, 1_700_000_000))
            .collect();
        for (key, jwt) in &jwts {
            let folder = root.join(&key[key.len() - 2..]);
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join(format!("{key}.jwt")), jwt).unwrap();
        }
        let store = DirectoryStore::open(&root, true, false).unwrap();
        assert_eq!(store.count(), 40);
        let lean = store.lean.clone().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !lean.hash().1 {
            assert!(std::time::Instant::now() < deadline, "digests not learnt");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(store.hash(), hash_of(jwts.values()));

        // served from the files; writes and deletes keep the hash current
        let (first, jwt) = jwts
            .iter()
            .next()
            .map(|(k, j)| (k.clone(), j.clone()))
            .unwrap();
        assert_eq!(store.get(&first).unwrap().jwt.as_ref(), jwt);
        let (key, newer) = account_jwt(&signer, 1_700_000_100);
        store
            .save(&StoredJwt::from_jwt(&key, &newer).unwrap(), None)
            .unwrap();
        jwts.insert(key.clone(), newer.clone());
        // served from the read cache: the file's bytes changed behind the store's back are not
        // what a GET reads, the pack's are (and they are what was written)
        assert!(lean.packed(&key).is_some());
        let file = root.join(&key[key.len() - 2..]).join(format!("{key}.jwt"));
        fs::write(&file, "changed behind the store's back").unwrap();
        assert_eq!(store.get(&key).unwrap().jwt.as_ref(), newer);
        fs::write(&file, &newer).unwrap();
        assert!(store.delete(&first).unwrap());
        jwts.remove(&first);
        assert_eq!(store.hash(), hash_of(jwts.values()));
        assert_eq!(
            store
                .all()
                .iter()
                .map(|j| j.account.clone())
                .collect::<Vec<_>>(),
            jwts.keys().cloned().collect::<Vec<_>>()
        );
        // a file placed by hand is found, and counted
        let (placed, placed_jwt) = account_jwt(&signer, 1_700_000_200);
        let folder = root.join(&placed[placed.len() - 2..]);
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(format!("{placed}.jwt")), &placed_jwt).unwrap();
        assert!(store.get(&placed).is_some());
        jwts.insert(placed, placed_jwt);
        assert_eq!(store.hash(), hash_of(jwts.values()));
        assert_eq!(store.count(), jwts.len());
        let _ = fs::remove_dir_all(&root);
    }
}
