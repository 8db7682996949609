//! JetStream's rules as nats-server applies them, checked before a request is made: asset
//! names, subjects, durations, stream and consumer configurations; and which `$JS.API`
//! operations the console passes on for a person (and which of them change something, for the
//! audit log). The web app's forms and the console's backend call the same checks, so a bad
//! input is refused with the same reason at either end, and never reaches nats-server.

use serde_json::{Map, Value};

/// nats-server's `JSMaxNameLen`.
pub const MAX_NAME_LEN: usize = 255;
/// nats-server's `JSMaxDescriptionLen`.
pub const MAX_DESCRIPTION_LEN: usize = 4 * 1024;
/// nats-server's `StreamMaxReplicas`.
pub const MAX_REPLICAS: i64 = 5;
/// The shortest `max_age` and `duplicate_window` nats-server takes (100 ms).
pub const MIN_WINDOW_NANOS: i64 = 100_000_000;

/// A refused input: the field at fault (a JSON path such as `subjects[1]`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for Invalid {}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A stream, consumer or bucket name as nats-server's `isValidAssetName` takes it (the name
/// becomes a folder of the file store, hence no slashes).
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(format!("a {what} name is required"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!(
            "a {what} name is at most {MAX_NAME_LEN} bytes (this one has {})",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|c| {
        matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '\x0c' | '.' | '*' | '>' | '/' | '\\'
        )
    }) {
        let shown = match c {
            ' ' => "a space".to_string(),
            '\t' | '\r' | '\n' | '\x0c' => "white space".to_string(),
            c => format!("'{c}'"),
        };
        return Err(format!(
            "a {what} name may not contain {shown} (nor spaces, '.', '*', '>', '/', '\\')"
        ));
    }
    Ok(())
}

/// A subject: tokens separated by `.`, none empty, no white space; with `wildcards`, `*` as a
/// whole token and `>` as the whole last token (a filter), without them a literal subject (one
/// a message can be published to).
pub fn check_subject(subject: &str, wildcards: bool) -> Result<(), String> {
    if subject.is_empty() {
        return Err("a subject is required".into());
    }
    if subject.chars().any(char::is_whitespace) {
        return Err(format!("subject \"{subject}\" contains white space"));
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_empty() {
            return Err(format!(
                "subject \"{subject}\" has an empty token (leading, trailing or double '.')"
            ));
        }
        let wildcard = *token == "*" || *token == ">";
        if wildcard && !wildcards {
            return Err(format!(
                "subject \"{subject}\" has a wildcard: a message is published to one literal subject"
            ));
        }
        if *token == ">" && i + 1 != tokens.len() {
            return Err(format!(
                "subject \"{subject}\": '>' may only be the last token"
            ));
        }
        if !wildcard && (token.contains('*') || token.contains('>')) {
            return Err(format!(
                "subject \"{subject}\": '*' and '>' are wildcards only as a whole token"
            ));
        }
    }
    Ok(())
}

/// A key-value or object store bucket name as the clients take it: letters, digits, `_`, `-`.
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a bucket name is required".into());
    }
    if name.len() > MAX_NAME_LEN - 4 {
        return Err(format!(
            "a bucket name is at most {} bytes",
            MAX_NAME_LEN - 4
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        Some(c) => Err(format!(
            "a bucket name has letters, digits, '_' and '-' only (not {c:?})"
        )),
        None => Ok(()),
    }
}

/// A key-value key as the clients take it: letters, digits and `-/_=.`, not starting or ending
/// with `.` (it is the tail of the subject `$KV.<bucket>.<key>`).
pub fn check_kv_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("a key is required".into());
    }
    if key.starts_with('.') || key.ends_with('.') || key.contains("..") {
        return Err(format!(
            "key \"{key}\" may not start or end with '.', nor have \"..\""
        ));
    }
    match key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-/_=.".contains(*c)))
    {
        Some(c) => Err(format!(
            "a key has letters, digits and '-/_=.' only (not {c:?})"
        )),
        None => Ok(()),
    }
}

/// Nanoseconds in each duration unit the forms take (Go's, plus days and weeks).
const UNITS: [(&str, i64); 9] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
    ("w", 604_800_000_000_000),
];

