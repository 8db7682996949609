//! The HTTP query of a monitoring endpoint, as nats-server's monitor port takes it, turned into
//! the JSON options its `$SYS` request takes. The names differ (checked against nats-server's
//! `ConnzOptions`, `JSzOptions`, … and their `Handle…z` HTTP handlers); values are checked here
//! with the server's own rules, so a bad one is a 400 naming it before anything is sent.

use serde_json::{Map, Value};

/// Most connections one server is asked for (`offset + limit`); nats-server's default is 1 024.
pub const MAX_CONNZ_LIMIT: u64 = 10_000;
/// Deepest page asked for.
pub const MAX_OFFSET: u64 = 100_000;
/// Longest value of a text parameter.
const MAX_TEXT: usize = 256;

/// The monitoring endpoints the console asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Varz,
    Connz,
    Routez,
    Gatewayz,
    Leafz,
    Subsz,
    Accountz,
    Accstatz,
    Jsz,
    Healthz,
    Statsz,
    Idz,
}

impl Endpoint {
    pub fn parse(name: &str) -> Option<Endpoint> {
        Some(match name {
            "varz" => Endpoint::Varz,
            "connz" => Endpoint::Connz,
            "routez" => Endpoint::Routez,
            "gatewayz" => Endpoint::Gatewayz,
            "leafz" => Endpoint::Leafz,
            "subsz" => Endpoint::Subsz,
            "accountz" => Endpoint::Accountz,
            "accstatz" => Endpoint::Accstatz,
            "jsz" => Endpoint::Jsz,
            "healthz" => Endpoint::Healthz,
            "statsz" => Endpoint::Statsz,
            "idz" => Endpoint::Idz,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Varz => "varz",
            Endpoint::Connz => "connz",
            Endpoint::Routez => "routez",
            Endpoint::Gatewayz => "gatewayz",
            Endpoint::Leafz => "leafz",
            Endpoint::Subsz => "subsz",
            Endpoint::Accountz => "accountz",
            Endpoint::Accstatz => "accstatz",
            Endpoint::Jsz => "jsz",
            Endpoint::Healthz => "healthz",
            Endpoint::Statsz => "statsz",
            Endpoint::Idz => "idz",
        }
    }

    /// The last token of its `$SYS` request subject (accstatz is the accounts' `STATZ`).
    pub fn token(self) -> &'static str {
        match self {
            Endpoint::Varz => "VARZ",
            Endpoint::Connz => "CONNZ",
            Endpoint::Routez => "ROUTEZ",
            Endpoint::Gatewayz => "GATEWAYZ",
            Endpoint::Leafz => "LEAFZ",
            Endpoint::Subsz => "SUBSZ",
            Endpoint::Accountz => "ACCOUNTZ",
            Endpoint::Accstatz => "STATZ",
            Endpoint::Jsz => "JSZ",
            Endpoint::Healthz => "HEALTHZ",
            Endpoint::Statsz => "STATSZ",
            Endpoint::Idz => "IDZ",
        }
    }

    pub const ALL: [Endpoint; 12] = [
        Endpoint::Varz,
        Endpoint::Connz,
        Endpoint::Routez,
        Endpoint::Gatewayz,
        Endpoint::Leafz,
        Endpoint::Subsz,
        Endpoint::Accountz,
        Endpoint::Accstatz,
        Endpoint::Jsz,
        Endpoint::Healthz,
        Endpoint::Statsz,
        Endpoint::Idz,
    ];
}

