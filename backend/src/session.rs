//! Sessions: the console side of sign-in by signature. The console makes a user key for each
//! sign-in (its seed only in this process's memory); the browser signs a short-lived user JWT
//! for it; `nats_auth::session::check_sign_in` decides. A session may then hold its own NATS
//! connection made with that JWT and key, so nats-server enforces the signer's rights on
//! everything done for it. Sessions live in memory, and in the store's session journal when
//! there is one (`session_journal.rs`), so that a restart of the console signs nobody out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use nats_auth::nkeys::{KeyPair, KeyType};
use nats_auth::session::SessionGrant;
use tokio::sync::watch;

use crate::rate_limit::RateLimit;
use crate::session_journal::{token_id, SessionJournal, SessionRecord};

/// Sign-in keys waiting for their JWT, at most.
const MAX_PENDING: usize = 1024;
/// A sign-in key unused for this long is dropped.
const PENDING_TTL: Duration = Duration::from_secs(5 * 60);
/// Sessions at most.
const MAX_SESSIONS: usize = 4096;
/// The session journal is compacted after this many lines (it holds at most this many plus the
/// open sessions).
const COMPACT_AFTER: usize = 2 * MAX_SESSIONS;
/// The anonymous sign-in routes (new key, sign-in) together: a token bucket.
const SIGN_IN_BURST: f64 = 5000.0;
const SIGN_IN_PER_SECOND: f64 = 5000.0;
/// Refused sign-ins recorded in the audit log, at most (the rest are counted in the next one).
const REFUSALS_RECORDED_BURST: f64 = 100.0;
const REFUSALS_RECORDED_PER_SECOND: f64 = 20.0;
/// The cookie that carries the session token.
pub const COOKIE: &str = "nats_console_session";

/// Why a sign-in step is refused (before the JWT itself is judged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("too many sign-ins at once: try again in a moment")]
    RateLimited,
    #[error("too many sign-ins are waiting for their JWT: try again in a few minutes")]
    TooManyPending,
    #[error("the console has {MAX_SESSIONS} sessions open: sign out elsewhere or wait")]
    TooManySessions,
    #[error("a session links {MAX_ACCOUNT_LINKS} accounts at most: unlink one first")]
    TooManyLinks,
    #[error("{0} is not a sign-in key this console made, or it was used or expired: ask for a new one (POST /api/v1/session/key)")]
    UnknownKey(String),
}

/// A session's own NATS connection, as far as it got.
#[derive(Clone)]
pub enum SessionLink {
    /// The console has no NATS configured.
    NotConfigured,
    Connecting,
    Connected(async_nats::Client),
    /// The last attempt failed with this (e.g. an authorization violation); retried.
    Failed(String),
}

impl SessionLink {
    pub fn describe(&self) -> String {
        match self {
            SessionLink::NotConfigured => "not configured".into(),
            SessionLink::Connecting => "connecting".into(),
            SessionLink::Connected(_) => "connected".into(),
            SessionLink::Failed(e) => format!("failed: {e}"),
        }
    }
}

/// A signed-in person.
pub struct Session {
    /// The cookie's token (known at sign-in only: a session restored after a restart has "").
    pub token: String,
    /// SHA-256 of the token: how sessions are found and journaled.
    pub id: String,
    /// What its key is derived from (journaled sessions).
    nonce: Option<String>,
    pub grant: SessionGrant,
    /// Where the sign-in came from.
    pub from: String,
    key: Arc<KeyPair>,
    jwt: String,
    link: watch::Sender<SessionLink>,
    /// The system account's events, followed from the first `/api/v1/events` on.
    events: tokio::sync::OnceCell<Arc<crate::monitor::events::EventFeed>>,
    /// nats-server's permission violations on the session's connection, as they come.
    violations: tokio::sync::broadcast::Sender<String>,
    /// Connections as users of other accounts, each signed for by this person's browser (an
    /// admin acting for an account on its JetStream pages), by account key.
    account_links: Mutex<HashMap<String, Arc<Session>>>,
}

/// A connection acting as a user of one account, with what nats-server refuses on it.
#[derive(Clone)]
pub struct AccountConnection {
    pub client: async_nats::Client,
    pub violations: tokio::sync::broadcast::Sender<String>,
}

/// Account links one session may hold at once.
const MAX_ACCOUNT_LINKS: usize = 32;

impl Session {
    pub fn link(&self) -> SessionLink {
        self.link.borrow().clone()
    }

