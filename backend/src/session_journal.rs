//! The sessions' journal (`<store>/sessions.jsonl`): what lets sessions outlive a restart of
//! the console, so a browser's session — and the live event feed on it — goes on by itself.
//!
//! A session's NATS key is not stored: it is derived from a random nonce and the console's
//! session secret (`<store>/session-secret`, 0600, made at first start), so the journal holds
//! public data only: the nonce, the session JWT (public, like every JWT), where the sign-in
//! came from, and the SHA-256 of the cookie token (never the token). At start the journal is
//! read, compacted to the sessions still open, and each JWT is checked again before its session
//! comes back. Appends are not fsynced: losing the last lines to a crash signs those out.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nats_auth::nkeys::{KeyPair, KeyType};
use sha2::{Digest, Sha256};

pub const FILE_NAME: &str = "sessions.jsonl";
const SECRET_FILE: &str = "session-secret";
/// A longer line is not a session record (JWTs are bounded at 1 MiB, sessions' far smaller).
const MAX_LINE: usize = 64 * 1024;

/// A session as the journal keeps it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionRecord {
    /// SHA-256 of the cookie token, hex.
    pub id: String,
    /// What the session's NATS key is derived from, hex.
    pub nonce: String,
    pub jwt: String,
    pub from: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum Line {
    Open(SessionRecord),
    End(String),
}

pub struct SessionJournal {
    secret: [u8; 32],
    path: PathBuf,
    file: Mutex<std::fs::File>,
    /// Lines appended since the last compaction (what bounds the file).
    appended: std::sync::atomic::AtomicUsize,
}

#[derive(Debug, thiserror::Error)]
#[error("session journal {path}: {error}")]
pub struct JournalError {
    path: String,
    error: std::io::Error,
}

/// SHA-256 of a cookie token, hex: how the journal and the sessions' map name a session.
pub fn token_id(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

impl SessionJournal {
    /// Opens the journal in `dir`; returns it and the sessions it says are open (to be checked
    /// again, then kept with [`SessionJournal::compact`]).
    pub fn open(dir: &Path) -> Result<(SessionJournal, Vec<SessionRecord>), JournalError> {
        let secret_path = dir.join(SECRET_FILE);
        let secret = load_or_make_secret(&secret_path).map_err(fail(&secret_path))?;
        let path = dir.join(FILE_NAME);
        let mut open: Vec<SessionRecord> = Vec::new();
        if let Ok(file) = std::fs::File::open(&path) {
            for line in std::io::BufReader::new(file).lines() {
                let Ok(line) = line else { break };
                if line.len() > MAX_LINE {
                    continue;
                }
                match serde_json::from_str::<Line>(&line) {
                    Ok(Line::Open(record)) => open.push(record),
                    Ok(Line::End(id)) => open.retain(|r| r.id != id),
                    // a torn last line (crash mid-append) or garbage: skipped
                    Err(_) => {}
                }
            }
        }
        let file = append_to(&path)?;
        Ok((
            SessionJournal {
                secret,
                path,
                file: Mutex::new(file),
                appended: Default::default(),
            },
            open,
        ))
    }

    /// Rewrites the journal with `kept` only (written beside, renamed over).
    pub fn compact(&self, kept: &[SessionRecord]) -> Result<(), JournalError> {
        let fresh = self.path.with_extension("jsonl.new");
        let mut text = String::new();
        for record in kept {
            text.push_str(&serde_json::to_string(&Line::Open(record.clone())).unwrap_or_default());
            text.push('\n');
        }
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        write_private(&fresh, text.as_bytes()).map_err(fail(&fresh))?;
        std::fs::rename(&fresh, &self.path).map_err(fail(&self.path))?;
        *file = append_to(&self.path)?;
        self.appended.store(0, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Lines appended since the journal was last compacted.
    pub fn appended(&self) -> usize {
        self.appended.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A fresh nonce (hex) and the session key derived from it.
    pub fn new_key(&self) -> Option<(String, KeyPair)> {
        use rand_core::RngCore;
        let mut nonce = [0u8; 16];
        rand_core::OsRng.fill_bytes(&mut nonce);
        let nonce = hex(&nonce);
        let key = self.key_for(&nonce)?;
        Some((nonce, key))
    }

    /// The session key of `nonce`: SHA-256(secret ‖ nonce) as an Ed25519 seed.
    pub fn key_for(&self, nonce: &str) -> Option<KeyPair> {
        let nonce = unhex(nonce).filter(|n| n.len() == 16)?;
        let mut hash = Sha256::new();
        hash.update(self.secret);
        hash.update(&nonce);
        let seed: [u8; 32] = hash.finalize().into();
        KeyPair::from_raw_seed(KeyType::User, &seed).ok()
    }

    pub fn opened(&self, record: &SessionRecord) {
        self.append(&Line::Open(record.clone()));
    }

    pub fn ended(&self, id: &str) {
        self.append(&Line::End(id.to_string()));
    }

    fn append(&self, line: &Line) {
        let mut text = serde_json::to_string(line).unwrap_or_default();
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = file.write_all(text.as_bytes()) {
            tracing::warn!("session journal {}: {e}", self.path.display());
        }
        self.appended
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn fail(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError {
    let path = path.display().to_string();
    move |error| JournalError { path, error }
}

fn append_to(path: &Path) -> Result<std::fs::File, JournalError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(fail(path))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn load_or_make_secret(path: &Path) -> std::io::Result<[u8; 32]> {
    if let Ok(bytes) = std::fs::read(path) {
        if let Ok(secret) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(secret);
        }
    }
    use rand_core::RngCore;
    let mut secret = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut secret);
    write_private(path, &secret)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, nonce: &str) -> SessionRecord {
        SessionRecord {
            id: id.into(),
            nonce: nonce.into(),
            jwt: "eyJ.x.y".into(),
            from: "127.0.0.1:1".into(),
        }
    }

    #[test]
    fn sessions_come_back_after_a_restart_with_the_same_keys() {
        let dir = std::env::temp_dir().join(format!("nats-console-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (journal, open) = SessionJournal::open(&dir).unwrap();
        assert!(open.is_empty());
        let (nonce, key) = journal.new_key().unwrap();
        journal.opened(&record("a", &nonce));
        journal.opened(&record("b", &nonce));
        journal.opened(&record("c", &nonce));
        journal.ended("b");
        drop(journal);
        // a torn last line is skipped
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join(FILE_NAME))
            .unwrap()
            .write_all(b"{\"open\":{\"id\":\"d\"")
            .unwrap();
        let (journal, open) = SessionJournal::open(&dir).unwrap();
        assert_eq!(open, vec![record("a", &nonce), record("c", &nonce)]);
        journal.compact(&open[..1]).unwrap();
        assert_eq!(
            journal.key_for(&nonce).unwrap().public_key(),
            key.public_key()
        );
        // compacted: only a's line is left, then what comes after; no seed in the file
        journal.ended("a");
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains(&key.seed().unwrap()));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(journal.key_for("zz").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_token_is_named_by_its_hash() {
        assert_eq!(token_id("abc").len(), 64);
        assert_ne!(token_id("abc"), token_id("abd"));
    }
}