/// How one HTTP parameter is read and where it goes.
#[derive(Clone, Copy)]
enum Kind {
    Bool(&'static str),
    /// `subs=1|0|detail` → `subscriptions` or `subscriptions_detail`.
    Subs,
    Int(&'static str, u64),
    Uint(&'static str),
    Text(&'static str),
    /// A subject with no wildcards (subsz's `test`).
    Subject(&'static str),
    /// connz `sort`.
    Sort,
    /// connz `state` open|closed|any → 0|1|2.
    State,
}

/// The HTTP parameters of each endpoint (nats-server's names) and their `$SYS` JSON names.
fn parameters(endpoint: Endpoint) -> &'static [(&'static str, Kind)] {
    use Kind::*;
    match endpoint {
        Endpoint::Connz => &[
            ("sort", Sort),
            ("auth", Bool("auth")),
            ("subs", Subs),
            ("offset", Int("offset", MAX_OFFSET)),
            ("limit", Int("limit", MAX_CONNZ_LIMIT)),
            ("cid", Uint("cid")),
            ("state", State),
            ("user", Text("user")),
            ("acc", Text("acc")),
            ("mqtt_client", Text("mqtt_client")),
            ("filter_subject", Subject("filter_subject")),
        ],
        Endpoint::Routez => &[("subs", Subs)],
        Endpoint::Gatewayz => &[
            ("subs", Subs),
            ("accs", Bool("accounts")),
            ("gw_name", Text("name")),
            ("acc_name", Text("account_name")),
        ],
        Endpoint::Leafz => &[("subs", Bool("subscriptions")), ("acc", Text("account"))],
        Endpoint::Subsz => &[
            ("subs", Bool("subscriptions")),
            ("offset", Int("offset", MAX_OFFSET)),
            ("limit", Int("limit", MAX_CONNZ_LIMIT)),
            ("acc", Text("account")),
            ("test", Subject("test")),
        ],
        Endpoint::Accountz => &[("acc", Text("account"))],
        Endpoint::Accstatz => &[("unused", Bool("include_unused"))],
        Endpoint::Jsz => &[
            ("acc", Text("account")),
            ("accounts", Bool("accounts")),
            ("streams", Bool("streams")),
            ("consumers", Bool("consumer")),
            ("direct-consumers", Bool("direct_consumer")),
            ("config", Bool("config")),
            ("offset", Int("offset", MAX_OFFSET)),
            ("limit", Int("limit", MAX_CONNZ_LIMIT)),
            ("leader-only", Bool("leader_only")),
            ("stream-leader-only", Bool("stream_leader_only")),
            ("raft", Bool("raft")),
        ],
        Endpoint::Healthz => &[
            ("js-enabled-only", Bool("js-enabled-only")),
            ("js-server-only", Bool("js-server-only")),
            ("js-meta-only", Bool("js-meta-only")),
            ("account", Text("account")),
            ("stream", Text("stream")),
            ("consumer", Text("consumer")),
            ("details", Bool("details")),
        ],
        Endpoint::Varz | Endpoint::Statsz | Endpoint::Idz => &[],
    }
}

/// A query the console understood.
#[derive(Debug, Default, PartialEq)]
pub struct MonitorQuery {
    /// The `$SYS` request's JSON options.
    pub options: Map<String, Value>,
    /// `server=<id>`: ask that server only.
    pub server: Option<String>,
    /// `cluster=<name>`: servers of that cluster only (nats-server's own filter).
    pub cluster: Option<String>,
}

impl MonitorQuery {
    /// connz paging, as asked (`offset` 0 and `limit` 1 024 unless given, as nats-server).
    pub fn page(&self) -> (u64, u64) {
        let offset = self.options.get("offset").and_then(Value::as_u64);
        let limit = self.options.get("limit").and_then(Value::as_u64);
        (
            offset.unwrap_or(0),
            limit.filter(|l| *l > 0).unwrap_or(1024),
        )
    }

    pub fn sort(&self) -> &str {
        self.options
            .get("sort")
            .and_then(Value::as_str)
            .unwrap_or("cid")
    }
}

/// Reads `query` (`a=b&c=d`, percent-encoded) for `endpoint`. The error names the parameter.
pub fn parse(endpoint: Endpoint, query: &str) -> Result<MonitorQuery, String> {
    if query.len() > 4096 {
        return Err("the query is longer than 4096 bytes".into());
    }
    let known = parameters(endpoint);
    let mut parsed = MonitorQuery::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = crate::query_string::percent_decode(name)
            .ok_or("a parameter name is not valid percent-encoded UTF-8")?;
        let value = crate::query_string::percent_decode(value)
            .ok_or_else(|| format!("{name}: not valid percent-encoded UTF-8"))?;
        if seen.contains(&name) {
            return Err(format!("{name} is given twice"));
        }
        if value.len() > MAX_TEXT {
            return Err(format!("{name} is longer than {MAX_TEXT} bytes"));
        }
        seen.push(name.clone());
        match name.as_str() {
            "server" => {
                if !nats_auth::nkeys::is_valid_public_server_key(&value) {
                    return Err(format!("server: {value:.64} is not a server id (N…)"));
                }
                parsed.server = Some(value);
                continue;
            }
            "cluster" => {
                parsed.cluster = Some(value);
                continue;
            }
            _ => {}
        }
        let Some((_, kind)) = known.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "{}: unknown parameter {name:.64}; it takes {}server, cluster",
                endpoint.name(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", names.join(", "))
                }
            ));
        };
        let (key, json) = read(&name, &value, *kind)?;
        parsed.options.insert(key.into(), json);
    }
    if endpoint == Endpoint::Connz {
        let (offset, limit) = parsed.page();
        if offset + limit > MAX_CONNZ_LIMIT + MAX_OFFSET {
            return Err(format!(
                "offset + limit is at most {}",
                MAX_CONNZ_LIMIT + MAX_OFFSET
            ));
        }
        let sort = parsed.sort();
        let state = parsed.options.get("state").and_then(Value::as_u64);
        if (sort == "stop" || sort == "reason") && state != Some(1) {
            return Err(format!("sort={sort} needs state=closed"));
        }
        if parsed.options.contains_key("filter_subject") && !parsed.options.contains_key("acc") {
            return Err("filter_subject needs acc".into());
        }
    }
    if let Some(cluster) = &parsed.cluster {
        parsed
            .options
            .insert("cluster".into(), Value::String(cluster.clone()));
        parsed
            .options
            .insert("exact_match".into(), Value::Bool(true));
    }
    Ok(parsed)
}

