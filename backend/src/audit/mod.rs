//! The audit log: who changed what, from where, when, and the outcome. Append-only JSON Lines in
//! the store folder (`audit.jsonl`); each entry carries the SHA-256 of the line before it, so an
//! edited, removed or reordered line breaks the chain (`nats-console audit verify`).
//!
//! Appends are group-committed: one writer thread takes every entry queued meanwhile, writes
//! them and fsyncs once, then acknowledges each. A change is made only after its entry is on
//! disk, so a crash can leave an entry without its change, never a change without its entry.
//!
//! The log is also the directory store's write-ahead log: an entry that changes the store
//! carries the new JWT, so the store's own writes need no fsync each. A checkpoint (every
//! second, after one `syncfs` of the store) records the last entry whose change is surely on
//! disk; at start the entries after it are applied again (see [`write_ahead`]).
//! Never a seed: entries hold public keys, public JWTs, `jti`s and the names of changed claims.

mod chain;
pub mod quiet;
mod stream;
pub mod write_ahead;

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

#[cfg(test)]
pub use chain::verify;
pub use chain::{line_hash, verify_with, GENESIS};

/// The file name of the audit log in the store folder.
pub const FILE_NAME: &str = "audit.jsonl";
/// Entries queued for the writer at most; appends wait beyond it.
const QUEUE: usize = 4096;
/// Under concurrent appends, how long the writer gathers a batch at most before its fsync (it
/// commits sooner, once an async worker is idle).
const COMMIT_DELAY: std::time::Duration = std::time::Duration::from_micros(400);
/// Entries per fsync at most.
const MAX_BATCH: usize = 256;
/// Details of one entry, serialized, at most (longer ones are cut and marked). Entries that
/// change the store are never cut: their JWT (at most 1 MiB) is what a replay needs.
const MAX_DETAILS: usize = 16 * 1024;
/// The file, beside the log, naming the last entry whose change is surely on disk.
pub const CHECKPOINT_FILE: &str = "audit.checkpoint";

/// Who made a change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Actor {
    /// A signed-in person: the session key, the JWT's name, role and account.
    Session {
        user: String,
        name: String,
        role: &'static str,
        account: String,
    },
    /// An anonymous request authorized by its signature alone (`nsc push`, nats-server): the
    /// key that signed it.
    Signer { key: String },
    /// An update received over NATS, verified like a push; the key that signed it.
    Nats { key: String },
    /// Nobody identified yet (a refused sign-in, an access request).
    Anonymous,
}

/// How a change reached the console: what the audit log names as its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An HTTP request (a push, the web app): announced on NATS once stored.
    Http,
    /// An update or lookup answer received over NATS: announced already.
    Nats,
    /// The primary this replica follows.
    Primary,
}

/// Who sent a change, and from where.
#[derive(Debug, Clone)]
pub struct Origin {
    pub via: Via,
    /// The client's address, or where else it came from.
    pub from: String,
    /// The signed-in person who sent it, when the request carried a session.
    pub session: Option<Actor>,
}

impl Origin {
    pub fn http(from: impl Into<String>, session: Option<Actor>) -> Origin {
        Origin {
            via: Via::Http,
            from: from.into(),
            session,
        }
    }

    pub fn nats() -> Origin {
        Origin {
            via: Via::Nats,
            from: "nats".into(),
            session: None,
        }
    }

    pub fn primary(url: &str) -> Origin {
        Origin {
            via: Via::Primary,
            from: url.to_string(),
            session: None,
        }
    }

    /// The actor of a change signed by `signer`: the session when there is one.
    pub fn actor(&self, signer: &str) -> Actor {
        match (&self.session, self.via) {
            (Some(actor), _) => actor.clone(),
            (None, Via::Nats) => Actor::Nats {
                key: signer.to_string(),
            },
            (None, _) => Actor::Signer {
                key: signer.to_string(),
            },
        }
    }

    /// A record of `action` by this origin, for a change signed by `signer`.
    pub fn record(&self, signer: &str, action: &'static str) -> Record {
        Record::new(self.actor(signer), self.from.clone(), action)
    }
}

/// One thing that happened, as a caller describes it; the log adds `seq`, `time` and `prev`.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub actor: Actor,
    /// The client's address (`ip:port`), or "nats".
    pub from: String,
    /// What: `operator.trusted`, `account.pushed`, `session.signed-in`, …
    pub action: &'static str,
    /// The key the action is about (account, user, operator), when there is one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// "ok", or why it was refused or failed.
    pub outcome: String,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
    /// The entry describes a store write that follows it: tracked until [`AuditLog::applied`].
    #[serde(skip)]
    pub changes_store: bool,
}

