//! Claims laid out as `nsc describe` shows them: titled sections of labelled rows, with
//! "Unlimited" for -1, dates in UTC, lists one entry per line.

use nats_auth::jwt::{
    AccountClaims, ActivationClaims, AnyClaims, GenericFields, OperatorClaims, Permission,
    UserClaims,
};

/// One titled block of (label, value) rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    pub rows: Vec<(&'static str, String)>,
}

fn section(title: &'static str, rows: Vec<(&'static str, String)>) -> Section {
    Section { title, rows }
}

/// Unix seconds as `2026-11-22 22:44:25 UTC` (`""` for 0: not set).
pub fn date(seconds: i64) -> String {
    if seconds == 0 {
        return String::new();
    }
    let iso: String = js_sys::Date::new(&((seconds as f64) * 1000.0).into())
        .to_iso_string()
        .into();
    // 2026-11-22T22:44:25.000Z
    format!("{} {} UTC", &iso[..10], &iso[11..19])
}

fn number(value: i64) -> String {
    if value == -1 {
        "Unlimited".into()
    } else {
        value.to_string()
    }
}

fn bytes(value: i64) -> String {
    if value == -1 {
        "Unlimited".into()
    } else {
        format!("{value} bytes")
    }
}

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.into()
}

fn lines(items: &[String]) -> String {
    items.join("\n")
}

fn or_not_set(text: String) -> String {
    if text.is_empty() {
        "Not Set".into()
    } else {
        text
    }
}

fn identity<N>(
    claims: &nats_auth::jwt::Claims<N>,
    id_label: &'static str,
) -> Vec<(&'static str, String)> {
    vec![
        ("Name", claims.name.clone()),
        (id_label, claims.subject.clone()),
        ("Issuer ID", claims.issuer.clone()),
        ("Issued", date(claims.issued_at)),
        ("Expires", or_not_set(date(claims.expires))),
    ]
}