    /// The session's NATS connection, when it is up.
    pub fn client(&self) -> Option<async_nats::Client> {
        match &*self.link.borrow() {
            SessionLink::Connected(c) => Some(c.clone()),
            _ => None,
        }
    }

    /// The session's NATS connection, or why there is none (for a 503).
    pub fn nats_client(&self) -> Result<async_nats::Client, String> {
        self.client().ok_or_else(|| {
            format!(
                "your session has no NATS connection ({})",
                self.link().describe()
            )
        })
    }

    fn new(
        token: String,
        id: String,
        nonce: Option<String>,
        grant: SessionGrant,
        from: String,
        key: Arc<KeyPair>,
        jwt: String,
    ) -> Session {
        Session {
            token,
            id,
            nonce,
            grant,
            from,
            key,
            jwt,
            link: watch::channel(SessionLink::NotConfigured).0,
            events: tokio::sync::OnceCell::new(),
            violations: tokio::sync::broadcast::channel(16).0,
            account_links: Mutex::new(HashMap::new()),
        }
    }

    /// The connection acting as a user of `account`: the session's own when it signed in to
    /// that account, else an account link made for it. `Err` says why there is none.
    pub fn connection_for(&self, account: &str) -> Result<AccountConnection, String> {
        let own = self.grant.account == account;
        let linked;
        let session = if own {
            self
        } else {
            linked = self.account_link(account).ok_or_else(|| {
                format!(
                    "your session acts for account {}; to act for {account}, sign a user JWT of it (POST /api/v1/jetstream/{account}/link)",
                    self.grant.account_name
                )
            })?;
            &linked
        };
        Ok(AccountConnection {
            client: session.nats_client()?,
            violations: session.violations.clone(),
        })
    }

    /// The link to `account`, while its JWT has not expired.
    pub fn account_link(&self, account: &str) -> Option<Arc<Session>> {
        let now = crate::time::unix_now();
        let mut links = lock(&self.account_links);
        let link = links.get(account)?.clone();
        if link.is_expired(now) {
            links.remove(account);
            link.close();
            return None;
        }
        Some(link)
    }

    /// Keeps `link` (replacing and closing an older link to the same account).
    pub fn add_account_link(&self, link: Arc<Session>) -> Result<(), SessionError> {
        let mut links = lock(&self.account_links);
        if !links.contains_key(&link.grant.account) && links.len() >= MAX_ACCOUNT_LINKS {
            return Err(SessionError::TooManyLinks);
        }
        if let Some(old) = links.insert(link.grant.account.clone(), link) {
            old.close();
        }
        Ok(())
    }

    /// Ends the link to `account` and closes its connection.
    pub fn remove_account_link(&self, account: &str) -> Option<Arc<Session>> {
        let link = lock(&self.account_links).remove(account)?;
        link.close();
        Some(link)
    }

    /// May this session see `account`'s data? An admin any, a team its own.
    pub fn may_see_account(&self, account: &str) -> bool {
        self.grant.role == nats_auth::session::Role::Admin || self.grant.account == account
    }

    /// The session's event feed, started on its NATS connection when first asked for.
    pub async fn events(&self) -> Result<Arc<crate::monitor::events::EventFeed>, String> {
        let client = self.client().ok_or_else(|| {
            format!(
                "your session has no NATS connection ({})",
                self.link().describe()
            )
        })?;
        self.events
            .get_or_try_init(|| crate::monitor::events::EventFeed::start(client))
            .await
            .cloned()
    }

