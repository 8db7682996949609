//! A stream's consumers: lag (pending), in flight (ack pending against the maximum),
//! redelivered, waiting pulls, last activity, paused; create (pull or push) and edit, delete,
//! pause and resume (2.11+), reset to a sequence (2.14+), and fetching the next messages of a
//! pull consumer with ack, nak or term for each.

use leptos::prelude::*;
use nats_auth::jetstream::{self as rules, Invalid};
use serde_json::{json, Map, Value};

use super::{num, when, Js};
use crate::forms::{Choice, Field, FormError, FormErrors};
use crate::pages::confirmed;
use crate::state::Console;

#[derive(Clone, PartialEq)]
enum Shown {
    List,
    New,
    Edit(Value),
}

#[component]
pub fn Consumers(stream: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let stream = StoredValue::new(stream);
    let shown = RwSignal::new(Shown::List);
    let list = RwSignal::new(None::<Value>);
    let fetching = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        js.changed.track();
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            match js
                .api(&format!("CONSUMER.LIST.{name}"), json!({ "offset": 0 }))
                .await
            {
                Ok(v) => list.set(Some(v)),
                Err(e) => console.error(e),
            }
        });
    });
    let act = move |op: &'static str, consumer: String, body: Value, done: &'static str| {
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            match js.api(&format!("{op}.{name}.{consumer}"), body).await {
                Ok(_) => {
                    console.ok(format!("consumer {consumer} {done}"));
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    let row = move |c: Value| {
        let name = c["name"].as_str().unwrap_or("").to_string();
        let config = c["config"].clone();
        let pull = config["deliver_subject"].as_str().unwrap_or("").is_empty();
        let paused = c["paused"] == true;
        let level = js.api_level.get_untracked();
        let (n1, n2, n3, n4, n5) = (
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
            name.clone(),
        );
        let edit_config = config.clone();
        view! {
            <tr class="consumer" data-name=name.clone()>
                <td>{name.clone()}</td>
                <td>{if pull { "pull" } else { "push" }}</td>
                <td>{config["filter_subject"].as_str().map(str::to_string).or_else(|| config["filter_subjects"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))).unwrap_or_default()}</td>
                <td class="num pending">{num(&c["num_pending"])}</td>
                <td class="num">{num(&c["num_ack_pending"])}" / "{num(&config["max_ack_pending"])}</td>
                <td class="num">{num(&c["num_redelivered"])}</td>
                <td class="num">{num(&c["num_waiting"])}</td>
                <td>{when(&c["delivered"]["last_active"])}</td>
                <td>{if paused { "paused" } else { "" }}</td>
                <td class="actions">
                    {pull.then(|| view! { <button class="secondary" on:click=move |_| fetching.set(Some(n1.clone()))>"Fetch"</button> })}
                    <button class="secondary" on:click=move |_| shown.set(Shown::Edit(edit_config.clone()))>"Edit"</button>
                    {(level >= 1).then(|| if paused {
                        view! { <button class="secondary" on:click=move |_| act("CONSUMER.PAUSE", n2.clone(), json!({}), "resumed")>"Resume"</button> }.into_any()
                    } else {
                        view! { <button class="secondary" on:click=move |_| {
                            let until = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::now() + 3_600_000.0));
                            act("CONSUMER.PAUSE", n2.clone(), json!({"pause_until": String::from(until.to_iso_string())}), "paused for an hour")
                        }>"Pause 1 h"</button> }.into_any()
                    })}
                    {(level >= 4).then(|| view! { <button class="secondary" on:click=move |_| {
                        let seq = window().prompt_with_message("Reset to stream sequence (empty: the ack floor)").ok().flatten();
                        let Some(seq) = seq else { return };
                        let body = match seq.trim() {
                            "" => json!({}),
                            t => match t.parse::<u64>() {
                                Ok(n) => json!({ "seq": n }),
                                Err(_) => return console.error(format!("\"{t}\" is not a sequence number")),
                            },
                        };
                        act("CONSUMER.RESET", n3.clone(), body, "reset")
                    }>"Reset"</button> })}
                    <button class="danger" on:click=move |_| {
                        if confirmed(&format!("Delete consumer {n4}? Its position and unacknowledged messages are forgotten.")) {
                            act("CONSUMER.DELETE", n5.clone(), Value::Null, "deleted")
                        }
                    }>"Delete"</button>
                </td>
            </tr>
        }
    };
    move || {
        match shown.get() {
        Shown::New => view! { <ConsumerForm stream=stream.get_value() base=None shown/> }.into_any(),
        Shown::Edit(config) => view! { <ConsumerForm stream=stream.get_value() base=Some(config) shown/> }.into_any(),
        Shown::List => view! {
            <button id="consumer-new" on:click=move |_| shown.set(Shown::New)>"New consumer"</button>
            {move || list.get().map(|v| {
                let consumers: Vec<Value> = v["consumers"].as_array().cloned().unwrap_or_default();
                view! {
                    <div class="table-scroll" tabindex="0">
                    <table id="consumers">
                        <thead><tr><th>"Consumer"</th><th>"Kind"</th><th>"Filter"</th><th>"Pending (lag)"</th><th>"Ack pending / max"</th><th>"Redelivered"</th><th>"Waiting"</th><th>"Last active"</th><th>"Paused"</th><th></th></tr></thead>
                        <tbody>{consumers.into_iter().map(row).collect_view()}</tbody>
                    </table>
                    </div>
                }
            })}
            {move || fetching.get().map(|c| view! { <Fetch stream=stream.get_value() consumer=c/> })}
        }.into_any(),
    }
    }
}

