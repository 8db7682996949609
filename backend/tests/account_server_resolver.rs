//! nats-console as the account server of real nats-servers (2.15 from PyPI, 2.9.10 from Debian),
//! configured with `resolver: URL(<console>/jwt/v1/accounts/)`: the server starts only because
//! the console answers its probe, resolves a pushed account, and applies a revocation it learns
//! through the console's NATS notification — without a restart.

mod support;

use std::time::Duration;

use support::{
    eventually, free_port, http, temp_dir, unix_now, Client, Console, Deployment, NatsServer,
};

fn resolver_flow(nats_server: std::path::PathBuf, name: &str) {
    let d = Deployment::new();
    let dir = temp_dir(name);
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    let nats_port = free_port();
    let nats_url = format!("nats://127.0.0.1:{nats_port}");
    let console = Console::start(
        &[
            "-dir",
            dir.join("jwt").to_str().unwrap(),
            "-operator",
            dir.join("operator.jwt").to_str().unwrap(),
            "-nats",
            &nats_url,
            "-creds",
            dir.join("sys.creds").to_str().unwrap(),
        ],
        dir.join("console.log"),
    );

    // push SYS and APP the way nsc push does
    let (app, mut app_claims) = d.account("APP");
    let alice = d.user_creds(&app, "alice", |u| {
        u.nats.limits.permissions.publish.allow = vec!["app.>".into()];
        u.nats.limits.permissions.subscribe.allow = vec!["app.>".into()];
    });
    let app_jwt = d.sign_account(&mut app_claims, unix_now() - 60);
    for (key, jwt) in [
        (d.sys.public_key(), &d.sys_jwt),
        (app.public_key(), &app_jwt),
    ] {
        let r = http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{key}"),
            &[("Content-Type", "application/jwt")],
            jwt.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }

    let resolver = console.url("/jwt/v1/accounts/");
    let config = format!(
        "listen: 127.0.0.1:{nats_port}\n{}",
        d.url_resolver_config(&resolver)
    );
    let server = NatsServer::start(&nats_server, &format!("{name}-nats"), &config);
    assert!(
        eventually(Duration::from_secs(10), || console
            .log()
            .contains("connected to NATS")),
        "the console did not connect to NATS:\n{}",
        console.log()
    );

    let mut client = Client::connect(server.port, &alice)
        .unwrap_or_else(|e| panic!("alice refused: {e}\n{}", server.log()));
    assert!(client.subscribe("app.orders", 1).is_empty());
    assert!(client.publish("app.orders", "order 1").is_empty());
    assert_eq!(client.next_message().unwrap().1, "order 1");

    // revoke alice: a newer APP JWT, pushed to the console, reaches nats-server over NATS
    let alice_key = nats_auth::creds::parse_decorated_user_key(&alice)
        .unwrap()
        .public_key();
    app_claims.revoke_at(&alice_key, unix_now());
    let revoked_jwt = d.sign_account(&mut app_claims, unix_now());
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", app.public_key()),
        &[],
        revoked_jwt.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        eventually(Duration::from_secs(10), || Client::connect(
            server.port,
            &alice
        )
        .err()
        .is_some_and(|e| e.contains("Authorization Violation"))),
        "nats-server still accepts revoked alice:\n{}",
        server.log()
    );
    // nats-server fetched through the console: the probe and the accounts appear in its log of requests
    assert!(console
        .log()
        .contains(&format!("updated account {}", app.public_key())));
}

#[test]
fn nats_server_2_15_resolves_through_the_console_and_applies_revocation() {
    resolver_flow(support::nats_server_pypi(), "resolver-pypi");
}

#[test]
fn nats_server_2_9_resolves_through_the_console_and_applies_revocation() {
    resolver_flow(support::nats_server_debian(), "resolver-debian");
}
