//! The audit log's hash chain: each line's `prev` is the SHA-256 (hex) of the line before it,
//! the first one's is [`GENESIS`], and `seq` counts from 1. Checked by `nats-console audit verify`.

use std::io::BufRead;

use sha2::{Digest, Sha256};

use super::Head;

/// What the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lines longer than this are not audit entries (entries cut their details at 16 KiB).
const MAX_LINE: usize = 1 << 20;

/// SHA-256 of a line's bytes (without its newline), in lower-case hex.
pub fn line_hash(line: &[u8]) -> String {
    Sha256::digest(line)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the chain breaks: the first line (1-based) that is not what the chain says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct Broken {
    pub line: u64,
    pub reason: String,
}

/// Checks every line of a log; returns its head, or the first broken line.
#[cfg(test)]
pub fn verify(reader: impl BufRead) -> Result<Head, Broken> {
    verify_with(reader, |_| {})
}

/// [`verify`], calling `each` with the head after every line (to find a pinned hash).
pub fn verify_with(reader: impl BufRead, mut each: impl FnMut(&Head)) -> Result<Head, Broken> {
    let mut head = Head::default();
    let mut reader = reader;
    let mut line = Vec::new();
    loop {
        line.clear();
        let at = head.seq + 1;
        let broken = |reason: String| Broken { line: at, reason };
        let n = std::io::Read::take(&mut reader, MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| broken(format!("cannot read: {e}")))?;
        if n == 0 {
            return Ok(head);
        }
        if line.last() != Some(&b'\n') {
            return Err(broken(if n > MAX_LINE {
                "longer than 1 MiB: not an audit entry".into()
            } else {
                "unfinished (no newline at the end)".into()
            }));
        }
        let text = &line[..n - 1];
        let entry: serde_json::Value =
            serde_json::from_slice(text).map_err(|e| broken(format!("not a JSON entry: {e}")))?;
        let seq = entry.get("seq").and_then(|s| s.as_u64());
        if seq != Some(at) {
            return Err(broken(format!(
                "seq is {}, expected {at} (a line was removed, added or moved)",
                seq.map_or("missing".to_string(), |s| s.to_string())
            )));
        }
        let prev = entry.get("prev").and_then(|p| p.as_str()).unwrap_or("");
        if prev != head.hash {
            return Err(broken(format!(
                "prev is {prev:.16}…, but the line before hashes to {:.16}… (the line before was changed)",
                head.hash
            )));
        }
        head = Head {
            seq: at,
            hash: line_hash(text),
        };
        each(&head);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `n` lines, as the writer makes them.
    fn chain(n: u64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut prev = GENESIS.to_string();
        for seq in 1..=n {
            let line = format!(r#"{{"seq":{seq},"time":"t","prev":"{prev}","action":"a{seq}"}}"#);
            prev = line_hash(line.as_bytes());
            lines.push(line);
        }
        lines
    }

    fn check(lines: &[String]) -> Result<Head, Broken> {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        verify(text.as_bytes())
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let lines = chain(5);
        let head = check(&lines).unwrap();
        assert_eq!(head.seq, 5);
        assert_eq!(head.hash, line_hash(lines[4].as_bytes()));
        assert_eq!(check(&[]).unwrap(), Head::default());
    }

    #[test]
    fn an_edited_line_breaks_the_chain_at_the_next() {
        let mut lines = chain(5);
        lines[2] = lines[2].replace("a3", "a9");
        assert_eq!(check(&lines).unwrap_err().line, 4);
    }

    #[test]
    fn a_removed_line_is_found() {
        let mut lines = chain(5);
        lines.remove(1);
        let broken = check(&lines).unwrap_err();
        assert_eq!(broken.line, 2);
        assert!(broken.reason.contains("seq is 3"), "{broken}");
    }

    #[test]
    fn reordered_lines_are_found() {
        let mut lines = chain(5);
        lines.swap(1, 2);
        assert_eq!(check(&lines).unwrap_err().line, 2);
    }

    #[test]
    fn garbage_and_unfinished_lines_are_named() {
        let mut lines = chain(2);
        lines.push("not json".into());
        assert_eq!(check(&lines).unwrap_err().line, 3);
        let text = format!("{}\n{{\"seq\":2", chain(1)[0]);
        let broken = verify(text.as_bytes()).unwrap_err();
        assert_eq!(
            (broken.line, broken.reason.contains("unfinished")),
            (2, true)
        );
    }
}
