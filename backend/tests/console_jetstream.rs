//! JetStream through the console, against a real nats-server 2.15 with JetStream in operator
//! mode: every request is made as a user of the account (the team's session, or an account
//! link an admin's browser signed), so nats-server decides; bad input is refused before any
//! request and changes nothing.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{sign_in, temp_dir, unix_now, Console, Deployment, NatsServer};

struct Setup {
    d: Deployment,
    console: Console,
    _server: NatsServer,
    app: nats_auth::nkeys::KeyPair,
    other: nats_auth::nkeys::KeyPair,
}

fn jetstream_enabled(claims: &mut nats_auth::jwt::AccountClaims) {
    let js = &mut claims.nats.limits.jetstream;
    js.memory_storage = -1;
    js.disk_storage = -1;
    js.streams = -1;
    js.consumer = -1;
}

fn setup(name: &str) -> Setup {
    let d = Deployment::new();
    let dir = temp_dir(name);
    let store_dir = dir.join("js");
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    let nats_port = support::free_port();
    let console = support::console_trusting(
        &d.operator_jwt,
        &dir,
        "console.log",
        &[
            "-nats",
            &format!("nats://127.0.0.1:{nats_port}"),
            "-creds",
            dir.join("sys.creds").to_str().unwrap(),
        ],
    );
    let (app, mut app_claims) = d.account("APP");
    let (other, mut other_claims) = d.account("OTHER");
    jetstream_enabled(&mut app_claims);
    jetstream_enabled(&mut other_claims);
    support::push_accounts(
        console.port,
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
        "listen: 127.0.0.1:{nats_port}\nserver_name: js1\njetstream {{ store_dir: \"{}\" }}\n{}",
        store_dir.display(),
        d.url_resolver_config(&console.url("/jwt/v1/accounts/"))
    );
    let server = NatsServer::start(
        &support::nats_server_pypi(),
        &format!("{name}-server"),
        &config,
    );
    Setup {
        d,
        console,
        _server: server,
        app,
        other,
    }
}

impl Setup {
    fn call(&self, cookie: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        support::api(self.console.port, method, path, cookie, &body)
    }

    fn js(
        &self,
        cookie: &str,
        account: &nats_auth::nkeys::KeyPair,
        op: &str,
        body: Value,
    ) -> (u16, Value) {
        let path = format!("/api/v1/jetstream/{}/api/{op}", account.public_key());
        self.call(cookie, "POST", &path, body)
    }

    fn connected(&self, cookie: &str) {
        assert!(
            support::session_connected(self.console.port, cookie, Duration::from_secs(10)),
            "{}",
            self.console.log()
        );
    }
}

fn orders() -> Value {
    json!({"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","storage":"file",
        "max_age":0,"max_msgs":-1,"max_bytes":-1,"max_consumers":-1,"discard":"old",
        "num_replicas":1,"duplicate_window":120_000_000_000u64})
}

