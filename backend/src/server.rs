//! Starting and stopping the account server: configuration → operator → store → NATS → HTTP,
//! logged in the order nats-account-server logs them.

use std::path::Path;
use std::sync::Arc;

use nats_auth::jwt::{self, AnyClaims};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::account_server;
use crate::config::Config;
use crate::nats_link::NatsLink;
use crate::state::{AppState, Operator, OperatorKeeper, TrustedOperator};
use crate::store::{AccountStore, DirectoryStore, KvStore, NscStore, StoredJwt};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("http: {0}")]
    Http(String),
}

/// A running server.
pub struct Running {
    stop: oneshot::Sender<()>,
    state: Arc<AppState>,
    task: JoinHandle<()>,
    /// Store refresher and resolver peer: stopped with the server.
    background: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, and returns when done.
    pub async fn stop(self) {
        self.state.stopping.send_replace(true);
        let _ = self.stop.send(());
        for task in self.background {
            task.abort();
        }
        let _ = self.task.await;
    }
}

fn read_jwt_file(path: &Path, what: &str) -> Result<String, StartError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| StartError::Config(format!("{what} {}: {e}", path.display())))?;
    Ok(nats_auth::creds::parse_decorated_jwt(&text))
}

fn load_operator(config: &Config) -> Result<Option<Operator>, StartError> {
    let Some(path) = &config.operator_jwt_path else {
        tracing::warn!("no operator configured (-operator or operatorjwtpath): updates are refused until one is set, or pushed by the web console");
        return Ok(None);
    };
    let token = read_jwt_file(path, "operator JWT")?;
    match jwt::decode(&token) {
        Ok(AnyClaims::Operator(claims)) => {
            tracing::info!(
                "loaded operator {:?} ({}) from {}",
                claims.name,
                claims.subject,
                path.display()
            );
            Ok(Some(Operator { jwt: token, claims }))
        }
        Ok(other) => Err(StartError::Config(format!(
            "operator JWT {}: a {} JWT, not an operator JWT",
            path.display(),
            other.claim_type().as_str()
        ))),
        Err(e) => Err(StartError::Config(format!(
            "operator JWT {}: {e}",
            path.display()
        ))),
    }
}

fn load_system_account(
    config: &Config,
    operator: Option<&Operator>,
) -> Result<Option<StoredJwt>, StartError> {
    let Some(path) = &config.system_account_jwt_path else {
        return Ok(None);
    };
    let token = read_jwt_file(path, "system account JWT")?;
    let claims = jwt::decode(&token)
        .map_err(|e| StartError::Config(format!("system account JWT {}: {e}", path.display())))?;
    let expected = operator
        .map(|o| o.claims.nats.system_account.as_str())
        .unwrap_or("");
    if claims.subject() != expected {
        return Err(StartError::Config(format!(
            "system account JWT {} is about {}, but the operator's system account is {:?}",
            path.display(),
            claims.subject(),
            expected
        )));
    }
    tracing::info!(
        "loaded system account {} from {}",
        claims.subject(),
        path.display()
    );
    Ok(StoredJwt::from_jwt(claims.subject(), &token))
}

/// The store the configuration asks for; the key-value store also as itself (it keeps the
/// operator and the setup code too).
async fn open_store(
    config: &Config,
) -> Result<(Arc<dyn AccountStore>, Option<Arc<KvStore>>), StartError> {
    if let Some(kv) = &config.store.kv {
        let opened = KvStore::open(kv, config.nats.connect_timeout).await?;
        opened.warnings.iter().for_each(|w| tracing::warn!("{w}"));
        tracing::info!("opened a {}", opened.store.describe());
        return Ok((opened.store.clone(), Some(opened.store)));
    }
    let store: Arc<dyn AccountStore> = match (&config.store.nsc, &config.store.dir) {
        (Some(nsc), _) => Arc::new(NscStore::open(nsc)?),
        (None, Some(dir)) => Arc::new(DirectoryStore::open(
            dir,
            config.store.shard,
            config.store.read_only,
        )?),
        (None, None) => unreachable!("Config::load sets a default directory"),
    };
    tracing::info!("creating a {}", store.describe());
    Ok((store, None))
}

