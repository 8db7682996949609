//! The servers the console has heard from (by id; a name seen under a new id is a restart): what a cluster-wide request waits for, and how a
//! server that stops answering is named as missing (down) until it answers again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A server silent this long is forgotten (no longer reported missing).
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Servers remembered at most.
const MAX_SERVERS: usize = 1024;

#[derive(Clone)]
struct Known {
    name: String,
    last_seen: Instant,
}

/// How often a request waits the full quiet gap to find servers not seen before.
const DISCOVER_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct KnownServers(Mutex<HashMap<String, Known>>, Mutex<Option<Instant>>);

impl KnownServers {
    /// Records that the server `id` named `name` answered just now.
    pub fn saw(&self, id: &str, name: &str) {
        if id.is_empty() {
            return;
        }
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // a restarted server has a new id under its old name: the old id is gone, not down
        known.retain(|known_id, k| {
            now.duration_since(k.last_seen) < FORGET_AFTER
                && (name.is_empty() || k.name != name || known_id == id)
        });
        if known.len() >= MAX_SERVERS && !known.contains_key(id) {
            return;
        }
        known.insert(
            id.to_string(),
            Known {
                name: name.to_string(),
                last_seen: now,
            },
        );
    }

    /// Should this request wait for newcomers (a full quiet gap) rather than end once the known
    /// servers answered? True at most once per [`DISCOVER_EVERY`], and while none is known.
    pub fn discovery_due(&self) -> bool {
        let mut last = self.1.lock().unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= DISCOVER_EVERY) || self.ids().is_empty();
        if due {
            *last = Some(Instant::now());
        }
        due
    }

    /// The ids of every server heard from within the last hour.
    pub fn ids(&self) -> HashSet<String> {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        known
            .iter()
            .filter(|(_, k)| now.duration_since(k.last_seen) < FORGET_AFTER)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Is `id` a server still known (not replaced by a restart, not forgotten)?
    pub fn contains(&self, id: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(id)
    }

    /// The name a server id was last seen with (the id when it was never seen).
    pub fn name_of(&self, id: &str) -> String {
        let known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        known
            .get(id)
            .map_or_else(|| id.to_string(), |k| k.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_servers_by_id_with_their_latest_name() {
        let known = KnownServers::default();
        known.saw("NA", "a");
        known.saw("NB", "b");
        known.saw("NA", "a2");
        known.saw("", "nameless");
        assert_eq!(known.ids(), HashSet::from(["NA".into(), "NB".into()]));
        assert_eq!(known.name_of("NA"), "a2");
        // restarted: a new id under the same name replaces the old one
        known.saw("NB2", "b");
        assert_eq!(known.ids(), HashSet::from(["NA".into(), "NB2".into()]));
        assert!(!known.contains("NB") && known.contains("NB2"));
        // the first request discovers, the next within 30 s does not
        assert!(known.discovery_due());
        assert!(!known.discovery_due());
        assert_eq!(known.name_of("NX"), "NX");
    }
}
