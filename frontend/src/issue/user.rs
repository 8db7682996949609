//! The user form (permissions, limits, networks, connection types, bearer, tags, expiry), users
//! signed by the account identity or one of its signing keys, creds, revocation.

use nats_auth::chain::TrustFailure;
use nats_auth::creds;
use nats_auth::jwt::{ResponsePermission, TimeRange, UserClaims, CONNECTION_TYPES};
use nats_auth::nkeys::KeyType;

use super::account::permission;
use super::{
    account, check_field, count, days_left, expiry, limit, limit_text, list, new_key, pair_of,
    sign_account, tags, upsert, user,
};
use crate::forms::FormError;
use crate::vault::{Entity, VaultData};

/// A user form as typed. Empty limits mean unlimited.
#[derive(Debug, Clone, Default)]
pub struct UserForm {
    pub name: String,
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
    /// Times of day the user may connect: `08:00-17:00, 20:00:00-22:30:00` (empty: any time).
    pub times: String,
    /// The IANA time zone of those times, e.g. `Europe/Berlin` (empty: the server's).
    pub times_location: String,
    pub bearer: bool,
    pub tags: String,
    pub expires_in_days: String,
    /// The expiry the form was loaded with (kept while its text is unchanged).
    pub loaded_expires: i64,
}

/// `08:00-17:00` as a time range; seconds may be given (`08:00:00`), and are added when not.
fn time_range(text: &str) -> Result<TimeRange, FormError> {
    let clock = |t: &str| {
        let t = t.trim();
        if t.matches(':').count() == 1 {
            format!("{t}:00")
        } else {
            t.to_string()
        }
    };
    match text.split_once('-') {
        Some((start, end)) => Ok(TimeRange {
            start: clock(start),
            end: clock(end),
        }),
        None => Err(FormError::at(
            "user-times",
            format!("a time range is start-end, such as 08:00-17:00 (got {text:?})"),
        )),
    }
}

impl UserForm {
    /// The form showing `claims`, to edit them.
    pub fn of(claims: &UserClaims, now: i64) -> Self {
        let l = &claims.nats.limits;
        let p = &l.permissions;
        UserForm {
            name: claims.name.clone(),
            pub_allow: p.publish.allow.join(", "),
            pub_deny: p.publish.deny.join(", "),
            sub_allow: p.subscribe.allow.join(", "),
            sub_deny: p.subscribe.deny.join(", "),
            resp_max: p
                .response
                .as_ref()
                .map(|r| r.max_msgs.to_string())
                .unwrap_or_default(),
            subs: limit_text(l.subs),
            data: limit_text(l.data),
            payload: limit_text(l.payload),
            source_networks: l.source_networks.0.join(", "),
            connection_types: l.allowed_connection_types.join(", "),
            times: l
                .times
                .iter()
                .map(|t| format!("{}-{}", t.start, t.end))
                .collect::<Vec<_>>()
                .join(", "),
            times_location: l.locale.clone(),
            bearer: l.bearer_token,
            tags: claims.nats.generic.tags.join(", "),
            expires_in_days: days_left(claims.expires, now),
            loaded_expires: claims.expires,
        }
    }

    /// Sets the claims' name, permissions, limits, tags and expiry from the form (time ranges,
    /// locale and a response TTL already in the claims stay).
    pub fn apply(&self, claims: &mut UserClaims, now: i64) -> Result<(), FormError> {
        if self.name.trim().is_empty() {
            return Err(FormError::at("user-name", "the user needs a name"));
        }
        claims.name = self.name.trim().to_string();
        let l = &mut claims.nats.limits;
        l.subs = limit("user-subs", &self.subs)?;
        l.data = limit("user-data", &self.data)?;
        l.payload = limit("user-payload", &self.payload)?;
        let p = &mut l.permissions;
        p.publish = permission(
            ("user-pub-allow", &self.pub_allow),
            ("user-pub-deny", &self.pub_deny),
            false,
        )?;
        p.subscribe = permission(
            ("user-sub-allow", &self.sub_allow),
            ("user-sub-deny", &self.sub_deny),
            true,
        )?;
        p.response = match self.resp_max.trim() {
            "" => None,
            text => Some(ResponsePermission {
                max_msgs: count("user-resp", text)?,
                expires: p.response.as_ref().map_or(0, |r| r.expires),
            }),
        };
        l.source_networks.0.clear();
        for cidr in list(&self.source_networks) {
            l.source_networks.add(&cidr);
        }
        let networks = l.source_networks.clone();
        check_field("user-src", |vr| networks.validate(vr))?;
        l.allowed_connection_types = connection_types("user-conn-types", &self.connection_types)?;
        l.times = list(&self.times)
            .iter()
            .map(|range| time_range(range))
            .collect::<Result<_, _>>()?;
        let times = l.times.clone();
        check_field("user-times", |vr| times.iter().for_each(|t| t.validate(vr)))?;
        l.locale = self.times_location.trim().to_string();
        if !l.locale.is_empty() && !nats_auth::timezones::is_known_zone(&l.locale) {
            return Err(FormError::at(
                "user-times-location",
                format!(
                    "{:?} is not an IANA time zone (such as Europe/Berlin or America/New_York)",
                    l.locale
                ),
            ));
        }
        l.bearer_token = self.bearer;
        tags(&self.tags, &mut claims.nats.generic);
        claims.expires = expiry(
            "user-expires",
            &self.expires_in_days,
            self.loaded_expires,
            now,
        )?;
        Ok(())
    }
}

