//! `nats-console store copy --from dir:PATH|nsc:PATH|kv:URL --to dir:PATH|kv:URL`: moves what a
//! store holds (account JWTs, activations, the operator trusted through the web console) to
//! another, byte for byte. It follows the write path's rule: an entry the target holds with a
//! newer `iat` is kept, identical bytes are left alone, so running it again changes nothing.
//! Signatures are not checked again: a store only ever held what passed the write path.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{AccountStore, DirectoryStore, KvStore, NscStore, StoreError};
use crate::config::KvStore as KvConfig;

/// Where a store is, as `store copy` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    Dir(PathBuf),
    Nsc(PathBuf),
    Kv(Vec<String>),
}

impl std::str::FromStr for StoreSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<StoreSpec, String> {
        let (kind, place) = text.split_once(':').ok_or_else(|| {
            format!("{text:?}: name a store as dir:PATH, nsc:PATH or kv:nats://HOST:PORT")
        })?;
        if place.trim().is_empty() {
            return Err(format!("{text:?}: the {kind} store's place is missing"));
        }
        match kind {
            "dir" => Ok(StoreSpec::Dir(PathBuf::from(place))),
            "nsc" => Ok(StoreSpec::Nsc(PathBuf::from(place))),
            "kv" => Ok(StoreSpec::Kv(
                place.split(',').map(|u| u.trim().to_string()).collect(),
            )),
            other => Err(format!(
                "{text:?}: {other:?} is not a store kind (dir, nsc or kv)"
            )),
        }
    }
}

/// How the stores are reached and laid out.
#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// The bucket of a `kv:` store, its creds, and its replicas when it is created.
    pub bucket: String,
    pub creds: Option<PathBuf>,
    pub replicas: usize,
    /// A `dir:` target is written sharded (an existing sharded one always is).
    pub shard: bool,
}

/// What a copy did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub copied: usize,
    pub unchanged: usize,
    /// Entries the target holds with a newer `iat`: kept.
    pub kept_newer: Vec<String>,
    pub activations: usize,
    pub operator: Option<String>,
}

/// An opened store, and the operator it keeps (if it keeps one).
struct Opened {
    store: Arc<dyn AccountStore>,
    kv: Option<Arc<KvStore>>,
    operator_file: Option<PathBuf>,
}

impl Opened {
    fn operator(&self) -> Option<String> {
        if let Some(kv) = &self.kv {
            return kv.operator().borrow().clone();
        }
        let file = self.operator_file.as_ref()?;
        std::fs::read_to_string(file)
            .ok()
            .map(|t| t.trim().to_string())
    }
}

fn open(
    spec: &StoreSpec,
    target: bool,
    options: &CopyOptions,
    runtime: &tokio::runtime::Runtime,
) -> Result<Opened, StoreError> {
    match spec {
        StoreSpec::Dir(path) => {
            // a source is read with its shards, if it has them; a target is written flat
            // unless it already is sharded
            let sharded = is_sharded(path) || (target && options.shard);
            let store = DirectoryStore::open(path, sharded || !target, !target)?;
            Ok(Opened {
                store: Arc::new(store),
                kv: None,
                operator_file: Some(path.join("operator.jwt")),
            })
        }
        StoreSpec::Nsc(path) if !target => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            Ok(Opened {
                store: Arc::new(NscStore::open(path)?),
                kv: None,
                operator_file: Some(path.join(format!("{name}.jwt"))),
            })
        }
        StoreSpec::Nsc(_) => Err(StoreError::ReadOnly("nsc store")),
        StoreSpec::Kv(servers) => {
            let config = KvConfig {
                servers: servers.clone(),
                creds: options.creds.clone(),
                bucket: options.bucket.clone(),
                replicas: options.replicas,
            };
            let opened = runtime.block_on(KvStore::open(&config, Duration::from_secs(5)))?;
            Ok(Opened {
                store: opened.store.clone(),
                kv: Some(opened.store),
                operator_file: None,
            })
        }
    }
}

/// A directory store written sharded has two-character folders of `.jwt` files.
fn is_sharded(path: &std::path::Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().len() == 2 && e.file_type().is_ok_and(|t| t.is_dir()))
    })
}

/// Copies `from` into `to`, writing progress to `progress` about once a second.
pub fn copy(
    from: &StoreSpec,
    to: &StoreSpec,
    options: &CopyOptions,
    progress: &mut impl Write,
) -> Result<CopyReport, StoreError> {
    if from == to {
        return Err(StoreError::Open(
            "the source and the target are the same store".into(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| StoreError::Open(e.to_string()))?;
    let source = open(from, false, options, &runtime)?;
    let target = open(to, true, options, &runtime)?;
    let mut report = CopyReport::default();

    let accounts = source.store.all();
    let total = accounts.len();
    let mut shown = Instant::now();
    for (done, jwt) in accounts.iter().enumerate() {
        let current = target.store.get(&jwt.account);
        match &current {
            Some(current) if current.jwt == jwt.jwt => report.unchanged += 1,
            Some(current) if current.issued_at > jwt.issued_at => {
                report.kept_newer.push(jwt.account.clone())
            }
            _ => {
                target.store.save(jwt, current.as_ref())?;
                report.copied += 1;
            }
        }
        if shown.elapsed() >= Duration::from_secs(1) {
            let _ = writeln!(progress, "accounts: {}/{total}", done + 1);
            shown = Instant::now();
        }
    }
    for activation in source.store.activations() {
        let unchanged = target
            .store
            .get_activation(&activation.account)
            .is_some_and(|a| a.jwt == activation.jwt);
        if !unchanged {
            target.store.save_activation(&activation)?;
            report.activations += 1;
        }
    }
    if let Some(operator) = source.operator() {
        if target.operator().as_deref() != Some(operator.as_str()) {
            copy_operator(&target, &operator, &runtime)?;
            report.operator = nats_auth::jwt::decode(&operator)
                .ok()
                .map(|c| c.subject().to_string());
        }
    }
    target.store.sync()?;
    Ok(report)
}

fn copy_operator(
    target: &Opened,
    operator: &str,
    runtime: &tokio::runtime::Runtime,
) -> Result<(), StoreError> {
    match (&target.kv, &target.operator_file) {
        (Some(kv), _) => runtime.block_on(kv.save_operator(operator)),
        (None, Some(file)) => super::write_file_atomically(file, operator),
        (None, None) => Ok(()),
    }
}

impl CopyReport {
    /// One line per kind of entry, for the terminal.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "accounts: {} copied, {} already there\n",
            self.copied, self.unchanged
        );
        if !self.kept_newer.is_empty() {
            text.push_str(&format!(
                "accounts kept because the target holds a newer JWT: {}\n",
                self.kept_newer.join(", ")
            ));
        }
        text.push_str(&format!("activations: {} copied\n", self.activations));
        if let Some(operator) = &self.operator {
            text.push_str(&format!("operator: {operator} copied\n"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_names_are_parsed_or_refused_with_the_reason() {
        assert_eq!(
            "dir:/a/b".parse::<StoreSpec>(),
            Ok(StoreSpec::Dir("/a/b".into()))
        );
        assert_eq!(
            "kv:nats://a:1, nats://b:2".parse::<StoreSpec>(),
            Ok(StoreSpec::Kv(vec![
                "nats://a:1".into(),
                "nats://b:2".into()
            ]))
        );
        for (bad, says) in [
            ("/a/b", "name a store as"),
            ("dir:", "place is missing"),
            ("s3:bucket", "not a store kind"),
        ] {
            let e = bad.parse::<StoreSpec>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
