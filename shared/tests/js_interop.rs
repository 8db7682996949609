//! Live interop with the official JavaScript libraries (npm `@nats-io/jwt`, `@nats-io/nkeys`),
//! run under node: every kind of JWT made here verifies there and decodes to the same claims,
//! creds parse, keys derive alike, and xkey boxes open in both directions.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

use nats_auth::creds;
use nats_auth::jwt::{
    AccountClaims, ActivationClaims, AnyClaims, AuthorizationResponseClaims, Export, ExportType,
    GenericClaims, Import, OperatorClaims, UserClaims, UserScope, WeightedMapping,
};
use nats_auth::nkeys::{KeyPair, KeyType};
use nats_auth::xkeys::XKey;
use serde_json::{json, Value};

const NOW: i64 = 1_767_225_600;

fn pair(kind: KeyType, byte: u8) -> KeyPair {
    KeyPair::from_raw_seed(kind, &[byte; 32]).unwrap()
}

#[test]
fn the_javascript_libraries_accept_what_nats_auth_makes() {
    let operator = pair(KeyType::Operator, 1);
    let operator_signer = pair(KeyType::Operator, 2);
    let account = pair(KeyType::Account, 3);
    let account_signer = pair(KeyType::Account, 4);
    let scoped = pair(KeyType::Account, 5);
    let other_account = pair(KeyType::Account, 6);
    let user = pair(KeyType::User, 7);
    let server = pair(KeyType::Server, 8);

    let mut op = OperatorClaims::new(operator.public_key());
    // `<&>` are written as \u003c… like Go. (Non-ASCII is left out: @nats-io/jwt 0.0.11
    // decodes payloads as Latin-1, so "ü" comes back as "Ã¼" there.)
    op.name = "O <&>".into();
    op.nats.signing_keys.push(operator_signer.public_key());
    op.nats.system_account = other_account.public_key();
    op.nats
        .operator_service_urls
        .push("nats://127.0.0.1:4222".into());
    op.nats.account_server_url = "http://127.0.0.1:9090/jwt/v1".into();
    op.nats.generic.add_tag("Prod");

    let mut acc = AccountClaims::new(account.public_key());
    acc.name = "APP".into();
    acc.expires = NOW + 86_400;
    acc.nats.limits.conn = 100;
    acc.nats.limits.jetstream.memory_storage = 1 << 20;
    acc.nats.signing_keys.add(account_signer.public_key());
    let mut scope = UserScope::new(scoped.public_key(), "service");
    scope
        .template
        .permissions
        .publish
        .allow
        .push("svc.>".into());
    acc.nats.signing_keys.add_scope(scope);
    acc.nats.exports.push(Export {
        name: "api".into(),
        subject: "api.>".into(),
        export_type: ExportType::Service,
        response_threshold: 5_000_000_000,
        ..Default::default()
    });
    acc.nats.imports.push(Import {
        name: "feed".into(),
        subject: "feed.>".into(),
        account: other_account.public_key(),
        import_type: ExportType::Stream,
        ..Default::default()
    });
    acc.revoke_at(pair(KeyType::User, 9).public_key().as_str(), NOW);
    acc.nats.mappings.insert(
        "old".into(),
        vec![WeightedMapping {
            subject: "new".into(),
            weight: 100,
            cluster: String::new(),
        }],
    );

    let mut usr = UserClaims::new(user.public_key());
    usr.name = "alice".into();
    usr.nats.issuer_account = account.public_key();
    usr.nats.limits.permissions.publish.allow = vec!["app.>".into()];
    usr.nats.limits.permissions.subscribe.allow = vec!["_INBOX.>".into(), "app.> q".into()];
    usr.nats.limits.source_networks.add("10.0.0.0/8");
    usr.nats.limits.allowed_connection_types = vec!["STANDARD".into(), "WEBSOCKET".into()];

    let mut act = ActivationClaims::new(account.public_key());
    act.nats.import_subject = "feed.>".into();
    act.nats.import_type = ExportType::Stream;

    let mut generic = GenericClaims {
        subject: operator.public_key(),
        ..Default::default()
    };
    generic
        .nats
        .insert("accounts".into(), json!([account.public_key()]));

    let mut response = AuthorizationResponseClaims {
        subject: user.public_key(),
        audience: server.public_key(),
        ..Default::default()
    };
    response.nats.error = "not allowed".into();

    let jwts: Vec<(&str, String)> = vec![
        ("operator", op.encode(&operator, NOW).unwrap()),
        (
            "account by signing key",
            acc.encode(&operator_signer, NOW).unwrap(),
        ),
        (
            "user by signing key",
            usr.encode(&account_signer, NOW).unwrap(),
        ),
        ("activation", act.encode(&other_account, NOW).unwrap()),
        ("generic", generic.encode(&operator, NOW).unwrap()),
        (
            "authorization response",
            response.encode(&account, NOW).unwrap(),
        ),
    ];
    let user_token = &jwts[2].1;
    let user_creds = creds::format_user_creds(user_token, &user.seed().unwrap()).unwrap();

    let sender = XKey::from_raw_seed(&[10; 32]);
    let recipient = XKey::from_raw_seed(&[11; 32]);
    let sealed = sender
        .seal_with_nonce(b"hello from rust", &recipient.public_key(), &[12; 24])
        .unwrap();

    let keys: Vec<Value> = [&operator, &account, &user, &server]
        .iter()
        .map(|k| json!({"seed": k.seed().unwrap(), "public_key": k.public_key()}))
        .chain(std::iter::once(
            json!({"seed": recipient.seed().unwrap(), "public_key": recipient.public_key()}),
        ))
        .collect();
    let input = json!({
        "jwts": jwts.iter().map(|(name, token)| {
            let claims: Value = serde_json::from_str(&nats_auth::jwt::decode(token).unwrap().to_json().unwrap()).unwrap();
            json!({"name": name, "token": token, "claims": claims})
        }).collect::<Vec<_>>(),
        "creds": [{"name": "alice", "text": user_creds, "seed": user.seed().unwrap(), "token": user_token}],
        "keys": keys,
        "xkey": {
            "recipient_seed": recipient.seed().unwrap(),
            "sender_public": sender.public_key(),
            "sealed_base64url": nats_auth::jwt::segment::encode(&sealed),
            "message": "hello from rust",
            "reply": "hello from javascript",
        },
    });
    let dir = std::env::temp_dir().join(format!("nats-auth-js-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input_path = dir.join("input.json");
    std::fs::write(&input_path, input.to_string()).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/js/interop.cjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(&input_path)
        .output()
        .expect("node runs (scripts/install-tools installs it and the npm packages)");
    assert!(
        out.status.success(),
        "the JavaScript libraries refused:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["recipient_public"], recipient.public_key());
    let reply = nats_auth::jwt::segment::decode(answer["reply_sealed_base64url"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        sender.open(&reply, &recipient.public_key()).unwrap(),
        b"hello from javascript"
    );
    // and the user JWT made here is still the one the JS side checked
    assert!(matches!(
        nats_auth::jwt::decode(user_token).unwrap(),
        AnyClaims::User(_)
    ));
}
