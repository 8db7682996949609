//! `.creds` files (and any decorated text): parsing never panics, and a seed it finds is a
//! user seed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nats_auth::creds;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = creds::parse_decorated_jwt(text);
    let _ = creds::parse_decorated_seed(text);
    if let Ok(pair) = creds::parse_decorated_user_key(text) {
        assert_eq!(pair.key_type(), nats_auth::nkeys::KeyType::User);
    }
});
