//! The account server's HTTP API as nats-server, nsc and browsers use it, and what it does with
//! hostile input: every refusal has its status and reason, and the server keeps serving.

mod support;

use nats_auth::jwt::AnyClaims;
use nats_auth::nkeys::{KeyPair, KeyType};
use support::{http, temp_dir, unix_now, Console, Deployment};

struct Setup {
    d: Deployment,
    console: Console,
    app: KeyPair,
    app_claims: nats_auth::jwt::AccountClaims,
    app_jwt: String,
    dir: std::path::PathBuf,
}

fn setup(name: &str) -> Setup {
    let d = Deployment::new();
    let dir = temp_dir(name);
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    let console = Console::start(
        &[
            "-dir",
            dir.join("jwt").to_str().unwrap(),
            "-operator",
            dir.join("operator.jwt").to_str().unwrap(),
        ],
        dir.join("console.log"),
    );
    let (app, mut app_claims) = d.account("APP");
    app_claims.expires = unix_now() + 3600;
    let app_jwt = d.sign_account(&mut app_claims, unix_now() - 60);
    Setup {
        d,
        console,
        app,
        app_claims,
        app_jwt,
        dir,
    }
}

fn post(s: &Setup, key: &str, body: &[u8]) -> support::HttpResponse {
    http(
        s.console.port,
        "POST",
        &format!("/jwt/v1/accounts/{key}"),
        &[("Content-Type", "application/jwt")],
        body,
    )
}

#[test]
fn push_then_fetch_with_caching_headers_and_options() {
    let s = setup("http-basic");
    let key = s.app.public_key();
    assert_eq!(post(&s, &key, s.app_jwt.as_bytes()).status, 200);

    let r = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), s.app_jwt);
    assert_eq!(r.header("content-type"), Some("application/jwt"));
    let etag = format!("\"{}\"", s.app_claims.id);
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    let cache = r.header("cache-control").unwrap();
    let max_age: i64 = cache
        .split("max-age=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3500..=3600).contains(&max_age), "{cache}");
    assert!(cache.contains("stale-while-revalidate=3600, stale-if-error=3600"));

    // revalidation with the ETag
    let r = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}"),
        &[("If-None-Match", &etag)],
        b"",
    );
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());

    // HEAD: the same headers, no body
    let r = http(
        s.console.port,
        "HEAD",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert!(r.body.is_empty());

    let r = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}?text=true"),
        &[],
        b"",
    );
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("text/plain; charset=utf-8"))
    );
    assert_eq!(r.text(), s.app_jwt);

    let r = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}?decode=true"),
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(text.contains("\"alg\": \"ed25519-nkey\""), "{text}");
    // "exp": N (YYYY-MM-DD); the date arithmetic is unit-tested in backend/src/time.rs
    let exp_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("\"exp\": "))
        .unwrap();
    let annotation = exp_line
        .split(&format!("{} (", s.app_claims.expires))
        .nth(1)
        .unwrap();
    let date = annotation.as_bytes();
    assert!(
        date.len() >= 11 && date[4] == b'-' && date[7] == b'-' && date[10] == b')',
        "{exp_line}"
    );
    assert_eq!(text.split("\r\n").count(), 3);

    // check=true serves unexpired JWTs; the operator JWT is served too
    assert_eq!(
        http(
            s.console.port,
            "GET",
            &format!("/jwt/v1/accounts/{key}?check=true"),
            &[],
            b""
        )
        .status,
        200
    );
    let r = http(s.console.port, "GET", "/jwt/v1/operator", &[], b"");
    assert_eq!((r.status, r.text()), (200, s.d.operator_jwt.clone()));

    // the probe nats-server sends at start, health, help
    for path in ["/jwt/v1/accounts", "/jwt/v1/accounts/"] {
        let r = http(s.console.port, "GET", path, &[], b"");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("cache-control"),
            Some("no-cache, no-store, must-revalidate")
        );
    }
    assert_eq!(
        http(s.console.port, "GET", "/healthz", &[], b"").status,
        200
    );
    assert!(http(s.console.port, "GET", "/jwt/v1/help", &[], b"")
        .text()
        .contains("resolver: URL("));

    // pack: key|jwt lines
    let r = http(s.console.port, "GET", "/jwt/v1/pack", &[], b"");
    assert_eq!(r.text(), format!("{key}|{}", s.app_jwt));
    assert_eq!(
        http(s.console.port, "GET", "/jwt/v1/pack?max=0", &[], b"").text(),
        ""
    );

    // the file is where NAS keeps it, private
    use std::os::unix::fs::PermissionsExt;
    let file = s.dir.join("jwt").join(format!("{key}.jwt"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), s.app_jwt);
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(s.dir.join("jwt"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
}

#[test]
fn updates_keep_newer_jwts_and_refuse_rollbacks() {
    let mut s = setup("http-updates");
    let key = s.app.public_key();
    assert_eq!(post(&s, &key, s.app_jwt.as_bytes()).status, 200);
    // identical bytes: accepted, nothing changes
    assert_eq!(post(&s, &key, s.app_jwt.as_bytes()).status, 200);
    // an older JWT (earlier iat) would roll the account back
    let older =
        s.d.sign_account(&mut s.app_claims.clone(), unix_now() - 3600);
    let r = post(&s, &key, older.as_bytes());
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("refusing to roll the account back"));
    // a newer one replaces it
    s.app_claims.nats.limits.conn = 5;
    let newer = s.d.sign_account(&mut s.app_claims, unix_now());
    assert_eq!(post(&s, &key, newer.as_bytes()).status, 200);
    let served = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        b"",
    )
    .text();
    let AnyClaims::Account(claims) = nats_auth::jwt::decode(&served).unwrap() else {
        panic!()
    };
    assert_eq!(claims.nats.limits.conn, 5);
}

