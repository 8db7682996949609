//! Issuing, as `nsc` does it, on the vault's contents: operator (with a system account and its
//! `sys` user), accounts, users, creds, revocations. All signing and every rule is `nats-auth`
//! in WASM; the seeds never leave the vault. Forms are parsed here, with errors naming the input.

mod account;
mod authorization;
mod health;
mod nsc;
mod operator;
mod session;
mod sharing;
mod team;
mod user;

pub use account::{account_deletion_request, forget_account, save_account, AccountForm};
pub use authorization::{set_authorization, AuthorizationForm};
pub use health::{apply_fix, health_report};
pub use nsc::{import_nsc, nats_context, nsc_zip, NscImported};
pub use operator::{create_operator, import_operator, update_operator, OperatorForm};
pub use session::{session_jwt, sign_in_choices, SignInChoice};
pub use sharing::{
    activation_token, add_export, add_import, issued_activations, parse_destinations,
    parse_duration, remove_export, remove_import, remove_mapping, revoke_activation, set_mapping,
    ExportForm, ImportForm,
};
pub use team::{
    add_role, approve_member, member_key, remove_role, revoke_key, team_user, update_role, RoleForm,
};
pub use user::{revoke_user, save_user, user_creds, UserForm};

use nats_auth::jwt::{AccountClaims, AnyClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use nats_auth::validation::ValidationResults;

use crate::forms::FormError;
use crate::vault::{Entity, VaultData, VaultKey};

/// A key the vault can sign with, for a "sign with" choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    pub key: String,
    pub label: String,
}

fn new_key(
    data: &mut VaultData,
    kind: KeyType,
    role: &str,
    name: &str,
    signs_for: Option<String>,
) -> Result<KeyPair, String> {
    let pair = KeyPair::new(kind, &mut nats_auth::OsRng).map_err(|e| e.to_string())?;
    data.keys.push(VaultKey {
        role: role.into(),
        name: name.into(),
        public_key: pair.public_key(),
        seed: pair.seed().map_err(|e| e.to_string())?,
        signs_for,
    });
    Ok(pair)
}

fn pair_of(data: &VaultData, public_key: &str) -> Result<KeyPair, String> {
    let seed = data.seed_of(public_key).ok_or_else(|| {
        format!("the vault has no seed for {public_key}: import it on the Keys page")
    })?;
    KeyPair::from_seed(seed).map_err(|e| e.to_string())
}

/// The operator's claims as stored in the vault.
pub fn operator(data: &VaultData) -> Option<OperatorClaims> {
    match nats_auth::jwt::decode(data.operator_jwt.as_deref()?).ok()? {
        AnyClaims::Operator(o) => Some(o),
        _ => None,
    }
}

pub fn account(data: &VaultData, key: &str) -> Option<AccountClaims> {
    let entity = data.accounts.iter().find(|a| a.key == key)?;
    match nats_auth::jwt::decode(&entity.jwt).ok()? {
        AnyClaims::Account(a) => Some(a),
        _ => None,
    }
}

pub fn user(data: &VaultData, key: &str) -> Option<UserClaims> {
    let entity = data.users.iter().find(|u| u.key == key)?;
    match nats_auth::jwt::decode(&entity.jwt).ok()? {
        AnyClaims::User(u) => Some(u),
        _ => None,
    }
}

/// Keys that can sign accounts, held by the vault: the operator's signing keys first (what
/// `nsc` prefers), then its identity unless the operator demands signing keys.
pub fn operator_signers(data: &VaultData) -> Vec<Signer> {
    let Some(op) = operator(data) else {
        return Vec::new();
    };
    let mut signers: Vec<Signer> = op
        .nats
        .signing_keys
        .iter()
        .filter(|k| data.seed_of(k).is_some())
        .map(|k| Signer {
            key: k.clone(),
            label: format!("operator signing key {}", short(k)),
        })
        .collect();
    if !op.nats.strict_signing_key_usage && data.seed_of(&op.subject).is_some() {
        signers.push(Signer {
            key: op.subject.clone(),
            label: format!("operator identity {}", short(&op.subject)),
        });
    }
    signers
}

