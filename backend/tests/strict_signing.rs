//! Strict signing as nats-server 2.15 enforces it: under an operator with
//! `strict_signing_key_usage`, a user signed by its account's identity key is refused ("User
//! JWT issuer is not known"), one signed by the account's signing key connects — and nats-auth's
//! chain check, the console's sign-in and its NATS link follow the same rule.

mod support;

use std::time::Duration;

use nats_auth::chain::{self, TrustFailure};
use nats_auth::creds;
use nats_auth::jwt::{AccountClaims, AnyClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use support::{eventually, free_port, temp_dir, unix_now, Client, NatsServer};

fn key(kind: KeyType) -> KeyPair {
    KeyPair::new(kind, &mut rand_core::OsRng).unwrap()
}

/// A user of `account` signed by `signer` (its identity or a signing key): (claims, creds).
fn user(account: &KeyPair, signer: &KeyPair, name: &str) -> (UserClaims, String) {
    let user = key(KeyType::User);
    let mut claims = UserClaims::new(user.public_key());
    claims.name = name.into();
    if signer.public_key() != account.public_key() {
        claims.nats.issuer_account = account.public_key();
    }
    let jwt = claims.encode(signer, unix_now() - 60).unwrap();
    let creds = creds::format_user_creds(&jwt, &user.seed().unwrap()).unwrap();
    (claims, creds)
}

#[test]
fn under_a_strict_operator_only_signing_keys_sign_users() {
    let (operator, operator_signer) = (key(KeyType::Operator), key(KeyType::Operator));
    let (sys, sys_signer) = (key(KeyType::Account), key(KeyType::Account));
    let (app, app_signer) = (key(KeyType::Account), key(KeyType::Account));
    let t = unix_now() - 120;
    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "STRICT".into();
    op.nats.signing_keys.push(operator_signer.public_key());
    op.nats.system_account = sys.public_key();
    op.nats.strict_signing_key_usage = true;
    let operator_jwt = op.encode(&operator, t).unwrap();
    let account = |pair: &KeyPair, signer: &KeyPair, name: &str| {
        let mut claims = AccountClaims::new(pair.public_key());
        claims.name = name.into();
        claims.nats.signing_keys.add(signer.public_key());
        let jwt = claims.encode(&operator_signer, t).unwrap();
        (claims, jwt)
    };
    let (_, sys_jwt) = account(&sys, &sys_signer, "SYS");
    let (app_claims, app_jwt) = account(&app, &app_signer, "APP");

    // nats-auth: the identity's user is refused once the operator is known, the signing key's taken
    let (by_identity, identity_creds) = user(&app, &app, "by-identity");
    let (by_signer, signer_creds) = user(&app, &app_signer, "by-signing-key");
    assert!(matches!(
        chain::check_user(&by_identity, &app_claims, Some(&op)),
        Err(TrustFailure::StrictUserIssuer { .. })
    ));
    chain::check_user(&by_signer, &app_claims, Some(&op)).unwrap();
    let verdict = chain::check(
        &creds::parse_decorated_jwt(&identity_creds),
        chain::Trust {
            operator: Some(&op),
            account: Some(&app_claims),
        },
        unix_now(),
    );
    assert!(
        !verdict.is_ok(),
        "the inspector's verdict follows nats-server"
    );
    assert!(matches!(verdict.claims, Some(AnyClaims::User(_))));

    // nats-server 2.15 agrees
    let port = free_port();
    let config = format!(
        "listen: 127.0.0.1:{port}\noperator: {operator_jwt}\nsystem_account: {sys}\nresolver: MEMORY\nresolver_preload {{ {sys}: {sys_jwt}, {app}: {app_jwt} }}\n",
        sys = sys.public_key(),
        app = app.public_key()
    );
    let server = NatsServer::start(&support::nats_server_pypi(), "strict-nats", &config);
    let refused = Client::connect(server.port, &identity_creds)
        .err()
        .unwrap_or_default();
    assert!(
        refused.to_lowercase().contains("authorization"),
        "{refused}"
    );
    assert!(Client::connect(server.port, &signer_creds).is_ok());

    // the console: sign-in and its NATS link take the signing key's users only
    let dir = temp_dir("strict-console");
    let console = support::console_trusting(&operator_jwt, &dir, "console.log", &[]);
    let port = console.port;
    support::push_accounts(port, &[(sys.public_key(), sys_jwt.clone())]);
    let session_key = support::session_key(port);
    let refused = support::post_session(
        port,
        &support::session_jwt(&session_key, &sys, &sys, |_| {}),
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(
        refused.text().contains("strict signing"),
        "{}",
        refused.text()
    );
    let admin = support::sign_in(port, &sys, &sys_signer);

    let (_, info) = support::api(port, "GET", "/api/v1/info", &admin, "");
    let console_key = info["nats_console_key"].as_str().unwrap().to_string();
    let link_jwt = |signer: &KeyPair| {
        let mut claims = UserClaims::new(&console_key);
        claims.name = "nats-console".into();
        if signer.public_key() != sys.public_key() {
            claims.nats.issuer_account = sys.public_key();
        }
        claims.encode(signer, unix_now() - 5).unwrap()
    };
    let link = |jwt: String| {
        let body = serde_json::json!({ "servers": [format!("nats://127.0.0.1:{}", server.port)], "jwt": jwt });
        support::api(port, "POST", "/api/v1/nats-link", &admin, &body.to_string())
    };
    let (status, answer) = link(link_jwt(&sys));
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("strict signing"),
        "{answer}"
    );
    let (status, answer) = link(link_jwt(&sys_signer));
    assert_eq!(status, 200, "{answer}");
    let info = || support::api(port, "GET", "/api/v1/info", &admin, "").1;
    assert!(
        eventually(Duration::from_secs(15), || info()["nats"] == "connected"),
        "{}\n{}",
        info(),
        console.log()
    );
}
