//! HTTP to a console for the benchmark examples: one request per connection, and a sign-in
//! made as the web app makes it.

use nats_auth::jwt::UserClaims;
use nats_auth::nkeys::KeyPair;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Signs in; returns the session cookie.
pub async fn sign_in(port: u16, account: &KeyPair) -> String {
    let (status, body) = request(port, "POST", "/api/v1/session/key", "", None).await;
    assert_eq!(status, 200, "session key: {body}");
    let key: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut claims = UserClaims::new(key["key"].as_str().unwrap());
    claims.name = "bench".into();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    claims.expires = now + 600;
    let jwt = claims.encode(account, now).unwrap();
    let body = serde_json::json!({ "jwt": jwt }).to_string();
    let (status, answer) = request(port, "POST", "/api/v1/session", &body, None).await;
    assert_eq!(status, 200, "sign-in: {answer}");
    answer
}

/// One request on a new connection; returns the status and, for a sign-in, the cookie (else the body).
pub async fn request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let session_cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next());
    let body = match session_cookie {
        Some(cookie) if path == "/api/v1/session" => cookie.to_string(),
        _ => text.split("\r\n\r\n").nth(1).unwrap_or("").to_string(),
    };
    (status, body)
}
