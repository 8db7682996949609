//! The nsc import's reader: any bytes as a zip (its entries, stored ones read as nsc files),
//! and as one file of each kind nsc keeps: never a panic, always within the bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nats_auth::nsc::{zip, NscEnvironment};

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = zip::entries(data) {
        assert!(entries.len() <= zip::MAX_ENTRIES);
        let stored: Vec<(&str, &[u8])> = entries
            .iter()
            .filter(|e| e.method == zip::Method::Stored && e.check(e.data).is_ok())
            .map(|e| (e.name.as_str(), e.data))
            .collect();
        let found = NscEnvironment::read(stored);
        let _ = found.operator();
        let _ = found.key_needs();
    }
    let found = NscEnvironment::read([
        ("o/o.jwt", data),
        ("keys/k.nk", data),
        ("creds/a/u.creds", data),
    ]);
    let _ = found.key_needs();
});
