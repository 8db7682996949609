//! Chain of trust: operator → account → user (and exporter → activation). Every trust rule —
//! signature, issuer, signing-key scope, revocation, expiry, strict signing — is decided here,
//! once, for the server and the browser alike.

use std::fmt;

use serde::Serialize;

use crate::jwt::{self, AccountClaims, ActivationClaims, AnyClaims, OperatorClaims, UserClaims};
use crate::validation::ValidationResults;

/// Why a well-formed JWT is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustFailure {
    AccountNotSignedByOperator {
        issuer: String,
        operator: String,
    },
    /// The operator demands signing keys; its identity key signs only the operator JWT.
    OperatorIdentityKeyNotAllowed {
        operator: String,
    },
    NotSignedByOperator {
        kind: &'static str,
        issuer: String,
        operator: String,
    },
    UserNotSignedByAccount {
        issuer: String,
        account: String,
    },
    SigningKeyWithoutIssuerAccount {
        issuer: String,
        account: String,
    },
    IssuerAccountMismatch {
        issuer_account: String,
        account: String,
    },
    ScopedUserHasPermissions {
        signing_key: String,
    },
    /// Under a strict operator, nats-server takes users from an account's signing keys only.
    StrictUserIssuer {
        account: String,
    },
    Revoked {
        account: String,
    },
    BearerNotAllowed,
    ActivationNotSignedByAccount {
        issuer: String,
        account: String,
    },
    ActivationRevoked {
        account: String,
        subject: String,
    },
    WrongClaimType {
        context: &'static str,
        claim: &'static str,
    },
    /// A delete request that does not list the account to delete.
    DeletionNotRequested {
        account: String,
    },
    /// A delete request for nats-server's resolver whose subject is not its issuer.
    DeletionNotSelfSigned {
        subject: String,
        issuer: String,
    },
    /// A delete request without a list of account public keys in `nats.accounts`.
    DeletionMalformed {
        reason: String,
    },
    /// A delete request naming the operator's system account.
    SystemAccountNotDeletable {
        account: String,
    },
    /// A first operator JWT that its own key did not sign.
    OperatorNotSelfSigned {
        issuer: String,
    },
    /// An operator JWT about another operator than the trusted one.
    OtherOperator {
        trusted: String,
        subject: String,
    },
    /// An operator JWT older than the trusted one.
    OlderOperator {
        trusted_iat: i64,
        issued_at: i64,
    },
}

