//! The account form: limits, JetStream, default permissions, signing keys, description, tags,
//! expiry — for a new account or loaded from one to edit (what the form does not show, such as
//! imports, exports and revocations, is kept).

use nats_auth::jwt::{AccountClaims, JetStreamLimits, Permission};
use nats_auth::nkeys::KeyType;

use super::{
    account, check_field, days_left, expiry, limit, limit_text, list, new_key, sign_account, tags,
};
use crate::forms::FormError;
use crate::vault::VaultData;

/// An account form as typed.
#[derive(Debug, Clone)]
pub struct AccountForm {
    pub name: String,
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
    /// Limits per replica count instead of the flat ones, one tier a line:
    /// `R3: memory 1GiB, disk 10GiB, streams 10, consumers 100`.
    pub js_tiers: String,
    /// Default permissions of the account's users (subjects, comma separated).
    pub default_pub_allow: String,
    pub default_pub_deny: String,
    pub default_sub_allow: String,
    pub default_sub_deny: String,
    /// Public keys of the account's signing keys (comma or line separated).
    pub signing_keys: String,
    /// Generate one more signing key into the vault.
    pub new_signing_key: bool,
    pub description: String,
    pub tags: String,
    /// Days from now; empty: never.
    pub expires_in_days: String,
    /// The expiry the form was loaded with (kept while its text is unchanged).
    pub loaded_expires: i64,
}

impl Default for AccountForm {
    fn default() -> Self {
        let unlimited = String::new;
        AccountForm {
            name: String::new(),
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
            js_tiers: String::new(),
            default_pub_allow: String::new(),
            default_pub_deny: String::new(),
            default_sub_allow: String::new(),
            default_sub_deny: String::new(),
            signing_keys: String::new(),
            new_signing_key: false,
            description: String::new(),
            tags: String::new(),
            expires_in_days: String::new(),
            loaded_expires: 0,
        }
    }
}

impl AccountForm {
    /// The form showing `claims`, to edit them.
    pub fn of(claims: &AccountClaims, now: i64) -> Self {
        let n = &claims.nats;
        let l = &n.limits;
        let js = &l.jetstream;
        let p = &n.default_permissions;
        AccountForm {
            name: claims.name.clone(),
            conn: limit_text(l.conn),
            leaf: limit_text(l.leaf_node_conn),
            subs: limit_text(l.subs),
            data: limit_text(l.data),
            payload: limit_text(l.payload),
            imports: limit_text(l.imports),
            exports: limit_text(l.exports),
            wildcards: l.wildcard_exports,
            jetstream: l.is_jetstream_enabled(),
            js_tiers: tiers_text(&l.jetstream_tiers),
            js_memory: limit_text(js.memory_storage),
            js_disk: limit_text(js.disk_storage),
            js_streams: limit_text(js.streams),
            js_consumers: limit_text(js.consumer),
            default_pub_allow: p.publish.allow.join(", "),
            default_pub_deny: p.publish.deny.join(", "),
            default_sub_allow: p.subscribe.allow.join(", "),
            default_sub_deny: p.subscribe.deny.join(", "),
            signing_keys: n.signing_keys.keys().collect::<Vec<_>>().join("\n"),
            new_signing_key: false,
            description: n.info.description.clone(),
            tags: n.generic.tags.join(", "),
            expires_in_days: days_left(claims.expires, now),
            loaded_expires: claims.expires,
        }
    }

