//! The sharded directory store's index, made for a million accounts: which accounts exist and
//! the SHA-256 of each one's JWT (what the store hash nats-server's resolvers compare is made
//! of), its name and expiry (what the accounts list is searched by), not the JWTs, which stay in
//! their files (and the read cache, `pack.rs`). About 150 bytes an account instead of a kilobyte; a start
//! lists the folders only and learns the rest afterwards.

use std::collections::HashMap;
use std::sync::RwLock;

use super::pack::Packed;
use super::xor_digest_of;

#[derive(Debug, Default)]
pub(crate) struct LeanIndex(RwLock<Entries>);

#[derive(Debug, Default)]
struct Entries {
    /// Account key → what its JWT says, once read.
    map: HashMap<Box<str>, Option<Learned>>,
    /// XOR of the known digests.
    hash: [u8; 32],
    /// Accounts whose digest is not known yet (the hash is complete at 0).
    unknown: usize,
}

/// What the index keeps of an account's JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Learned {
    pub digest: [u8; 32],
    pub name: Box<str>,
    /// 0 when it does not expire.
    pub expires: i64,
    /// Where the store's read cache holds the JWT, if it does.
    pub packed: Option<Packed>,
}

impl Learned {
    fn of(jwt: &str, packed: Option<Packed>) -> Learned {
        let peek = nats_auth::jwt::peek(jwt.trim()).ok();
        Learned {
            digest: xor_digest_of(jwt),
            name: peek.as_ref().map_or("", |p| p.name.as_str()).into(),
            expires: peek.map_or(0, |p| p.expires),
            packed,
        }
    }
}

fn xor(hash: &mut [u8; 32], digest: &[u8; 32]) {
    hash.iter_mut().zip(digest).for_each(|(h, d)| *h ^= d);
}

impl LeanIndex {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Accounts found in the folders, their digests not read yet.
    pub fn with_keys(keys: Vec<String>) -> LeanIndex {
        let map: HashMap<Box<str>, Option<Learned>> = keys
            .into_iter()
            .map(|k| (k.into_boxed_str(), None))
            .collect();
        let unknown = map.len();
        LeanIndex(RwLock::new(Entries {
            map,
            hash: [0; 32],
            unknown,
        }))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.read().map.contains_key(key)
    }

    /// Where the read cache holds `key`'s JWT, if it does.
    pub fn packed(&self, key: &str) -> Option<Packed> {
        self.read().map.get(key)?.as_ref()?.packed
    }

    pub fn len(&self) -> usize {
        self.read().map.len()
    }

    /// Every account key, in order.
    pub fn keys(&self) -> Vec<Box<str>> {
        let mut keys: Vec<Box<str>> = self.read().map.keys().cloned().collect();
        keys.sort_unstable();
        keys
    }

    /// The accounts whose digest is still to be read.
    pub fn unknown_keys(&self) -> Vec<Box<str>> {
        self.read()
            .map
            .iter()
            .filter(|(_, d)| d.is_none())
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// `key` now holds `jwt` (a write, or a file found), cached at `packed`: the hash follows.
    pub fn set(&self, key: &str, jwt: &str, packed: Option<Packed>) {
        let learned = Learned::of(jwt, packed);
        let mut entries = self.write();
        let Entries { map, hash, unknown } = &mut *entries;
        xor(hash, &learned.digest);
        match map.get_mut(key) {
            Some(slot) => {
                match slot {
                    Some(old) => xor(hash, &old.digest),
                    None => *unknown -= 1,
                }
                *slot = Some(learned);
            }
            None => {
                map.insert(key.into(), Some(learned));
            }
        }
    }

    /// What `key`'s JWT says, as read at start, unless a write already set it.
    pub fn learn(&self, key: &str, jwt: &str, packed: Option<Packed>) {
        let learned = Learned::of(jwt, packed);
        let mut entries = self.write();
        let Entries { map, hash, unknown } = &mut *entries;
        if let Some(slot @ None) = map.get_mut(key) {
            xor(hash, &learned.digest);
            *slot = Some(learned);
            *unknown -= 1;
        }
    }

    /// Sets `key` to `jwt`; true when that changed it (a read-only store's refresh).
    pub fn changes(&self, key: &str, jwt: &str) -> bool {
        let digest = xor_digest_of(jwt);
        if self
            .read()
            .map
            .get(key)
            .is_some_and(|l| l.as_ref().is_some_and(|l| l.digest == digest))
        {
            return false;
        }
        self.set(key, jwt, None);
        true
    }

    /// Calls `each` with every account's key and what is known of it (`None`: not read yet).
    pub fn for_each(&self, mut each: impl FnMut(&str, Option<&Learned>)) {
        for (key, learned) in &self.read().map {
            each(key, learned.as_ref());
        }
    }

    /// `key`'s file is gone (or unreadable).
    pub fn remove(&self, key: &str) {
        let mut entries = self.write();
        let Entries { map, hash, unknown } = &mut *entries;
        match map.remove(key) {
            Some(Some(old)) => xor(hash, &old.digest),
            Some(None) => *unknown -= 1,
            None => {}
        }
    }

    /// The store hash; complete once every digest is known.
    pub fn hash(&self) -> ([u8; 32], bool) {
        let entries = self.read();
        (entries.hash, entries.unknown == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_complete_once_every_digest_is_known_and_follows_changes() {
        let full = |texts: &[&str]| {
            let mut h = [0u8; 32];
            texts.iter().for_each(|t| xor(&mut h, &xor_digest_of(t)));
            h
        };
        let index = LeanIndex::with_keys(vec!["A".into(), "B".into()]);
        assert_eq!(index.hash(), ([0; 32], false));
        index.learn("A", "a1", None);
        // a write before the digest was learnt: the later learning is ignored
        index.set("B", "b2", None);
        index.learn("B", "b1", None);
        assert_eq!(index.hash(), (full(&["a1", "b2"]), true));
        index.set("A", "a2", None);
        index.set("C", "c1", None);
        assert_eq!(index.hash(), (full(&["a2", "b2", "c1"]), true));
        index.remove("B");
        assert_eq!(index.hash(), (full(&["a2", "c1"]), true));
        assert_eq!(index.keys(), vec!["A".into(), "C".into()] as Vec<Box<str>>);
        assert_eq!(index.len(), 2);
        // an account removed before its digest was learnt leaves the hash complete
        let index = LeanIndex::with_keys(vec!["X".into()]);
        index.remove("X");
        assert_eq!(index.hash(), ([0; 32], true));
    }
}