impl fmt::Display for TrustFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TrustFailure::*;
        match self {
            AccountNotSignedByOperator { issuer, operator } => write!(
                f,
                "account JWT issuer {issuer} not signed by operator {operator} or its signing keys"
            ),
            OperatorIdentityKeyNotAllowed { operator } => write!(
                f,
                "operator {operator} requires signing keys (strict_signing_key_usage): its identity key may sign only the operator JWT"
            ),
            NotSignedByOperator { kind, issuer, operator } => write!(
                f,
                "{kind} JWT issuer {issuer} not signed by operator {operator} or its signing keys"
            ),
            UserNotSignedByAccount { issuer, account } => write!(
                f,
                "user JWT issuer {issuer} not signed by account {account} or its signing keys"
            ),
            SigningKeyWithoutIssuerAccount { issuer, account } => {
                write!(f, "issued by signing key {issuer} without issuer_account {account}")
            }
            IssuerAccountMismatch { issuer_account, account } => {
                write!(f, "issuer_account {issuer_account} is not account {account}")
            }
            ScopedUserHasPermissions { signing_key } => write!(
                f,
                "scoped users require no permissions or limits set (signing key {signing_key} is scoped)"
            ),
            StrictUserIssuer { account } => write!(
                f,
                "the operator demands signing keys (strict signing): users of {account} must be signed by one of its signing keys, not its identity key (nats-server refuses them: \"User JWT issuer is not known\")"
            ),
            Revoked { account } => write!(f, "revoked by account {account}"),
            BearerNotAllowed => {
                f.write_str("bearer token not allowed by account (limits.disallow_bearer)")
            }
            ActivationNotSignedByAccount { issuer, account } => write!(
                f,
                "activation JWT issuer {issuer} not signed by account {account} or its signing keys"
            ),
            ActivationRevoked { account, subject } => {
                write!(f, "activation for {subject} revoked by account {account}")
            }
            WrongClaimType { context, claim } => {
                write!(f, "a {claim} JWT cannot be checked against an {context}")
            }
            DeletionNotSelfSigned { subject, issuer } => write!(
                f,
                "not self signed: a delete request's subject ({subject}) must be its issuer ({issuer})"
            ),
            DeletionMalformed { reason } => write!(f, "malformed delete request: {reason}"),
            SystemAccountNotDeletable { account } => {
                write!(f, "not allowed to delete system account {account}")
            }
            OperatorNotSelfSigned { issuer } => {
                write!(f, "a new operator JWT must be self-signed (issued by {issuer})")
            }
            OtherOperator { trusted, subject } => {
                write!(f, "operator {trusted} is trusted already; this JWT is about {subject}")
            }
            OlderOperator { trusted_iat, issued_at } => write!(
                f,
                "the operator JWT was issued at {issued_at}, before the trusted one ({trusted_iat})"
            ),
            DeletionNotRequested { account } => {
                write!(f, "the delete request does not list account {account} in nats.accounts")
            }
        }
    }
}

/// Was `account` issued by `operator` under the operator's rules?
pub fn check_account(
    account: &AccountClaims,
    operator: &OperatorClaims,
) -> Result<(), TrustFailure> {
    if !operator.did_sign(&account.issuer) {
        return Err(TrustFailure::AccountNotSignedByOperator {
            issuer: account.issuer.clone(),
            operator: operator.subject.clone(),
        });
    }
    if operator.nats.strict_signing_key_usage && account.issuer == operator.subject {
        return Err(TrustFailure::OperatorIdentityKeyNotAllowed {
            operator: operator.subject.clone(),
        });
    }
    Ok(())
}

/// Does nats-server take users signed by `account`'s identity key? Not when the account was
/// issued by a signing key of an operator with `strict_signing_key_usage` (nats-server 2.15
/// `updateAccountClaimsWithRefresh`: the identity joins the account's signers only when its
/// issuer is not a strict operator's signing key).
pub fn account_identity_signs_users(
    account: &AccountClaims,
    operator: Option<&OperatorClaims>,
) -> bool {
    !operator.is_some_and(|op| {
        op.nats.strict_signing_key_usage && op.nats.signing_keys.contains(&account.issuer)
    })
}

/// May `user` connect as a user of `account` (nats-server's rules)? Issuer, `issuer_account`,
/// scoped signing keys, revocation and the bearer policy; with the `operator` known, also its
/// strict signing (see [`account_identity_signs_users`]).
pub fn check_user(
    user: &UserClaims,
    account: &AccountClaims,
    operator: Option<&OperatorClaims>,
) -> Result<(), TrustFailure> {
    let issuer = &user.issuer;
    let issuer_account = &user.nats.issuer_account;
    if issuer == &account.subject && !account_identity_signs_users(account, operator) {
        return Err(TrustFailure::StrictUserIssuer {
            account: account.subject.clone(),
        });
    }
    if issuer != &account.subject {
        if !account.nats.signing_keys.contains(issuer) {
            return Err(TrustFailure::UserNotSignedByAccount {
                issuer: issuer.clone(),
                account: account.subject.clone(),
            });
        }
        if issuer_account.is_empty() {
            return Err(TrustFailure::SigningKeyWithoutIssuerAccount {
                issuer: issuer.clone(),
                account: account.subject.clone(),
            });
        }
    }
    if !issuer_account.is_empty() && issuer_account != &account.subject {
        return Err(TrustFailure::IssuerAccountMismatch {
            issuer_account: issuer_account.clone(),
            account: account.subject.clone(),
        });
    }
    if account.nats.signing_keys.scope(issuer).is_some() && !user.nats.limits.is_empty() {
        return Err(TrustFailure::ScopedUserHasPermissions {
            signing_key: issuer.clone(),
        });
    }
    if account.is_revoked(&user.subject, user.issued_at) {
        return Err(TrustFailure::Revoked {
            account: account.subject.clone(),
        });
    }
    if user.nats.limits.bearer_token && account.nats.limits.disallow_bearer {
        return Err(TrustFailure::BearerNotAllowed);
    }
    Ok(())
}

