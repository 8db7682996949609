//! The console API (`/api/v1/info`, `/api/v1/accounts`) and the web app served with an SPA
//! fallback, beside the account-server API.

mod support;

use serde_json::Value;
use support::{http, push_accounts, sign_in, temp_dir, unix_now, Console, Deployment};

#[test]
fn info_and_accounts_describe_the_server_and_the_spa_is_served() {
    let d = Deployment::new();
    let dir = temp_dir("console-api");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    let web = dir.join("dist");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(
        web.join("index.html"),
        "<!doctype html><title>NATS Console</title>",
    )
    .unwrap();
    std::fs::write(web.join("app.js"), "console.log('app')").unwrap();
    let console = Console::start(
        &[
            "-dir",
            dir.join("jwt").to_str().unwrap(),
            "-operator",
            dir.join("operator.jwt").to_str().unwrap(),
            "-web",
            web.to_str().unwrap(),
        ],
        dir.join("console.log"),
    );

    let (app, mut claims) = d.account("APP");
    claims.nats.limits.conn = 10;
    claims.nats.limits.jetstream.disk_storage = 1 << 30;
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
    let (old, mut old_claims) = d.account("OLD");
    old_claims.expires = unix_now() + 1;
    let old_jwt = d.sign_account(&mut old_claims, unix_now());
    assert_eq!(
        http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", old.public_key()),
            &[],
            old_jwt.as_bytes()
        )
        .status,
        200
    );
    let sys_jwt = d.sys_jwt.clone();
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", d.sys.public_key()),
        &[],
        sys_jwt.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    std::thread::sleep(std::time::Duration::from_millis(2100));

    // signed in as an admin (a user of the system account)
    let admin = sign_in(console.port, &d.sys, &d.sys);
    let cookie = [("Cookie", admin.as_str())];
    let info: Value =
        serde_json::from_slice(&http(console.port, "GET", "/api/v1/info", &cookie, b"").body)
            .unwrap();
    assert_eq!(info["operator"]["name"], "TEST-OP");
    assert_eq!(info["operator"]["key"], d.operator.public_key());
    assert_eq!(info["system_account"], d.sys.public_key());
    assert_eq!(info["store"], "directory store");
    assert_eq!(info["read_only"], false);
    assert_eq!(info["nats"], "not configured");
    assert_eq!(info["accounts"], 3);
    assert_eq!(info["sessions"], 1);

    let r = http(console.port, "GET", "/api/v1/accounts", &cookie, b"");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let listed: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        (listed["total"].as_u64(), listed["before"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(
        (listed["complete"].as_bool(), &listed["next"]),
        (Some(true), &Value::Null)
    );
    let accounts: Vec<Value> = listed["accounts"].as_array().unwrap().clone();
    let by_name = |n: &str| accounts.iter().find(|a| a["name"] == n).unwrap().clone();
    let a = by_name("APP");
    assert_eq!(a["key"], app.public_key());
    assert_eq!(a["issuer"], d.operator_signer.public_key());
    assert_eq!(
        (
            a["limits"]["conn"].as_i64(),
            a["limits"]["jetstream"].as_bool()
        ),
        (Some(10), Some(true))
    );
    assert_eq!(a["status"], "ok");
    // the JWT itself, to tell versions apart (their jti can be the same)
    assert_eq!(a["jwt"], jwt.as_str());
    assert_eq!(by_name("OLD")["status"], "expired");
    // public data only
    assert!(!String::from_utf8_lossy(&r.body).contains("\"seed\""));
    the_accounts_list_is_paged_and_searched(&d, console.port, &admin, &app.public_key());

    // the web app: files, and index.html for the app's own routes
    let r = http(console.port, "GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("NATS Console"));
    assert_eq!(
        http(console.port, "GET", "/app.js", &[], b"").text(),
        "console.log('app')"
    );
    let r = http(console.port, "GET", "/accounts/APP", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("NATS Console"));
    // API paths do not fall back to the app
    assert_eq!(
        http(console.port, "GET", "/api/v1/nothing", &[], b"").status,
        404
    );
    assert_eq!(
        http(console.port, "GET", "/jwt/v2/accounts", &[], b"").status,
        404
    );
}

#[test]
fn a_server_without_operator_trusts_the_first_self_signed_one_and_keeps_it() {
    use nats_auth::jwt::OperatorClaims;
    use nats_auth::nkeys::{KeyPair, KeyType};
    let dir = temp_dir("console-operator");
    let args = ["-dir", dir.join("jwt").to_str().unwrap()].map(String::from);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let console = Console::start(&argv, dir.join("console.log"));
    let code = console
        .setup_code()
        .expect("a console without operator prints a setup code");
    let rng = &mut rand_core::OsRng;
    let (identity, signer, stranger) = (
        KeyPair::new(KeyType::Operator, rng).unwrap(),
        KeyPair::new(KeyType::Operator, rng).unwrap(),
        KeyPair::new(KeyType::Operator, rng).unwrap(),
    );
    let operator = |subject: &KeyPair, by: &KeyPair, iat: i64| {
        let mut claims = OperatorClaims::new(subject.public_key());
        claims.name = "ACME".into();
        claims.nats.signing_keys.push(signer.public_key());
        claims.encode(by, iat).unwrap()
    };
    let post = |jwt: &str| {
        http(
            console.port,
            "POST",
            "/jwt/v1/operator",
            &[("Nats-Console-Setup", code.as_str())],
            jwt.as_bytes(),
        )
    };
    assert_eq!(
        http(console.port, "GET", "/jwt/v1/operator", &[], b"").status,
        404
    );

    let r = post(&operator(&identity, &signer, unix_now() - 10));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("must be self-signed"), "{}", r.text());
    let first = operator(&identity, &identity, unix_now() - 10);
    assert_eq!(post(&first).status, 200);
    let r = post(&operator(&stranger, &stranger, unix_now()));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("trusted already"), "{}", r.text());
    assert_eq!(
        post(&operator(&identity, &identity, unix_now() - 100)).status,
        409
    );
    let newer = operator(&identity, &signer, unix_now());
    assert_eq!(post(&newer).status, 200);
    assert_eq!(
        http(console.port, "GET", "/jwt/v1/operator", &[], b"").text(),
        newer
    );

    // kept across a restart
    drop(console);
    let again = Console::start(&argv, dir.join("console2.log"));
    assert!(
        again.log().contains("set by the web console"),
        "{}",
        again.log()
    );
    assert_eq!(
        http(again.port, "GET", "/jwt/v1/operator", &[], b"").text(),
        newer
    );
}

