//! Benchmark: sign-ins per second and their latency, each one as the browser does it: ask the
//! console for a sign-in key, sign a session JWT for it (here, as the web app does in WASM),
//! post it; the console checks it with nats-auth and opens a session.
//! Usage: sign_in_rate <console http port> <account seed file> <sign-ins> <concurrency>

use std::sync::Arc;
use std::time::{Duration, Instant};

use nats_auth::jwt::UserClaims;
use nats_auth::nkeys::KeyPair;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, account_seed, total, concurrency] = args.as_slice() else {
        eprintln!("usage: sign_in_rate <port> <account seed file> <sign-ins> <concurrency>");
        std::process::exit(2);
    };
    let account = Arc::new(
        KeyPair::from_seed(std::fs::read_to_string(account_seed).unwrap().trim()).unwrap(),
    );
    let total: usize = total.parse().unwrap();
    let concurrency: usize = concurrency.parse().unwrap();
    let port: u16 = port.parse().unwrap();
    let started = Instant::now();
    let per_task = total / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let account = account.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    let cookie = sign_in(port, &account).await;
                    latencies.push(t.elapsed());
                    // not timed: keeps the console under its session limit across runs
                    let (status, _) =
                        request(port, "DELETE", "/api/v1/session", "", Some(&cookie)).await;
                    assert_eq!(status, 204, "sign-out");
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "sign-ins (key + JWT check + session), {} with {concurrency} at once: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3
    );
}

/// Signs in; returns the session cookie.
async fn sign_in(port: u16, account: &KeyPair) -> String {
    let (status, body) = request(port, "POST", "/api/v1/session/key", "", None).await;
    assert_eq!(status, 200, "session key: {body}");
    let key: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut claims = UserClaims::new(key["key"].as_str().unwrap());
    claims.name = "bench".into();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    claims.expires = now + 600;
    let jwt = claims.encode(account, now).unwrap();
    let body = serde_json::json!({ "jwt": jwt }).to_string();
    let (status, answer) = request(port, "POST", "/api/v1/session", &body, None).await;
    assert_eq!(status, 200, "sign-in: {answer}");
    answer
}

/// One request on a new connection; returns the status and, for a sign-in, the cookie (else the body).
async fn request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let session_cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next());
    let body = match session_cookie {
        Some(cookie) if path == "/api/v1/session" => cookie.to_string(),
        _ => text.split("\r\n\r\n").nth(1).unwrap_or("").to_string(),
    };
    (status, body)
}
