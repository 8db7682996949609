//! Issuing in the browser (wasm32, headless Chromium): what the console signs chains to its
//! operator under nats-auth's rules, creds carry the right key, revocation takes, forms set
//! every field and name the input at fault.
#![cfg(target_arch = "wasm32")]

use nats_auth::chain::{self, Trust};
use nats_auth::jwt::{AccountClaims, AnyClaims, UserClaims};
use nats_console_web::describe::describe;
use nats_console_web::forms::FormError;
use nats_console_web::issue::{self, AccountForm, OperatorForm, UserForm};
use nats_console_web::vault::VaultData;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: i64 = 1_767_225_600;

fn operator_form(name: &str, signing_key: bool) -> OperatorForm {
    OperatorForm {
        name: name.into(),
        signing_key,
        account_server_url: "http://127.0.0.1:9090/jwt/v1".into(),
        ..Default::default()
    }
}

fn account_form(name: &str) -> AccountForm {
    AccountForm {
        name: name.into(),
        ..Default::default()
    }
}

fn user_form(name: &str) -> UserForm {
    UserForm {
        name: name.into(),
        ..Default::default()
    }
}

fn user_of(creds: &str) -> UserClaims {
    match nats_auth::jwt::decode(&nats_auth::creds::parse_decorated_jwt(creds)).unwrap() {
        AnyClaims::User(u) => u,
        other => panic!("not a user: {other:?}"),
    }
}

fn decode_account(jwt: &str) -> AccountClaims {
    match nats_auth::jwt::decode(jwt).unwrap() {
        AnyClaims::Account(a) => a,
        other => panic!("not an account: {other:?}"),
    }
}

#[wasm_bindgen_test]
fn operator_account_user_chain_and_revocation() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let operator = issue::operator(&data).unwrap();
    assert_eq!(operator.nats.signing_keys.len(), 1);
    // SYS and its user exist, signed by the operator's signing key
    let sys = issue::account(&data, &operator.nats.system_account).unwrap();
    assert_eq!(sys.name, "SYS");
    assert_eq!(sys.issuer, operator.nats.signing_keys[0]);
    chain::check_account(&sys, &operator).unwrap();
    assert!(data.users.iter().any(|u| u.name == "sys"));

    let form = AccountForm {
        conn: "5".into(),
        ..account_form("APP")
    };
    let (app_key, app_jwt) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let app = decode_account(&app_jwt);
    assert_eq!(
        (app.subject.as_str(), app.nats.limits.conn),
        (app_key.as_str(), 5)
    );
    chain::check_account(&app, &operator).unwrap();

    let alice = UserForm {
        pub_allow: "orders.>".into(),
        ..user_form("alice")
    };
    let creds = issue::save_user(&mut data, &app.subject, None, &alice, "", NOW).unwrap();
    let token = nats_auth::creds::parse_decorated_jwt(&creds);
    let user_key = nats_auth::creds::parse_decorated_user_key(&creds).unwrap();
    let trust = |account| Trust {
        operator: None,
        account: Some(account),
    };
    let verdict = chain::check(&token, trust(&app), NOW + 1);
    assert!(verdict.is_ok(), "{:?}", verdict.reason);
    let user = user_of(&creds);
    assert_eq!(user.subject, user_key.public_key());
    assert_eq!(user.issuer, app.subject);
    assert_eq!(user.nats.limits.permissions.publish.allow, ["orders.>"]);
    assert_eq!(issue::user_creds(&data, &user.subject).unwrap(), creds);

    // revocation: a re-signed APP that refuses alice
    let (revoked_key, revoked_jwt) =
        issue::revoke_user(&mut data, &user.subject, NOW + 10).unwrap();
    assert_eq!(revoked_key, app.subject);
    let revoked_app = decode_account(&revoked_jwt);
    let verdict = chain::check(&token, trust(&revoked_app), NOW + 11);
    assert_eq!(
        verdict.reason.as_deref(),
        Some(format!("revoked by account {}", app.subject).as_str())
    );

    // the console's NATS link JWT is a user of SYS
    let console_key =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::User, &mut nats_auth::OsRng)
            .unwrap();
    let link = issue::console_link_jwt(&data, &console_key.public_key(), NOW).unwrap();
    let verdict = chain::check(&link, trust(&sys), NOW + 1);
    assert!(verdict.is_ok(), "{:?}", verdict.reason);

    // nats-server configuration names the operator and the resolver
    let url = issue::Resolver::Url("http://127.0.0.1:9090/jwt/v1/accounts/".into());
    let config = issue::server_config(
        &data,
        &issue::ServerSetup::new(url.clone(), "0.0.0.0:4222", "127.0.0.1:8222"),
    )
    .unwrap();
    assert!(config.contains(&format!("system_account: {}", operator.nats.system_account)));
    assert!(config.contains("resolver: URL(http://127.0.0.1:9090/jwt/v1/accounts/)"));
}

