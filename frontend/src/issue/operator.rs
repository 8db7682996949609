//! The operator: create it as `nsc add operator --sys` does, edit its settings (re-signed with
//! its identity key), or import an operator JWT made elsewhere.

use nats_auth::jwt::{
    validate_account_server_url, validate_operator_service_url, AccountClaims, AnyClaims,
    OperatorClaims,
};
use nats_auth::nkeys::KeyType;

use super::{list, new_key, operator, pair_of, save_user, sign_account, UserForm};
use crate::forms::FormError;
use crate::vault::VaultData;

/// The operator form as typed.
#[derive(Debug, Clone, Default)]
pub struct OperatorForm {
    pub name: String,
    /// On creation: also make a signing key (accounts are then signed with it).
    pub signing_key: bool,
    pub account_server_url: String,
    /// nats://, tls://, ws:// or wss:// URLs, comma or line separated.
    pub service_urls: String,
    /// The system account's public key (empty on creation: a new `SYS`).
    pub system_account: String,
    pub strict_signing: bool,
}

impl OperatorForm {
    pub fn of(claims: &OperatorClaims) -> Self {
        OperatorForm {
            name: claims.name.clone(),
            signing_key: false,
            account_server_url: claims.nats.account_server_url.clone(),
            service_urls: claims.nats.operator_service_urls.join(", "),
            system_account: claims.nats.system_account.clone(),
            strict_signing: claims.nats.strict_signing_key_usage,
        }
    }

    /// Sets name, account server URL, service URLs, system account and strict signing.
    fn apply(&self, claims: &mut OperatorClaims) -> Result<(), FormError> {
        if self.name.trim().is_empty() {
            return Err(FormError::at("operator-name", "the operator needs a name"));
        }
        claims.name = self.name.trim().to_string();
        let url = self.account_server_url.trim();
        // Go's rules name what is wrong in Go's words; first say what is expected
        if !url.is_empty() && !url.contains("://") {
            return Err(FormError::at(
                "operator-asu",
                format!(
                    "expected an account server URL such as http://host:9090/jwt/v1 (got {url:?})"
                ),
            ));
        }
        if let Some(reason) = validate_account_server_url(url) {
            return Err(FormError::at("operator-asu", reason));
        }
        claims.nats.account_server_url = url.to_string();
        let urls = list(&self.service_urls);
        if let Some(bad) = urls.iter().find(|u| !u.contains("://")) {
            return Err(FormError::at(
                "operator-service-urls",
                format!("expected service URLs such as nats://host:4222 (got {bad:?})"),
            ));
        }
        if let Some(reason) = urls.iter().find_map(|u| validate_operator_service_url(u)) {
            return Err(FormError::at("operator-service-urls", reason));
        }
        claims.nats.operator_service_urls = urls;
        let sys = self.system_account.trim();
        if !sys.is_empty() && !nats_auth::nkeys::is_valid_public_key_of(KeyType::Account, sys) {
            return Err(FormError::at(
                "operator-system-account",
                format!("{sys} is not an account public key"),
            ));
        }
        claims.nats.system_account = sys.to_string();
        claims.nats.strict_signing_key_usage = self.strict_signing;
        Ok(())
    }
}