/// The operator as a keeper holds it (a file or the bucket).
fn kept_operator(keeper: Option<&OperatorKeeper>) -> Result<Option<Operator>, StartError> {
    let (token, from) = match keeper {
        Some(OperatorKeeper::File(file)) if file.is_file() => (
            read_jwt_file(file, "operator JWT")?,
            file.display().to_string(),
        ),
        Some(OperatorKeeper::Bucket(store)) => match store.operator().borrow().clone() {
            Some(token) => (token, "the key-value store".to_string()),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    match jwt::decode(&token) {
        Ok(AnyClaims::Operator(claims)) => {
            tracing::info!(
                "loaded operator {:?} ({}) set by the web console, from {from}",
                claims.name,
                claims.subject,
            );
            Ok(Some(Operator { jwt: token, claims }))
        }
        _ => Err(StartError::Config(format!("{from}: not an operator JWT"))),
    }
}

/// Another console instance on the same bucket trusted or updated the operator: so does this
/// one.
async fn follow_operator(
    state: Arc<AppState>,
    mut kept: tokio::sync::watch::Receiver<Option<String>>,
) {
    while kept.changed().await.is_ok() {
        let Some(token) = kept.borrow_and_update().clone() else {
            continue;
        };
        if state.operator.get().is_some_and(|o| o.jwt == token) {
            continue;
        }
        if let Ok(AnyClaims::Operator(claims)) = jwt::decode(&token) {
            tracing::info!(
                "operator {:?} ({}) trusted by another console instance",
                claims.name,
                claims.subject
            );
            state.operator.set(Operator { jwt: token, claims });
            state.setup_code.void();
        }
    }
}

/// Starts everything the configuration asks for and returns once HTTP is listening.
pub async fn start(config: &Config) -> Result<Running, StartError> {
    tracing::info!("Starting nats-console v{VERSION} (account server)");
    tracing::info!("server time is {}", crate::time::rfc3339_now());
    let tls = match &config.http.tls {
        None => None,
        Some(t) => match (&t.cert, &t.key) {
            (Some(cert), Some(key)) => {
                Some(crate::tls::acceptor(cert, key).map_err(StartError::Config)?)
            }
            _ => {
                return Err(StartError::Config(
                    "http.tls needs both cert and key".into(),
                ))
            }
        },
    };
    // in nats-account-server's order: the configured operator, then the store
    let pinned = load_operator(config)?;
    let (store, kv_store) = open_store(config).await?;
    // without a configured operator, one pushed by the web console is kept by the store
    let keeper = match (&config.operator_jwt_path, &kv_store, &config.store.dir) {
        (Some(_), _, _) => None,
        (None, Some(kv), _) => Some(OperatorKeeper::Bucket(kv.clone())),
        (None, None, Some(dir)) if !config.store.read_only => {
            Some(OperatorKeeper::File(dir.join("operator.jwt")))
        }
        _ => None,
    };
    let operator = match pinned {
        Some(op) => Some(op),
        None => kept_operator(keeper.as_ref())?,
    };
    let system_account = load_system_account(config, operator.as_ref())?;

    let nats = NatsLink::new();
    if config.nats.servers.is_empty() {
        tracing::info!("NATS is not configured, server will not fire notifications on update");
    } else {
        tracing::info!(
            "connecting to NATS at {} in the background",
            config.nats.servers.join(",")
        );
        nats.start(&config.nats);
    }

    let primary = config
        .primary
        .as_deref()
        .map(|url| crate::primary::Primary::new(url, config.replication_timeout))
        .transpose()
        .map_err(StartError::Config)?;
    let setup_code = match (&operator, &keeper, &config.store.dir) {
        (None, Some(OperatorKeeper::File(_)), Some(dir)) => {
            crate::setup_code::SetupCode::load_or_create(dir)
                .map_err(|e| StartError::Config(format!("setup code in {}: {e}", dir.display())))?
        }
        (None, Some(OperatorKeeper::Bucket(kv)), _) => {
            crate::setup_code::SetupCode::load_or_create_in(kv.clone()).await?
        }
        _ => crate::setup_code::SetupCode::none(),
    };
    if let Some(text) = setup_code.get() {
        tracing::info!("setup code: {text}");
        tracing::info!("  (the web console asks for it to trust the first operator; `nats-console setup-code` prints it again)");
    }
    let (audit, portal) = open_audit_and_portal(config, &store, kv_store.as_ref()).await?;
    // sessions outlive a restart when the store has a writable folder
    let (journal, journaled) = match (&config.store.dir, audit.is_some()) {
        (Some(dir), true) if kv_store.is_none() => {
            let (journal, records) = crate::session_journal::SessionJournal::open(dir)
                .map_err(|e| StartError::Config(e.to_string()))?;
            (Some(journal), records)
        }
        _ => (None, Vec::new()),
    };
    // the audit log is the store's write-ahead log: account writes skip their own fsync
    let write_ahead = audit.is_some() && store.use_write_ahead();
    let state: Arc<AppState> = Arc::new(AppState {
        operator: TrustedOperator::new(operator, keeper),
        system_account,
        store: store.clone(),
        nats: nats.clone(),
        primary,
        max_pack: config.max_replication_pack,
        write_locks: Default::default(),
        allow_delete: config.store.allow_delete,
        nats_config: config.nats.clone(),
        sessions: crate::session::Sessions::with_journal(journal),
        setup_code,
        audit,
        https: tls.is_some(),
        portal,
        write_ahead,
        // anonymous access requests: 20 at once, then one every 3 seconds
        portal_requests: crate::rate_limit::RateLimit::new(20.0, 1.0 / 3.0),
        known_servers: Default::default(),
        stopping: tokio::sync::watch::channel(false).0,
    });

    if let (Some(kv), Some(OperatorKeeper::Bucket(_))) = (&kv_store, &state.operator.keeper) {
        tokio::spawn(follow_operator(state.clone(), kv.operator()));
    }
    import_primary_pack(&state, config.max_replication_pack).await;
    restore_sessions(&state, journaled);
    let state_for_peer = state.clone();
    let state_for_sweeper = state.clone();
    let state_for_checkpoints = state.clone();
    let state_for_stop = state.clone();
    let addr = config.http.socket_addr().map_err(StartError::Http)?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| StartError::Http(format!("listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| StartError::Http(e.to_string()))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!("{} listening on {local}", scheme.to_uppercase());

    let (stop, stopped) = oneshot::channel::<()>();
    let app = account_server::router(state, config.web_dir.as_deref())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.http.read_timeout + config.http.write_timeout,
        ))
        .into_make_service_with_connect_info::<crate::client_addr::ClientAddr>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let task = match tls {
        None => tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!("http server: {e}");
            }
        }),
        Some(acceptor) => {
            let listener = crate::tls::TlsListener::new(listener, acceptor)
                .map_err(|e| StartError::Http(e.to_string()))?;
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
                {
                    tracing::error!("https server: {e}");
                }
            })
        }
    };

    let sweeper = tokio::spawn(crate::console_api::session::sweep(state_for_sweeper));
    let checkpointer = match (&state_for_checkpoints.audit, &config.store.dir) {
        (Some(log), Some(dir)) if state_for_checkpoints.write_ahead => Some(tokio::spawn(
            checkpoints(store.clone(), log.clone(), dir.clone()),
        )),
        _ => None,
    };
    let refresher = store
        .is_read_only()
        .then(|| spawn_refresher(store.clone(), nats.clone()));
    let peer = nats.is_configured().then(|| {
        tokio::spawn(crate::resolver_peer::run(
            state_for_peer,
            config.nats.reconnect_wait,
        ))
    });

    let host = match config.http.host.as_str() {
        "" | "0.0.0.0" | "::" => "localhost".to_string(),
        h if h.contains(':') => format!("[{h}]"),
        h => h.to_string(),
    };
    match &config.web_dir {
        Some(dir) => tracing::info!("serving the web console from {}", dir.display()),
        None => tracing::info!("no web console build found (run trunk build, or -web DIR)"),
    }
    tracing::info!("nats-console is running");
    tracing::info!("configure the nats-server with:");
    tracing::info!(
        "  resolver: URL({scheme}://{host}:{}/jwt/v1/accounts/)",
        local.port()
    );
    if config.dump {
        tracing::info!("effective configuration: {config:#?}");
    }
    Ok(Running {
        stop,
        state: state_for_stop,
        task,
        background: refresher
            .into_iter()
            .chain(peer)
            .chain(Some(sweeper))
            .chain(checkpointer)
            .collect(),
    })
}

