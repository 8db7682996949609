//! Benchmark: how long `GET /api/v1/accounts` takes for a page of a large store, as the web
//! app's accounts page asks: the first page, a page deep in the store, and a search by name.
//! Usage: accounts_page_rate <console http port> <system account seed file> <requests>

use std::time::{Duration, Instant};

use nats_auth::nkeys::KeyPair;

#[path = "support/console_http.rs"]
mod console_http;
use console_http::{request, sign_in};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, seed, times] = args.as_slice() else {
        eprintln!("usage: accounts_page_rate <port> <system account seed file> <requests>");
        std::process::exit(2);
    };
    let port: u16 = port.parse().unwrap();
    let times: usize = times.parse().unwrap();
    let sys = KeyPair::from_seed(std::fs::read_to_string(seed).unwrap().trim()).unwrap();
    let cookie = sign_in(port, &sys).await;
    let (status, first) =
        request(port, "GET", "/api/v1/accounts?limit=50", "", Some(&cookie)).await;
    assert_eq!(status, 200, "{first}");
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    // a page after a key half-way through the key space, and a name gen_accounts gave
    let deep = "/api/v1/accounts?limit=50&after=AM";
    let search = "/api/v1/accounts?limit=50&q=account-4242";
    for (what, path) in [
        ("first page", "/api/v1/accounts?limit=50"),
        ("a page deep in the store", deep),
        ("a search by name", search),
    ] {
        let mut latencies = Vec::with_capacity(times);
        let mut total = 0;
        for _ in 0..times {
            let t = Instant::now();
            let (status, body) = request(port, "GET", path, "", Some(&cookie)).await;
            latencies.push(t.elapsed());
            assert_eq!(status, 200, "{body}");
            total = serde_json::from_str::<serde_json::Value>(&body).unwrap()["total"]
                .as_u64()
                .unwrap_or(0);
        }
        latencies.sort();
        let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{what}: {total} matching of {}; p50 {:.1} ms, p99 {:.1} ms ({times} requests)",
            first["total"],
            ms(pick(0.5)),
            ms(pick(0.99))
        );
    }
}
