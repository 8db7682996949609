//! Issuing, as `nsc` does it, on the vault's contents: operator (with a system account and its
//! `sys` user), accounts, users, creds, revocations. All signing is `nats-auth` in WASM; the
//! seeds never leave the vault.

use nats_auth::creds;
use nats_auth::jwt::{AccountClaims, AnyClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};

use crate::vault::{Entity, VaultData, VaultKey};

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
    let seed = data
        .seed_of(public_key)
        .ok_or_else(|| format!("the vault has no seed for {public_key}"))?;
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

/// The key that signs accounts: the operator's first signing key, else its identity.
fn operator_signer(data: &VaultData, op: &OperatorClaims) -> Result<KeyPair, String> {
    let key = op.nats.signing_keys.first().unwrap_or(&op.subject);
    pair_of(data, key)
}

fn upsert(list: &mut Vec<Entity>, entity: Entity) {
    match list.iter_mut().find(|e| e.key == entity.key) {
        Some(existing) => *existing = entity,
        None => list.push(entity),
    }
}

/// `nsc add operator --sys`: the operator (optionally with a signing key), the system account
/// `SYS` and its user `sys`.
pub fn create_operator(
    data: &mut VaultData,
    name: &str,
    signing_key: bool,
    account_server_url: &str,
    now: i64,
) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the operator needs a name".into());
    }
    let identity = new_key(data, KeyType::Operator, "operator", name, None)?;
    let mut claims = OperatorClaims::new(identity.public_key());
    claims.name = name.trim().into();
    if signing_key {
        let sk = new_key(
            data,
            KeyType::Operator,
            "operator signing key",
            name,
            Some(identity.public_key()),
        )?;
        claims.nats.signing_keys.push(sk.public_key());
    }
    claims.nats.account_server_url = account_server_url.trim().into();
    let sys = new_key(data, KeyType::Account, "account", "SYS", None)?;
    claims.nats.system_account = sys.public_key();
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary());
    }
    data.operator_jwt = Some(claims.encode(&identity, now).map_err(|e| e.to_string())?);
    let mut sys_claims = AccountClaims::new(sys.public_key());
    sys_claims.name = "SYS".into();
    sign_account(data, sys_claims, now)?;
    create_user(
        data,
        &sys.public_key(),
        "sys",
        UserPermissions::default(),
        now,
    )?;
    Ok(())
}

/// Signs account claims with the operator's key and stores the JWT.
pub fn sign_account(
    data: &mut VaultData,
    mut claims: AccountClaims,
    now: i64,
) -> Result<String, String> {
    let op = operator(data).ok_or("create or import an operator first")?;
    let signer = operator_signer(data, &op)?;
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary());
    }
    let jwt = claims.encode(&signer, now).map_err(|e| e.to_string())?;
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

/// A new account named `name` with `edit` applied to its (unlimited) claims.
pub fn create_account(
    data: &mut VaultData,
    name: &str,
    edit: impl FnOnce(&mut AccountClaims),
    now: i64,
) -> Result<String, String> {
    if name.trim().is_empty() {
        return Err("the account needs a name".into());
    }
    let key = new_key(data, KeyType::Account, "account", name.trim(), None)?;
    let mut claims = AccountClaims::new(key.public_key());
    claims.name = name.trim().into();
    edit(&mut claims);
    sign_account(data, claims, now)
}

/// The permissions a user is created with.
#[derive(Debug, Clone, Default)]
pub struct UserPermissions {
    pub pub_allow: Vec<String>,
    pub pub_deny: Vec<String>,
    pub sub_allow: Vec<String>,
    pub sub_deny: Vec<String>,
    pub expires: i64,
    pub bearer: bool,
}

/// A new user of `account_key`, signed by the account's identity key; returns the creds text.
pub fn create_user(
    data: &mut VaultData,
    account_key: &str,
    name: &str,
    permissions: UserPermissions,
    now: i64,
) -> Result<String, String> {
    create_user_with(data, account_key, name, permissions, None, "", now)
}