#[test]
fn hostile_inputs_get_their_status_and_reason_and_the_server_keeps_serving() {
    let s = setup("http-hostile");
    let key = s.app.public_key();
    let d = &s.d;
    let (other, mut other_claims) = d.account("OTHER");
    let other_jwt = d.sign_account(&mut other_claims, unix_now());
    let untrusted_operator = KeyPair::new(KeyType::Operator, &mut rand_core::OsRng).unwrap();
    let mut claims = s.app_claims.clone();
    let by_untrusted = claims.encode(&untrusted_operator, unix_now()).unwrap();
    let mut claims = s.app_claims.clone();
    let self_signed = claims.encode(&s.app, unix_now()).unwrap();
    let user_jwt = nats_auth::creds::parse_decorated_jwt(&d.user_creds(&s.app, "u", |_| {}));
    let mut claims = s.app_claims.clone();
    claims.expires = unix_now() - 10;
    let expired = d.sign_account(&mut claims, unix_now() - 20);
    let mut claims = s.app_claims.clone();
    claims.not_before = unix_now() + 3600;
    let not_yet = d.sign_account(&mut claims, unix_now());
    let parts: Vec<&str> = s.app_jwt.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        &parts[2].chars().rev().collect::<String>()
    );
    let tampered = format!("{}.{}e30.{}", parts[0], parts[1], parts[2]);
    let two_mib = vec![b'a'; 2 << 20];
    let account_path = format!("/jwt/v1/accounts/{key}");

    // (name, method, path, body, expected status, expected reason)
    type Case<'a> = (&'a str, &'a str, String, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            "forged signature",
            "POST",
            account_path.clone(),
            forged.into_bytes(),
            400,
            "bad JWT in request",
        ),
        (
            "tampered payload",
            "POST",
            account_path.clone(),
            tampered.into_bytes(),
            400,
            "bad JWT in request",
        ),
        (
            "untrusted operator",
            "POST",
            account_path.clone(),
            by_untrusted.into_bytes(),
            400,
            "untrusted issuer in request",
        ),
        (
            "self-signed account",
            "POST",
            account_path.clone(),
            self_signed.into_bytes(),
            400,
            "is not an operator key",
        ),
        (
            "user JWT posted as an account",
            "POST",
            format!("/jwt/v1/accounts/{key}"),
            user_jwt.into_bytes(),
            400,
            "not an account JWT",
        ),
        (
            "path is not the subject",
            "POST",
            format!("/jwt/v1/accounts/{}", other.public_key()),
            s.app_jwt.clone().into_bytes(),
            400,
            "pub keys don't match",
        ),
        (
            "other account's JWT on this path",
            "POST",
            account_path.clone(),
            other_jwt.into_bytes(),
            400,
            "pub keys don't match",
        ),
        (
            "expired",
            "POST",
            account_path.clone(),
            expired.into_bytes(),
            400,
            "claim is expired",
        ),
        (
            "not yet valid",
            "POST",
            account_path.clone(),
            not_yet.into_bytes(),
            400,
            "claim is not yet valid",
        ),
        (
            "garbage",
            "POST",
            account_path.clone(),
            b"hello world".to_vec(),
            400,
            "bad JWT in request: expected 3 chunks",
        ),
        (
            "empty body",
            "POST",
            account_path.clone(),
            Vec::new(),
            400,
            "bad JWT in request",
        ),
        (
            "two segments",
            "POST",
            account_path.clone(),
            parts[..2].join(".").into_bytes(),
            400,
            "expected 3 chunks",
        ),
        (
            "four segments",
            "POST",
            account_path.clone(),
            format!("{}.x", s.app_jwt).into_bytes(),
            400,
            "expected 3 chunks",
        ),
        (
            "bad base64",
            "POST",
            account_path.clone(),
            format!("{}.!!.{}", parts[0], parts[2]).into_bytes(),
            400,
            "illegal base64",
        ),
        (
            "wrong alg",
            "POST",
            account_path.clone(),
            format!(
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.{}.{}",
                parts[1], parts[2]
            )
            .into_bytes(),
            400,
            "unexpected \"HS256\" algorithm",
        ),
        (
            "non-UTF-8 body",
            "POST",
            account_path.clone(),
            vec![0xff, 0xfe, 0xfd],
            400,
            "not UTF-8",
        ),
        ("2 MiB body", "POST", account_path.clone(), two_mib, 413, ""),
        (
            "invalid key in the path (POST)",
            "POST",
            "/jwt/v1/accounts/ABC".into(),
            s.app_jwt.clone().into_bytes(),
            400,
            "not an account public key",
        ),
        (
            "invalid key in the path (GET)",
            "GET",
            "/jwt/v1/accounts/NOTAKEY".into(),
            Vec::new(),
            400,
            "not an account public key",
        ),
        (
            "user key in the path",
            "GET",
            format!(
                "/jwt/v1/accounts/{}",
                KeyPair::new(KeyType::User, &mut rand_core::OsRng)
                    .unwrap()
                    .public_key()
            ),
            Vec::new(),
            400,
            "not an account public key",
        ),
        (
            "encoded path traversal",
            "GET",
            "/jwt/v1/accounts/..%2F..%2Fetc%2Fpasswd".into(),
            Vec::new(),
            400,
            "not an account public key",
        ),
        (
            "path traversal",
            "GET",
            "/jwt/v1/accounts/../../etc/passwd".into(),
            Vec::new(),
            404,
            "",
        ),
        (
            "unknown account",
            "GET",
            format!("/jwt/v1/accounts/{}", other.public_key()),
            Vec::new(),
            404,
            "no matching account JWT",
        ),
        (
            "unknown query parameter",
            "GET",
            format!("{account_path}?foo=1"),
            Vec::new(),
            400,
            "unknown query parameter",
        ),
        (
            "bad query value",
            "GET",
            format!("{account_path}?text=maybe"),
            Vec::new(),
            400,
            "expected true or false",
        ),
        (
            "lookup by jti",
            "GET",
            format!("{account_path}?jti=abc"),
            Vec::new(),
            501,
            "no longer supported",
        ),
        (
            "notify without NATS",
            "GET",
            format!("{account_path}?notify=true"),
            Vec::new(),
            500,
            "NATS is not configured",
        ),
        (
            "query on POST",
            "POST",
            format!("{account_path}?text=true"),
            Vec::new(),
            400,
            "unknown query parameter",
        ),
        (
            "pack max not a number",
            "GET",
            "/jwt/v1/pack?max=foo".into(),
            Vec::new(),
            400,
            "expected a number",
        ),
        (
            "pack max over the cap",
            "GET",
            "/jwt/v1/pack?max=100000".into(),
            Vec::new(),
            400,
            "over the limit",
        ),
        (
            "wrong method",
            "PUT",
            account_path.clone(),
            Vec::new(),
            405,
            "",
        ),
        (
            "DELETE is off",
            "DELETE",
            account_path.clone(),
            Vec::new(),
            405,
            "",
        ),
        (
            "unknown path",
            "GET",
            "/jwt/v2/whatever".into(),
            Vec::new(),
            404,
            "not found",
        ),
    ];
    assert!(cases.len() >= 30);
    assert_eq!(post(&s, &key, s.app_jwt.as_bytes()).status, 200);
    for (name, method, path, body, status, reason) in cases {
        let r = http(s.console.port, method, &path, &[], &body);
        assert_eq!(r.status, status, "{name}: {}", r.text());
        assert!(
            r.text().contains(reason),
            "{name}: {:?} lacks {reason:?}",
            r.text()
        );
        // and the server still serves the stored account, unchanged
        let again = http(s.console.port, "GET", &account_path, &[], b"");
        assert_eq!(
            (again.status, again.text()),
            (200, s.app_jwt.clone()),
            "after {name}"
        );
    }
}

