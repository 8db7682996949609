//! The team portal against the real binary: a member asks for access with a key of their own,
//! an admin approves only once the pushed account lists that key (scoped), the member signs in
//! with it and records the users it issues, asks for a revocation, and the admin approves it
//! only once the pushed account revokes the user. Anonymous requests are bounded.

mod support;

use nats_auth::jwt::{UserClaims, UserScope};
use nats_auth::nkeys::{KeyPair, KeyType};
use serde_json::{json, Value};
use support::{
    console_with_operator, http, post_session, session_jwt, session_key, sign_in, temp_dir,
    unix_now, Deployment, HttpResponse,
};

fn json_of(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

fn call(port: u16, method: &str, path: &str, cookie: Option<&str>, body: Value) -> HttpResponse {
    let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    http(port, method, path, &headers, body.as_bytes())
}

#[test]
fn a_member_gets_a_scoped_key_issues_users_and_has_one_revoked() {
    let d = Deployment::new();
    let dir = temp_dir("portal");
    let console = console_with_operator(&d, &dir, "console.log");
    let port = console.port;
    let push = |key: &str, jwt: &str| support::push_accounts(port, &[(key.into(), jwt.into())]);
    push(&d.sys.public_key(), &d.sys_jwt);
    let (app, mut app_claims) = d.account("APP");
    push(
        &app.public_key(),
        &d.sign_account(&mut app_claims, unix_now() - 100),
    );
    let (other, mut other_claims) = d.account("OTHER");
    push(
        &other.public_key(),
        &d.sign_account(&mut other_claims, unix_now() - 100),
    );
    let admin = sign_in(port, &d.sys, &d.sys);

    // the member's own key, asked for anonymously
    let member = KeyPair::new(KeyType::Account, &mut rand_core::OsRng).unwrap();
    let ask = |body: Value| call(port, "POST", "/api/v1/access-requests", None, body);
    for (body, reason) in [
        (
            json!({"account": app.public_key(), "key": "nope", "name": "bob"}),
            "not an account public key",
        ),
        (
            json!({"account": "AXXX", "key": member.public_key(), "name": "bob"}),
            "not stored",
        ),
        (
            json!({"account": app.public_key(), "key": app.public_key(), "name": "bob"}),
            "identity key",
        ),
        (
            json!({"account": app.public_key(), "key": member.public_key(), "name": ""}),
            "name: required",
        ),
        (
            json!({"account": app.public_key(), "key": member.public_key(), "name": "x".repeat(1001)}),
            "at most 1000",
        ),
        (json!({"hello": 1}), "expected"),
    ] {
        let r = ask(body);
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(
            json_of(&r)["error"].as_str().unwrap().contains(reason),
            "{}",
            r.text()
        );
    }
    let r = ask(
        json!({"account": app.public_key(), "key": member.public_key(), "name": "bob", "note": "orders team"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let request = json_of(&r);
    let id = request["id"].as_str().unwrap().to_string();
    assert_eq!(request["state"], "pending");
    assert_eq!(
        ask(json!({"account": app.public_key(), "key": member.public_key(), "name": "bob"})).status,
        409,
        "one pending request per key"
    );
    // the member follows it by id; only an admin lists them
    assert_eq!(
        json_of(&call(
            port,
            "GET",
            &format!("/api/v1/access-requests/{id}"),
            None,
            Value::Null
        ))["state"],
        "pending"
    );
    assert_eq!(
        call(port, "GET", "/api/v1/access-requests", None, Value::Null).status,
        401
    );
    let pending = json_of(&call(
        port,
        "GET",
        "/api/v1/access-requests?state=pending",
        Some(&admin),
        Value::Null,
    ));
    assert_eq!(pending.as_array().unwrap().len(), 1);

    // approving before the account lists the key is refused; the member cannot sign in yet
    let decide = |cookie: &str, id: &str, approve: bool| {
        call(
            port,
            "POST",
            &format!("/api/v1/access-requests/{id}/decision"),
            Some(cookie),
            json!({"approve": approve, "reason": "ok"}),
        )
    };
    let r = decide(&admin, &id, true);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(json_of(&r)["error"]
        .as_str()
        .unwrap()
        .contains("does not list"));
    let key = session_key(port);
    assert_eq!(
        post_session(
            port,
            &session_jwt(&key, &app, &member, |u| u.nats.limits = Default::default())
        )
        .status,
        403
    );

    // the admin adds the member's key with a role (publish only under orders.>), pushes, approves
    let mut scope = UserScope::new(member.public_key(), "orders-team");
    scope.template.permissions.publish.allow = vec![
        "orders.>".into(),
        "_INBOX.>".into(),
        "$SYS.REQ.ACCOUNT.PING.*".into(),
    ];
    scope.template.permissions.subscribe.allow = vec!["orders.>".into(), "_INBOX.>".into()];
    app_claims.nats.signing_keys.add_scope(scope);
    push(
        &app.public_key(),
        &d.sign_account(&mut app_claims, unix_now() - 50),
    );
    let r = decide(&admin, &id, true);
    assert_eq!(r.status, 200, "{}", r.text());
    let decided = json_of(&r);
    assert_eq!(
        (decided["state"].as_str(), decided["role"].as_str()),
        (Some("approved"), Some("orders-team"))
    );
    assert_eq!(decide(&admin, &id, false).status, 409, "decided once");

    // the member signs in as APP's team with their own key and records a user they issued
    let key = session_key(port);
    let r = post_session(
        port,
        &session_jwt(&key, &app, &member, |u| u.nats.limits = Default::default()),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let team = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(decide(&team, &id, true).status, 403, "a team cannot decide");
    let user = KeyPair::new(KeyType::User, &mut rand_core::OsRng).unwrap();
    let mut claims = UserClaims::new(user.public_key());
    claims.name = "svc".into();
    claims.nats.issuer_account = app.public_key();
    claims.nats.limits = Default::default();
    claims.expires = unix_now() + 86_400;
    let user_jwt = claims.encode(&member, unix_now() - 5).unwrap();
    let r = call(
        port,
        "POST",
        "/api/v1/users",
        Some(&team),
        json!({"jwt": user_jwt}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // a user of another account, or one the account would not trust, is refused
    let mut foreign = UserClaims::new(
        KeyPair::new(KeyType::User, &mut rand_core::OsRng)
            .unwrap()
            .public_key(),
    );
    let foreign_jwt = foreign.encode(&other, unix_now()).unwrap();
    assert_eq!(
        call(
            port,
            "POST",
            "/api/v1/users",
            Some(&team),
            json!({"jwt": foreign_jwt})
        )
        .status,
        403
    );
    let mut with_permissions = claims.clone();
    with_permissions.nats.limits.subs = 3;
    let bad = with_permissions.encode(&member, unix_now()).unwrap();
    let r = call(
        port,
        "POST",
        "/api/v1/users",
        Some(&team),
        json!({"jwt": bad}),
    );
    assert_eq!(r.status, 403);
    assert!(r.text().contains("scoped users require no permissions"));
    let users = json_of(&call(
        port,
        "GET",
        "/api/v1/users",
        Some(&team),
        Value::Null,
    ));
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            users[0]["name"].as_str(),
            users[0]["issued_by"].as_str(),
            users[0]["revoked"].as_bool()
        ),
        (Some("svc"), Some("tester"), Some(false))
    );
    assert_eq!(
        call(
            port,
            "GET",
            &format!("/api/v1/users?account={}", other.public_key()),
            Some(&team),
            Value::Null
        )
        .status,
        403
    );

    // revocation: asked by the team, approved by the admin once the pushed account revokes
    let r = call(
        port,
        "POST",
        "/api/v1/revocation-requests",
        Some(&team),
        json!({"user": user.public_key(), "reason": "leaked"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let rid = json_of(&r)["id"].as_str().unwrap().to_string();
    assert_eq!(
        call(
            port,
            "POST",
            "/api/v1/revocation-requests",
            Some(&team),
            json!({"user": user.public_key()})
        )
        .status,
        409
    );
    let mine = json_of(&call(
        port,
        "GET",
        "/api/v1/revocation-requests",
        Some(&team),
        Value::Null,
    ));
    assert_eq!(mine[0]["state"], "pending");
    let approve = |cookie: &str| {
        call(
            port,
            "POST",
            &format!("/api/v1/revocation-requests/{rid}/decision"),
            Some(cookie),
            json!({"approve": true}),
        )
    };
    assert_eq!(approve(&team).status, 403);
    let r = approve(&admin);
    assert_eq!(r.status, 409, "{}", r.text());
    app_claims.revoke_at(&user.public_key(), unix_now());
    push(
        &app.public_key(),
        &d.sign_account(&mut app_claims, unix_now()),
    );
    assert_eq!(approve(&admin).status, 200);
    assert_eq!(
        json_of(&call(
            port,
            "GET",
            "/api/v1/revocation-requests",
            Some(&team),
            Value::Null
        ))[0]["state"],
        "approved"
    );
    assert_eq!(
        json_of(&call(
            port,
            "GET",
            "/api/v1/users",
            Some(&team),
            Value::Null
        ))[0]["revoked"],
        true
    );

    // every step is in the audit log, and the records survive a restart
    let audit = std::fs::read_to_string(dir.join("jwt/audit.jsonl")).unwrap();
    for action in [
        "access.requested",
        "access.approved",
        "user.issued",
        "revocation.requested",
        "revocation.approved",
    ] {
        assert!(audit.contains(&format!("\"{action}\"")), "{action} missing");
    }
    drop(console);
    let again = console_with_operator(&d, &dir, "console2.log");
    let r = call(
        again.port,
        "GET",
        &format!("/api/v1/access-requests/{id}"),
        None,
        Value::Null,
    );
    assert_eq!(json_of(&r)["state"], "approved");
}

#[test]
fn anonymous_access_requests_are_rate_limited() {
    let d = Deployment::new();
    let dir = temp_dir("portal-rate");
    let console = console_with_operator(&d, &dir, "console.log");
    let (app, mut claims) = d.account("APP");
    let jwt = d.sign_account(&mut claims, unix_now());
    assert_eq!(
        http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", app.public_key()),
            &[],
            jwt.as_bytes()
        )
        .status,
        200
    );
    let statuses: Vec<u16> = (0..30)
        .map(|_| {
            let key = KeyPair::new(KeyType::Account, &mut rand_core::OsRng).unwrap();
            call(
                console.port,
                "POST",
                "/api/v1/access-requests",
                None,
                json!({"account": app.public_key(), "key": key.public_key(), "name": "n"}),
            )
            .status
        })
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}