/// Keys that can sign users of `account_key`, held by the vault: the identity, then the
/// account's signing keys (their users carry `issuer_account`).
pub fn account_signers(data: &VaultData, account_key: &str) -> Vec<Signer> {
    let mut signers = Vec::new();
    let claims = account(data, account_key);
    // under a strict operator nats-server takes users from signing keys only
    let identity_signs = claims
        .as_ref()
        .is_none_or(|a| nats_auth::chain::account_identity_signs_users(a, operator(data).as_ref()));
    if identity_signs && data.seed_of(account_key).is_some() {
        signers.push(Signer {
            key: account_key.to_string(),
            label: format!("account identity {}", short(account_key)),
        });
    }
    if let Some(claims) = claims {
        for k in claims.nats.signing_keys.keys() {
            if data.seed_of(k).is_some() {
                let label = match claims.nats.signing_keys.scope(k) {
                    Some(scope) => format!("role {} (scoped signing key {})", scope.role, short(k)),
                    None => format!("account signing key {}", short(k)),
                };
                signers.push(Signer {
                    key: k.to_string(),
                    label,
                });
            }
        }
    }
    signers
}

/// The first characters of a public key, enough to tell keys apart in a list.
pub fn short(key: &str) -> String {
    format!("{}…", key.chars().take(10).collect::<String>())
}

fn upsert(list: &mut Vec<Entity>, entity: Entity) {
    match list.iter_mut().find(|e| e.key == entity.key) {
        Some(existing) => *existing = entity,
        None => list.push(entity),
    }
}

/// Changes the vault's account `account_key` with `change` and re-signs it (nats-auth validates
/// the result first). Returns the new JWT.
pub(crate) fn resign(
    data: &mut VaultData,
    account_key: &str,
    now: i64,
    change: impl FnOnce(&mut AccountClaims) -> Result<(), FormError>,
) -> Result<String, FormError> {
    let mut claims = account(data, account_key).ok_or("no such account in the vault")?;
    change(&mut claims)?;
    sign_account(data, claims, "", now)
}

/// Signs account claims with `signer` (an operator key; empty: the first of
/// [`operator_signers`]) and stores the JWT.
pub fn sign_account(
    data: &mut VaultData,
    mut claims: AccountClaims,
    signer: &str,
    now: i64,
) -> Result<String, FormError> {
    let op = operator(data).ok_or("create or import an operator first")?;
    let signer = match signer {
        "" => operator_signers(data)
            .into_iter()
            .next()
            .map(|s| s.key)
            .ok_or("the vault holds no key of the operator to sign accounts with")?,
        key => key.to_string(),
    };
    let pair = pair_of(data, &signer).map_err(|e| FormError::at("account-signer", e))?;
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary().into());
    }
    let jwt = claims.encode(&pair, now).map_err(|e| e.to_string())?;
    // the operator's rules (its keys, strict signing) are nats-auth's, as on the server
    nats_auth::chain::check_account(&claims, &op)
        .map_err(|e| FormError::at("account-signer", e.to_string()))?;
    upsert(
        &mut data.accounts,
        Entity {
            name: claims.name.clone(),
            key: claims.subject.clone(),
            account: None,
            jwt: jwt.clone(),
        },
    );
    Ok(jwt)
}

/// Where a generated nats-server configuration resolves accounts.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolver {
    /// This console's account server (`resolver: URL(…)`).
    Url(String),
    /// nats-server's own resolver keeping every account (`type: full`), as `nsc generate config
    /// --nats-resolver` writes it.
    Full,
    /// nats-server's own resolver keeping accounts looked up recently (`type: cache`).
    Cache,
}

/// One server of a cluster: its routes (`cluster {}`), as nsc leaves to the admin.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterSetup {
    /// The cluster's name (the same on every server).
    pub name: String,
    /// Where this server listens for routes (`host:port`).
    pub listen: String,
    /// The other servers' route addresses (`host:port`).
    pub routes: Vec<String>,
}

/// What the admin chose for one server's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSetup {
    pub resolver: Resolver,
    /// Where clients connect (`listen`).
    pub listen: String,
    /// The monitoring port (`http`).
    pub monitor: String,
    /// `server_name`: unique in a cluster, and required there by JetStream; empty for none.
    pub server_name: String,
    pub cluster: Option<ClusterSetup>,
    /// nats-resolver only: whether an operator-signed request may delete accounts.
    pub allow_delete: bool,
}

impl ServerSetup {
    pub fn new(resolver: Resolver, listen: &str, monitor: &str) -> Self {
        ServerSetup {
            resolver,
            listen: listen.into(),
            monitor: monitor.into(),
            server_name: String::new(),
            cluster: None,
            allow_delete: false,
        }
    }
}

/// `host:port` as nats-server takes it for listen, http and route addresses.
fn check_host_port(what: &str, text: &str) -> Result<(), String> {
    let bad = || format!("{what}: expected host:port such as 127.0.0.1:6222 (got {text:?})");
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_[]:".contains(c));
    if !host_ok || port.parse::<u16>().is_err() {
        return Err(bad());
    }
    Ok(())
}

