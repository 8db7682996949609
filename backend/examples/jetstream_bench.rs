//! Benchmark of the console's JetStream pages against a real nats-server with JetStream, both
//! started here on 127.0.0.1 (operator mode, accounts resolved through the console):
//! - browsing a stream of N messages (default 1 000 000): time to the first page and to page
//!   1000 (25 messages a page, `GET …/streams/<s>/messages?seq=`), median and max of 20;
//! - snapshot download through the console (`GET …/streams/<s>/snapshot`) against
//!   `STREAM.SNAPSHOT` read directly by a client in the same run, in MB/s.
//!
//! `jetstream_bench <nats-server> <nats-console> [messages] [payload bytes]` (bench/jetstream.sh)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use nats_auth::jwt::{AccountClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use serde_json::{json, Value};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn key(kind: KeyType) -> KeyPair {
    KeyPair::new(kind, &mut rand_core::OsRng).expect("a key")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(binary: &Path, args: &[&str], log: PathBuf) -> Stopped {
    let log = std::fs::File::create(log).expect("a log file");
    Stopped(
        Command::new(binary)
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the binary starts"),
    )
}

/// One HTTP/1.1 request; the status, and the body's length and bytes (`keep` bytes at most).
fn http(port: u16, method: &str, path: &str, cookie: &str, body: &str) -> (u16, usize, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the console");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sent");
    let mut raw = Vec::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let status = String::from_utf8_lossy(&raw[..split.min(raw.len())])
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    (status, body.len(), body)
}

fn json_of(body: &[u8]) -> Value {
    // a chunked body: the JSON sits between the chunk sizes; the answers here are one chunk
    let text = String::from_utf8_lossy(body);
    let start = text.find('{').unwrap_or(0);
    let end = text.rfind('}').map_or(text.len(), |e| e + 1);
    serde_json::from_str(&text[start..end]).unwrap_or(Value::Null)
}

