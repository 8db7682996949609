//! Streams: the account's list (paged as the server pages it), one stream's info (state,
//! replicas with the leader, mirror and sources with their lag), create, edit (a diff first,
//! fields the server will not change locked), copy, purge (the count first), delete.

use leptos::prelude::*;
use nats_auth::jetstream::{self as rules, Invalid};
use serde_json::{json, Map, Value};

use super::{num, when, Js};
use crate::forms::{Check, Choice, Field, FormError, FormErrors, TextArea};
use crate::issue::parse_limit;
use crate::monitoring::bytes;
use crate::pages::confirmed;
use crate::state::Console;

#[derive(Clone, PartialEq)]
enum Shown {
    List,
    New,
    Stream(String),
    Edit(Value),
    Copy(Value),
}

#[component]
pub fn Streams() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let shown = RwSignal::new(Shown::List);
    let list = RwSignal::new(None::<Value>);
    let offset = RwSignal::new(0u64);
    Effect::new(move |_| {
        js.account.track();
        shown.set(Shown::List);
        offset.set(0);
    });
    Effect::new(move |_| {
        js.changed.track();
        let at = offset.get();
        if shown.with(|s| *s != Shown::List) {
            return;
        }
        leptos::task::spawn_local(async move {
            match js.api("STREAM.LIST", json!({ "offset": at })).await {
                Ok(v) => list.set(Some(v)),
                Err(e) => console.error(e),
            }
        });
    });
    let row = move |s: Value| {
        let name = s["config"]["name"].as_str().unwrap_or_default().to_string();
        let state = &s["state"];
        let open = name.clone();
        let replicas = s["config"]["num_replicas"].as_i64().unwrap_or(1);
        let leader = s["cluster"]["leader"].as_str().unwrap_or("").to_string();
        view! {
            <tr>
                <td><button class="link" on:click=move |_| shown.set(Shown::Stream(open.clone()))>{name.clone()}</button></td>
                <td>{s["config"]["subjects"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default()}</td>
                <td>{s["config"]["storage"].as_str().unwrap_or("").to_string()}" "{s["config"]["retention"].as_str().unwrap_or("").to_string()}</td>
                <td class="num">{num(&state["messages"])}</td>
                <td class="num">{bytes(state["bytes"].as_f64().unwrap_or(0.0))}</td>
                <td class="num">{num(&state["consumer_count"])}</td>
                <td>{when(&state["last_ts"])}</td>
                <td>{format!("R{replicas}")}{(!leader.is_empty()).then(|| format!(", leader {leader}"))}</td>
            </tr>
        }
    };
    let listing = move || {
        list.get().map(|v| {
            let streams: Vec<Value> = v["streams"].as_array().cloned().unwrap_or_default();
            let total = v["total"].as_u64().unwrap_or(0);
            let at = v["offset"].as_u64().unwrap_or(0);
            let count = streams.len() as u64;
            let more = at + count < total;
            view! {
                <div class="table-scroll" tabindex="0">
                <table id="streams">
                    <thead><tr><th>"Stream"</th><th>"Subjects"</th><th>"Storage"</th><th>"Messages"</th><th>"Bytes"</th><th>"Consumers"</th><th>"Last message"</th><th>"Replicas"</th></tr></thead>
                    <tbody>{streams.into_iter().map(row).collect_view()}</tbody>
                </table>
                </div>
                <p class="muted">{if total == 0 { "No streams yet.".to_string() } else { format!("{}–{} of {total}", at + 1, at + count) }}
                    {(at > 0).then(|| view! { " " <button class="secondary" on:click=move |_| offset.set(at.saturating_sub(256))>"Previous"</button> })}
                    {more.then(|| view! { " " <button class="secondary" on:click=move |_| offset.set(at + count)>"Next"</button> })}
                </p>
            }
        })
    };
    move || match shown.get() {
        Shown::List => view! {
            <button id="stream-new" on:click=move |_| shown.set(Shown::New)>"New stream"</button>
            {listing}
        }
        .into_any(),
        Shown::New => view! { <StreamForm base=None editing=false shown/> }.into_any(),
        Shown::Edit(config) => {
            view! { <StreamForm base=Some(config) editing=true shown/> }.into_any()
        }
        Shown::Copy(config) => {
            view! { <StreamForm base=Some(config) editing=false shown/> }.into_any()
        }
        Shown::Stream(name) => view! { <StreamDetail name shown/> }.into_any(),
    }
}