fn tags(rows: &mut Vec<(&'static str, String)>, generic: &GenericFields) {
    if !generic.tags.is_empty() {
        rows.push(("Tags", generic.tags.join(", ")));
    }
}

fn permission_rows(
    rows: &mut Vec<(&'static str, String)>,
    publish: &Permission,
    subscribe: &Permission,
) {
    for (label, list) in [
        ("Pub Allow", &publish.allow),
        ("Pub Deny", &publish.deny),
        ("Sub Allow", &subscribe.allow),
        ("Sub Deny", &subscribe.deny),
    ] {
        if !list.is_empty() {
            rows.push((label, lines(list)));
        }
    }
}

/// The sections `nsc describe` would show for these claims.
pub fn describe(claims: &AnyClaims) -> Vec<Section> {
    match claims {
        AnyClaims::Operator(o) => operator(o),
        AnyClaims::Account(a) => account(a),
        AnyClaims::User(u) => user(u),
        AnyClaims::Activation(a) => activation(a),
        other => vec![section(
            "Details",
            vec![
                ("Type", other.claim_type().as_str().to_string()),
                ("Subject", other.subject().to_string()),
                ("Issuer ID", other.issuer().to_string()),
            ],
        )],
    }
}

fn operator(o: &OperatorClaims) -> Vec<Section> {
    let n = &o.nats;
    let mut rows = identity(o, "Operator ID");
    rows.push((
        "Operator Service URLs",
        or_not_set(lines(&n.operator_service_urls)),
    ));
    rows.push((
        "Account JWT Server",
        or_not_set(n.account_server_url.clone()),
    ));
    rows.push(("System Account", or_not_set(n.system_account.clone())));
    rows.push(("Require Signing Keys", yes_no(n.strict_signing_key_usage)));
    tags(&mut rows, &n.generic);
    let mut sections = vec![section("Operator Details", rows)];
    if !n.signing_keys.is_empty() {
        sections.push(section(
            "Signing Keys",
            n.signing_keys.iter().map(|k| ("Key", k.clone())).collect(),
        ));
    }
    sections
}

fn account(a: &AccountClaims) -> Vec<Section> {
    let n = &a.nats;
    let mut rows = identity(a, "Account ID");
    if !n.info.description.is_empty() {
        rows.push(("Description", n.info.description.clone()));
    }
    tags(&mut rows, &n.generic);
    let l = &n.limits;
    let limits = vec![
        ("Max Connections", number(l.conn)),
        ("Max Leaf Node Connections", number(l.leaf_node_conn)),
        ("Max Data", bytes(l.data)),
        ("Max Exports", number(l.exports)),
        ("Max Imports", number(l.imports)),
        ("Max Msg Payload", bytes(l.payload)),
        ("Max Subscriptions", number(l.subs)),
        ("Exports Allows Wildcards", yes_no(l.wildcard_exports)),
        ("Disallow Bearer Token", yes_no(l.disallow_bearer)),
    ];
    let js = &l.jetstream;
    let jetstream = if *js == Default::default() && l.jetstream_tiers.is_empty() {
        vec![("Jetstream", "Disabled".to_string())]
    } else {
        vec![
            ("Jetstream", "Enabled".to_string()),
            ("Max Memory Storage", bytes(js.memory_storage)),
            ("Max Disk Storage", bytes(js.disk_storage)),
            ("Max Streams", number(js.streams)),
            ("Max Consumers", number(js.consumer)),
        ]
    };
    let mut sections = vec![
        section("Account Details", rows),
        section("Limits", limits),
        section("JetStream", jetstream),
    ];
    let p = &n.default_permissions;
    let mut defaults = Vec::new();
    permission_rows(&mut defaults, &p.publish, &p.subscribe);
    if !defaults.is_empty() {
        sections.push(section("Default Permissions", defaults));
    }
    if !n.signing_keys.is_empty() {
        sections.push(section(
            "Signing Keys",
            n.signing_keys
                .0
                .iter()
                .map(|(k, scope)| {
                    let kind = if scope.is_some() { "Scoped Key" } else { "Key" };
                    (kind, k.clone())
                })
                .collect(),
        ));
    }
    let imports_exports = vec![
        (
            "Imports",
            if n.imports.is_empty() {
                "None".into()
            } else {
                n.imports
                    .iter()
                    .map(|i| {
                        format!(
                            "{} {} {} from {}",
                            i.name, i.import_type, i.subject, i.account
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        ),
        (
            "Exports",
            if n.exports.is_empty() {
                "None".into()
            } else {
                n.exports
                    .iter()
                    .map(|e| {
                        let public = if e.token_req { "private" } else { "public" };
                        format!("{} {} {} ({public})", e.name, e.export_type, e.subject)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            },
        ),
    ];
    sections.push(section("Imports and Exports", imports_exports));
    if !n.revocations.is_empty() {
        sections.push(section(
            "Revoked Users",
            n.revocations
                .iter()
                .map(|(k, at)| ("Revoked", format!("{k} at {}", date(*at))))
                .collect(),
        ));
    }
    sections
}

fn user(u: &UserClaims) -> Vec<Section> {
    let n = &u.nats;
    let mut rows = identity(u, "User ID");
    if !n.issuer_account.is_empty() {
        rows.push(("Issuer Account", n.issuer_account.clone()));
    }
    tags(&mut rows, &n.generic);
    let l = &n.limits;
    let mut permissions = Vec::new();
    permission_rows(
        &mut permissions,
        &l.permissions.publish,
        &l.permissions.subscribe,
    );
    permissions.push((
        "Response Permissions",
        l.permissions
            .response
            .as_ref()
            .map_or("Not Set".into(), |r| {
                format!("{} messages, {} ns", number(r.max_msgs), r.expires)
            }),
    ));
    let limits = vec![
        ("Bearer Token", yes_no(l.bearer_token)),
        ("Max Msg Payload", bytes(l.payload)),
        ("Max Data", bytes(l.data)),
        ("Max Subs", number(l.subs)),
        ("Network Src", or_not_set(l.source_networks.0.join(", "))),
        (
            "Time",
            or_not_set(
                l.times
                    .iter()
                    .map(|t| format!("{}-{}", t.start, t.end))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        ("Locale", or_not_set(l.locale.clone())),
        (
            "Allowed Connection Types",
            or_not_set(l.allowed_connection_types.join(", ")),
        ),
    ];
    vec![
        section("User Details", rows),
        section("Permissions", permissions),
        section("Limits", limits),
    ]
}

fn activation(a: &ActivationClaims) -> Vec<Section> {
    let n = &a.nats;
    let mut rows = identity(a, "Account ID");
    if !n.issuer_account.is_empty() {
        rows.push(("Issuer Account", n.issuer_account.clone()));
    }
    rows.push(("Import Type", n.import_type.to_string()));
    rows.push(("Import Subject", n.import_subject.clone()));
    vec![section("Activation Details", rows)]
}