fn median_and_max(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(nats_server), Some(console_bin)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: jetstream_bench <nats-server> <nats-console> [messages] [payload bytes]");
        std::process::exit(2);
    };
    let messages: u64 = args
        .get(3)
        .and_then(|m| m.parse().ok())
        .unwrap_or(1_000_000);
    let payload: usize = args.get(4).and_then(|m| m.parse().ok()).unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("nats-console-jsbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a work folder");

    // an operator, its system account, and APP with JetStream (made for this benchmark only)
    let operator = key(KeyType::Operator);
    let sys = key(KeyType::Account);
    let app = key(KeyType::Account);
    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "BENCH".into();
    op.nats.system_account = sys.public_key();
    let operator_jwt = op.encode(&operator, now() - 60).expect("operator");
    let mut sys_claims = AccountClaims::new(sys.public_key());
    sys_claims.name = "SYS".into();
    let sys_jwt = sys_claims.encode(&operator, now() - 60).expect("sys");
    let mut app_claims = AccountClaims::new(app.public_key());
    app_claims.name = "APP".into();
    app_claims.nats.limits.jetstream.memory_storage = -1;
    app_claims.nats.limits.jetstream.disk_storage = -1;
    let app_jwt = app_claims.encode(&operator, now() - 60).expect("app");
    let creds = |account: &KeyPair| {
        let user = key(KeyType::User);
        let jwt = UserClaims::new(user.public_key())
            .encode(account, now() - 60)
            .expect("user");
        nats_auth::creds::format_user_creds(&jwt, &user.seed().expect("seed")).expect("creds")
    };
    std::fs::write(dir.join("operator.jwt"), &operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), creds(&sys)).unwrap();

    let (http_port, nats_port) = (free_port(), free_port());
    let _console = start(
        Path::new(console_bin),
        &[
            "-dir",
            dir.join("jwt").to_str().unwrap(),
            "-operator",
            dir.join("operator.jwt").to_str().unwrap(),
            "-nats",
            &format!("nats://127.0.0.1:{nats_port}"),
            "-creds",
            dir.join("sys.creds").to_str().unwrap(),
            "-hp",
            &format!("127.0.0.1:{http_port}"),
        ],
        dir.join("console.log"),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while TcpStream::connect(("127.0.0.1", http_port)).is_err() {
        assert!(Instant::now() < deadline, "the console did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    for (account, jwt) in [(&sys, &sys_jwt), (&app, &app_jwt)] {
        let path = format!("/jwt/v1/accounts/{}", account.public_key());
        assert_eq!(http(http_port, "POST", &path, "", jwt).0, 200);
    }
    let config = format!(
        "listen: 127.0.0.1:{nats_port}\nserver_name: bench\njetstream {{ store_dir: \"{}\" }}\noperator: {operator_jwt}\nsystem_account: {}\nresolver: URL(http://127.0.0.1:{http_port}/jwt/v1/accounts/)\n",
        dir.join("js").display(),
        sys.public_key()
    );
    std::fs::write(dir.join("nats-server.conf"), config).unwrap();
    let _server = start(
        Path::new(nats_server),
        &["-c", dir.join("nats-server.conf").to_str().unwrap()],
        dir.join("nats-server.log"),
    );
    let client = loop {
        let options = async_nats::ConnectOptions::with_credentials(&creds(&app)).expect("creds");
        if let Ok(c) = options.connect(format!("127.0.0.1:{nats_port}")).await {
            break c;
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(15),
            "nats-server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // the stream, filled with core publishes (fast), then waited for
    let create = json!({"name":"BIG","subjects":["big.>"],"storage":"file","retention":"limits"});
    client
        .request("$JS.API.STREAM.CREATE.BIG", create.to_string().into())
        .await
        .expect("the stream");
    // filled with JetStream publishes, 1 000 in flight at a time (each acknowledged: core
    // publishes faster than the stream stores them would be dropped)
    // random payloads, each its own: the snapshot (s2-compressed) is as big as the stream
    let random = |n: usize| {
        let mut b = vec![0u8; n];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        bytes::Bytes::from(b)
    };
    let fill = Instant::now();
    let mut sent = 0u64;
    while sent < messages {
        let batch = (messages - sent).min(1000);
        let acks = (sent..sent + batch).map(|i| {
            let client = client.clone();
            let body = random(payload);
            async move { client.request(format!("big.{}", i % 100), body).await }
        });
        for ack in futures_util::future::join_all(acks).await {
            ack.expect("stored");
        }
        sent += batch;
    }
    println!(
        "stream BIG: {messages} messages of {payload} bytes stored in {:.1} s",
        fill.elapsed().as_secs_f64()
    );

    // a team session of APP, signed here as the browser would
    let (_, _, key_body) = http(http_port, "POST", "/api/v1/session/key", "", "");
    let session_key = json_of(&key_body)["key"].as_str().unwrap().to_string();
    let mut session = UserClaims::new(session_key);
    session.name = "bench".into();
    session.expires = now() + 3600;
    let jwt = session.encode(&app, now() - 5).expect("session JWT");
    let mut stream = TcpStream::connect(("127.0.0.1", http_port)).unwrap();
    let body = json!({ "jwt": jwt }).to_string();
    write!(stream, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let base = format!("/api/v1/jetstream/{}", app.public_key());
    let deadline = Instant::now() + Duration::from_secs(15);
    while json_of(&http(http_port, "GET", &base, &cookie, "").2)["nats"] != "connected" {
        assert!(Instant::now() < deadline, "the session did not connect");
        std::thread::sleep(Duration::from_millis(100));
    }

    // browsing: the first page and page 1000
    for (what, seq) in [("page 1", 1u64), ("page 1000", 999 * 25 + 1)] {
        let path = format!("{base}/streams/BIG/messages?seq={seq}&limit=25");
        let mut samples = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let (status, _, body) = http(http_port, "GET", &path, &cookie, "");
            samples.push(started.elapsed());
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            assert_eq!(
                json_of(&body)["messages"].as_array().map(Vec::len),
                Some(25)
            );
        }
        let (median, max) = median_and_max(samples);
        println!(
            "browse {what} of {messages}: median {:.1} ms, max {:.1} ms",
            median.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        );
    }

    // snapshot: directly, then through the console (same stream, same run), twice each
    for round in 0..2 {
        let started = Instant::now();
        let inbox = client.new_inbox();
        let mut chunks = client.subscribe(inbox.clone()).await.expect("subscribed");
        let request = json!({"deliver_subject": inbox, "chunk_size": 128 * 1024, "window_size": 4 * 1024 * 1024});
        let answer = client
            .request("$JS.API.STREAM.SNAPSHOT.BIG", request.to_string().into())
            .await
            .expect("snapshot");
        assert!(!String::from_utf8_lossy(&answer.payload).contains("\"error\""));
        let mut direct = 0usize;
        while let Some(m) = chunks.next().await {
            if m.status.is_some() || m.payload.is_empty() {
                break;
            }
            direct += m.payload.len();
            if let Some(reply) = m.reply {
                client.publish(reply, "".into()).await.expect("acked");
            }
        }
        let direct_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (status, through, _) = http(
            http_port,
            "GET",
            &format!("{base}/streams/BIG/snapshot"),
            &cookie,
            "",
        );
        let console_s = started.elapsed().as_secs_f64();
        assert_eq!(status, 200);
        let mb = |bytes: usize, s: f64| bytes as f64 / 1e6 / s;
        println!(
            "snapshot round {}: direct {:.1} MB in {:.2} s = {:.0} MB/s; through the console {:.1} MB in {:.2} s = {:.0} MB/s ({:.0} %)",
            round + 1,
            direct as f64 / 1e6,
            direct_s,
            mb(direct, direct_s),
            through as f64 / 1e6,
            console_s,
            mb(through, console_s),
            100.0 * mb(through, console_s) / mb(direct, direct_s)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
