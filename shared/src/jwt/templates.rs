//! The templates a scoped signing key's permissions may hold, as nats-server fills them in when
//! a user of that key connects: `{{name()}}`, `{{subject()}}`, `{{account-name()}}`,
//! `{{account-subject()}}`, `{{tag(x)}}` and `{{account-tag(x)}}` (case-insensitive). Checking
//! them before signing catches what nats-server would refuse at every connection.

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
