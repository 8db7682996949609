//! The templates a scoped signing key's permissions may hold, as nats-server fills them in when
//! a user of that key connects: `{{name()}}`, `{{subject()}}`, `{{account-name()}}`,
//! `{{account-subject()}}`, `{{tag(x)}}` and `{{account-tag(x)}}` (case-insensitive). Checking
//! them before signing catches what nats-server would refuse at every connection. Also where a
//! subject mapping sends a sample subject, for the mapping form's preview.

/// What a template is filled in with.
#[derive(Debug, Clone, Default)]
pub struct TemplateValues<'a> {
    pub user_name: &'a str,
    pub user_subject: &'a str,
    pub account_name: &'a str,
    pub account_subject: &'a str,
    pub user_tags: &'a [String],
    pub account_tags: &'a [String],
}

enum Op<'a> {
    Fixed(&'static str),
    Tag(&'a str),
    AccountTag(&'a str),
}

/// The `{{…}}` groups of `subject` as (the group, what is inside, trimmed).
fn groups(subject: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = subject;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let inner = &after[..end];
        if !inner.is_empty() && !inner.contains('}') {
            out.push((&rest[start..start + 2 + end + 2], inner.trim()));
        }
        rest = &after[end + 2..];
    }
    out
}

fn operation(op: &str) -> Option<Op<'_>> {
    let lower = op.to_ascii_lowercase();
    for fixed in ["name()", "subject()", "account-name()", "account-subject()"] {
        if lower == fixed {
            return Some(Op::Fixed(fixed));
        }
    }
    let argument = |prefix: &str| {
        (lower.starts_with(prefix) && op.ends_with(')')).then(|| &op[prefix.len()..op.len() - 1])
    };
    if let Some(tag) = argument("tag(") {
        return Some(Op::Tag(tag));
    }
    argument("account-tag(").map(Op::AccountTag)
}

/// Refuses a template operation nats-server does not know, in its words.
pub fn check_template(subject: &str) -> Result<(), String> {
    for (_, op) in groups(subject) {
        if operation(op).is_none() {
            return Err(format!(
                "template operation in {subject:?}: {op:?} is not defined (use name(), subject(), account-name(), account-subject(), tag(x) or account-tag(x))"
            ));
        }
    }
    Ok(())
}

/// The subjects `subject` becomes for a user with `values`, as nats-server expands it (a tag
/// with several values gives several subjects; one the user lacks gives none).
pub fn expand_template(subject: &str, values: &TemplateValues<'_>) -> Vec<String> {
    let mut subjects = vec![subject.to_string()];
    for (group, op) in groups(subject) {
        let tag_values = |tags: &[String], name: &str| -> Vec<String> {
            let prefix = format!("{}:", name.to_lowercase());
            tags.iter()
                .filter_map(|t| t.strip_prefix(&prefix).map(str::to_string))
                .collect()
        };
        let fill: Vec<String> = match operation(op) {
            Some(Op::Fixed("name()")) => vec![values.user_name.into()],
            Some(Op::Fixed("subject()")) => vec![values.user_subject.into()],
            Some(Op::Fixed("account-name()")) => vec![values.account_name.into()],
            Some(Op::Fixed(_)) => vec![values.account_subject.into()],
            Some(Op::Tag(name)) => tag_values(values.user_tags, name),
            Some(Op::AccountTag(name)) => tag_values(values.account_tags, name),
            None => return Vec::new(),
        };
        subjects = subjects
            .iter()
            .flat_map(|s| fill.iter().map(move |v| s.replace(group, v)))
            .take(4096)
            .collect();
    }
    subjects
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn templates_are_checked_and_expanded_as_nats_server_does() {
        assert!(check_template("orders.{{name()}}.>").is_ok());
        assert!(check_template("a.{{ Tag(region) }}.{{account-name()}}").is_ok());
        let error = check_template("a.{{user()}}").unwrap_err();
        assert!(error.contains("\"user()\" is not defined"), "{error}");
        let tags = [
            "region:eu".to_string(),
            "region:us".to_string(),
            "team:x".to_string(),
        ];
        let values = TemplateValues {
            user_name: "alice",
            user_subject: "UA",
            account_name: "APP",
            account_subject: "AA",
            user_tags: &tags,
            account_tags: &[],
        };
        assert_eq!(
            expand_template("orders.{{name()}}", &values),
            ["orders.alice"]
        );
        assert_eq!(
            expand_template("{{account-name()}}.{{tag(region)}}", &values),
            ["APP.eu", "APP.us"]
        );
        assert!(expand_template("x.{{account-tag(dc)}}", &values).is_empty());
        assert_eq!(expand_template("plain.>", &values), ["plain.>"]);
    }
}