    /// Sets the claims' name, limits, JetStream, default permissions, signing keys (scopes of
    /// kept keys stay), description, tags and expiry from the form.
    pub fn apply(&self, claims: &mut AccountClaims, now: i64) -> Result<(), FormError> {
        if self.name.trim().is_empty() {
            return Err(FormError::at("account-name", "the account needs a name"));
        }
        claims.name = self.name.trim().to_string();
        let l = &mut claims.nats.limits;
        l.conn = limit("account-conn", &self.conn)?;
        l.leaf_node_conn = limit("account-leaf", &self.leaf)?;
        l.subs = limit("account-subs", &self.subs)?;
        l.data = limit("account-data", &self.data)?;
        l.payload = limit("account-payload", &self.payload)?;
        l.imports = limit("account-imports", &self.imports)?;
        l.exports = limit("account-exports", &self.exports)?;
        l.wildcard_exports = self.wildcards;
        l.jetstream = Default::default();
        l.jetstream_tiers = parse_tiers(&self.js_tiers)?;
        if !self.jetstream {
            l.jetstream_tiers.clear();
        } else if l.jetstream_tiers.is_empty() {
            l.jetstream.memory_storage = limit("account-js-memory", &self.js_memory)?;
            l.jetstream.disk_storage = limit("account-js-disk", &self.js_disk)?;
            l.jetstream.streams = limit("account-js-streams", &self.js_streams)?;
            l.jetstream.consumer = limit("account-js-consumers", &self.js_consumers)?;
        }
        let p = &mut claims.nats.default_permissions;
        p.publish = permission(
            ("account-pub-allow", &self.default_pub_allow),
            ("account-pub-deny", &self.default_pub_deny),
            false,
        )?;
        p.subscribe = permission(
            ("account-sub-allow", &self.default_sub_allow),
            ("account-sub-deny", &self.default_sub_deny),
            true,
        )?;
        let keys = list(&self.signing_keys);
        for key in &keys {
            if !nats_auth::nkeys::is_valid_public_key_of(KeyType::Account, key) {
                return Err(FormError::at(
                    "account-signing-keys",
                    format!("{key} is not an account public key (A…, 56 characters)"),
                ));
            }
            if *key == claims.subject {
                return Err(FormError::at(
                    "account-signing-keys",
                    "the account's own key cannot be one of its signing keys",
                ));
            }
        }
        let signing_keys = &mut claims.nats.signing_keys;
        signing_keys.0.retain(|k, _| keys.contains(k));
        for key in keys {
            if !signing_keys.contains(&key) {
                signing_keys.add(key);
            }
        }
        claims.nats.info.description = self.description.trim().to_string();
        tags(&self.tags, &mut claims.nats.generic);
        claims.expires = expiry(
            "account-expires",
            &self.expires_in_days,
            self.loaded_expires,
            now,
        )?;
        Ok(())
    }
}