fn read(name: &str, value: &str, kind: Kind) -> Result<(&'static str, Value), String> {
    Ok(match kind {
        Kind::Bool(key) => (key, Value::Bool(go_bool(name, value)?)),
        Kind::Subs => {
            if value.eq_ignore_ascii_case("detail") {
                ("subscriptions_detail", Value::Bool(true))
            } else {
                ("subscriptions", Value::Bool(go_bool(name, value)?))
            }
        }
        Kind::Int(key, max) => {
            let n: u64 = value
                .parse()
                .map_err(|_| format!("{name}: {value:.32} is not a whole number ≥ 0"))?;
            if n > max {
                return Err(format!("{name}: at most {max}"));
            }
            (key, Value::from(n))
        }
        Kind::Uint(key) => (
            key,
            Value::from(
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{name}: {value:.32} is not a whole number ≥ 0"))?,
            ),
        ),
        Kind::Text(key) => (key, Value::String(value.to_string())),
        Kind::Subject(key) => {
            if value.is_empty()
                || value
                    .split('.')
                    .any(|t| t.is_empty() || t == "*" || t == ">")
                || value.chars().any(char::is_whitespace)
            {
                return Err(format!(
                    "{name}: {value:.64} is not a subject without wildcards"
                ));
            }
            (key, Value::String(value.to_string()))
        }
        Kind::Sort => {
            if !nats_auth::monitoring::CONNZ_SORT_KEYS.contains(&value) {
                return Err(format!(
                    "sort: {value:.32} is not one of {}",
                    nats_auth::monitoring::CONNZ_SORT_KEYS.join(", ")
                ));
            }
            ("sort", Value::String(value.to_string()))
        }
        Kind::State => (
            "state",
            Value::from(match value.to_ascii_lowercase().as_str() {
                "open" => 0,
                "closed" => 1,
                "any" | "all" => 2,
                _ => return Err(format!("state: {value:.32} is not open, closed or any")),
            }),
        ),
    })
}

