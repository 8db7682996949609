//! The same work as `shared/benches/nats_auth.rs`, callable from a page: each function runs `n`
//! iterations and returns a checksum so that nothing is optimised away. The page times them.

use nats_auth::jwt::{self, UserClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use wasm_bindgen::prelude::wasm_bindgen;

fn account() -> KeyPair {
    KeyPair::from_raw_seed(KeyType::Account, &[1; 32]).unwrap()
}

fn user_claims(user: &KeyPair) -> UserClaims {
    let mut claims = UserClaims::new(user.public_key());
    claims.name = "alice".into();
    claims.expires = 4_102_444_800;
    claims.nats.limits.permissions.publish.allow = vec!["app.>".into(), "_INBOX.>".into()];
    claims.nats.limits.permissions.subscribe.allow = vec!["app.>".into(), "_INBOX.>".into()];
    claims.nats.limits.permissions.subscribe.deny = vec!["app.secret.>".into()];
    claims
}

/// Encodes `n` user JWTs (one fixed user, as the native bench).
#[wasm_bindgen]
pub fn encode_user_jwts(n: u32) -> usize {
    let account = account();
    let user = KeyPair::from_raw_seed(KeyType::User, &[2; 32]).unwrap();
    let claims = user_claims(&user);
    (0..n)
        .map(|_| {
            claims
                .clone()
                .encode(&account, 1_767_225_600)
                .unwrap()
                .len()
        })
        .sum()
}

/// Decodes and verifies one user JWT `n` times.
#[wasm_bindgen]
pub fn decode_user_jwts(n: u32) -> usize {
    let account = account();
    let user = KeyPair::from_raw_seed(KeyType::User, &[2; 32]).unwrap();
    let token = user_claims(&user).encode(&account, 1_767_225_600).unwrap();
    (0..n)
        .map(|_| jwt::decode(&token).unwrap().subject().len())
        .sum()
}

/// Mints `n` new users end to end: a fresh key from the browser's randomness, the JWT, the creds.
#[wasm_bindgen]
pub fn mint_user_creds(n: u32) -> usize {
    let account = account();
    let mut rng = rand_core_rng();
    (0..n)
        .map(|_| {
            let user = KeyPair::new(KeyType::User, &mut rng).unwrap();
            let token = user_claims(&user).encode(&account, 1_767_225_600).unwrap();
            nats_auth::creds::format_user_creds(&token, &user.seed().unwrap())
                .unwrap()
                .len()
        })
        .sum()
}

fn rand_core_rng() -> nats_auth::OsRng {
    nats_auth::OsRng
}
