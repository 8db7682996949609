//! What nats-server's monitoring answers mean across a cluster, for the console's backend
//! (answers gathered over `$SYS`) and the browser (answers polled from each monitor port) alike:
//! one `connz` for the whole cluster: every server's connections, each marked with its server,
//! sorted the way nats-server sorts one server's list (same keys, same directions), then paged.
//! Each server was asked for `offset + limit` rows, so the merged page is exact. Go's times and
//! durations as they appear in those answers are read here too.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// connz sort keys (nats-server's `SortOpt`); `stop` and `reason` need closed connections.
pub const CONNZ_SORT_KEYS: [&str; 14] = [
    "cid",
    "start",
    "subs",
    "pending",
    "msgs_to",
    "msgs_from",
    "bytes_to",
    "bytes_from",
    "last",
    "idle",
    "uptime",
    "stop",
    "reason",
    "rtt",
];

/// The system account's event types the console follows (`cut` aside: where a feed lost some).
pub const EVENT_TYPES: [&str; 7] = [
    "connect",
    "disconnect",
    "auth_error",
    "statsz",
    "lameduck",
    "shutdown",
    "account_conns",
];

/// Merges the `connections` of every server's `data` (taken out of them) into one sorted page.
pub fn merge_connz(
    servers: &mut [Value],
    sort: &str,
    offset: u64,
    limit: u64,
) -> Map<String, Value> {
    let now = servers
        .iter()
        .filter_map(|s| rfc3339_nanos(s["data"]["now"].as_str()?))
        .max()
        .unwrap_or(0);
    let mut all = Vec::new();
    let mut total = 0;
    for server in servers.iter_mut() {
        let name = server["server"]["name"].clone();
        let id = server["server"]["id"].clone();
        let Some(data) = server.get_mut("data").and_then(Value::as_object_mut) else {
            continue;
        };
        total += data.get("total").and_then(Value::as_u64).unwrap_or(0);
        let Some(Value::Array(connections)) = data.remove("connections") else {
            continue;
        };
        for mut c in connections {
            if let Some(c) = c.as_object_mut() {
                c.insert("server".into(), name.clone());
                c.insert("server_id".into(), id.clone());
            }
            all.push((key(&c, sort, now), c));
        }
    }
    let descending = !matches!(sort, "cid" | "start" | "uptime" | "reason" | "idle");
    all.sort_by(|(ka, a), (kb, b)| {
        let order = ka.partial_cmp(kb).unwrap_or(Ordering::Equal);
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| tie(a, b))
    });
    let page: Vec<Value> = all
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(_, c)| c)
        .collect();
    let mut merged = Map::new();
    merged.insert("num_connections".into(), Value::from(page.len()));
    merged.insert("total".into(), Value::from(total));
    merged.insert("offset".into(), Value::from(offset));
    merged.insert("limit".into(), Value::from(limit));
    merged.insert("sort".into(), Value::from(sort));
    merged.insert("connections".into(), Value::Array(page));
    merged
}

/// What a connection is sorted by.
#[derive(PartialEq, PartialOrd)]
enum Key {
    Number(f64),
    Text(String),
}

fn key(c: &Value, sort: &str, now: i128) -> Key {
    let number = |field: &str| Key::Number(c[field].as_f64().unwrap_or(0.0));
    let time =
        |field: &str| Key::Number(c[field].as_str().and_then(rfc3339_nanos).unwrap_or(0) as f64);
    match sort {
        "start" => time("start"),
        "subs" => number("subscriptions"),
        "pending" => number("pending_bytes"),
        "msgs_to" => number("out_msgs"),
        "msgs_from" => number("in_msgs"),
        "bytes_to" => number("out_bytes"),
        "bytes_from" => number("in_bytes"),
        // idle: the longest idle first = the oldest activity first
        "last" | "idle" => time("last_activity"),
        "stop" => time("stop"),
        "reason" => Key::Text(c["reason"].as_str().unwrap_or("").to_string()),
        "rtt" => Key::Number(c["rtt"].as_str().and_then(go_duration_nanos).unwrap_or(0.0)),
        "uptime" => {
            let start = c["start"].as_str().and_then(rfc3339_nanos).unwrap_or(0);
            let end = c["stop"].as_str().and_then(rfc3339_nanos).unwrap_or(now);
            Key::Number((end - start) as f64)
        }
        _ => number("cid"),
    }
}