impl Record {
    pub fn new(actor: Actor, from: impl Into<String>, action: &'static str) -> Record {
        Record {
            actor,
            from: from.into(),
            action,
            subject: String::new(),
            outcome: "ok".into(),
            details: serde_json::Value::Null,
            changes_store: false,
        }
    }

    /// Marks an entry whose store write follows: its details carry what a replay needs.
    pub fn changes_store(mut self) -> Record {
        self.changes_store = true;
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Record {
        self.subject = subject.into();
        self
    }

    pub fn outcome(mut self, outcome: impl Into<String>) -> Record {
        self.outcome = outcome.into();
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Record {
        self.details = details;
        self
    }
}

/// A line as written: the chain fields first, then the record.
#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    time: String,
    prev: &'a str,
    #[serde(flatten)]
    record: &'a Record,
}

/// The last entry: what the next one chains to, and what an admin pins elsewhere.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("audit log {0}: the writer stopped")]
    Stopped(String),
    /// The stream beside the key-value store cannot be reached: nothing is changed until it can.
    #[error("audit log {log}: {reason}; changes resume once NATS is back")]
    Unavailable { log: String, reason: String },
}

impl AuditError {
    /// Will it pass by itself (NATS back)? Then a 503, not a 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuditError::Unavailable { .. })
    }
}

struct Queued {
    record: Record,
    done: oneshot::Sender<Result<Head, String>>,
    /// The runtime's parks when it was queued (see `quiet`).
    parks: u64,
}

/// Where the log's lines are kept, for reading them back.
#[derive(Clone)]
enum Kept {
    File(PathBuf),
    Stream(Box<stream::Reader>),
}

/// The open audit log; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<Queued>,
    head: Arc<Mutex<Head>>,
    /// Entries that change the store, acknowledged but not yet applied.
    unapplied: Arc<Mutex<std::collections::BTreeSet<u64>>>,
    /// The file or stream, as log lines and errors name it.
    name: String,
    kept: Kept,
}