/// Read-only stores follow their folder: changes are picked up and announced to NATS.
fn spawn_refresher(store: Arc<dyn AccountStore>, nats: NatsLink) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            let s = store.clone();
            match tokio::task::spawn_blocking(move || s.refresh()).await {
                Ok(Ok(changed)) => {
                    for jwt in changed {
                        tracing::info!("account {} changed on disk", jwt.account);
                        nats.publish_update(&jwt.account, &jwt.jwt).await;
                    }
                }
                Ok(Err(e)) => tracing::warn!("re-reading the store: {e}"),
                Err(e) => tracing::warn!("re-reading the store: {e}"),
            }
        }
    })
}

/// A replica starts with the primary's pack (`maxreplicationpack` accounts; 0 skips it). When
/// the primary is down it serves what its disk holds.
async fn import_primary_pack(state: &AppState, max: i64) {
    let Some(primary) = &state.primary else {
        return;
    };
    if max == 0 {
        tracing::info!(
            "replica of {}: pack import disabled (maxreplicationpack 0)",
            primary.url
        );
        return;
    }
    match primary.fetch_pack(max).await {
        Ok(pack) => {
            let mut saved = 0;
            for (key, jwt) in &pack {
                match account_server::update::update_account(
                    state,
                    Some(key),
                    jwt,
                    &crate::audit::Origin::primary(&primary.url),
                )
                .await
                {
                    Ok(_) => {
                        primary.mark_fetched(key);
                        saved += 1;
                    }
                    Err(e) => tracing::warn!("not importing {key} from the primary: {e}"),
                }
            }
            tracing::info!(
                "replica of {}: imported {saved} of {} accounts",
                primary.url,
                pack.len()
            );
        }
        Err(e) => tracing::warn!("replica of {}: {e}; serving the local store", primary.url),
    }
}