#[wasm_bindgen_test]
fn account_signing_keys_sign_users_with_issuer_account() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", false), NOW).unwrap();
    let outside =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::Account, &mut nats_auth::OsRng)
            .unwrap()
            .public_key();
    let form = AccountForm {
        new_signing_key: true,
        // a signing key whose seed stays elsewhere
        signing_keys: outside.clone(),
        ..account_form("TEAM")
    };
    let (team_key, jwt) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let team = decode_account(&jwt);
    assert_eq!(team.nats.signing_keys.0.len(), 2);
    assert!(team.nats.signing_keys.contains(&outside));
    let generated = team
        .nats
        .signing_keys
        .keys()
        .find(|k| *k != outside)
        .unwrap()
        .to_string();
    assert!(
        data.seed_of(&generated).is_some(),
        "generated into the vault"
    );
    assert!(data.seed_of(&outside).is_none());
    // the vault can sign with the identity and the generated key, not the outside one
    let signers: Vec<String> = issue::account_signers(&data, &team_key)
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(signers, [team_key.clone(), generated.clone()]);

    let creds = issue::save_user(
        &mut data,
        &team_key,
        None,
        &user_form("bob"),
        &generated,
        NOW,
    )
    .unwrap();
    let bob = user_of(&creds);
    assert_eq!(
        (bob.issuer.as_str(), bob.nats.issuer_account.as_str()),
        (generated.as_str(), team_key.as_str())
    );
    let verdict = chain::check(
        &nats_auth::creds::parse_decorated_jwt(&creds),
        Trust {
            operator: None,
            account: Some(&team),
        },
        NOW + 1,
    );
    assert!(verdict.is_ok(), "{:?}", verdict.reason);

    // a key the account does not list is refused, at the signer input
    let err =
        issue::save_user(&mut data, &team_key, None, &user_form("eve"), &outside, NOW).unwrap_err();
    assert_eq!(err.field, Some("user-signer"));
    // a key the vault holds but the account does not list (SYS's identity): nats-auth's rule
    let sys_key = issue::operator(&data).unwrap().nats.system_account;
    let err =
        issue::save_user(&mut data, &team_key, None, &user_form("eve"), &sys_key, NOW).unwrap_err();
    assert_eq!(err.field, Some("user-signer"));
    assert!(err.message.contains("not signed by account"), "{err}");

    // editing bob back to the identity drops issuer_account, same key
    let creds = issue::save_user(
        &mut data,
        &team_key,
        Some(&bob.subject),
        &UserForm::of(&bob, NOW),
        "",
        NOW + 5,
    )
    .unwrap();
    let bob2 = user_of(&creds);
    assert_eq!(
        (bob2.subject.as_str(), bob2.issuer.as_str()),
        (bob.subject.as_str(), team_key.as_str())
    );
    assert!(bob2.nats.issuer_account.is_empty());

    // describe shows the scoped-or-not keys and the issuer account
    let sections = describe(&AnyClaims::User(bob));
    let rows: Vec<_> = sections.iter().flat_map(|s| s.rows.clone()).collect();
    assert!(
        rows.contains(&("Issuer Account", team_key.clone())),
        "{rows:?}"
    );
}

#[wasm_bindgen_test]
fn editing_an_account_keeps_what_the_form_does_not_show() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let form = AccountForm {
        expires_in_days: "30".into(),
        ..account_form("APP")
    };
    let (key, _) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let creds = issue::save_user(&mut data, &key, None, &user_form("alice"), "", NOW).unwrap();
    let alice = user_of(&creds);
    issue::revoke_user(&mut data, &alice.subject, NOW + 1).unwrap();

    // loaded into the form an hour later and saved with one change
    let before = issue::account(&data, &key).unwrap();
    let mut edit = AccountForm::of(&before, NOW + 3600);
    assert_eq!(edit.expires_in_days, "30");
    edit.conn = "7".into();
    edit.default_pub_allow = "app.>".into();
    let (_, jwt) = issue::save_account(&mut data, Some(&key), &edit, "", NOW + 3600).unwrap();
    let after = decode_account(&jwt);
    assert_eq!(after.subject, key);
    assert_eq!(after.nats.limits.conn, 7);
    assert_eq!(after.nats.default_permissions.publish.allow, ["app.>"]);
    assert_eq!(
        after.expires, before.expires,
        "unchanged text keeps the exact expiry"
    );
    assert_eq!(after.nats.revocations, before.nats.revocations);
    assert!(after.nats.revocations.contains_key(&alice.subject));
}

#[wasm_bindgen_test]
fn operator_settings_import_and_strict_signing() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let op = issue::operator(&data).unwrap();
    let mut form = OperatorForm::of(&op);
    form.service_urls = "nats://a.example:4222, tls://b.example:4222".into();
    form.strict_signing = true;
    // strict signing wants every account to have a signing key first (SYS here)
    let sys_key = op.nats.system_account.clone();
    let sys_form = AccountForm {
        new_signing_key: true,
        ..AccountForm::of(&issue::account(&data, &sys_key).unwrap(), NOW)
    };
    issue::save_account(&mut data, Some(&sys_key), &sys_form, "", NOW).unwrap();
    issue::update_operator(&mut data, &form, NOW + 1).unwrap();
    let op2 = issue::operator(&data).unwrap();
    assert_eq!(op2.subject, op.subject);
    assert_eq!(
        op2.nats.operator_service_urls,
        ["nats://a.example:4222", "tls://b.example:4222"]
    );
    assert!(op2.nats.strict_signing_key_usage);
    // strict: only signing keys are offered, and the identity is refused by name
    assert_eq!(
        issue::operator_signers(&data)
            .into_iter()
            .map(|s| s.key)
            .collect::<Vec<_>>(),
        op2.nats.signing_keys
    );
    let err = issue::save_account(&mut data, None, &account_form("X"), &op2.subject, NOW + 2)
        .unwrap_err();
    assert_eq!(err.field, Some("account-signer"));

    form.service_urls = "http://a.example".into();
    let err = issue::update_operator(&mut data, &form, NOW + 3).unwrap_err();
    assert_eq!(err.field, Some("operator-service-urls"));
    assert!(err.message.contains("protocol not supported"), "{err}");

    // import: the same operator's JWT into a fresh vault; an older one is refused afterwards
    let newer = data.operator_jwt.clone().unwrap();
    let mut fresh = VaultData::default();
    assert_eq!(
        issue::import_operator(&mut fresh, &newer, NOW + 4).unwrap(),
        "ACME"
    );
    let mut other = VaultData::default();
    issue::create_operator(&mut other, &operator_form("OTHER", false), NOW).unwrap();
    let err = issue::import_operator(&mut fresh, other.operator_jwt.as_deref().unwrap(), NOW + 4)
        .unwrap_err();
    assert_eq!(err.field, Some("operator-import"));
    let sys_jwt = other.accounts[0].jwt.clone();
    let err = issue::import_operator(&mut fresh, &sys_jwt, NOW + 4).unwrap_err();
    assert!(err.message.contains("not an operator JWT"), "{err}");
}