/// A duration as people write it (`30s`, `1h30m`, `500ms`, `7d`, `2w`; `0` or an empty text is
/// zero) in nanoseconds, as JetStream's JSON holds durations. Refused past what an `int64` of
/// nanoseconds holds (about 292 years).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() || text == "0" {
        return Ok(0);
    }
    let mut rest = text;
    let mut total: i64 = 0;
    let too_long = || format!("\"{text}\" is longer than nats-server can hold (about 292 years)");
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "\"{text}\" is not a duration: write a number and a unit, e.g. 30s, 1h30m, 7d"
            ));
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let Some((_, per)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(format!(
                "\"{text}\": unit \"{unit}\" is not one of ns, us, ms, s, m, h, d, w"
            ));
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("\"{text}\": \"{number}\" is not a number"))?;
        let nanos = value * *per as f64;
        if !nanos.is_finite() || nanos >= i64::MAX as f64 {
            return Err(too_long());
        }
        total = total.checked_add(nanos as i64).ok_or_else(too_long)?;
        rest = next;
    }
    Ok(total)
}

/// Nanoseconds as the shortest text [`parse_duration`] reads back (`2m`, `1h30m`, `1.5s`).
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0".into();
    }
    if nanos < 0 {
        return format!("-{}", format_duration(nanos.saturating_neg()));
    }
    if nanos < 1_000_000_000 {
        return match nanos {
            n if n % 1_000_000 == 0 => format!("{}ms", n / 1_000_000),
            n if n % 1_000 == 0 => format!("{}us", n / 1_000),
            n => format!("{n}ns"),
        };
    }
    let mut text = String::new();
    let mut rest = nanos;
    for (unit, per) in [
        ("d", 86_400_000_000_000i64),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
    ] {
        if rest >= per {
            text.push_str(&format!("{}{unit}", rest / per));
            rest %= per;
        }
    }
    if rest > 0 {
        let seconds = rest as f64 / 1e9;
        text.push_str(&format!("{seconds}s"));
    }
    text
}

fn int_field(config: &Map<String, Value>, field: &str) -> Result<Option<i64>, Invalid> {
    match config.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid(field, "must be a whole number within 64 bits")),
        Some(_) => Err(invalid(field, "must be a number")),
    }
}

fn str_field<'a>(config: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Invalid> {
    match config.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "must be a text")),
    }
}

