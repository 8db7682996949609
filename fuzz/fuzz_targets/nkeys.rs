//! Public keys and seeds as text: decoding never panics, and what decodes encodes back to
//! the same key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nats_auth::nkeys::{self, KeyPair};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pair) = KeyPair::from_seed(text) {
        let again = KeyPair::from_seed(&pair.seed().expect("a seed pair has a seed")).unwrap();
        assert_eq!(again.public_key(), pair.public_key());
    }
    if let Ok(pair) = KeyPair::from_public_key(text) {
        assert_eq!(pair.public_key(), text);
    }
    let _ = nkeys::is_valid_public_account_key(text);
    let _ = nkeys::is_valid_public_user_key(text);
    let _ = nkeys::is_valid_public_server_key(text);
    let _ = nats_auth::xkeys::XKey::from_seed(text);
    let _ = nats_auth::xkeys::XKey::from_public_key(text);
});
