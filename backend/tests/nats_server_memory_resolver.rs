//! A real nats-server in operator mode with a memory resolver trusts what nats-auth issues:
//! a user's creds connect and exchange messages within their permissions; a revoked and an
//! expired user are refused. Run against nats-server 2.15 (PyPI) and 2.9.10 (Debian).

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use nats_auth::creds;
use nats_auth::jwt::{AccountClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use support::{Client, NatsServer};

struct Deployment {
    config: String,
    alice: String,
    mallory: String,
    eve: String,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn user_creds(
    account_signer: &KeyPair,
    issuer_account: &str,
    name: &str,
    edit: impl FnOnce(&mut UserClaims),
    iat: i64,
) -> (String, String) {
    let user = KeyPair::new(KeyType::User, &mut rand_core::OsRng).unwrap();
    let mut claims = UserClaims::new(user.public_key());
    claims.name = name.into();
    claims.nats.issuer_account = issuer_account.into();
    edit(&mut claims);
    let token = claims.encode(account_signer, iat).unwrap();
    (
        user.public_key(),
        creds::format_user_creds(&token, &user.seed().unwrap()).unwrap(),
    )
}

/// Operator (with a signing key) → SYS and APP accounts → users, all made by nats-auth.
fn deployment() -> Deployment {
    let rng = &mut rand_core::OsRng;
    let operator = KeyPair::new(KeyType::Operator, rng).unwrap();
    let operator_signer = KeyPair::new(KeyType::Operator, rng).unwrap();
    let sys = KeyPair::new(KeyType::Account, rng).unwrap();
    let app = KeyPair::new(KeyType::Account, rng).unwrap();
    let app_signer = KeyPair::new(KeyType::Account, rng).unwrap();
    let t = now() - 60;

    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "OP".into();
    op.nats.signing_keys.push(operator_signer.public_key());
    op.nats.system_account = sys.public_key();
    let operator_jwt = op.encode(&operator, t).unwrap();

    let mut sys_claims = AccountClaims::new(sys.public_key());
    sys_claims.name = "SYS".into();
    let sys_jwt = sys_claims.encode(&operator_signer, t).unwrap();

    let (alice_key, alice) = user_creds(
        &app_signer,
        &app.public_key(),
        "alice",
        |u| {
            u.nats.limits.permissions.publish.allow = vec!["app.>".into()];
            u.nats.limits.permissions.subscribe.allow = vec!["app.>".into(), "_INBOX.>".into()];
        },
        t,
    );
    let (mallory_key, mallory) = user_creds(&app_signer, &app.public_key(), "mallory", |_| {}, t);
    let (_, eve) = user_creds(
        &app_signer,
        &app.public_key(),
        "eve",
        |u| u.expires = now() - 30,
        t - 60,
    );
    assert_ne!(alice_key, mallory_key);

    let mut app_claims = AccountClaims::new(app.public_key());
    app_claims.name = "APP".into();
    app_claims.nats.signing_keys.add(app_signer.public_key());
    app_claims.revoke_at(&mallory_key, t);
    let app_jwt = app_claims.encode(&operator_signer, t).unwrap();

    let config = format!(
        "operator: {operator_jwt}\nsystem_account: {sys}\nresolver: MEMORY\nresolver_preload: {{\n  {sys}: {sys_jwt}\n  {app}: {app_jwt}\n}}\n",
        sys = sys.public_key(),
        app = app.public_key(),
    );
    Deployment {
        config,
        alice,
        mallory,
        eve,
    }
}

fn exercise(binary: std::path::PathBuf, name: &str) {
    let d = deployment();
    let server = NatsServer::start(&binary, name, &d.config);

    let mut alice = Client::connect(server.port, &d.alice)
        .unwrap_or_else(|e| panic!("alice refused: {e}\n{}", server.log()));
    assert!(alice.subscribe("app.greetings", 1).is_empty());
    assert!(alice.publish("app.greetings", "hello").is_empty());
    assert_eq!(
        alice.next_message().unwrap(),
        ("app.greetings".into(), "hello".into())
    );

    // permissions are enforced by the server
    let denied = alice.publish("other.subject", "x");
    assert!(
        denied
            .iter()
            .any(|e| e.contains("Permissions Violation for Publish to \"other.subject\"")),
        "{denied:?}"
    );
    let denied = alice.subscribe("secret.>", 2);
    assert!(
        denied
            .iter()
            .any(|e| e.contains("Permissions Violation for Subscription to \"secret.>\"")),
        "{denied:?}"
    );

    // the revoked and the expired user are refused
    for (who, creds_text) in [("mallory (revoked)", &d.mallory), ("eve (expired)", &d.eve)] {
        let refused = Client::connect(server.port, creds_text).err();
        assert!(
            refused
                .as_deref()
                .is_some_and(|e| e.contains("Authorization Violation")),
            "{who}: {refused:?}"
        );
    }
}

#[test]
fn nats_server_2_15_trusts_nats_auth_issued_creds() {
    exercise(support::nats_server_pypi(), "memres-pypi");
}

#[test]
fn nats_server_2_9_trusts_nats_auth_issued_creds() {
    exercise(support::nats_server_debian(), "memres-debian");
}