#[derive(Clone, Default)]
struct ConsumerInputs {
    name: String,
    kind: String,
    deliver_subject: String,
    deliver_policy: String,
    start: String,
    ack_policy: String,
    ack_wait: String,
    max_deliver: String,
    filter: String,
    max_ack_pending: String,
    backoff: String,
    sample: String,
    replay: String,
    description: String,
}

crate::forms::form_signals! {
    ConsumerSignals for ConsumerInputs {
        name: String,
        kind: String,
        deliver_subject: String,
        deliver_policy: String,
        start: String,
        ack_policy: String,
        ack_wait: String,
        max_deliver: String,
        filter: String,
        max_ack_pending: String,
        backoff: String,
        sample: String,
        replay: String,
        description: String,
    }
}

impl ConsumerInputs {
    fn of(c: &Value) -> ConsumerInputs {
        let text = |f: &str| c[f].as_str().unwrap_or_default().to_string();
        let count = |f: &str| match c[f].as_i64() {
            Some(n) if n > 0 => n.to_string(),
            _ => String::new(),
        };
        let duration = |f: &str| match c[f].as_i64() {
            Some(n) if n > 0 => rules::format_duration(n),
            _ => String::new(),
        };
        let filter = c["filter_subjects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| text("filter_subject"));
        ConsumerInputs {
            name: c["durable_name"]
                .as_str()
                .map_or_else(|| text("name"), str::to_string),
            kind: if text("deliver_subject").is_empty() {
                "pull".into()
            } else {
                "push".into()
            },
            deliver_subject: text("deliver_subject"),
            deliver_policy: text("deliver_policy"),
            start: c["opt_start_seq"]
                .as_u64()
                .map(|n| n.to_string())
                .unwrap_or_else(|| text("opt_start_time")),
            ack_policy: text("ack_policy"),
            ack_wait: duration("ack_wait"),
            max_deliver: count("max_deliver"),
            filter,
            max_ack_pending: count("max_ack_pending"),
            backoff: c["backoff"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_i64)
                        .map(rules::format_duration)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            sample: text("sample_freq"),
            replay: text("replay_policy"),
            description: text("description"),
        }
    }

    fn config(&self, base: &Value) -> Result<Value, FormError> {
        let mut c: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
        let name = self.name.trim();
        c.insert("durable_name".into(), json!(name));
        c.insert("name".into(), json!(name));
        if self.kind == "push" {
            let to = self.deliver_subject.trim();
            if to.is_empty() {
                return Err(FormError::at(
                    "con-deliver-subject",
                    "a push consumer delivers to a subject",
                ));
            }
            c.insert("deliver_subject".into(), json!(to));
        } else {
            c.remove("deliver_subject");
        }
        c.insert("deliver_policy".into(), json!(self.deliver_policy));
        c.remove("opt_start_seq");
        c.remove("opt_start_time");
        match self.deliver_policy.as_str() {
            "by_start_sequence" => {
                let seq: u64 =
                    self.start.trim().parse().map_err(|_| {
                        FormError::at("con-start", "a start sequence: a whole number")
                    })?;
                c.insert("opt_start_seq".into(), json!(seq));
            }
            "by_start_time" => {
                c.insert("opt_start_time".into(), json!(self.start.trim()));
            }
            _ => {}
        }
        c.insert("ack_policy".into(), json!(self.ack_policy));
        c.insert("replay_policy".into(), json!(self.replay));
        let duration = |text: &str, id: &'static str| {
            rules::parse_duration(text).map_err(|e| FormError::at(id, e))
        };
        let ack_wait = duration(&self.ack_wait, "con-ack-wait")?;
        if ack_wait > 0 {
            c.insert("ack_wait".into(), json!(ack_wait));
        }
        let count = |text: &str, id: &'static str| -> Result<i64, FormError> {
            match text.trim() {
                "" => Ok(-1),
                t => t
                    .parse::<i64>()
                    .map_err(|_| FormError::at(id, format!("\"{t}\" is not a whole number"))),
            }
        };
        c.insert(
            "max_deliver".into(),
            json!(count(&self.max_deliver, "con-max-deliver")?),
        );
        let pending = count(&self.max_ack_pending, "con-max-ack-pending")?;
        if pending > 0 {
            c.insert("max_ack_pending".into(), json!(pending));
        }
        let filters: Vec<&str> = self
            .filter
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        c.remove("filter_subject");
        c.remove("filter_subjects");
        match filters.as_slice() {
            [] => {}
            [one] => {
                c.insert("filter_subject".into(), json!(one));
            }
            many => {
                c.insert("filter_subjects".into(), json!(many));
            }
        }
        let backoff: Vec<i64> = self
            .backoff
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| duration(s, "con-backoff"))
            .collect::<Result<_, _>>()?;
        if backoff.is_empty() {
            c.remove("backoff");
        } else {
            c.insert("backoff".into(), json!(backoff));
        }
        match self.sample.trim() {
            "" => c.remove("sample_freq"),
            s => c.insert("sample_freq".into(), json!(s)),
        };
        match self.description.trim() {
            "" => c.remove("description"),
            s => c.insert("description".into(), json!(s)),
        };
        Ok(Value::Object(c))
    }
}

