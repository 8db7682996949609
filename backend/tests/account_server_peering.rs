//! nats-console as a peer of nats-server's NATS resolvers: with a `type: full` server the two
//! stores converge both ways (pack exchange, update requests, notifications); a `type: cache`
//! server resolves accounts through the console's LOOKUP answers.

mod support;

use std::time::Duration;

use support::{
    eventually, free_port, http, temp_dir, unix_now, Client, Console, Deployment, NatsServer,
};

fn start_console(d: &Deployment, dir: &std::path::Path, nats_port: u16) -> Console {
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    Console::start(
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
    )
}

fn peering_with_full_resolver(binary: std::path::PathBuf, name: &str) {
    let d = Deployment::new();
    let dir = temp_dir(name);
    let resolver_dir = dir.join("resolver");
    std::fs::create_dir_all(&resolver_dir).unwrap();
    // account ONLY_SERVER is in nats-server's store before start
    let (only_server, mut only_server_claims) = d.account("ONLY_SERVER");
    let only_server_jwt = d.sign_account(&mut only_server_claims, unix_now());
    std::fs::write(
        resolver_dir.join(format!("{}.jwt", only_server.public_key())),
        &only_server_jwt,
    )
    .unwrap();

    let nats_port = free_port();
    let config = d.server_config(
        nats_port,
        &format!(
            "resolver {{\n type: full\n dir: \"{}\"\n allow_delete: false\n interval: \"1s\"\n timeout: \"1.9s\"\n}}",
            resolver_dir.display()
        ),
    );
    let server = NatsServer::start(&binary, &format!("{name}-nats"), &config);
    let console = start_console(&d, &dir, nats_port);
    assert!(
        eventually(Duration::from_secs(10), || console
            .log()
            .contains("connected to NATS")),
        "{}",
        console.log()
    );

    // server → console: the pack exchange brings ONLY_SERVER over
    assert!(
        eventually(Duration::from_secs(10), || {
            http(
                console.port,
                "GET",
                &format!("/jwt/v1/accounts/{}", only_server.public_key()),
                &[],
                b"",
            )
            .status
                == 200
        }),
        "the console did not get the server's account:\n{}",
        console.log()
    );

    // console → server: a POSTed account reaches nats-server, whose users then connect
    let (app, mut app_claims) = d.account("APP");
    let alice = d.user_creds(&app, "alice", |_| {});
    let app_jwt = d.sign_account(&mut app_claims, unix_now());
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", app.public_key()),
        &[],
        app_jwt.as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert!(
        eventually(Duration::from_secs(10), || resolver_dir
            .join(format!("{}.jwt", app.public_key()))
            .exists()),
        "nats-server did not store the console's account:\n{}",
        server.log()
    );
    Client::connect(server.port, &alice).unwrap_or_else(|e| panic!("alice: {e}\n{}", server.log()));

    // an update request on NATS ($SYS.REQ.CLAIMS.UPDATE, as `nsc push` to a nats resolver) reaches both
    let (pushed, mut pushed_claims) = d.account("PUSHED");
    let pushed_jwt = d.sign_account(&mut pushed_claims, unix_now());
    let mut sys = Client::connect(server.port, &d.sys_creds).unwrap();
    let reply = sys.request("$SYS.REQ.CLAIMS.UPDATE", &pushed_jwt).unwrap();
    assert!(reply.contains("\"code\":200"), "{reply}");
    assert!(eventually(Duration::from_secs(10), || {
        http(
            console.port,
            "GET",
            &format!("/jwt/v1/accounts/{}", pushed.public_key()),
            &[],
            b"",
        )
        .status
            == 200
    }));
    // and an untrusted one is refused by the console, with a reason
    let stranger =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::Operator, &mut rand_core::OsRng)
            .unwrap();
    let (bad, mut bad_claims) = d.account("BAD");
    let bad_jwt = bad_claims.encode(&stranger, unix_now()).unwrap();
    let _ = sys.request(
        &format!("$SYS.REQ.ACCOUNT.{}.CLAIMS.UPDATE", bad.public_key()),
        &bad_jwt,
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        http(
            console.port,
            "GET",
            &format!("/jwt/v1/accounts/{}", bad.public_key()),
            &[],
            b""
        )
        .status,
        404
    );
}

#[test]
fn console_and_full_resolver_2_15_converge_both_ways() {
    peering_with_full_resolver(support::nats_server_pypi(), "peer-full-pypi");
}

#[test]
fn console_and_full_resolver_2_9_converge_both_ways() {
    peering_with_full_resolver(support::nats_server_debian(), "peer-full-debian");
}

#[test]
fn cache_resolver_looks_accounts_up_from_the_console() {
    let d = Deployment::new();
    let dir = temp_dir("peer-cache");
    let nats_port = free_port();
    let config = d.server_config(
        nats_port,
        &format!(
            "resolver {{\n type: cache\n dir: \"{}\"\n ttl: \"1h\"\n timeout: \"1.9s\"\n}}",
            dir.join("cache").display()
        ),
    );
    let server = NatsServer::start(&support::nats_server_pypi(), "peer-cache-nats", &config);
    let console = start_console(&d, &dir, nats_port);
    assert!(eventually(Duration::from_secs(10), || console
        .log()
        .contains("connected to NATS")));

    let (app, mut app_claims) = d.account("APP");
    let app_jwt = d.sign_account(&mut app_claims, unix_now());
    assert_eq!(
        http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", app.public_key()),
            &[],
            app_jwt.as_bytes()
        )
        .status,
        200
    );
    let alice = d.user_creds(&app, "alice", |_| {});
    // the cache server has never seen APP: it asks over LOOKUP and the console answers
    let mut client = Client::connect(server.port, &alice)
        .unwrap_or_else(|e| panic!("alice: {e}\n{}", server.log()));
    assert!(client.publish("x", "y").is_empty());
}