/// Equal keys keep a stable order: by server, then connection id.
fn tie(a: &Value, b: &Value) -> Ordering {
    let server = |c: &Value| c["server"].as_str().unwrap_or("").to_string();
    server(a)
        .cmp(&server(b))
        .then_with(|| c_id(a).cmp(&c_id(b)))
}

fn c_id(c: &Value) -> u64 {
    c["cid"].as_u64().unwrap_or(0)
}

/// Nanoseconds since 1970 of an RFC 3339 time as Go writes it (`2026-11-28T08:35:58.123Z`,
/// `…+01:00`).
pub fn rfc3339_nanos(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &text[19..];
    let mut nanos: i128 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let scaled = format!("{:0<9}", &fraction[..digits.min(9)]);
        nanos = scaled.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let h: i64 = rest.get(1..3)?.parse().ok()?;
            let m: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds as i128 * 1_000_000_000 + nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Nanoseconds of a Go duration string (`1.5ms`, `2m3s`, `512µs`, `0s`).
pub fn go_duration_nanos(text: &str) -> Option<f64> {
    let mut rest = text.trim();
    let negative = rest.starts_with('-');
    rest = rest.trim_start_matches(['-', '+']);
    if rest == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let value: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let units = rest
            .char_indices()
            .find(|(_, ch)| ch.is_ascii_digit() || *ch == '.')
            .map_or(rest.len(), |(i, _)| i);
        let scale = match &rest[..units] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * scale;
        rest = &rest[units..];
    }
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn server(name: &str, connections: Value) -> Value {
        json!({"server":{"name":name,"id":format!("N{name}")},
               "data":{"now":"2026-11-28T10:00:00Z","total":connections.as_array().unwrap().len(),"connections":connections}})
    }

    #[test]
    fn merges_every_server_then_sorts_and_pages() {
        let mut servers = vec![
            server(
                "a",
                json!([{"cid":1,"out_bytes":10},{"cid":2,"out_bytes":300}]),
            ),
            server(
                "b",
                json!([{"cid":1,"out_bytes":200},{"cid":7,"out_bytes":5}]),
            ),
        ];
        let merged = merge_connz(&mut servers, "bytes_to", 1, 2);
        let rows: Vec<(String, u64)> = merged["connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["server"].as_str().unwrap().into(),
                    c["cid"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(rows, vec![("b".into(), 1), ("a".into(), 1)]);
        assert_eq!(merged["total"], 4);
        assert!(servers[0]["data"].get("connections").is_none());

        let merged = merge_connz(&mut servers.clone(), "cid", 0, 10);
        assert_eq!(merged["connections"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn sorts_by_times_and_durations_as_nats_server() {
        let mut servers = vec![server(
            "a",
            json!([
                {"cid":1,"last_activity":"2026-11-28T09:00:00.5Z","rtt":"1.5ms","start":"2026-11-28T08:00:00Z"},
                {"cid":2,"last_activity":"2026-11-28T09:59:59.000000001Z","rtt":"900µs","start":"2026-11-28T09:00:00+01:00"},
                {"cid":3,"last_activity":"2026-11-28T09:30:00Z","rtt":"2m0s","start":"2026-11-28T07:00:00Z"}
            ]),
        )];
        let order = |sort: &str| -> Vec<u64> {
            merge_connz(&mut servers.clone(), sort, 0, 10)["connections"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["cid"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(order("last"), vec![2, 3, 1]);
        assert_eq!(order("idle"), vec![1, 3, 2]);
        assert_eq!(order("rtt"), vec![3, 1, 2]);
        // 09:00+01:00 is 08:00Z: the same start as cid 1, which then wins by cid
        assert_eq!(order("start"), vec![3, 1, 2]);
        assert_eq!(order("uptime"), vec![1, 2, 3]);
        let _ = &mut servers;
    }

    #[test]
    fn reads_go_times_and_durations() {
        assert_eq!(rfc3339_nanos("1970-01-01T00:00:01.5Z"), Some(1_500_000_000));
        assert_eq!(
            rfc3339_nanos("2000-03-01T01:00:00+01:00"),
            rfc3339_nanos("2000-03-01T00:00:00Z")
        );
        assert_eq!(rfc3339_nanos("2000-03-01"), None);
        assert_eq!(go_duration_nanos("1h2m3.5s"), Some(3_723.5e9));
        assert_eq!(go_duration_nanos("250µs"), Some(250e3));
        assert_eq!(go_duration_nanos("0s"), Some(0.0));
        assert_eq!(go_duration_nanos("3 parsecs"), None);
    }
}
