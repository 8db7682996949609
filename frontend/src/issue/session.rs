//! Signing in to this console: the vault signs a short-lived user JWT for the sign-in key the
//! console made, with an account key or one of its signing keys. Before it is sent, the JWT is
//! checked with `nats_auth::session::check_sign_in`, the rule the console itself applies.

use nats_auth::jwt::{AccountClaims, OperatorClaims, UserClaims};
use nats_auth::session::{check_sign_in, SessionGrant, MAX_SESSION_SECONDS};

use super::{pair_of, short};
use crate::forms::FormError;
use crate::vault::VaultData;

/// A key of the vault that can sign in: an account identity, or an account signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInChoice {
    pub account: String,
    pub signer: String,
    pub label: String,
}

/// Every key of the vault that can sign in, system account first (it gives the admin role).
pub fn sign_in_choices(data: &VaultData, system_account: &str) -> Vec<SignInChoice> {
    let name_of = |account: &str| {
        data.accounts
            .iter()
            .find(|a| a.key == account)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| short(account))
    };
    let operator = super::operator(data);
    let identity_signs = |account: &str| {
        super::account(data, account)
            .is_none_or(|a| nats_auth::chain::account_identity_signs_users(&a, operator.as_ref()))
    };
    let mut choices: Vec<SignInChoice> = data
        .keys
        .iter()
        .filter_map(|k| {
            let (account, how) = match k.role.as_str() {
                // under a strict operator the identity key signs no user, sessions included
                "account" if !identity_signs(&k.public_key) => return None,
                "account" => (k.public_key.clone(), "identity key"),
                "account signing key" => (k.signs_for.clone()?, "signing key"),
                _ => return None,
            };
            let role = if account == system_account {
                "admin"
            } else {
                "team"
            };
            Some(SignInChoice {
                label: format!(
                    "{} ({role}), {how} {}",
                    name_of(&account),
                    short(&k.public_key)
                ),
                account,
                signer: k.public_key.clone(),
            })
        })
        .collect();
    choices.sort_by_key(|c| c.account != system_account);
    choices
}

/// Hours as typed: a whole number from 1 to 12.
fn hours(text: &str) -> Result<i64, FormError> {
    match text.trim().parse::<i64>() {
        Ok(h) if (1..=MAX_SESSION_SECONDS / 3600).contains(&h) => Ok(h),
        _ => Err(FormError::at(
            "sign-in-hours",
            format!(
                "a whole number of hours from 1 to 12 (got {:?})",
                text.trim()
            ),
        )),
    }
}

/// Signs the session JWT for `session_key` and checks it as the console will: a user of
/// `account` (as the console stores it), signed by `signer`, named `name`, for `hours`.
#[allow(clippy::too_many_arguments)]
pub fn session_jwt(
    data: &VaultData,
    operator: &OperatorClaims,
    account: &AccountClaims,
    signer: &str,
    session_key: &str,
    name: &str,
    hours_text: &str,
    now: i64,
) -> Result<(String, SessionGrant), FormError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FormError::at(
            "sign-in-name",
            "your name: the audit log records who signed in",
        ));
    }
    let hours = hours(hours_text)?;
    let pair = pair_of(data, signer).map_err(|e| FormError::at("sign-in-as", e))?;
    let mut claims = UserClaims::new(session_key);
    claims.name = name.to_string();
    claims.expires = now + hours * 3600;
    if signer != account.subject {
        claims.nats.issuer_account = account.subject.clone();
    }
    // a scoped signing key's users carry no permissions or limits: its template applies
    if account.nats.signing_keys.scope(signer).is_some() {
        claims.nats.limits = Default::default();
    }
    let jwt = claims
        .encode(&pair, now)
        .map_err(|e| FormError::at("sign-in-as", e.to_string()))?;
    let grant = check_sign_in(&jwt, session_key, operator, |_| Some(account.clone()), now)
        .map_err(|refusal| FormError::at("sign-in-as", refusal.to_string()))?;
    Ok((jwt, grant))
}
