//! Several console instances on one NATS JetStream key-value bucket (`store { kv { … } }`): a
//! three-server nats-server 2.15 cluster with JetStream holds the bucket (R3), two consoles
//! share it, and a nats-server in operator mode resolves accounts through the first. A push to
//! either is served by both and reaches the resolver; concurrent pushes of one account end with
//! the newer everywhere; one NATS server down, writes go on; all down, reads go on and writes
//! are refused with 503, then resume; an instance killed mid-write loses no acknowledged write;
//! each change is announced once.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::cluster::Cluster;
use support::*;

/// A console on the bucket `bucket` of `cluster`, linked to NATS at `nats` (with the system
/// account's creds) when given; its operator pinned to `d`'s unless `pinned` is false.
fn console_on_bucket(
    d: &Deployment,
    dir: &Path,
    name: &str,
    cluster: &Cluster,
    bucket: &str,
    nats: Option<u16>,
    pinned: bool,
) -> Console {
    let servers: Vec<String> = (0..3).map(|i| format!("{:?}", cluster.url(i))).collect();
    let mut conf = format!(
        "store {{ kv {{ servers: [{}], bucket: {bucket}, replicas: 3 }} }}\n",
        servers.join(", ")
    );
    if pinned {
        let operator = dir.join("operator.jwt");
        std::fs::write(&operator, &d.operator_jwt).unwrap();
        conf.push_str(&format!(
            "operator_jwt_path: {:?}\n",
            operator.display().to_string()
        ));
    }
    if let Some(port) = nats {
        let creds = dir.join("sys.creds");
        std::fs::write(&creds, &d.sys_creds).unwrap();
        conf.push_str(&format!(
            "nats {{ servers: [\"nats://127.0.0.1:{port}\"], user_credentials: {:?} }}\n",
            creds.display().to_string()
        ));
    }
    let file = dir.join(format!("{name}.conf"));
    std::fs::write(&file, conf).unwrap();
    Console::start(
        &["-c", file.to_str().unwrap()],
        dir.join(format!("{name}.log")),
    )
}

fn push(console: &Console, key: &str, jwt: &str) -> HttpResponse {
    http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        jwt.as_bytes(),
    )
}

fn served(console: &Console, key: &str) -> Option<String> {
    let r = http(
        console.port,
        "GET",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        b"",
    );
    (r.status == 200).then(|| r.text())
}

/// The `$SYS.ACCOUNT.<key>.CLAIMS.UPDATE` announcements a client of the system account saw.
struct Announcements(Arc<Mutex<Vec<String>>>);

impl Announcements {
    fn listen(port: u16, d: &Deployment) -> Announcements {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut client = Client::connect(port, &d.sys_creds).unwrap();
        client.subscribe("$SYS.ACCOUNT.*.CLAIMS.UPDATE", 1);
        let record = seen.clone();
        std::thread::spawn(move || {
            loop {
                match client.next_message() {
                    Ok((subject, _)) => {
                        if let Some(key) = subject.split('.').nth(2) {
                            record.lock().unwrap().push(key.to_string());
                        }
                    }
                    // the client's read timeout: quiet for a while
                    Err(e) if e.contains("temporarily unavailable") || e.contains("timed out") => {}
                    Err(_) => return,
                }
            }
        });
        Announcements(seen)
    }

    fn count(&self, key: &str) -> usize {
        self.0.lock().unwrap().iter().filter(|k| *k == key).count()
    }
}

