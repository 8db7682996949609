//! JWTs and claims JSON from outside: decode, validate and the chain check never panic or
//! hang, whatever the token or payload holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nats_auth::chain::{self, Trust};
use nats_auth::jwt;

const NOW: i64 = 1_767_225_600;

fuzz_target!(|data: &[u8]| {
    // the payload as claims JSON (what decode reads after base64)
    if let Ok(claims) = jwt::parse_claims(data) {
        let _ = claims.validate(NOW);
    }
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jwt::decode_header(token);
    if let Ok(claims) = jwt::decode(token) {
        let _ = claims.validate(NOW);
    }
    let verdict = chain::check(token, Trust { operator: None, account: None }, NOW);
    let _ = verdict.reason;
});