#[test]
fn browsers_get_cors_headers() {
    let s = setup("http-cors");
    let r = http(
        s.console.port,
        "OPTIONS",
        &format!("/jwt/v1/accounts/{}", s.app.public_key()),
        &[
            ("Origin", "http://example.test"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://example.test")
    );
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let r = http(
        s.console.port,
        "GET",
        "/healthz",
        &[("Origin", "http://example.test")],
        b"",
    );
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://example.test")
    );
}

#[test]
fn delete_needs_an_operator_signed_request_and_allow_delete() {
    let d = Deployment::new();
    let dir = temp_dir("http-delete");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(
        dir.join("nas.conf"),
        "operatorjwtpath: operator.jwt\nstore { dir: jwt, allow_delete: true }\n",
    )
    .unwrap();
    let console = Console::start(
        &["-c", dir.join("nas.conf").to_str().unwrap()],
        dir.join("console.log"),
    );
    let (app, mut claims) = d.account("APP");
    let key = app.public_key();
    let path = format!("/jwt/v1/accounts/{key}");
    assert_eq!(
        http(
            console.port,
            "POST",
            &path,
            &[],
            d.sign_account(&mut claims, unix_now()).as_bytes()
        )
        .status,
        200
    );

    let request = |by: &KeyPair, accounts: &[&str], exp: i64| {
        let mut generic = nats_auth::jwt::GenericClaims {
            subject: d.operator.public_key(),
            expires: exp,
            ..Default::default()
        };
        generic
            .nats
            .insert("accounts".into(), serde_json::json!(accounts));
        generic.encode(by, unix_now() - 5).unwrap()
    };
    let stranger = KeyPair::new(KeyType::Operator, &mut rand_core::OsRng).unwrap();
    let refusals = [
        (
            request(&stranger, &[&key], 0),
            400,
            "not signed by operator",
        ),
        (
            request(&d.operator_signer, &["AOTHER"], 0),
            400,
            "does not list account",
        ),
        (
            request(&d.operator_signer, &[&key], unix_now() - 1),
            400,
            "claim is expired",
        ),
        (d.sys_jwt.clone(), 400, "not a delete request"),
        ("garbage".to_string(), 400, "bad JWT in request"),
    ];
    for (body, status, reason) in refusals {
        let r = http(console.port, "DELETE", &path, &[], body.as_bytes());
        assert_eq!(r.status, status, "{}", r.text());
        assert!(r.text().contains(reason), "{:?} lacks {reason:?}", r.text());
        assert_eq!(http(console.port, "GET", &path, &[], b"").status, 200);
    }
    let r = http(
        console.port,
        "DELETE",
        &path,
        &[],
        request(&d.operator_signer, &[&key], 0).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(http(console.port, "GET", &path, &[], b"").status, 404);
    assert!(!dir.join("jwt").join(format!("{key}.jwt")).exists());
    // deleting again: nothing there
    let r = http(
        console.port,
        "DELETE",
        &path,
        &[],
        request(&d.operator_signer, &[&key], 0).as_bytes(),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn activations_are_stored_only_for_trusted_exporters() {
    use nats_auth::jwt::{ActivationClaims, Export, ExportType};
    let s = setup("http-activations");
    let d = &s.d;
    // the exporter offers a private stream, and revoked one importer's activations
    let (exporter, mut exporter_claims) = d.account("EXPORTER");
    let (importer, _) = d.account("IMPORTER");
    let (revoked_importer, _) = d.account("REVOKED");
    exporter_claims.nats.exports.push(Export {
        subject: "feed.>".into(),
        export_type: ExportType::Stream,
        token_req: true,
        ..Default::default()
    });
    exporter_claims.nats.exports[0]
        .revocations
        .insert(revoked_importer.public_key(), unix_now() + 10);
    let exporter_jwt = d.sign_account(&mut exporter_claims, unix_now());
    assert_eq!(
        http(
            s.console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", exporter.public_key()),
            &[],
            exporter_jwt.as_bytes()
        )
        .status,
        200
    );

    let activation = |by: &KeyPair, to: &KeyPair| {
        let mut claims = ActivationClaims::new(to.public_key());
        claims.nats.import_subject = "feed.>".into();
        claims.nats.import_type = ExportType::Stream;
        let token = claims.encode(by, unix_now()).unwrap();
        (claims.hash_id(), token)
    };
    let (hash, token) = activation(&exporter, &importer);
    let r = http(
        s.console.port,
        "POST",
        "/jwt/v1/activations",
        &[],
        token.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http(
        s.console.port,
        "GET",
        &format!("/jwt/v1/activations/{hash}"),
        &[],
        b"",
    );
    assert_eq!((r.status, r.text()), (200, token.clone()));
    assert!(r.header("etag").is_some());

    let (_, revoked_token) = activation(&exporter, &revoked_importer);
    let r = http(
        s.console.port,
        "POST",
        "/jwt/v1/activations",
        &[],
        revoked_token.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("revoked"), "{}", r.text());
    let (_, unknown_token) = activation(&importer, &exporter);
    let r = http(
        s.console.port,
        "POST",
        "/jwt/v1/activations",
        &[],
        unknown_token.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("is not stored here"), "{}", r.text());
    let r = http(
        s.console.port,
        "POST",
        "/jwt/v1/activations",
        &[],
        s.app_jwt.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("not an activation JWT"));
    assert_eq!(
        http(s.console.port, "GET", "/jwt/v1/activations/nope", &[], b"").status,
        400
    );
    assert_eq!(
        http(
            s.console.port,
            "GET",
            &format!("/jwt/v1/activations/{}", "A".repeat(52) + "===="),
            &[],
            b""
        )
        .status,
        404
    );
}

#[test]
fn v1_jwts_upload_and_expired_jwts_stay_served_but_fail_the_check() {
    let s = setup("http-v1-expiry");
    // a v1 account JWT: "ed25519", type at the top level, signature over the payload only
    let (v1, _) = s.d.account("V1");
    let b64 = nats_auth::jwt::segment::encode;
    let payload = serde_json::json!({
        "jti": "V1JTI", "iat": unix_now() - 30, "iss": s.d.operator_signer.public_key(),
        "name": "V1", "sub": v1.public_key(), "type": "account",
        "nats": {"limits": {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": true, "conn": -1, "leaf": -1}}
    });
    let payload_b64 = b64(payload.to_string().as_bytes());
    let signature = s.d.operator_signer.sign(payload_b64.as_bytes()).unwrap();
    let v1_jwt = format!(
        "{}.{payload_b64}.{}",
        b64(br#"{"typ":"JWT","alg":"ed25519"}"#),
        b64(&signature)
    );
    let path = format!("/jwt/v1/accounts/{}", v1.public_key());
    let r = http(s.console.port, "POST", &path, &[], v1_jwt.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(http(s.console.port, "GET", &path, &[], b"").text(), v1_jwt);

    // an account that expires after it was stored: still served, but check=true says 404
    let (short, mut claims) = s.d.account("SHORT");
    claims.expires = unix_now() + 2;
    let jwt = s.d.sign_account(&mut claims, unix_now());
    let path = format!("/jwt/v1/accounts/{}", short.public_key());
    assert_eq!(
        http(s.console.port, "POST", &path, &[], jwt.as_bytes()).status,
        200
    );
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let r = http(s.console.port, "GET", &path, &[], b"");
    assert_eq!((r.status, r.text()), (200, jwt));
    assert_eq!(
        r.header("cache-control"),
        Some("max-age=0, stale-while-revalidate=3600, stale-if-error=3600")
    );
    let r = http(
        s.console.port,
        "GET",
        &format!("{path}?check=true"),
        &[],
        b"",
    );
    assert_eq!(r.status, 404);
}
