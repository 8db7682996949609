//! Sign-in by signature: who may sign in to the console, and as what. The browser signs a
//! short-lived user JWT for a key the console made for this sign-in; the console accepts it only
//! where nats-server would accept the same JWT on a connection, and gives it a role:
//! **admin** for a user of the operator's system account, **team** for any other account.
//!
//! One rule for the server (which decides) and the browser (which checks before sending).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chain::{self, TrustFailure};
use crate::jwt::{self, AccountClaims, AnyClaims, OperatorClaims, UserClaims};

/// A session JWT must expire within this many seconds of the sign-in.
pub const MAX_SESSION_SECONDS: i64 = 12 * 60 * 60;

/// What a signed-in person may do in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A user of the operator's system account: everything.
    Admin,
    /// A user of any other account: that account alone.
    Team,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Team => "team",
        }
    }
}

/// An accepted sign-in: what the console tells the browser (`GET /api/v1/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionGrant {
    pub role: Role,
    pub account: String,
    pub account_name: String,
    /// The session key (the JWT's `sub`).
    pub user: String,
    /// Who signed in: the JWT's `name`.
    pub name: String,
    /// The key that signed the JWT: the account or one of its signing keys.
    pub signer: String,
    /// Unix seconds: the JWT's `exp`, when the session ends.
    pub expires: i64,
}

/// Why a sign-in is refused; every case says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Not a JWT, or its signature does not verify.
    BadJwt(String),
    NotAUser(&'static str),
    /// The JWT is about another key than the one the console made for this sign-in.
    WrongSubject {
        expected: String,
        subject: String,
    },
    NoExpiry,
    TooLong {
        expires: i64,
        latest: i64,
    },
    Bearer,
    /// A blocking validation issue (expired, not yet valid, bad permissions, …).
    Invalid(String),
    UnknownAccount(String),
    /// The account JWT stored here is not trusted by the operator, or not valid now.
    AccountNotTrusted {
        account: String,
        reason: String,
    },
    Untrusted(TrustFailure),
}

