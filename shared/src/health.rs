//! The health report of an operator's JWTs (like `nsc expirations`, then further): each check
//! graded critical (nats-server refuses something now), warning (it will, or it is risky) or
//! info, naming the JWT and, where the console can make it, the fix. The trust checks are
//! [`crate::chain`]'s, so the report says what nats-server would.

use std::collections::BTreeMap;

use crate::chain::{self, TrustFailure};
use crate::jwt::{AccountClaims, ExportType, OperatorClaims, UserClaims};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What the console can do in one click to end a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Push the account's JWT to the console's store (or the cluster).
    PushAccount(String),
    /// Re-sign the JWT valid for as long again from now.
    Renew(String),
    /// Give the account a signing key (and re-sign it).
    AddAccountSigningKey(String),
    /// Give the operator a signing key.
    AddOperatorSigningKey,
    /// Turn on strict signing on the operator.
    TurnOnStrictSigning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// A stable name of the check (for tests, filters and links).
    pub check: &'static str,
    pub severity: Severity,
    /// The public key the finding is about.
    pub subject: String,
    /// What is wrong, in a sentence naming the JWT.
    pub message: String,
    pub fix: Option<Fix>,
}

/// What the report looks at. `stored` has an entry per account this console's store was
/// asked about: the stored JWT, or `None` when it does not hold it; `cluster_differs` lists
/// accounts the cluster's resolver holds another version of.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    pub operator: Option<&'a OperatorClaims>,
    /// (claims, JWT) of each account.
    pub accounts: Vec<(&'a AccountClaims, &'a str)>,
    pub users: Vec<&'a UserClaims>,
    pub stored: BTreeMap<String, Option<String>>,
    pub cluster_differs: Vec<String>,
    pub now: i64,
    /// "Expiring soon" means within this many seconds.
    pub horizon: i64,
}

/// Every check, in this order; the report is sorted by severity.
pub const CHECKS: [&str; 20] = [
    "expired",
    "expiring",
    "not-yet-valid",
    "account-not-trusted",
    "user-not-trusted",
    "user-revoked",
    "operator-identity-signs-accounts",
    "operator-without-signing-key",
    "strict-signing-off",
    "system-account-missing",
    "system-account-jetstream",
    "account-without-limits",
    "account-without-signing-key",
    "account-identity-signs-users",
    "bearer-user",
    "user-without-permissions",
    "service-export-without-threshold",
    "import-from-unknown-account",
    "account-not-stored",
    "account-differs",
];

fn name_or_key(name: &str, key: &str) -> String {
    if name.is_empty() {
        key.chars().take(12).collect()
    } else {
        name.to_string()
    }
}

/// The findings gathered so far.
struct Findings(Vec<Finding>);

impl Findings {
    fn add(
        &mut self,
        check: &'static str,
        severity: Severity,
        subject: &str,
        message: String,
        fix: Option<Fix>,
    ) {
        self.0.push(Finding {
            check,
            severity,
            subject: subject.to_string(),
            message,
            fix,
        });
    }

    /// `expired`, `expiring` and `not-yet-valid` for one JWT (`renew`: the console can).
    fn validity(&mut self, inputs: &Inputs<'_>, jwt: Dated<'_>, renew: bool) {
        let now = inputs.now;
        let Dated {
            kind,
            name,
            key,
            iat,
            exp,
            nbf,
        } = jwt;
        let fix = renew.then(|| Fix::Renew(key.to_string()));
        if exp > 0 && exp <= now {
            let days = (now - exp) / 86_400;
            let message = format!("{kind} {name} expired {days} day(s) ago");
            self.add("expired", Severity::Critical, key, message, fix);
        } else if exp > 0 && exp - now <= inputs.horizon {
            let days = (exp - now) / 86_400;
            let message = format!("{kind} {name} expires in {days} day(s)");
            self.add("expiring", Severity::Warning, key, message, fix);
        }
        if nbf > now {
            let message = format!("{kind} {name} is not valid before {nbf} (issued {iat})");
            self.add("not-yet-valid", Severity::Info, key, message, None);
        }
    }
}

