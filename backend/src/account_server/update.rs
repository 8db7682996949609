//! The one write path of the account store. A POST and an update received over NATS both come
//! here: the JWT must verify and chain to the operator (nats-auth decides), must be about the
//! account it is sent for, and must not be older than the stored one. Identical bytes change
//! nothing; a change is saved atomically and announced once.

use nats_auth::chain::{self, Stage, Trust};
use nats_auth::jwt::AnyClaims;
use nats_auth::nkeys::{is_valid_public_account_key, is_valid_public_operator_key};

use super::AppState;
use crate::audit::{changed_claims, Origin, Via};
use crate::store::{StoreError, StoredJwt};

/// What an accepted update did.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Saved(StoredJwt),
    /// The same bytes were already stored: no write, no notification.
    Unchanged,
}

/// Why an update was refused; each maps to an HTTP status and a reason for the user.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("bad JWT in request: {0}")]
    BadJwt(String),
    #[error("not an account JWT: a {0} JWT was sent")]
    NotAnAccount(&'static str),
    #[error("pub keys don't match: the path names {path} but the JWT is about {subject}")]
    KeyMismatch { path: String, subject: String },
    #[error("{0} is not an account public key")]
    InvalidAccountKey(String),
    #[error(
        "no operator is configured (operatorjwtpath or -operator): cannot trust any account JWT"
    )]
    NoOperator,
    #[error("untrusted issuer in request: {0}")]
    Untrusted(String),
    #[error("The server was unable to update your account JWT. One more more validation issues occurred.\n{}", .0.iter().map(|i| format!("\t - {i}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<String>),
    #[error("the JWT was issued at {new_iat}, before the stored one ({stored_iat}): refusing to roll the account back")]
    Older { stored_iat: i64, new_iat: i64 },
    #[error("not an activation JWT: a {0} JWT was sent")]
    NotAnActivation(&'static str),
    #[error("not a delete request: a {0} JWT was sent (a generic claim signed by the operator is expected)")]
    NotADeleteRequest(&'static str),
    #[error("deleting accounts is off: set store {{ allow_delete: true }} to allow it")]
    DeleteOff,
    #[error("not an operator JWT: a {0} JWT was sent")]
    NotAnOperator(&'static str),
    #[error("the operator is set by this server's configuration (-operator or operatorjwtpath)")]
    OperatorPinned,
    #[error("this server serves a {0}; it takes no updates")]
    ReadOnly(&'static str),
    #[error("this server is a replica of {0}; send updates to the primary")]
    Replica(String),
    #[error("could not store the JWT: {0}")]
    Store(#[from] StoreError),
    #[error("could not record the change in the audit log, so it was not made: {0}")]
    Audit(String),
}

/// Blocking validation issues (errors and failed time checks) refuse an update, listed as NAS lists them.
fn refuse_invalid(issues: &nats_auth::validation::ValidationResults) -> Result<(), UpdateError> {
    if !issues.is_blocking(true) {
        return Ok(());
    }
    Err(UpdateError::Invalid(
        issues
            .issues
            .iter()
            .filter(|i| i.kind != nats_auth::validation::IssueKind::Warning)
            .map(|i| i.description.clone())
            .collect(),
    ))
}

/// Verifies `jwt` as an update of account `path_key` (when the path names one), records it in the
/// audit log and stores it. Changes that came over HTTP are announced on NATS.
pub async fn update_account(
    state: &AppState,
    path_key: Option<&str>,
    jwt: &str,
    origin: &Origin,
) -> Result<UpdateOutcome, UpdateError> {
    if state.store.is_read_only() {
        return Err(UpdateError::ReadOnly(state.store.kind()));
    }
    state.store.check_writable()?;
    if let Some(key) = path_key {
        if !is_valid_public_account_key(key) {
            return Err(UpdateError::InvalidAccountKey(key.to_string()));
        }
    }
    let jwt = jwt.trim();
    let trusted = state.operator.get();
    let operator = trusted.as_ref().map(|o| &o.claims);
    let verdict = chain::check(
        jwt,
        Trust {
            operator,
            account: None,
        },
        crate::time::unix_now(),
    );
    let claims = match (&verdict.stage, &verdict.claims) {
        (Stage::Decode, _) | (_, None) => {
            return Err(UpdateError::BadJwt(verdict.reason.unwrap_or_default()))
        }
        (_, Some(claims)) => claims,
    };
    let AnyClaims::Account(account) = claims else {
        return Err(UpdateError::NotAnAccount(claims.claim_type().as_str()));
    };
    if let Some(key) = path_key {
        if key != account.subject {
            return Err(UpdateError::KeyMismatch {
                path: key.to_string(),
                subject: account.subject.clone(),
            });
        }
    }
    let Some(operator) = operator else {
        return Err(UpdateError::NoOperator);
    };
    if !is_valid_public_operator_key(&account.issuer) {
        return Err(UpdateError::Untrusted(format!(
            "{} is not an operator key (self-signed accounts need an operator signature)",
            account.issuer
        )));
    }
    // trust before validity, as NAS orders its checks
    chain::check_account(account, operator).map_err(|f| UpdateError::Untrusted(f.to_string()))?;
    refuse_invalid(&verdict.issues)?;

    let stored = StoredJwt {
        account: account.subject.clone(),
        jwt: jwt.into(),
        jti: account.id.clone(),
        issued_at: account.issued_at,
        expires: account.expires,
        revision: 0,
        name: account.name.as_str().into(),
    };
    // compare and save as one step: concurrent updates of one account cannot interleave, while
    // different accounts write (and fsync) in parallel
    let _write = state.write_locks.lock_for(&stored.account).await;
    // another console instance on the same bucket may have written first: then the index has
    // caught up and the update is judged again against what it wrote
    let mut attempts = 0;
    let (entry, saved) = loop {
        attempts += 1;
        let current = state.store.get(&stored.account);
        if let Some(current) = &current {
            if current.jwt == stored.jwt {
                return Ok(UpdateOutcome::Unchanged);
            }
            if stored.issued_at < current.issued_at {
                return Err(UpdateError::Older {
                    stored_iat: current.issued_at,
                    new_iat: stored.issued_at,
                });
            }
        }
        let (entry, saved) =
            record_and_save(state, account, &stored, current.as_ref(), origin).await?;
        match saved {
            Err(StoreError::Conflict(_)) if attempts < MAX_CONFLICTS => continue,
            saved => break (entry, saved),
        }
    };
    state.applied(entry);
    saved?;
    drop(_write);
    if origin.via == Via::Http {
        state
            .nats
            .publish_update(&stored.account, &stored.jwt)
            .await;
    }
    Ok(UpdateOutcome::Saved(stored))
}

/// Concurrent writes of one account by other console instances that one update waits out.
const MAX_CONFLICTS: usize = 5;

/// Records the push in the audit log, then saves it; a failed save is recorded too.
async fn record_and_save(
    state: &AppState,
    account: &nats_auth::jwt::AccountClaims,
    stored: &StoredJwt,
    current: Option<&StoredJwt>,
    origin: &Origin,
) -> Result<(Option<u64>, Result<(), StoreError>), UpdateError> {
    let mut details = serde_json::json!({
        "name": account.name,
        "issuer": account.issuer,
        "old_jti": current.map(|c| c.jti.as_str()),
        "new_jti": stored.jti,
        "changed": changed_claims(current.map(|c| &*c.jwt), &stored.jwt),
    });
    if state.write_ahead {
        // the entry carries the JWT: the audit log is the store's write-ahead log
        details["jwt"] = serde_json::Value::from(&*stored.jwt);
    }
    let entry = record(
        state,
        origin
            .record(&account.issuer, "account.pushed")
            .subject(&stored.account)
            .details(details)
            .changes_store(),
    )
    .await?;
    let saved = if state.write_ahead {
        // one unsynced write: cheaper in place than the hop to a blocking thread and back
        state.store.save(stored, current)
    } else {
        let store = state.store.clone();
        let (to_save, replaces) = (stored.clone(), current.cloned());
        tokio::task::spawn_blocking(move || store.save(&to_save, replaces.as_ref()))
            .await
            .unwrap_or_else(|e| {
                Err(StoreError::Io {
                    path: stored.account.clone(),
                    source: std::io::Error::other(e.to_string()),
                })
            })
    };
    if let Err(e) = &saved {
        // the entry said "pushed": say it failed, so the write-ahead replay leaves it alone
        let failed = origin
            .record(&account.issuer, "account.push-failed")
            .subject(&stored.account)
            .outcome(e.to_string())
            .details(serde_json::json!({ "entry": entry }));
        let _ = state.record(failed).await;
        if matches!(e, StoreError::Conflict(_)) {
            // judged again with a new entry: this one is settled
            state.applied(entry);
        }
    }
    Ok((entry, saved))
}

/// Verifies an activation as its exporter's: issued by an account stored here (so trusted by the
/// operator) or its signing key with `issuer_account`, not revoked by the export, valid now.
pub async fn update_activation(
    state: &AppState,
    jwt: &str,
    origin: &Origin,
) -> Result<StoredJwt, UpdateError> {
    if state.store.is_read_only() {
        return Err(UpdateError::ReadOnly(state.store.kind()));
    }
    state.store.check_writable()?;
    let jwt = jwt.trim();
    let activation = match nats_auth::jwt::decode(jwt) {
        Ok(AnyClaims::Activation(a)) => a,
        Ok(other) => return Err(UpdateError::NotAnActivation(other.claim_type().as_str())),
        Err(e) => return Err(UpdateError::BadJwt(e.to_string())),
    };
    let exporter = if activation.nats.issuer_account.is_empty() {
        &activation.issuer
    } else {
        &activation.nats.issuer_account
    };
    let stored = state.store.get(exporter).ok_or_else(|| {
        UpdateError::Untrusted(format!(
            "the exporting account {exporter} is not stored here"
        ))
    })?;
    let Ok(AnyClaims::Account(account)) = nats_auth::jwt::decode(&stored.jwt) else {
        return Err(UpdateError::Untrusted(format!(
            "the stored JWT of {exporter} does not decode"
        )));
    };
    chain::check_activation(&activation, &account)
        .map_err(|f| UpdateError::Untrusted(f.to_string()))?;
    let issues = AnyClaims::Activation(activation.clone()).validate(crate::time::unix_now());
    refuse_invalid(&issues)?;
    let hash = activation.hash_id();
    let stored = StoredJwt::new(
        &hash,
        jwt,
        &activation.id,
        activation.issued_at,
        activation.expires,
    );
    record(
        state,
        origin
            .record(&activation.issuer, "activation.stored")
            .subject(&hash)
            .details(serde_json::json!({
                "exporter": exporter,
                "subject": activation.subject,
                "import_subject": activation.nats.import_subject,
                "jti": activation.id,
            })),
    )
    .await?;
    let store = state.store.clone();
    let to_save = stored.clone();
    tokio::task::spawn_blocking(move || store.save_activation(&to_save))
        .await
        .map_err(|e| StoreError::Io {
            path: hash.clone(),
            source: std::io::Error::other(e.to_string()),
        })??;
    let subject = format!("$SYS.ACCOUNT.{exporter}.CLAIMS.ACTIVATE.{hash}");
    state.nats.publish(&subject, jwt).await;
    Ok(stored)
}

/// Deletes an account on an operator-signed request listing it (`store.allow_delete`).
pub async fn delete_account(
    state: &AppState,
    account: &str,
    request_jwt: &str,
    origin: &Origin,
) -> Result<bool, UpdateError> {
    if !state.allow_delete {
        return Err(UpdateError::DeleteOff);
    }
    if state.store.is_read_only() {
        return Err(UpdateError::ReadOnly(state.store.kind()));
    }
    state.store.check_writable()?;
    if !is_valid_public_account_key(account) {
        return Err(UpdateError::InvalidAccountKey(account.to_string()));
    }
    let trusted = state.operator.get();
    let operator = trusted
        .as_ref()
        .map(|o| &o.claims)
        .ok_or(UpdateError::NoOperator)?;
    let request = match nats_auth::jwt::decode(request_jwt.trim()) {
        Ok(AnyClaims::Generic(g)) => g,
        Ok(other) => return Err(UpdateError::NotADeleteRequest(other.claim_type().as_str())),
        Err(e) => return Err(UpdateError::BadJwt(e.to_string())),
    };
    chain::check_account_deletion(&request, operator, account)
        .map_err(|f| UpdateError::Untrusted(f.to_string()))?;
    let signer = request.issuer.clone();
    let issues = AnyClaims::Generic(request).validate(crate::time::unix_now());
    refuse_invalid(&issues)?;
    let _write = state.write_locks.lock_for(account).await;
    let Some(current) = state.store.get(account) else {
        return Ok(false);
    };
    let entry = record(
        state,
        origin
            .record(&signer, "account.deleted")
            .subject(account)
            .details(serde_json::json!({ "old_jti": current.jti }))
            .changes_store(),
    )
    .await?;
    let store = state.store.clone();
    let key = account.to_string();
    let deleted = tokio::task::spawn_blocking(move || store.delete(&key)).await;
    state.applied(entry);
    Ok(deleted.map_err(|e| StoreError::Io {
        path: account.to_string(),
        source: std::io::Error::other(e.to_string()),
    })??)
}

/// Sets the trusted operator from the web console: on a server without one, a self-signed
/// operator JWT; afterwards only a newer JWT issued by that same operator's keys.
pub async fn update_operator(
    state: &AppState,
    jwt: &str,
    origin: &Origin,
) -> Result<String, UpdateError> {
    let Some(keeper) = &state.operator.keeper else {
        return Err(if state.store.is_read_only() {
            UpdateError::ReadOnly(state.store.kind())
        } else {
            UpdateError::OperatorPinned
        });
    };
    let jwt = jwt.trim();
    let claims = match nats_auth::jwt::decode(jwt) {
        Ok(AnyClaims::Operator(o)) => o,
        Ok(other) => return Err(UpdateError::NotAnOperator(other.claim_type().as_str())),
        Err(e) => return Err(UpdateError::BadJwt(e.to_string())),
    };
    let issues = claims.validate(crate::time::unix_now());
    refuse_invalid(&issues)?;
    let trusted = state.operator.get();
    chain::check_operator_update(&claims, trusted.as_ref().map(|o| &o.claims)).map_err(
        |failure| match failure {
            chain::TrustFailure::OlderOperator {
                trusted_iat,
                issued_at,
            } => UpdateError::Older {
                stored_iat: trusted_iat,
                new_iat: issued_at,
            },
            other => UpdateError::Untrusted(other.to_string()),
        },
    )?;
    let action = if trusted.is_some() {
        "operator.updated"
    } else {
        "operator.trusted"
    };
    record(
        state,
        origin
            .record(&claims.issuer, action)
            .subject(&claims.subject)
            .details(serde_json::json!({
                "name": claims.name,
                "old_jti": trusted.as_ref().map(|o| o.claims.id.as_str()),
                "new_jti": claims.id,
                "changed": changed_claims(trusted.as_ref().map(|o| o.jwt.as_str()), jwt),
            })),
    )
    .await?;
    keeper.keep(jwt).await?;
    let name = format!("{} ({})", claims.name, claims.subject);
    state.operator.set(crate::state::Operator {
        jwt: jwt.to_string(),
        claims,
    });
    state.setup_code.void();
    Ok(name)
}

/// Writes `entry` to the audit log before the change it records is made; returns its number.
async fn record(state: &AppState, entry: crate::audit::Record) -> Result<Option<u64>, UpdateError> {
    state
        .record_entry(entry)
        .await
        .map_err(|e| match e.is_unavailable() {
            true => UpdateError::Store(StoreError::Unavailable(e.to_string())),
            false => UpdateError::Audit(e.to_string()),
        })
}
