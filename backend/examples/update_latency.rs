//! Benchmark: time from `POST /jwt/v1/accounts/<key>` to nats-server applying the update.
//! Each round connects a new user, pushes an account JWT that revokes it, and measures until
//! nats-server closes that user's connection (it does so when it applies the update).
//! Usage: update_latency <console http port> <nats url> <operator signing seed file> <account seed file> <account jwt file> <rounds>

use std::time::{Duration, Instant};

use nats_auth::jwt::{AnyClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, nats_url, signer_seed, account_seed, account_jwt, rounds] = args.as_slice()
    else {
        eprintln!("usage: update_latency <port> <nats url> <operator signer seed> <account seed> <account jwt> <rounds>");
        std::process::exit(2);
    };
    let signer = KeyPair::from_seed(std::fs::read_to_string(signer_seed).unwrap().trim()).unwrap();
    let account =
        KeyPair::from_seed(std::fs::read_to_string(account_seed).unwrap().trim()).unwrap();
    let AnyClaims::Account(mut account_claims) =
        nats_auth::jwt::decode(std::fs::read_to_string(account_jwt).unwrap().trim()).unwrap()
    else {
        panic!("not an account JWT")
    };
    let rounds: usize = rounds.parse().unwrap();
    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let user = KeyPair::new(KeyType::User, &mut rand_core::OsRng).unwrap();
        let now = unix_now();
        let user_jwt = UserClaims::new(user.public_key())
            .encode(&account, now - 5)
            .unwrap();
        let creds = nats_auth::creds::format_user_creds(&user_jwt, &user.seed().unwrap()).unwrap();
        let (closed_tx, mut closed_rx) = tokio::sync::mpsc::unbounded_channel();
        let client = async_nats::ConnectOptions::with_credentials(&creds)
            .unwrap()
            .max_reconnects(Some(0))
            .event_callback(move |event| {
                let closed_tx = closed_tx.clone();
                async move {
                    if matches!(
                        event,
                        async_nats::Event::Disconnected
                            | async_nats::Event::ServerError(_)
                            | async_nats::Event::Closed
                    ) {
                        let _ = closed_tx.send(Instant::now());
                    }
                }
            })
            .connect(nats_url.as_str())
            .await
            .unwrap();
        client.flush().await.unwrap();
        account_claims.revoke_at(&user.public_key(), now);
        let jwt = account_claims
            .encode(&signer, now + round as i64 + 1)
            .unwrap();
        let started = Instant::now();
        let status = post(port, &account.public_key(), &jwt).await;
        assert_eq!(status, 200, "POST answered {status}");
        let closed = tokio::time::timeout(Duration::from_secs(5), closed_rx.recv())
            .await
            .expect("nats-server did not apply the update within 5 s")
            .unwrap();
        latencies.push(closed.duration_since(started));
        drop(client);
    }
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "POST -> nats-server applied ({} rounds): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn post(port: &str, key: &str, jwt: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    let request = format!("POST /jwt/v1/accounts/{key} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{jwt}", jwt.len());
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    String::from_utf8_lossy(&response)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
