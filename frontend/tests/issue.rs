//! Issuing in the browser (wasm32, headless Chromium): what the console signs chains to its
//! operator under nats-auth's rules, creds carry the right key, revocation takes.
#![cfg(target_arch = "wasm32")]

use nats_auth::chain::{self, Trust};
use nats_auth::jwt::AnyClaims;
use nats_console_web::issue::{self, UserPermissions};
use nats_console_web::vault::VaultData;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: i64 = 1_767_225_600;

#[wasm_bindgen_test]
fn operator_account_user_chain_and_revocation() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, "ACME", true, "http://127.0.0.1:9090/jwt/v1", NOW).unwrap();
    let operator = issue::operator(&data).unwrap();
    assert_eq!(operator.nats.signing_keys.len(), 1);
    // SYS and its user exist, signed by the operator's signing key
    let sys = issue::account(&data, &operator.nats.system_account).unwrap();
    assert_eq!(sys.issuer, operator.nats.signing_keys[0]);
    chain::check_account(&sys, &operator).unwrap();

    let app_jwt = issue::create_account(&mut data, "APP", |a| a.nats.limits.conn = 5, NOW).unwrap();
    let AnyClaims::Account(app) = nats_auth::jwt::decode(&app_jwt).unwrap() else {
        panic!()
    };
    assert_eq!(app.nats.limits.conn, 5);
    chain::check_account(&app, &operator).unwrap();

    let permissions = UserPermissions {
        pub_allow: vec!["orders.>".into()],
        ..Default::default()
    };
    let creds = issue::create_user(&mut data, &app.subject, "alice", permissions, NOW).unwrap();
    let token = nats_auth::creds::parse_decorated_jwt(&creds);
    let user_key = nats_auth::creds::parse_decorated_user_key(&creds).unwrap();
    let verdict = chain::check(
        &token,
        Trust {
            operator: None,
            account: Some(&app),
        },
        NOW + 1,
    );
    assert!(verdict.is_ok(), "{:?}", verdict.reason);
    let AnyClaims::User(user) = verdict.claims.unwrap() else {
        panic!()
    };
    assert_eq!(user.subject, user_key.public_key());
    assert_eq!(user.nats.limits.permissions.publish.allow, ["orders.>"]);
    assert_eq!(issue::user_creds(&data, &user.subject).unwrap(), creds);

    // revocation: a re-signed APP that refuses alice
    issue::revoke_user(&mut data, &user.subject, NOW + 10).unwrap();
    let revoked_app = issue::account(&data, &app.subject).unwrap();
    let verdict = chain::check(
        &token,
        Trust {
            operator: None,
            account: Some(&revoked_app),
        },
        NOW + 11,
    );
    assert_eq!(
        verdict.reason.as_deref(),
        Some(format!("revoked by account {}", app.subject).as_str())
    );

    // the console's NATS link JWT is a user of SYS
    let console_key =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::User, &mut nats_auth::OsRng)
            .unwrap();
    let link = issue::console_link_jwt(&data, &console_key.public_key(), NOW).unwrap();
    let verdict = chain::check(
        &link,
        Trust {
            operator: None,
            account: Some(&sys),
        },
        NOW + 1,
    );
    assert!(verdict.is_ok(), "{:?}", verdict.reason);

    // nats-server configuration names the operator and the resolver
    let config = issue::server_config(&data, "http://127.0.0.1:9090/jwt/v1/accounts/").unwrap();
    assert!(config.contains(&format!("system_account: {}", operator.nats.system_account)));
    assert!(config.contains("resolver: URL(http://127.0.0.1:9090/jwt/v1/accounts/)"));
}

#[wasm_bindgen_test]
fn bad_input_is_refused_with_a_reason() {
    let mut data = VaultData::default();
    assert_eq!(
        issue::create_account(&mut data, "APP", |_| {}, NOW).unwrap_err(),
        "create or import an operator first"
    );
    assert!(issue::create_operator(&mut data, " ", false, "", NOW).is_err());
    issue::create_operator(&mut data, "ACME", false, "", NOW).unwrap();
    let app_jwt = issue::create_account(&mut data, "APP", |_| {}, NOW).unwrap();
    let app_key = nats_auth::jwt::decode(&app_jwt)
        .unwrap()
        .subject()
        .to_string();
    let bad = UserPermissions {
        pub_allow: vec!["a b c".into()],
        ..Default::default()
    };
    let err = issue::create_user(&mut data, &app_key, "eve", bad, NOW).unwrap_err();
    assert!(err.contains("too many spaces"), "{err}");
}