#[wasm_bindgen_test]
fn forms_set_every_field_and_name_the_bad_one() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
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
        default_sub_deny: "secret.>".into(),
        description: "orders".into(),
        tags: "Prod, EU".into(),
        expires_in_days: "30".into(),
        ..account_form("APP")
    };
    let (_, jwt) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let a = decode_account(&jwt);
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
    let js = &l.jetstream;
    assert_eq!(
        (js.memory_storage, js.disk_storage, js.streams, js.consumer),
        (1024, 2048, 5, 6)
    );
    assert_eq!(a.nats.default_permissions.subscribe.deny, ["secret.>"]);
    assert_eq!(a.nats.info.description, "orders");
    assert_eq!(a.nats.generic.tags, ["prod", "eu"]);
    assert_eq!(a.expires, NOW + 30 * 86_400);
    // the form loads back what it set
    let again = AccountForm::of(&a, NOW);
    assert_eq!(
        (
            again.conn.as_str(),
            again.js_disk.as_str(),
            again.tags.as_str()
        ),
        ("10", "2048", "prod, eu")
    );

    // each bad input is named by its id
    let bad_accounts = [
        (
            AccountForm {
                leaf: "lots".into(),
                ..account_form("B")
            },
            "account-leaf",
        ),
        (
            AccountForm {
                name: " ".into(),
                ..account_form("")
            },
            "account-name",
        ),
        (
            AccountForm {
                default_pub_allow: "a b c".into(),
                ..account_form("B")
            },
            "account-pub-allow",
        ),
        (
            AccountForm {
                signing_keys: "UABC".into(),
                ..account_form("B")
            },
            "account-signing-keys",
        ),
        (
            AccountForm {
                expires_in_days: "-3".into(),
                ..account_form("B")
            },
            "account-expires",
        ),
    ];
    for (bad, field) in bad_accounts {
        let keys_before = data.keys.len();
        let err: FormError =
            issue::save_account(&mut data.clone(), None, &bad, "", NOW).unwrap_err();
        assert_eq!(err.field, Some(field), "{err}");
        assert_eq!(data.keys.len(), keys_before);
    }

    let user = UserForm {
        pub_allow: "orders.>".into(),
        sub_allow: "replies.* q1".into(),
        resp_max: "1".into(),
        subs: "50".into(),
        source_networks: "10.0.0.0/8".into(),
        connection_types: "standard, websocket".into(),
        bearer: true,
        tags: "team-a".into(),
        expires_in_days: "7".into(),
        ..user_form("svc")
    };
    let creds = issue::save_user(&mut data, &a.subject, None, &user, "", NOW).unwrap();
    let u = user_of(&creds);
    let l = &u.nats.limits;
    assert_eq!(l.permissions.publish.allow, ["orders.>"]);
    assert_eq!(l.permissions.subscribe.allow, ["replies.* q1"]);
    assert_eq!(l.permissions.response.as_ref().map(|r| r.max_msgs), Some(1));
    assert_eq!((l.subs, l.data, l.payload), (50, -1, -1));
    assert_eq!(l.source_networks.0, ["10.0.0.0/8"]);
    assert_eq!(l.allowed_connection_types, ["STANDARD", "WEBSOCKET"]);
    assert!(l.bearer_token);
    assert_eq!(u.nats.generic.tags, ["team-a"]);
    assert_eq!(u.expires, NOW + 7 * 86_400);

    let bad_users = [
        (
            UserForm {
                connection_types: "CARRIER_PIGEON".into(),
                ..user_form("x")
            },
            "user-conn-types",
            "CARRIER_PIGEON is not one of",
        ),
        (
            UserForm {
                pub_deny: "a b c".into(),
                ..user_form("x")
            },
            "user-pub-deny",
            "too many spaces",
        ),
        (
            UserForm {
                source_networks: "10.0.0.0/33".into(),
                ..user_form("x")
            },
            "user-src",
            "invalid cidr",
        ),
        (
            UserForm {
                subs: "many".into(),
                ..user_form("x")
            },
            "user-subs",
            "whole number",
        ),
        (user_form(""), "user-name", "needs a name"),
    ];
    for (bad, field, says) in bad_users {
        let err = issue::save_user(&mut data.clone(), &a.subject, None, &bad, "", NOW).unwrap_err();
        assert_eq!(err.field, Some(field), "{err}");
        assert!(err.message.contains(says), "{err}");
    }
    let err =
        issue::save_user(&mut data, "ANOTANACCOUNT", None, &user_form("x"), "", NOW).unwrap_err();
    assert_eq!(err.field, Some("user-account"));
}

#[wasm_bindgen_test]
fn without_an_operator_nothing_is_signed() {
    let mut data = VaultData::default();
    let err = issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap_err();
    assert_eq!(err.message, "create or import an operator first");
    let err = issue::create_operator(&mut data, &operator_form(" ", false), NOW).unwrap_err();
    assert_eq!(err.field, Some("operator-name"));
    let err = issue::create_operator(
        &mut data,
        &OperatorForm {
            strict_signing: true,
            ..operator_form("ACME", false)
        },
        NOW,
    )
    .unwrap_err();
    assert_eq!(err.field, Some("operator-strict"));
    assert!(data.keys.is_empty() && data.operator_jwt.is_none());
}

