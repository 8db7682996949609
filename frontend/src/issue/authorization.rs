//! Auth callout (`nsc edit authcallout`): the users of an account that run the callout service,
//! the accounts it may place users in, and an xkey, generated into the vault, to encrypt the
//! server's requests. nats-auth's rules decide; the input at fault is named.

use nats_auth::jwt::ExternalAuthorization;
use nats_auth::validation::ValidationResults;
use nats_auth::xkeys::XKey;

use super::{account, list, sign_account};
use crate::forms::FormError;
use crate::vault::{VaultData, VaultKey};

/// The callout settings as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthorizationForm {
    /// Public keys of the service's users (U…), comma separated.
    pub auth_users: String,
    /// Accounts its users may be placed in (A…), or `*`.
    pub allowed_accounts: String,
    /// Encrypt the server's requests with an xkey of this vault.
    pub encrypt: bool,
}

impl AuthorizationForm {
    pub fn of(authorization: &ExternalAuthorization) -> Self {
        AuthorizationForm {
            auth_users: authorization.auth_users.join(", "),
            allowed_accounts: authorization.allowed_accounts.join(", "),
            encrypt: !authorization.xkey.is_empty(),
        }
    }
}

/// Sets (or with both lists empty, turns off) the callout of `account_key`; generates the
/// xkey into the vault when asked and none is there. Re-signs the account.
pub fn set_authorization(
    data: &mut VaultData,
    account_key: &str,
    form: &AuthorizationForm,
    now: i64,
) -> Result<String, FormError> {
    let mut claims = account(data, account_key).ok_or("no such account in the vault")?;
    let mut authorization = ExternalAuthorization {
        auth_users: list(&form.auth_users),
        allowed_accounts: list(&form.allowed_accounts),
        xkey: String::new(),
    };
    // each list's errors at its own input
    for (field, part) in [
        (
            "auth-users",
            ExternalAuthorization {
                auth_users: authorization.auth_users.clone(),
                ..Default::default()
            },
        ),
        ("auth-accounts", authorization.clone()),
    ] {
        let mut vr = ValidationResults::new();
        part.validate(&mut vr);
        if vr.is_blocking(false) {
            return Err(FormError::at(field, vr.blocking_summary()));
        }
    }
    let off = authorization.auth_users.is_empty();
    if form.encrypt && !off {
        let current = &claims.nats.authorization.xkey;
        authorization.xkey = if !current.is_empty() && data.seed_of(current).is_some() {
            current.clone()
        } else {
            let xkey = XKey::new(&mut nats_auth::OsRng).map_err(|e| e.to_string())?;
            data.keys.push(VaultKey {
                role: "curve".into(),
                name: format!("{} auth callout xkey", claims.name),
                public_key: xkey.public_key(),
                seed: xkey.seed().map_err(|e| e.to_string())?,
                signs_for: Some(account_key.to_string()),
            });
            xkey.public_key()
        };
    }
    claims.nats.authorization = authorization;
    let name = claims.name.clone();
    sign_account(data, claims, "", now).map_err(|e| e.or_at("auth-users"))?;
    Ok(if off {
        format!("auth callout of {name} turned off: push the account")
    } else {
        format!("auth callout of {name} set: push the account")
    })
}