#[test]
fn a_team_manages_its_own_streams_and_only_those() {
    let s = setup("js-team");
    let team = sign_in(s.console.port, &s.app, &s.app);
    s.connected(&team);
    let app = s.app.public_key();
    let base = format!("/api/v1/jetstream/{app}");

    let (status, who) = s.call(&team, "GET", &base, Value::Null);
    assert_eq!(
        (status, who["acting_as"].as_str()),
        (200, Some("session")),
        "{who}"
    );

    let (status, info) = s.js(&team, &s.app, "INFO", Value::Null);
    assert_eq!(status, 200, "{info}");
    assert!(info["api"]["level"].as_i64().is_some(), "{info}");

    // the seed's stream and consumer
    let (status, created) = s.js(&team, &s.app, "STREAM.CREATE.ORDERS", orders());
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["config"]["subjects"], json!(["ORDERS.*"]));
    let (status, again) = s.js(
        &team,
        &s.app,
        "STREAM.CREATE.ORDERS",
        json!({"name":"ORDERS","subjects":["OTHER.*"]}),
    );
    assert_eq!(status, 400, "{again}");
    assert_eq!(
        again["err_code"], 10058,
        "a name in use is the server's error: {again}"
    );

    for (i, subject) in ["ORDERS.received", "ORDERS.received", "ORDERS.shipped"]
        .iter()
        .enumerate()
    {
        let (status, ack) = s.call(
            &team,
            "POST",
            &format!("{base}/publish"),
            json!({"subject": subject, "data": format!("order {i}"), "headers": [["Order-Id", i.to_string()]]}),
        );
        assert_eq!(status, 200, "{ack}");
        assert_eq!(ack["seq"], i as u64 + 1);
    }
    let (status, nobody) = s.call(
        &team,
        "POST",
        &format!("{base}/publish"),
        json!({"subject": "NOSTREAM.x", "data": "x"}),
    );
    assert_eq!(status, 503, "{nobody}");

    let new = json!({"stream_name":"ORDERS","config":{"durable_name":"NEW","deliver_policy":"all",
        "ack_policy":"explicit","ack_wait":30_000_000_000u64,"max_deliver":20,
        "filter_subject":"ORDERS.received","replay_policy":"instant","sample_freq":"100"},
        "action":"create"});
    let (status, consumer) = s.js(
        &team,
        &s.app,
        "CONSUMER.CREATE.ORDERS.NEW.ORDERS.received",
        new,
    );
    assert_eq!(status, 200, "{consumer}");
    assert_eq!(consumer["num_pending"], 2, "{consumer}");

    // browsing reads, never consumes
    let (status, page) = s.call(
        &team,
        "GET",
        &format!("{base}/streams/ORDERS/messages?seq=1&limit=2"),
        Value::Null,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["messages"].as_array().unwrap().len(), 2);
    assert_eq!(page["next"], 3);
    let first = &page["messages"][0];
    let data = nats_auth::text_encoding::base64_decode(first["data"].as_str().unwrap().as_bytes())
        .unwrap();
    assert_eq!(data, b"order 0");
    let headers =
        nats_auth::text_encoding::base64_decode(first["hdrs"].as_str().unwrap().as_bytes())
            .unwrap();
    assert!(String::from_utf8_lossy(&headers).contains("Order-Id: 0"));
    let (_, rest) = s.call(
        &team,
        "GET",
        &format!("{base}/streams/ORDERS/messages?seq=3"),
        Value::Null,
    );
    assert_eq!(rest["messages"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next"], Value::Null, "the end of the stream: {rest}");
    let (_, shipped) = s.call(
        &team,
        "GET",
        &format!("{base}/streams/ORDERS/messages?subject=ORDERS.shipped"),
        Value::Null,
    );
    assert_eq!(shipped["messages"][0]["seq"], 3, "{shipped}");
    let (_, by_time) = s.call(
        &team,
        "GET",
        &format!("{base}/streams/ORDERS/messages?time=2000-01-01T00:00:00Z&limit=1"),
        Value::Null,
    );
    assert_eq!(by_time["messages"][0]["seq"], 1, "{by_time}");

    let r = support::http(
        s.console.port,
        "GET",
        &format!("{base}/streams/ORDERS/export?seq=2"),
        &[("Cookie", &team)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", r.text());
    assert_eq!(
        (lines[0]["seq"].clone(), lines[1]["seq"].clone()),
        (json!(2), json!(3))
    );

    // fetch and acknowledge from NEW: the lag moves
    let (status, fetched) = s.call(
        &team,
        "POST",
        &format!("{base}/streams/ORDERS/consumers/NEW/next"),
        json!({"batch": 2, "wait_ms": 500}),
    );
    assert_eq!(status, 200, "{fetched}");
    let messages = fetched["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{fetched}");
    assert_eq!(messages[0]["stream_seq"], 1);
    assert_eq!(messages[0]["delivered"], 1);
    for m in messages {
        let (status, acked) = s.call(
            &team,
            "POST",
            &format!("{base}/ack"),
            json!({"reply": m["reply"], "kind": "ack"}),
        );
        assert_eq!(status, 204, "{acked}");
    }
    assert!(support::eventually(Duration::from_secs(5), || {
        let (_, info) = s.js(&team, &s.app, "CONSUMER.INFO.ORDERS.NEW", Value::Null);
        info["num_ack_pending"] == 0 && info["num_pending"] == 0
    }));
    let (status, refused) = s.call(
        &team,
        "POST",
        &format!("{base}/ack"),
        json!({"reply": "$SYS.REQ.SERVER.PING", "kind": "ack"}),
    );
    assert_eq!(status, 400, "{refused}");

    // a work-queue stream is browsed without being consumed
    let wq =
        json!({"name":"JOBS","subjects":["JOBS.>"],"retention":"workqueue","storage":"memory"});
    assert_eq!(s.js(&team, &s.app, "STREAM.CREATE.JOBS", wq).0, 200);
    for i in 0..3 {
        let body = json!({"subject": format!("JOBS.{i}"), "data": "job"});
        assert_eq!(
            s.call(&team, "POST", &format!("{base}/publish"), body).0,
            200
        );
    }
    let (_, jobs) = s.call(
        &team,
        "GET",
        &format!("{base}/streams/JOBS/messages"),
        Value::Null,
    );
    assert_eq!(jobs["messages"].as_array().unwrap().len(), 3);
    let (_, info) = s.js(&team, &s.app, "STREAM.INFO.JOBS", Value::Null);
    assert_eq!(
        info["state"]["messages"], 3,
        "browsing consumed the work queue: {info}"
    );

    // purge by subject, remove one message, delete
    let (_, purged) = s.js(
        &team,
        &s.app,
        "STREAM.PURGE.ORDERS",
        json!({"filter": "ORDERS.shipped"}),
    );
    assert_eq!(purged["purged"], 1, "{purged}");
    let (_, removed) = s.js(&team, &s.app, "STREAM.MSG.DELETE.ORDERS", json!({"seq": 1}));
    assert_eq!(removed["success"], true, "{removed}");
    let (_, info) = s.js(&team, &s.app, "STREAM.INFO.ORDERS", Value::Null);
    assert_eq!(info["state"]["messages"], 1, "{info}");
    let (status, gone) = s.js(&team, &s.app, "STREAM.MSG.GET.ORDERS", json!({"seq": 1}));
    assert_eq!(
        (status, gone["err_code"].clone()),
        (404, json!(10037)),
        "{gone}"
    );

    // another account's streams: not this session's to touch
    let (status, refused) = s.js(&team, &s.other, "STREAM.NAMES", Value::Null);
    assert_eq!(status, 409, "{refused}");
    let key = support::session_key(s.console.port);
    let not_other = support::session_jwt(&key, &s.app, &s.app, |_| {});
    let (status, refused) = s.call(
        &team,
        "POST",
        &format!("/api/v1/jetstream/{}/link", s.other.public_key()),
        json!({"jwt": not_other}),
    );
    assert_eq!(status, 400, "a JWT of APP does not link OTHER: {refused}");

    assert_eq!(
        s.js(&team, &s.app, "STREAM.DELETE.ORDERS", Value::Null).1["success"],
        true
    );
    let (_, names) = s.js(&team, &s.app, "STREAM.NAMES", Value::Null);
    assert_eq!(names["streams"], json!(["JOBS"]));

    // every change is in the audit log, with who made it
    let admin = sign_in(s.console.port, &s.d.sys, &s.d.sys);
    let (_, audit) = s.call(
        &admin,
        "GET",
        "/api/v1/audit?action=jetstream.stream.create",
        Value::Null,
    );
    let text = audit.to_string();
    assert!(text.contains("ORDERS.*") && text.contains("JOBS"), "{text}");
}

#[test]
fn an_admin_acts_for_an_account_through_a_link_and_nats_server_enforces_permissions() {
    let s = setup("js-admin");
    let port = s.console.port;
    let admin = sign_in(port, &s.d.sys, &s.d.sys);
    s.connected(&admin);
    let other = s.other.public_key();
    let (status, refused) = s.js(&admin, &s.other, "STREAM.NAMES", Value::Null);
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("/link"),
        "{refused}"
    );

    // the browser signs a user JWT of OTHER for a sign-in key: the link
    let key = support::session_key(port);
    let jwt = support::session_jwt(&key, &s.other, &s.other, |_| {});
    let (status, linked) = s.call(
        &admin,
        "POST",
        &format!("/api/v1/jetstream/{other}/link"),
        json!({"jwt": jwt}),
    );
    assert_eq!(status, 200, "{linked}");
    let (status, reused) = s.call(
        &admin,
        "POST",
        &format!("/api/v1/jetstream/{other}/link"),
        json!({"jwt": jwt}),
    );
    assert_eq!(status, 400, "a sign-in key links once: {reused}");
    assert!(support::eventually(Duration::from_secs(10), || {
        s.call(
            &admin,
            "GET",
            &format!("/api/v1/jetstream/{other}"),
            Value::Null,
        )
        .1["nats"]
            == "connected"
    }));
    let (status, created) = s.js(&admin, &s.other, "STREAM.CREATE.ORDERS", orders());
    assert_eq!(status, 200, "{created}");
    // the stream is OTHER's: APP's team does not see it
    let team = sign_in(port, &s.app, &s.app);
    s.connected(&team);
    let (_, names) = s.js(&team, &s.app, "STREAM.NAMES", Value::Null);
    assert_eq!(names["streams"], Value::Null, "{names}");

    // a team member whose user may not delete streams: nats-server refuses, the page is told why
    let key = support::session_key(port);
    let limited = support::session_jwt(&key, &s.other, &s.other, |c| {
        c.nats.limits.permissions.publish.deny = vec!["$JS.API.STREAM.DELETE.>".into()];
    });
    let r = support::post_session(port, &limited);
    assert_eq!(r.status, 200, "{}", r.text());
    let member = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    s.connected(&member);
    let started = std::time::Instant::now();
    let (status, refused) = s.js(&member, &s.other, "STREAM.DELETE.ORDERS", Value::Null);
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused["permission"]
            .as_str()
            .unwrap()
            .contains("$JS.API.STREAM.DELETE.ORDERS"),
        "{refused}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at once, not timed out"
    );
    let (_, info) = s.js(&admin, &s.other, "STREAM.INFO.ORDERS", Value::Null);
    assert_eq!(
        info["config"]["name"], "ORDERS",
        "the stream is still there: {info}"
    );

    // unlinking ends the admin's access
    assert_eq!(
        s.call(
            &admin,
            "DELETE",
            &format!("/api/v1/jetstream/{other}/link"),
            Value::Null
        )
        .0,
        204
    );
    assert_eq!(s.js(&admin, &s.other, "STREAM.NAMES", Value::Null).0, 409);
}

#[test]
fn hostile_inputs_are_refused_before_any_request_and_change_nothing() {
    let s = setup("js-hostile");
    let team = sign_in(s.console.port, &s.app, &s.app);
    s.connected(&team);
    let base = format!("/api/v1/jetstream/{}", s.app.public_key());
    assert_eq!(s.js(&team, &s.app, "STREAM.CREATE.ORDERS", orders()).0, 200);
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut c = orders();
        edit(&mut c);
        c
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "STREAM.CREATE.OR%20DERS",
            with(&|c| c["name"] = json!("OR DERS")),
            "space",
        ),
        (
            "STREAM.CREATE.A*",
            with(&|c| c["name"] = json!("A*")),
            "'*'",
        ),
        (
            "STREAM.CREATE.X",
            with(&|c| c["name"] = json!("X")),
            "subjects",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","subjects":["bad subject"]}),
            "white space",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","subjects":["a.>.b"]}),
            "last token",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","max_msgs":-5}),
            "below -1",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","max_bytes":-2}),
            "below -1",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","max_age":-1}),
            "negative",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","max_age":1e300}),
            "whole number",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","duplicate_window":5}),
            "100ms",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","retention":"forever"}),
            "not one of",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","storage":"tape"}),
            "not one of",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","num_replicas":9}),
            "between",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"Y"}),
            "named in the request",
        ),
        (
            "STREAM.CREATE.X",
            json!({"name":"X","mirror":{"name":"ORDERS"},"subjects":["m"]}),
            "mirror",
        ),
        (
            "STREAM.UPDATE.ORDERS",
            json!(["not", "an", "object"]),
            "JSON object",
        ),
        (
            "CONSUMER.CREATE.ORDERS.C",
            json!({"stream_name":"ORDERS","config":{"durable_name":"C","ack_policy":"sometimes"}}),
            "not one of",
        ),
        (
            "CONSUMER.CREATE.ORDERS.C",
            json!({"stream_name":"ORDERS","config":{"durable_name":"C","sample_freq":"250"}}),
            "percentage",
        ),
        (
            "CONSUMER.CREATE.ORDERS.C",
            json!({"stream_name":"ORDERS","config":{"durable_name":"C","filter_subject":"a b"}}),
            "white space",
        ),
        (
            "CONSUMER.CREATE.ORDERS.C",
            json!({"stream_name":"OTHER","config":{"durable_name":"C"}}),
            "named in the request",
        ),
        ("STREAM.SNAPSHOT.ORDERS", Value::Null, "snapshot"),
        (
            "SERVER.REMOVE",
            Value::Null,
            "not a JetStream API operation",
        ),
        (
            "ACCOUNT.PURGE.x",
            Value::Null,
            "not a JetStream API operation",
        ),
    ];
    for (op, body, says) in cases {
        let (status, answer) = s.js(&team, &s.app, op, body.clone());
        assert_eq!(status, 400, "{op} {body}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{op} {body}: {error}");
    }
    let (status, answer) = s.js(
        &team,
        &s.app,
        "STREAM.UPDATE.ORDERS",
        with(&|c| c["storage"] = json!("memory")),
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().starts_with("storage:"),
        "{answer}"
    );
    // malformed JSON and bad publishes
    let path = format!("{base}/api/STREAM.UPDATE.ORDERS");
    let r = support::http(
        s.console.port,
        "POST",
        &path,
        &[("Cookie", &team)],
        b"{\"name\": ",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let bad_publishes = [
        json!({"subject": "ORDERS.*", "data": "x"}),
        json!({"subject": "ORDERS..x", "data": "x"}),
        json!({"subject": "ORDERS.x", "data": "%%%", "base64": true}),
        json!({"subject": "ORDERS.x", "headers": [["Bad Name", "v"]]}),
        json!({"subject": "ORDERS.x", "headers": [["Name", "two\r\nlines"]]}),
    ];
    for body in bad_publishes {
        let (status, answer) = s.call(&team, "POST", &format!("{base}/publish"), body.clone());
        assert_eq!(status, 400, "{body}: {answer}");
    }
    for query in [
        "seq=1&time=2026-01-01T00:00:00Z",
        "time=yesterday",
        "subject=a%20b",
        "seq=-1",
    ] {
        let (status, answer) = s.call(
            &team,
            "GET",
            &format!("{base}/streams/ORDERS/messages?{query}"),
            Value::Null,
        );
        assert_eq!(status, 400, "{query}: {answer}");
    }
    let (status, _) = s.call(
        &team,
        "POST",
        &format!("{base}/streams/ORDERS/consumers/C/next"),
        json!({"batch": 100000}),
    );
    assert_eq!(status, 400);
    // nothing changed
    let (_, names) = s.js(&team, &s.app, "STREAM.NAMES", Value::Null);
    assert_eq!(names["streams"], json!(["ORDERS"]));
    let (_, info) = s.js(&team, &s.app, "STREAM.INFO.ORDERS", Value::Null);
    assert_eq!(info["config"]["subjects"], json!(["ORDERS.*"]));
    assert_eq!(info["state"]["consumer_count"], 0);
    // anonymous: 401
    let r = support::http(
        s.console.port,
        "POST",
        &format!("{base}/api/INFO"),
        &[],
        b"",
    );
    assert_eq!(r.status, 401);
}

