use std::collections::BTreeMap;

/// Revokes every key issued before the given time.
pub const ALL_KEYS: &str = "*";

/// Public key (or `*`) → Unix seconds: JWTs about that key issued at or before the time are
/// revoked. Kept sorted, as Go writes maps.
pub type RevocationList = BTreeMap<String, i64>;

/// Go's `RevocationList.Revoke`: keeps the later of an existing and the new time.
pub fn revoke(list: &mut RevocationList, public_key: &str, at: i64) {
    let entry = list.entry(public_key.to_string()).or_insert(at);
    *entry = (*entry).max(at);
}

/// Go's `RevocationList.IsRevoked`: revoked when an entry for the key or for `*` is at or after
/// `issued_at`.
pub fn is_revoked(list: &RevocationList, public_key: &str, issued_at: i64) -> bool {
    [public_key, ALL_KEYS]
        .iter()
        .any(|k| list.get(*k).is_some_and(|&at| at >= issued_at))
}

/// Go's `MaybeCompact`: drops entries already covered by a later `*`.
pub fn compact(list: &mut RevocationList) {
    if let Some(&all) = list.get(ALL_KEYS) {
        list.retain(|k, at| k == ALL_KEYS || *at > all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn revocation_by_key_and_star() {
        let mut list = RevocationList::new();
        revoke(&mut list, "UA", 100);
        revoke(&mut list, "UA", 50);
        assert_eq!(list["UA"], 100);
        assert!(is_revoked(&list, "UA", 100));
        assert!(!is_revoked(&list, "UA", 101));
        revoke(&mut list, ALL_KEYS, 200);
        assert!(is_revoked(&list, "UB", 150));
        compact(&mut list);
        assert_eq!(list.len(), 1);
    }
}
