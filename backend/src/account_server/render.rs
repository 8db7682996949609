//! Text renderings: `?decode=true` and the help page.

use serde::Serialize;
use serde_json::Value;

pub const HELP: &str = "\
NATS Console account server (compatible with nats-account-server)

GET  /jwt/v1/accounts/<account public key>   the account's JWT (application/jwt)
       ?text=true     as text/plain
       ?decode=true   header and claims as indented JSON, then the signature
       ?check=true    404 if the JWT has expired
       ?notify=true   also announce the JWT to NATS ($SYS.ACCOUNT.<key>.CLAIMS.UPDATE)
POST /jwt/v1/accounts/<account public key>   store an account JWT signed by the operator
GET  /jwt/v1/operator                         the operator JWT (text and decode work too)
GET  /jwt/v1/pack?max=N                       every account as <key>|<jwt> lines
GET  /jwt/v1/accounts/                        200: the probe nats-server sends at start
GET  /healthz                                 200 while the server runs

Configure nats-server with:  resolver: URL(http://<host>:<port>/jwt/v1/accounts/)
";

/// NAS's `?decode=true`: header JSON, `\r\n`, claims JSON (import tokens decoded inline; `iat`
/// and `exp` followed by their date), `\r\n`, the signature.
pub fn decoded(jwt: &str) -> Result<String, String> {
    let mut parts = jwt.split('.');
    let (Some(header), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("expected 3 chunks".into());
    };
    let header = json_segment(header)?;
    let mut claims = json_segment(payload)?;
    if let Some(imports) = claims
        .pointer_mut("/nats/imports")
        .and_then(Value::as_array_mut)
    {
        for import in imports {
            if let Some(token) = import.get("token").and_then(Value::as_str) {
                let inner = token.split('.').nth(1).and_then(|p| json_segment(p).ok());
                if let Some(inner) = inner {
                    import["token"] = inner;
                }
            }
        }
    }
    Ok(format!(
        "{}\r\n{}\r\n{signature}",
        pretty(&header)?,
        annotate_dates(&pretty(&claims)?)
    ))
}

fn json_segment(segment: &str) -> Result<Value, String> {
    let bytes = nats_auth::jwt::segment::decode(segment).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

fn pretty(value: &Value) -> Result<String, String> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// `"iat": 1767225600,` → `"iat": 1767225600 (2026-01-01),`
fn annotate_dates(json: &str) -> String {
    json.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let is_date = trimmed.starts_with("\"iat\": ") || trimmed.starts_with("\"exp\": ");
            let number = trimmed.split(": ").nth(1).map(|v| v.trim_end_matches(','));
            match (is_date, number.and_then(|n| n.parse::<i64>().ok())) {
                (true, Some(unix)) => {
                    let comma = if line.ends_with(',') { "," } else { "" };
                    format!(
                        "{} ({}){comma}",
                        line.trim_end_matches(','),
                        crate::time::date(unix)
                    )
                }
                _ => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