#[wasm_bindgen_test]
fn forms_set_every_field_and_name_the_bad_one() {
    use nats_console_web::issue::{AccountForm, UserForm};
    let mut data = VaultData::default();
    issue::create_operator(&mut data, "ACME", true, "", NOW).unwrap();
    let form = AccountForm {
        conn: "10".into(),
        leaf: "2".into(),
        subs: "100".into(),
        data: "1048576".into(),
        payload: "4096".into(),
        imports: "3".into(),
        exports: "4".into(),
        wildcards: false,
        jetstream: true,
        js_memory: "1024".into(),
        js_disk: "2048".into(),
        js_streams: "5".into(),
        js_consumers: "6".into(),
        description: "orders".into(),
        tags: "Prod, EU".into(),
        expires_in_days: "30".into(),
    };
    let mut applied = Ok(());
    let jwt =
        issue::create_account(&mut data, "APP", |a| applied = form.apply(a, NOW), NOW).unwrap();
    applied.unwrap();
    let AnyClaims::Account(a) = nats_auth::jwt::decode(&jwt).unwrap() else {
        panic!()
    };
    let l = &a.nats.limits;
    assert_eq!(
        (
            l.conn,
            l.leaf_node_conn,
            l.subs,
            l.data,
            l.payload,
            l.imports,
            l.exports,
            l.wildcard_exports
        ),
        (10, 2, 100, 1_048_576, 4096, 3, 4, false)
    );
    assert_eq!(
        (
            l.jetstream.memory_storage,
            l.jetstream.disk_storage,
            l.jetstream.streams,
            l.jetstream.consumer
        ),
        (1024, 2048, 5, 6)
    );
    assert_eq!(a.nats.info.description, "orders");
    assert_eq!(a.nats.generic.tags, ["prod", "eu"]);
    assert_eq!(a.expires, NOW + 30 * 86_400);

    let bad = AccountForm {
        leaf: "lots".into(),
        ..AccountForm::default()
    };
    let mut claims = issue::account(&data, &a.subject).unwrap();
    assert!(bad
        .apply(&mut claims, NOW)
        .unwrap_err()
        .starts_with("Maximum leaf node connections:"));

    let user_form = UserForm {
        pub_allow: "orders.>".into(),
        resp_max: "1".into(),
        subs: "50".into(),
        source_networks: "10.0.0.0/8".into(),
        connection_types: "standard, websocket".into(),
        bearer: true,
        tags: "team-a".into(),
        expires_in_days: "7".into(),
        ..Default::default()
    };
    let (permissions, limits) = user_form.permissions(NOW).unwrap();
    let creds = issue::create_user_with(
        &mut data,
        &a.subject,
        "svc",
        permissions,
        Some(limits),
        &user_form.tags,
        NOW,
    )
    .unwrap();
    let AnyClaims::User(u) =
        nats_auth::jwt::decode(&nats_auth::creds::parse_decorated_jwt(&creds)).unwrap()
    else {
        panic!()
    };
    let l = &u.nats.limits;
    assert_eq!(l.permissions.publish.allow, ["orders.>"]);
    assert_eq!(l.permissions.response.as_ref().map(|r| r.max_msgs), Some(1));
    assert_eq!((l.subs, l.data, l.payload), (50, -1, -1));
    assert_eq!(l.source_networks.0, ["10.0.0.0/8"]);
    assert_eq!(l.allowed_connection_types, ["STANDARD", "WEBSOCKET"]);
    assert!(l.bearer_token);
    assert_eq!(u.nats.generic.tags, ["team-a"]);
    assert_eq!(u.expires, NOW + 7 * 86_400);
    let wrong = UserForm {
        connection_types: "CARRIER_PIGEON".into(),
        ..Default::default()
    };
    assert!(wrong
        .permissions(NOW)
        .unwrap_err()
        .contains("CARRIER_PIGEON is not one of"));
}
