//! The health report over the vault's JWTs (nats-auth's checks) and the fixes it offers that
//! change the vault: renewing a JWT, signing keys for the operator or an account, strict
//! signing. Pushing is the page's to do.

use nats_auth::health::{self, Finding, Fix, Inputs};
use nats_auth::jwt::{AccountClaims, UserClaims};
use nats_auth::nkeys::KeyType;
use std::collections::BTreeMap;

use super::{account, new_key, operator, user, AccountForm, OperatorForm};
use crate::vault::VaultData;

/// The report for the vault, given what the console stores (`stored`: account → JWT, or
/// `None` when not stored) and which accounts the cluster holds otherwise.
pub fn health_report(
    data: &VaultData,
    stored: BTreeMap<String, Option<String>>,
    cluster_differs: Vec<String>,
    now: i64,
    horizon_days: i64,
) -> Vec<Finding> {
    let op = operator(data);
    let accounts: Vec<(AccountClaims, &str)> = data
        .accounts
        .iter()
        .filter_map(|a| account(data, &a.key).map(|c| (c, a.jwt.as_str())))
        .collect();
    let users: Vec<UserClaims> = data
        .users
        .iter()
        .filter_map(|u| user(data, &u.key))
        .collect();
    let inputs = Inputs {
        operator: op.as_ref(),
        accounts: accounts.iter().map(|(c, j)| (c, *j)).collect(),
        users: users.iter().collect(),
        stored,
        cluster_differs,
        now,
        horizon: horizon_days.max(0) * 86_400,
    };
    health::report(&inputs)
}

/// Valid again for as long as it was: `exp` moved to now plus its old `exp - iat` (a day at
/// least).
fn renewed_expiry(iat: i64, exp: i64, now: i64) -> i64 {
    now + (exp - iat).max(86_400)
}

/// Makes a fix that changes the vault; says what was done. [`Fix::PushAccount`] is not one.
pub fn apply_fix(data: &mut VaultData, fix: &Fix, now: i64) -> Result<String, String> {
    match fix {
        Fix::Renew(key) => {
            if let Some(mut claims) = account(data, key) {
                claims.expires = renewed_expiry(claims.issued_at, claims.expires, now);
                let name = claims.name.clone();
                super::sign_account(data, claims, "", now).map_err(|e| e.message)?;
                Ok(format!("account {name} renewed: push it"))
            } else if let Some(mut claims) = user(data, key) {
                claims.expires = renewed_expiry(claims.issued_at, claims.expires, now);
                let name = claims.name.clone();
                let account_key = data
                    .users
                    .iter()
                    .find(|u| u.key == *key)
                    .and_then(|u| u.account.clone())
                    .ok_or("the user's account is not in the vault")?;
                super::user::sign_user(data, &account_key, claims, "", now)
                    .map_err(|e| e.message)?;
                Ok(format!("user {name} renewed: hand out its new creds"))
            } else {
                Err("no such account or user in the vault".into())
            }
        }
        Fix::AddAccountSigningKey(key) => {
            let claims = account(data, key).ok_or("no such account in the vault")?;
            let mut form = AccountForm::of(&claims, now);
            form.new_signing_key = true;
            super::save_account(data, Some(key), &form, "", now).map_err(|e| e.message)?;
            Ok(format!(
                "account {} has a signing key now: push it; new users are signed with it",
                claims.name
            ))
        }
        Fix::AddOperatorSigningKey => {
            let mut claims = operator(data).ok_or("the vault holds no operator")?;
            let key = new_key(
                data,
                KeyType::Operator,
                "operator signing key",
                &claims.name,
                Some(claims.subject.clone()),
            )?;
            claims.nats.signing_keys.push(key.public_key());
            let name = claims.name.clone();
            super::operator::sign_operator(data, claims, now).map_err(|e| e.message)?;
            Ok(format!(
                "operator {name} has a signing key now: push the operator; accounts are signed with it from now on"
            ))
        }
        Fix::TurnOnStrictSigning => {
            let claims = operator(data).ok_or("the vault holds no operator")?;
            let mut form = OperatorForm::of(&claims);
            form.strict_signing = true;
            super::update_operator(data, &form, now).map_err(|e| e.message)?;
            Ok(format!(
                "operator {} demands signing keys now: push the operator",
                claims.name
            ))
        }
        Fix::PushAccount(_) => Err("pushing is done by the page".into()),
    }
}
