//! Benchmark data: an operator, N stored account JWTs, and M more for POSTing.
//! Usage: gen_accounts <dir> <stored> <to-post> [shard]
//! Writes <dir>/operator.jwt, <dir>/jwt/<KEY>.jwt (`shard`: <dir>/jwt/<KEY[-2:]>/<KEY>.jwt, as
//! the sharded directory store keeps them), <dir>/keys.txt and <dir>/posts.txt (KEY JWT),
//! and for the latency run a system account (sys.creds) and an account APP (app.seed, app.jwt)
//! with the operator's signing seed (signer.seed). Benchmark data only: these seeds are throwaway.

use std::io::Write;

use nats_auth::jwt::{AccountClaims, OperatorClaims};
use nats_auth::nkeys::{KeyPair, KeyType};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, stored, posts, shard) = match args.as_slice() {
        [_, dir, stored, posts, rest @ ..] if rest.len() <= 1 => (
            std::path::PathBuf::from(dir),
            stored.parse::<usize>().unwrap(),
            posts.parse::<usize>().unwrap(),
            rest.first().is_some_and(|s| s == "shard"),
        ),
        _ => {
            eprintln!("usage: gen_accounts <dir> <stored> <to-post> [shard]");
            std::process::exit(2);
        }
    };
    let rng = &mut rand_core::OsRng;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let operator = KeyPair::new(KeyType::Operator, rng).unwrap();
    let signer = KeyPair::new(KeyType::Operator, rng).unwrap();
    let sys = KeyPair::new(KeyType::Account, rng).unwrap();
    let app = KeyPair::new(KeyType::Account, rng).unwrap();
    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "BENCH".into();
    op.nats.signing_keys.push(signer.public_key());
    op.nats.system_account = sys.public_key();
    std::fs::create_dir_all(dir.join("jwt")).unwrap();
    std::fs::write(dir.join("operator.jwt"), op.encode(&operator, now).unwrap()).unwrap();
    std::fs::write(dir.join("signer.seed"), signer.seed().unwrap()).unwrap();
    for (key, name) in [(&sys, "sys"), (&app, "app")] {
        let mut claims = AccountClaims::new(key.public_key());
        claims.name = name.to_uppercase();
        let jwt = claims.encode(&signer, now - 60).unwrap();
        let folder = folder_of(&dir, &key.public_key(), shard);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{}.jwt", key.public_key())), &jwt).unwrap();
        std::fs::write(dir.join(format!("{name}.jwt")), &jwt).unwrap();
        std::fs::write(dir.join(format!("{name}.seed")), key.seed().unwrap()).unwrap();
    }
    let sys_user = KeyPair::new(KeyType::User, rng).unwrap();
    let sys_user_jwt = nats_auth::jwt::UserClaims::new(sys_user.public_key())
        .encode(&sys, now - 60)
        .unwrap();
    std::fs::write(
        dir.join("sys.creds"),
        nats_auth::creds::format_user_creds(&sys_user_jwt, &sys_user.seed().unwrap()).unwrap(),
    )
    .unwrap();
    // signing is the slow part: every core makes its share
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let made: Vec<(Vec<String>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (dir, signer) = (&dir, &signer);
                scope.spawn(move || {
                    let rng = &mut rand_core::OsRng;
                    let (mut keys, mut post_lines) = (Vec::new(), Vec::new());
                    for i in (t..stored + posts).step_by(threads) {
                        let account = KeyPair::new(KeyType::Account, rng).unwrap();
                        let key = account.public_key();
                        let mut claims = AccountClaims::new(key.clone());
                        claims.name = format!("account-{i}");
                        claims.nats.limits.conn = 100;
                        let jwt = claims.encode(signer, now - 60).unwrap();
                        if i < stored {
                            let folder = folder_of(dir, &key, shard);
                            std::fs::create_dir_all(&folder).unwrap();
                            std::fs::write(folder.join(format!("{key}.jwt")), &jwt).unwrap();
                            keys.push(key);
                        } else {
                            post_lines.push(format!("{key} {jwt}"));
                        }
                    }
                    (keys, post_lines)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut keys = std::io::BufWriter::new(std::fs::File::create(dir.join("keys.txt")).unwrap());
    let mut post_lines =
        std::io::BufWriter::new(std::fs::File::create(dir.join("posts.txt")).unwrap());
    for (made_keys, made_posts) in made {
        made_keys
            .iter()
            .for_each(|k| writeln!(keys, "{k}").unwrap());
        made_posts
            .iter()
            .for_each(|p| writeln!(post_lines, "{p}").unwrap());
    }
}

/// Where a store keeps an account's file: `jwt/`, or `jwt/<last two characters>/` sharded.
fn folder_of(dir: &std::path::Path, key: &str, shard: bool) -> std::path::PathBuf {
    if shard {
        dir.join("jwt").join(&key[key.len() - 2..])
    } else {
        dir.join("jwt")
    }
}