impl fmt::Display for SignInRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SignInRefusal::*;
        match self {
            BadJwt(e) => write!(f, "bad JWT: {e}"),
            NotAUser(kind) => write!(f, "not a user JWT: a {kind} JWT was sent"),
            WrongSubject { expected, subject } => write!(
                f,
                "the JWT is about {subject}, not the sign-in key {expected} this console made"
            ),
            NoExpiry => f.write_str("the JWT must expire (exp), at most 12 hours ahead"),
            TooLong { expires, latest } => write!(
                f,
                "the JWT expires at {expires}, more than 12 hours ahead (latest {latest})"
            ),
            Bearer => f.write_str("a bearer JWT cannot sign in: the console proves the key"),
            Invalid(reason) => write!(f, "invalid JWT: {reason}"),
            UnknownAccount(account) => write!(f, "account {account} is not stored here"),
            AccountNotTrusted { account, reason } => {
                write!(f, "account {account} is not trusted: {reason}")
            }
            Untrusted(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for SignInRefusal {}

/// What a session's NATS connection must be allowed for the console's team pages: replies to its
/// requests (checked with a sample inbox, shown as `_INBOX.>`), and the account views every
/// account imports from the system account. (direction, subject checked, subject shown)
pub const CONSOLE_NEEDS: [(&str, &str, &str); 3] = [
    ("subscribe", "_INBOX.console", "_INBOX.>"),
    (
        "publish",
        "$SYS.REQ.ACCOUNT.PING.CONNZ",
        "$SYS.REQ.ACCOUNT.PING.CONNZ",
    ),
    (
        "publish",
        "$SYS.REQ.ACCOUNT.PING.STATZ",
        "$SYS.REQ.ACCOUNT.PING.STATZ",
    ),
];

/// What a role's permissions (a scope's template) would deny that a session signed in with it
/// needs, as "publish $SYS.REQ.ACCOUNT.PING.CONNZ"-style lines; empty when nothing.
pub fn console_needs_denied(permissions: &crate::jwt::types::Permissions) -> Vec<String> {
    CONSOLE_NEEDS
        .iter()
        .filter(|(direction, subject, _)| {
            let list = if *direction == "publish" {
                &permissions.publish
            } else {
                &permissions.subscribe
            };
            !list.permits(subject)
        })
        .map(|(direction, _, shown)| format!("{direction} {shown}"))
        .collect()
}

/// The account a user JWT belongs to: `issuer_account` when a signing key issued it.
pub fn account_of(user: &UserClaims) -> &str {
    if user.nats.issuer_account.is_empty() {
        &user.issuer
    } else {
        &user.nats.issuer_account
    }
}

/// Checks a sign-in JWT at `now` (Unix seconds): a user JWT about `session_key`, expiring at most
/// [`MAX_SESSION_SECONDS`] ahead, not bearer, valid, and trusted as nats-server trusts a user:
/// its account (looked up with `stored_account`) is issued by `operator`, and the user by that
/// account or one of its signing keys, in scope and not revoked.
pub fn check_sign_in(
    token: &str,
    session_key: &str,
    operator: &OperatorClaims,
    stored_account: impl FnOnce(&str) -> Option<AccountClaims>,
    now: i64,
) -> Result<SessionGrant, SignInRefusal> {
    let user = match jwt::decode(token.trim()) {
        Ok(AnyClaims::User(user)) => user,
        Ok(other) => return Err(SignInRefusal::NotAUser(other.claim_type().as_str())),
        Err(e) => return Err(SignInRefusal::BadJwt(e.to_string())),
    };
    if user.subject != session_key {
        return Err(SignInRefusal::WrongSubject {
            expected: session_key.to_string(),
            subject: user.subject.clone(),
        });
    }
    if user.expires == 0 {
        return Err(SignInRefusal::NoExpiry);
    }
    let latest = now + MAX_SESSION_SECONDS;
    if user.expires > latest {
        return Err(SignInRefusal::TooLong {
            expires: user.expires,
            latest,
        });
    }
    if user.nats.limits.bearer_token {
        return Err(SignInRefusal::Bearer);
    }
    let issues = user.validate(now);
    if issues.is_blocking(true) {
        return Err(SignInRefusal::Invalid(issues.blocking_summary()));
    }
    let account_key = account_of(&user).to_string();
    let account = stored_account(&account_key)
        .ok_or_else(|| SignInRefusal::UnknownAccount(account_key.clone()))?;
    let not_trusted = |reason: String| SignInRefusal::AccountNotTrusted {
        account: account_key.clone(),
        reason,
    };
    chain::check_account(&account, operator).map_err(|f| not_trusted(f.to_string()))?;
    let account_issues = account.validate(now);
    if account_issues.is_blocking(true) {
        return Err(not_trusted(account_issues.blocking_summary()));
    }
    chain::check_user(&user, &account, Some(operator)).map_err(SignInRefusal::Untrusted)?;
    let role = if account.subject == operator.nats.system_account {
        Role::Admin
    } else {
        Role::Team
    };
    Ok(SessionGrant {
        role,
        account: account.subject.clone(),
        account_name: account.name.clone(),
        user: user.subject.clone(),
        name: user.name.clone(),
        signer: user.issuer.clone(),
        expires: user.expires,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::jwt::UserClaims;
    use crate::nkeys::{KeyPair, KeyType};

    const NOW: i64 = 1_800_000_000;

    struct World {
        operator: OperatorClaims,
        system: AccountClaims,
        team: AccountClaims,
        team_key: KeyPair,
        team_signer: KeyPair,
        system_key: KeyPair,
        session: KeyPair,
    }

    fn key(kind: KeyType, n: u8) -> KeyPair {
        KeyPair::from_raw_seed(kind, &[n; 32]).unwrap()
    }

    fn world() -> World {
        let op_key = key(KeyType::Operator, 1);
        let system_key = key(KeyType::Account, 2);
        let team_key = key(KeyType::Account, 3);
        let team_signer = key(KeyType::Account, 4);
        let mut operator = OperatorClaims::new(op_key.public_key());
        operator.nats.system_account = system_key.public_key();
        operator.encode(&op_key, NOW - 100).unwrap();
        let mut system = AccountClaims::new(system_key.public_key());
        system.name = "SYS".into();
        system.encode(&op_key, NOW - 100).unwrap();
        let mut team = AccountClaims::new(team_key.public_key());
        team.name = "APP".into();
        team.nats.signing_keys.add(team_signer.public_key());
        team.encode(&op_key, NOW - 100).unwrap();
        World {
            operator,
            system,
            team,
            team_key,
            team_signer,
            system_key,
            session: key(KeyType::User, 9),
        }
    }

    fn session_jwt(
        w: &World,
        by: &KeyPair,
        account: &str,
        edit: impl FnOnce(&mut UserClaims),
    ) -> String {
        let mut user = UserClaims::new(w.session.public_key());
        user.name = "alice".into();
        user.expires = NOW + 3600;
        if by.public_key() != account {
            user.nats.issuer_account = account.to_string();
        }
        edit(&mut user);
        user.encode(by, NOW).unwrap()
    }

    fn sign_in(w: &World, token: &str) -> Result<SessionGrant, SignInRefusal> {
        check_sign_in(
            token,
            &w.session.public_key(),
            &w.operator,
            |key| {
                [&w.system, &w.team]
                    .into_iter()
                    .find(|a| a.subject == key)
                    .cloned()
            },
            NOW,
        )
    }

    #[test]
    fn a_system_account_user_is_admin_and_any_other_account_a_team() {
        let w = world();
        let admin = sign_in(
            &w,
            &session_jwt(&w, &w.system_key, &w.system.subject, |_| {}),
        )
        .unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert_eq!(admin.account_name, "SYS");
        assert_eq!(admin.name, "alice");
        let team = sign_in(
            &w,
            &session_jwt(&w, &w.team_signer, &w.team.subject, |_| {}),
        )
        .unwrap();
        assert_eq!(team.role, Role::Team);
        assert_eq!(team.account, w.team.subject);
        assert_eq!(team.signer, w.team_signer.public_key());
        assert_eq!(team.expires, NOW + 3600);
    }

    #[test]
    fn every_refusal_names_its_reason() {
        let w = world();
        let team = w.team.subject.clone();
        let refused = |token: String| sign_in(&w, &token).unwrap_err();
        assert!(matches!(
            refused(session_jwt(&w, &w.team_key, &team, |u| u.expires = 0)),
            SignInRefusal::NoExpiry
        ));
        assert!(matches!(
            refused(session_jwt(&w, &w.team_key, &team, |u| u.expires =
                NOW + MAX_SESSION_SECONDS + 1)),
            SignInRefusal::TooLong { .. }
        ));
        assert!(matches!(
            refused(session_jwt(&w, &w.team_key, &team, |u| u.expires = NOW - 1)),
            SignInRefusal::Invalid(_)
        ));
        assert!(matches!(
            refused(session_jwt(&w, &w.team_key, &team, |u| u
                .nats
                .limits
                .bearer_token =
                true)),
            SignInRefusal::Bearer
        ));
        assert!(matches!(
            refused(session_jwt(&w, &w.team_key, &team, |u| u.subject =
                key(KeyType::User, 8).public_key())),
            SignInRefusal::WrongSubject { .. }
        ));
        // a signing key without issuer_account
        assert!(matches!(
            refused(session_jwt(&w, &w.team_signer, &team, |u| u
                .nats
                .issuer_account
                .clear())),
            SignInRefusal::UnknownAccount(_)
        ));
        let stranger = key(KeyType::Account, 7);
        assert!(matches!(
            refused(session_jwt(&w, &stranger, &team, |_| {})),
            SignInRefusal::Untrusted(TrustFailure::UserNotSignedByAccount { .. })
        ));
        let mut op = OperatorClaims::new(key(KeyType::Operator, 1).public_key());
        op.encode(&key(KeyType::Operator, 1), NOW).unwrap();
        let account = AccountClaims::new(stranger.public_key());
        let token = session_jwt(&w, &stranger, &stranger.public_key(), |_| {});
        let refusal = check_sign_in(
            &token,
            &w.session.public_key(),
            &w.operator,
            |_| Some(account),
            NOW,
        )
        .unwrap_err();
        assert!(
            matches!(refusal, SignInRefusal::AccountNotTrusted { .. }),
            "{refusal}"
        );
        assert!(matches!(
            refused(w.operator_jwt()),
            SignInRefusal::NotAUser("operator")
        ));
    }

    #[test]
    fn a_revoked_session_key_cannot_sign_in() {
        let mut w = world();
        w.team.revoke_at(&w.session.public_key(), NOW);
        w.team.encode(&key(KeyType::Operator, 1), NOW).unwrap();
        let refusal = sign_in(
            &w,
            &session_jwt(&w, &w.team_key, &w.team.subject.clone(), |_| {}),
        )
        .unwrap_err();
        assert!(matches!(
            refusal,
            SignInRefusal::Untrusted(TrustFailure::Revoked { .. })
        ));
    }

    #[test]
    fn a_role_that_denies_the_console_views_is_named() {
        use crate::jwt::types::{Permission, Permissions};
        let role = |publish: &[&str], subscribe: &[&str]| Permissions {
            publish: Permission {
                allow: publish.iter().map(|s| s.to_string()).collect(),
                deny: Vec::new(),
            },
            subscribe: Permission {
                allow: subscribe.iter().map(|s| s.to_string()).collect(),
                deny: Vec::new(),
            },
            response: None,
        };
        assert!(console_needs_denied(&role(&[], &[])).is_empty());
        assert!(console_needs_denied(&role(
            &["orders.>", "$SYS.REQ.ACCOUNT.PING.*"],
            &["_INBOX.>"]
        ))
        .is_empty());
        assert_eq!(
            console_needs_denied(&role(&["orders.>"], &["orders.>"])),
            vec![
                "subscribe _INBOX.>",
                "publish $SYS.REQ.ACCOUNT.PING.CONNZ",
                "publish $SYS.REQ.ACCOUNT.PING.STATZ"
            ]
        );
    }

    impl World {
        fn operator_jwt(&self) -> String {
            let mut op = self.operator.clone();
            op.encode(&key(KeyType::Operator, 1), NOW).unwrap()
        }
    }
}
