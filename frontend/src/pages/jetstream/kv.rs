//! Key-value buckets (the streams `KV_<bucket>`, as every client makes them): create, status,
//! delete; keys (filtered, paged) with their latest value; get, put, create (only if absent),
//! update (only from the revision shown), delete, purge; a key's history and revert; a live
//! watch. Values are written by publishing to `$KV.<bucket>.<key>` with the headers the clients
//! use, so every client reads them back.

use leptos::prelude::*;
use nats_auth::jetstream as rules;
use nats_auth::text_encoding::base64_decode;
use serde_json::{json, Value};

use super::{num, when, Js};
use crate::forms::{Choice, Field, FormError, FormErrors, TextArea};
use crate::monitoring::bytes;
use crate::pages::confirmed;
use crate::state::Console;

/// Keys shown at once.
const KEYS_PER_PAGE: usize = 50;

fn value_text(data: &Value) -> String {
    data.as_str()
        .and_then(|d| base64_decode(d.as_bytes()).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `KV-Operation` of a stored entry (`PUT` when absent).
fn operation(message: &Value) -> String {
    let headers = value_text(&message["hdrs"]);
    headers
        .lines()
        .find_map(|l| l.strip_prefix("KV-Operation:"))
        .map(|op| op.trim().to_string())
        .unwrap_or_else(|| "PUT".into())
}

/// The stream configuration of a new bucket, as the NATS clients make it.
fn bucket_config(
    name: &str,
    history: i64,
    ttl: i64,
    max_bytes: i64,
    storage: &str,
    replicas: i64,
) -> Value {
    json!({
        "name": format!("KV_{name}"),
        "subjects": [format!("$KV.{name}.>")],
        "max_msgs_per_subject": history,
        "max_age": ttl,
        "max_bytes": max_bytes,
        "max_msgs": -1,
        "max_msg_size": -1,
        "storage": storage,
        "num_replicas": replicas,
        "discard": "new",
        "retention": "limits",
        "allow_rollup_hdrs": true,
        "deny_delete": true,
        "allow_direct": true,
        "duplicate_window": if ttl > 0 && ttl < 120_000_000_000 { ttl } else { 120_000_000_000 },
    })
}

#[component]
pub fn KeyValue() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let buckets = RwSignal::new(Vec::<Value>::new());
    let open = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        js.changed.track();
        js.account.track();
        leptos::task::spawn_local(async move {
            match js.buckets("KV_", "$KV.>").await {
                Ok(found) => buckets.set(found),
                Err(e) => console.error(e),
            }
        });
    });
    let remove = move |name: String| {
        if !confirmed(&format!(
            "Delete bucket {name} with every key and its history?"
        )) {
            return;
        }
        leptos::task::spawn_local(async move {
            match js
                .api(&format!("STREAM.DELETE.KV_{name}"), Value::Null)
                .await
            {
                Ok(_) => {
                    open.set(None);
                    js.touch();
                    console.ok(format!("bucket {name} deleted"));
                }
                Err(e) => console.error(e),
            }
        });
    };
    view! {
        <div class="table-scroll" tabindex="0">
        <table id="kv-buckets">
            <thead><tr><th>"Bucket"</th><th>"Entries"</th><th>"Bytes"</th><th>"History"</th><th>"TTL"</th><th>"Storage"</th><th></th></tr></thead>
            <tbody>{move || buckets.get().into_iter().map(|s| {
                let name = s["config"]["name"].as_str().unwrap_or("").trim_start_matches("KV_").to_string();
                let (n1, n2) = (name.clone(), name.clone());
                let ttl = s["config"]["max_age"].as_i64().unwrap_or(0);
                view! {
                    <tr class="bucket" data-name=name.clone()>
                        <td><button class="link" on:click=move |_| open.set(Some(n1.clone()))>{name.clone()}</button></td>
                        <td class="num">{num(&s["state"]["messages"])}</td>
                        <td class="num">{bytes(s["state"]["bytes"].as_f64().unwrap_or(0.0))}</td>
                        <td class="num">{num(&s["config"]["max_msgs_per_subject"])}</td>
                        <td>{if ttl > 0 { rules::format_duration(ttl) } else { "none".into() }}</td>
                        <td>{s["config"]["storage"].as_str().unwrap_or("").to_string()}", R"{num(&s["config"]["num_replicas"])}</td>
                        <td class="actions"><button class="danger" on:click=move |_| remove(n2.clone())>"Delete"</button></td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        </div>
        <NewBucket/>
        {move || open.get().map(|bucket| view! { <Bucket bucket/> })}
    }
}

#[component]
fn NewBucket() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let name = RwSignal::new(String::new());
    let history = RwSignal::new("1".to_string());
    let ttl = RwSignal::new(String::new());
    let max_bytes = RwSignal::new(String::new());
    let storage = RwSignal::new("file".to_string());
    let replicas = RwSignal::new("1".to_string());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let made = (|| -> Result<(String, Value), FormError> {
            let bucket = name.get_untracked().trim().to_string();
            rules::check_bucket_name(&bucket).map_err(|e| FormError::at("kv-name", e))?;
            let history: i64 = match history.get_untracked().trim().parse() {
                Ok(h) if (1..=64).contains(&h) => h,
                _ => {
                    return Err(FormError::at(
                        "kv-history",
                        "history: 1 to 64 values per key",
                    ))
                }
            };
            let ttl = rules::parse_duration(&ttl.get_untracked())
                .map_err(|e| FormError::at("kv-ttl", e))?;
            let max_bytes = crate::issue::parse_limit(&max_bytes.get_untracked())
                .map_err(|e| FormError::at("kv-max-bytes", e))?;
            let replicas: i64 = replicas
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| FormError::at("kv-replicas", "replicas: 1 to 5"))?;
            let config = bucket_config(
                &bucket,
                history,
                ttl,
                max_bytes,
                &storage.get_untracked(),
                replicas,
            );
            rules::check_stream_config(&config)
                .map_err(|e| FormError::at("kv-name", e.to_string()))?;
            Ok((bucket, config))
        })();
        let (bucket, config) = match made {
            Ok(m) => m,
            Err(e) => return errors.show(console, e),
        };
        leptos::task::spawn_local(async move {
            match js.api(&format!("STREAM.CREATE.KV_{bucket}"), config).await {
                Ok(_) => {
                    console.ok(format!("bucket {bucket} created"));
                    js.touch();
                }
                Err(e) => errors.show(console, FormError::at("kv-name", e)),
            }
        });
    };
    let storages = || {
        vec![
            ("file".to_string(), "file".to_string()),
            ("memory".into(), "memory".into()),
        ]
    };
    view! {
        <details id="kv-new">
            <summary>"New bucket"</summary>
            <form on:submit=submit>
                <Field id="kv-name" label="Bucket name" value=name errors/>
                <Field id="kv-history" label="History (values kept per key, 1 to 64)" value=history errors/>
                <Field id="kv-ttl" label="Values expire after (empty: never)" value=ttl errors/>
                <Field id="kv-max-bytes" label="Max bytes" value=max_bytes errors placeholder="unlimited"/>
                <Choice id="kv-storage" label="Storage" value=storage options=storages errors/>
                <Field id="kv-replicas" label="Replicas" value=replicas errors/>
                <button type="submit" id="kv-create">"Create bucket"</button>
            </form>
        </details>
    }
}