/// The audit log and the team portal's records: in the store folder, or beside the key-value
/// store's bucket (shared by every instance); none for a read-only store.
async fn open_audit_and_portal(
    config: &Config,
    store: &Arc<dyn AccountStore>,
    kv_store: Option<&Arc<KvStore>>,
) -> Result<
    (
        Option<crate::audit::AuditLog>,
        Option<crate::portal::Portal>,
    ),
    StartError,
> {
    if let Some(kv) = kv_store {
        let log = crate::audit::AuditLog::open_stream(kv.jetstream(), kv.bucket(), kv.replicas())
            .await
            .map_err(|e| StartError::Config(e.to_string()))?;
        return Ok((
            Some(log),
            Some(crate::portal::Portal::in_bucket(kv.clone())),
        ));
    }
    match (
        &config.store.dir,
        config.store.read_only || config.store.nsc.is_some(),
    ) {
        (Some(dir), false) => {
            let path = dir.join(crate::audit::FILE_NAME);
            let log = crate::audit::AuditLog::open(&path)
                .map_err(|e| StartError::Config(e.to_string()))?;
            let head = log.head();
            recover_from_write_ahead(store, dir, &path)?;
            crate::audit::write_ahead::write_checkpoint(dir, head.seq)?;
            let portal =
                crate::portal::Portal::open(dir).map_err(|e| StartError::Config(e.to_string()))?;
            Ok((Some(log), Some(portal)))
        }
        _ => {
            tracing::warn!("no audit log: the store has no writable folder");
            Ok((None, None))
        }
    }
}

/// Makes the store changes the audit log recorded after its last checkpoint again (in log order,
/// fsynced): after a power loss the store's own unsynced writes may be missing.
fn recover_from_write_ahead(
    store: &Arc<dyn AccountStore>,
    dir: &Path,
    log: &Path,
) -> Result<(), StartError> {
    use crate::audit::write_ahead::{changes_after, checkpoint, Change};
    let changes = changes_after(log, checkpoint(dir))
        .map_err(|e| StartError::Config(format!("audit log {}: {e}", log.display())))?;
    let mut made = 0;
    for change in &changes {
        match change {
            Change::Save { account, jwt } => {
                let Some(recorded) = StoredJwt::from_jwt(account, jwt) else {
                    continue;
                };
                let current = store.get(account);
                if current
                    .as_ref()
                    .is_some_and(|c| c.jwt == recorded.jwt || c.issued_at > recorded.issued_at)
                {
                    continue;
                }
                store.save(&recorded, None)?;
                made += 1;
            }
            Change::Delete { account } => {
                if store.delete(account)? {
                    made += 1;
                }
            }
        }
    }
    store.sync()?;
    if !changes.is_empty() {
        tracing::info!(
            "write-ahead: {} changes after the last checkpoint, {made} of them made again",
            changes.len()
        );
    }
    Ok(())
}

/// Every second: when changes were made since the last checkpoint, syncs the store once and
/// moves the checkpoint past them.
async fn checkpoints(
    store: Arc<dyn AccountStore>,
    log: crate::audit::AuditLog,
    dir: std::path::PathBuf,
) {
    let mut done = log.applied_up_to();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let up_to = log.applied_up_to();
        if up_to <= done {
            continue;
        }
        let (store, dir) = (store.clone(), dir.clone());
        let result = tokio::task::spawn_blocking(move || {
            store.sync()?;
            crate::audit::write_ahead::write_checkpoint(&dir, up_to)
        })
        .await;
        match result {
            Ok(Ok(())) => done = up_to,
            Ok(Err(e)) => tracing::error!("write-ahead checkpoint: {e}"),
            Err(e) => tracing::error!("write-ahead checkpoint: {e}"),
        }
    }
}

/// Brings back the sessions of the journal whose JWT still passes the sign-in check (trusted
/// account, signer, scope, not revoked, not expired), each reconnecting to NATS as before.
fn restore_sessions(state: &Arc<AppState>, records: Vec<crate::session_journal::SessionRecord>) {
    if records.is_empty() {
        return;
    }
    let Some(operator) = state.operator.get() else {
        state.sessions.restore(records, |_, _| None);
        return;
    };
    let now = crate::time::unix_now();
    let stored_account = |key: &str| state.stored_account(key);
    let restored = state.sessions.restore(records, |record, key| {
        nats_auth::session::check_sign_in(
            &record.jwt,
            &key.public_key(),
            &operator.claims,
            stored_account,
            now,
        )
        .ok()
    });
    tracing::info!("{} session(s) restored from the journal", restored.len());
    for session in restored {
        session.connect(&state.nats_config, state.nats.servers());
    }
}
