//! Cluster monitoring through the console, against a real three-server nats-server 2.15
//! cluster (routes, JetStream, operator mode resolving through this console) with a leaf node:
//! `GET /api/v1/monitor/<z>` merges every server's answer, names servers that stop answering,
//! refuses bad queries and other people's data; the live event feed carries AUTH.ERR; admin
//! actions kick a connection and reload a server.
//! One cluster serves every check (starting it is the slow part).

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cluster::Cluster;
use support::{eventually, http, sign_in, temp_dir, unix_now, Client, Console, Deployment};

fn get(port: u16, path: &str, cookie: &str) -> (u16, Value) {
    support::api(port, "GET", path, cookie, "")
}

fn post(port: u16, path: &str, cookie: &str, body: &str) -> (u16, Value) {
    support::api(port, "POST", path, cookie, body)
}

fn names(answer: &Value) -> Vec<String> {
    let mut names: Vec<String> = answer["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["server"]["name"].as_str().unwrap_or("").to_string())
        .collect();
    names.sort();
    names
}

/// The merged connections of `answer` as (server, user key, cid).
fn connections(answer: &Value) -> Vec<(String, String, u64)> {
    answer["merged"]["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["server"].as_str().unwrap_or("").to_string(),
                c["authorized_user"].as_str().unwrap_or("").to_string(),
                c["cid"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn key_of(creds: &str) -> String {
    nats_auth::creds::parse_decorated_user_key(creds)
        .unwrap()
        .public_key()
}

/// `GET /api/v1/events` over HTTP/1.0 (no chunked framing), read event by event; the id of
/// the last event read.
struct EventReader(BufReader<TcpStream>, String);

impl EventReader {
    fn open(port: u16, cookie: &str, query: &str) -> EventReader {
        EventReader::resume(port, cookie, query, "")
    }

    /// Opens the feed again after the event `last_id` (`Last-Event-ID`, as a browser does).
    fn resume(port: u16, cookie: &str, query: &str, last_id: &str) -> EventReader {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        write!(
            stream,
            "GET /api/v1/events{query} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nLast-Event-ID: {last_id}\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.contains(" 200 "), "{status}");
        EventReader(reader, String::new())
    }

    /// The data of the next event of type `kind` that `wanted` accepts, within `timeout`.
    fn next(&mut self, kind: &str, timeout: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        let mut event = String::new();
        let mut line = String::new();
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            line.clear();
            match self.0.read_line(&mut line) {
                Ok(0) => panic!("the event stream ended; saw {seen:?}"),
                Ok(_) => {}
                Err(_) => continue,
            }
            let line = line.trim_end();
            if let Some(id) = line.strip_prefix("id: ") {
                self.1 = id.to_string();
            } else if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_string();
            } else if let Some(data) = line.strip_prefix("data: ") {
                let value: Value = serde_json::from_str(data).unwrap();
                if event == kind && wanted(&value) {
                    return value;
                }
                seen.push(event.clone());
            }
        }
        panic!("no {kind} event within {timeout:?}; saw {seen:?}");
    }
}

#[test]
fn an_admin_sees_the_whole_cluster_and_a_team_its_own_account() {
    let d = Deployment::new();
    let dir = temp_dir("monitor");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    // the console's URL is part of the servers' configuration: plan the cluster with a
    // placeholder port, start the console on the first node's URL, then write the real one
    let console_port = support::free_port();
    let mut cluster = Cluster::plan(
        &d,
        "mon",
        &format!("http://127.0.0.1:{console_port}/jwt/v1/accounts/"),
    );
    let console_args = [
        "-dir".to_string(),
        dir.join("jwt").display().to_string(),
        "-operator".into(),
        dir.join("operator.jwt").display().to_string(),
        "-nats".into(),
        cluster.url(0),
        "-creds".into(),
        dir.join("sys.creds").display().to_string(),
        "-hp".into(),
        format!("127.0.0.1:{console_port}"),
    ];
    let console_args: Vec<&str> = console_args.iter().map(String::as_str).collect();
    let mut console = Console::start(&console_args, dir.join("console.log"));
    let port = console.port;
    assert_eq!(port, console_port);
    let (app, mut app_claims) = d.account("APP");
    app_claims.nats.limits.jetstream.memory_storage = -1;
    app_claims.nats.limits.jetstream.disk_storage = -1;
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
    cluster.start_all();
    let alice = d.user_creds(&app, "alice", |_| {});
    let carol = d.user_creds(&app, "carol", |_| {});
    let bob = d.user_creds(&other, "bob", |_| {});
    let leaf_user = d.user_creds(&app, "leaf", |_| {});
    let connect = |i: usize, creds: &str| {
        let port = cluster.nodes[i].client_port;
        let mut last = String::new();
        for _ in 0..100 {
            match Client::connect(port, creds) {
                Ok(client) => return client,
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("connecting to node {i}: {last}");
    };
    let mut alice_on_1 = connect(0, &alice);
    let _carol_on_2 = connect(1, &carol);
    let _bob_on_3 = connect(2, &bob);
    let _leaf = cluster.start_leaf("mon-leaf", &leaf_user);

    let admin = sign_in(port, &d.sys, &d.sys);
    assert!(
        support::session_connected(port, &admin, Duration::from_secs(15)),
        "{}",
        console.log()
    );

    // every server answers varz
    let all = vec!["mon-1".to_string(), "mon-2".into(), "mon-3".into()];
    assert!(
        eventually(Duration::from_secs(15), || names(
            &get(port, "/api/v1/monitor/varz", &admin).1
        ) == all),
        "{}",
        get(port, "/api/v1/monitor/varz", &admin).1
    );
    let (status, varz) = get(port, "/api/v1/monitor/varz", &admin);
    assert_eq!(status, 200);
    assert_eq!(varz["missing"], serde_json::json!([]));
    assert_eq!(varz["subject"], "$SYS.REQ.SERVER.PING.VARZ");
    assert!(varz["servers"][0]["data"]["version"]
        .as_str()
        .unwrap()
        .starts_with("2.15"));

    // the merged connz holds the test's connections of all three servers, with their server
    let users = [key_of(&alice), key_of(&carol), key_of(&bob)];
    let wanted = |rows: &[(String, String, u64)]| {
        [
            ("mon-1", &users[0]),
            ("mon-2", &users[1]),
            ("mon-3", &users[2]),
        ]
        .iter()
        .all(|(server, user)| rows.iter().any(|(s, u, _)| s == server && u == *user))
    };
    assert!(
        eventually(Duration::from_secs(10), || wanted(&connections(
            &get(port, "/api/v1/monitor/connz?auth=1&limit=100", &admin).1
        ))),
        "{}",
        get(port, "/api/v1/monitor/connz?auth=1&limit=100", &admin).1
    );
    // sorted and paged across the cluster: by cid, ties by server name
    let (_, everything) = get(
        port,
        "/api/v1/monitor/connz?auth=1&sort=cid&limit=1000",
        &admin,
    );
    let rows = connections(&everything);
    let mut sorted = rows.clone();
    sorted.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)));
    assert_eq!(rows, sorted);
    assert!(rows.len() >= 4, "{everything}");
    let (_, page) = get(
        port,
        "/api/v1/monitor/connz?auth=1&sort=cid&offset=1&limit=2",
        &admin,
    );
    assert_eq!(connections(&page), rows[1..3].to_vec());
    assert_eq!(page["merged"]["total"], everything["merged"]["total"]);
    // filtered by account: only APP's
    let (_, apps) = get(
        port,
        &format!("/api/v1/monitor/connz?auth=1&acc={}", app.public_key()),
        &admin,
    );
    let app_users: Vec<String> = connections(&apps).into_iter().map(|c| c.1).collect();
    assert!(
        app_users.contains(&users[0]) && !app_users.contains(&users[2]),
        "{apps}"
    );

    // every endpoint answers
    for z in [
        "varz", "connz", "routez", "gatewayz", "leafz", "subsz", "accountz", "accstatz", "jsz",
        "healthz", "statsz", "idz",
    ] {
        let (status, answer) = get(port, &format!("/api/v1/monitor/{z}"), &admin);
        assert_eq!(status, 200, "{z}: {answer}");
        assert!(
            !answer["servers"].as_array().unwrap().is_empty(),
            "{z}: {answer}"
        );
    }
    let (_, routez) = get(port, "/api/v1/monitor/routez", &admin);
    assert!(
        routez["servers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["data"]["num_routes"].as_u64() >= Some(2)),
        "{routez}"
    );
    let (_, leafz) = get(port, "/api/v1/monitor/leafz", &admin);
    let leafs: u64 = leafz["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["data"]["leafnodes"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(leafs, 1, "{leafz}");
    // the meta leader may still be being elected
    assert!(
        eventually(Duration::from_secs(15), || {
            get(port, "/api/v1/monitor/jsz", &admin).1["servers"]
                .as_array()
                .is_some_and(|s| {
                    s.iter()
                        .any(|s| s["data"]["meta_cluster"]["leader"].is_string())
                })
        }),
        "{}",
        get(port, "/api/v1/monitor/jsz", &admin).1
    );

    let (_, one) = get(
        port,
        &format!(
            "/api/v1/monitor/varz?server={}",
            varz["servers"][1]["server"]["id"].as_str().unwrap()
        ),
        &admin,
    );
    assert_eq!(names(&one), vec!["mon-2".to_string()], "{one}");

    // hostile queries: 4xx with the reason
    for (path, status, reason) in [
        ("/api/v1/monitor/connz?sort=bogus", 400, "sort:"),
        ("/api/v1/monitor/connz?limit=100000000", 400, "limit:"),
        (
            "/api/v1/monitor/connz?frob=1",
            400,
            "unknown parameter frob",
        ),
        ("/api/v1/monitor/varz?server=NOTASERVER", 400, "server:"),
        ("/api/v1/monitor/connz?state=half", 400, "state:"),
        ("/api/v1/monitor/stacksz", 404, "no monitoring endpoint"),
    ] {
        let (got, answer) = get(port, path, &admin);
        assert_eq!(got, status, "{path}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(reason),
            "{path}: {answer}"
        );
    }
    assert_eq!(
        http(port, "GET", "/api/v1/monitor/varz", &[], b"").status,
        401
    );

    // a team sees its own account's connections and nothing of the cluster's
    let team = sign_in(port, &app, &app);
    assert!(support::session_connected(
        port,
        &team,
        Duration::from_secs(15)
    ));
    let (status, mine) = get(port, "/api/v1/monitor/connz?auth=1", &team);
    assert_eq!(status, 200, "{mine}");
    let mine: Vec<String> = connections(&mine).into_iter().map(|c| c.1).collect();
    assert!(
        mine.contains(&users[0]) && mine.contains(&users[1]),
        "{mine:?}"
    );
    assert!(!mine.contains(&users[2]), "{mine:?}");
    for path in [
        "/api/v1/monitor/varz".to_string(),
        format!("/api/v1/monitor/connz?acc={}", other.public_key()),
    ] {
        assert_eq!(get(port, &path, &team).0, 403, "{path}");
    }
    assert_eq!(get(port, "/api/v1/monitor/accstatz", &team).0, 200);
    // every new route: 401 without a session; the admin-only ones 403 to a team
    let first_id = varz["servers"][0]["server"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reload_path = format!("/api/v1/servers/{first_id}/reload");
    for (method, path) in [
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/user-info"),
        ("POST", reload_path.as_str()),
    ] {
        assert_eq!(http(port, method, path, &[], b"").status, 401, "{path}");
    }
    assert_eq!(get(port, "/api/v1/events", &team).0, 403);
    assert_eq!(
        post(
            port,
            &format!(
                "/api/v1/servers/{}/reload",
                varz["servers"][0]["server"]["id"].as_str().unwrap()
            ),
            &team,
            ""
        )
        .0,
        403
    );

    // the live feed: a bad-creds attempt shows up as AUTH.ERR
    let mut events = EventReader::open(port, &admin, "?types=auth_error,disconnect");
    let (stranger, _) = d.account("STRANGER");
    let bad = d.user_creds(&stranger, "mallory", |_| {});
    assert!(Client::connect(cluster.nodes[1].client_port, &bad).is_err());
    let auth_error = events.next("auth_error", Duration::from_secs(15), |_| true);
    assert_eq!(auth_error["server"], "mon-2", "{auth_error}");
    let (status, bad_filter) = get(port, "/api/v1/events?types=gossip", &admin);
    assert_eq!(status, 400, "{bad_filter}");

    // kick closes the test's client; the closed connection shows its reason
    let (_, now) = get(port, "/api/v1/monitor/connz?auth=1&limit=1000", &admin);
    let target = now["merged"]["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["authorized_user"] == users[0].as_str())
        .unwrap()
        .clone();
    let (status, kicked) = post(
        port,
        &format!(
            "/api/v1/servers/{}/kick",
            target["server_id"].as_str().unwrap()
        ),
        &admin,
        &format!("{{\"cid\":{}}}", target["cid"]),
    );
    assert_eq!(status, 200, "{kicked}");
    assert!(
        alice_on_1.next_message().is_err(),
        "alice is still connected"
    );
    let disconnect = events.next("disconnect", Duration::from_secs(15), |e| {
        e["event"]["client"]["user"] == users[0].as_str()
    });
    assert!(
        disconnect["event"]["reason"]
            .as_str()
            .unwrap()
            .contains("Kicked"),
        "{disconnect}"
    );
    let (_, closed) = get(
        port,
        "/api/v1/monitor/connz?auth=1&state=closed&sort=reason",
        &admin,
    );
    let reason = closed["merged"]["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["authorized_user"] == users[0].as_str())
        .map(|c| c["reason"].clone());
    assert!(
        reason
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|r| r.contains("Kicked")),
        "{closed}"
    );
    let (status, missing_cid) = post(
        port,
        &format!(
            "/api/v1/servers/{}/kick",
            target["server_id"].as_str().unwrap()
        ),
        &admin,
        "{\"cid\":999999}",
    );
    assert_eq!(status, 502, "{missing_cid}");
    assert_eq!(
        post(
            port,
            &format!(
                "/api/v1/servers/{}/kick",
                target["server_id"].as_str().unwrap()
            ),
            &admin,
            "{}"
        )
        .0,
        400
    );

    // reload answers; lame duck for one client answers
    let first = varz["servers"][0]["server"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, reloaded) = post(port, &format!("/api/v1/servers/{first}/reload"), &admin, "");
    assert_eq!(status, 200, "{reloaded}");
    assert_eq!(reloaded["server"]["id"], first.as_str());
    let audit = std::fs::read_to_string(dir.join("jwt/audit.jsonl")).unwrap();
    assert!(audit.contains("\"server.kick\"") && audit.contains("\"server.reload\""));

    // an action on a server that does not answer says why instead of failing silently
    let absent =
        nats_auth::nkeys::KeyPair::new(nats_auth::nkeys::KeyType::Server, &mut rand_core::OsRng)
            .unwrap()
            .public_key();
    let (status, nobody) = post(
        port,
        &format!("/api/v1/servers/{absent}/kick"),
        &admin,
        "{\"cid\":1}",
    );
    assert_eq!(status, 502, "{nobody}");
    assert!(
        nobody["error"]
            .as_str()
            .unwrap()
            .contains("older than nats-server 2.10"),
        "{nobody}"
    );
    // USER.INFO: nats-server's view of the session's own user, never the leaf server's view of
    // its leaf connection (which also answers, in `$G`, and may answer first)
    let (_, session) = get(port, "/api/v1/session", &team);
    for _ in 0..10 {
        let (status, me) = get(port, "/api/v1/user-info", &team);
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["data"]["account"], app.public_key().as_str(), "{me}");
        assert_eq!(me["data"]["user"], session["user"], "{me}");
    }

    // a stopped server is named missing; its restart brings it back
    cluster.stop(2);
    let (_, down) = get(port, "/api/v1/monitor/varz", &admin);
    assert_eq!(down["missing"], serde_json::json!(["mon-3"]), "{down}");
    assert_eq!(names(&down), all[..2].to_vec());
    cluster.start(2);
    assert!(
        eventually(Duration::from_secs(20), || {
            let (_, back) = get(port, "/api/v1/monitor/varz", &admin);
            names(&back) == all && back["missing"] == serde_json::json!([])
        }),
        "{}",
        get(port, "/api/v1/monitor/varz", &admin).1
    );

    // the server the session's NATS connection is on goes away: the feed goes on over another
    // server and says when it was cut
    let mut feed = EventReader::open(port, &admin, "");
    cluster.stop(0);
    let cut = feed.next("cut", Duration::from_secs(30), |_| true);
    assert!(
        cut["reason"].as_str().unwrap().contains("NATS connection"),
        "{cut}"
    );
    let (stranger2, _) = d.account("STRANGER2");
    let bad = d.user_creds(&stranger2, "eve", |_| {});
    assert!(Client::connect(cluster.nodes[2].client_port, &bad).is_err());
    feed.next("auth_error", Duration::from_secs(15), |e| {
        e["server"] == "mon-3"
    });

    // the console restarts: sessions come back from the journal (the JWT checked again, the NATS
    // connection made again), and the feed resumes by itself, saying it was cut
    cluster.start(0);
    let last_id = feed.1.clone();
    assert!(!last_id.is_empty());
    drop(feed);
    assert!(console.signal_and_wait("TERM").success());
    let journal = std::fs::read_to_string(dir.join("jwt/sessions.jsonl")).unwrap();
    assert!(
        !journal.contains(admin.split('=').nth(1).unwrap()),
        "a cookie token in the journal"
    );
    let console = Console::start(&console_args, dir.join("console-2.log"));
    assert!(
        console.log().contains("session(s) restored"),
        "{}",
        console.log()
    );
    assert!(
        support::session_connected(port, &admin, Duration::from_secs(15)),
        "{}",
        console.log()
    );
    let mut resumed = EventReader::resume(port, &admin, "", &last_id);
    let cut = resumed.next("cut", Duration::from_secs(5), |_| true);
    assert!(
        cut["reason"]
            .as_str()
            .unwrap()
            .contains("console restarted"),
        "{cut}"
    );
    assert_eq!(names(&get(port, "/api/v1/monitor/varz", &admin).1), all);
    // the team's session came back too; a signed-out one does not
    assert_eq!(get(port, "/api/v1/session", &team).0, 200);
    assert_eq!(support::sign_out(port, &team), 204);
    drop(console);
    let console = Console::start(&console_args, dir.join("console-3.log"));
    assert_eq!(get(port, "/api/v1/session", &team).0, 401);
    assert_eq!(
        get(port, "/api/v1/session", &admin).0,
        200,
        "{}",
        console.log()
    );
}