#[test]
fn read_only_directory_announces_changed_files_on_nats() {
    let d = Deployment::new();
    let dir = temp_dir("peer-ro");
    let nats_port = free_port();
    let config = d.server_config(nats_port, "resolver: MEMORY");
    let server = NatsServer::start(&support::nats_server_pypi(), "peer-ro-nats", &config);
    let store = dir.join("jwt");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    let console = Console::start(
        &[
            "-dir",
            store.to_str().unwrap(),
            "-ro",
            "-nats",
            &format!("nats://127.0.0.1:{nats_port}"),
            "-creds",
            dir.join("sys.creds").to_str().unwrap(),
        ],
        dir.join("console.log"),
    );
    assert!(
        console
            .log()
            .contains("creating a read-only directory store"),
        "{}",
        console.log()
    );
    assert!(eventually(Duration::from_secs(10), || console
        .log()
        .contains("connected to NATS")));
    let mut watcher = Client::connect(server.port, &d.sys_creds).unwrap();
    assert!(watcher
        .subscribe("$SYS.ACCOUNT.*.CLAIMS.UPDATE", 1)
        .is_empty());

    let (app, mut claims) = d.account("APP");
    let jwt = d.sign_account(&mut claims, unix_now());
    std::fs::write(store.join(format!("{}.jwt", app.public_key())), &jwt).unwrap();
    let (subject, payload) = watcher.next_message().unwrap();
    assert_eq!(
        subject,
        format!("$SYS.ACCOUNT.{}.CLAIMS.UPDATE", app.public_key())
    );
    assert_eq!(payload, jwt);
    assert_eq!(
        http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", app.public_key()),
            &[],
            jwt.as_bytes()
        )
        .status,
        405
    );
}

#[test]
fn misses_are_looked_up_over_nats_and_pack_requests_follow_the_hash_protocol() {
    use sha2::{Digest, Sha256};
    let d = Deployment::new();
    let dir = temp_dir("peer-lookup");
    let resolver_dir = dir.join("resolver");
    std::fs::create_dir_all(&resolver_dir).unwrap();
    let nats_port = free_port();
    let config = d.server_config(
        nats_port,
        &format!(
            "resolver {{\n type: full\n dir: \"{}\"\n interval: \"2m\"\n}}",
            resolver_dir.display()
        ),
    );
    let server = NatsServer::start(&support::nats_server_pypi(), "peer-lookup-nats", &config);
    let console = start_console(&d, &dir, nats_port);
    assert!(eventually(Duration::from_secs(10), || console
        .log()
        .contains("connected to NATS")));
    std::thread::sleep(Duration::from_millis(500)); // past the console's first pack pull

    // an account only nats-server has (placed in its store after the console synced): a GET
    // miss on the console asks over NATS, verifies the answer and serves it
    let (late, mut late_claims) = d.account("LATE");
    let late_jwt = d.sign_account(&mut late_claims, unix_now());
    std::fs::write(
        resolver_dir.join(format!("{}.jwt", late.public_key())),
        &late_jwt,
    )
    .unwrap();
    let r = http(
        console.port,
        "GET",
        &format!("/jwt/v1/accounts/{}", late.public_key()),
        &[],
        b"",
    );
    assert_eq!(
        (r.status, r.text()),
        (200, late_jwt.clone()),
        "{}",
        console.log()
    );

    // notify=true announces the stored JWT
    let mut watcher = Client::connect(server.port, &d.sys_creds).unwrap();
    assert!(watcher
        .subscribe(
            &format!("$SYS.ACCOUNT.{}.CLAIMS.UPDATE", late.public_key()),
            1
        )
        .is_empty());
    let r = http(
        console.port,
        "GET",
        &format!("/jwt/v1/accounts/{}?notify=true", late.public_key()),
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(watcher.next_message().unwrap().1, late_jwt);
    drop(server);

    // the pack protocol, asked of the console alone (a memory-resolver server this time)
    let nats_port = free_port();
    let config = d.server_config(nats_port, "resolver: MEMORY");
    let server = NatsServer::start(&support::nats_server_pypi(), "peer-pack-nats", &config);
    let dir2 = temp_dir("peer-pack");
    let console = start_console(&d, &dir2, nats_port);
    let (app, mut app_claims) = d.account("APP");
    let app_jwt = d.sign_account(&mut app_claims, unix_now());
    assert_eq!(
        http(
            console.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", app.public_key()),
            &[],
            app_jwt.as_bytes()
        )
        .status,
        200
    );
    assert!(eventually(Duration::from_secs(10), || console
        .log()
        .contains("connected to NATS")));
    let mut asker = Client::connect(server.port, &d.sys_creds).unwrap();
    // a different hash: every account, then an empty message
    let replies = asker
        .request_stream("$SYS.REQ.CLAIMS.PACK", &[0u8; 32])
        .unwrap();
    assert_eq!(
        replies,
        vec![format!("{}|{app_jwt}", app.public_key()), String::new()]
    );
    // the console's own hash: only the empty message
    let hash: Vec<u8> = Sha256::digest(app_jwt.as_bytes()).to_vec();
    let replies = asker.request_stream("$SYS.REQ.CLAIMS.PACK", &hash).unwrap();
    assert_eq!(replies, vec![String::new()]);
}