/// Was `activation` issued by the exporting `account` (or its signing key with
/// `issuer_account`), and not revoked by the export it grants?
pub fn check_activation(
    activation: &ActivationClaims,
    account: &AccountClaims,
) -> Result<(), TrustFailure> {
    if !account.did_sign(&activation.issuer, &activation.nats.issuer_account) {
        return Err(TrustFailure::ActivationNotSignedByAccount {
            issuer: activation.issuer.clone(),
            account: account.subject.clone(),
        });
    }
    let granted = &activation.nats.import_subject;
    let revoked = account.nats.exports.iter().any(|export| {
        jwt::types::is_contained_in(granted, &export.subject)
            && jwt::RevocationList::get(&export.revocations, &activation.subject)
                .or_else(|| export.revocations.get(jwt::ALL_KEYS))
                .is_some_and(|&at| at >= activation.issued_at)
    });
    if revoked {
        return Err(TrustFailure::ActivationRevoked {
            account: account.subject.clone(),
            subject: granted.clone(),
        });
    }
    Ok(())
}

/// May `new` replace the trusted operator (`current`)? With none trusted yet, only a
/// self-signed operator JWT; afterwards only a JWT about the same operator, issued by its
/// identity or a signing key, not older than the trusted one.
pub fn check_operator_update(
    new: &OperatorClaims,
    current: Option<&OperatorClaims>,
) -> Result<(), TrustFailure> {
    match current {
        None if !new.is_self_signed() => Err(TrustFailure::OperatorNotSelfSigned {
            issuer: new.issuer.clone(),
        }),
        None => Ok(()),
        Some(current) if current.subject != new.subject => Err(TrustFailure::OtherOperator {
            trusted: current.subject.clone(),
            subject: new.subject.clone(),
        }),
        Some(current) if !current.did_sign(&new.issuer) => Err(TrustFailure::NotSignedByOperator {
            kind: "operator",
            issuer: new.issuer.clone(),
            operator: current.subject.clone(),
        }),
        Some(current) if new.issued_at < current.issued_at => Err(TrustFailure::OlderOperator {
            trusted_iat: current.issued_at,
            issued_at: new.issued_at,
        }),
        Some(_) => Ok(()),
    }
}

/// May `request` (a generic claim, as `nsc push --prune` sends on `$SYS.REQ.CLAIMS.DELETE`)
/// delete `account`? It must be issued by the operator or one of its signing keys and list the
/// account in `nats.accounts`. Decoding verified the signature; validity (expiry) is checked
/// by the caller with the claim's `validate`.
pub fn check_account_deletion(
    request: &jwt::GenericClaims,
    operator: &OperatorClaims,
    account: &str,
) -> Result<(), TrustFailure> {
    if !operator.did_sign(&request.issuer) {
        return Err(TrustFailure::NotSignedByOperator {
            kind: "delete request",
            issuer: request.issuer.clone(),
            operator: operator.subject.clone(),
        });
    }
    let listed = request
        .nats
        .get("accounts")
        .and_then(|a| a.as_array())
        .is_some_and(|list| list.iter().any(|k| k.as_str() == Some(account)));
    if !listed {
        return Err(TrustFailure::DeletionNotRequested {
            account: account.to_string(),
        });
    }
    Ok(())
}