#[wasm_bindgen_test]
fn describe_lays_out_an_account_as_nsc() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", false), NOW).unwrap();
    let form = AccountForm {
        conn: "10".into(),
        ..account_form("APP")
    };
    let (_, jwt) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let sections = describe(&nats_auth::jwt::decode(&jwt).unwrap());
    let titles: Vec<_> = sections.iter().map(|s| s.title).collect();
    assert_eq!(
        titles,
        [
            "Account Details",
            "Limits",
            "JetStream",
            "Imports and Exports"
        ]
    );
    let row = |title: &str, label: &str| {
        sections
            .iter()
            .find(|s| s.title == title)
            .and_then(|s| s.rows.iter().find(|(l, _)| *l == label))
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(row("Account Details", "Name"), "APP");
    assert_eq!(row("Account Details", "Issued"), "2026-01-01 00:00:00 UTC");
    assert_eq!(row("Account Details", "Expires"), "Not Set");
    assert_eq!(row("Limits", "Max Connections"), "10");
    assert_eq!(row("Limits", "Max Data"), "Unlimited");
    assert_eq!(row("JetStream", "Jetstream"), "Disabled");
    assert_eq!(row("Imports and Exports", "Imports"), "None");
}

#[wasm_bindgen_test]
fn an_account_deletion_request_is_what_the_server_accepts_for_that_account_only() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let operator = issue::operator(&data).unwrap();
    let (app_key, _) = issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let alice = issue::save_user(&mut data, &app_key, None, &user_form("alice"), "", NOW);
    assert!(alice.is_ok());

    let token =
        issue::account_deletion_request(&data, std::slice::from_ref(&app_key), NOW).unwrap();
    let AnyClaims::Generic(request) = nats_auth::jwt::decode(&token).unwrap() else {
        panic!("not a generic claim");
    };
    // the server's own rule: issued by the operator's keys, listing the account
    chain::check_account_deletion(&request, &operator, &app_key).unwrap();
    // and nats-server's resolver takes the same request ($SYS.REQ.CLAIMS.DELETE)
    assert_eq!(
        chain::check_resolver_deletion(&request, &operator).unwrap(),
        vec![app_key.clone()]
    );
    assert!(
        chain::check_account_deletion(&request, &operator, &operator.nats.system_account).is_err()
    );
    // short-lived: a captured request cannot be replayed for long
    assert_eq!(request.expires, NOW + 300);
    assert!(!AnyClaims::Generic(request.clone())
        .validate(NOW)
        .is_blocking(true));
    assert!(AnyClaims::Generic(request.clone())
        .validate(NOW + 301)
        .is_blocking(true));

    assert_eq!(issue::forget_account(&mut data, &app_key), 1);
    assert!(issue::account(&data, &app_key).is_none());
    assert!(
        data.seed_of(&app_key).is_some(),
        "the account's key stays in the vault"
    );
    assert!(data.users.iter().all(|u| u.name != "alice"));
}

#[wasm_bindgen_test]
fn limits_take_units_as_nsc_does_and_unlimited_reads_the_same() {
    for (text, want) in [
        ("", -1),
        ("unlimited", -1),
        ("Unlimited", -1),
        ("-1", -1),
        ("0", 0),
        ("1MB", 1_000_000),
        ("512K", 512_000),
        ("512k", 512_000),
        ("2G", 2_000_000_000),
        ("100B", 100),
        ("2GiB", 2 << 30),
        ("64 KiB", 64 << 10),
    ] {
        assert_eq!(issue::parse_limit(text), Ok(want), "{text:?}");
    }
    for bad in ["lots", "1.5M", "-2", "1XB", "99999999999T"] {
        let error = issue::parse_limit(bad).unwrap_err();
        assert!(error.contains("1MB, 512K"), "{bad:?}: {error}");
    }
    // an account's limits in units; shown again as numbers, unlimited as empty
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let form = AccountForm {
        data: "1MB".into(),
        payload: "512K".into(),
        ..account_form("APP")
    };
    let (_, jwt) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let app = decode_account(&jwt);
    assert_eq!(
        (app.nats.limits.data, app.nats.limits.payload),
        (1_000_000, 512_000)
    );
    assert_eq!(app.nats.limits.conn, -1);
    let shown = AccountForm::of(&app, NOW);
    assert_eq!((shown.data.as_str(), shown.conn.as_str()), ("1000000", ""));
}

#[wasm_bindgen_test]
fn users_get_times_of_day_in_a_time_zone() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let (app_key, _) = issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let form = UserForm {
        times: "08:00-17:00, 20:00:00-22:30:00".into(),
        times_location: "Europe/Berlin".into(),
        ..user_form("shift")
    };
    let creds = issue::save_user(&mut data, &app_key, None, &form, "", NOW).unwrap();
    let user = user_of(&creds);
    let times: Vec<(&str, &str)> = user
        .nats
        .limits
        .times
        .iter()
        .map(|t| (t.start.as_str(), t.end.as_str()))
        .collect();
    assert_eq!(times, [("08:00:00", "17:00:00"), ("20:00:00", "22:30:00")]);
    assert_eq!(user.nats.limits.locale, "Europe/Berlin");
    assert_eq!(
        UserForm::of(&user, NOW).times,
        "08:00:00-17:00:00, 20:00:00-22:30:00"
    );
    for (times, zone, field) in [
        ("8-17", "", "user-times"),
        ("25:00-26:00", "", "user-times"),
        ("08:00-17:00", "Mars/Olympus", "user-times-location"),
    ] {
        let form = UserForm {
            times: times.into(),
            times_location: zone.into(),
            ..user_form("bad")
        };
        let error = issue::save_user(&mut data, &app_key, None, &form, "", NOW).unwrap_err();
        assert_eq!(error.field, Some(field), "{times} {zone}: {error}");
    }
}

