//! Signing in and the team portal in the browser (wasm32, headless Chromium): the session JWT
//! passes the console's own sign-in rule; an admin's approval makes the member's key a scoped
//! signing key with the role's template; a member's users carry no permissions of their own and
//! chain to the account; a revocation takes.
#![cfg(target_arch = "wasm32")]

use nats_auth::jwt::{AccountClaims, AnyClaims};
use nats_auth::session::{check_sign_in, Role};
use nats_console_web::issue::{self, AccountForm, OperatorForm, RoleForm};
use nats_console_web::vault::VaultData;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NOW: i64 = 1_767_225_600;

fn account(jwt: &str) -> AccountClaims {
    match nats_auth::jwt::decode(jwt).unwrap() {
        AnyClaims::Account(a) => a,
        other => panic!("{other:?}"),
    }
}

/// An admin vault with operator ACME (its SYS) and account APP.
fn admin() -> (VaultData, String) {
    let mut data = VaultData::default();
    let form = OperatorForm {
        name: "ACME".into(),
        signing_key: true,
        account_server_url: "http://127.0.0.1:9090/jwt/v1".into(),
        ..Default::default()
    };
    issue::create_operator(&mut data, &form, NOW).unwrap();
    let app = AccountForm {
        name: "APP".into(),
        ..Default::default()
    };
    let (key, _) = issue::save_account(&mut data, None, &app, "", NOW).unwrap();
    (data, key)
}

#[wasm_bindgen_test]
fn the_session_jwt_passes_the_consoles_sign_in_rule() {
    let (data, _) = admin();
    let operator = issue::operator(&data).unwrap();
    let sys = issue::account(&data, &operator.nats.system_account).unwrap();
    let choices = issue::sign_in_choices(&data, &operator.nats.system_account);
    assert_eq!(
        choices[0].account, operator.nats.system_account,
        "admin first"
    );
    let session_key =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::User, &mut nats_auth::OsRng)
            .unwrap()
            .public_key();
    let (jwt, grant) = issue::session_jwt(
        &data,
        &operator,
        &sys,
        &choices[0].signer,
        &session_key,
        "ann",
        "8",
        NOW,
    )
    .unwrap();
    assert_eq!(grant.role, Role::Admin);
    let again = check_sign_in(&jwt, &session_key, &operator, |_| Some(sys.clone()), NOW).unwrap();
    assert_eq!(
        (again.name.as_str(), again.expires),
        ("ann", NOW + 8 * 3600)
    );
    // refused at the input that is wrong
    let e = issue::session_jwt(
        &data,
        &operator,
        &sys,
        &choices[0].signer,
        &session_key,
        "ann",
        "13",
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.field, Some("sign-in-hours"));
    let e = issue::session_jwt(
        &data,
        &operator,
        &sys,
        &choices[0].signer,
        &session_key,
        " ",
        "8",
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.field, Some("sign-in-name"));
}

#[wasm_bindgen_test]
fn a_member_key_gets_its_role_and_issues_users_under_it() {
    let (mut admin, app) = admin();
    // the member's own vault makes the key; only its public part reaches the admin
    let mut member = VaultData::default();
    let member_key = issue::member_key(&mut member, &app, "bob").unwrap();
    assert!(issue::member_key(&mut member, "not-a-key", "bob").is_err());
    let role = RoleForm {
        role: "orders".into(),
        pub_allow: "orders.{{name()}}.>, _INBOX.>".into(),
        sub_allow: "orders.>, _INBOX.>".into(),
        ..Default::default()
    };
    assert!(role
        .warning()
        .unwrap()
        .contains("$SYS.REQ.ACCOUNT.PING.CONNZ"));
    assert_eq!(RoleForm::starting().warning(), None);
    let jwt = issue::approve_member(&mut admin, &app, &member_key, &role, NOW).unwrap();
    let stored = account(&jwt);
    let scope = stored
        .nats
        .signing_keys
        .scope(&member_key)
        .expect("a scoped key");
    assert_eq!(scope.role, "orders");
    assert_eq!(
        scope.template.permissions.publish.allow,
        ["orders.{{name()}}.>", "_INBOX.>"]
    );

    // the member issues svc with their key: no permissions of its own, trusted by APP
    let (user_jwt, creds) =
        issue::team_user(&member, &stored, &member_key, "svc", "30", NOW).unwrap();
    let AnyClaims::User(user) = nats_auth::jwt::decode(&user_jwt).unwrap() else {
        panic!()
    };
    assert_eq!(user.nats.issuer_account, app);
    assert!(
        user.nats.limits.is_empty(),
        "a scoped key's user carries no permissions"
    );
    nats_auth::chain::check_user(&user, &stored, None).unwrap();
    assert!(creds.contains(&user_jwt));
    assert_eq!(
        issue::team_user(&member, &stored, &member_key, "svc", "0", NOW)
            .unwrap_err()
            .field,
        Some("team-user-days")
    );

    // the admin revokes it: the account as signed says so
    let revoked = account(&issue::revoke_key(&mut admin, &app, &user.subject, NOW + 10).unwrap());
    assert!(revoked.is_revoked(&user.subject, user.issued_at));
}