/// A name nats-server reads as a bare word: letters, digits, `-` and `_`.
fn check_config_name(what: &str, text: &str) -> Result<(), String> {
    if text.is_empty()
        || text.len() > 64
        || !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "{what}: letters, digits, - and _ (at most 64; got {text:?})"
        ));
    }
    Ok(())
}

/// A nats-server configuration for this operator: listen and monitoring addresses, the
/// operator, its system account, the resolver, the cluster's routes, and JetStream when an
/// account of the vault uses it, each commented.
pub fn server_config(data: &VaultData, setup: &ServerSetup) -> Result<String, String> {
    let op = operator(data).ok_or("create or import an operator first")?;
    check_host_port("client address", &setup.listen)?;
    check_host_port("monitoring address", &setup.monitor)?;
    let jwt = data.operator_jwt.as_deref().unwrap_or_default();
    let sys = &op.nats.system_account;
    let mut text = format!(
        "# nats-server configuration for operator {name}, made by NATS Console\n\n",
        name = op.name,
    );
    if !setup.server_name.is_empty() {
        check_config_name("server name", &setup.server_name)?;
        text.push_str(&format!(
            "# this server's name, unique in its cluster\nserver_name: {}\n",
            setup.server_name
        ));
    }
    text.push_str(&format!(
        "# where clients connect\n\
         listen: {listen}\n\
         # the monitoring port (varz, connz, …): the console's dashboard polls it\n\
         http: {monitor}\n\n\
         # the operator this server trusts, and its system account\n\
         operator: {jwt}\n\
         system_account: {sys}\n\n",
        listen = setup.listen,
        monitor = setup.monitor,
    ));
    if let Some(cluster) = &setup.cluster {
        check_config_name("cluster name", &cluster.name)?;
        check_host_port("route address", &cluster.listen)?;
        for route in &cluster.routes {
            check_host_port("routes", route)?;
        }
        let routes: Vec<String> = cluster
            .routes
            .iter()
            .map(|r| format!("    nats-route://{r}\n"))
            .collect();
        text.push_str(&format!(
            "# the cluster: where this server listens for its peers, and where they are\n\
             cluster {{\n  name: {name}\n  listen: {listen}\n  routes: [\n{routes}  ]\n}}\n\n",
            name = cluster.name,
            listen = cluster.listen,
            routes = routes.concat(),
        ));
    }
    match &setup.resolver {
        Resolver::Url(url) => text.push_str(&format!(
            "# accounts are resolved through this console's account server\nresolver: URL({url})\n"
        )),
        Resolver::Full | Resolver::Cache => {
            let keep = match setup.resolver {
                Resolver::Full => format!(
                    "  # whether an operator-signed request may delete accounts\n  allow_delete: {}\n  # how often the servers of a cluster compare what they hold\n  interval: \"2m\"\n  timeout: \"1.9s\"\n",
                    setup.allow_delete
                ),
                _ => "  # how long a looked-up account is kept\n  ttl: \"1h\"\n".to_string(),
            };
            let kind = if setup.resolver == Resolver::Full {
                "full"
            } else {
                "cache"
            };
            let sys_jwt = data
                .accounts
                .iter()
                .find(|a| a.key == *sys)
                .map(|a| a.jwt.clone())
                .ok_or(
                    "the vault does not hold the system account's JWT, which the servers preload",
                )?;
            text.push_str(&format!(
                "# accounts live in the servers' own resolver (nats-resolver): pushed over NATS\n\
                 # ($SYS.REQ.CLAIMS.UPDATE), not fetched from a URL\n\
                 resolver {{\n  type: {kind}\n  # where this server keeps the account JWTs\n  dir: \"./jwt\"\n{keep}}}\n\
                 # the system account is known before anything is pushed\n\
                 resolver_preload {{\n  {sys}: {sys_jwt}\n}}\n"
            ));
        }
    }
    let uses_jetstream = data
        .accounts
        .iter()
        .any(|a| account(data, &a.key).is_some_and(|c| c.nats.limits.is_jetstream_enabled()));
    if uses_jetstream {
        if setup.cluster.is_some() && setup.server_name.is_empty() {
            return Err("server name: JetStream in a cluster needs a name for each server".into());
        }
        text.push_str(
            "\n# an account uses JetStream: this server stores streams here\njetstream {\n  store_dir: \"./jetstream\"\n}\n",
        );
    }
    Ok(text)
}