#[test]
fn two_consoles_on_one_bucket_behave_as_one() {
    let dir = temp_dir("kv-two");
    let d = Deployment::new();
    let mut cluster = Cluster::plan_jetstream("kvs");
    cluster.start_all();
    cluster.wait_for_jetstream();
    // the operator-mode server's port first: both consoles link to it, it resolves through A
    let resolver_port = free_port();
    let a = console_on_bucket(
        &d,
        &dir,
        "a",
        &cluster,
        "accounts",
        Some(resolver_port),
        true,
    );
    let b = console_on_bucket(
        &d,
        &dir,
        "b",
        &cluster,
        "accounts",
        Some(resolver_port),
        true,
    );
    // the system account is resolved through A like any other
    assert_eq!(push(&b, &d.sys.public_key(), &d.sys_jwt).status, 200);
    let resolver = NatsServer::start(
        &nats_server_pypi(),
        "kv-resolver",
        &format!(
            "listen: 127.0.0.1:{resolver_port}\n{}",
            d.url_resolver_config(&a.url("/jwt/v1/accounts/"))
        ),
    );
    assert!(
        eventually(Duration::from_secs(15), || {
            a.log().contains("connected to NATS") && b.log().contains("connected to NATS")
        }),
        "{}\n{}",
        a.log(),
        b.log()
    );
    let announced = Announcements::listen(resolver.port, &d);

    // a push to B: served by A at once, and a user of the account connects through A's resolver
    let (app, mut claims) = d.account("APP");
    let v1 = d.sign_account(&mut claims, unix_now() - 100);
    let r = push(&b, &app.public_key(), &v1);
    assert_eq!(r.status, 200, "{}", r.text());
    let started = Instant::now();
    assert!(eventually(Duration::from_secs(5), || served(
        &a,
        &app.public_key()
    )
    .as_deref()
        == Some(v1.as_str())));
    eprintln!("# a push to B served by A after {:?}", started.elapsed());
    let user = d.user_creds(&app, "svc", |_| {});
    Client::connect(resolver.port, &user).expect("a user of APP through A's resolver");
    // announced once, by the instance that made the change
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(announced.count(&app.public_key()), 1);

    // how soon a write on one instance is served by the other (measured, not asserted: the
    // numbers go in the notes)
    let mut delays = Vec::new();
    for i in 0..100 {
        let (key, mut claims) = d.account(&format!("SEEN{i}"));
        let jwt = d.sign_account(&mut claims, unix_now() - 5);
        assert_eq!(push(&b, &key.public_key(), &jwt).status, 200);
        let pushed = Instant::now();
        while served(&a, &key.public_key()).is_none() {
            assert!(
                pushed.elapsed() < Duration::from_secs(5),
                "{} never reached A",
                key.public_key()
            );
        }
        delays.push(pushed.elapsed());
    }
    delays.sort();
    eprintln!(
        "# a push to B served by A: p50 {:?}, p99 {:?}, max {:?} (100 pushes)",
        delays[49], delays[98], delays[99]
    );

    // the same bytes again: a no-op on either instance; an older JWT: 409 on either
    assert_eq!(push(&a, &app.public_key(), &v1).status, 200);
    let mut older = claims.clone();
    let v0 = d.sign_account(&mut older, unix_now() - 1000);
    assert_eq!(push(&a, &app.public_key(), &v0).status, 409);
    assert_eq!(push(&b, &app.public_key(), &v0).status, 409);

    // concurrent pushes of an older and a newer JWT of the same accounts to both instances:
    // the newer everywhere, none lost
    let mut racing = Vec::new();
    for i in 0..20 {
        let (key, mut claims) = d.account(&format!("RACE{i}"));
        let older = d.sign_account(&mut claims, unix_now() - 50);
        let newer = d.sign_account(&mut claims, unix_now() - 10);
        racing.push((key.public_key(), older, newer));
    }
    let (a_port, b_port) = (a.port, b.port);
    let threads: Vec<_> = racing
        .iter()
        .cloned()
        .flat_map(|(key, older, newer)| {
            let key2 = key.clone();
            [
                std::thread::spawn(move || {
                    http(
                        a_port,
                        "POST",
                        &format!("/jwt/v1/accounts/{key}"),
                        &[],
                        newer.as_bytes(),
                    )
                    .status
                }),
                std::thread::spawn(move || {
                    http(
                        b_port,
                        "POST",
                        &format!("/jwt/v1/accounts/{key2}"),
                        &[],
                        older.as_bytes(),
                    )
                    .status
                }),
            ]
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    std::thread::sleep(Duration::from_millis(500));
    for (i, (key, older, newer)) in racing.iter().enumerate() {
        assert_eq!(statuses[2 * i], 200, "the newer push of {key}");
        for (console, name) in [(&a, "A"), (&b, "B")] {
            assert!(
                eventually(Duration::from_secs(5), || served(console, key).as_deref()
                    == Some(newer.as_str())),
                "{key} on {name}: {}",
                match served(console, key) {
                    Some(jwt) if jwt == *older => "the older JWT".to_string(),
                    other => format!("{other:?}"),
                }
            );
        }
        // each change announced once: one per push that changed the store
        let changes = statuses[2 * i..2 * i + 2]
            .iter()
            .filter(|s| **s == 200)
            .count();
        assert_eq!(
            announced.count(key),
            changes,
            "{key}: {:?}",
            &statuses[2 * i..2 * i + 2]
        );
    }

    the_audit_log_is_one_chain_for_both(&dir, &d, &a, &b, &racing, &statuses);
    the_portal_is_shared_and_decided_once(&d, &a, &b, &app);

    // one of the three NATS servers down: writes go on
    cluster.stop(2);
    let (two, mut claims2) = d.account("TWO");
    let jwt = d.sign_account(&mut claims2, unix_now() - 5);
    assert!(
        eventually(Duration::from_secs(20), || push(
            &b,
            &two.public_key(),
            &jwt
        )
        .status
            == 200),
        "with two of three servers: {}",
        push(&b, &two.public_key(), &jwt).text()
    );
    assert!(eventually(Duration::from_secs(5), || served(
        &a,
        &two.public_key()
    )
    .is_some()));

    // all down: reads go on from memory, writes are refused with the reason; then they resume
    cluster.stop(0);
    cluster.stop(1);
    let (three, mut claims3) = d.account("THREE");
    let jwt3 = d.sign_account(&mut claims3, unix_now() - 5);
    let mut refused = push(&a, &three.public_key(), &jwt3);
    assert!(
        eventually(Duration::from_secs(15), || {
            refused = push(&a, &three.public_key(), &jwt3);
            refused.status == 503
        }),
        "{} {}",
        refused.status,
        refused.text()
    );
    assert!(refused.text().contains("NATS"), "{}", refused.text());
    // nothing goes unaudited: a sign-in waits for the audit stream too, and says why
    let key = session_key(a.port);
    let signing_in = post_session(a.port, &session_jwt(&key, &d.sys, &d.sys, |_| {}));
    assert_eq!(signing_in.status, 503, "{}", signing_in.text());
    assert!(
        signing_in.text().contains("AUDIT_accounts"),
        "{}",
        signing_in.text()
    );
    assert_eq!(served(&a, &app.public_key()).as_deref(), Some(v1.as_str()));
    assert_eq!(served(&b, &two.public_key()).as_deref(), Some(jwt.as_str()));
    cluster.start_all();
    cluster.wait_for_jetstream();
    assert!(
        eventually(Duration::from_secs(60), || push(
            &a,
            &three.public_key(),
            &jwt3
        )
        .status
            == 200),
        "writes resume: {}",
        push(&a, &three.public_key(), &jwt3).text()
    );
    assert!(eventually(Duration::from_secs(10), || served(
        &b,
        &three.public_key()
    )
    .is_some()));
    drop(resolver);
}

/// The audit log of a console on a bucket, downloaded by an admin session.
fn audit_download(console: &Console, d: &Deployment) -> String {
    // an admin signs in as a user of the system account, which the console must store
    assert_eq!(push(console, &d.sys.public_key(), &d.sys_jwt).status, 200);
    let admin = sign_in(console.port, &d.sys, &d.sys);
    let r = http(
        console.port,
        "GET",
        "/api/v1/audit/download",
        &[("Cookie", &admin)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

fn entries(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .map(|l| serde_json::from_str(l).expect("an audit entry"))
        .collect()
}

/// `account.pushed` entries of `key` that stand (not followed by their `account.push-failed`).
fn stored_pushes(entries: &[serde_json::Value], key: &str) -> usize {
    let of = |action: &str| {
        entries
            .iter()
            .filter(|e| e["action"] == action && e["subject"] == key)
            .count()
    };
    of("account.pushed") - of("account.push-failed")
}

fn the_audit_log_is_one_chain_for_both(
    dir: &Path,
    d: &Deployment,
    a: &Console,
    b: &Console,
    racing: &[(String, String, String)],
    statuses: &[u16],
) {
    // each download signs in first (an entry): B's download holds everything A's did, and more
    let log_a = audit_download(a, d);
    let log_b = audit_download(b, d);
    assert!(
        log_b.starts_with(&log_a),
        "the instances serve different logs"
    );
    let entries = entries(&log_b);
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    let file = dir.join("audit-download.jsonl");
    std::fs::write(&file, &log_b).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["audit", "verify", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // every change both instances made to the racing accounts is there, once
    for (i, (key, _, _)) in racing.iter().enumerate() {
        let changes = statuses[2 * i..2 * i + 2]
            .iter()
            .filter(|s| **s == 200)
            .count();
        assert_eq!(stored_pushes(&entries, key), changes, "{key}");
    }
    eprintln!("# audit stream: {} entries, one chain", entries.len());
}

fn the_portal_is_shared_and_decided_once(
    d: &Deployment,
    a: &Console,
    b: &Console,
    app: &nats_auth::nkeys::KeyPair,
) {
    let admin_a = sign_in(a.port, &d.sys, &d.sys);
    let admin_b = sign_in(b.port, &d.sys, &d.sys);
    let mut ids = Vec::new();
    for i in 0..5 {
        let (member, _) = d.account(&format!("MEMBER{i}"));
        let body = serde_json::json!({
            "account": app.public_key(), "key": member.public_key(), "name": format!("member {i}"),
        });
        let r = http(
            a.port,
            "POST",
            "/api/v1/access-requests",
            &[],
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    // what A took, B lists
    assert!(eventually(Duration::from_secs(5), || {
        let (status, list) = api(b.port, "GET", "/api/v1/access-requests", &admin_b, "");
        status == 200
            && ids
                .iter()
                .all(|id| list.as_array().unwrap().iter().any(|r| r["id"] == *id))
    }));
    // two admins decide each request at the same moment, one on each instance: one decision
    for id in &ids {
        let path = format!("/api/v1/access-requests/{id}/decision");
        let decide = |port: u16, cookie: String, path: String, reason: &'static str| {
            std::thread::spawn(move || {
                let body = serde_json::json!({ "approve": false, "reason": reason }).to_string();
                api(port, "POST", &path, &cookie, &body)
            })
        };
        let on_a = decide(a.port, admin_a.clone(), path.clone(), "from A");
        let on_b = decide(b.port, admin_b.clone(), path.clone(), "from B");
        let (on_a, on_b) = (on_a.join().unwrap(), on_b.join().unwrap());
        let mut statuses = [on_a.0, on_b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{on_a:?} {on_b:?}");
        let winner = if on_a.0 == 200 { "from A" } else { "from B" };
        for console in [a, b] {
            assert!(
                eventually(Duration::from_secs(5), || {
                    let r = http(
                        console.port,
                        "GET",
                        &format!("/api/v1/access-requests/{id}"),
                        &[],
                        b"",
                    );
                    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
                    v["state"] == "refused" && v["decision"]["reason"] == winner
                }),
                "request {id} on port {}",
                console.port
            );
        }
    }
}

#[test]
fn an_instance_killed_mid_write_loses_no_acknowledged_write() {
    let dir = temp_dir("kv-kill");
    let d = Deployment::new();
    let mut cluster = Cluster::plan_jetstream("kvk");
    cluster.start_all();
    cluster.wait_for_jetstream();
    let a = console_on_bucket(&d, &dir, "a", &cluster, "kill", None, true);
    let mut b = console_on_bucket(&d, &dir, "b", &cluster, "kill", None, true);
    let accounts: Vec<(String, String)> = (0..500)
        .map(|i| {
            let (key, mut claims) = d.account(&format!("K{i}"));
            (
                key.public_key(),
                d.sign_account(&mut claims, unix_now() - 5),
            )
        })
        .collect();
    let accounts = Arc::new(accounts);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let b_port = b.port;
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (accounts, acknowledged) = (accounts.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                for (key, jwt) in accounts.iter().skip(w).step_by(8) {
                    let r = std::panic::catch_unwind(|| {
                        http(
                            b_port,
                            "POST",
                            &format!("/jwt/v1/accounts/{key}"),
                            &[],
                            jwt.as_bytes(),
                        )
                    });
                    match r {
                        Ok(r) if r.status == 200 => acknowledged.lock().unwrap().push(key.clone()),
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    // kill B once a good part of the pushes were acknowledged
    assert!(eventually(Duration::from_secs(60), || acknowledged
        .lock()
        .unwrap()
        .len()
        >= 100));
    b.signal_and_wait("KILL");
    for w in workers {
        let _ = w.join();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    eprintln!(
        "# {} of 500 pushes acknowledged before B was killed",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() < 500,
        "B was killed after every push: nothing was tested"
    );
    for key in &acknowledged {
        assert!(
            eventually(Duration::from_secs(5), || served(&a, key).is_some()),
            "acknowledged push of {key} lost"
        );
    }
    // and a fresh instance starts warm with all of them
    let c = console_on_bucket(&d, &dir, "c", &cluster, "kill", None, true);
    assert!(acknowledged.iter().all(|key| served(&c, key).is_some()));
    // no stored change without its audit entry
    let entries = entries(&audit_download(&a, &d));
    for key in &acknowledged {
        assert_eq!(stored_pushes(&entries, key), 1, "{key}");
    }
}

#[test]
fn the_first_operator_is_trusted_once_for_every_instance() {
    let dir = temp_dir("kv-operator");
    let d = Deployment::new();
    let mut cluster = Cluster::plan_jetstream("kvo");
    cluster.start_all();
    cluster.wait_for_jetstream();
    let a = console_on_bucket(&d, &dir, "a", &cluster, "op", None, false);
    let b = console_on_bucket(&d, &dir, "b", &cluster, "op", None, false);
    // one code for both: the bucket keeps the first instance's
    let code = a.setup_code().expect("A printed a setup code");
    assert_eq!(b.setup_code().as_deref(), Some(code.as_str()));
    let without = http(
        b.port,
        "POST",
        "/jwt/v1/operator",
        &[],
        d.operator_jwt.as_bytes(),
    );
    assert_eq!(without.status, 403, "{}", without.text());
    let with = http(
        b.port,
        "POST",
        "/jwt/v1/operator",
        &[("Nats-Console-Setup", &code)],
        d.operator_jwt.as_bytes(),
    );
    assert_eq!(with.status, 200, "{}", with.text());
    // A trusts it too: it takes the operator's accounts, and the code is spent everywhere
    let (app, mut claims) = d.account("APP");
    let jwt = d.sign_account(&mut claims, unix_now() - 5);
    assert!(eventually(Duration::from_secs(5), || push(
        &a,
        &app.public_key(),
        &jwt
    )
    .status
        == 200));
    let again = http(
        a.port,
        "POST",
        "/jwt/v1/operator",
        &[("Nats-Console-Setup", &code)],
        d.operator_jwt.as_bytes(),
    );
    assert_ne!(
        again.status, 401,
        "the code is not asked for once an operator is trusted"
    );
    // a restarted instance loads the operator from the bucket and prints no code
    let c = console_on_bucket(&d, &dir, "c", &cluster, "op", None, false);
    assert_eq!(c.setup_code(), None);
    assert!(c.log().contains("from the key-value store"), "{}", c.log());
    assert_eq!(served(&c, &app.public_key()).as_deref(), Some(jwt.as_str()));
}

/// `nats-console store copy …`: the exit status, stdout and stderr.
fn store_copy(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["store", "copy"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `root`, relative path → bytes.
fn files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut found = std::collections::BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                found.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn store_copy_goes_dir_to_kv_to_dir_byte_for_byte() {
    let dir = temp_dir("kv-copy");
    let d = Deployment::new();
    let js = NatsServer::start(
        &nats_server_pypi(),
        "kv-copy-js",
        &format!(
            "jetstream {{ store_dir: {:?} }}",
            dir.join("js").display().to_string()
        ),
    );
    let url = format!("kv:nats://127.0.0.1:{}", js.port);
    // a directory store as a console writes it: account JWTs, an activation, the operator
    let source = dir.join("source");
    std::fs::create_dir_all(source.join("activations")).unwrap();
    for i in 0..30 {
        let (key, mut claims) = d.account(&format!("COPY{i}"));
        let jwt = d.sign_account(&mut claims, unix_now() - 5);
        std::fs::write(source.join(format!("{}.jwt", key.public_key())), jwt).unwrap();
    }
    std::fs::write(source.join("operator.jwt"), &d.operator_jwt).unwrap();
    let (exporter, _) = d.account("EXPORTER");
    let importer = d.account("IMPORTER").0.public_key();
    let mut activation = nats_auth::jwt::ActivationClaims::new(importer.clone());
    activation.nats.import_subject = "orders.>".into();
    activation.nats.import_type = nats_auth::jwt::ExportType::Stream;
    let activation_jwt = activation.encode(&exporter, unix_now() - 5).unwrap();
    let hash = nats_auth::jwt::activation_hash_id(&exporter.public_key(), &importer, "orders.>");
    std::fs::write(
        source.join(format!("activations/{hash}.jwt")),
        &activation_jwt,
    )
    .unwrap();

    let source_arg = format!("dir:{}", source.display());
    let (code, out, err) = store_copy(&[
        "--from",
        &source_arg,
        "--to",
        &url,
        "--bucket",
        "copy",
        "--replicas",
        "1",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("accounts: 30 copied, 0 already there"),
        "{out}"
    );
    assert!(out.contains("activations: 1 copied"), "{out}");
    assert!(
        out.contains(&format!("operator: {} copied", d.operator.public_key())),
        "{out}"
    );
    // again: nothing to do
    let (code, out, _) = store_copy(&["--from", &source_arg, "--to", &url, "--bucket", "copy"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("accounts: 0 copied, 30 already there")
            && out.contains("activations: 0 copied"),
        "{out}"
    );
    assert!(!out.contains("operator:"), "{out}");

    // a console asking for more replicas than the bucket has says so at start
    let conf = dir.join("r3.conf");
    std::fs::write(
        &conf,
        format!(
            "store {{ kv {{ servers: [\"nats://127.0.0.1:{}\"], bucket: copy, replicas: 3 }} }}\n",
            js.port
        ),
    )
    .unwrap();
    let r3 = Console::start(&["-c", conf.to_str().unwrap()], dir.join("r3.log"));
    assert!(
        r3.log()
            .contains("bucket copy has 1 replica(s), fewer than the 3 configured"),
        "{}",
        r3.log()
    );
    drop(r3);

    // back out of the bucket into a new folder: the same files, byte for byte
    let back = dir.join("back");
    let back_arg = format!("dir:{}", back.display());
    let (code, out, err) = store_copy(&["--from", &url, "--to", &back_arg, "--bucket", "copy"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(files(&source), files(&back));

    // bad requests say what is wrong, with a non-zero exit
    for (args, says) in [
        (
            vec!["--from", "s3:x", "--to", &back_arg],
            "not a store kind",
        ),
        (vec!["--from", &back_arg, "--to", &back_arg], "same store"),
        (vec!["--from", &back_arg, "--to", "nsc:/tmp/x"], "read-only"),
        (
            vec!["--from", "dir:/nonexistent/nats-console-copy", "--to", &url],
            "nonexistent",
        ),
    ] {
        let (code, out, err) = store_copy(&args);
        assert_ne!(code, 0, "{args:?}: {out}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