/// `nsc add operator --sys`: the operator (optionally with a signing key), the system account
/// `SYS` and its user `sys`.
pub fn create_operator(
    data: &mut VaultData,
    form: &OperatorForm,
    now: i64,
) -> Result<(), FormError> {
    if let Some(op) = operator(data) {
        return Err(format!("this vault already has operator {}", op.name).into());
    }
    let mut claims = OperatorClaims::new("");
    form.apply(&mut claims)?;
    if form.strict_signing && !form.signing_key {
        return Err(FormError::at(
            "operator-strict",
            "strict signing needs a signing key: tick \"Sign accounts with a signing key\"",
        ));
    }
    let identity = new_key(data, KeyType::Operator, "operator", &claims.name, None)?;
    claims.subject = identity.public_key();
    if form.signing_key {
        let sk = new_key(
            data,
            KeyType::Operator,
            "operator signing key",
            &claims.name,
            Some(identity.public_key()),
        )?;
        claims.nats.signing_keys.push(sk.public_key());
    }
    let sys = new_key(data, KeyType::Account, "account", "SYS", None)?;
    if claims.nats.system_account.is_empty() {
        claims.nats.system_account = sys.public_key();
    }
    sign_operator(data, claims, now)?;
    let mut sys_claims = AccountClaims::new(sys.public_key());
    sys_claims.name = "SYS".into();
    if form.strict_signing {
        // users of SYS (sys, the console's link) must come from a signing key under strict signing
        let sk = new_key(
            data,
            KeyType::Account,
            "account signing key",
            "SYS",
            Some(sys.public_key()),
        )?;
        sys_claims.nats.signing_keys.add(sk.public_key());
    }
    sign_account(data, sys_claims, "", now)?;
    let sys_user = UserForm {
        name: "sys".into(),
        ..Default::default()
    };
    save_user(data, &sys.public_key(), None, &sys_user, "", now)?;
    Ok(())
}

/// Re-signs the operator with the form's settings (its identity key must be in the vault).
pub fn update_operator(
    data: &mut VaultData,
    form: &OperatorForm,
    now: i64,
) -> Result<String, FormError> {
    let mut claims = operator(data).ok_or("create or import an operator first")?;
    form.apply(&mut claims)?;
    if claims.nats.strict_signing_key_usage && claims.nats.signing_keys.is_empty() {
        return Err(FormError::at(
            "operator-strict",
            "strict signing needs at least one operator signing key",
        ));
    }
    if claims.nats.strict_signing_key_usage {
        // nats-server then takes users from account signing keys only: an account without one
        // would lose every user
        let keyless: Vec<String> = data
            .accounts
            .iter()
            .filter(|a| {
                super::account(data, &a.key).is_some_and(|c| c.nats.signing_keys.is_empty())
            })
            .map(|a| a.name.clone())
            .collect();
        if !keyless.is_empty() {
            return Err(FormError::at(
                "operator-strict",
                format!(
                    "under strict signing nats-server refuses users signed by an account's identity key, and {} has no signing key: give each one first (Accounts → Edit → Generate a new signing key), then re-sign its users",
                    keyless.join(", ")
                ),
            ));
        }
    }
    sign_operator(data, claims, now)
}

pub(super) fn sign_operator(
    data: &mut VaultData,
    mut claims: OperatorClaims,
    now: i64,
) -> Result<String, FormError> {
    let identity = pair_of(data, &claims.subject)?;
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(issues.blocking_summary().into());
    }
    let jwt = claims.encode(&identity, now).map_err(|e| e.to_string())?;
    data.operator_jwt = Some(jwt.clone());
    Ok(jwt)
}

/// Takes an operator JWT made elsewhere (`nsc`, another console): self-signed, valid, and
/// — if the vault already has an operator — the same operator, not older (nats-auth's rule).
pub fn import_operator(data: &mut VaultData, jwt: &str, now: i64) -> Result<String, FormError> {
    const FIELD: &str = "operator-import";
    let token = nats_auth::creds::parse_decorated_jwt(jwt);
    let claims = match nats_auth::jwt::decode(&token) {
        Ok(AnyClaims::Operator(o)) => o,
        Ok(other) => {
            return Err(FormError::at(
                FIELD,
                format!(
                    "this is a {} JWT, not an operator JWT",
                    other.claim_type().as_str()
                ),
            ))
        }
        Err(e) => return Err(FormError::at(FIELD, e.to_string())),
    };
    let issues = claims.validate(now);
    if issues.is_blocking(true) {
        return Err(FormError::at(FIELD, issues.blocking_summary()));
    }
    nats_auth::chain::check_operator_update(&claims, operator(data).as_ref())
        .map_err(|e| FormError::at(FIELD, e.to_string()))?;
    data.operator_jwt = Some(token);
    Ok(claims.name)
}