/// Go's `strconv.ParseBool`, which the monitor port uses.
fn go_bool(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("{name}: {value:.32} is not true or false (1 or 0)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(endpoint: Endpoint, query: &str) -> Value {
        Value::Object(parse(endpoint, query).unwrap().options)
    }

    #[test]
    fn http_names_become_the_sys_json_names() {
        assert_eq!(
            options(
                Endpoint::Connz,
                "sort=bytes_to&subs=detail&state=any&acc=APP&auth=1&limit=5"
            ),
            json!({"sort":"bytes_to","subscriptions_detail":true,"state":2,"acc":"APP","auth":true,"limit":5})
        );
        assert_eq!(
            options(Endpoint::Connz, "subs=true&state=closed&sort=reason"),
            json!({"subscriptions":true,"state":1,"sort":"reason"})
        );
        assert_eq!(
            options(
                Endpoint::Jsz,
                "acc=A&consumers=1&leader-only=true&direct-consumers=1"
            ),
            json!({"account":"A","consumer":true,"leader_only":true,"direct_consumer":true})
        );
        assert_eq!(
            options(Endpoint::Leafz, "acc=A&subs=1"),
            json!({"account":"A","subscriptions":true})
        );
        assert_eq!(
            options(Endpoint::Subsz, "acc=A&test=orders.new&subs=1"),
            json!({"account":"A","test":"orders.new","subscriptions":true})
        );
        assert_eq!(
            options(Endpoint::Accstatz, "unused=1"),
            json!({"include_unused":true})
        );
        assert_eq!(
            options(Endpoint::Gatewayz, "accs=1&gw_name=east&acc_name=A"),
            json!({"accounts":true,"name":"east","account_name":"A"})
        );
        assert_eq!(
            options(Endpoint::Connz, "cluster=east"),
            json!({"cluster":"east","exact_match":true})
        );
    }

    #[test]
    fn bad_values_are_refused_naming_the_parameter() {
        let refusal = |e, q| parse(e, q).unwrap_err();
        assert!(refusal(Endpoint::Connz, "sort=bogus").starts_with("sort:"));
        assert!(refusal(Endpoint::Connz, "limit=100000000").starts_with("limit:"));
        assert!(refusal(Endpoint::Connz, "limit=-1").starts_with("limit:"));
        assert!(refusal(Endpoint::Connz, "state=half").starts_with("state:"));
        assert!(refusal(Endpoint::Connz, "auth=yes").starts_with("auth:"));
        assert!(refusal(Endpoint::Connz, "sort=stop").contains("state=closed"));
        assert!(refusal(Endpoint::Connz, "frobnicate=1").contains("unknown parameter frobnicate"));
        assert!(refusal(Endpoint::Varz, "sort=cid").contains("unknown parameter sort"));
        assert!(refusal(Endpoint::Connz, "cid=1&cid=2").contains("twice"));
        assert!(refusal(Endpoint::Connz, "server=NOPE").starts_with("server:"));
        assert!(refusal(Endpoint::Subsz, "test=orders.*").starts_with("test:"));
        assert!(refusal(Endpoint::Connz, "user=%ZZ").contains("percent"));
        assert!(refusal(Endpoint::Connz, &format!("user={}", "x".repeat(300))).contains("256"));
    }

    #[test]
    fn every_endpoint_has_a_name_and_a_subject_token() {
        for e in Endpoint::ALL {
            assert_eq!(Endpoint::parse(e.name()), Some(e));
            if e != Endpoint::Accstatz {
                assert_eq!(e.token(), e.name().to_uppercase());
            }
        }
        assert_eq!(Endpoint::parse("stacksz"), None);
    }
}
