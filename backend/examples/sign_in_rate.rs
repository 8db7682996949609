//! Benchmark: sign-ins per second and their latency, each one as the browser does it: ask the
//! console for a sign-in key, sign a session JWT for it (here, as the web app does in WASM),
//! post it; the console checks it with nats-auth and opens a session.
//! Usage: sign_in_rate <console http port> <account seed file> <sign-ins> <concurrency>

use std::sync::Arc;
use std::time::{Duration, Instant};

use nats_auth::nkeys::KeyPair;

#[path = "support/console_http.rs"]
mod console_http;
use console_http::{request, sign_in};

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