fn input_of(invalid: &Invalid) -> &'static str {
    match invalid.field.split(['[', '.']).next().unwrap_or_default() {
        "durable_name" | "name" => "con-name",
        "deliver_subject" => "con-deliver-subject",
        "deliver_policy" => "con-deliver-policy",
        "opt_start_seq" | "opt_start_time" => "con-start",
        "ack_policy" => "con-ack-policy",
        "ack_wait" => "con-ack-wait",
        "max_deliver" => "con-max-deliver",
        "filter_subject" | "filter_subjects" => "con-filter",
        "max_ack_pending" => "con-max-ack-pending",
        "backoff" => "con-backoff",
        "sample_freq" => "con-sample",
        "replay_policy" => "con-replay",
        _ => "con-name",
    }
}

fn options(values: &[&str]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| (v.to_string(), v.to_string()))
        .collect()
}

/// Create a consumer (pull or push) or edit one (`base`: its config; name and kind locked).
#[component]
fn ConsumerForm(stream: String, base: Option<Value>, shown: RwSignal<Shown>) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let editing = base.is_some();
    let base = base.unwrap_or_else(|| {
        json!({"deliver_policy":"all","ack_policy":"explicit","replay_policy":"instant","ack_wait":30_000_000_000u64})
    });
    let fields = ConsumerSignals::new(ConsumerInputs::of(&base));
    let base = StoredValue::new(base);
    let stream = StoredValue::new(stream);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let config = match fields.form().config(&base.get_value()) {
            Ok(c) => c,
            Err(e) => return errors.show(console, e),
        };
        if let Err(e) = rules::check_consumer_config(&config) {
            return errors.show(console, FormError::at(input_of(&e), e.to_string()));
        }
        let name = config["durable_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Err(e) = rules::check_name("consumer", &name) {
            return errors.show(console, FormError::at("con-name", e));
        }
        let stream_name = stream.get_value();
        let request = json!({
            "stream_name": stream_name,
            "config": config,
            "action": if editing { "update" } else { "create" },
        });
        busy.set(true);
        leptos::task::spawn_local(async move {
            match js
                .api(&format!("CONSUMER.CREATE.{stream_name}.{name}"), request)
                .await
            {
                Ok(_) => {
                    console.ok(format!(
                        "consumer {name} {}",
                        if editing { "updated" } else { "created" }
                    ));
                    js.touch();
                    shown.set(Shown::List);
                }
                Err(e) => errors.show(console, FormError::from(e)),
            }
            busy.set(false);
        });
    };
    let kinds = || options(&["pull", "push"]);
    let deliver = || {
        options(&[
            "all",
            "last",
            "new",
            "by_start_sequence",
            "by_start_time",
            "last_per_subject",
        ])
    };
    let acks = || options(&["explicit", "all", "none"]);
    let replays = || options(&["instant", "original"]);
    view! {
        <h4>{if editing { "Edit consumer" } else { "New consumer" }}</h4>
        <form on:submit=submit>
            <label for="con-name">"Name (durable)"</label>
            <input id="con-name" disabled=editing prop:value=move || fields.name.get()
                aria-invalid=move || errors.message_for("con-name").map(|_| "true")
                on:input=move |ev| fields.name.set(event_target_value(&ev))/>
            {move || errors.message_for("con-name").map(|m| view! { <p class="field-error">{m}</p> })}
            <div hidden=editing>
                <Choice id="con-kind" label="Kind" value=fields.kind options=kinds errors/>
            </div>
            <Show when=move || fields.kind.get() == "push">
                <Field id="con-deliver-subject" label="Deliver to subject" value=fields.deliver_subject errors/>
            </Show>
            <Choice id="con-deliver-policy" label="Deliver" value=fields.deliver_policy options=deliver errors/>
            <Field id="con-start" label="Start sequence or time (RFC 3339), when delivering from one" value=fields.start errors/>
            <Field id="con-filter" label="Filter subjects (comma separated; empty: all)" value=fields.filter errors/>
            <Choice id="con-ack-policy" label="Acknowledgements" value=fields.ack_policy options=acks errors/>
            <Field id="con-ack-wait" label="Ack wait" value=fields.ack_wait errors placeholder="30s"/>
            <Field id="con-max-deliver" label="Max deliveries" value=fields.max_deliver errors placeholder="unlimited"/>
            <Field id="con-max-ack-pending" label="Max ack pending" value=fields.max_ack_pending errors placeholder="1000"/>
            <Field id="con-backoff" label="Backoff (durations, comma separated)" value=fields.backoff errors placeholder="1s, 5s, 30s"/>
            <Field id="con-sample" label="Sample frequency (% of acks reported as metrics)" value=fields.sample errors/>
            <Choice id="con-replay" label="Replay" value=fields.replay options=replays errors/>
            <Field id="con-description" label="Description" value=fields.description errors/>
            <button type="submit" id="con-save" disabled=move || busy.get()>{if editing { "Save" } else { "Create" }}</button>
            " "
            <button type="button" class="secondary" on:click=move |_| shown.set(Shown::List)>"Cancel"</button>
        </form>
    }
}