/// The accounts `request` deletes from nats-server's own resolver (`$SYS.REQ.CLAIMS.DELETE`),
/// checked as nats-server checks it: self-signed (subject = issuer) by one of the operator's
/// keys — under strict signing a signing key — listing valid account keys in `nats.accounts`,
/// never the system account. Expiry is the caller's to check (`validate`).
pub fn check_resolver_deletion(
    request: &jwt::GenericClaims,
    operator: &OperatorClaims,
) -> Result<Vec<String>, TrustFailure> {
    let identity_refused =
        operator.nats.strict_signing_key_usage && request.issuer == operator.subject;
    if !operator.did_sign(&request.issuer) || identity_refused {
        return Err(TrustFailure::NotSignedByOperator {
            kind: "delete request",
            issuer: request.issuer.clone(),
            operator: operator.subject.clone(),
        });
    }
    if request.subject != request.issuer {
        return Err(TrustFailure::DeletionNotSelfSigned {
            subject: request.subject.clone(),
            issuer: request.issuer.clone(),
        });
    }
    let malformed = |reason: &str| TrustFailure::DeletionMalformed {
        reason: reason.to_string(),
    };
    let list = request
        .nats
        .get("accounts")
        .and_then(|a| a.as_array())
        .ok_or_else(|| malformed("nats.accounts must be a list of account public keys"))?;
    if list.is_empty() {
        return Err(malformed("nats.accounts lists no account"));
    }
    let mut accounts = Vec::with_capacity(list.len());
    for entry in list {
        let key = entry
            .as_str()
            .filter(|k| crate::nkeys::is_valid_public_account_key(k))
            .ok_or_else(|| malformed(&format!("{entry:.64} is not an account public key")))?;
        if key == operator.nats.system_account {
            return Err(TrustFailure::SystemAccountNotDeletable {
                account: key.to_string(),
            });
        }
        accounts.push(key.to_string());
    }
    Ok(accounts)
}

/// Does `claims` chain to `operator`? Operator JWTs must be the operator's own (or signed by
/// one of its keys), accounts follow [`check_account`], other claims need only the issuer.
pub fn check_operator_issued(
    claims: &AnyClaims,
    operator: &OperatorClaims,
) -> Result<(), TrustFailure> {
    match claims {
        AnyClaims::Account(account) => check_account(account, operator),
        other if operator.did_sign(other.issuer()) => Ok(()),
        other => Err(TrustFailure::NotSignedByOperator {
            kind: kind_name(other),
            issuer: other.issuer().to_string(),
            operator: operator.subject.clone(),
        }),
    }
}

/// Does `claims` chain to `account`? Users and activations only.
pub fn check_account_issued(
    claims: &AnyClaims,
    account: &AccountClaims,
    operator: Option<&OperatorClaims>,
) -> Result<(), TrustFailure> {
    match claims {
        AnyClaims::User(user) => check_user(user, account, operator),
        AnyClaims::Activation(activation) => check_activation(activation, account),
        other => Err(TrustFailure::WrongClaimType {
            context: "account",
            claim: kind_name(other),
        }),
    }
}

fn kind_name(claims: &AnyClaims) -> &'static str {
    claims.claim_type().as_str()
}

/// Where a JWT stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Not a JWT, bad signature, or an issuer of the wrong key type.
    Decode,
    /// A blocking validation error or a failed time check.
    Validate,
    /// Well formed, but not trusted under the given operator or account.
    Chain,
    /// Trusted.
    Ok,
}

/// What to trust a JWT under, and when.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trust<'a> {
    pub operator: Option<&'a OperatorClaims>,
    pub account: Option<&'a AccountClaims>,
}

/// The answer to "may this JWT be trusted?": the decoded claims, every validation issue, and
/// where and why it failed.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub claims: Option<AnyClaims>,
    pub issues: ValidationResults,
    pub stage: Stage,
    /// `None` when trusted.
    pub reason: Option<String>,
}

