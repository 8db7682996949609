//! Sign-in by signature, roles, the setup code and the audit log, against the real binary:
//! every refusal is a 4xx with its reason, a team sees its own account alone, the setup code
//! is required, single-use and never served, and the audit chain catches edits.

mod support;

use nats_auth::jwt::{AccountClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use serde_json::Value;
use support::{
    console_with_operator, http, post_session, session_jwt, session_key, sign_in, temp_dir,
    unix_now, Console, Deployment, HttpResponse,
};

/// Does `text` hold an nkey seed (`S` + key type + 56 base32 characters)?
fn has_seed(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(57)).any(|i| {
        b[i] == b'S'
            && b"OAUNCX".contains(&b[i + 1])
            && b[i + 2..i + 58]
                .iter()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(c))
    })
}

fn new_key(kind: KeyType) -> KeyPair {
    KeyPair::new(kind, &mut rand_core::OsRng).unwrap()
}

fn push(console: &Console, key: &str, jwt: &str) {
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        jwt.as_bytes(),
    );
    assert_eq!(r.status, 200, "push of {key}: {}", r.text());
}

fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

/// A console pinned to the deployment's operator, with SYS and APP (an identity key, a plain
/// signing key and a scoped one) pushed.
struct World {
    d: Deployment,
    console: Console,
    dir: std::path::PathBuf,
    app: KeyPair,
    app_signer: KeyPair,
    app_scoped: KeyPair,
}

fn world(name: &str, before_start: impl FnOnce(&Deployment, &std::path::Path)) -> World {
    let d = Deployment::new();
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("jwt")).unwrap();
    before_start(&d, &dir.join("jwt"));
    let console = console_with_operator(&d, &dir, "console.log");
    push(&console, &d.sys.public_key(), &d.sys_jwt);
    let (app, mut claims) = d.account("APP");
    let (app_signer, app_scoped) = (new_key(KeyType::Account), new_key(KeyType::Account));
    claims.nats.signing_keys.add(app_signer.public_key());
    let mut scope = nats_auth::jwt::UserScope::new(app_scoped.public_key(), "member");
    scope.template.permissions.publish.allow = vec!["app.>".into()];
    claims.nats.signing_keys.add_scope(scope);
    push(
        &console,
        &app.public_key(),
        &d.sign_account(&mut claims, unix_now() - 60),
    );
    World {
        d,
        console,
        dir,
        app,
        app_signer,
        app_scoped,
    }
}