/// Creates (`existing` = `None`) or edits a user of `account_key` from `form`, signed by
/// `signer`: the account's identity (empty: the same) or one of its signing keys, which sets
/// `issuer_account`. Stores the JWT; returns the user's creds.
pub fn save_user(
    data: &mut VaultData,
    account_key: &str,
    existing: Option<&str>,
    form: &UserForm,
    signer: &str,
    now: i64,
) -> Result<String, FormError> {
    if account(data, account_key).is_none() {
        return Err(FormError::at(
            "user-account",
            "choose an account of this vault (create one on the Accounts page)",
        ));
    }
    let mut claims = match existing {
        Some(key) => user(data, key).ok_or("this user is not in the vault")?,
        None => {
            let key = new_key(
                data,
                KeyType::User,
                "user",
                form.name.trim(),
                Some(account_key.to_string()),
            )?;
            UserClaims::new(key.public_key())
        }
    };
    form.apply(&mut claims, now)?;
    let key = claims.subject.clone();
    sign_user(data, account_key, claims, signer, now)?;
    Ok(user_creds(data, &key)?)
}

/// Signs user `claims` of `account_key` with `signer` (empty: the first key the account
/// takes under its operator's rules), checks it as nats-server would, and stores it.
pub(super) fn sign_user(
    data: &mut VaultData,
    account_key: &str,
    mut claims: UserClaims,
    signer: &str,
    now: i64,
) -> Result<String, FormError> {
    let account_claims = account(data, account_key).ok_or(FormError::at(
        "user-account",
        "choose an account of this vault (create one on the Accounts page)",
    ))?;
    let default_signer = super::account_signers(data, account_key)
        .into_iter()
        .next()
        .map(|s| s.key)
        .unwrap_or_else(|| account_key.to_string());
    let signer = if signer.is_empty() {
        default_signer.as_str()
    } else {
        signer
    };
    let signing_pair = pair_of(data, signer).map_err(|e| FormError::at("user-signer", e))?;
    // a role's key: the user gets the role's template and may carry nothing of its own
    if account_claims.nats.signing_keys.scope(signer).is_some() {
        claims.nats.limits = Default::default();
    }
    claims.nats.issuer_account = if signer == account_key {
        String::new()
    } else {
        account_key.to_string()
    };
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary().into());
    }
    let jwt = claims
        .encode(&signing_pair, now)
        .map_err(|e| e.to_string())?;
    // the account's rules (its keys, scopes, bearer policy, revocations) are nats-auth's, as
    // nats-server applies them
    nats_auth::chain::check_user(&claims, &account_claims, super::operator(data).as_ref())
        .map_err(|e| {
            let field = match e {
                TrustFailure::BearerNotAllowed => Some("user-bearer"),
                TrustFailure::Revoked { .. } => None,
                _ => Some("user-signer"),
            };
            FormError {
                field,
                message: e.to_string(),
            }
        })?;
    upsert(
        &mut data.users,
        Entity {
            name: claims.name.clone(),
            key: claims.subject.clone(),
            account: Some(account_key.into()),
            jwt: jwt.clone(),
        },
    );
    Ok(jwt)
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
/// Returns (account key, account JWT).
pub fn revoke_user(
    data: &mut VaultData,
    user_key: &str,
    now: i64,
) -> Result<(String, String), FormError> {
    let user = data
        .users
        .iter()
        .find(|u| u.key == user_key)
        .ok_or("no such user")?
        .clone();
    let account_key = user.account.ok_or("the user has no account")?;
    let mut claims = account(data, &account_key).ok_or("the user's account is not in the vault")?;
    claims.revoke_at(user_key, now);
    let jwt = sign_account(data, claims, "", now)?;
    Ok((account_key, jwt))
}

/// Connection types as typed (comma separated, any case), each one nats-server knows.
pub(super) fn connection_types(field: &'static str, text: &str) -> Result<Vec<String>, FormError> {
    list(text)
        .into_iter()
        .map(|kind| {
            let kind = kind.to_ascii_uppercase();
            if CONNECTION_TYPES.contains(&kind.as_str()) {
                Ok(kind)
            } else {
                Err(FormError::at(
                    field,
                    format!("{kind} is not one of {}", CONNECTION_TYPES.join(", ")),
                ))
            }
        })
        .collect()
}