/// A user JWT of the system account for the console's own key (`console_key`, from
/// `/api/v1/info`): lets the console announce updates on NATS without ever holding a seed of
/// this vault.
pub fn console_link_jwt(data: &VaultData, console_key: &str, now: i64) -> Result<String, String> {
    let op = operator(data).ok_or("create or import an operator first")?;
    let sys = &op.nats.system_account;
    // the key nats-server takes: SYS's identity, or under strict signing one of its signing keys
    let signer = account_signers(data, sys)
        .into_iter()
        .next()
        .ok_or("the vault holds no key that may sign users of the system account")?;
    let mut claims = UserClaims::new(console_key);
    claims.name = "nats-console".into();
    if signer.key != *sys {
        claims.nats.issuer_account = sys.clone();
    }
    claims
        .encode(&pair_of(data, &signer.key)?, now)
        .map_err(|e| e.to_string())
}

// --- parsing typed text -------------------------------------------------------------------

/// Runs one of nats-auth's rules on a single input: its blocking issues are that input's error.
fn check_field(
    field: &'static str,
    rule: impl FnOnce(&mut ValidationResults),
) -> Result<(), FormError> {
    let mut vr = ValidationResults::new();
    rule(&mut vr);
    if vr.is_blocking(false) {
        Err(FormError::at(field, vr.blocking_summary()))
    } else {
        Ok(())
    }
}

/// What a limit input shows for "no limit", in every form.
pub const UNLIMITED: &str = "unlimited";

/// A limit as typed: a whole number with an optional unit, as `nsc` takes it (`K`, `M`, `G`:
/// thousands, millions, billions; a trailing `B` as in `1MB` is allowed) or a binary one
/// (`KiB`, `MiB`, `GiB`: powers of 1024); or no limit: empty, "unlimited" or -1.
pub fn parse_limit(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let refuse = || {
        format!(
            "a whole number, optionally with a unit (1MB, 512K, 2GiB), or empty for unlimited (got {text:?})"
        )
    };
    if text.is_empty() || text.eq_ignore_ascii_case(UNLIMITED) || text == "-1" {
        return Ok(-1);
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Err(refuse());
    }
    let (number, unit) = text.split_at(digits);
    let number: i64 = number.parse().map_err(|_| refuse())?;
    let factor: i64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        "T" | "TB" => 1_000_000_000_000,
        "KIB" => 1 << 10,
        "MIB" => 1 << 20,
        "GIB" => 1 << 30,
        "TIB" => 1 << 40,
        _ => return Err(refuse()),
    };
    number.checked_mul(factor).ok_or_else(refuse)
}

/// A limit input's value (see [`parse_limit`]), its error naming the input.
fn limit(field: &'static str, text: &str) -> Result<i64, FormError> {
    parse_limit(text).map_err(|e| FormError::at(field, e))
}

/// A count that has no "unlimited" (replies per request): a whole number from 0, units allowed.
fn count(field: &'static str, text: &str) -> Result<i64, FormError> {
    match parse_limit(text) {
        Ok(v) if v >= 0 && !text.trim().is_empty() => Ok(v),
        _ => Err(FormError::at(
            field,
            format!("a whole number from 0 (got {:?})", text.trim()),
        )),
    }
}

/// A limit as a form shows it: empty for no limit (the input's placeholder says "unlimited").
fn limit_text(value: i64) -> String {
    if value < 0 {
        String::new()
    } else {
        value.to_string()
    }
}

/// Days from now to an expiry (`""`: never). `keep` is the expiry the form was loaded with:
/// unchanged text keeps it exactly instead of rounding it to whole days.
fn expiry(field: &'static str, text: &str, keep: i64, now: i64) -> Result<i64, FormError> {
    if keep != 0 && text.trim() == days_left(keep, now) {
        return Ok(keep);
    }
    match text.trim() {
        "" => Ok(0),
        days => match days.parse::<i64>() {
            Ok(d) if d > 0 && d < 36_500 => Ok(now + d * 86_400),
            _ => Err(FormError::at(
                field,
                format!("a number of days from 1 to 36499, or empty for never (got {days:?})"),
            )),
        },
    }
}

/// The form text for an expiry: whole days left, rounded up (`""`: never).
fn days_left(expires: i64, now: i64) -> String {
    if expires == 0 {
        String::new()
    } else {
        ((expires - now).max(0) + 86_399)
            .div_euclid(86_400)
            .to_string()
    }
}

/// Items separated by commas or new lines, trimmed, empty ones dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn tags(text: &str, tags: &mut nats_auth::jwt::GenericFields) {
    tags.tags.clear();
    for tag in list(text) {
        tags.add_tag(&tag);
    }
}

/// The role of `signer` when it is a scoped signing key of `account_key`.
pub fn role_of(data: &VaultData, account_key: &str, signer: &str) -> Option<String> {
    account(data, account_key)?
        .nats
        .signing_keys
        .scope(signer)
        .map(|s| s.role.clone())
}