fn one_of(config: &Map<String, Value>, field: &str, allowed: &[&str]) -> Result<(), Invalid> {
    match str_field(config, field)? {
        Some(v) if !allowed.contains(&v) => Err(invalid(
            field,
            format!("\"{v}\" is not one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// Limits where -1 means unlimited (and 0 the server's default).
fn at_least_minus_one(config: &Map<String, Value>, fields: &[&str]) -> Result<(), Invalid> {
    for field in fields {
        if let Some(v) = int_field(config, field)? {
            if v < -1 {
                return Err(invalid(
                    *field,
                    format!("{v} is below -1 (-1 means unlimited)"),
                ));
            }
        }
    }
    Ok(())
}

fn not_negative(config: &Map<String, Value>, fields: &[&str]) -> Result<Option<i64>, Invalid> {
    let mut last = None;
    for field in fields {
        if let Some(v) = int_field(config, field)? {
            if v < 0 {
                return Err(invalid(*field, format!("{v} is negative")));
            }
            last = Some(v);
        }
    }
    Ok(last)
}

fn subjects_field(
    config: &Map<String, Value>,
    field: &str,
    wildcards: bool,
) -> Result<Vec<String>, Invalid> {
    let list = match config.get(field) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid(field, "must be a list of subjects")),
    };
    let mut seen = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let subject = item
            .as_str()
            .ok_or_else(|| invalid(at.clone(), "must be a text"))?;
        check_subject(subject, wildcards).map_err(|e| invalid(at.clone(), e))?;
        if seen.iter().any(|s| s == subject) {
            return Err(invalid(at, format!("\"{subject}\" is listed twice")));
        }
        seen.push(subject.to_string());
    }
    Ok(seen)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Invalid> {
    value
        .as_object()
        .ok_or_else(|| invalid(what, "must be a JSON object"))
}

/// A stream configuration (`STREAM.CREATE` / `STREAM.UPDATE`'s body) by nats-server's
/// `checkStreamCfg` rules that need no server state.
pub fn check_stream_config(config: &Value) -> Result<(), Invalid> {
    let config = object(config, "config")?;
    let name = str_field(config, "name")?.unwrap_or("");
    check_name("stream", name).map_err(|e| invalid("name", e))?;
    if str_field(config, "description")?.is_some_and(|d| d.len() > MAX_DESCRIPTION_LEN) {
        return Err(invalid(
            "description",
            format!("at most {MAX_DESCRIPTION_LEN} bytes"),
        ));
    }
    let subjects = subjects_field(config, "subjects", true)?;
    one_of(config, "retention", &["limits", "interest", "workqueue"])?;
    one_of(config, "storage", &["file", "memory"])?;
    one_of(config, "discard", &["old", "new"])?;
    one_of(config, "compression", &["none", "s2"])?;
    if let Some(r) = int_field(config, "num_replicas")? {
        if !(0..=MAX_REPLICAS).contains(&r) {
            return Err(invalid(
                "num_replicas",
                format!("{r} is not between 1 and {MAX_REPLICAS}"),
            ));
        }
    }
    at_least_minus_one(
        config,
        &[
            "max_msgs",
            "max_bytes",
            "max_msgs_per_subject",
            "max_msg_size",
            "max_consumers",
        ],
    )?;
    let max_age = not_negative(config, &["max_age"])?.unwrap_or(0);
    let window = not_negative(config, &["duplicate_window"])?.unwrap_or(0);
    if max_age != 0 && max_age < MIN_WINDOW_NANOS {
        return Err(invalid("max_age", "must be 0 (no limit) or at least 100ms"));
    }
    if window != 0 && window < MIN_WINDOW_NANOS {
        return Err(invalid(
            "duplicate_window",
            "must be 0 (the default) or at least 100ms",
        ));
    }
    if max_age != 0 && window > max_age {
        return Err(invalid(
            "duplicate_window",
            "may not be longer than max_age",
        ));
    }
    if let Some(mirror) = config.get("mirror").filter(|m| !m.is_null()) {
        let mirror = object(mirror, "mirror")?;
        let source = str_field(mirror, "name")?.unwrap_or("");
        check_name("stream", source).map_err(|e| invalid("mirror.name", e))?;
        if !subjects.is_empty() {
            return Err(invalid(
                "subjects",
                "a mirror has no subjects of its own: it takes its source's",
            ));
        }
        if config
            .get("sources")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(invalid("sources", "a mirror cannot also have sources"));
        }
    }
    if let Some(sources) = config.get("sources").filter(|s| !s.is_null()) {
        let sources = sources
            .as_array()
            .ok_or_else(|| invalid("sources", "must be a list"))?;
        for (i, source) in sources.iter().enumerate() {
            let at = format!("sources[{i}]");
            let source = object(source, &at)?;
            let name = str_field(source, "name")?.unwrap_or("");
            check_name("stream", name).map_err(|e| invalid(format!("{at}.name"), e))?;
        }
    }
    if let Some(metadata) = config.get("metadata").filter(|m| !m.is_null()) {
        let metadata = object(metadata, "metadata")?;
        if let Some((key, _)) = metadata.iter().find(|(_, v)| !v.is_string()) {
            return Err(invalid(
                format!("metadata.{key}"),
                "metadata values are texts",
            ));
        }
    }
    Ok(())
}

/// A consumer configuration (the `config` of `CONSUMER.CREATE`'s body) by nats-server's rules
/// that need no server state.
pub fn check_consumer_config(config: &Value) -> Result<(), Invalid> {
    let config = object(config, "config")?;
    for field in ["durable_name", "name"] {
        if let Some(name) = str_field(config, field)? {
            check_name("consumer", name).map_err(|e| invalid(field, e))?;
        }
    }
    one_of(
        config,
        "deliver_policy",
        &[
            "all",
            "last",
            "new",
            "by_start_sequence",
            "by_start_time",
            "last_per_subject",
        ],
    )?;
    one_of(config, "ack_policy", &["none", "all", "explicit"])?;
    one_of(config, "replay_policy", &["instant", "original"])?;
    if let Some(filter) = str_field(config, "filter_subject")? {
        if !filter.is_empty() {
            check_subject(filter, true).map_err(|e| invalid("filter_subject", e))?;
        }
    }
    subjects_field(config, "filter_subjects", true)?;
    if let Some(deliver) = str_field(config, "deliver_subject")? {
        if !deliver.is_empty() {
            check_subject(deliver, false).map_err(|e| invalid("deliver_subject", e))?;
        }
    }
    at_least_minus_one(config, &["max_deliver", "max_ack_pending"])?;
    not_negative(
        config,
        &[
            "ack_wait",
            "max_waiting",
            "max_batch",
            "max_expires",
            "inactive_threshold",
            "num_replicas",
            "rate_limit_bps",
        ],
    )?;
    match str_field(config, "deliver_policy")? {
        Some("by_start_sequence") if int_field(config, "opt_start_seq")?.unwrap_or(0) <= 0 => {
            return Err(invalid(
                "opt_start_seq",
                "a start sequence is required to deliver by start sequence",
            ))
        }
        Some("by_start_time") if str_field(config, "opt_start_time")?.is_none() => {
            return Err(invalid(
                "opt_start_time",
                "a start time is required to deliver by start time",
            ))
        }
        _ => {}
    }
    if let Some(backoff) = config.get("backoff").filter(|b| !b.is_null()) {
        let backoff = backoff
            .as_array()
            .ok_or_else(|| invalid("backoff", "must be a list of durations"))?;
        for (i, step) in backoff.iter().enumerate() {
            if step.as_i64().is_none_or(|n| n <= 0) {
                return Err(invalid(
                    format!("backoff[{i}]"),
                    "must be a positive duration in nanoseconds",
                ));
            }
        }
        let max_deliver = int_field(config, "max_deliver")?.unwrap_or(-1);
        if !backoff.is_empty() && max_deliver != -1 && max_deliver <= backoff.len() as i64 {
            return Err(invalid(
                "max_deliver",
                format!(
                    "must be more than the {} backoff steps (or unlimited)",
                    backoff.len()
                ),
            ));
        }
    }
    if let Some(freq) = str_field(config, "sample_freq")? {
        let number = freq.trim().trim_end_matches('%');
        if !freq.trim().is_empty() && !number.parse::<u8>().is_ok_and(|n| n <= 100) {
            return Err(invalid(
                "sample_freq",
                format!("\"{freq}\" is not a percentage from 0 to 100"),
            ));
        }
    }
    Ok(())
}

/// Stream fields an update cannot change (nats-server's `checkStreamUpdate`): the form locks
/// them when editing.
pub const LOCKED_ON_UPDATE: [&str; 5] = [
    "name",
    "storage",
    "mirror",
    "allow_msg_counter",
    "persist_mode",
];

/// An edit of a stream, by nats-server's update rules: the fields it cannot change, one-way
/// switches (sealed, deny delete, deny purge, message TTLs stay on), and retention to or from
/// work queue.
pub fn check_stream_update(old: &Value, new: &Value) -> Result<(), Invalid> {
    check_stream_config(new)?;
    for field in LOCKED_ON_UPDATE {
        let (was, is) = (&old[field], &new[field]);
        // an absent field and its zero value are the same configuration
        if was != is && !(is_unset(was) && is_unset(is)) {
            return Err(invalid(field, "cannot be changed once the stream exists"));
        }
    }
    let retention = |c: &Value| c["retention"].as_str().unwrap_or("limits").to_string();
    if retention(old) != retention(new)
        && (retention(old) == "workqueue" || retention(new) == "workqueue")
    {
        return Err(invalid(
            "retention",
            "cannot change to or from workqueue once the stream exists",
        ));
    }
    for (field, what) in [
        ("sealed", "a sealed stream cannot be unsealed"),
        (
            "deny_delete",
            "denying message deletes cannot be taken back",
        ),
        ("deny_purge", "denying purges cannot be taken back"),
        ("allow_msg_ttl", "message TTLs cannot be turned off once on"),
    ] {
        if old[field] == true && new[field] != true {
            return Err(invalid(field, what));
        }
    }
    Ok(())
}

fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// What an edit changes: `(field, before, after)` for each top-level field that differs (an
/// absent field and its zero value are equal), in field order.
pub fn config_diff(old: &Value, new: &Value) -> Vec<(String, Value, Value)> {
    let empty = Map::new();
    let (old, new) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut fields: Vec<&String> = old.keys().collect();
    fields.extend(new.keys().filter(|k| !old.contains_key(*k)));
    fields
        .into_iter()
        .filter_map(|field| {
            let was = old.get(field).cloned().unwrap_or(Value::Null);
            let is = new.get(field).cloned().unwrap_or(Value::Null);
            let same = was == is || (is_unset(&was) && is_unset(&is));
            (!same).then(|| (field.clone(), was, is))
        })
        .collect()
}

/// What a `$JS.API` operation does, for the console: read, or change (named for the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiOp {
    /// The request subject, `$JS.API.<op>`.
    pub subject: String,
    /// The audit log's name of the change (`jetstream.stream.create` …), `None` for a read.
    pub change: Option<&'static str>,
    pub stream: Option<String>,
    pub consumer: Option<String>,
    body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Any,
    Stream,
    Consumer,
}

/// The operations passed on as they are: their tokens before the names, how many names follow
/// (stream, then consumer), and the audit name of a change.
const OPS: [(&str, usize, Option<&str>); 20] = [
    ("INFO", 0, None),
    ("STREAM.NAMES", 0, None),
    ("STREAM.LIST", 0, None),
    ("STREAM.INFO", 1, None),
    ("STREAM.CREATE", 1, Some("jetstream.stream.create")),
    ("STREAM.UPDATE", 1, Some("jetstream.stream.update")),
    ("STREAM.DELETE", 1, Some("jetstream.stream.delete")),
    ("STREAM.PURGE", 1, Some("jetstream.stream.purge")),
    ("STREAM.MSG.GET", 1, None),
    ("STREAM.MSG.DELETE", 1, Some("jetstream.message.delete")),
    (
        "STREAM.LEADER.STEPDOWN",
        1,
        Some("jetstream.stream.stepdown"),
    ),
    ("CONSUMER.NAMES", 1, None),
    ("CONSUMER.LIST", 1, None),
    ("CONSUMER.INFO", 2, None),
    ("CONSUMER.CREATE", 2, Some("jetstream.consumer.create")),
    ("CONSUMER.DELETE", 2, Some("jetstream.consumer.delete")),
    ("CONSUMER.PAUSE", 2, Some("jetstream.consumer.pause")),
    ("CONSUMER.RESET", 2, Some("jetstream.consumer.reset")),
    ("CONSUMER.UNPIN", 2, Some("jetstream.consumer.unpin")),
    (
        "CONSUMER.LEADER.STEPDOWN",
        2,
        Some("jetstream.consumer.stepdown"),
    ),
];

/// Reads `op` (a `$JS.API` subject without the prefix, e.g. `STREAM.INFO.ORDERS`) as one of
/// the operations the console passes on, its names checked. Snapshots, restores and fetching
/// from a consumer have routes of their own (they are not one request and one answer).
pub fn api_op(op: &str) -> Result<ApiOp, String> {
    let own_route = [
        (
            "STREAM.SNAPSHOT.",
            "a snapshot is downloaded from …/streams/<stream>/snapshot",
        ),
        (
            "STREAM.RESTORE.",
            "a restore is uploaded to …/streams/<stream>/restore",
        ),
        (
            "CONSUMER.MSG.NEXT.",
            "messages are fetched with …/consumers/<consumer>/next",
        ),
        (
            "DIRECT.GET.",
            "messages are read with …/streams/<stream>/messages",
        ),
    ];
    if let Some((_, say)) = own_route.iter().find(|(p, _)| op.starts_with(p)) {
        return Err((*say).to_string());
    }
    let tokens: Vec<&str> = op.split('.').collect();
    // the longest matching prefix: STREAM.MSG.GET before STREAM.<name>
    let found = OPS
        .iter()
        .filter(|(prefix, names, _)| {
            let want: Vec<&str> = prefix.split('.').collect();
            tokens.len() >= want.len() + names && tokens[..want.len()] == want[..]
        })
        .max_by_key(|(prefix, _, _)| prefix.split('.').count());
    let Some((prefix, names, change)) = found else {
        return Err(format!(
            "\"{op}\" is not a JetStream API operation the console passes on"
        ));
    };
    let at = prefix.split('.').count();
    let stream = (*names >= 1).then(|| tokens[at].to_string());
    let consumer = (*names >= 2).then(|| tokens[at + 1].to_string());
    if let Some(stream) = &stream {
        check_name("stream", stream)?;
    }
    if let Some(consumer) = &consumer {
        check_name("consumer", consumer)?;
    }
    let extra = &tokens[at + names..];
    if !extra.is_empty() {
        // only a consumer's creation may carry its filter subject in the subject
        if *prefix != "CONSUMER.CREATE" {
            return Err(format!("\"{op}\" has tokens after its names"));
        }
        check_subject(&extra.join("."), true).map_err(|e| format!("filter subject: {e}"))?;
    }
    if op.len() > 4 * MAX_NAME_LEN {
        return Err("the operation's subject is too long".into());
    }
    let body = match *prefix {
        "STREAM.CREATE" | "STREAM.UPDATE" => Body::Stream,
        "CONSUMER.CREATE" => Body::Consumer,
        _ => Body::Any,
    };
    Ok(ApiOp {
        subject: format!("$JS.API.{op}"),
        change: *change,
        stream,
        consumer,
        body,
    })
}

impl ApiOp {
    /// Checks the request body this operation will carry: a stream's configuration names the
    /// stream of the subject, a consumer's the stream and consumer of the subject.
    pub fn check_body(&self, body: &Value) -> Result<(), Invalid> {
        match self.body {
            Body::Any => {
                if !(body.is_object() || body.is_null()) {
                    return Err(invalid("request", "must be a JSON object"));
                }
                Ok(())
            }
            Body::Stream => {
                check_stream_config(body)?;
                if body["name"].as_str() != self.stream.as_deref() {
                    return Err(invalid(
                        "name",
                        "must be the stream named in the request's subject",
                    ));
                }
                Ok(())
            }
            Body::Consumer => {
                let request = object(body, "request")?;
                if request.get("stream_name").and_then(Value::as_str) != self.stream.as_deref() {
                    return Err(invalid(
                        "stream_name",
                        "must be the stream named in the request's subject",
                    ));
                }
                let config = request
                    .get("config")
                    .ok_or_else(|| invalid("config", "the consumer's configuration is required"))?;
                check_consumer_config(config)?;
                let named = config["durable_name"]
                    .as_str()
                    .or_else(|| config["name"].as_str());
                if named.is_some_and(|n| Some(n) != self.consumer.as_deref()) {
                    return Err(invalid(
                        "config.name",
                        "must be the consumer named in the request's subject",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The acknowledgements a fetched message may get, as published to its reply subject.
pub fn ack_payload(kind: &str) -> Result<&'static str, String> {
    match kind {
        "ack" => Ok("+ACK"),
        "nak" => Ok("-NAK"),
        "term" => Ok("+TERM"),
        "progress" => Ok("+WPI"),
        other => Err(format!(
            "\"{other}\" is not an acknowledgement: ack, nak, term or progress"
        )),
    }
}

/// Is `reply` a JetStream acknowledgement subject (`$JS.ACK.<stream>.<consumer>.…`)? The only
/// subjects an acknowledgement may be published to.
pub fn check_ack_subject(reply: &str) -> Result<(), String> {
    let ok = reply.starts_with("$JS.ACK.")
        && check_subject(reply, false).is_ok()
        && reply.split('.').count() >= 9;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{reply}\" is not a JetStream acknowledgement subject"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_follow_nats_server() {
        assert!(check_name("stream", "ORDERS").is_ok());
        assert!(check_name("stream", "orders-2_x").is_ok());
        for bad in ["", "A B", "A.B", "A*", "A>", "a/b", "a\\b", "tab\there"] {
            assert!(check_name("stream", bad).is_err(), "{bad:?}");
        }
        assert!(check_name("stream", &"x".repeat(255)).is_ok());
        assert!(check_name("stream", &"x".repeat(256)).is_err());
        assert_eq!(
            check_name("stream", "A B").unwrap_err(),
            "a stream name may not contain a space (nor spaces, '.', '*', '>', '/', '\\')"
        );
    }

    #[test]
    fn subjects_and_wildcards() {
        for ok in ["ORDERS.*", "ORDERS.>", ">", "a.*.c", "$KV.b.key"] {
            assert!(check_subject(ok, true).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a..b", ".a", "a.", "a.>.b", "a*", "a.b>"] {
            assert!(check_subject(bad, true).is_err(), "{bad:?}");
        }
        assert!(check_subject("ORDERS.new", false).is_ok());
        assert!(check_subject("ORDERS.*", false).is_err());
    }

    #[test]
    fn durations_read_and_write_back() {
        assert_eq!(parse_duration("30s"), Ok(30_000_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("500ms"), Ok(500_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("7d"), Ok(7 * 86_400_000_000_000));
        assert_eq!(parse_duration(""), Ok(0));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("99999999999h").is_err());
        assert!(parse_duration("300y").is_err());
        for n in [
            2 * 60_000_000_000i64,
            5_400_000_000_000,
            1_500_000_000,
            500_000_000,
            86_400_000_000_000 + 1_000_000_000,
        ] {
            assert_eq!(parse_duration(&format_duration(n)), Ok(n), "{n}");
        }
    }

    fn orders() -> Value {
        json!({"name":"ORDERS","subjects":["ORDERS.*"],"retention":"limits","storage":"file",
               "max_age":0,"max_msgs":-1,"max_bytes":-1,"max_consumers":-1,"discard":"old",
               "num_replicas":1,"duplicate_window":120000000000u64})
    }

    #[test]
    fn stream_configs_are_checked_as_nats_server_does() {
        check_stream_config(&orders()).unwrap();
        let refused = |edit: &dyn Fn(&mut Value)| {
            let mut c = orders();
            edit(&mut c);
            check_stream_config(&c).unwrap_err()
        };
        assert_eq!(refused(&|c| c["name"] = json!("OR DERS")).field, "name");
        assert_eq!(
            refused(&|c| c["subjects"] = json!(["ok", "bad subject"])).field,
            "subjects[1]"
        );
        assert_eq!(
            refused(&|c| c["subjects"] = json!(["a", "a"])).field,
            "subjects[1]"
        );
        assert_eq!(refused(&|c| c["max_msgs"] = json!(-2)).field, "max_msgs");
        assert_eq!(refused(&|c| c["max_bytes"] = json!(1.5)).field, "max_bytes");
        assert_eq!(refused(&|c| c["max_age"] = json!(-1)).field, "max_age");
        assert_eq!(refused(&|c| c["max_age"] = json!(5)).field, "max_age");
        assert_eq!(
            refused(&|c| c["retention"] = json!("forever")).field,
            "retention"
        );
        assert_eq!(
            refused(&|c| c["num_replicas"] = json!(7)).field,
            "num_replicas"
        );
        assert_eq!(
            refused(&|c| c["max_age"] = json!(1_000_000_000)).field,
            "duplicate_window"
        );
        assert_eq!(
            refused(&|c| c["mirror"] = json!({"name":"SRC"})).field,
            "subjects"
        );
        assert_eq!(refused(&|c| *c = json!([1, 2])).field, "config");
    }

    #[test]
    fn consumer_configs_are_checked() {
        let new = json!({"durable_name":"NEW","deliver_policy":"all","ack_policy":"explicit",
            "ack_wait":30000000000u64,"max_deliver":20,"filter_subject":"ORDERS.received",
            "replay_policy":"instant","sample_freq":"100"});
        check_consumer_config(&new).unwrap();
        let refused = |edit: &dyn Fn(&mut Value)| {
            let mut c = new.clone();
            edit(&mut c);
            check_consumer_config(&c).unwrap_err().field
        };
        assert_eq!(
            refused(&|c| c["durable_name"] = json!("N.EW")),
            "durable_name"
        );
        assert_eq!(refused(&|c| c["ack_policy"] = json!("maybe")), "ack_policy");
        assert_eq!(
            refused(&|c| c["filter_subject"] = json!("a..b")),
            "filter_subject"
        );
        assert_eq!(
            refused(&|c| c["deliver_subject"] = json!("a.*")),
            "deliver_subject"
        );
        assert_eq!(
            refused(&|c| c["sample_freq"] = json!("150%")),
            "sample_freq"
        );
        assert_eq!(refused(&|c| c["max_deliver"] = json!(-3)), "max_deliver");
        assert_eq!(
            refused(&|c| {
                c["backoff"] = json!([1_000_000_000, 2_000_000_000]);
                c["max_deliver"] = json!(2);
            }),
            "max_deliver"
        );
        assert_eq!(
            refused(&|c| c["deliver_policy"] = json!("by_start_sequence")),
            "opt_start_seq"
        );
    }

    #[test]
    fn api_operations_pass_on_only_known_shapes() {
        let op = api_op("STREAM.INFO.ORDERS").unwrap();
        assert_eq!(op.subject, "$JS.API.STREAM.INFO.ORDERS");
        assert_eq!(op.change, None);
        assert_eq!(op.stream.as_deref(), Some("ORDERS"));
        let op = api_op("STREAM.MSG.DELETE.ORDERS").unwrap();
        assert_eq!(op.change, Some("jetstream.message.delete"));
        assert_eq!(op.stream.as_deref(), Some("ORDERS"));
        let op = api_op("CONSUMER.CREATE.ORDERS.NEW.ORDERS.received").unwrap();
        assert_eq!(op.consumer.as_deref(), Some("NEW"));
        assert_eq!(api_op("INFO").unwrap().change, None);
        for bad in [
            "STREAM.INFO",
            "STREAM.INFO.A.B",
            "STREAM.SNAPSHOT.ORDERS",
            "CONSUMER.MSG.NEXT.ORDERS.NEW",
            "SERVER.REMOVE",
            "ACCOUNT.PURGE.x",
            "STREAM.INFO.*",
            "CONSUMER.CREATE.ORDERS.NEW.a..b",
        ] {
            assert!(api_op(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_bodies_name_what_the_subject_names() {
        let create = api_op("STREAM.CREATE.ORDERS").unwrap();
        create.check_body(&orders()).unwrap();
        let mut other = orders();
        other["name"] = json!("OTHER");
        assert_eq!(create.check_body(&other).unwrap_err().field, "name");
        let consumer = api_op("CONSUMER.CREATE.ORDERS.NEW").unwrap();
        consumer
            .check_body(&json!({"stream_name":"ORDERS","config":{"durable_name":"NEW"}}))
            .unwrap();
        assert!(consumer
            .check_body(&json!({"stream_name":"X","config":{"durable_name":"NEW"}}))
            .is_err());
        assert!(consumer
            .check_body(&json!({"stream_name":"ORDERS","config":{"durable_name":"OLD"}}))
            .is_err());
        assert!(api_op("STREAM.INFO.X")
            .unwrap()
            .check_body(&json!("x"))
            .is_err());
    }

    #[test]
    fn updates_follow_nats_server_and_diffs_name_the_changes() {
        let old = orders();
        let mut new = orders();
        new["subjects"] = json!(["ORDERS.*", "SHIPPED.*"]);
        new["max_msgs"] = json!(1000);
        check_stream_update(&old, &new).unwrap();
        let diff = config_diff(&old, &new);
        let fields: Vec<&str> = diff.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(fields, ["subjects", "max_msgs"]);
        assert_eq!(diff[1].1, json!(-1));
        let mut memory = orders();
        memory["storage"] = json!("memory");
        assert_eq!(
            check_stream_update(&old, &memory).unwrap_err().field,
            "storage"
        );
        let mut wq = orders();
        wq["retention"] = json!("workqueue");
        assert_eq!(
            check_stream_update(&old, &wq).unwrap_err().field,
            "retention"
        );
        let mut sealed = orders();
        sealed["sealed"] = json!(true);
        assert_eq!(
            check_stream_update(&sealed, &old).unwrap_err().field,
            "sealed"
        );
        // zero values and absent fields are the same configuration
        let mut sparse = orders();
        sparse["sealed"] = json!(false);
        assert!(config_diff(&old, &sparse).is_empty());
    }

    #[test]
    fn buckets_and_keys_as_the_clients_take_them() {
        assert!(check_bucket_name("config-1_a").is_ok());
        for bad in ["", "a.b", "a b", "a/b", "a*"] {
            assert!(check_bucket_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_kv_key("app.db/url=1").is_ok());
        for bad in ["", ".a", "a.", "a..b", "a b", "a*", "a>"] {
            assert!(check_kv_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn acknowledgements() {
        assert_eq!(ack_payload("nak"), Ok("-NAK"));
        assert!(ack_payload("maybe").is_err());
        assert!(check_ack_subject("$JS.ACK.ORDERS.NEW.1.5.5.1700000000000000000.0").is_ok());
        assert!(check_ack_subject("$SYS.REQ.SERVER.PING").is_err());
        assert!(check_ack_subject("$JS.ACK.>").is_err());
    }
}