#[wasm_bindgen_test]
fn under_strict_signing_the_forms_offer_only_what_nats_server_takes() {
    let mut data = VaultData::default();
    let form = OperatorForm {
        strict_signing: true,
        ..operator_form("STRICT", true)
    };
    issue::create_operator(&mut data, &form, NOW).unwrap();
    let operator = issue::operator(&data).unwrap();
    let sys_key = operator.nats.system_account.clone();
    let sys = issue::account(&data, &sys_key).unwrap();
    assert_eq!(
        sys.nats.signing_keys.keys().count(),
        1,
        "SYS gets a signing key"
    );
    // sys, the console's link and a new account's users come from signing keys
    let sys_user = data.users.iter().find(|u| u.name == "sys").unwrap();
    let sys_user = match nats_auth::jwt::decode(&sys_user.jwt).unwrap() {
        AnyClaims::User(u) => u,
        _ => panic!(),
    };
    assert_eq!(sys_user.nats.issuer_account, sys_key);
    chain::check_user(&sys_user, &sys, Some(&operator)).unwrap();
    let link =
        match nats_auth::jwt::decode(&issue::console_link_jwt(&data, &user_key(), NOW).unwrap())
            .unwrap()
        {
            AnyClaims::User(u) => u,
            _ => panic!(),
        };
    chain::check_user(&link, &sys, Some(&operator)).unwrap();
    assert!(
        issue::account_signers(&data, &sys_key)
            .iter()
            .all(|s| s.key != sys_key),
        "the identity is not offered"
    );
    // signing in as admin: only SYS's signing key is offered, and the console takes it
    let choices: Vec<_> = issue::sign_in_choices(&data, &sys_key)
        .into_iter()
        .filter(|c| c.account == sys_key)
        .collect();
    assert_eq!(
        choices.len(),
        1,
        "{:?}",
        choices.iter().map(|c| &c.label).collect::<Vec<_>>()
    );
    assert_ne!(choices[0].signer, sys_key);
    let session_key = user_key();
    let (session, _) = issue::session_jwt(
        &data,
        &operator,
        &sys,
        &choices[0].signer,
        &session_key,
        "admin",
        "1",
        NOW,
    )
    .unwrap();
    nats_auth::session::check_sign_in(
        &session,
        &session_key,
        &operator,
        |_| Some(sys.clone()),
        NOW,
    )
    .unwrap();

    let (app_key, app_jwt) =
        issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let app = decode_account(&app_jwt);
    assert_eq!(
        app.nats.signing_keys.keys().count(),
        1,
        "an account under strict signing gets a signing key"
    );
    let creds = issue::save_user(&mut data, &app_key, None, &user_form("alice"), "", NOW).unwrap();
    let alice = user_of(&creds);
    assert_ne!(alice.issuer, app_key);
    chain::check_user(&alice, &app, Some(&operator)).unwrap();
    // signed with the identity anyway (chosen by hand): refused, naming the signer input
    let refused =
        issue::save_user(&mut data, &app_key, None, &user_form("bob"), &app_key, NOW).unwrap_err();
    assert_eq!(refused.field, Some("user-signer"), "{refused}");
    assert!(refused.message.contains("strict signing"), "{refused}");
}

#[wasm_bindgen_test]
fn turning_strict_signing_on_asks_for_account_signing_keys_first() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("LATER", true), NOW).unwrap();
    let strict = OperatorForm {
        strict_signing: true,
        ..OperatorForm::of(&issue::operator(&data).unwrap())
    };
    let refused = issue::update_operator(&mut data, &strict, NOW).unwrap_err();
    assert_eq!(refused.field, Some("operator-strict"));
    assert!(
        refused.message.contains("SYS has no signing key"),
        "{refused}"
    );
    let sys_key = issue::operator(&data).unwrap().nats.system_account;
    let form = AccountForm {
        new_signing_key: true,
        ..AccountForm::of(&issue::account(&data, &sys_key).unwrap(), NOW)
    };
    issue::save_account(&mut data, Some(&sys_key), &form, "", NOW).unwrap();
    issue::update_operator(&mut data, &strict, NOW).unwrap();
    assert!(
        issue::operator(&data)
            .unwrap()
            .nats
            .strict_signing_key_usage
    );
}

fn user_key() -> String {
    nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::User, &mut nats_auth::OsRng)
        .unwrap()
        .public_key()
}

