//! A replica's link to its primary account server (`primary: http://host:port`): the pack
//! imported at start, and accounts fetched on a miss or when an hour has passed since they were
//! last fetched. Everything fetched is verified and stored through the one write path, so a
//! replica serves from its own disk when the primary is down.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a fetched account is served before the primary is asked again.
const FRESH_FOR: Duration = Duration::from_secs(3600);
/// A primary's answer larger than this is refused (a pack of 10 000 accounts fits).
const MAX_RESPONSE: usize = 64 << 20;

pub struct Primary {
    /// `host:port` of the primary.
    authority: String,
    /// The URL as configured, for messages.
    pub url: String,
    timeout: Duration,
    fetched: Mutex<HashMap<String, Instant>>,
}

impl Primary {
    /// Accepts `http://host:port[/]` (the form NAS documents).
    pub fn new(url: &str, timeout: Duration) -> Result<Primary, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("primary {url:?}: expected http://host:port (https is not supported yet)")
        })?;
        let authority = rest.trim_end_matches('/').to_string();
        if authority.is_empty() || authority.contains('/') {
            return Err(format!("primary {url:?}: expected http://host:port"));
        }
        Ok(Primary {
            authority,
            url: url.trim_end_matches('/').to_string(),
            timeout,
            fetched: Mutex::new(HashMap::new()),
        })
    }

    pub fn is_fresh(&self, account: &str) -> bool {
        self.fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(account)
            .is_some_and(|at| at.elapsed() < FRESH_FOR)
    }

    pub fn mark_fetched(&self, account: &str) {
        self.fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account.to_string(), Instant::now());
    }

    /// `GET <primary>/jwt/v1/accounts/<key>`: `Ok(None)` on 404.
    pub async fn fetch_account(&self, account: &str) -> Result<Option<String>, String> {
        let (status, body) = self.get(&format!("/jwt/v1/accounts/{account}")).await?;
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            other => Err(format!("primary answered {other}: {}", body.trim())),
        }
    }

    /// `GET <primary>/jwt/v1/pack?max=N`: `(key, jwt)` pairs.
    pub async fn fetch_pack(&self, max: i64) -> Result<Vec<(String, String)>, String> {
        let (status, body) = self.get(&format!("/jwt/v1/pack?max={max}")).await?;
        if status != 200 {
            return Err(format!("primary answered {status}: {}", body.trim()));
        }
        Ok(body
            .lines()
            .filter_map(|l| l.split_once('|'))
            .map(|(k, j)| (k.to_string(), j.to_string()))
            .collect())
    }

    async fn get(&self, path: &str) -> Result<(u16, String), String> {
        tokio::time::timeout(self.timeout, self.get_now(path))
            .await
            .map_err(|_| {
                format!(
                    "primary {} did not answer within {:?}",
                    self.url, self.timeout
                )
            })?
    }

    async fn get_now(&self, path: &str) -> Result<(u16, String), String> {
        let mut stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("primary {}: {e}", self.url))?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: nats-console\r\n\r\n",
            self.authority
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        (&mut stream)
            .take(MAX_RESPONSE as u64 + 1)
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        if raw.len() > MAX_RESPONSE {
            return Err(format!(
                "primary {}: answer larger than {MAX_RESPONSE} bytes",
                self.url
            ));
        }
        parse_response(&raw).ok_or_else(|| format!("primary {}: not an HTTP answer", self.url))
    }
}

/// Status and body of an HTTP/1.1 response (plain or chunked).
fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut body = raw[split + 4..].to_vec();
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.contains("chunked"));
    if chunked {
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n")?;
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..end]).ok()?.trim(), 16).ok()?;
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(rest.get(end + 2..end + 2 + size)?);
            rest = rest.get(end + 4 + size..)?;
        }
        body = decoded;
    }
    Some((status, String::from_utf8(body).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_plain_and_chunked() {
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
            Some((200, "ok".into()))
        );
        assert_eq!(
            parse_response(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"),
            Some((200, "abc".into()))
        );
        assert!(Primary::new("https://x:1", Duration::from_secs(1)).is_err());
        assert_eq!(
            Primary::new("http://127.0.0.1:9090/", Duration::from_secs(1))
                .unwrap()
                .authority,
            "127.0.0.1:9090"
        );
    }
}
