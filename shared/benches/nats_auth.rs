//! Throughput of the hot paths: seed decode, sign, verify, user JWT encode, JWT decode+verify.
//! Run: `cargo bench -p nats-auth` (bench/run prints a summary for the README).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use nats_auth::jwt::{self, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};

fn fixtures() -> (KeyPair, KeyPair, String) {
    let account = KeyPair::from_raw_seed(KeyType::Account, &[1; 32]).unwrap();
    let user = KeyPair::from_raw_seed(KeyType::User, &[2; 32]).unwrap();
    let token = user_claims(&user).encode(&account, 1_767_225_600).unwrap();
    (account, user, token)
}

/// A typical user: a name, a few permissions, an expiry.
fn user_claims(user: &KeyPair) -> UserClaims {
    let mut claims = UserClaims::new(user.public_key());
    claims.name = "alice".into();
    claims.expires = 4_102_444_800;
    claims.nats.limits.permissions.publish.allow = vec!["app.>".into(), "_INBOX.>".into()];
    claims.nats.limits.permissions.subscribe.allow = vec!["app.>".into(), "_INBOX.>".into()];
    claims.nats.limits.permissions.subscribe.deny = vec!["app.secret.>".into()];
    claims
}

fn bench(c: &mut Criterion) {
    let (account, user, token) = fixtures();
    let seed = account.seed().unwrap();
    let mut g = c.benchmark_group("nats-auth");
    g.throughput(Throughput::Elements(1));
    g.bench_function("seed decode", |b| {
        b.iter(|| KeyPair::from_seed(black_box(&seed)).unwrap())
    });
    g.bench_function("sign 64 B", |b| {
        b.iter(|| account.sign(black_box(&[7u8; 64])).unwrap())
    });
    let sig = account.sign(&[7u8; 64]).unwrap();
    g.bench_function("verify 64 B", |b| {
        b.iter(|| account.verify(black_box(&[7u8; 64]), &sig).unwrap())
    });
    let claims = user_claims(&user);
    g.bench_function("user JWT encode", |b| {
        b.iter(|| {
            black_box(claims.clone())
                .encode(&account, 1_767_225_600)
                .unwrap()
        })
    });
    let issuer = account.public_key();
    g.bench_function("public key decode", |b| {
        b.iter(|| KeyPair::from_public_key(black_box(&issuer)).unwrap())
    });
    let payload = token.split('.').nth(1).unwrap().to_string();
    let json = data_encoding::BASE64URL_NOPAD
        .decode(payload.as_bytes())
        .unwrap();
    g.bench_function("claims parse", |b| {
        b.iter(|| jwt::parse_claims(black_box(&json)).unwrap())
    });
    g.bench_function("JWT decode+verify", |b| {
        b.iter(|| jwt::decode(black_box(&token)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
