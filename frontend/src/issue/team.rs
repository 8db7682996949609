//! The team portal's signing: an admin gives a member's own key a role (a scoped signing key of
//! the account, whose template every user it signs gets) or revokes a team's user; a member
//! issues users with that key. Every rule is nats-auth's; no seed moves between people.

use nats_auth::creds;
use nats_auth::jwt::templates::{check_template, expand_template, TemplateValues};
use nats_auth::jwt::{AccountClaims, Permissions, UserClaims, UserPermissionLimits, UserScope};
use nats_auth::nkeys::{KeyPair, KeyType};

use super::account::permission;
use super::{account, new_key, pair_of, resign, short, sign_account};
use crate::forms::FormError;
use crate::vault::VaultData;

/// A role as typed: its name and the scope's template — permissions (which may hold
/// `{{name()}}`, `{{subject()}}`, `{{tag(x)}}`, `{{account-name()}}`, `{{account-tag(x)}}`),
/// limits, bearer, connection types. Every user the scoped key signs gets exactly this.
#[derive(Debug, Clone, Default)]
pub struct RoleForm {
    pub role: String,
    pub description: String,
    pub pub_allow: String,
    pub pub_deny: String,
    pub sub_allow: String,
    pub sub_deny: String,
    pub subs: String,
    pub data: String,
    pub payload: String,
    pub bearer: bool,
    pub connection_types: String,
}

impl RoleForm {
    /// What a new role starts with: what the console's team pages need, nothing more.
    pub fn starting() -> Self {
        RoleForm {
            role: "member".into(),
            pub_allow: "_INBOX.>, $SYS.REQ.ACCOUNT.PING.*".into(),
            sub_allow: "_INBOX.>".into(),
            ..Default::default()
        }
    }

    /// The form of an existing scope.
    pub fn of(scope: &UserScope) -> Self {
        let t = &scope.template;
        let p = &t.permissions;
        let limit = |v: i64| if v < 0 { String::new() } else { v.to_string() };
        RoleForm {
            role: scope.role.clone(),
            description: scope.description.clone(),
            pub_allow: p.publish.allow.join(", "),
            pub_deny: p.publish.deny.join(", "),
            sub_allow: p.subscribe.allow.join(", "),
            sub_deny: p.subscribe.deny.join(", "),
            subs: limit(t.subs),
            data: limit(t.data),
            payload: limit(t.payload),
            bearer: t.bearer_token,
            connection_types: t.allowed_connection_types.join(", "),
        }
    }

    pub fn permissions(&self) -> Result<Permissions, FormError> {
        if self.role.trim().is_empty() {
            return Err(FormError::at("role-name", "the role needs a name"));
        }
        let permissions = Permissions {
            publish: permission(
                ("role-pub-allow", &self.pub_allow),
                ("role-pub-deny", &self.pub_deny),
                false,
            )?,
            subscribe: permission(
                ("role-sub-allow", &self.sub_allow),
                ("role-sub-deny", &self.sub_deny),
                true,
            )?,
            response: None,
        };
        for (field, list) in [
            ("role-pub-allow", &permissions.publish.allow),
            ("role-pub-deny", &permissions.publish.deny),
            ("role-sub-allow", &permissions.subscribe.allow),
            ("role-sub-deny", &permissions.subscribe.deny),
        ] {
            for subject in list {
                check_template(subject).map_err(|e| FormError::at(field, e))?;
            }
        }
        Ok(permissions)
    }

    /// The scope's template: what every user of the role gets.
    pub fn template(&self) -> Result<UserPermissionLimits, FormError> {
        let mut template = UserPermissionLimits::default();
        template.set_unlimited_nats_limits();
        template.permissions = self.permissions()?;
        for (field, text, slot) in [
            ("role-subs", &self.subs, &mut template.subs),
            ("role-data", &self.data, &mut template.data),
            ("role-payload", &self.payload, &mut template.payload),
        ] {
            *slot = super::parse_limit(text).map_err(|e| FormError::at(field, e))?;
        }
        template.bearer_token = self.bearer;
        template.allowed_connection_types =
            super::user::connection_types("role-conn-types", &self.connection_types)?;
        Ok(template)
    }

    /// The scope that gives `key` this role.
    fn scope(&self, key: &str) -> Result<UserScope, FormError> {
        let mut scope = UserScope::new(key, self.role.trim());
        scope.template = self.template()?;
        scope.description = self.description.trim().to_string();
        Ok(scope)
    }

    /// What a member signed in with this role could not do on the console's team pages.
    pub fn warning(&self) -> Option<String> {
        let denied = nats_auth::session::console_needs_denied(&self.permissions().ok()?);
        (!denied.is_empty()).then(|| {
            format!(
                "members with this role will not see their connections in the console: it denies {}",
                denied.join(", ")
            )
        })
    }

    /// The publish and subscribe subjects a user named `user_name` would get, templates
    /// filled in as nats-server fills them (for the editor's preview).
    pub fn preview(
        &self,
        user_name: &str,
        account: &AccountClaims,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let p = self.permissions().ok()?;
        let values = TemplateValues {
            user_name,
            user_subject: "U…",
            account_name: &account.name,
            account_subject: &account.subject,
            user_tags: &[],
            account_tags: &account.nats.generic.tags,
        };
        let expand = |list: &[String]| -> Vec<String> {
            list.iter()
                .flat_map(|s| expand_template(s, &values))
                .collect()
        };
        Some((expand(&p.publish.allow), expand(&p.subscribe.allow)))
    }
}