impl Verdict {
    pub fn is_ok(&self) -> bool {
        self.stage == Stage::Ok
    }
}

/// Decodes `token`, validates it at `now` (Unix seconds) and checks it against `trust`.
pub fn check(token: &str, trust: Trust<'_>, now: i64) -> Verdict {
    let claims = match jwt::decode(token) {
        Ok(claims) => claims,
        Err(e) => {
            return Verdict {
                claims: None,
                issues: ValidationResults::new(),
                stage: Stage::Decode,
                reason: Some(e.to_string()),
            }
        }
    };
    let issues = claims.validate(now);
    let (stage, reason) = if issues.is_blocking(true) {
        (
            Stage::Validate,
            Some(format!("validation: {}", issues.blocking_summary())),
        )
    } else {
        match check_chain(&claims, trust) {
            Err(failure) => (Stage::Chain, Some(failure.to_string())),
            Ok(()) => (Stage::Ok, None),
        }
    };
    Verdict {
        claims: Some(claims),
        issues,
        stage,
        reason,
    }
}

fn check_chain(claims: &AnyClaims, trust: Trust<'_>) -> Result<(), TrustFailure> {
    // a user or activation is the account's; the operator, when given, only brings its rules
    let of_account = matches!(claims, AnyClaims::User(_) | AnyClaims::Activation(_));
    if let Some(operator) = trust
        .operator
        .filter(|_| !of_account || trust.account.is_none())
    {
        check_operator_issued(claims, operator)?;
    }
    if let Some(account) = trust.account {
        check_account_issued(claims, account, trust.operator)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::jwt::{GenericClaims, OperatorClaims};
    use crate::nkeys::{KeyPair, KeyType};

    #[test]
    fn operator_updates_keep_to_the_trusted_operator() {
        let identity = KeyPair::from_raw_seed(KeyType::Operator, &[1; 32]).unwrap();
        let signer = KeyPair::from_raw_seed(KeyType::Operator, &[2; 32]).unwrap();
        let other = KeyPair::from_raw_seed(KeyType::Operator, &[3; 32]).unwrap();
        let issue = |subject: &KeyPair, by: &KeyPair, iat: i64| {
            let mut claims = OperatorClaims::new(subject.public_key());
            claims.nats.signing_keys.push(signer.public_key());
            claims.encode(by, iat).unwrap();
            claims
        };
        let first = issue(&identity, &identity, 100);
        assert!(check_operator_update(&first, None).is_ok());
        assert!(matches!(
            check_operator_update(&issue(&identity, &signer, 100), None),
            Err(TrustFailure::OperatorNotSelfSigned { .. })
        ));
        assert!(check_operator_update(&issue(&identity, &signer, 200), Some(&first)).is_ok());
        assert!(matches!(
            check_operator_update(&issue(&other, &other, 200), Some(&first)),
            Err(TrustFailure::OtherOperator { .. })
        ));
        assert!(matches!(
            check_operator_update(&issue(&identity, &identity, 50), Some(&first)),
            Err(TrustFailure::OlderOperator { .. })
        ));
        assert!(matches!(
            check_operator_update(&issue(&identity, &other, 300), Some(&first)),
            Err(TrustFailure::NotSignedByOperator { .. })
        ));
    }

    #[test]
    fn a_user_without_iat_is_revoked_by_any_revocation_of_its_key() {
        let account = KeyPair::from_raw_seed(KeyType::Account, &[6; 32]).unwrap();
        let user = KeyPair::from_raw_seed(KeyType::User, &[7; 32]).unwrap();
        let mut acc = crate::jwt::AccountClaims::new(account.public_key());
        // a JWT with no iat, as other tools can write one (Go: iat 0 is before any revocation)
        let payload = serde_json::json!({
            "jti": "NOIAT", "iss": account.public_key(), "sub": user.public_key(),
            "nats": { "type": "user", "version": 2 }
        });
        let signing_input = format!(
            "{}.{}",
            crate::jwt::segment::encode(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#),
            crate::jwt::segment::encode(payload.to_string().as_bytes())
        );
        let signature = account.sign(signing_input.as_bytes()).unwrap();
        let token = format!(
            "{signing_input}.{}",
            crate::jwt::segment::encode(&signature)
        );
        let trust = |acc: &crate::jwt::AccountClaims| -> bool {
            check(
                &token,
                Trust {
                    operator: None,
                    account: Some(acc),
                },
                1_000,
            )
            .is_ok()
        };
        assert!(trust(&acc), "no revocation: accepted");
        for key in [user.public_key(), "*".to_string()] {
            let mut revoking = acc.clone();
            revoking.nats.revocations.insert(key.clone(), 500);
            let verdict = check(
                &token,
                Trust {
                    operator: None,
                    account: Some(&revoking),
                },
                1_000,
            );
            assert_eq!(verdict.stage, Stage::Chain, "{key}: {:?}", verdict.reason);
            assert!(verdict.reason.unwrap_or_default().contains("revoked"));
        }
        acc.nats.revocations.clear();
        assert!(trust(&acc));
    }

    #[test]
    fn a_strict_operator_takes_users_from_account_signing_keys_only() {
        let operator = KeyPair::from_raw_seed(KeyType::Operator, &[1; 32]).unwrap();
        let signer = KeyPair::from_raw_seed(KeyType::Operator, &[2; 32]).unwrap();
        let account = KeyPair::from_raw_seed(KeyType::Account, &[3; 32]).unwrap();
        let account_signer = KeyPair::from_raw_seed(KeyType::Account, &[4; 32]).unwrap();
        let mut op = OperatorClaims::new(operator.public_key());
        op.nats.signing_keys.push(signer.public_key());
        let mut acc = crate::jwt::AccountClaims::new(account.public_key());
        acc.nats.signing_keys.add(account_signer.public_key());
        acc.encode(&signer, 100).unwrap();
        let user_by = |by: &KeyPair| {
            let key = KeyPair::from_raw_seed(KeyType::User, &[5; 32]).unwrap();
            let mut user = crate::jwt::UserClaims::new(key.public_key());
            if by.public_key() != account.public_key() {
                user.nats.issuer_account = account.public_key();
            }
            user.encode(by, 100).unwrap();
            user
        };
        let (by_identity, by_signer) = (user_by(&account), user_by(&account_signer));
        // not strict, or the operator unknown: the identity signs users
        assert!(check_user(&by_identity, &acc, Some(&op)).is_ok());
        assert!(check_user(&by_identity, &acc, None).is_ok());
        op.nats.strict_signing_key_usage = true;
        assert!(!account_identity_signs_users(&acc, Some(&op)));
        assert!(matches!(
            check_user(&by_identity, &acc, Some(&op)),
            Err(TrustFailure::StrictUserIssuer { .. })
        ));
        assert!(check_user(&by_signer, &acc, Some(&op)).is_ok());
    }

    #[test]
    fn deletion_needs_the_operator_and_the_account_listed() {
        let operator = KeyPair::from_raw_seed(KeyType::Operator, &[1; 32]).unwrap();
        let signer = KeyPair::from_raw_seed(KeyType::Operator, &[2; 32]).unwrap();
        let stranger = KeyPair::from_raw_seed(KeyType::Operator, &[3; 32]).unwrap();
        let mut op = OperatorClaims::new(operator.public_key());
        op.nats.signing_keys.push(signer.public_key());
        let request = |by: &KeyPair, accounts: &[&str]| {
            let mut claims = GenericClaims {
                subject: operator.public_key(),
                ..Default::default()
            };
            claims
                .nats
                .insert("accounts".into(), serde_json::json!(accounts));
            let token = claims.encode(by, 1_767_225_600).unwrap();
            match crate::jwt::decode(&token).unwrap() {
                crate::jwt::AnyClaims::Generic(g) => g,
                other => panic!("{other:?}"),
            }
        };
        assert!(check_account_deletion(&request(&signer, &["AX", "AY"]), &op, "AY").is_ok());
        assert!(check_account_deletion(&request(&operator, &["AY"]), &op, "AY").is_ok());
        assert!(matches!(
            check_account_deletion(&request(&signer, &["AX"]), &op, "AY"),
            Err(TrustFailure::DeletionNotRequested { .. })
        ));
        assert!(matches!(
            check_account_deletion(&request(&stranger, &["AY"]), &op, "AY"),
            Err(TrustFailure::NotSignedByOperator { .. })
        ));
    }

    #[test]
    fn resolver_deletion_is_checked_as_nats_server_checks_it() {
        let operator = KeyPair::from_raw_seed(KeyType::Operator, &[1; 32]).unwrap();
        let signer = KeyPair::from_raw_seed(KeyType::Operator, &[2; 32]).unwrap();
        let stranger = KeyPair::from_raw_seed(KeyType::Operator, &[3; 32]).unwrap();
        let app = KeyPair::from_raw_seed(KeyType::Account, &[4; 32])
            .unwrap()
            .public_key();
        let sys = KeyPair::from_raw_seed(KeyType::Account, &[5; 32])
            .unwrap()
            .public_key();
        let mut op = OperatorClaims::new(operator.public_key());
        op.nats.signing_keys.push(signer.public_key());
        op.nats.system_account = sys.clone();
        let request = |by: &KeyPair, subject: &str, accounts: serde_json::Value| {
            let mut claims = GenericClaims {
                subject: subject.to_string(),
                ..Default::default()
            };
            claims.nats.insert("accounts".into(), accounts);
            let token = claims.encode(by, 1_767_225_600).unwrap();
            match crate::jwt::decode(&token).unwrap() {
                crate::jwt::AnyClaims::Generic(g) => g,
                other => panic!("{other:?}"),
            }
        };
        let by_signer = request(&signer, &signer.public_key(), serde_json::json!([app]));
        assert_eq!(
            check_resolver_deletion(&by_signer, &op).unwrap(),
            vec![app.clone()]
        );
        let by_identity = request(&operator, &operator.public_key(), serde_json::json!([app]));
        assert!(check_resolver_deletion(&by_identity, &op).is_ok());
        // the request the console's store takes (subject: the operator) is not self-signed
        let about_operator = request(&signer, &operator.public_key(), serde_json::json!([app]));
        assert!(matches!(
            check_resolver_deletion(&about_operator, &op),
            Err(TrustFailure::DeletionNotSelfSigned { .. })
        ));
        let stranger_signed = request(&stranger, &stranger.public_key(), serde_json::json!([app]));
        assert!(matches!(
            check_resolver_deletion(&stranger_signed, &op),
            Err(TrustFailure::NotSignedByOperator { .. })
        ));
        for bad in [
            serde_json::json!("AX"),
            serde_json::json!([]),
            serde_json::json!(["AX"]),
        ] {
            let malformed = request(&signer, &signer.public_key(), bad.clone());
            assert!(
                matches!(
                    check_resolver_deletion(&malformed, &op),
                    Err(TrustFailure::DeletionMalformed { .. })
                ),
                "{bad}"
            );
        }
        let system = request(&signer, &signer.public_key(), serde_json::json!([app, sys]));
        assert!(matches!(
            check_resolver_deletion(&system, &op),
            Err(TrustFailure::SystemAccountNotDeletable { .. })
        ));
        // under strict signing the identity key may not ask
        op.nats.strict_signing_key_usage = true;
        assert!(check_resolver_deletion(&by_identity, &op).is_err());
        assert!(check_resolver_deletion(&by_signer, &op).is_ok());
    }
}