#[test]
fn every_refused_sign_in_is_a_4xx_with_its_reason() {
    // accounts the console has on disk but cannot trust: one signed by another operator, one expired
    let stranger_op = new_key(KeyType::Operator);
    let untrusted = new_key(KeyType::Account);
    let expired = new_key(KeyType::Account);
    let w = world("sessions-refusals", |d, dir| {
        let mut a = AccountClaims::new(untrusted.public_key());
        let jwt = a.encode(&stranger_op, unix_now() - 60).unwrap();
        std::fs::write(dir.join(format!("{}.jwt", untrusted.public_key())), jwt).unwrap();
        let mut e = AccountClaims::new(expired.public_key());
        e.expires = unix_now() - 10;
        let jwt = e.encode(&d.operator_signer, unix_now() - 60).unwrap();
        std::fs::write(dir.join(format!("{}.jwt", expired.public_key())), jwt).unwrap();
    });
    let port = w.console.port;
    let (app, signer, scoped) = (&w.app, &w.app_signer, &w.app_scoped);
    // an account that revoked every user issued before now + 100
    let (revoking, mut rc) = w.d.account("REVOKING");
    rc.revoke_at("*", unix_now() + 100);
    push(
        &w.console,
        &revoking.public_key(),
        &w.d.sign_account(&mut rc, unix_now() - 60),
    );

    let jwt_for = |edit: &dyn Fn(&mut UserClaims), account: &KeyPair, by: &KeyPair| {
        let key = session_key(port);
        session_jwt(&key, account, by, |u| edit(u))
    };
    let tampered = {
        let jwt = jwt_for(&|_| {}, app, app);
        let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
        let mut payload: Value =
            serde_json::from_slice(&nats_auth::jwt::segment::decode(&parts[1]).unwrap()).unwrap();
        payload["name"] = "mallory".into();
        parts[1] = nats_auth::jwt::segment::encode(payload.to_string().as_bytes());
        parts.join(".")
    };
    let accepted = jwt_for(&|_| {}, app, app);
    assert_eq!(post_session(port, &accepted).status, 200);
    let other_user = new_key(KeyType::User);
    let mut operator_claims = OperatorClaims::new(w.d.operator.public_key());
    let operator_jwt = operator_claims.encode(&w.d.operator, unix_now()).unwrap();
    let mut account_claims = AccountClaims::new(app.public_key());
    let account_jwt = account_claims
        .encode(&w.d.operator_signer, unix_now())
        .unwrap();

    let raw = |body: &[u8]| http(port, "POST", "/api/v1/session", &[], body);
    let cases: Vec<(&str, HttpResponse, u16, &str)> = vec![
        ("body not JSON", raw(b"hello"), 400, "expected {\"jwt\""),
        (
            "JSON without jwt",
            raw(b"{\"token\":\"x\"}"),
            400,
            "expected {\"jwt\"",
        ),
        ("empty jwt", post_session(port, ""), 400, "bad JWT"),
        ("not a JWT", post_session(port, "abc.def"), 400, "bad JWT"),
        (
            "an operator JWT",
            post_session(port, &operator_jwt),
            400,
            "not a user JWT: a operator JWT",
        ),
        (
            "an account JWT",
            post_session(port, &account_jwt),
            400,
            "not a user JWT: a account JWT",
        ),
        (
            "bad signature",
            post_session(port, &tampered),
            400,
            "bad JWT",
        ),
        (
            "a key the console did not make",
            post_session(
                port,
                &session_jwt(&other_user.public_key(), app, app, |_| {}),
            ),
            400,
            "not a sign-in key this console made",
        ),
        (
            "replayed",
            post_session(port, &accepted),
            400,
            "or it was used",
        ),
        (
            "no exp",
            post_session(port, &jwt_for(&|u| u.expires = 0, app, app)),
            400,
            "must expire",
        ),
        (
            "exp 13 hours ahead",
            post_session(
                port,
                &jwt_for(&|u| u.expires = unix_now() + 13 * 3600, app, app),
            ),
            400,
            "more than 12 hours ahead",
        ),
        (
            "expired",
            post_session(port, &jwt_for(&|u| u.expires = unix_now() - 2, app, app)),
            400,
            "expired",
        ),
        (
            "not yet valid",
            post_session(
                port,
                &jwt_for(&|u| u.not_before = unix_now() + 600, app, app),
            ),
            400,
            "not yet valid",
        ),
        (
            "bearer",
            post_session(
                port,
                &jwt_for(&|u| u.nats.limits.bearer_token = true, app, app),
            ),
            400,
            "bearer",
        ),
        (
            "bad permissions",
            post_session(
                port,
                &jwt_for(
                    &|u| u.nats.limits.permissions.publish.allow = vec!["a b".into()],
                    app,
                    app,
                ),
            ),
            400,
            "invalid JWT",
        ),
        (
            "unknown account",
            post_session(
                port,
                &jwt_for(
                    &|_| {},
                    &new_key(KeyType::Account),
                    &new_key(KeyType::Account),
                ),
            ),
            403,
            "is not stored here",
        ),
        (
            "account of another operator",
            post_session(port, &jwt_for(&|_| {}, &untrusted, &untrusted)),
            403,
            "is not trusted",
        ),
        (
            "expired account",
            post_session(port, &jwt_for(&|_| {}, &expired, &expired)),
            403,
            "is not trusted",
        ),
        (
            "signed by a key that is not the account's",
            post_session(port, &jwt_for(&|_| {}, app, &new_key(KeyType::Account))),
            403,
            "not signed by account",
        ),
        (
            "signing key without issuer_account",
            post_session(
                port,
                &jwt_for(&|u| u.nats.issuer_account.clear(), app, signer),
            ),
            403,
            "is not stored here",
        ),
        (
            "issuer_account naming another account",
            post_session(
                port,
                &jwt_for(
                    &|u| u.nats.issuer_account = revoking.public_key(),
                    app,
                    signer,
                ),
            ),
            403,
            "not signed by account",
        ),
        (
            "scoped key with permissions",
            post_session(port, &jwt_for(&|u| u.nats.limits.subs = 5, app, scoped)),
            403,
            "scoped users require no permissions",
        ),
        (
            "revoked",
            post_session(port, &jwt_for(&|_| {}, &revoking, &revoking)),
            403,
            "revoked",
        ),
        ("oversized", raw(&vec![b'x'; 2 << 20]), 413, ""),
    ];
    assert!(cases.len() >= 20);
    for (what, r, status, reason) in &cases {
        assert_eq!(r.status, *status, "{what}: {}", r.text());
        if r.status != 413 {
            let error = json(r)["error"].as_str().unwrap_or_default().to_string();
            assert!(
                error.contains(reason),
                "{what}: {error:?} should say {reason:?}"
            );
        }
        assert!(r.header("set-cookie").is_none(), "{what}: no cookie");
        assert!(!has_seed(&r.text()), "{what}");
    }
    // what is accepted: the identity key, a plain signing key, a scoped key (whose users carry
    // no permissions or limits of their own: the scope's template applies)
    for by in [app, signer, scoped] {
        let key = session_key(port);
        let r = post_session(
            port,
            &session_jwt(&key, app, by, |u| {
                if by.public_key() == scoped.public_key() {
                    u.nats.limits = Default::default();
                }
            }),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let v = json(&r);
        assert_eq!(
            (v["role"].as_str(), v["account"].as_str()),
            (Some("team"), Some(app.public_key().as_str()))
        );
        assert_eq!(v["signer"], by.public_key());
    }
    // refusals are in the audit log
    let audit = std::fs::read_to_string(w.dir.join("jwt/audit.jsonl")).unwrap();
    let refused = audit
        .lines()
        .filter(|l| l.contains("\"session.refused\""))
        .count();
    assert!(refused >= 20, "{refused} refusals recorded");
}

#[test]
fn roles_guard_the_console_api_and_a_team_sees_its_own_account() {
    let w = world("sessions-roles", |_, _| {});
    let port = w.console.port;
    let (other, mut oc) = w.d.account("OTHER");
    push(
        &w.console,
        &other.public_key(),
        &w.d.sign_account(&mut oc, unix_now() - 60),
    );

    for (method, path) in [
        ("GET", "/api/v1/info"),
        ("GET", "/api/v1/accounts"),
        ("POST", "/api/v1/nats-link"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/audit/download"),
        ("GET", "/api/v1/nats-resolver"),
        ("POST", "/api/v1/nats-resolver/delete"),
        (
            "POST",
            "/api/v1/nats-resolver/accounts/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        ("GET", "/api/v1/session"),
        ("DELETE", "/api/v1/session"),
    ] {
        let r = http(port, method, path, &[], b"");
        assert_eq!(r.status, 401, "{method} {path}: {}", r.text());
        assert_eq!(json(&r)["error"], "sign in first", "{method} {path}");
    }
    let bogus = [("Cookie", "nats_console_session=forged")];
    let r = http(port, "GET", "/api/v1/info", &bogus, b"");
    assert_eq!(r.status, 401);
    assert!(json(&r)["error"]
        .as_str()
        .unwrap()
        .contains("sign in again"));

    // a team session: its own account, nothing of others', no admin routes
    let key = session_key(port);
    let r = post_session(
        port,
        &session_jwt(&key, &w.app, &w.app_signer, |u| u.name = "bob".into()),
    );
    assert_eq!(r.status, 200);
    let set_cookie = r.header("set-cookie").unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    let team_cookie = set_cookie.split(';').next().unwrap().to_string();
    let team = [("Cookie", team_cookie.as_str())];
    let me = json(&http(port, "GET", "/api/v1/session", &team, b""));
    assert_eq!(
        (
            me["role"].as_str(),
            me["account_name"].as_str(),
            me["name"].as_str()
        ),
        (Some("team"), Some("APP"), Some("bob"))
    );
    assert_eq!(me["user"], key);
    assert_eq!(me["nats"], "not configured");
    let accounts = json(&http(port, "GET", "/api/v1/accounts", &team, b""));
    let names: Vec<&str> = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["APP"]);
    for (method, path) in [
        ("POST", "/api/v1/nats-link"),
        ("GET", "/api/v1/audit"),
        ("GET", "/api/v1/audit/download"),
        ("GET", "/api/v1/nats-resolver"),
        ("POST", "/api/v1/nats-resolver/delete"),
    ] {
        let r = http(port, method, path, &team, b"");
        assert_eq!(r.status, 403, "{method} {path}");
        let error = json(&r)["error"].as_str().unwrap().to_string();
        assert!(
            error.contains(path) && error.contains("admins") && error.contains("APP"),
            "{error}"
        );
    }

    // an admin session sees every account and the audit log
    let admin_cookie = sign_in(port, &w.d.sys, &w.d.sys);
    let admin = [("Cookie", admin_cookie.as_str())];
    // the cluster's resolver: refused with the reason before anything reaches NATS
    let r = http(port, "GET", "/api/v1/nats-resolver", &admin, b"");
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().contains("no NATS connection"), "{}", r.text());
    let delete = |body: &str| {
        http(
            port,
            "POST",
            "/api/v1/nats-resolver/delete",
            &admin,
            body.as_bytes(),
        )
    };
    let r = delete("not a jwt");
    assert_eq!(r.status, 400, "{}", r.text());
    let deletion_by = |signer: &KeyPair, accounts: Vec<String>| {
        let mut claims = nats_auth::jwt::GenericClaims {
            subject: signer.public_key(),
            ..Default::default()
        };
        claims
            .nats
            .insert("accounts".into(), serde_json::json!(accounts));
        claims.encode(signer, unix_now() - 5).unwrap()
    };
    let stranger = new_key(KeyType::Operator);
    let r = delete(&deletion_by(&stranger, vec![other.public_key()]));
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("not signed by operator"), "{}", r.text());
    let r = delete(&deletion_by(
        &w.d.operator_signer,
        vec![w.d.sys.public_key()],
    ));
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("system account"), "{}", r.text());
    assert_eq!(
        json(&http(port, "GET", "/api/v1/session", &admin, b""))["role"],
        "admin"
    );
    let accounts = json(&http(port, "GET", "/api/v1/accounts", &admin, b""));
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 3);
    // a team asking for another account by key, or searching, still sees its own alone
    let asked = format!("/api/v1/accounts?keys={}&q=SYS", w.d.sys.public_key());
    assert_eq!(json(&http(port, "GET", &asked, &team, b""))["total"], 0);
    let searched = json(&http(port, "GET", "/api/v1/accounts?q=SYS", &team, b""));
    assert_eq!(searched["accounts"][0]["name"], "APP");
    assert_eq!(searched["total"], 1);
    let audit = json(&http(
        port,
        "GET",
        "/api/v1/audit?action=session.signed-in",
        &admin,
        b"",
    ));
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!(entries[0]["actor"]["name"], "bob");
    assert_eq!(entries[0]["actor"]["role"], "team");
    assert!(entries[0]["from"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    assert_eq!(audit["head"]["seq"].as_u64(), audit["total"].as_u64());
    let pushes = json(&http(
        port,
        "GET",
        "/api/v1/audit?action=account.pushed&limit=1",
        &admin,
        b"",
    ));
    assert_eq!(pushes["entries"][0]["subject"], other.public_key());
    assert_eq!(pushes["entries"][0]["actor"]["kind"], "signer");
    assert_eq!(
        pushes["entries"][0]["actor"]["key"],
        w.d.operator_signer.public_key()
    );
    assert_eq!(
        http(port, "GET", "/api/v1/audit?limit=0", &admin, b"").status,
        400
    );
    assert_eq!(
        http(port, "GET", "/api/v1/audit?who=x", &admin, b"").status,
        400
    );
    let download = http(port, "GET", "/api/v1/audit/download", &admin, b"");
    assert_eq!(download.status, 200);
    assert_eq!(
        download.text(),
        std::fs::read_to_string(w.dir.join("jwt/audit.jsonl")).unwrap()
    );

    // a push made while signed in names the person
    let (third, mut tc) = w.d.account("THIRD");
    let jwt = w.d.sign_account(&mut tc, unix_now() - 60);
    let r = http(
        port,
        "POST",
        &format!("/jwt/v1/accounts/{}", third.public_key()),
        &admin,
        jwt.as_bytes(),
    );
    assert_eq!(r.status, 200);
    let pushes = json(&http(
        port,
        "GET",
        "/api/v1/audit?action=account.pushed&limit=1",
        &admin,
        b"",
    ));
    assert_eq!(pushes["entries"][0]["actor"]["role"], "admin");

    // sign-out ends the session at once
    let r = http(port, "DELETE", "/api/v1/session", &team, b"");
    assert_eq!(r.status, 204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(
        http(port, "GET", "/api/v1/accounts", &team, b"").status,
        401
    );
    assert_eq!(http(port, "GET", "/api/v1/session", &team, b"").status, 401);

    // a session ends when its JWT expires
    let key = session_key(port);
    let r = post_session(
        port,
        &session_jwt(&key, &w.app, &w.app, |u| u.expires = unix_now() + 2),
    );
    assert_eq!(r.status, 200);
    let short = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let short = [("Cookie", short.as_str())];
    assert_eq!(
        http(port, "GET", "/api/v1/accounts", &short, b"").status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let r = http(port, "GET", "/api/v1/accounts", &short, b"");
    assert_eq!(r.status, 401);
}

#[test]
fn the_setup_code_is_required_single_use_and_never_served() {
    let dir = temp_dir("sessions-setup");
    let store = dir.join("jwt");
    let console = Console::start(&["-dir", store.to_str().unwrap()], dir.join("console.log"));
    let port = console.port;
    let code = console.setup_code().expect("a setup code in the log");
    assert_eq!(code.len(), 14, "{code}");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["setup-code", "-dir", store.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8_lossy(&printed.stdout).trim(), code);

    let operator = new_key(KeyType::Operator);
    let mut claims = OperatorClaims::new(operator.public_key());
    claims.name = "ACME".into();
    let jwt = claims.encode(&operator, unix_now() - 5).unwrap();
    let post =
        |headers: &[(&str, &str)]| http(port, "POST", "/jwt/v1/operator", headers, jwt.as_bytes());
    let r = post(&[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("setup code"), "{}", r.text());
    let r = post(&[("Nats-Console-Setup", "AAAA-BBBB-CCCC")]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("wrong setup code"));
    // no sign-in is possible before an operator is trusted
    let key = session_key(port);
    let r = post_session(
        port,
        &session_jwt(
            &key,
            &new_key(KeyType::Account),
            &new_key(KeyType::Account),
            |_| {},
        ),
    );
    assert_eq!(r.status, 409);
    let lower = code.to_lowercase();
    let r = post(&[("Nats-Console-Setup", lower.as_str())]);
    assert_eq!(r.status, 200, "{}", r.text());

    // spent: the file is gone, the CLI says so, a newer operator JWT needs no code
    assert!(!store.join("setup-code").exists());
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["setup-code", "-dir", store.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!printed.status.success());
    assert!(String::from_utf8_lossy(&printed.stderr).contains("void"));
    let newer = claims.encode(&operator, unix_now()).unwrap();
    assert_eq!(
        http(port, "POST", "/jwt/v1/operator", &[], newer.as_bytes()).status,
        200
    );

    // the code appears in no response
    for (method, path) in [
        ("GET", "/jwt/v1/operator"),
        ("GET", "/jwt/v1/operator?decode=true"),
        ("GET", "/healthz"),
        ("GET", "/jwt/v1/help"),
        ("POST", "/api/v1/session/key"),
        ("GET", "/api/v1/session"),
        ("GET", "/"),
    ] {
        let r = http(port, method, path, &[], b"");
        assert!(!r.text().contains(&code), "{method} {path}");
        assert!(
            !r.headers.iter().any(|(_, v)| v.contains(&code)),
            "{method} {path}"
        );
    }
    // the audit log names the refusals and the trusted operator, and never the code
    let audit = std::fs::read_to_string(store.join("audit.jsonl")).unwrap();
    assert_eq!(audit.matches("\"operator.refused\"").count(), 2);
    assert!(audit.contains("\"operator.trusted\"") && audit.contains("\"operator.updated\""));
    assert!(!audit.contains(&code));

    // a console started with -operator has no code
    std::fs::write(dir.join("op.jwt"), &jwt).unwrap();
    let pinned = Console::start(
        &[
            "-dir",
            dir.join("jwt2").to_str().unwrap(),
            "-operator",
            dir.join("op.jwt").to_str().unwrap(),
        ],
        dir.join("pinned.log"),
    );
    assert_eq!(pinned.setup_code(), None);
}

#[test]
fn audit_verify_finds_an_edited_a_removed_and_a_reordered_line() {
    let w = world("sessions-audit", |_, _| {});
    for _ in 0..3 {
        sign_in(w.console.port, &w.app, &w.app);
    }
    let log = w.dir.join("jwt/audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 5, "{text}");
    let verify = |content: String, extra: &[&str]| {
        let file = w.dir.join("check.jsonl");
        std::fs::write(&file, content).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
            .args(["audit", "verify", file.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();

    let (code, out) = verify(text.clone(), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with(&format!("OK: {} entries, head ", lines.len())),
        "{out}"
    );

    let mut edited = lines.clone();
    let changed = edited[1].replace("127.0.0.1", "10.9.9.9");
    edited[1] = &changed;
    let (code, out) = verify(join(&edited), &[]);
    assert_eq!((code, out.contains("line 3")), (Some(1), true), "{out}");

    let mut removed = lines.clone();
    removed.remove(2);
    let (code, out) = verify(join(&removed), &[]);
    assert_eq!((code, out.contains("line 3")), (Some(1), true), "{out}");

    let mut reordered = lines.clone();
    reordered.swap(2, 3);
    let (code, out) = verify(join(&reordered), &[]);
    assert_eq!((code, out.contains("line 3")), (Some(1), true), "{out}");

    // a removed tail is caught against a pinned head
    let pinned = out_head(&verify(text.clone(), &[]).1);
    let (code, _) = verify(text.clone(), &["--head", &pinned]);
    assert_eq!(code, Some(0));
    let (code, out) = verify(join(&lines[..lines.len() - 1]), &["--head", &pinned]);
    assert_eq!(
        (code, out.contains("pinned head")),
        (Some(1), true),
        "{out}"
    );
    assert!(!has_seed(&text));
}

fn out_head(out: &str) -> String {
    out.trim().rsplit(' ').next().unwrap().to_string()
}