/// Adds a role to `account_key`: a new signing key in the vault, scoped with `form`'s
/// template; re-signs the account. Returns the key.
pub fn add_role(
    data: &mut VaultData,
    account_key: &str,
    form: &RoleForm,
    now: i64,
) -> Result<String, FormError> {
    let name = account(data, account_key)
        .ok_or("no such account in the vault")?
        .name;
    form.template()?;
    let key = new_key(
        data,
        KeyType::Account,
        "account signing key",
        &format!("{name} role {}", form.role.trim()),
        Some(account_key.to_string()),
    )?;
    let scope = form.scope(&key.public_key())?;
    resign(data, account_key, now, |c| {
        c.nats.signing_keys.add_scope(scope);
        Ok(())
    })?;
    Ok(key.public_key())
}

/// Changes the template of the scoped key `key` of `account_key` and re-signs the account.
pub fn update_role(
    data: &mut VaultData,
    account_key: &str,
    key: &str,
    form: &RoleForm,
    now: i64,
) -> Result<String, FormError> {
    let scope = form.scope(key)?;
    resign(data, account_key, now, |c| {
        if c.nats.signing_keys.scope(key).is_none() {
            return Err("no such role in this account".into());
        }
        c.nats.signing_keys.add_scope(scope);
        Ok(())
    })
}

/// Removes the scoped key `key` from `account_key` (its users stop connecting once pushed).
pub fn remove_role(
    data: &mut VaultData,
    account_key: &str,
    key: &str,
    now: i64,
) -> Result<String, FormError> {
    resign(data, account_key, now, |c| {
        c.nats.signing_keys.0.remove(key);
        Ok(())
    })
}

/// Gives `member_key` the role `form` as a scoped signing key of `account_key` (in the vault),
/// re-signs the account and returns its JWT, to push.
pub fn approve_member(
    data: &mut VaultData,
    account_key: &str,
    member_key: &str,
    form: &RoleForm,
    now: i64,
) -> Result<String, FormError> {
    let scope = form.scope(member_key)?;
    let mut claims = account(data, account_key).ok_or_else(|| {
        format!(
            "account {} is not in this vault: only the vault that signs it can add a key",
            short(account_key)
        )
    })?;
    claims.nats.signing_keys.add_scope(scope);
    sign_account(data, claims, "", now)
}

/// Revokes `user_key` in `account_key` (in the vault) from `now`; returns the account JWT to push.
pub fn revoke_key(
    data: &mut VaultData,
    account_key: &str,
    user_key: &str,
    now: i64,
) -> Result<String, FormError> {
    let mut claims = account(data, account_key)
        .ok_or_else(|| format!("account {} is not in this vault", short(account_key)))?;
    claims.revoke_at(user_key, now);
    sign_account(data, claims, "", now)
}

/// A member's own signing key for `account_key`, made in their vault to ask for access.
pub fn member_key(
    data: &mut VaultData,
    account_key: &str,
    name: &str,
) -> Result<String, FormError> {
    if !nats_auth::nkeys::is_valid_public_account_key(account_key.trim()) {
        return Err(FormError::at(
            "access-account",
            "the account's public key: 56 characters starting with A (ask your admin)",
        ));
    }
    if name.trim().is_empty() {
        return Err(FormError::at(
            "access-name",
            "your name: the admin sees who asks",
        ));
    }
    let key = new_key(
        data,
        KeyType::Account,
        "account signing key",
        &format!("{} for {}", name.trim(), short(account_key)),
        Some(account_key.trim().to_string()),
    )?;
    Ok(key.public_key())
}

/// A user of `account` (as the console stores it) signed by the vault's `signer`: a scoped
/// key's users carry no permissions of their own. Returns (JWT, creds); the user's seed goes
/// into the creds file only.
pub fn team_user(
    data: &VaultData,
    account: &AccountClaims,
    signer: &str,
    name: &str,
    days: &str,
    now: i64,
) -> Result<(String, String), FormError> {
    if name.trim().is_empty() {
        return Err(FormError::at("team-user-name", "the user needs a name"));
    }
    let days: i64 = match days.trim().parse() {
        Ok(d) if (1..=3650).contains(&d) => d,
        _ => {
            return Err(FormError::at(
                "team-user-days",
                format!("a number of days from 1 to 3650 (got {:?})", days.trim()),
            ))
        }
    };
    let pair = pair_of(data, signer).map_err(|e| FormError::at("team-user-name", e))?;
    let user = KeyPair::new(KeyType::User, &mut nats_auth::OsRng).map_err(|e| e.to_string())?;
    let mut claims = UserClaims::new(user.public_key());
    claims.name = name.trim().to_string();
    claims.expires = now + days * 86_400;
    if signer != account.subject {
        claims.nats.issuer_account = account.subject.clone();
    }
    if account.nats.signing_keys.scope(signer).is_some() {
        claims.nats.limits = Default::default();
    }
    let jwt = claims.encode(&pair, now).map_err(|e| e.to_string())?;
    // a member signs with their scoped signing key, never the identity: strict signing (the
    // operator's, which a member's vault does not hold) cannot refuse it
    nats_auth::chain::check_user(&claims, account, None)
        .map_err(|e| FormError::at("team-user-name", e.to_string()))?;
    let seed = user.seed().map_err(|e| e.to_string())?;
    let creds = creds::format_user_creds(&jwt, &seed).map_err(|e| e.to_string())?;
    Ok((jwt, creds))
}