/// One direction of a permission from its allow and deny inputs, checked by nats-auth's rule.
pub(super) fn permission(
    allow: (&'static str, &str),
    deny: (&'static str, &str),
    permit_queue: bool,
) -> Result<Permission, FormError> {
    let mut permission = Permission::default();
    for ((field, text), list_of) in [(allow, &mut permission.allow), (deny, &mut permission.deny)] {
        let subjects = list(text);
        let one = Permission {
            allow: subjects.clone(),
            deny: Vec::new(),
        };
        check_field(field, |vr| one.validate(vr, permit_queue))?;
        *list_of = subjects;
    }
    Ok(permission)
}

/// Creates (`existing` = `None`) or edits an account from `form`, signs it with `signer` (an
/// operator key; empty: the default) and stores it. Returns (account key, JWT).
pub fn save_account(
    data: &mut VaultData,
    existing: Option<&str>,
    form: &AccountForm,
    signer: &str,
    now: i64,
) -> Result<(String, String), FormError> {
    let Some(operator) = super::operator(data) else {
        return Err("create or import an operator first".into());
    };
    let mut claims = match existing {
        Some(key) => account(data, key).ok_or("this account is not in the vault")?,
        None => {
            let key = new_key(data, KeyType::Account, "account", form.name.trim(), None)?;
            AccountClaims::new(key.public_key())
        }
    };
    form.apply(&mut claims, now)?;
    // a strict operator's nats-server takes users from an account's signing keys only
    let strict_needs_key =
        operator.nats.strict_signing_key_usage && claims.nats.signing_keys.is_empty();
    if form.new_signing_key || strict_needs_key {
        let key = new_key(
            data,
            KeyType::Account,
            "account signing key",
            form.name.trim(),
            Some(claims.subject.clone()),
        )?;
        claims.nats.signing_keys.add(key.public_key());
    }
    let key = claims.subject.clone();
    let jwt = sign_account(data, claims, signer, now)?;
    Ok((key, jwt))
}

/// How long an account deletion request stays valid: sent at once, so a few minutes.
const DELETE_REQUEST_SECONDS: i64 = 300;

/// The operator-signed request that deletes `accounts` from an account server (or a
/// nats-resolver, `$SYS.REQ.CLAIMS.DELETE`): a generic claim listing them, about and signed by
/// one of the operator's keys the vault holds, valid for five minutes.
pub fn account_deletion_request(
    data: &VaultData,
    accounts: &[String],
    now: i64,
) -> Result<String, String> {
    super::operator(data).ok_or("the vault holds no operator")?;
    let signer = super::operator_signers(data)
        .into_iter()
        .next()
        .ok_or("the vault holds none of the operator's keys: import one on the Keys page")?;
    let pair = super::pair_of(data, &signer.key)?;
    // self-signed, as nats-server's resolver demands; the console's store takes it too
    let mut request = nats_auth::jwt::GenericClaims {
        subject: signer.key.clone(),
        expires: now + DELETE_REQUEST_SECONDS,
        ..Default::default()
    };
    request
        .nats
        .insert("accounts".into(), serde_json::json!(accounts));
    request.encode(&pair, now).map_err(|e| e.to_string())
}

/// Removes a deleted account from the vault with the users it issued; its keys stay (a key
/// deleted by mistake cannot be made again). Returns how many users went with it.
pub fn forget_account(data: &mut VaultData, account_key: &str) -> usize {
    data.accounts.retain(|a| a.key != account_key);
    let before = data.users.len();
    data.users
        .retain(|u| u.account.as_deref() != Some(account_key));
    before - data.users.len()
}

/// JetStream tiers as the form shows them, one a line.
fn tiers_text(tiers: &std::collections::BTreeMap<String, JetStreamLimits>) -> String {
    tiers
        .iter()
        .map(|(tier, l)| {
            // unlimited ones are left out, as the form takes them
            let parts: Vec<String> = [
                ("memory", l.memory_storage),
                ("disk", l.disk_storage),
                ("streams", l.streams),
                ("consumers", l.consumer),
            ]
            .into_iter()
            .filter(|(_, v)| *v >= 0)
            .map(|(name, v)| format!("{name} {v}"))
            .collect();
            format!("{tier}: {}", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `R1: memory 512MiB, disk 10GiB, streams 10, consumers 100`, a tier a line; a limit left out
/// (or written unlimited) is unlimited.
fn parse_tiers(
    text: &str,
) -> Result<std::collections::BTreeMap<String, JetStreamLimits>, FormError> {
    const FIELD: &str = "account-js-tiers";
    let mut tiers = std::collections::BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (tier, rest) = line.split_once(':').ok_or_else(|| {
            FormError::at(
                FIELD,
                format!(
                    "{line:?}: expected R1: memory 1GiB, disk 10GiB, streams 10, consumers 100"
                ),
            )
        })?;
        let tier = tier.trim();
        if tier.is_empty() || tier.contains(char::is_whitespace) {
            return Err(FormError::at(
                FIELD,
                format!("{tier:?} is not a tier name (R1, R3)"),
            ));
        }
        let mut limits = JetStreamLimits {
            memory_storage: -1,
            disk_storage: -1,
            streams: -1,
            consumer: -1,
            ..Default::default()
        };
        for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
            let value = super::parse_limit(value)
                .map_err(|e| FormError::at(FIELD, format!("{tier} {name}: {e}")))?;
            match name {
                "memory" => limits.memory_storage = value,
                "disk" => limits.disk_storage = value,
                "streams" => limits.streams = value,
                "consumers" => limits.consumer = value,
                other => {
                    return Err(FormError::at(
                        FIELD,
                        format!("{tier}: {other:?} is not memory, disk, streams or consumers"),
                    ))
                }
            }
        }
        tiers.insert(tier.to_string(), limits);
    }
    Ok(tiers)
}