    /// This person, as the audit log names them.
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor::Session {
            user: self.grant.user.clone(),
            name: self.grant.name.clone(),
            role: self.grant.role.as_str(),
            account: self.grant.account.clone(),
        }
    }

    /// What the journal keeps of this session.
    fn record(&self) -> Option<SessionRecord> {
        Some(SessionRecord {
            id: self.id.clone(),
            nonce: self.nonce.clone()?,
            jwt: self.jwt.clone(),
            from: self.from.clone(),
        })
    }

    fn is_expired(&self, now: i64) -> bool {
        self.grant.expires <= now
    }

    /// Connects to `servers` as this session, in the background, retrying until it ends.
    pub fn connect(self: &Arc<Self>, config: &crate::config::Nats, servers: Vec<String>) {
        if servers.is_empty() {
            return;
        }
        self.link.send_replace(SessionLink::Connecting);
        let mut config = config.clone();
        config.servers = servers;
        let session: Weak<Session> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(this) = session.upgrade() else {
                    return;
                };
                let (jwt, key) = (this.jwt.clone(), this.key.clone());
                let violations = this.violations.clone();
                drop(this);
                let result = crate::nats_link::connect_as(
                    &config,
                    jwt,
                    key,
                    "nats-console session",
                    violations,
                )
                .await;
                let Some(this) = session.upgrade() else {
                    if let Ok(client) = result {
                        let _ = client.drain().await;
                    }
                    return;
                };
                match result {
                    Ok(client) => {
                        this.link.send_replace(SessionLink::Connected(client));
                        return;
                    }
                    Err(e) => {
                        this.link.send_replace(SessionLink::Failed(e));
                    }
                }
                drop(this);
                tokio::time::sleep(config.reconnect_wait.max(Duration::from_secs(1))).await;
            }
        });
    }

    /// Closes the session's NATS connection, and its account links'.
    fn close(&self) {
        let links: Vec<Arc<Session>> = lock(&self.account_links).drain().map(|(_, l)| l).collect();
        links.iter().for_each(|l| l.close());
        if let SessionLink::Connected(client) = self.link.send_replace(SessionLink::NotConfigured) {
            tokio::spawn(async move {
                let _ = client.drain().await;
            });
        }
    }
}

struct Pending {
    key: Arc<KeyPair>,
    made: Instant,
    /// What the key is derived from (with a journal).
    nonce: Option<String>,
}

/// Every pending sign-in key and open session.
pub struct Sessions {
    pending: Mutex<HashMap<String, Pending>>,
    /// By token id (SHA-256 of the cookie token).
    active: Mutex<HashMap<String, Arc<Session>>>,
    journal: Option<SessionJournal>,
    sign_ins: Mutex<RateLimit>,
    refusals_recorded: Mutex<RateLimit>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_journal(None)
    }
}

impl Sessions {
    /// Sessions kept in `journal` too (they survive a restart), or in memory only.
    pub fn with_journal(journal: Option<SessionJournal>) -> Self {
        Sessions {
            pending: Default::default(),
            active: Default::default(),
            journal,
            sign_ins: RateLimit::new(SIGN_IN_BURST, SIGN_IN_PER_SECOND),
            refusals_recorded: RateLimit::new(
                REFUSALS_RECORDED_BURST,
                REFUSALS_RECORDED_PER_SECOND,
            ),
        }
    }

    /// Open sessions without a NATS connection because none was configured when they began
    /// (the console was linked to NATS since).
    pub fn unlinked(&self) -> Vec<Arc<Session>> {
        lock(&self.active)
            .values()
            .filter(|s| matches!(*s.link.borrow(), SessionLink::NotConfigured))
            .cloned()
            .collect()
    }

    /// Brings back the journaled sessions that `grant_of` (the sign-in check, again) accepts;
    /// the journal keeps those only. Returns them, to connect to NATS.
    pub fn restore(
        &self,
        records: Vec<SessionRecord>,
        grant_of: impl Fn(&SessionRecord, &KeyPair) -> Option<SessionGrant>,
    ) -> Vec<Arc<Session>> {
        let Some(journal) = &self.journal else {
            return Vec::new();
        };
        let mut kept = Vec::new();
        let mut restored = Vec::new();
        let mut active = lock(&self.active);
        for record in records.into_iter().take(MAX_SESSIONS) {
            let Some(key) = journal.key_for(&record.nonce) else {
                continue;
            };
            let Some(grant) = grant_of(&record, &key) else {
                continue;
            };
            let session = Arc::new(Session::new(
                String::new(),
                record.id.clone(),
                Some(record.nonce.clone()),
                grant,
                record.from.clone(),
                Arc::new(key),
                record.jwt.clone(),
            ));
            active.insert(session.id.clone(), session.clone());
            restored.push(session);
            kept.push(record);
        }
        if let Err(e) = journal.compact(&kept) {
            tracing::warn!("{e}");
        }
        restored
    }

    /// One request on the anonymous sign-in routes: refused when over the rate.
    pub fn admit(&self) -> Result<(), SessionError> {
        match lock(&self.sign_ins).take() {
            true => Ok(()),
            false => Err(SessionError::RateLimited),
        }
    }

    /// May one more refused sign-in be recorded in the audit log? Bounds what anonymous
    /// requests can write there.
    pub fn admit_refusal_record(&self) -> bool {
        lock(&self.refusals_recorded).take()
    }