/// One bucket: its keys, a key's value and history, writes, and a live watch.
#[component]
fn Bucket(bucket: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let bucket = StoredValue::new(bucket);
    let filter = RwSignal::new(String::new());
    let keys = RwSignal::new(Vec::<String>::new());
    let page = RwSignal::new(0usize);
    let entries = RwSignal::new(Vec::<(String, Value)>::new());
    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let revision = RwSignal::new(None::<u64>);
    let history = RwSignal::new(Vec::<Value>::new());
    let watched = RwSignal::new(Vec::<Value>::new());
    let watch_state = RwSignal::new(String::new());
    // the keys: the bucket's subjects (those with a message left), filtered
    let load_keys = move || {
        let b = bucket.get_value();
        let wanted = filter.get_untracked().trim().to_string();
        leptos::task::spawn_local(async move {
            let subjects = if wanted.is_empty() {
                format!("$KV.{b}.>")
            } else {
                format!("$KV.{b}.{wanted}")
            };
            if let Err(e) = rules::check_subject(&subjects, true) {
                return errors.show(console, FormError::at("kv-filter", e));
            }
            match js
                .api(
                    &format!("STREAM.INFO.KV_{b}"),
                    json!({ "subjects_filter": subjects }),
                )
                .await
            {
                Ok(v) => {
                    let prefix = format!("$KV.{b}.");
                    let mut found: Vec<String> = v["state"]["subjects"]
                        .as_object()
                        .map(|m| {
                            m.keys()
                                .filter_map(|s| s.strip_prefix(&prefix).map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    found.sort();
                    keys.set(found);
                    page.set(0);
                }
                Err(e) => console.error(e),
            }
        });
    };
    Effect::new(move |_| {
        js.changed.track();
        load_keys();
    });
    // the latest entry of each key on the page shown
    Effect::new(move |_| {
        let shown: Vec<String> = keys.with(|k| {
            k.iter()
                .skip(page.get() * KEYS_PER_PAGE)
                .take(KEYS_PER_PAGE)
                .cloned()
                .collect()
        });
        let b = bucket.get_value();
        leptos::task::spawn_local(async move {
            let mut found = Vec::with_capacity(shown.len());
            for k in shown {
                let last = js
                    .api(
                        &format!("STREAM.MSG.GET.KV_{b}"),
                        json!({ "last_by_subj": format!("$KV.{b}.{k}") }),
                    )
                    .await;
                if let Ok(v) = last {
                    found.push((k, v["message"].clone()));
                }
            }
            entries.set(found);
        });
    });
    // shows key `k`: its latest value and its history (`after_write`: a write just said how it
    // went, and that stays the message)
    let show = move |k: String, after_write: bool| {
        let b = bucket.get_value();
        leptos::task::spawn_local(async move {
            match js
                .api(
                    &format!("STREAM.MSG.GET.KV_{b}"),
                    json!({ "last_by_subj": format!("$KV.{b}.{k}") }),
                )
                .await
            {
                Ok(v) => {
                    let m = &v["message"];
                    key.set(k.clone());
                    value.set(value_text(&m["data"]));
                    revision.set(m["seq"].as_u64());
                    if operation(m) != "PUT" && !after_write {
                        console.ok(format!("{k} is deleted (revision {})", num(&m["seq"])));
                    }
                }
                Err(e) => console.error(e),
            }
            match js
                .get(&format!(
                    "/streams/KV_{b}/messages?subject={}&limit=64",
                    js_sys::encode_uri_component(&format!("$KV.{b}.{k}"))
                ))
                .await
            {
                Ok(v) => history.set(v["messages"].as_array().cloned().unwrap_or_default()),
                Err(e) => console.error(e),
            }
        });
    };
    // a write: a publish to the key's subject with the clients' headers
    let write = move |what: &'static str| {
        errors.clear();
        let b = bucket.get_value();
        let k = key.get_untracked().trim().to_string();
        if let Err(e) = rules::check_kv_key(&k) {
            return errors.show(console, FormError::at("kv-key", e));
        }
        let mut headers = Vec::new();
        let mut data = value.get_untracked();
        match what {
            "create" => headers.push(json!(["Nats-Expected-Last-Subject-Sequence", "0"])),
            "update" => match revision.get_untracked() {
                Some(r) => headers.push(json!([
                    "Nats-Expected-Last-Subject-Sequence",
                    r.to_string()
                ])),
                None => {
                    return errors.show(
                        console,
                        FormError::at(
                            "kv-key",
                            "get the key first: an update is from the revision shown",
                        ),
                    )
                }
            },
            "delete" => {
                headers.push(json!(["KV-Operation", "DEL"]));
                data.clear();
            }
            "purge" => {
                if !confirmed(&format!(
                    "Purge {k}: its whole history goes, a purge marker stays?"
                )) {
                    return;
                }
                headers.push(json!(["KV-Operation", "PURGE"]));
                headers.push(json!(["Nats-Rollup", "sub"]));
                data.clear();
            }
            _ => {}
        }
        let body = json!({"subject": format!("$KV.{b}.{k}"), "headers": headers, "data": data});
        leptos::task::spawn_local(async move {
            match js.post("/publish", body).await {
                Ok(ack) => {
                    revision.set(ack["seq"].as_u64());
                    console.ok(format!("{what} {k}: revision {}", num(&ack["seq"])));
                    js.touch();
                    show(k, true);
                }
                Err(e) => errors.show(console, FormError::at("kv-key", e)),
            }
        });
    };
    let revert = move |old: Value| {
        value.set(value_text(&old["data"]));
        write("put");
    };
    let watch = move |_| {
        watched.set(Vec::new());
        let url = js.url(&format!("/kv/{}/watch", bucket.get_value()));
        super::listen(
            &url,
            &["entry"],
            move |e| {
                watched.update(|w| {
                    w.insert(0, e);
                    w.truncate(100);
                })
            },
            watch_state,
        );
    };
    let total = move || keys.with(Vec::len);
    view! {
        <section aria-labelledby="kv-bucket-title">
            <h3 id="kv-bucket-title">"Bucket "{bucket.get_value()}</h3>
            <form class="inline" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load_keys(); }>
                <Field id="kv-filter" label="Keys matching (wildcards allowed; empty: all)" value=filter errors/>
                <button type="submit" class="secondary">"Filter"</button>
            </form>
            <div class="table-scroll" tabindex="0">
            <table id="kv-keys">
                <thead><tr><th>"Key"</th><th>"Value"</th><th>"Revision"</th><th>"Operation"</th><th>"Time"</th></tr></thead>
                <tbody>{move || entries.get().into_iter().map(|(k, m)| {
                    let op = operation(&m);
                    let shown = k.clone();
                    view! {
                        <tr class="kv-key" data-key=k.clone()>
                            <td><button class="link" on:click=move |_| show(shown.clone(), false)>{k.clone()}</button></td>
                            <td>{value_text(&m["data"])}</td>
                            <td class="num">{num(&m["seq"])}</td>
                            <td>{op}</td>
                            <td>{when(&m["time"])}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            </div>
            <p class="muted">{move || format!("{} keys", total())}
                {move || (page.get() > 0).then(|| view! { " " <button class="secondary" on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button> })}
                {move || ((page.get() + 1) * KEYS_PER_PAGE < total()).then(|| view! { " " <button class="secondary" on:click=move |_| page.update(|p| *p += 1)>"Next"</button> })}
            </p>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); write("put"); }>
                <Field id="kv-key" label="Key" value=key errors/>
                <TextArea id="kv-value" label="Value" value=value errors/>
                <p class="muted">{move || revision.get().map(|r| format!("Revision shown: {r}"))}</p>
                <div class="buttons">
                    <button type="submit" id="kv-put">"Put"</button>
                    <button type="button" class="secondary" on:click=move |_| show(key.get_untracked().trim().to_string(), false)>"Get"</button>
                    <button type="button" class="secondary" id="kv-create-key" on:click=move |_| write("create")>"Create (only if absent)"</button>
                    <button type="button" class="secondary" id="kv-update" on:click=move |_| write("update")>"Update (from this revision)"</button>
                    <button type="button" class="danger" id="kv-delete" on:click=move |_| write("delete")>"Delete"</button>
                    <button type="button" class="danger" id="kv-purge" on:click=move |_| write("purge")>"Purge"</button>
                </div>
            </form>
            <Show when=move || !history.with(Vec::is_empty)>
                <table id="kv-history">
                    <caption>"History of "{move || key.get()}</caption>
                    <thead><tr><th>"Revision"</th><th>"Operation"</th><th>"Value"</th><th>"Time"</th><th></th></tr></thead>
                    <tbody>{move || history.get().into_iter().rev().map(|m| {
                        let old = m.clone();
                        let is_put = operation(&m) == "PUT";
                        view! {
                            <tr>
                                <td class="num">{num(&m["seq"])}</td><td>{operation(&m)}</td><td>{value_text(&m["data"])}</td><td>{when(&m["time"])}</td>
                                <td>{is_put.then(|| view! { <button class="secondary" on:click=move |_| revert(old.clone())>"Revert to this"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            </Show>
            <p><button class="secondary" id="kv-watch" on:click=watch>"Watch live"</button>" "<span id="kv-watch-state">{move || watch_state.get()}</span></p>
            <ul id="kv-watched">{move || watched.get().into_iter().map(|e| view! {
                <li>{e["operation"].as_str().unwrap_or("").to_string()}" "{e["key"].as_str().unwrap_or("").to_string()}
                    " = "{value_text(&e["value"])}" (revision "{num(&e["revision"])}")"</li>
            }).collect_view()}</ul>
        </section>
    }
}
