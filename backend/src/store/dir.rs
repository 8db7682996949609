//! The directory store: `<dir>/<KEY>.jwt`, or sharded `<dir>/<KEY[-2:]>/<KEY>.jwt`; files are
//! 0600 and folders 0700. Alone, it writes a temporary file that is fsynced and renamed over
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

use super::{AccountStore, Index, StoreError, StoredJwt};

pub struct DirectoryStore {
    root: PathBuf,
    shard: bool,
    read_only: bool,
    index: Index,
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
            activations: Index::default(),
            write_ahead: AtomicBool::new(false),
        };
        if !read_only {
            store.remove_stale_temp_files();
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

    /// Reads every `<KEY>.jwt` (in the root and, when sharded, one level down). Files that are
    /// not account JWTs named by their subject are skipped with a warning.
    fn scan(&self) -> Result<Vec<StoredJwt>, StoreError> {
        let mut found = Vec::new();
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
        for dir in dirs {
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

fn read_jwt(path: &Path, account: &str) -> Option<StoredJwt> {
    let meta = fs::metadata(path).ok()?;
    if meta.len() > nats_auth::jwt::MAX_TOKEN_SIZE as u64 {
        tracing::warn!("skipping {}: larger than a JWT may be", path.display());
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
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
        if let Some(found) = self.index.get(account) {
            return Some(found);
        }
        // a file placed by hand after start is served too
        let path = self.path_of(account);
        let found = read_jwt(&path, account)?;
        self.index.insert(found.clone());
        Some(found)
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
        self.index.insert(jwt.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.kind()));
        }
        let path = self.path_of(account);
        self.index.remove(account);
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
        self.index.all()
    }

    fn hash(&self) -> [u8; 32] {
        self.index.hash()
    }

    fn refresh(&self) -> Result<Vec<StoredJwt>, StoreError> {
        Ok(self.index.replace(self.scan()?))
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