    /// A fresh sign-in key; its public key goes to the browser.
    pub fn new_key(&self) -> Result<String, SessionError> {
        let (nonce, key) = match &self.journal {
            Some(journal) => {
                let (nonce, key) = journal.new_key().ok_or(SessionError::TooManyPending)?;
                (Some(nonce), key)
            }
            None => (
                None,
                KeyPair::new(KeyType::User, &mut rand_core::OsRng)
                    .map_err(|_| SessionError::TooManyPending)?,
            ),
        };
        let public = key.public_key();
        let mut pending = lock(&self.pending);
        if pending.len() >= MAX_PENDING {
            pending.retain(|_, p| p.made.elapsed() < PENDING_TTL);
            if pending.len() >= MAX_PENDING {
                return Err(SessionError::TooManyPending);
            }
        }
        pending.insert(
            public.clone(),
            Pending {
                key: Arc::new(key),
                made: Instant::now(),
                nonce,
            },
        );
        Ok(public)
    }

    /// Is `public` a sign-in key waiting for its JWT?
    pub fn is_pending(&self, public: &str) -> bool {
        lock(&self.pending)
            .get(public)
            .is_some_and(|p| p.made.elapsed() < PENDING_TTL)
    }

    /// Opens a session for an accepted JWT; the sign-in key is used up.
    pub fn open(
        &self,
        grant: SessionGrant,
        jwt: &str,
        from: &str,
    ) -> Result<Arc<Session>, SessionError> {
        let mut active = lock(&self.active);
        if active.len() >= MAX_SESSIONS {
            let now = crate::time::unix_now();
            active.retain(|_, s| !s.is_expired(now));
            if active.len() >= MAX_SESSIONS {
                return Err(SessionError::TooManySessions);
            }
        }
        let pending = self.take_pending(&grant.user)?;
        let token = new_token();
        let id = token_id(&token);
        let session = Arc::new(Session::new(
            token,
            id,
            pending.nonce,
            grant,
            from.to_string(),
            pending.key,
            jwt.to_string(),
        ));
        active.insert(session.id.clone(), session.clone());
        if let (Some(journal), Some(record)) = (&self.journal, session.record()) {
            journal.opened(&record);
        }
        Ok(session)
    }

    fn take_pending(&self, user: &str) -> Result<Pending, SessionError> {
        lock(&self.pending)
            .remove(user)
            .filter(|p| p.made.elapsed() < PENDING_TTL)
            .ok_or_else(|| SessionError::UnknownKey(user.to_string()))
    }

    /// A link of a session to another account, for an accepted JWT of that account (the
    /// sign-in key is used up); kept by the session it belongs to, not journaled (after a
    /// restart the browser signs it again).
    pub fn open_account_link(
        &self,
        grant: SessionGrant,
        jwt: &str,
        from: &str,
    ) -> Result<Arc<Session>, SessionError> {
        let pending = self.take_pending(&grant.user)?;
        Ok(Arc::new(Session::new(
            String::new(),
            format!("link:{}", grant.user),
            None,
            grant,
            from.to_string(),
            pending.key,
            jwt.to_string(),
        )))
    }

    /// The session of a cookie token, while its JWT has not expired.
    pub fn get(&self, token: &str) -> Option<Arc<Session>> {
        let now = crate::time::unix_now();
        let id = token_id(token);
        let mut active = lock(&self.active);
        let session = active.get(&id)?.clone();
        if session.is_expired(now) {
            active.remove(&id);
            drop(active);
            self.ended(&session);
            return None;
        }
        Some(session)
    }

    /// Ends the session of a cookie token (sign-out) and closes its NATS connection.
    pub fn end(&self, token: &str) -> Option<Arc<Session>> {
        self.end_id(&token_id(token))
    }

    /// Ends the session named `id` (see [`token_id`]).
    pub fn end_id(&self, id: &str) -> Option<Arc<Session>> {
        let session = lock(&self.active).remove(id)?;
        self.ended(&session);
        Some(session)
    }

    fn ended(&self, session: &Session) {
        session.close();
        if let Some(journal) = &self.journal {
            journal.ended(&session.id);
            // sign-ins and sign-outs grow the journal: rewrite it with the open sessions now and then
            if journal.appended() > COMPACT_AFTER {
                let open: Vec<SessionRecord> = lock(&self.active)
                    .values()
                    .filter_map(|s| s.record())
                    .collect();
                if let Err(e) = journal.compact(&open) {
                    tracing::warn!("{e}");
                }
            }
        }
    }