/// What the validity checks read of a JWT.
struct Dated<'a> {
    kind: &'static str,
    name: &'a str,
    key: &'a str,
    iat: i64,
    exp: i64,
    nbf: i64,
}

/// Runs every check over `inputs`; critical findings first.
pub fn report(inputs: &Inputs<'_>) -> Vec<Finding> {
    let mut found = Findings(Vec::new());
    let accounts: BTreeMap<&str, &AccountClaims> = inputs
        .accounts
        .iter()
        .map(|(a, _)| (a.subject.as_str(), *a))
        .collect();
    if let Some(op) = inputs.operator {
        let (name, key) = (op.name.as_str(), op.subject.as_str());
        let (iat, exp, nbf) = (op.issued_at, op.expires, op.not_before);
        let kind = "operator";
        found.validity(
            inputs,
            Dated {
                kind,
                name,
                key,
                iat,
                exp,
                nbf,
            },
            false,
        );
        operator_checks(op, inputs, &accounts, &mut found);
    }
    for (a, jwt) in &inputs.accounts {
        let name = name_or_key(&a.name, &a.subject);
        let (iat, exp, nbf) = (a.issued_at, a.expires, a.not_before);
        let dated = Dated {
            kind: "account",
            name: &name,
            key: &a.subject,
            iat,
            exp,
            nbf,
        };
        found.validity(inputs, dated, true);
        account_checks(a, jwt, &name, inputs, &accounts, &mut found);
    }
    user_checks(inputs, &accounts, &mut found);
    found.0.sort_by_key(|f| f.severity);
    found.0
}

fn operator_checks(
    op: &OperatorClaims,
    inputs: &Inputs<'_>,
    accounts: &BTreeMap<&str, &AccountClaims>,
    found: &mut Findings,
) {
    let (sys, name, key) = (&op.nats.system_account, &op.name, op.subject.as_str());
    if op.nats.signing_keys.is_empty() {
        let message = format!(
            "operator {name} has no signing key: its identity key must stay online to sign accounts"
        );
        let fix = Some(Fix::AddOperatorSigningKey);
        found.add(
            "operator-without-signing-key",
            Severity::Warning,
            key,
            message,
            fix,
        );
    } else if !op.nats.strict_signing_key_usage {
        let message = format!(
            "operator {name} does not demand signing keys (strict signing): a leaked identity key signs accounts nats-server takes"
        );
        let fix = Some(Fix::TurnOnStrictSigning);
        found.add("strict-signing-off", Severity::Info, key, message, fix);
    }
    if sys.is_empty() {
        let message = format!(
            "operator {name} names no system account: servers cannot be monitored or told of account changes"
        );
        found.add(
            "system-account-missing",
            Severity::Critical,
            key,
            message,
            None,
        );
    } else if !accounts.contains_key(sys.as_str()) {
        let message =
            format!("the system account {sys} of operator {name} is not among these accounts");
        found.add(
            "system-account-missing",
            Severity::Warning,
            sys,
            message,
            None,
        );
    }
    for (a, _) in &inputs.accounts {
        let account = name_or_key(&a.name, &a.subject);
        match chain::check_account(a, op) {
            Err(e) => {
                let message = format!("account {account}: nats-server refuses it: {e}");
                found.add(
                    "account-not-trusted",
                    Severity::Critical,
                    &a.subject,
                    message,
                    None,
                );
            }
            Ok(()) if a.issuer == op.subject => {
                let message = format!(
                    "account {account} is signed by the operator's identity key: re-sign it with a signing key"
                );
                let fix = op
                    .nats
                    .signing_keys
                    .is_empty()
                    .then_some(Fix::AddOperatorSigningKey);
                let check = "operator-identity-signs-accounts";
                found.add(check, Severity::Warning, &a.subject, message, fix);
            }
            Ok(()) => {}
        }
        if a.subject == *sys && a.nats.limits.is_jetstream_enabled() {
            let message = format!(
                "the system account {account} has JetStream enabled: nats-server refuses JetStream in it"
            );
            found.add(
                "system-account-jetstream",
                Severity::Warning,
                &a.subject,
                message,
                None,
            );
        }
    }
}