/// The form's inputs, as typed.
#[derive(Clone, Default)]
struct StreamInputs {
    name: String,
    subjects: String,
    description: String,
    storage: String,
    retention: String,
    discard: String,
    replicas: String,
    max_msgs: String,
    max_bytes: String,
    max_age: String,
    max_msg_size: String,
    max_msgs_per_subject: String,
    max_consumers: String,
    duplicate_window: String,
    compression: String,
    allow_direct: bool,
    placement_cluster: String,
    placement_tags: String,
    transform_source: String,
    transform_destination: String,
    allow_msg_ttl: bool,
    allow_msg_counter: bool,
    allow_atomic: bool,
    mirror: String,
    sources: String,
    metadata: String,
}

crate::forms::form_signals! {
    StreamSignals for StreamInputs {
        name: String,
        subjects: String,
        description: String,
        storage: String,
        retention: String,
        discard: String,
        replicas: String,
        max_msgs: String,
        max_bytes: String,
        max_age: String,
        max_msg_size: String,
        max_msgs_per_subject: String,
        max_consumers: String,
        duplicate_window: String,
        compression: String,
        allow_direct: bool,
        placement_cluster: String,
        placement_tags: String,
        transform_source: String,
        transform_destination: String,
        allow_msg_ttl: bool,
        allow_msg_counter: bool,
        allow_atomic: bool,
        mirror: String,
        sources: String,
        metadata: String,
    }
}

fn text_of(config: &Value, field: &str) -> String {
    config[field].as_str().unwrap_or_default().to_string()
}

/// A limit of the config as the form shows it: empty for unlimited.
fn limit_of(config: &Value, field: &str) -> String {
    match config[field].as_i64() {
        Some(n) if n >= 0 => n.to_string(),
        _ => String::new(),
    }
}

fn duration_of(config: &Value, field: &str) -> String {
    match config[field].as_i64() {
        Some(n) if n > 0 => rules::format_duration(n),
        _ => String::new(),
    }
}