    /// Drops expired sessions (closing their connections) and stale sign-in keys.
    pub fn sweep(&self) -> Vec<Arc<Session>> {
        let now = crate::time::unix_now();
        lock(&self.pending).retain(|_, p| p.made.elapsed() < PENDING_TTL);
        let mut ended = Vec::new();
        lock(&self.active).retain(|_, s| {
            let keep = !s.is_expired(now);
            if !keep {
                ended.push(s.clone());
            }
            keep
        });
        ended.iter().for_each(|s| self.ended(s));
        let open: Vec<Arc<Session>> = lock(&self.active).values().cloned().collect();
        for session in open {
            lock(&session.account_links).retain(|_, link| {
                let keep = !link.is_expired(now);
                if !keep {
                    link.close();
                }
                keep
            });
        }
        ended
    }

    pub fn count(&self) -> usize {
        lock(&self.active).len()
    }
}

/// 32 random bytes, base64url: the session cookie's value.
fn new_token() -> String {
    use rand_core::RngCore;
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    nats_auth::jwt::segment::encode(&bytes)
}

/// The session token in a request's `Cookie` headers.
pub fn token_of(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// `Set-Cookie` for a session (`Secure` when served over HTTPS); `None` clears it.
pub fn cookie(session: Option<(&Session, i64)>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match session {
        Some((s, now)) => format!(
            "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
            s.token,
            (s.grant.expires - now).max(0)
        ),
        None => format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nats_auth::session::Role;

    fn grant(user: &str, expires: i64) -> SessionGrant {
        SessionGrant {
            role: Role::Team,
            account: "A".into(),
            account_name: "APP".into(),
            user: user.into(),
            name: "alice".into(),
            signer: "A".into(),
            expires,
        }
    }

    #[test]
    fn a_sign_in_key_opens_one_session_only() {
        let sessions = Sessions::default();
        let key = sessions.new_key().unwrap();
        assert!(sessions.is_pending(&key));
        let far = crate::time::unix_now() + 3600;
        let session = sessions
            .open(grant(&key, far), "jwt", "127.0.0.1:1")
            .unwrap();
        assert!(!sessions.is_pending(&key));
        assert!(matches!(
            sessions.open(grant(&key, far), "jwt", "127.0.0.1:1"),
            Err(SessionError::UnknownKey(_))
        ));
        assert!(sessions.get(&session.token).is_some());
        assert!(sessions.end(&session.token).is_some());
        assert!(sessions.get(&session.token).is_none());
    }

    #[test]
    fn the_journal_stays_bounded_through_many_sign_ins() {
        let dir =
            std::env::temp_dir().join(format!("nats-console-sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (journal, _) = SessionJournal::open(&dir).unwrap();
        let sessions = Sessions::with_journal(Some(journal));
        let far = crate::time::unix_now() + 3600;
        let key = sessions.new_key().unwrap();
        let kept = sessions.open(grant(&key, far), "kept", "x").unwrap();
        for _ in 0..3 * COMPACT_AFTER / 2 {
            let key = sessions.new_key().unwrap();
            let s = sessions.open(grant(&key, far), "jwt", "x").unwrap();
            sessions.end(&s.token);
        }
        let lines = std::fs::read_to_string(dir.join(crate::session_journal::FILE_NAME))
            .unwrap()
            .lines()
            .count();
        assert!(lines <= COMPACT_AFTER + 1, "{lines} lines");
        // what is open survives the compactions
        drop(sessions);
        let (_, open) = SessionJournal::open(&dir).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, kept.id);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_expired_session_is_gone() {
        let sessions = Sessions::default();
        let key = sessions.new_key().unwrap();
        let past = crate::time::unix_now() - 1;
        let session = sessions.open(grant(&key, past), "jwt", "x").unwrap();
        assert!(sessions.get(&session.token).is_none());
        assert_eq!(sessions.count(), 0);
    }

    #[test]
    fn pending_keys_and_the_rate_are_bounded() {
        let sessions = Sessions::default();
        for _ in 0..MAX_PENDING {
            sessions.new_key().unwrap();
        }
        assert_eq!(sessions.new_key(), Err(SessionError::TooManyPending));
        let admitted = (0..7000).filter(|_| sessions.admit().is_ok()).count();
        assert!(
            (5000..6000).contains(&admitted),
            "burst of {SIGN_IN_BURST}, then the refill: {admitted}"
        );
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            format!("a=b; {COOKIE}=tok123; c=d").parse().unwrap(),
        );
        assert_eq!(token_of(&headers).as_deref(), Some("tok123"));
        headers.clear();
        assert_eq!(token_of(&headers), None);
    }
}