/// `create_user` with limits (subs, data, payload, responses, networks, connection types) and tags.
pub fn create_user_with(
    data: &mut VaultData,
    account_key: &str,
    name: &str,
    permissions: UserPermissions,
    limits: Option<nats_auth::jwt::UserPermissionLimits>,
    tags: &str,
    now: i64,
) -> Result<String, String> {
    if name.trim().is_empty() {
        return Err("the user needs a name".into());
    }
    let account = pair_of(data, account_key)?;
    let user = new_key(
        data,
        KeyType::User,
        "user",
        name.trim(),
        Some(account_key.to_string()),
    )?;
    let mut claims = UserClaims::new(user.public_key());
    claims.name = name.trim().into();
    claims.expires = permissions.expires;
    if let Some(limits) = limits {
        claims.nats.limits = limits;
    }
    for tag in tags.split(',') {
        claims.nats.generic.add_tag(tag);
    }
    let p = &mut claims.nats.limits.permissions;
    p.publish.allow = permissions.pub_allow;
    p.publish.deny = permissions.pub_deny;
    p.subscribe.allow = permissions.sub_allow;
    p.subscribe.deny = permissions.sub_deny;
    claims.nats.limits.bearer_token = permissions.bearer;
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary());
    }
    let jwt = claims.encode(&account, now).map_err(|e| e.to_string())?;
    upsert(
        &mut data.users,
        Entity {
            name: claims.name.clone(),
            key: claims.subject.clone(),
            account: Some(account_key.into()),
            jwt: jwt.clone(),
        },
    );
    creds::format_user_creds(&jwt, &user.seed().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())
}

/// The creds file of a user in the vault.
pub fn user_creds(data: &VaultData, user_key: &str) -> Result<String, String> {
    let user = data
        .users
        .iter()
        .find(|u| u.key == user_key)
        .ok_or("no such user")?;
    let seed = data
        .seed_of(user_key)
        .ok_or("the vault has no seed for this user")?;
    creds::format_user_creds(&user.jwt, seed).map_err(|e| e.to_string())
}

/// Revokes a user: its account gets a revocation and is re-signed (push it to apply).
pub fn revoke_user(data: &mut VaultData, user_key: &str, now: i64) -> Result<String, String> {
    let user = data
        .users
        .iter()
        .find(|u| u.key == user_key)
        .ok_or("no such user")?
        .clone();
    let account_key = user.account.ok_or("the user has no account")?;
    let mut claims = account(data, &account_key).ok_or("the user's account is not in the vault")?;
    claims.revoke_at(user_key, now);
    sign_account(data, claims, now)
}

/// A nats-server configuration for this operator, resolving accounts through `resolver_url`.
pub fn server_config(data: &VaultData, resolver_url: &str) -> Result<String, String> {
    let op = operator(data).ok_or("create or import an operator first")?;
    let jwt = data.operator_jwt.as_deref().unwrap_or_default();
    Ok(format!(
        "# nats-server configuration for operator {name}, made by NATS Console\n\
         # accounts are resolved through this console's account server\n\
         operator: {jwt}\n\
         system_account: {sys}\n\
         resolver: URL({resolver_url})\n",
        name = op.name,
        sys = op.nats.system_account,
    ))
}

/// A user JWT of the system account for the console's own key (`console_key`, from
/// `/api/v1/info`): lets the console announce updates on NATS without ever holding a seed of
/// this vault.
pub fn console_link_jwt(data: &VaultData, console_key: &str, now: i64) -> Result<String, String> {
    let op = operator(data).ok_or("create or import an operator first")?;
    let sys = pair_of(data, &op.nats.system_account)?;
    let mut claims = UserClaims::new(console_key);
    claims.name = "nats-console".into();
    claims.encode(&sys, now).map_err(|e| e.to_string())
}

/// An account form as typed: text fields parsed with a reason naming the field.
#[derive(Debug, Clone)]
pub struct AccountForm {
    pub conn: String,
    pub leaf: String,
    pub subs: String,
    pub data: String,
    pub payload: String,
    pub imports: String,
    pub exports: String,
    pub wildcards: bool,
    pub jetstream: bool,
    pub js_memory: String,
    pub js_disk: String,
    pub js_streams: String,
    pub js_consumers: String,
    pub description: String,
    pub tags: String,
    /// Days from now; empty: never.
    pub expires_in_days: String,
}

impl Default for AccountForm {
    fn default() -> Self {
        let unlimited = || "-1".to_string();
        AccountForm {
            conn: unlimited(),
            leaf: unlimited(),
            subs: unlimited(),
            data: unlimited(),
            payload: unlimited(),
            imports: unlimited(),
            exports: unlimited(),
            wildcards: true,
            jetstream: false,
            js_memory: unlimited(),
            js_disk: unlimited(),
            js_streams: unlimited(),
            js_consumers: unlimited(),
            description: String::new(),
            tags: String::new(),
            expires_in_days: String::new(),
        }
    }
}

