//! The audit log as the directory store's write-ahead log. Every account push or delete is in
//! the log (fsynced, group-committed) before the store's file changes, and its entry carries
//! the new JWT; the store then writes its file without an fsync of its own. Every second the
//! store is synced once (`syncfs`) and a checkpoint names the last entry whose change is surely
//! on disk. At start, the changes after the checkpoint are made again, in log order — after a
//! power loss, a file written after the last checkpoint may be missing, stale or empty.

use std::io::BufRead;
use std::path::Path;

use super::CHECKPOINT_FILE;

/// A store change recorded after the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Save { account: String, jwt: String },
    Delete { account: String },
}

/// The entry the checkpoint in `dir` names (0: none yet).
pub fn checkpoint(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join(CHECKPOINT_FILE))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

/// Records (durably) that every change up to entry `seq` is on disk.
pub fn write_checkpoint(dir: &Path, seq: u64) -> Result<(), crate::store::StoreError> {
    crate::store::write_file_atomically(&dir.join(CHECKPOINT_FILE), &format!("{seq}\n"))
}

/// The store changes the log at `log` records after the checkpoint, in log order.
pub fn changes_after(log: &Path, checkpoint: u64) -> std::io::Result<Vec<Change>> {
    let file = match std::fs::File::open(log) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut changes = Vec::new();
    // pushes whose store write failed after their entry (see `account.push-failed`)
    let mut failed = std::collections::HashSet::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        // entries up to the checkpoint are skipped without parsing them: a line starts with its seq
        let seq = line
            .strip_prefix("{\"seq\":")
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse::<u64>().ok());
        if seq.is_some_and(|s| s <= checkpoint) {
            continue;
        }
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry["action"] == "account.push-failed" {
            failed.extend(entry["details"]["entry"].as_u64());
            continue;
        }
        if entry["seq"].as_u64().unwrap_or(0) <= checkpoint || entry["outcome"] != "ok" {
            continue;
        }
        let account = entry["subject"].as_str().unwrap_or_default().to_string();
        let seq = entry["seq"].as_u64().unwrap_or(0);
        match entry["action"].as_str() {
            Some("account.pushed") => {
                if let Some(jwt) = entry["details"]["jwt"].as_str() {
                    let jwt = jwt.to_string();
                    changes.push((seq, Change::Save { account, jwt }));
                }
            }
            Some("account.deleted") => changes.push((seq, Change::Delete { account })),
            _ => {}
        }
    }
    Ok(changes
        .into_iter()
        .filter(|(seq, _)| !failed.contains(seq))
        .map(|(_, change)| change)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_after_the_checkpoint_are_replayed_in_order() {
        let dir = std::env::temp_dir().join(format!("write-ahead-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.jsonl");
        let lines = [
            r#"{"seq":1,"action":"account.pushed","subject":"A1","outcome":"ok","details":{"jwt":"j1"}}"#,
            r#"{"seq":2,"action":"session.signed-in","subject":"A1","outcome":"ok"}"#,
            r#"{"seq":3,"action":"account.pushed","subject":"A2","outcome":"ok","details":{"jwt":"j2"}}"#,
            r#"{"seq":4,"action":"account.deleted","subject":"A1","outcome":"ok"}"#,
            r#"{"seq":5,"action":"account.pushed","subject":"A3","outcome":"failed: disk full","details":{"jwt":"j3"}}"#,
            r#"{"seq":6,"action":"account.pushed","subject":"A4","outcome":"ok","details":{"jwt":"j4"}}"#,
            r#"{"seq":7,"action":"account.push-failed","subject":"A4","outcome":"disk full","details":{"entry":6}}"#,
        ];
        std::fs::write(&log, lines.join("\n") + "\n").unwrap();
        assert_eq!(checkpoint(&dir), 0);
        assert_eq!(changes_after(&log, 0).unwrap().len(), 3);
        write_checkpoint(&dir, 2).unwrap();
        assert_eq!(checkpoint(&dir), 2);
        assert_eq!(
            changes_after(&log, checkpoint(&dir)).unwrap(),
            vec![
                Change::Save {
                    account: "A2".into(),
                    jwt: "j2".into()
                },
                Change::Delete {
                    account: "A1".into()
                },
            ]
        );
    }
}