/// Where `sample` goes under the mapping `from` → `destination`, as nats-server's subject
/// transform places it for the simple forms: `$n` and `{{wildcard(n)}}` take the n-th wildcard
/// token of `from` in `sample`. `None` when `sample` does not match `from`; an error names a
/// transform function the preview does not compute (nats-server does: partition, split …).
pub fn map_subject(from: &str, destination: &str, sample: &str) -> Option<Result<String, String>> {
    let from_tokens: Vec<&str> = from.split('.').collect();
    let sample_tokens: Vec<&str> = sample.split('.').collect();
    let mut wildcards: Vec<String> = Vec::new();
    for (i, token) in from_tokens.iter().enumerate() {
        match *token {
            ">" => {
                if sample_tokens.len() <= i {
                    return None;
                }
                wildcards.push(sample_tokens[i..].join("."));
                break;
            }
            "*" => wildcards.push(sample_tokens.get(i)?.to_string()),
            literal if sample_tokens.get(i) != Some(&literal) => return None,
            _ => {}
        }
        if i + 1 == from_tokens.len() && sample_tokens.len() != from_tokens.len() {
            return None;
        }
    }
    let nth = |n: &str| -> Result<String, String> {
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("{n:?} is not a wildcard number"))?;
        wildcards
            .get(n.wrapping_sub(1))
            .cloned()
            .ok_or_else(|| format!("{from} has no wildcard {n}"))
    };
    let mut out = String::new();
    let mut rest = destination;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            let Some(end) = after.find("}}") else {
                return Some(Err(format!("unclosed {{{{ in {destination}")));
            };
            let op = after[..end].trim();
            let lower = op.to_ascii_lowercase();
            match lower
                .strip_prefix("wildcard(")
                .and_then(|a| a.strip_suffix(')'))
            {
                Some(n) => match nth(n) {
                    Ok(v) => out.push_str(&v),
                    Err(e) => return Some(Err(e)),
                },
                None => {
                    return Some(Err(format!(
                    "{op} is computed by nats-server: the preview follows wildcard() and $n only"
                )))
                }
            }
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('$') {
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            match nth(&after[..digits]) {
                Ok(v) => out.push_str(&v),
                Err(e) => return Some(Err(e)),
            }
            rest = &after[digits..];
        } else {
            let next = rest.find(['{', '$']).unwrap_or(rest.len()).max(1);
            out.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    Some(Ok(out))
}

#[cfg(test)]
mod mapping_tests {
    use super::map_subject;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_sample_subject_is_placed_as_nats_server_maps_it() {
        let ok = |f, d, s| map_subject(f, d, s).unwrap().unwrap();
        assert_eq!(ok("work", "work.a", "work"), "work.a");
        assert_eq!(
            ok(
                "orders.*.*",
                "shipped.{{wildcard(2)}}.{{Wildcard(1)}}",
                "orders.eu.42"
            ),
            "shipped.42.eu"
        );
        assert_eq!(ok("orders.*.>", "o.$1.$2", "orders.eu.a.b"), "o.eu.a.b");
        assert!(
            map_subject("orders.*", "x", "orders.a.b").is_none(),
            "no match: one token more"
        );
        assert!(map_subject("orders.*", "x", "other.a").is_none());
        assert!(map_subject("a.>", "x", "a").is_none());
        assert!(map_subject("a.*", "{{wildcard(2)}}", "a.b")
            .unwrap()
            .is_err());
        let computed = map_subject("a.*", "p.{{partition(3,1)}}", "a.b")
            .unwrap()
            .unwrap_err();
        assert!(computed.contains("computed by nats-server"), "{computed}");
    }
}