impl AuditLog {
    /// Opens (or creates, 0600) the log at `path`, finds its head and starts the writer. A last
    /// line without its newline was never acknowledged (the crash came mid-write): it is cut.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let io = |source| AuditError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)
            .map_err(io)?;
        let mut sink = FileSink {
            file,
            path: path.to_path_buf(),
        };
        let head = sink.head().map_err(|e| io(std::io::Error::other(e)))?;
        AuditLog::start(
            Box::new(sink),
            head,
            path.display().to_string(),
            Kept::File(path.to_path_buf()),
        )
        .map_err(io)
    }

    /// Opens the log kept in a JetStream stream beside the key-value store's bucket (created
    /// when missing), shared by every console instance on that bucket.
    pub async fn open_stream(
        js: async_nats::jetstream::Context,
        bucket: &str,
        replicas: usize,
    ) -> Result<AuditLog, AuditError> {
        let failed = |e: String| AuditError::Io {
            path: stream::describe(bucket),
            source: std::io::Error::other(e),
        };
        let (sink, reader) = stream::open(js, bucket, replicas).await.map_err(failed)?;
        // the sink waits on the runtime: it reads the head from a thread outside it
        let (sink, head) = tokio::task::spawn_blocking(move || {
            let mut sink = sink;
            let head = sink.head();
            (sink, head)
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|(sink, head)| head.map(|head| (sink, head)))
        .map_err(failed)?;
        let kept = Kept::Stream(Box::new(reader));
        AuditLog::start(Box::new(sink), head, stream::describe(bucket), kept)
            .map_err(|e| failed(e.to_string()))
    }

    fn start(
        sink: Box<dyn Sink>,
        head: Head,
        name: String,
        kept: Kept,
    ) -> std::io::Result<AuditLog> {
        tracing::info!(
            "audit log {name} ({} entries, head {})",
            head.seq,
            head.hash
        );
        let head = Arc::new(Mutex::new(head));
        let unapplied: Arc<Mutex<std::collections::BTreeSet<u64>>> = Default::default();
        let (queue, receiver) = mpsc::channel(QUEUE);
        let writer = Writer {
            sink,
            head: head.clone(),
            unapplied: unapplied.clone(),
            name: name.clone(),
        };
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer.run(receiver))?;
        Ok(AuditLog {
            queue,
            head,
            unapplied,
            name,
            kept,
        })
    }

    /// The store write of entry `seq` is done (or failed and was recorded so).
    pub fn applied(&self, seq: u64) {
        lock(&self.unapplied).remove(&seq);
    }

    /// The last entry up to which every store change has been made: what a checkpoint may name
    /// once the store is synced.
    pub fn applied_up_to(&self) -> u64 {
        // the head first: the writer registers an entry as unapplied before it moves the head
        let head = self.head().seq;
        match lock(&self.unapplied).first() {
            Some(&first) => head.min(first - 1),
            None => head,
        }
    }

    /// Appends `record`; returns once it is durable (fsynced, or acknowledged by the stream).
    pub async fn append(&self, record: Record) -> Result<Head, AuditError> {
        let stopped = || AuditError::Stopped(self.name.clone());
        let (done, written) = oneshot::channel();
        self.queue
            .send(Queued {
                record,
                done,
                parks: quiet::parks(),
            })
            .await
            .map_err(|_| stopped())?;
        match written.await {
            Ok(Ok(head)) => Ok(head),
            Ok(Err(reason)) if matches!(self.kept, Kept::Stream(_)) => {
                Err(AuditError::Unavailable {
                    log: self.name.clone(),
                    reason,
                })
            }
            Ok(Err(e)) => Err(AuditError::Io {
                path: self.name.clone(),
                source: std::io::Error::other(e),
            }),
            Err(_) => Err(stopped()),
        }
    }

    /// The last entry this instance wrote or knows of (with a stream shared by several
    /// instances, another may have appended since).
    pub fn head(&self) -> Head {
        lock(&self.head).clone()
    }

    /// The file or stream, as named in logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every line of the log, oldest first, sent as read (an error ends the lines).
    pub fn lines(&self) -> mpsc::Receiver<Result<String, String>> {
        let (send, lines) = mpsc::channel(1024);
        match &self.kept {
            Kept::File(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    let file = match File::open(&path) {
                        Ok(f) => f,
                        Err(e) => {
                            let _ = send.blocking_send(Err(e.to_string()));
                            return;
                        }
                    };
                    for line in BufReader::new(file).lines() {
                        let line = line.map_err(|e| e.to_string());
                        let failed = line.is_err();
                        if send.blocking_send(line).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            Kept::Stream(reader) => {
                tokio::spawn(reader.clone().send_lines(send));
            }
        }
        lines
    }
}

/// The head of an existing log and the length of its complete lines.
fn read_head(mut file: &File) -> std::io::Result<(Head, u64)> {
    file.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut head = Head {
        seq: 0,
        hash: GENESIS.to_string(),
    };
    let mut complete = 0u64;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 || line.last() != Some(&b'\n') {
            break;
        }
        complete += n as u64;
        head.seq += 1;
        head.hash = line_hash(&line[..n - 1]);
    }
    Ok((head, complete))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why an append did not happen.
enum SinkError {
    /// Another writer appended first (a stream shared by console instances): chain again.
    Moved,
    Failed(String),
}

/// Where the writer keeps chained lines: the log file, or a JetStream stream.
trait Sink: Send + 'static {
    /// Appends complete lines (each ending in a newline) chained to the head this sink last
    /// reported; durable once it returns `Ok`.
    fn append(&mut self, text: &[u8]) -> Result<(), SinkError>;
    /// The head as the sink holds it now (at open, after a failure or another's append).
    fn head(&mut self) -> Result<Head, String>;
    /// Bytes one append takes at most: a larger batch is split (at least one line each).
    fn max_append(&self) -> usize {
        usize::MAX
    }
    /// Is the head read again after a failed append (a file cuts what the failure left)?
    fn reread_after_failure(&self) -> bool {
        true
    }
}

/// The log file in the store folder.
struct FileSink {
    file: File,
    path: PathBuf,
}

impl Sink for FileSink {
    fn append(&mut self, text: &[u8]) -> Result<(), SinkError> {
        self.file
            .write_all(text)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| SinkError::Failed(e.to_string()))
    }

    /// Reads the head and cuts what is not a complete line: a write that failed, or a crash
    /// during one, left it, and it was never acknowledged.
    fn head(&mut self) -> Result<Head, String> {
        let (head, complete) = read_head(&self.file).map_err(|e| e.to_string())?;
        let len = self.file.metadata().map_err(|e| e.to_string())?.len();
        if complete < len {
            tracing::warn!(
                "audit log {}: cutting an unfinished last line (a crash or a failed write)",
                self.path.display()
            );
            self.file.set_len(complete).map_err(|e| e.to_string())?;
            self.file.sync_all().map_err(|e| e.to_string())?;
        }
        self.file
            .seek(SeekFrom::End(0))
            .map_err(|e| e.to_string())?;
        Ok(head)
    }
}

