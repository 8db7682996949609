//! Pieces shared by several claim types: subjects, permissions, limits, tags, info.

use serde::{Deserialize, Deserializer, Serialize};

use crate::validation::ValidationResults;

pub(crate) fn is_zero(v: &i64) -> bool {
    *v == 0
}
pub(crate) fn is_false(v: &bool) -> bool {
    !*v
}

/// Checks a subject as Go's `Subject.Validate`: non-empty, no spaces, no leading/trailing or
/// doubled `.`. Wildcard placement is the server's business.
pub fn validate_subject(subject: &str, vr: &mut ValidationResults) {
    if subject.is_empty() {
        vr.add_error("subject cannot be empty");
        return;
    }
    if subject.contains(' ') {
        vr.add_error(format!("subject {subject:?} cannot have spaces"));
    }
    if subject.starts_with('.') || subject.ends_with('.') {
        vr.add_error(format!(
            "subject {subject:?} cannot start or end with a `.`"
        ));
    }
    if subject.contains("..") {
        vr.add_error(format!(
            "subject {subject:?} cannot contain consecutive `.`"
        ));
    }
}

/// Go's `Subject.HasWildCards`.
pub fn has_wildcards(subject: &str) -> bool {
    subject.ends_with(".>")
        || subject.contains(".*.")
        || subject.ends_with(".*")
        || subject.starts_with("*.")
        || subject == "*"
        || subject == ">"
}

/// Go's `Subject.IsContainedIn`: is every subject `subject` matches also matched by `other`?
pub fn is_contained_in(subject: &str, other: &str) -> bool {
    let other_tokens: Vec<&str> = other.split('.').collect();
    let my_tokens: Vec<&str> = subject.split('.').collect();
    let last = other_tokens.len() - 1;
    if my_tokens.len() > other_tokens.len() && other_tokens[last] != ">" {
        return false;
    }
    if my_tokens.len() < other_tokens.len() {
        return false;
    }
    for (i, tok) in other_tokens.iter().enumerate() {
        if i == last && *tok == ">" {
            return true;
        }
        if *tok != my_tokens[i] && *tok != "*" {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod permission_tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::Permission;

    #[test]
    fn permits_follows_allow_and_deny_with_wildcards_and_templates() {
        let p = |allow: &[&str], deny: &[&str]| Permission {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
        };
        assert!(p(&[], &[]).permits("_INBOX.abc"));
        assert!(p(&["_INBOX.>"], &[]).permits("_INBOX.abc.def"));
        assert!(!p(&["orders.>"], &[]).permits("_INBOX.abc"));
        assert!(!p(&[], &["_INBOX.>"]).permits("_INBOX.abc"));
        assert!(p(&["$SYS.REQ.ACCOUNT.PING.*"], &[]).permits("$SYS.REQ.ACCOUNT.PING.CONNZ"));
        assert!(p(&["$SYS.REQ.ACCOUNT.{{account-name()}}.*"], &[])
            .permits("$SYS.REQ.ACCOUNT.PING.CONNZ"));
        assert!(!p(&["$SYS.REQ.ACCOUNT.PING.STATZ"], &[]).permits("$SYS.REQ.ACCOUNT.PING.CONNZ"));
    }
}

pub(crate) fn count_token_wildcards(subject: &str) -> usize {
    subject.split('.').filter(|t| *t == "*").count()
}

/// Allow and deny subject lists of one direction (publish or subscribe).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deny: Vec<String>,
}

impl Permission {
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty()
    }

    /// Would nats-server let a client with these lists use the literal `subject`? Allowed when
    /// the allow list is empty or has a match, and no deny entry matches. Entries holding a
    /// template (`{{…}}`) are taken as matching their token, as they may after expansion.
    pub fn permits(&self, subject: &str) -> bool {
        let matches = |entry: &String| {
            let pattern = entry.split(' ').next().unwrap_or("");
            let pattern: Vec<&str> = pattern
                .split('.')
                .map(|t| if t.contains("{{") { "*" } else { t })
                .collect();
            is_contained_in(subject, &pattern.join("."))
        };
        (self.allow.is_empty() || self.allow.iter().any(matches)) && !self.deny.iter().any(matches)
    }

    /// `permit_queue`: subscribe entries may name a queue group (`"subject queue"`).
    pub fn validate(&self, vr: &mut ValidationResults, permit_queue: bool) {
        for subject in self.allow.iter().chain(&self.deny) {
            check_permission(vr, subject, permit_queue);
        }
    }
}

