//! Sealed `xkv1` boxes from outside: opening never panics, and nothing forged opens.
#![no_main]
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nats_auth::xkeys::XKey;

/// The recipient, the sender's public key, and a box the sender sealed for the recipient.
static KEYS: LazyLock<(XKey, String, Vec<u8>)> = LazyLock::new(|| {
    let recipient = XKey::from_raw_seed(&[7; 32]);
    let sender = XKey::from_raw_seed(&[9; 32]);
    let sealed = sender
        .seal_with_nonce(b"payload", &recipient.public_key(), &[1; 24])
        .unwrap();
    (recipient, sender.public_key(), sealed)
});

fuzz_target!(|data: &[u8]| {
    let (recipient, sender, sealed) = &*KEYS;
    let _ = recipient.open(data, sender);
    // the real box with its start overwritten by the fuzzer's bytes: opens only if unchanged
    if data.len() <= sealed.len() {
        let mut changed = sealed.clone();
        changed[..data.len()].copy_from_slice(data);
        if changed != *sealed {
            assert!(recipient.open(&changed, sender).is_err(), "a changed box opened");
        }
    }
});