/// A whole number of at least -1 (-1: unlimited), or the field's name in the reason.
fn limit(field: &str, text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(v) if v >= -1 => Ok(v),
        _ => Err(format!(
            "{field}: a whole number, -1 for unlimited (got {:?})",
            text.trim()
        )),
    }
}

fn expiry(text: &str, now: i64) -> Result<i64, String> {
    match text.trim() {
        "" => Ok(0),
        days => match days.parse::<i64>() {
            Ok(d) if d > 0 && d < 36_500 => Ok(now + d * 86_400),
            _ => Err(format!("Expires in (days): a number of days from 1 to 36499, or empty for never (got {days:?})")),
        },
    }
}

impl AccountForm {
    /// Sets the claims' limits, JetStream, description, tags and expiry from the form.
    pub fn apply(&self, claims: &mut AccountClaims, now: i64) -> Result<(), String> {
        let l = &mut claims.nats.limits;
        l.conn = limit("Maximum connections", &self.conn)?;
        l.leaf_node_conn = limit("Maximum leaf node connections", &self.leaf)?;
        l.subs = limit("Maximum subscriptions", &self.subs)?;
        l.data = limit("Maximum data (bytes)", &self.data)?;
        l.payload = limit("Maximum payload (bytes)", &self.payload)?;
        l.imports = limit("Maximum imports", &self.imports)?;
        l.exports = limit("Maximum exports", &self.exports)?;
        l.wildcard_exports = self.wildcards;
        l.jetstream = Default::default();
        if self.jetstream {
            l.jetstream.memory_storage = limit("JetStream memory (bytes)", &self.js_memory)?;
            l.jetstream.disk_storage = limit("JetStream disk (bytes)", &self.js_disk)?;
            l.jetstream.streams = limit("JetStream streams", &self.js_streams)?;
            l.jetstream.consumer = limit("JetStream consumers", &self.js_consumers)?;
        }
        claims.nats.info.description = self.description.trim().to_string();
        claims.nats.generic.tags.clear();
        for tag in self.tags.split(',') {
            claims.nats.generic.add_tag(tag);
        }
        claims.expires = expiry(&self.expires_in_days, now)?;
        Ok(())
    }
}

/// A user form as typed.
#[derive(Debug, Clone, Default)]
pub struct UserForm {
    pub pub_allow: String,
    pub pub_deny: String,
    pub sub_allow: String,
    pub sub_deny: String,
    /// Allow replies to requests received: the maximum number of responses (empty: off).
    pub resp_max: String,
    pub subs: String,
    pub data: String,
    pub payload: String,
    pub source_networks: String,
    /// Comma separated, e.g. STANDARD, WEBSOCKET.
    pub connection_types: String,
    pub bearer: bool,
    pub tags: String,
    pub expires_in_days: String,
}

fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl UserForm {
    /// The user's permissions and limits from the form; `-1` where a limit field is empty.
    pub fn permissions(
        &self,
        now: i64,
    ) -> Result<(UserPermissions, nats_auth::jwt::UserPermissionLimits), String> {
        let or_unlimited = |field: &str, text: &str| {
            if text.trim().is_empty() {
                Ok(-1)
            } else {
                limit(field, text)
            }
        };
        let mut limits = nats_auth::jwt::UserPermissionLimits {
            subs: or_unlimited("Maximum subscriptions", &self.subs)?,
            data: or_unlimited("Maximum data (bytes)", &self.data)?,
            payload: or_unlimited("Maximum payload (bytes)", &self.payload)?,
            ..Default::default()
        };
        if !self.resp_max.trim().is_empty() {
            let max = limit("Responses allowed", &self.resp_max)?;
            limits.permissions.response = Some(nats_auth::jwt::ResponsePermission {
                max_msgs: max,
                expires: 0,
            });
        }
        for cidr in list(&self.source_networks) {
            limits.source_networks.add(&cidr);
        }
        for kind in list(&self.connection_types) {
            let kind = kind.to_ascii_uppercase();
            if !nats_auth::jwt::CONNECTION_TYPES.contains(&kind.as_str()) {
                return Err(format!(
                    "Connection types: {kind} is not one of {}",
                    nats_auth::jwt::CONNECTION_TYPES.join(", ")
                ));
            }
            limits.allowed_connection_types.push(kind);
        }
        let permissions = UserPermissions {
            pub_allow: list(&self.pub_allow),
            pub_deny: list(&self.pub_deny),
            sub_allow: list(&self.sub_allow),
            sub_deny: list(&self.sub_deny),
            expires: expiry(&self.expires_in_days, now)?,
            bearer: self.bearer,
        };
        Ok((permissions, limits))
    }
}