#[wasm_bindgen_test]
fn server_configs_for_each_resolver_say_what_each_line_is() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let sys = issue::operator(&data).unwrap().nats.system_account;
    let url = issue::Resolver::Url("http://127.0.0.1:9090/jwt/v1/accounts/".into());
    let text = issue::server_config(
        &data,
        &issue::ServerSetup::new(url.clone(), "0.0.0.0:4222", "127.0.0.1:8222"),
    )
    .unwrap();
    for line in [
        "# where clients connect\nlisten: 0.0.0.0:4222\n",
        "\nhttp: 127.0.0.1:8222\n",
        &format!("system_account: {sys}\n"),
        "resolver: URL(http://127.0.0.1:9090/jwt/v1/accounts/)\n",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    assert!(!text.contains("jetstream"), "no account uses JetStream yet");

    let full = issue::server_config(
        &data,
        &issue::ServerSetup::new(issue::Resolver::Full, "0.0.0.0:4222", "127.0.0.1:8222"),
    )
    .unwrap();
    let sys_jwt = &data.accounts.iter().find(|a| a.key == sys).unwrap().jwt;
    for line in [
        "resolver {\n  type: full\n",
        "  dir: \"./jwt\"\n",
        "  allow_delete: false\n",
        "  interval: \"2m\"\n",
        &format!("resolver_preload {{\n  {sys}: {sys_jwt}\n}}\n"),
    ] {
        assert!(full.contains(line), "{line:?} in\n{full}");
    }
    let cache = issue::server_config(
        &data,
        &issue::ServerSetup::new(issue::Resolver::Cache, "0.0.0.0:4222", "127.0.0.1:8222"),
    )
    .unwrap();
    assert!(
        cache.contains("  type: cache\n") && cache.contains("  ttl: \"1h\"\n"),
        "{cache}"
    );

    // one server of a cluster whose accounts may be deleted by the operator
    let mut setup =
        issue::ServerSetup::new(issue::Resolver::Full, "127.0.0.1:4222", "127.0.0.1:8222");
    setup.server_name = "n-1".into();
    setup.allow_delete = true;
    setup.cluster = Some(issue::ClusterSetup {
        name: "east".into(),
        listen: "127.0.0.1:6222".into(),
        routes: vec!["127.0.0.1:6223".into(), "10.0.0.3:6222".into()],
    });
    let clustered = issue::server_config(&data, &setup).unwrap();
    for line in [
        "server_name: n-1\n",
        "cluster {\n  name: east\n  listen: 127.0.0.1:6222\n  routes: [\n    nats-route://127.0.0.1:6223\n    nats-route://10.0.0.3:6222\n  ]\n}\n",
        "  allow_delete: true\n",
    ] {
        assert!(clustered.contains(line), "{line:?} in\n{clustered}");
    }
    // what nats-server would not read is refused, naming the input
    for (field, bad) in [
        ("server name", "n 1"),
        ("route address", "6222"),
        ("routes", "nats://x:1"),
        ("cluster name", ""),
    ] {
        let mut wrong = setup.clone();
        match field {
            "server name" => wrong.server_name = bad.into(),
            "route address" => wrong.cluster.as_mut().unwrap().listen = bad.into(),
            "routes" => wrong.cluster.as_mut().unwrap().routes = vec![bad.into()],
            _ => wrong.cluster.as_mut().unwrap().name = bad.into(),
        }
        let error = issue::server_config(&data, &wrong).unwrap_err();
        assert!(error.starts_with(field), "{field}: {error}");
    }

    let form = AccountForm {
        jetstream: true,
        ..account_form("STREAMS")
    };
    issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    setup.server_name.clear();
    let error = issue::server_config(&data, &setup).unwrap_err();
    assert!(
        error.contains("JetStream in a cluster needs a name"),
        "{error}"
    );
    let text = issue::server_config(
        &data,
        &issue::ServerSetup::new(url.clone(), "0.0.0.0:4222", "127.0.0.1:8222"),
    )
    .unwrap();
    assert!(
        text.contains("jetstream {\n  store_dir: \"./jetstream\"\n}\n"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn the_health_report_fixes_what_it_offers_to_fix() {
    use nats_auth::health::Fix;
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", false), NOW).unwrap();
    let (app_key, app_jwt) =
        issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let form = UserForm {
        expires_in_days: "3".into(),
        ..user_form("alice")
    };
    issue::save_user(&mut data, &app_key, None, &form, "", NOW).unwrap();
    let alice = data
        .users
        .iter()
        .find(|u| u.name == "alice")
        .unwrap()
        .key
        .clone();
    let stored = [(app_key.clone(), None)].into_iter().collect();
    let report = |data: &VaultData, stored, days| {
        issue::health_report(data, stored, vec![], NOW + 86_400, days)
    };
    let fix_of = |findings: &[nats_auth::health::Finding], check: &str, subject: &str| {
        findings
            .iter()
            .find(|f| f.check == check && f.subject == subject)
            .and_then(|f| f.fix.clone())
    };
    let found = report(&data, stored, 30);
    let operator_key = issue::operator(&data).unwrap().subject;
    assert_eq!(
        fix_of(&found, "account-not-stored", &app_key),
        Some(Fix::PushAccount(app_key.clone()))
    );
    assert_eq!(
        fix_of(&found, "expiring", &alice),
        Some(Fix::Renew(alice.clone()))
    );

    // each fix that changes the vault ends its finding
    for (check, subject, fix) in [
        (
            "operator-without-signing-key",
            operator_key.clone(),
            Fix::AddOperatorSigningKey,
        ),
        (
            "account-without-signing-key",
            app_key.clone(),
            Fix::AddAccountSigningKey(app_key.clone()),
        ),
        (
            "strict-signing-off",
            operator_key.clone(),
            Fix::TurnOnStrictSigning,
        ),
    ] {
        let before = report(&data, Default::default(), 30);
        assert_eq!(
            fix_of(&before, check, &subject),
            Some(fix.clone()),
            "{check}: {before:#?}"
        );
        // SYS needs a signing key too before strict signing: the console says so first
        if fix == Fix::TurnOnStrictSigning {
            let sys = issue::operator(&data).unwrap().nats.system_account;
            let refused = issue::apply_fix(&mut data, &fix, NOW).unwrap_err();
            assert!(refused.contains("SYS has no signing key"), "{refused}");
            issue::apply_fix(&mut data, &Fix::AddAccountSigningKey(sys), NOW).unwrap();
        }
        issue::apply_fix(&mut data, &fix, NOW).unwrap();
        let after = report(&data, Default::default(), 30);
        assert!(
            !after
                .iter()
                .any(|f| f.check == check && f.subject == subject),
            "{check} still found after its fix: {after:#?}"
        );
    }
    // renewing alice: valid again for as long as before (3 days), signed as nats-server takes it
    issue::apply_fix(&mut data, &Fix::Renew(alice.clone()), NOW + 5 * 86_400).unwrap();
    let renewed = issue::user(&data, &alice).unwrap();
    assert_eq!(renewed.expires, NOW + 8 * 86_400);
    let app = issue::account(&data, &app_key).unwrap();
    chain::check_user(&renewed, &app, issue::operator(&data).as_ref()).unwrap();
    // the account changed: the store's copy (the first JWT) now differs
    let stored = [(app_key.clone(), Some(app_jwt))].into_iter().collect();
    assert!(fix_of(&report(&data, stored, 30), "account-differs", &app_key).is_some());
}

#[wasm_bindgen_test]
fn sharing_forms_say_what_they_take() {
    assert_eq!(issue::parse_duration("250ms"), Ok(250_000_000));
    assert_eq!(issue::parse_duration("2s"), Ok(2_000_000_000));
    assert_eq!(issue::parse_duration("1.5m"), Ok(90_000_000_000));
    assert_eq!(issue::parse_duration(""), Ok(0));
    assert!(issue::parse_duration("2 seconds").is_err());
    assert!(issue::parse_duration("5d")
        .unwrap_err()
        .contains("unknown unit"));
    let to = issue::parse_destinations("a:80, b:20@east").unwrap();
    assert_eq!(
        to.iter()
            .map(|m| (m.subject.as_str(), m.weight, m.cluster.as_str()))
            .collect::<Vec<_>>(),
        vec![("a", 80, ""), ("b", 20, "east")]
    );
    assert!(issue::parse_destinations("a:0").is_err());
    assert!(issue::parse_destinations("a:101").is_err());
    assert!(issue::parse_destinations(" , ").is_err());

    // a private export, its activation (checked as nats-server checks it), and its revocation
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let (svc, _) = issue::save_account(&mut data, None, &account_form("SVC"), "", NOW).unwrap();
    let (client, _) =
        issue::save_account(&mut data, None, &account_form("CLIENT"), "", NOW).unwrap();
    let export = issue::ExportForm {
        kind: "service".into(),
        subject: "time.now".into(),
        private: true,
        response_threshold: "2s".into(),
        latency_subject: "lat.time".into(),
        latency_sampling: "50%".into(),
        ..Default::default()
    };
    issue::add_export(&mut data, &svc, &export, NOW).unwrap();
    let exported = issue::account(&data, &svc).unwrap().nats.exports[0].clone();
    assert!(exported.token_req && exported.response_threshold == 2_000_000_000);
    assert_eq!(exported.latency.unwrap().sampling, 50);
    let bad = issue::ExportForm {
        latency_sampling: "often".into(),
        ..export.clone()
    };
    assert_eq!(
        issue::add_export(&mut data, &svc, &bad, NOW)
            .unwrap_err()
            .field,
        Some("export-sampling")
    );
    let token = issue::activation_token(&mut data, &svc, "time.now", &client, 0, NOW).unwrap();
    assert_eq!(
        issue::issued_activations(&data, &svc).len(),
        1,
        "the vault lists it"
    );
    let AnyClaims::Activation(activation) = nats_auth::jwt::decode(&token).unwrap() else {
        panic!("not an activation");
    };
    chain::check_activation(&activation, &issue::account(&data, &svc).unwrap()).unwrap();
    // the import wants the token, and takes only one made for it
    let mut import = issue::ImportForm {
        kind: "service".into(),
        from: svc.clone(),
        subject: "time.now".into(),
        ..Default::default()
    };
    let refused = issue::add_import(&mut data, &client, &import, NOW).unwrap_err();
    assert_eq!(refused.field, Some("import-token"));
    let for_svc = issue::activation_token(&mut data, &svc, "time.now", &svc, 0, NOW).unwrap();
    import.token = for_svc;
    let refused = issue::add_import(&mut data, &client, &import, NOW).unwrap_err();
    assert!(refused.message.contains("not this account"), "{refused}");
    import.token = token;
    issue::add_import(&mut data, &client, &import, NOW).unwrap();
    issue::revoke_activation(&mut data, &svc, "time.now", &client, NOW + 1).unwrap();
    let revoked = issue::account(&data, &svc).unwrap();
    let listed = issue::issued_activations(&data, &svc);
    assert!(
        listed
            .iter()
            .any(|(a, refused)| a.subject == client && *refused),
        "the list says CLIENT's activation is revoked"
    );
    assert!(matches!(
        chain::check_activation(&activation, &revoked),
        Err(chain::TrustFailure::ActivationRevoked { .. })
    ));
    // mappings: weights over 100 % are refused at the destinations
    let refused = issue::set_mapping(&mut data, &client, "work", "a:80, b:30", NOW).unwrap_err();
    assert_eq!(refused.field, Some("mapping-to"), "{refused}");
    issue::set_mapping(&mut data, &client, "work", "a:80, b:20", NOW).unwrap();
    assert_eq!(
        issue::account(&data, &client).unwrap().nats.mappings["work"].len(),
        2
    );
}

#[wasm_bindgen_test]
fn roles_are_scoped_keys_whose_users_carry_only_the_template() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let (app, _) = issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let mut form = issue::RoleForm {
        role: "orders".into(),
        pub_allow: "orders.{{user()}}".into(),
        data: "1MB".into(),
        connection_types: "websocket".into(),
        ..Default::default()
    };
    let refused = issue::add_role(&mut data, &app, &form, NOW).unwrap_err();
    assert_eq!(refused.field, Some("role-pub-allow"), "{refused}");
    form.pub_allow = "orders.{{name()}}, {{account-name()}}.status".into();
    let key = issue::add_role(&mut data, &app, &form, NOW).unwrap();
    let account = issue::account(&data, &app).unwrap();
    let scope = account.nats.signing_keys.scope(&key).unwrap();
    assert_eq!(scope.role, "orders");
    assert_eq!(scope.template.data, 1_000_000);
    assert_eq!(scope.template.subs, -1, "untyped limits stay unlimited");
    assert_eq!(scope.template.allowed_connection_types, ["WEBSOCKET"]);
    let (publish, _) = issue::RoleForm::of(scope)
        .preview("carol", &account)
        .unwrap();
    assert_eq!(publish, ["orders.carol", "APP.status"]);
    // a user signed by the role's key carries nothing of its own, whatever the form held
    let user = UserForm {
        pub_allow: "anything.>".into(),
        subs: "10".into(),
        ..user_form("carol")
    };
    assert_eq!(issue::role_of(&data, &app, &key).as_deref(), Some("orders"));
    issue::save_user(&mut data, &app, None, &user, &key, NOW).unwrap();
    let carol = data
        .users
        .iter()
        .find(|u| u.name == "carol")
        .unwrap()
        .key
        .clone();
    let carol = issue::user(&data, &carol).unwrap();
    assert!(carol.nats.limits.is_empty());
    assert_eq!(carol.nats.issuer_account, app);
    chain::check_user(&carol, &account, issue::operator(&data).as_ref()).unwrap();
    // edited, then removed
    form.pub_allow = "orders.>".into();
    issue::update_role(&mut data, &app, &key, &form, NOW).unwrap();
    let account = issue::account(&data, &app).unwrap();
    assert_eq!(
        account
            .nats
            .signing_keys
            .scope(&key)
            .unwrap()
            .template
            .permissions
            .publish
            .allow,
        ["orders.>"]
    );
    issue::remove_role(&mut data, &app, &key, NOW).unwrap();
    assert!(!issue::account(&data, &app)
        .unwrap()
        .nats
        .signing_keys
        .contains(&key));
}

#[wasm_bindgen_test]
fn jetstream_tiers_replace_the_flat_limits() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let form = AccountForm {
        jetstream: true,
        js_tiers: "R1: memory 512MiB, disk 10G, streams 10\nR3: disk 1GiB, consumers 100".into(),
        ..account_form("STREAMS")
    };
    let (key, _) = issue::save_account(&mut data, None, &form, "", NOW).unwrap();
    let claims = issue::account(&data, &key).unwrap();
    let l = &claims.nats.limits;
    assert!(
        l.jetstream.is_empty(),
        "flat limits cleared: nats-server refuses both"
    );
    let r1 = &l.jetstream_tiers["R1"];
    assert_eq!(
        (r1.memory_storage, r1.disk_storage, r1.streams, r1.consumer),
        (512 << 20, 10_000_000_000, 10, -1)
    );
    assert_eq!(l.jetstream_tiers["R3"].consumer, 100);
    // shown again as typed, and the generated config stores streams
    let again = AccountForm::of(&claims, NOW);
    assert!(again.jetstream);
    assert_eq!(
        again.js_tiers.lines().next(),
        Some("R1: memory 536870912, disk 10000000000, streams 10")
    );
    let setup = issue::ServerSetup::new(issue::Resolver::Full, "127.0.0.1:4222", "127.0.0.1:8222");
    assert!(issue::server_config(&data, &setup)
        .unwrap()
        .contains("jetstream {"));
    for bad in [
        "R1 memory 1G",
        "R1: memry 1G",
        "R1: memory lots",
        ": disk 1G",
    ] {
        let form = AccountForm {
            jetstream: true,
            js_tiers: bad.into(),
            ..account_form("BAD")
        };
        let refused = issue::save_account(&mut data, Some(&key), &form, "", NOW).unwrap_err();
        assert_eq!(refused.field, Some("account-js-tiers"), "{bad}: {refused}");
    }
}

#[wasm_bindgen_test]
fn auth_callout_settings_are_checked_and_the_xkey_kept_in_the_vault() {
    let mut data = VaultData::default();
    issue::create_operator(&mut data, &operator_form("ACME", true), NOW).unwrap();
    let (auth, _) = issue::save_account(&mut data, None, &account_form("AUTH"), "", NOW).unwrap();
    let (app, _) = issue::save_account(&mut data, None, &account_form("APP"), "", NOW).unwrap();
    let service = user_key();
    let mut form = issue::AuthorizationForm {
        auth_users: "not-a-key".into(),
        allowed_accounts: app.clone(),
        encrypt: true,
    };
    let refused = issue::set_authorization(&mut data, &auth, &form, NOW).unwrap_err();
    assert_eq!(refused.field, Some("auth-users"), "{refused}");
    form.auth_users = service.clone();
    form.allowed_accounts = format!("*, {app}");
    let refused = issue::set_authorization(&mut data, &auth, &form, NOW).unwrap_err();
    assert_eq!(refused.field, Some("auth-accounts"), "{refused}");
    form.allowed_accounts = app.clone();
    issue::set_authorization(&mut data, &auth, &form, NOW).unwrap();
    let a = issue::account(&data, &auth).unwrap().nats.authorization;
    assert_eq!(
        (a.auth_users, a.allowed_accounts),
        (vec![service.clone()], vec![app.clone()])
    );
    assert!(
        a.xkey.starts_with('X') && data.seed_of(&a.xkey).is_some(),
        "the xkey's seed is in the vault"
    );
    // saved again: the same xkey; turned off: nothing left
    issue::set_authorization(&mut data, &auth, &form, NOW).unwrap();
    assert_eq!(
        issue::account(&data, &auth)
            .unwrap()
            .nats
            .authorization
            .xkey,
        a.xkey
    );
    let off = issue::AuthorizationForm::default();
    issue::set_authorization(&mut data, &auth, &off, NOW).unwrap();
    assert!(issue::account(&data, &auth)
        .unwrap()
        .nats
        .authorization
        .is_empty());
}
