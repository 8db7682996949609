//! Prints a deployment made for tests only (its seeds are test fixtures), as JSON: an operator
//! with a system account `SYS`, the accounts named on the command line (JetStream enabled), and
//! creds for `user@ACCOUNT` arguments. The browser tests (tests/e2e) start clusters from it.
//!
//! `test_deployment APP OTHER -- alice@APP bob@OTHER`

use nats_auth::jwt::{AccountClaims, OperatorClaims, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use serde_json::{json, Value};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        - 60
}

fn key(kind: KeyType) -> KeyPair {
    KeyPair::new(kind, &mut rand_core::OsRng).expect("a key")
}

fn account(operator: &KeyPair, name: &str, jetstream: bool) -> (KeyPair, Value) {
    let key = key(KeyType::Account);
    let mut claims = AccountClaims::new(key.public_key());
    claims.name = name.into();
    if jetstream {
        claims.nats.limits.jetstream.memory_storage = -1;
        claims.nats.limits.jetstream.disk_storage = -1;
    }
    let jwt = claims.encode(operator, now()).expect("an account JWT");
    let value = json!({ "name": name, "public": key.public_key(), "seed": key.seed().expect("seed"), "jwt": jwt });
    (key, value)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (names, users) = (&args[..split], args.get(split + 1..).unwrap_or(&[]));
    let operator = key(KeyType::Operator);
    let (sys, sys_value) = account(&operator, "SYS", false);
    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "TEST-OPS".into();
    op.nats.system_account = sys.public_key();
    let operator_jwt = op.encode(&operator, now()).expect("an operator JWT");
    let mut accounts = vec![(sys, sys_value)];
    for name in names {
        accounts.push(account(&operator, name, true));
    }
    let mut creds = serde_json::Map::new();
    let mut user_for = |user: &str, account: &KeyPair| {
        let key = key(KeyType::User);
        let mut claims = UserClaims::new(key.public_key());
        claims.name = user.into();
        let jwt = claims.encode(account, now()).expect("a user JWT");
        let text =
            nats_auth::creds::format_user_creds(&jwt, &key.seed().expect("seed")).expect("creds");
        creds.insert(
            user.into(),
            json!({ "public": key.public_key(), "creds": text }),
        );
    };
    user_for("sys", &accounts[0].0);
    for spec in users {
        let (user, account) = spec.split_once('@').unwrap_or((spec, "SYS"));
        match accounts.iter().find(|(_, v)| v["name"] == account) {
            Some((key, _)) => user_for(user, &key.clone()),
            None => {
                // an account nobody pushed: its users are refused (authentication errors)
                let (stranger, _) = self::account(&operator, account, false);
                user_for(user, &stranger);
            }
        }
    }
    let accounts: Vec<Value> = accounts.into_iter().map(|(_, v)| v).collect();
    println!(
        "{}",
        json!({ "operator_jwt": operator_jwt, "accounts": accounts, "users": creds })
    );
}