/// Appends that another writer got ahead of, in a row, before a batch is given up.
const MAX_MOVES: usize = 50;

/// The one thread that writes the log.
struct Writer {
    sink: Box<dyn Sink>,
    head: Arc<Mutex<Head>>,
    unapplied: Arc<Mutex<std::collections::BTreeSet<u64>>>,
    name: String,
}

impl Writer {
    fn run(mut self, mut receiver: mpsc::Receiver<Queued>) {
        let mut batch = Vec::new();
        let mut busy = false;
        while let Some(first) = receiver.blocking_recv() {
            batch.push(first);
            // while appends come from many requests at once, gather more of them for one fsync:
            // until an async worker runs out of requests to take (see `quiet`), COMMIT_DELAY at
            // most; a lone append waits not
            let gather_until = std::time::Instant::now() + COMMIT_DELAY;
            loop {
                while let Ok(more) = receiver.try_recv() {
                    batch.push(more);
                }
                if !busy || batch.len() >= MAX_BATCH || std::time::Instant::now() >= gather_until {
                    break;
                }
                let newest = batch.last().map_or(0, |queued| queued.parks);
                if quiet::wait_for_park_since(newest, gather_until) {
                    while let Ok(more) = receiver.try_recv() {
                        batch.push(more);
                    }
                    break;
                }
            }
            busy = batch.len() > 1;
            while !batch.is_empty() {
                self.commit(&mut batch);
            }
        }
    }

    /// Writes the first entries of a batch (as many as one append takes) and acknowledges
    /// each; they leave the batch either way.
    fn commit(&mut self, batch: &mut Vec<Queued>) {
        let mut moves = 0;
        loop {
            let (text, heads) = self.render(batch);
            let taken = heads.len();
            match self.sink.append(&text) {
                Ok(()) => {
                    lock(&self.unapplied).extend(
                        batch[..taken]
                            .iter()
                            .zip(&heads)
                            .filter(|(q, _)| q.record.changes_store)
                            .map(|(_, h)| h.seq),
                    );
                    *lock(&self.head) = heads.last().cloned().unwrap_or_default();
                    for (queued, head) in batch.drain(..taken).zip(heads) {
                        let _ = queued.done.send(Ok(head));
                    }
                    return;
                }
                Err(SinkError::Moved) if moves < MAX_MOVES => {
                    moves += 1;
                    self.refresh_head();
                }
                Err(e) => {
                    let reason = match e {
                        SinkError::Moved => "other console instances kept appending first".into(),
                        SinkError::Failed(reason) => reason,
                    };
                    tracing::error!("audit log {}: {reason}", self.name);
                    if self.sink.reread_after_failure() {
                        self.refresh_head();
                    }
                    for queued in batch.drain(..taken) {
                        let _ = queued.done.send(Err(reason.clone()));
                    }
                    return;
                }
            }
        }
    }

    /// The first entries of the batch as chained lines (as many as one append takes, at least
    /// one), and the head after each.
    fn render(&self, batch: &[Queued]) -> (Vec<u8>, Vec<Head>) {
        let max = self.sink.max_append();
        let mut current = lock(&self.head).clone();
        let mut text = Vec::new();
        let mut heads = Vec::new();
        for queued in batch {
            let line = render(&queued.record, current.seq + 1, &current.hash);
            if !heads.is_empty() && text.len() + line.len() + 1 > max {
                break;
            }
            current = Head {
                seq: current.seq + 1,
                hash: line_hash(line.as_bytes()),
            };
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
            heads.push(current.clone());
        }
        (text, heads)
    }

    fn refresh_head(&mut self) {
        match self.sink.head() {
            Ok(head) => *lock(&self.head) = head,
            Err(e) => tracing::error!("audit log {}: reading its head: {e}", self.name),
        }
    }
}