fn check_permission(vr: &mut ValidationResults, entry: &str, permit_queue: bool) {
    let tokens: Vec<&str> = entry.split(' ').collect();
    match tokens.as_slice() {
        [subject] => validate_subject(subject, vr),
        [subject, queue] => {
            validate_subject(subject, vr);
            validate_subject(queue, vr);
            if !permit_queue {
                vr.add_error(format!(
                    "Permission Subject \"{entry}\" is not allowed to contain queue"
                ));
            }
        }
        _ => vr.add_error(format!(
            "Permission Subject \"{entry}\" contains too many spaces"
        )),
    }
}

/// Lets a subscriber reply to requests it received: `max` replies within `ttl` nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsePermission {
    #[serde(rename = "max", default)]
    pub max_msgs: i64,
    /// Nanoseconds (a Go `time.Duration`).
    #[serde(rename = "ttl", default)]
    pub expires: i64,
}

/// Publish, subscribe and response permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(rename = "pub", default)]
    pub publish: Permission,
    #[serde(rename = "sub", default)]
    pub subscribe: Permission,
    #[serde(rename = "resp", default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponsePermission>,
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.publish.is_empty() && self.subscribe.is_empty() && self.response.is_none()
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        self.subscribe.validate(vr, true);
        self.publish.validate(vr, false);
    }
}

/// A daily time window in which a user may connect (`HH:MM:SS`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
}

impl TimeRange {
    pub fn validate(&self, vr: &mut ValidationResults) {
        if self.start.is_empty() {
            vr.add_error("time ranges start must contain a start");
        } else if !is_clock_time(&self.start) {
            vr.add_error(format!("start in time range is invalid {:?}", self.start));
        }
        if self.end.is_empty() {
            vr.add_error("time ranges end must contain an end");
        } else if !is_clock_time(&self.end) {
            vr.add_error(format!("end in time range is invalid {:?}", self.end));
        }
    }
}

/// Go's `time.Parse("15:04:05", s)`: hour 0–23 (one or two digits), minute and second 00–59.
fn is_clock_time(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    let num = |t: &str, min_len: usize, max: u32| {
        (min_len..=2).contains(&t.len())
            && t.bytes().all(|b| b.is_ascii_digit())
            && t.parse::<u32>().is_ok_and(|v| v <= max)
    };
    num(h, 1, 23) && num(m, 2, 59) && num(sec, 2, 59)
}

/// Source networks (CIDRs) a user may connect from. Decodes from a list or, as Go accepts,
/// from one comma-separated string (then trimmed and lower-cased).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CidrList(pub Vec<String>);

impl CidrList {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds entries as Go's `CIDRList.Add`: trimmed, lower-cased, no duplicates or empties.
    pub fn add(&mut self, entry: &str) {
        let entry = entry.trim().to_lowercase();
        if !entry.is_empty() && !self.0.contains(&entry) {
            self.0.push(entry);
        }
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        for cidr in &self.0 {
            if !is_cidr(cidr) {
                vr.add_error(format!("invalid cidr {cidr:?} in user src limits"));
            }
        }
    }
}

impl<'de> Deserialize<'de> for CidrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            List(Vec<String>),
            Joined(String),
        }
        Ok(match Form::deserialize(d)? {
            Form::List(list) => CidrList(list),
            Form::Joined(joined) => {
                let mut list = CidrList::default();
                joined.split(',').for_each(|e| list.add(e));
                list
            }
        })
    }
}