/// Reads a Server-Sent Events response of `path` until `until` holds for what arrived, or 10 s.
fn sse_until(port: u16, path: &str, cookie: &str, until: impl Fn(&str) -> bool) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    while std::time::Instant::now() < deadline {
        if let Ok(n) = stream.read(&mut buffer) {
            seen.extend_from_slice(&buffer[..n]);
        }
        if until(&String::from_utf8_lossy(&seen)) {
            break;
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn backups_restore_byte_identical_and_buckets_watch_and_download() {
    let s = setup("js-backup");
    let port = s.console.port;
    let team = sign_in(port, &s.app, &s.app);
    s.connected(&team);
    let base = format!("/api/v1/jetstream/{}", s.app.public_key());
    assert_eq!(s.js(&team, &s.app, "STREAM.CREATE.ORDERS", orders()).0, 200);
    // 300 messages of 1 KiB to 3 KiB, some with headers
    for i in 0..300u32 {
        let data = format!("{i:04}-{}", "x".repeat(1024 + (i as usize * 7) % 2048));
        let mut body = json!({"subject": format!("ORDERS.{}", i % 3), "data": data});
        if i % 10 == 0 {
            body["headers"] = json!([["Order-Id", i.to_string()]]);
        }
        assert_eq!(
            s.call(&team, "POST", &format!("{base}/publish"), body).0,
            200
        );
    }
    let page = |seq: u64| {
        s.call(
            &team,
            "GET",
            &format!("{base}/streams/ORDERS/messages?seq={seq}&limit=256"),
            Value::Null,
        )
        .1
    };
    let all = |first: Value, second: Value| -> Vec<(Value, Value, Value)> {
        [first, second]
            .iter()
            .flat_map(|p| p["messages"].as_array().cloned().unwrap_or_default())
            .map(|m| (m["subject"].clone(), m["data"].clone(), m["hdrs"].clone()))
            .collect()
    };
    let before = all(page(1), page(257));
    assert_eq!(before.len(), 300);

    // the snapshot: data as the body, the backup JSON in a header
    let r = support::http(
        port,
        "GET",
        &format!("{base}/streams/ORDERS/snapshot"),
        &[("Cookie", &team)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let backup = r.header("nats-snapshot").unwrap().to_string();
    let config: Value = serde_json::from_slice(
        &nats_auth::text_encoding::base64url_decode(backup.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(config["config"]["name"], "ORDERS");
    assert_eq!(config["state"]["messages"], 300);
    assert!(r.body.len() > 10_000, "{} bytes of snapshot", r.body.len());

    // restoring over the existing stream is refused by nats-server; a file that is not a
    // snapshot is refused and leaves no stream behind
    let restore = |data: &[u8]| {
        support::http(
            port,
            "POST",
            &format!("{base}/streams/ORDERS/restore"),
            &[("Cookie", &team), ("Nats-Snapshot", &backup)],
            data,
        )
    };
    let exists = restore(&r.body);
    assert_eq!(exists.status, 400, "{}", exists.text());
    assert!(
        exists.text().contains("10130") || exists.text().contains("already in use"),
        "{}",
        exists.text()
    );
    assert_eq!(
        s.js(&team, &s.app, "STREAM.DELETE.ORDERS", Value::Null).0,
        200
    );
    let junk = restore(b"this is not a snapshot, just some text that goes on for a while");
    assert!(junk.status >= 400, "{} {}", junk.status, junk.text());
    let (_, names) = s.js(&team, &s.app, "STREAM.NAMES", Value::Null);
    assert_eq!(
        names["streams"],
        Value::Null,
        "a failed restore left {names}"
    );
    let no_header = support::http(
        port,
        "POST",
        &format!("{base}/streams/ORDERS/restore"),
        &[("Cookie", &team)],
        b"x",
    );
    assert_eq!(no_header.status, 400, "{}", no_header.text());

    let restored = restore(&r.body);
    assert_eq!(restored.status, 200, "{}", restored.text());
    assert_eq!(
        all(page(1), page(257)),
        before,
        "the restored messages differ"
    );

    // a key-value bucket: a watch sees the current values, then a change
    let bucket = json!({"name":"KV_cfg","subjects":["$KV.cfg.>"],"max_msgs_per_subject":5,
        "discard":"new","allow_rollup_hdrs":true,"deny_delete":true,"allow_direct":true,
        "storage":"file","num_replicas":1});
    assert_eq!(s.js(&team, &s.app, "STREAM.CREATE.KV_cfg", bucket).0, 200);
    let put = |key: &str, value: &str| {
        let body = json!({"subject": format!("$KV.cfg.{key}"), "data": value});
        s.call(&team, "POST", &format!("{base}/publish"), body)
    };
    assert_eq!(put("db.url", "postgres://a").0, 200);
    let seen = sse_until(port, &format!("{base}/kv/cfg/watch"), &team, |t| {
        t.contains("db.url")
    });
    assert!(
        seen.contains("event: entry") && seen.contains("\"operation\":\"PUT\""),
        "{seen}"
    );
    let (status, bad) = s.call(&team, "GET", &format!("{base}/kv/c.fg/watch"), Value::Null);
    assert_eq!(status, 400, "{bad}");

    // advisories: a stream created while listening shows up
    let port2 = port;
    let cookie = team.clone();
    let path = format!("{base}/advisories");
    let listener = std::thread::spawn(move || {
        sse_until(port2, &path, &cookie, |t| {
            t.contains("STREAM.CREATED.ADVISED")
        })
    });
    std::thread::sleep(Duration::from_millis(500));
    let advised = json!({"name":"ADVISED","subjects":["advised.>"],"storage":"memory"});
    assert_eq!(s.js(&team, &s.app, "STREAM.CREATE.ADVISED", advised).0, 200);
    let seen = listener.join().unwrap();
    assert!(
        seen.contains("event: advisory")
            && seen.contains("io.nats.jetstream.advisory.v1.stream_action"),
        "{seen}"
    );

    // an object published in chunks downloads byte-identical
    let objects = json!({"name":"OBJ_files","subjects":["$O.files.C.>","$O.files.M.>"],
        "discard":"new","allow_rollup_hdrs":true,"allow_direct":true,"storage":"file"});
    assert_eq!(
        s.js(&team, &s.app, "STREAM.CREATE.OBJ_files", objects).0,
        200
    );
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 31 % 251) as u8).collect();
    for chunk in content.chunks(128 * 1024) {
        let body = json!({"subject": "$O.files.C.NUID1", "data": nats_auth::text_encoding::base64_encode(chunk), "base64": true});
        assert_eq!(
            s.call(&team, "POST", &format!("{base}/publish"), body).0,
            200
        );
    }
    let meta = json!({"name": "report.bin", "bucket": "files", "nuid": "NUID1", "size": content.len(), "chunks": 3});
    let meta_subject = format!("$O.files.M.{}", {
        let mut e = nats_auth::text_encoding::base64url_encode(b"report.bin");
        while !e.len().is_multiple_of(4) {
            e.push('=');
        }
        e
    });
    let body = json!({"subject": meta_subject, "headers": [["Nats-Rollup", "sub"]], "data": meta.to_string()});
    assert_eq!(
        s.call(&team, "POST", &format!("{base}/publish"), body).0,
        200
    );
    let r = support::http(
        port,
        "GET",
        &format!("{base}/objects/files/report.bin"),
        &[("Cookie", &team)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.body == content,
        "{} bytes downloaded of {}",
        r.body.len(),
        content.len()
    );
    let r = support::http(
        port,
        "GET",
        &format!("{base}/objects/files/missing.bin"),
        &[("Cookie", &team)],
        b"",
    );
    assert_eq!(r.status, 404, "{}", r.text());
}
