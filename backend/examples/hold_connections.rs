//! Opens N NATS client connections with a creds file, round robin over the given servers, and
//! holds them until killed (the monitoring benchmark's load). Prints one line when all are open.
//!
//! `hold_connections CREDS N nats://a:4222 nats://b:4222 …`

use std::time::Instant;

use futures_util::{stream, StreamExt};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [creds, count, servers @ ..] = args.as_slice() else {
        eprintln!("usage: hold_connections CREDS N URL…");
        std::process::exit(2);
    };
    let creds = std::fs::read_to_string(creds).expect("the creds file");
    let count: usize = count.parse().expect("a count");
    let started = Instant::now();
    let clients: Vec<async_nats::Client> = stream::iter(0..count)
        .map(|i| {
            let (creds, url) = (creds.clone(), servers[i % servers.len()].clone());
            async move {
                async_nats::ConnectOptions::with_credentials(&creds)
                    .expect("creds")
                    .name(format!("load-{i}"))
                    .connect(url)
                    .await
                    .expect("a connection")
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    println!(
        "{} client connections open in {:.1} s",
        clients.len(),
        started.elapsed().as_secs_f64()
    );
    std::future::pending::<()>().await;
}
