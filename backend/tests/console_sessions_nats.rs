//! A session's own NATS connection, against a real nats-server 2.15: made with the JWT the
//! browser signed, so nats-server decides what the session may see. A team sees the live
//! connections of its own account and nothing of others'; an admin sees any account's; signing
//! out closes the connection.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{
    eventually, free_port, sign_in, temp_dir, unix_now, Client, Console, Deployment, NatsServer,
};

fn get(port: u16, path: &str, cookie: &str) -> (u16, Value) {
    support::api(port, "GET", path, cookie, "")
}

/// The user keys of the connections an answer lists.
fn users(answer: &Value) -> Vec<String> {
    answer["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["authorized_user"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_session_connects_as_its_signer_and_sees_what_nats_server_allows() {
    let d = Deployment::new();
    let dir = temp_dir("sessions-nats");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    let nats_port = free_port();
    let console = Console::start(
        &[
            "-dir",
            dir.join("jwt").to_str().unwrap(),
            "-operator",
            dir.join("operator.jwt").to_str().unwrap(),
            "-nats",
            &format!("nats://127.0.0.1:{nats_port}"),
            "-creds",
            dir.join("sys.creds").to_str().unwrap(),
        ],
        dir.join("console.log"),
    );
    let port = console.port;
    let (app, mut app_claims) = d.account("APP");
    let (other, mut other_claims) = d.account("OTHER");
    support::push_accounts(
        port,
        &[
            (d.sys.public_key(), d.sys_jwt.clone()),
            (
                app.public_key(),
                d.sign_account(&mut app_claims, unix_now() - 60),
            ),
            (
                other.public_key(),
                d.sign_account(&mut other_claims, unix_now() - 60),
            ),
        ],
    );
    let config = format!(
        "listen: 127.0.0.1:{nats_port}\n{}",
        d.url_resolver_config(&console.url("/jwt/v1/accounts/"))
    );
    let server = NatsServer::start(&support::nats_server_pypi(), "sessions-nats", &config);
    let alice = d.user_creds(&app, "alice", |_| {});
    let bob = d.user_creds(&other, "bob", |_| {});
    let key_of = |creds: &str| {
        nats_auth::creds::parse_decorated_user_key(creds)
            .unwrap()
            .public_key()
    };
    let _alice = Client::connect(server.port, &alice).unwrap();
    let _bob = Client::connect(server.port, &bob).unwrap();

    let team = sign_in(port, &app, &app);
    assert!(
        support::session_connected(port, &team, Duration::from_secs(10)),
        "{}\n{}",
        get(port, "/api/v1/session", &team).1,
        console.log()
    );
    let (status, mine) = get(
        port,
        &format!("/api/v1/accounts/{}/connections", app.public_key()),
        &team,
    );
    assert_eq!(status, 200, "{mine}");
    let seen = users(&mine);
    assert!(seen.contains(&key_of(&alice)), "{mine}");
    assert!(!seen.contains(&key_of(&bob)), "{mine}");
    assert_eq!(mine["servers"], 1);
    let (status, refused) = get(
        port,
        &format!("/api/v1/accounts/{}/connections", other.public_key()),
        &team,
    );
    assert_eq!(status, 403, "{refused}");

    let admin = sign_in(port, &d.sys, &d.sys);
    assert!(support::session_connected(
        port,
        &admin,
        Duration::from_secs(10)
    ));
    let (status, theirs) = get(
        port,
        &format!("/api/v1/accounts/{}/connections", other.public_key()),
        &admin,
    );
    assert_eq!(status, 200, "{theirs}");
    assert!(users(&theirs).contains(&key_of(&bob)), "{theirs}");

    // the team session's own connection is one of APP's; signing out closes it
    let team_key = get(port, "/api/v1/session", &team).1["user"]
        .as_str()
        .unwrap()
        .to_string();
    let app_path = format!("/api/v1/accounts/{}/connections", app.public_key());
    assert!(users(&get(port, &app_path, &admin).1).contains(&team_key));
    assert_eq!(support::sign_out(port, &team), 204);
    assert!(
        eventually(Duration::from_secs(10), || !users(
            &get(port, &app_path, &admin).1
        )
        .contains(&team_key)),
        "the signed-out session is still connected"
    );
    drop(server);
}

/// The console's own link says what goes wrong: refused by nats-server (its user's account is
/// unknown there), `/api/v1/info` says "failing" with the server's reason, not "connecting";
/// once the account is pushed, the next attempt connects and the error is gone.
#[test]
fn the_console_link_reports_the_servers_refusal_until_it_connects() {
    let d = Deployment::new();
    let dir = temp_dir("link-status");
    let (app, mut app_claims) = d.account("APP");
    let creds = dir.join("app.creds");
    std::fs::write(&creds, d.user_creds(&app, "announcer", |_| {})).unwrap();
    let nats_port = free_port();
    let url = format!("nats://127.0.0.1:{nats_port}");
    let console = support::console_trusting(
        &d.operator_jwt,
        &dir,
        "console.log",
        &["-nats", &url, "-creds", creds.to_str().unwrap()],
    );
    let port = console.port;
    support::push_accounts(port, &[(d.sys.public_key(), d.sys_jwt.clone())]);
    let config = format!(
        "listen: 127.0.0.1:{nats_port}\n{}",
        d.url_resolver_config(&console.url("/jwt/v1/accounts/"))
    );
    let _server = NatsServer::start(&support::nats_server_pypi(), "link-status-nats", &config);
    let admin = sign_in(port, &d.sys, &d.sys);
    let info = || get(port, "/api/v1/info", &admin).1;
    assert!(
        eventually(Duration::from_secs(15), || info()["nats"] == "failing"),
        "{}",
        info()
    );
    let error = info()["nats_error"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(error.contains("authorization"), "{error}");

    support::push_accounts(
        port,
        &[(
            app.public_key(),
            d.sign_account(&mut app_claims, unix_now() - 60),
        )],
    );
    assert!(
        eventually(Duration::from_secs(15), || info()["nats"] == "connected"),
        "{}\n{}",
        info(),
        console.log()
    );
    assert_eq!(info()["nats_error"], Value::Null);
}