fn account_checks(
    a: &AccountClaims,
    jwt: &str,
    name: &str,
    inputs: &Inputs<'_>,
    accounts: &BTreeMap<&str, &AccountClaims>,
    found: &mut Findings,
) {
    let key = a.subject.as_str();
    let l = &a.nats.limits;
    let is_sys = inputs
        .operator
        .is_some_and(|o| o.nats.system_account == key);
    if !is_sys && l.conn < 0 && l.subs < 0 && l.data < 0 && l.payload < 0 {
        let message = format!(
            "account {name} has no limits: one client may take every connection, subscription and byte"
        );
        found.add(
            "account-without-limits",
            Severity::Warning,
            key,
            message,
            None,
        );
    }
    if a.nats.signing_keys.is_empty() {
        let message =
            format!("account {name} has no signing key: its identity key signs every user");
        let fix = Some(Fix::AddAccountSigningKey(key.to_string()));
        found.add(
            "account-without-signing-key",
            Severity::Info,
            key,
            message,
            fix,
        );
    }
    for e in &a.nats.exports {
        if e.export_type == ExportType::Service && e.response_threshold == 0 {
            let message = format!(
                "account {name}: service export {} has no response threshold: slow responders are waited on for the default 2 s",
                e.subject
            );
            found.add(
                "service-export-without-threshold",
                Severity::Info,
                key,
                message,
                None,
            );
        }
    }
    for i in &a.nats.imports {
        if !accounts.contains_key(i.account.as_str()) {
            let message = format!(
                "account {name} imports {} from {}, an account not among these",
                i.subject, i.account
            );
            found.add(
                "import-from-unknown-account",
                Severity::Warning,
                key,
                message,
                None,
            );
        }
    }
    let push = || Some(Fix::PushAccount(key.to_string()));
    match inputs.stored.get(key) {
        Some(None) => {
            let message =
                format!("account {name} is not in this console's store: servers cannot resolve it");
            found.add(
                "account-not-stored",
                Severity::Warning,
                key,
                message,
                push(),
            );
        }
        Some(Some(stored)) if stored != jwt => {
            let message =
                format!("account {name} differs from the version in this console's store");
            found.add("account-differs", Severity::Warning, key, message, push());
        }
        _ => {}
    }
    if inputs.cluster_differs.iter().any(|k| k == key) {
        let message = format!("account {name} differs from what the cluster's resolver holds");
        found.add("account-differs", Severity::Warning, key, message, push());
    }
}