/// `GET /api/v1/accounts` a page at a time: pages in key order continue after the last key;
/// a search matches key or name; `keys=` names accounts; `expiring_within` finds the expiring.
fn the_accounts_list_is_paged_and_searched(d: &Deployment, port: u16, admin: &str, app: &str) {
    let bulk: Vec<(String, String)> = (0..25)
        .map(|i| {
            let (key, mut claims) = d.account(&format!("Bulk-{i:02}"));
            (
                key.public_key(),
                d.sign_account(&mut claims, unix_now() - 5),
            )
        })
        .collect();
    push_accounts(port, &bulk);
    let get = |query: &str| {
        let r = http(
            port,
            "GET",
            &format!("/api/v1/accounts?{query}"),
            &[("Cookie", admin)],
            b"",
        );
        (
            r.status,
            serde_json::from_slice::<Value>(&r.body).unwrap_or_default(),
        )
    };
    let mut seen = Vec::new();
    let mut query = "limit=10".to_string();
    loop {
        let (status, page) = get(&query);
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 28);
        assert_eq!(page["before"].as_u64(), Some(seen.len() as u64));
        let keys: Vec<String> = page["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap().to_string())
            .collect();
        assert!(keys.len() <= 10);
        seen.extend(keys);
        match page["next"].as_str() {
            Some(next) => query = format!("limit=10&after={next}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        (seen.len(), &seen),
        (28, &sorted),
        "every account once, in key order"
    );

    // by name, case-insensitive; by part of the key
    let names = |page: &Value| -> Vec<String> {
        page["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, page) = get("q=bulk-1");
    assert_eq!(page["total"], 10);
    assert!(names(&page).iter().all(|n| n.starts_with("Bulk-1")));
    let (_, page) = get(&format!("q={}", &bulk[3].0[10..30].to_lowercase()));
    assert_eq!(names(&page), ["Bulk-03"]);
    // the vault's accounts by key, unknown ones left out
    let (_, page) = get(&format!("keys={app},{}", bulk[0].0));
    let mut named = names(&page);
    named.sort();
    assert_eq!(named, ["APP", "Bulk-00"]);
    // expiring within a day: the expired OLD is, accounts without expiry are not
    let (_, page) = get("expiring_within=86400");
    assert_eq!(names(&page), ["OLD"]);
    for bad in [
        "limit=0",
        "limit=1001",
        "keys=NOTAKEY",
        "expiring_within=-1",
        "offset=3",
    ] {
        let (status, page) = get(bad);
        assert_eq!(status, 400, "{bad}: {page}");
        assert!(
            page["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{bad}"
        );
    }
}