/// Checks a CIDR as Go's `net.ParseCIDR`.
pub(crate) fn is_cidr(s: &str) -> bool {
    let Some((addr, bits)) = s.split_once('/') else {
        return false;
    };
    if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(bits) = bits.parse::<u16>() else {
        return false;
    };
    if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        bits <= 32
    } else if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        bits <= 128
    } else {
        false
    }
}

/// Description and documentation link shown to users of an account or export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub info_url: String,
}

pub const MAX_INFO_LENGTH: usize = 8 * 1024;

impl Info {
    pub fn validate(&self, vr: &mut ValidationResults) {
        if self.description.len() > MAX_INFO_LENGTH {
            vr.add_error("Description is too long");
        }
        if !self.info_url.is_empty() {
            if self.info_url.len() > MAX_INFO_LENGTH {
                vr.add_error("Info URL is too long");
            }
            let ok = url_parts(&self.info_url)
                .is_some_and(|u| !u.scheme.is_empty() && !u.host.is_empty());
            if !ok {
                vr.add_error("error parsing info url: no hostname or scheme");
            }
        }
    }
}

/// The parts of a URL the validation rules look at.
pub(crate) struct UrlParts<'a> {
    pub scheme: &'a str,
    pub has_userinfo: bool,
    pub host: &'a str,
    pub path: &'a str,
}

/// A small URL splitter good enough for the JWT rules (scheme, credentials, host, path);
/// `None` where Go's `url.Parse` fails (control characters, spaces in the authority, bad scheme).
pub(crate) fn url_parts(url: &str) -> Option<UrlParts<'_>> {
    if url.chars().any(|c| c.is_control()) {
        return None;
    }
    let (scheme, rest) = match url.split_once(':') {
        Some((s, rest))
            if s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (s, rest)
        }
        Some(("", _)) => return None, // "missing protocol scheme"
        _ => ("", url),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        },
        None => ("", rest),
    };
    if authority.contains(' ') {
        return None;
    }
    let (has_userinfo, host_port) = match authority.rsplit_once('@') {
        Some((_, hp)) => (true, hp),
        None => (false, authority),
    };
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    Some(UrlParts {
        scheme,
        has_userinfo,
        host,
        path,
    })
}

/// Deserializes a field whose absence or `null` means the type's default (Go's zero value).
pub(crate) fn default_on_null<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn containment_follows_go() {
        assert!(is_contained_in("a.b", "a.>"));
        assert!(is_contained_in("a.b", "a.*"));
        assert!(!is_contained_in("a.>", "a.b"));
        assert!(!is_contained_in("a", "a.b"));
        assert!(is_contained_in("c.stream.x", "c.stream.>"));
    }

    #[test]
    fn clock_times() {
        assert!(is_clock_time("08:00:00"));
        assert!(is_clock_time("8:00:00"));
        assert!(!is_clock_time("25:00:00"));
        assert!(!is_clock_time("8am"));
        assert!(!is_clock_time("08:00"));
    }

    #[test]
    fn cidrs() {
        assert!(is_cidr("10.0.0.0/8"));
        assert!(is_cidr("fe80::/10"));
        assert!(!is_cidr("10.1.2.3"));
        assert!(!is_cidr("10.0.0.256/8"));
        assert!(!is_cidr("10.0.0.0/33"));
    }

    #[test]
    fn url_splitting() {
        let u = url_parts("tls://user:pw@n1.example.com:4443/x?y").unwrap();
        assert_eq!(
            (u.scheme, u.has_userinfo, u.host, u.path),
            ("tls", true, "n1.example.com", "/x")
        );
        let u = url_parts("localhost:4222").unwrap();
        assert_eq!(u.scheme, "localhost");
        assert!(url_parts("://x").is_none());
    }
}