/// The next messages of a pull consumer, each acknowledged (or not) from here.
#[component]
fn Fetch(stream: String, consumer: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let batch = RwSignal::new("10".to_string());
    let fetched = RwSignal::new(Vec::<Value>::new());
    let names = StoredValue::new((stream, consumer.clone()));
    let fetch = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(n) = batch.get_untracked().trim().parse::<usize>() else {
            return console.error("how many: a whole number");
        };
        let (stream, consumer) = names.get_value();
        leptos::task::spawn_local(async move {
            let path = format!("/streams/{stream}/consumers/{consumer}/next");
            match js.post(&path, json!({"batch": n, "wait_ms": 1000})).await {
                Ok(v) => {
                    let messages = v["messages"].as_array().cloned().unwrap_or_default();
                    console.ok(format!(
                        "{} messages fetched from {consumer}",
                        messages.len()
                    ));
                    fetched.set(messages);
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    let ack = move |reply: String, kind: &'static str| {
        leptos::task::spawn_local(async move {
            match js.post("/ack", json!({"reply": reply, "kind": kind})).await {
                Ok(_) => {
                    fetched.update(|f| f.retain(|m| m["reply"] != reply.as_str()));
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    view! {
        <section aria-labelledby="fetch-title">
            <h4 id="fetch-title">"Fetch from "{consumer}</h4>
            <form class="inline" on:submit=fetch>
                <label for="fetch-batch">"How many"</label>
                <input id="fetch-batch" prop:value=move || batch.get() on:input=move |ev| batch.set(event_target_value(&ev))/>
                <button type="submit" id="fetch-go">"Fetch"</button>
            </form>
            <table id="fetched">
                <thead><tr><th>"Stream seq"</th><th>"Subject"</th><th>"Delivered"</th><th>"Payload"</th><th></th></tr></thead>
                <tbody>{move || fetched.get().into_iter().map(|m| {
                    let reply = m["reply"].as_str().unwrap_or("").to_string();
                    let (r1, r2, r3) = (reply.clone(), reply.clone(), reply);
                    let data = m["data"].as_str().and_then(|d| nats_auth::text_encoding::base64_decode(d.as_bytes()).ok()).unwrap_or_default();
                    view! {
                        <tr class="fetched">
                            <td class="num">{num(&m["stream_seq"])}</td>
                            <td>{m["subject"].as_str().unwrap_or("").to_string()}</td>
                            <td class="num">{num(&m["delivered"])}</td>
                            <td>{String::from_utf8_lossy(&data).into_owned()}</td>
                            <td class="actions">
                                <button on:click=move |_| ack(r1.clone(), "ack")>"Ack"</button>
                                <button class="secondary" on:click=move |_| ack(r2.clone(), "nak")>"Nak"</button>
                                <button class="danger" on:click=move |_| ack(r3.clone(), "term")>"Term"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}