fn render(record: &Record, seq: u64, prev: &str) -> String {
    // entries that change the store are never cut, so only the others are measured
    let cut;
    let mut record = record;
    if !record.changes_store {
        let size = serde_json::to_string(&record.details).map_or(0, |d| d.len());
        if size > MAX_DETAILS {
            cut = Record {
                details: serde_json::json!({ "truncated": true, "bytes": size }),
                ..record.clone()
            };
            record = &cut;
        }
    }
    let line = Line {
        seq,
        time: crate::time::rfc3339_now(),
        prev,
        record,
    };
    serde_json::to_string(&line).unwrap_or_else(|e| {
        format!(r#"{{"seq":{seq},"prev":"{prev}","action":"unserializable","outcome":"{e}"}}"#)
    })
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

/// The names of the claims that differ between two JWTs' payloads, as dotted paths two levels
/// deep (`name`, `nats.limits`, `nats.revocations`): what an audit entry says changed, without
/// copying the JWT.
pub fn changed_claims(old: Option<&str>, new: &str) -> Vec<String> {
    type Object = serde_json::Map<String, serde_json::Value>;
    fn payload(jwt: &str) -> Object {
        jwt.split('.')
            .nth(1)
            .and_then(|p| nats_auth::jwt::segment::decode(p).ok())
            .and_then(|bytes| serde_json::from_slice::<Object>(&bytes).ok())
            .unwrap_or_default()
    }
    const VOLATILE: [&str; 3] = ["iat", "jti", "nbf"];
    let new = payload(new);
    let old = old.map(payload).unwrap_or_default();
    // borrowed, not cloned: this runs for every push
    fn nats<'a>(claims: &'a Object, empty: &'a Object) -> &'a Object {
        claims
            .get("nats")
            .and_then(serde_json::Value::as_object)
            .unwrap_or(empty)
    }
    let empty = Object::new();
    let mut changed = Vec::new();
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        if VOLATILE.contains(&key.as_str()) || old.get(key) == new.get(key) {
            continue;
        }
        if key == "nats" {
            let (o, n) = (nats(&old, &empty), nats(&new, &empty));
            let sub: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            changed.extend(
                sub.into_iter()
                    .filter(|k| o.get(*k) != n.get(*k))
                    .map(|k| format!("nats.{k}")),
            );
        } else {
            changed.push(key.clone());
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nats-console-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(FILE_NAME)
    }

    fn record(n: usize) -> Record {
        Record::new(Actor::Anonymous, "127.0.0.1:1", "test.entry").subject(format!("S{n}"))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_form_one_chain_that_survives_a_reopen() {
        let path = temp("chain");
        let log = AuditLog::open(&path).unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|n| {
                let log = log.clone();
                tokio::spawn(async move { log.append(record(n)).await.unwrap() })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(log.head().seq, 200);
        let text = std::fs::read(&path).unwrap();
        assert_eq!(verify(&text[..]).unwrap(), log.head());
        drop(log);
        let reopened = AuditLog::open(&path).unwrap();
        assert_eq!(reopened.head().seq, 200);
        let next = reopened.append(record(200)).await.unwrap();
        assert_eq!(next.seq, 201);
        assert_eq!(verify(&std::fs::read(&path).unwrap()[..]).unwrap(), next);
    }

    #[tokio::test]
    async fn an_unfinished_last_line_is_cut_at_open() {
        let path = temp("torn");
        let log = AuditLog::open(&path).unwrap();
        log.append(record(1)).await.unwrap();
        let head = log.head();
        drop(log);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"seq":2,"prev":"ab"#).unwrap();
        let reopened = AuditLog::open(&path).unwrap();
        assert_eq!(reopened.head(), head);
        reopened.append(record(2)).await.unwrap();
        assert_eq!(verify(&std::fs::read(&path).unwrap()[..]).unwrap().seq, 2);
    }

    #[test]
    fn changed_claims_names_fields_not_values() {
        use nats_auth::jwt::AccountClaims;
        use nats_auth::nkeys::{KeyPair, KeyType};
        let op = KeyPair::from_raw_seed(KeyType::Operator, &[1; 32]).unwrap();
        let acc = KeyPair::from_raw_seed(KeyType::Account, &[2; 32]).unwrap();
        let mut a = AccountClaims::new(acc.public_key());
        a.name = "APP".into();
        let first = a.encode(&op, 100).unwrap();
        a.nats.limits.conn = 5;
        a.revoke_at("UABC", 200);
        let second = a.encode(&op, 200).unwrap();
        assert_eq!(
            changed_claims(Some(&first), &second),
            vec!["nats.limits", "nats.revocations"]
        );
        // a new account: every claim but the volatile ones, `nats` by its fields
        assert_eq!(
            changed_claims(None, &first),
            vec![
                "iss",
                "name",
                "nats.default_permissions",
                "nats.limits",
                "nats.type",
                "nats.version",
                "sub"
            ]
        );
        assert_eq!(changed_claims(Some(&first), &first), Vec::<String>::new());
    }
}