fn user_checks(
    inputs: &Inputs<'_>,
    accounts: &BTreeMap<&str, &AccountClaims>,
    found: &mut Findings,
) {
    let mut identity_signed: BTreeMap<&str, usize> = BTreeMap::new();
    for u in &inputs.users {
        let (name, key) = (name_or_key(&u.name, &u.subject), u.subject.as_str());
        let (iat, exp, nbf) = (u.issued_at, u.expires, u.not_before);
        found.validity(
            inputs,
            Dated {
                kind: "user",
                name: &name,
                key,
                iat,
                exp,
                nbf,
            },
            true,
        );
        let account_key = if u.nats.issuer_account.is_empty() {
            &u.issuer
        } else {
            &u.nats.issuer_account
        };
        let Some(account) = accounts.get(account_key.as_str()) else {
            continue;
        };
        match chain::check_user(u, account, inputs.operator) {
            Err(TrustFailure::Revoked { .. }) => {
                let by = name_or_key(&account.name, &account.subject);
                let message = format!("user {name} is revoked by account {by}");
                found.add("user-revoked", Severity::Info, key, message, None);
            }
            Err(e) => {
                let message = format!("user {name}: nats-server refuses it: {e}");
                found.add("user-not-trusted", Severity::Critical, key, message, None);
            }
            Ok(()) => {}
        }
        if u.issuer == account.subject {
            *identity_signed.entry(account.subject.as_str()).or_default() += 1;
        }
        if u.nats.limits.bearer_token {
            let message = format!(
                "user {name} is a bearer token: whoever holds the JWT connects, no seed needed"
            );
            found.add("bearer-user", Severity::Warning, key, message, None);
        }
        let scoped = account.nats.signing_keys.scope(&u.issuer).is_some();
        if !scoped && u.nats.limits.permissions.is_empty() {
            let message = format!(
                "user {name} has no permissions: it may publish and subscribe to anything in its account"
            );
            found.add(
                "user-without-permissions",
                Severity::Info,
                key,
                message,
                None,
            );
        }
    }
    for (account, count) in identity_signed {
        let a = accounts[account];
        let message = format!(
            "account {}: {count} user(s) signed by its identity key, which must then stay online",
            name_or_key(&a.name, &a.subject)
        );
        let fix = a
            .nats
            .signing_keys
            .is_empty()
            .then(|| Fix::AddAccountSigningKey(account.to_string()));
        found.add(
            "account-identity-signs-users",
            Severity::Info,
            account,
            message,
            fix,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::{Export, Import};
    use crate::nkeys::{KeyPair, KeyType};

    fn key(kind: KeyType, n: u8) -> KeyPair {
        KeyPair::from_raw_seed(kind, &[n; 32]).unwrap()
    }

    const NOW: i64 = 1_800_000_000;
    const DAY: i64 = 86_400;

    /// Every check fires once on a deliberately unhealthy environment, and none on a healthy one.
    #[test]
    fn every_check_finds_what_it_names() {
        let (op_key, op_sk) = (key(KeyType::Operator, 1), key(KeyType::Operator, 2));
        let mut op = OperatorClaims::new(op_key.public_key());
        op.name = "ACME".into();
        op.expires = NOW + 5 * DAY; // expiring
        let sys_key = key(KeyType::Account, 3);
        op.nats.system_account = sys_key.public_key();
        op.encode(&op_key, NOW - DAY).unwrap();

        let mut sys = AccountClaims::new(sys_key.public_key());
        sys.name = "SYS".into();
        sys.nats.limits.jetstream.disk_storage = -1; // system-account-jetstream
        sys.encode(&op_key, NOW - DAY).unwrap(); // operator-identity-signs-accounts

        let app_key = key(KeyType::Account, 4);
        let mut app = AccountClaims::new(app_key.public_key());
        app.name = "APP".into();
        app.expires = NOW - 2 * DAY; // expired
        app.nats.exports.push(Export {
            subject: "svc.>".into(),
            export_type: ExportType::Service,
            ..Default::default()
        }); // service-export-without-threshold
        app.nats.imports.push(Import {
            subject: "x".into(),
            account: key(KeyType::Account, 9).public_key(),
            ..Default::default()
        }); // import-from-unknown-account
        app.nats
            .revocations
            .insert(key(KeyType::User, 7).public_key(), NOW);
        app.encode(&op_key, NOW - 10 * DAY).unwrap();

        let rogue_key = key(KeyType::Account, 5);
        let mut rogue = AccountClaims::new(rogue_key.public_key());
        rogue.name = "ROGUE".into();
        rogue.not_before = NOW + DAY; // not-yet-valid
        rogue.encode(&key(KeyType::Operator, 6), NOW - DAY).unwrap(); // account-not-trusted

        let user = |n: u8, name: &str, by: &KeyPair, bearer: bool| {
            let mut u = UserClaims::new(key(KeyType::User, n).public_key());
            u.name = name.into();
            u.nats.limits.bearer_token = bearer;
            u.encode(by, NOW - DAY).unwrap();
            u
        };
        let alice = user(7, "alice", &app_key, false); // user-revoked
        let bob = user(8, "bob", &key(KeyType::Account, 10), true); // bearer; not trusted (unknown account): skipped
        let carol = user(11, "carol", &app_key, true); // bearer-user
        let mut dave = UserClaims::new(key(KeyType::User, 12).public_key());
        dave.name = "dave".into();
        dave.nats.issuer_account = app_key.public_key();
        dave.encode(&key(KeyType::Account, 13), NOW - DAY).unwrap(); // user-not-trusted

        let (sys_jwt, app_jwt, rogue_jwt) = ("sys", "app", "rogue");
        let inputs = Inputs {
            operator: Some(&op),
            accounts: vec![(&sys, sys_jwt), (&app, app_jwt), (&rogue, rogue_jwt)],
            users: vec![&alice, &bob, &carol, &dave],
            stored: [
                (sys.subject.clone(), Some("sys".to_string())),
                (app.subject.clone(), Some("older".to_string())), // account-differs
                (rogue.subject.clone(), None),                    // account-not-stored
            ]
            .into_iter()
            .collect(),
            cluster_differs: vec![],
            now: NOW,
            horizon: 30 * DAY,
        };
        let found = report(&inputs);
        let fired: std::collections::BTreeSet<&str> = found.iter().map(|f| f.check).collect();
        let missing: Vec<&&str> = CHECKS
            .iter()
            .filter(|c| {
                !fired.contains(**c)
                    && !["strict-signing-off", "system-account-missing"].contains(c)
            })
            .collect();
        assert!(
            missing.is_empty(),
            "checks that did not fire: {missing:?}\n{found:#?}"
        );
        // critical first
        assert_eq!(found[0].severity, Severity::Critical);
        let of = |check: &str, subject: &str| {
            found
                .iter()
                .find(|f| f.check == check && f.subject == subject)
                .unwrap_or_else(|| panic!("{check} {subject}: {found:#?}"))
        };
        assert_eq!(
            of("expired", &app.subject).fix,
            Some(Fix::Renew(app.subject.clone()))
        );
        assert!(of("expired", &app.subject)
            .message
            .contains("APP expired 2 day(s) ago"));
        assert_eq!(
            of("account-not-stored", &rogue.subject).fix,
            Some(Fix::PushAccount(rogue.subject.clone()))
        );
        assert_eq!(
            of("operator-without-signing-key", &op.subject).fix,
            Some(Fix::AddOperatorSigningKey)
        );
        assert_eq!(
            of("user-not-trusted", &dave.subject).severity,
            Severity::Critical
        );
        assert_eq!(
            of("account-identity-signs-users", &app.subject).fix,
            Some(Fix::AddAccountSigningKey(app.subject.clone()))
        );

        // with a signing key the operator is asked for strict signing instead
        let mut keyed = op.clone();
        keyed.nats.signing_keys.push(op_sk.public_key());
        let inputs = Inputs {
            operator: Some(&keyed),
            ..inputs
        };
        let again = report(&inputs);
        assert!(again
            .iter()
            .any(|f| f.check == "strict-signing-off" && f.fix == Some(Fix::TurnOnStrictSigning)));
        let inputs = Inputs {
            accounts: vec![(&app, app_jwt)],
            ..inputs
        };
        assert!(report(&inputs)
            .iter()
            .any(|f| f.check == "system-account-missing"));
    }

    #[test]
    fn a_healthy_environment_has_nothing_to_say() {
        let (op_key, op_sk) = (key(KeyType::Operator, 1), key(KeyType::Operator, 2));
        let (sys_key, sys_sk) = (key(KeyType::Account, 3), key(KeyType::Account, 4));
        let mut op = OperatorClaims::new(op_key.public_key());
        op.name = "ACME".into();
        op.nats.signing_keys.push(op_sk.public_key());
        op.nats.strict_signing_key_usage = true;
        op.nats.system_account = sys_key.public_key();
        op.encode(&op_key, NOW).unwrap();
        let mut sys = AccountClaims::new(sys_key.public_key());
        sys.name = "SYS".into();
        sys.nats.signing_keys.add(sys_sk.public_key());
        sys.encode(&op_sk, NOW).unwrap();
        let mut u = UserClaims::new(key(KeyType::User, 5).public_key());
        u.name = "sys".into();
        u.nats.issuer_account = sys_key.public_key();
        u.nats
            .limits
            .permissions
            .publish
            .allow
            .push("$SYS.>".into());
        u.encode(&sys_sk, NOW).unwrap();
        let inputs = Inputs {
            operator: Some(&op),
            accounts: vec![(&sys, "jwt")],
            users: vec![&u],
            stored: [(sys.subject.clone(), Some("jwt".to_string()))]
                .into_iter()
                .collect(),
            now: NOW,
            horizon: 30 * DAY,
            ..Default::default()
        };
        assert_eq!(report(&inputs), vec![]);
    }
}