impl StreamInputs {
    fn of(config: &Value) -> StreamInputs {
        let names = |field: &str| {
            config[field]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().or_else(|| s["name"].as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        StreamInputs {
            name: text_of(config, "name"),
            subjects: names("subjects"),
            description: text_of(config, "description"),
            storage: text_of(config, "storage"),
            retention: text_of(config, "retention"),
            discard: text_of(config, "discard"),
            replicas: config["num_replicas"].as_i64().unwrap_or(1).to_string(),
            max_msgs: limit_of(config, "max_msgs"),
            max_bytes: limit_of(config, "max_bytes"),
            max_age: duration_of(config, "max_age"),
            max_msg_size: limit_of(config, "max_msg_size"),
            max_msgs_per_subject: limit_of(config, "max_msgs_per_subject"),
            max_consumers: limit_of(config, "max_consumers"),
            duplicate_window: duration_of(config, "duplicate_window"),
            compression: text_of(config, "compression"),
            allow_direct: config["allow_direct"] == true,
            placement_cluster: config["placement"]["cluster"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            placement_tags: config["placement"]["tags"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            transform_source: config["subject_transform"]["src"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            transform_destination: config["subject_transform"]["dest"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            allow_msg_ttl: config["allow_msg_ttl"] == true,
            allow_msg_counter: config["allow_msg_counter"] == true,
            allow_atomic: config["allow_atomic"] == true,
            mirror: config["mirror"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            sources: names("sources"),
            metadata: config["metadata"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| !k.starts_with("_nats."))
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        }
    }

    /// The configuration: `base` (the stream's, when editing or copying) with the inputs over it.
    fn config(&self, base: &Value) -> Result<Value, FormError> {
        let mut c: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
        let list = |text: &str| -> Vec<String> {
            text.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        c.insert("name".into(), json!(self.name.trim()));
        c.insert("subjects".into(), json!(list(&self.subjects)));
        if self.description.trim().is_empty() {
            c.remove("description");
        } else {
            c.insert("description".into(), json!(self.description.trim()));
        }
        for (field, value) in [
            ("storage", &self.storage),
            ("retention", &self.retention),
            ("discard", &self.discard),
            ("compression", &self.compression),
        ] {
            c.insert(field.into(), json!(value));
        }
        let replicas: i64 =
            self.replicas.trim().parse().map_err(|_| {
                FormError::at("stream-replicas", "replicas: a whole number, 1 to 5")
            })?;
        c.insert("num_replicas".into(), json!(replicas));
        for (field, id, value) in [
            ("max_msgs", "stream-max-msgs", &self.max_msgs),
            ("max_bytes", "stream-max-bytes", &self.max_bytes),
            ("max_msg_size", "stream-max-msg-size", &self.max_msg_size),
            (
                "max_msgs_per_subject",
                "stream-max-msgs-per-subject",
                &self.max_msgs_per_subject,
            ),
            ("max_consumers", "stream-max-consumers", &self.max_consumers),
        ] {
            let n = parse_limit(value).map_err(|e| FormError::at(id, e))?;
            c.insert(field.into(), json!(n));
        }
        for (field, id, value) in [
            ("max_age", "stream-max-age", &self.max_age),
            (
                "duplicate_window",
                "stream-duplicate-window",
                &self.duplicate_window,
            ),
        ] {
            let n = rules::parse_duration(value).map_err(|e| FormError::at(id, e))?;
            c.insert(field.into(), json!(n));
        }
        c.insert("allow_direct".into(), json!(self.allow_direct));
        // switches of newer servers: written only when on (or when the stream had them on, so
        // that turning one off is an edit nats-server judges)
        for (field, on) in [
            ("allow_msg_ttl", self.allow_msg_ttl),
            ("allow_msg_counter", self.allow_msg_counter),
            ("allow_atomic", self.allow_atomic),
        ] {
            if on || base[field] == true {
                c.insert(field.into(), json!(on));
            } else {
                c.remove(field);
            }
        }
        let tags = list(&self.placement_tags);
        match (self.placement_cluster.trim(), tags.is_empty()) {
            ("", true) => {
                c.remove("placement");
            }
            (cluster, _) => {
                c.insert(
                    "placement".into(),
                    json!({ "cluster": cluster, "tags": tags }),
                );
            }
        }
        match (
            self.transform_source.trim(),
            self.transform_destination.trim(),
        ) {
            ("", "") => {
                c.remove("subject_transform");
            }
            (_, "") => {
                return Err(FormError::at(
                    "stream-transform-destination",
                    "a transform needs the subject it maps to",
                ))
            }
            (source, destination) => {
                if !source.is_empty() {
                    rules::check_subject(source, true)
                        .map_err(|e| FormError::at("stream-transform-source", e))?;
                }
                if destination.chars().any(char::is_whitespace) {
                    return Err(FormError::at(
                        "stream-transform-destination",
                        "a subject has no white space",
                    ));
                }
                c.insert(
                    "subject_transform".into(),
                    json!({ "src": source, "dest": destination }),
                );
            }
        }
        match self.mirror.trim() {
            "" => {
                c.remove("mirror");
            }
            mirror => {
                c.insert("mirror".into(), json!({ "name": mirror }));
                c.insert("subjects".into(), json!([]));
            }
        }
        let sources: Vec<Value> = list(&self.sources)
            .into_iter()
            .map(|name| {
                // keep what the stream has for a source already (filters, transforms)
                base["sources"]
                    .as_array()
                    .and_then(|a| a.iter().find(|s| s["name"] == name.as_str()).cloned())
                    .unwrap_or_else(|| json!({ "name": name }))
            })
            .collect();
        if sources.is_empty() {
            c.remove("sources");
        } else {
            c.insert("sources".into(), json!(sources));
        }
        // the server's own metadata (`_nats.…`) stays as it is; the rest is the form's
        let mut metadata: Map<String, Value> = base["metadata"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.starts_with("_nats."))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        for line in self.metadata.lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line.split_once('=').ok_or_else(|| {
                FormError::at(
                    "stream-metadata",
                    format!("\"{line}\": one name=value per line"),
                )
            })?;
            metadata.insert(k.trim().to_string(), json!(v.trim()));
        }
        if metadata.is_empty() {
            c.remove("metadata");
        } else {
            c.insert("metadata".into(), Value::Object(metadata));
        }
        Ok(Value::Object(c))
    }
}

/// A switch the server takes from API level `level` on: greyed out below it.
fn version_switch(
    id: &'static str,
    label: &'static str,
    level: i64,
    value: RwSignal<bool>,
) -> impl IntoView {
    let js = expect_context::<Js>();
    let unsupported = move || js.api_level.get() < level;
    view! {
        <label class:muted=unsupported>
            <input type="checkbox" id=id style="width:auto" disabled=unsupported
                prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>
            " "{label}{move || unsupported().then_some(" — not on this server")}
        </label>
    }
}

/// The form input a refusal of `nats_auth::jetstream` is about.
fn input_of(invalid: &Invalid) -> &'static str {
    let field = invalid.field.split(['[', '.']).next().unwrap_or_default();
    match field {
        "name" => "stream-name",
        "subjects" => "stream-subjects",
        "description" => "stream-description",
        "storage" => "stream-storage",
        "retention" => "stream-retention",
        "discard" => "stream-discard",
        "compression" => "stream-compression",
        "num_replicas" => "stream-replicas",
        "max_msgs" => "stream-max-msgs",
        "max_bytes" => "stream-max-bytes",
        "max_msg_size" => "stream-max-msg-size",
        "max_msgs_per_subject" => "stream-max-msgs-per-subject",
        "max_consumers" => "stream-max-consumers",
        "max_age" => "stream-max-age",
        "duplicate_window" => "stream-duplicate-window",
        "mirror" => "stream-mirror",
        "sources" => "stream-sources",
        "metadata" => "stream-metadata",
        "placement" => "stream-placement-cluster",
        "subject_transform" => "stream-transform-source",
        "allow_msg_ttl" => "stream-allow-msg-ttl",
        _ => "stream-json",
    }
}

fn options(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| (v.to_string(), v.to_string()))
        .collect()
}

/// A value of a config as the diff shows it.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Create (no `base`), copy (`base`, not `editing`) or edit a stream: from the form or as
/// JSON; an edit shows what changes before it is sent.
#[component]
fn StreamForm(base: Option<Value>, editing: bool, shown: RwSignal<Shown>) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let base = base.unwrap_or_else(|| {
        json!({"retention":"limits","storage":"file","discard":"old","num_replicas":1,
               "max_msgs":-1,"max_bytes":-1,"max_age":0,"max_consumers":-1,"max_msg_size":-1,
               "max_msgs_per_subject":-1,"duplicate_window":120_000_000_000u64,"compression":"none"})
    });
    let mut inputs = StreamInputs::of(&base);
    if !editing {
        // a copy needs a name of its own
        inputs.name.clear();
    }
    let old_name = text_of(&base, "name");
    let fields = StreamSignals::new(inputs);
    let as_json = RwSignal::new(false);
    let json_text = RwSignal::new(String::new());
    let diff = RwSignal::new(None::<(Value, Vec<(String, Value, Value)>)>);
    let busy = RwSignal::new(false);
    let base_value = StoredValue::new(base);
    let config = move || -> Result<Value, FormError> {
        let config = if as_json.get_untracked() {
            serde_json::from_str::<Value>(&json_text.get_untracked()).map_err(|e| {
                FormError::at("stream-json", format!("the configuration is not JSON: {e}"))
            })?
        } else {
            fields.form().config(&base_value.get_value())?
        };
        let checked = if editing {
            rules::check_stream_update(&base_value.get_value(), &config)
        } else {
            rules::check_stream_config(&config)
        };
        checked.map_err(|e| {
            let at = if as_json.get_untracked() {
                "stream-json"
            } else {
                input_of(&e)
            };
            FormError::at(at, e.to_string())
        })?;
        Ok(config)
    };
    let toggle_json = move |_| {
        errors.clear();
        if as_json.get_untracked() {
            match serde_json::from_str::<Value>(&json_text.get_untracked()) {
                Ok(c) => {
                    fields.load(StreamInputs::of(&c));
                    as_json.set(false);
                }
                Err(e) => errors.show(
                    console,
                    FormError::at("stream-json", format!("the configuration is not JSON: {e}")),
                ),
            }
        } else {
            match fields.form().config(&base_value.get_value()) {
                Ok(c) => {
                    json_text.set(serde_json::to_string_pretty(&c).unwrap_or_default());
                    as_json.set(true);
                }
                Err(e) => errors.show(console, e),
            }
        }
    };
    let send = move |config: Value| {
        let name = config["name"].as_str().unwrap_or_default().to_string();
        let op = if editing {
            "STREAM.UPDATE"
        } else {
            "STREAM.CREATE"
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match js.api(&format!("{op}.{name}"), config).await {
                Ok(_) => {
                    console.ok(if editing {
                        format!("stream {name} updated")
                    } else {
                        format!("stream {name} created")
                    });
                    js.touch();
                    shown.set(Shown::Stream(name));
                }
                Err(e) => errors.show(console, FormError::from(e)),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let config = match config() {
            Ok(c) => c,
            Err(e) => return errors.show(console, e),
        };
        if editing {
            let changes = rules::config_diff(&base_value.get_value(), &config);
            if changes.is_empty() {
                return console.error("nothing to change: the configuration is the stream's");
            }
            diff.set(Some((config, changes)));
        } else {
            send(config);
        }
    };
    let apply = move |_| {
        if let Some((config, _)) = diff.get_untracked() {
            diff.set(None);
            send(config);
        }
    };
    let cancel = {
        let old_name = old_name.clone();
        move |_| {
            shown.set(if old_name.is_empty() {
                Shown::List
            } else {
                Shown::Stream(old_name.clone())
            })
        }
    };
    let title = if editing {
        format!("Edit stream {old_name}")
    } else if old_name.is_empty() {
        "New stream".to_string()
    } else {
        format!("Copy of {old_name} (configuration only)")
    };
    let storage_options = || options(&["file", "memory"]);
    let retention_options = || options(&["limits", "interest", "workqueue"]);
    let discard_options = || options(&["old", "new"]);
    let compression_options = || options(&["none", "s2"]);
    view! {
        <h3>{title}</h3>
        <Show when=move || diff.with(Option::is_some)>
            <div role="region" aria-labelledby="stream-diff-title">
                <h4 id="stream-diff-title">"What this edit changes"</h4>
                <table id="stream-diff">
                    <thead><tr><th>"Field"</th><th>"Now"</th><th>"After"</th></tr></thead>
                    <tbody>{move || diff.get().map(|(_, changes)| changes.into_iter().map(|(f, was, is)| view! {
                        <tr><td>{f}</td><td><code>{value_text(&was)}</code></td><td><code>{value_text(&is)}</code></td></tr>
                    }).collect_view())}</tbody>
                </table>
                <button id="stream-apply" on:click=apply disabled=move || busy.get()>"Apply the changes"</button>
                " "
                <button class="secondary" on:click=move |_| diff.set(None)>"Back to the form"</button>
            </div>
        </Show>
        <form on:submit=submit hidden=move || diff.with(Option::is_some)>
            <p class="muted">{if editing { "Name and storage cannot change once the stream exists (nats-server refuses it); they are locked." } else { "Every field is checked as nats-server checks it before anything is sent." }}</p>
            <button type="button" class="secondary" id="stream-json-toggle" on:click=toggle_json>
                {move || if as_json.get() { "Edit in the form" } else { "Edit as JSON" }}
            </button>
            <Show when=move || as_json.get()>
                <TextArea id="stream-json" label="Configuration (JSON, as STREAM.CREATE takes it)" value=json_text rows=18 errors/>
            </Show>
            <div hidden=move || as_json.get()>
                <label for="stream-name">"Name"</label>
                <input id="stream-name" disabled=editing prop:value=move || fields.name.get()
                    aria-invalid=move || errors.message_for("stream-name").map(|_| "true")
                    on:input=move |ev| fields.name.set(event_target_value(&ev))/>
                {move || errors.message_for("stream-name").map(|m| view! { <p class="field-error" id="stream-name-error">{m}</p> })}
                <Field id="stream-subjects" label="Subjects (comma separated; wildcards allowed)" value=fields.subjects errors placeholder="ORDERS.*"/>
                <Field id="stream-description" label="Description" value=fields.description errors/>
                <div hidden=editing>
                    <Choice id="stream-storage" label="Storage" value=fields.storage options=storage_options errors/>
                </div>
                <Choice id="stream-retention" label="Retention" value=fields.retention options=retention_options errors/>
                <Choice id="stream-discard" label="When full, discard" value=fields.discard options=discard_options errors/>
                <Field id="stream-replicas" label="Replicas" value=fields.replicas errors/>
                <Field id="stream-max-msgs" label="Max messages" value=fields.max_msgs errors placeholder="unlimited"/>
                <Field id="stream-max-bytes" label="Max bytes (1GB, 512MiB…)" value=fields.max_bytes errors placeholder="unlimited"/>
                <Field id="stream-max-age" label="Max age (30s, 1h, 7d…)" value=fields.max_age errors placeholder="unlimited"/>
                <Field id="stream-max-msg-size" label="Max message size" value=fields.max_msg_size errors placeholder="unlimited"/>
                <Field id="stream-max-msgs-per-subject" label="Max messages per subject" value=fields.max_msgs_per_subject errors placeholder="unlimited"/>
                <Field id="stream-max-consumers" label="Max consumers" value=fields.max_consumers errors placeholder="unlimited"/>
                <Field id="stream-duplicate-window" label="Duplicate window" value=fields.duplicate_window errors placeholder="2m"/>
                <Choice id="stream-compression" label="Compression" value=fields.compression options=compression_options errors/>
                <Check id="stream-allow-direct" label="Direct get (any replica answers reads)" value=fields.allow_direct errors/>
                <Field id="stream-placement-cluster" label="Placement: cluster (empty: any)" value=fields.placement_cluster errors/>
                <Field id="stream-placement-tags" label="Placement: server tags (comma separated)" value=fields.placement_tags errors/>
                <Field id="stream-transform-source" label="Subject transform: from (empty: every subject)" value=fields.transform_source errors/>
                <Field id="stream-transform-destination" label="Subject transform: to (empty: none)" value=fields.transform_destination errors/>
                {version_switch("stream-allow-msg-ttl", "Per-message TTL (nats-server 2.11+)", 1, fields.allow_msg_ttl)}
                {version_switch("stream-allow-msg-counter", "Counters (nats-server 2.12+)", 2, fields.allow_msg_counter)}
                {version_switch("stream-allow-atomic", "Atomic batch publish (nats-server 2.12+)", 2, fields.allow_atomic)}
                <Field id="stream-mirror" label="Mirror of stream (empty: none)" value=fields.mirror errors/>
                <Field id="stream-sources" label="Sources (stream names, comma separated)" value=fields.sources errors/>
                <TextArea id="stream-metadata" label="Metadata (name=value per line)" value=fields.metadata errors/>
            </div>
            <button type="submit" id="stream-save" disabled=move || busy.get()>{if editing { "Review the changes" } else { "Create" }}</button>
            " "
            <button type="button" class="secondary" on:click=cancel>"Cancel"</button>
        </form>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamTab {
    Info,
    Messages,
    Consumers,
}

/// One stream: its info, messages and consumers, and what can be done to it.
#[component]
fn StreamDetail(name: String, shown: RwSignal<Shown>) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let info = RwSignal::new(None::<Value>);
    let tab = RwSignal::new(StreamTab::Info);
    let stream = StoredValue::new(name.clone());
    let load = move || {
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            match js.api(&format!("STREAM.INFO.{name}"), Value::Null).await {
                Ok(v) => info.set(Some(v)),
                Err(e) => console.error(e),
            }
        });
    };
    Effect::new(move |_| {
        js.changed.track();
        load();
    });
    let delete = move |_| {
        let name = stream.get_value();
        if !confirmed(&format!(
            "Delete stream {name} with all its messages and consumers? This cannot be undone."
        )) {
            return;
        }
        leptos::task::spawn_local(async move {
            match js.api(&format!("STREAM.DELETE.{name}"), Value::Null).await {
                Ok(_) => {
                    // leave the stream's page first: its info is not to be read again
                    shown.set(Shown::List);
                    js.touch();
                    console.ok(format!("stream {name} deleted"));
                }
                Err(e) => console.error(e),
            }
        });
    };
    let edit = move |_| {
        if let Some(v) = info.get_untracked() {
            shown.set(Shown::Edit(v["config"].clone()));
        }
    };
    let copy = move |_| {
        if let Some(v) = info.get_untracked() {
            shown.set(Shown::Copy(v["config"].clone()));
        }
    };
    let tab_button = move |t: StreamTab, text: &'static str| {
        view! {
            <button role="tab" class=move || if tab.get() == t { "" } else { "secondary" }
                aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>{text}</button>
        }
    };
    view! {
        <p><button class="secondary" on:click=move |_| shown.set(Shown::List)>"← All streams"</button></p>
        <h3 id="stream-title">"Stream "{name.clone()}</h3>
        <div class="buttons">
            // edit and copy start from the stream's config: not before it is read
            <button id="stream-edit" on:click=edit disabled=move || info.with(Option::is_none)>"Edit"</button>
            <button id="stream-copy" class="secondary" on:click=copy disabled=move || info.with(Option::is_none)>"Copy"</button>
            <super::backup::StreamBackup stream=name.clone()/>
            <button id="stream-delete" class="danger" on:click=delete>"Delete"</button>
        </div>
        <div role="tablist" class="tabs">
            {tab_button(StreamTab::Info, "Info")}
            {tab_button(StreamTab::Messages, "Messages")}
            {tab_button(StreamTab::Consumers, "Consumers")}
        </div>
        {move || match tab.get() {
            StreamTab::Info => view! {
                {move || info.get().map(|v| view! { <StreamInfo info=v/> })}
                <Purge stream=stream.get_value() info/>
            }.into_any(),
            StreamTab::Messages => view! { <super::messages::Messages stream=stream.get_value()/> }.into_any(),
            StreamTab::Consumers => view! { <super::consumers::Consumers stream=stream.get_value()/> }.into_any(),
        }}
    }
}

#[component]
fn StreamInfo(info: Value) -> impl IntoView {
    let state = &info["state"];
    let config = &info["config"];
    let replicas: Vec<Value> = info["cluster"]["replicas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let leader = info["cluster"]["leader"].as_str().unwrap_or("").to_string();
    let lagging = |s: &Value| {
        let name = s["name"].as_str().unwrap_or("").to_string();
        let error = s["error"]["description"].as_str().unwrap_or("").to_string();
        view! {
            <tr><td>{name}</td><td class="num">{num(&s["lag"])}</td><td>{s["active"].as_i64().map(|n| rules::format_duration(n) + " ago").unwrap_or_default()}</td><td class="error">{error}</td></tr>
        }
    };
    let sources: Vec<Value> = info["sources"].as_array().cloned().unwrap_or_default();
    let mirror = info["mirror"].clone();
    let has_upstream = !sources.is_empty() || !mirror.is_null();
    view! {
        <div class="table-scroll" tabindex="0">
        <table id="stream-state" class="describe">
            <tr><th>"Messages"</th><td>{num(&state["messages"])}</td></tr>
            <tr><th>"Bytes"</th><td>{bytes(state["bytes"].as_f64().unwrap_or(0.0))}</td></tr>
            <tr><th>"Sequences"</th><td>{num(&state["first_seq"])}" – "{num(&state["last_seq"])}</td></tr>
            <tr><th>"Deleted"</th><td>{num(&state["num_deleted"])}</td></tr>
            <tr><th>"Subjects"</th><td>{num(&state["num_subjects"])}</td></tr>
            <tr><th>"Consumers"</th><td>{num(&state["consumer_count"])}</td></tr>
            <tr><th>"First message"</th><td>{when(&state["first_ts"])}</td></tr>
            <tr><th>"Last message"</th><td>{when(&state["last_ts"])}</td></tr>
            <tr><th>"Created"</th><td>{when(&info["created"])}</td></tr>
            <tr><th>"Storage"</th><td>{config["storage"].as_str().unwrap_or("").to_string()}", "{config["retention"].as_str().unwrap_or("").to_string()}" retention, discard "{config["discard"].as_str().unwrap_or("").to_string()}</td></tr>
            <tr><th>"Replicas"</th><td id="stream-replicas-info">{format!("R{}", config["num_replicas"].as_i64().unwrap_or(1))}
                {(!leader.is_empty()).then(|| format!(", leader {leader}"))}</td></tr>
        </table>
        </div>
        {(!replicas.is_empty()).then(|| view! {
            <table id="stream-peers">
                <caption>"Replicas besides the leader"</caption>
                <thead><tr><th>"Server"</th><th>"Current"</th><th>"Lag"</th><th>"Last seen"</th></tr></thead>
                <tbody>{replicas.iter().map(|r| view! {
                    <tr><td>{r["name"].as_str().unwrap_or("").to_string()}</td>
                        <td>{if r["current"] == true { "yes" } else if r["offline"] == true { "offline" } else { "catching up" }}</td>
                        <td class="num">{num(&r["lag"])}</td>
                        <td>{r["active"].as_i64().map(|n| rules::format_duration(n) + " ago").unwrap_or_default()}</td></tr>
                }).collect_view()}</tbody>
            </table>
        })}
        {has_upstream.then(|| view! {
            <table id="stream-upstream">
                <caption>"Mirror and sources"</caption>
                <thead><tr><th>"Stream"</th><th>"Lag"</th><th>"Last seen"</th><th>"Error"</th></tr></thead>
                <tbody>
                    {(!mirror.is_null()).then(|| lagging(&mirror))}
                    {sources.iter().map(lagging).collect_view()}
                </tbody>
            </table>
        })}
        <details><summary>"Configuration as JSON"</summary><pre>{serde_json::to_string_pretty(config).unwrap_or_default()}</pre></details>
    }
}

/// Purge: all, one subject, up to a sequence, or keep the newest N; the count is shown before.
#[component]
fn Purge(stream: String, info: RwSignal<Option<Value>>) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let subject = RwSignal::new(String::new());
    let up_to = RwSignal::new(String::new());
    let keep = RwSignal::new(String::new());
    let counted = RwSignal::new(None::<(Value, String)>);
    let stream = StoredValue::new(stream);
    let count = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        counted.set(None);
        let mut request = Map::new();
        let filter = subject.get_untracked().trim().to_string();
        if !filter.is_empty() {
            if let Err(e) = rules::check_subject(&filter, true) {
                return errors.show(console, FormError::at("purge-subject", e));
            }
            request.insert("filter".into(), json!(filter));
        }
        let number = |text: String, id: &'static str| -> Result<Option<u64>, FormError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| FormError::at(id, format!("\"{t}\" is not a whole number"))),
            }
        };
        let (seq, kept) = match (
            number(up_to.get_untracked(), "purge-up-to"),
            number(keep.get_untracked(), "purge-keep"),
        ) {
            (Ok(s), Ok(k)) => (s, k),
            (Err(e), _) | (_, Err(e)) => return errors.show(console, e),
        };
        if seq.is_some() && kept.is_some() {
            return errors.show(
                console,
                FormError::at(
                    "purge-keep",
                    "purge up to a sequence or keep the newest, not both",
                ),
            );
        }
        if let Some(seq) = seq {
            request.insert("seq".into(), json!(seq));
        }
        if let Some(kept) = kept {
            request.insert("keep".into(), json!(kept));
        }
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            // the count: the stream's (or the subject's) messages, less what is kept
            let state = if filter.is_empty() {
                js.api(&format!("STREAM.INFO.{name}"), Value::Null).await
            } else {
                js.api(
                    &format!("STREAM.INFO.{name}"),
                    json!({ "subjects_filter": filter }),
                )
                .await
            };
            let state = match state {
                Ok(v) => v["state"].clone(),
                Err(e) => return console.error(e),
            };
            let matching: u64 = if filter.is_empty() {
                state["messages"].as_u64().unwrap_or(0)
            } else {
                state["subjects"]
                    .as_object()
                    .map(|m| m.values().filter_map(Value::as_u64).sum())
                    .unwrap_or(0)
            };
            let first = state["first_seq"].as_u64().unwrap_or(0);
            let text = match (seq, kept) {
                (_, Some(k)) => format!("{} messages", matching.saturating_sub(k)),
                (Some(s), _) if s <= first => "no messages".to_string(),
                (Some(s), _) => format!(
                    "up to {} messages (those before sequence {s})",
                    matching.min(s - first)
                ),
                _ => format!("{matching} messages"),
            };
            counted.set(Some((Value::Object(request), text)));
        });
    };
    let purge = move |_| {
        let Some((request, text)) = counted.get_untracked() else {
            return;
        };
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            match js.api(&format!("STREAM.PURGE.{name}"), request).await {
                Ok(v) => {
                    console.ok(format!("purged {} messages from {name}", num(&v["purged"])));
                    counted.set(None);
                    js.touch();
                    if let Ok(v) = js.api(&format!("STREAM.INFO.{name}"), Value::Null).await {
                        info.set(Some(v));
                    }
                }
                Err(e) => console.error(format!("{text} not purged: {e}")),
            }
        });
    };
    view! {
        <details id="purge">
            <summary>"Purge messages"</summary>
            <form on:submit=count>
                <Field id="purge-subject" label="Only on subject (empty: all)" value=subject errors/>
                <Field id="purge-up-to" label="Up to sequence (not included; empty: all)" value=up_to errors/>
                <Field id="purge-keep" label="Keep the newest (empty: none)" value=keep errors/>
                <button type="submit" class="secondary" id="purge-count">"Count what would be purged"</button>
            </form>
            {move || counted.get().map(|(_, text)| view! {
                <p id="purge-count-text">"This purge removes "{text.clone()}"."</p>
                <button class="danger" id="purge-confirm" on:click=purge>"Purge "{text}</button>
            })}
        </details>
    }
}
