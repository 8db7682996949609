//! Object store buckets (the streams `OBJ_<bucket>`, as every client makes them): create,
//! seal, delete; objects listed with their metadata; upload with progress (the file read and
//! hashed a chunk at a time, each chunk published to `$O.<bucket>.C.<nuid>`, then the metadata
//! to `$O.<bucket>.M.<name>` as the clients write it), download (streamed by the console),
//! delete.

use leptos::prelude::*;
use nats_auth::jetstream as rules;
use nats_auth::text_encoding::{base64_decode, base64_encode, base64url_encode};
use serde_json::{json, Value};
use sha2::Digest;

use super::{num, when, Js};
use crate::forms::{Field, FormError, FormErrors};
use crate::monitoring::bytes;
use crate::pages::confirmed;
use crate::state::Console;

/// The clients' chunk size.
const CHUNK: f64 = 128.0 * 1024.0;

/// base64url with padding (Go's `URLEncoding`): object names in subjects, digests.
fn base64url_padded(bytes: &[u8]) -> String {
    let mut text = base64url_encode(bytes);
    while !text.len().is_multiple_of(4) {
        text.push('=');
    }
    text
}

/// A new object's id: 22 random base62 characters, as a NUID.
fn nuid() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = [0u8; 22];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % 62] as char)
        .collect()
}

fn meta_subject(bucket: &str, name: &str) -> String {
    format!("$O.{bucket}.M.{}", base64url_padded(name.as_bytes()))
}

#[component]
pub fn Objects() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let buckets = RwSignal::new(Vec::<Value>::new());
    let open = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    Effect::new(move |_| {
        js.changed.track();
        js.account.track();
        leptos::task::spawn_local(async move {
            match js.buckets("OBJ_", "$O.>").await {
                Ok(found) => buckets.set(found),
                Err(e) => console.error(e),
            }
        });
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let name = new_name.get_untracked().trim().to_string();
        if let Err(e) = rules::check_bucket_name(&name) {
            return errors.show(console, FormError::at("obj-name", e));
        }
        let config = json!({
            "name": format!("OBJ_{name}"),
            "subjects": [format!("$O.{name}.C.>"), format!("$O.{name}.M.>")],
            "max_age": 0, "max_bytes": -1, "max_msgs": -1, "max_msg_size": -1,
            "storage": "file", "num_replicas": 1, "discard": "new", "retention": "limits",
            "allow_rollup_hdrs": true, "allow_direct": true,
        });
        leptos::task::spawn_local(async move {
            match js.api(&format!("STREAM.CREATE.OBJ_{name}"), config).await {
                Ok(_) => {
                    console.ok(format!("object bucket {name} created"));
                    js.touch();
                }
                Err(e) => errors.show(console, FormError::at("obj-name", e)),
            }
        });
    };
    let act = move |name: String, what: &'static str| {
        leptos::task::spawn_local(async move {
            let stream = format!("OBJ_{name}");
            let done = match what {
                "delete" => {
                    if !confirmed(&format!("Delete object bucket {name} with every object?")) {
                        return;
                    }
                    js.api(&format!("STREAM.DELETE.{stream}"), Value::Null)
                        .await
                }
                _ => {
                    if !confirmed(&format!(
                        "Seal {name}? Nothing can be added, changed or deleted afterwards."
                    )) {
                        return;
                    }
                    match js.api(&format!("STREAM.INFO.{stream}"), Value::Null).await {
                        Ok(info) => {
                            let mut config = info["config"].clone();
                            config["sealed"] = json!(true);
                            js.api(&format!("STREAM.UPDATE.{stream}"), config).await
                        }
                        Err(e) => Err(e),
                    }
                }
            };
            match done {
                Ok(_) => {
                    console.ok(format!("object bucket {name}: {what} done"));
                    if what == "delete" {
                        open.set(None);
                    }
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    view! {
        <div class="table-scroll" tabindex="0">
        <table id="obj-buckets">
            <thead><tr><th>"Bucket"</th><th>"Bytes"</th><th>"Sealed"</th><th></th></tr></thead>
            <tbody>{move || buckets.get().into_iter().map(|s| {
                let name = s["config"]["name"].as_str().unwrap_or("").trim_start_matches("OBJ_").to_string();
                let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
                view! {
                    <tr class="obj-bucket" data-name=name.clone()>
                        <td><button class="link" on:click=move |_| open.set(Some(n1.clone()))>{name.clone()}</button></td>
                        <td class="num">{bytes(s["state"]["bytes"].as_f64().unwrap_or(0.0))}</td>
                        <td>{if s["config"]["sealed"] == true { "sealed" } else { "" }}</td>
                        <td class="actions">
                            <button class="secondary" on:click=move |_| act(n2.clone(), "seal")>"Seal"</button>
                            <button class="danger" on:click=move |_| act(n3.clone(), "delete")>"Delete"</button>
                        </td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        </div>
        <form class="inline" on:submit=create>
            <Field id="obj-name" label="New bucket" value=new_name errors/>
            <button type="submit" id="obj-create">"Create bucket"</button>
        </form>
        {move || open.get().map(|bucket| view! { <Bucket bucket/> })}
    }
}

/// A stored object's metadata, from its message.
fn meta_of(message: &Value) -> Option<Value> {
    let data = base64_decode(message["data"].as_str()?.as_bytes()).ok()?;
    serde_json::from_slice(&data).ok()
}

#[component]
fn Bucket(bucket: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let bucket = StoredValue::new(bucket);
    let objects = RwSignal::new(Vec::<Value>::new());
    let progress = RwSignal::new(None::<(String, f64, f64)>);
    Effect::new(move |_| {
        js.changed.track();
        let b = bucket.get_value();
        leptos::task::spawn_local(async move {
            let subjects = format!("$O.{b}.M.>");
            let names = match js
                .api(
                    &format!("STREAM.INFO.OBJ_{b}"),
                    json!({ "subjects_filter": subjects }),
                )
                .await
            {
                Ok(v) => v["state"]["subjects"]
                    .as_object()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default(),
                Err(e) => return console.error(e),
            };
            let mut found = Vec::new();
            for subject in names.into_iter().take(500) {
                if let Ok(v) = js
                    .api(
                        &format!("STREAM.MSG.GET.OBJ_{b}"),
                        json!({ "last_by_subj": subject }),
                    )
                    .await
                {
                    if let Some(meta) = meta_of(&v["message"]).filter(|m| m["deleted"] != true) {
                        found.push(meta);
                    }
                }
            }
            found.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
            objects.set(found);
        });
    });
    let upload = move |file: web_sys::File| {
        let b = bucket.get_value();
        let name = file.name();
        let size = file.size();
        leptos::task::spawn_local(async move {
            let id = nuid();
            let mut hasher = sha2::Sha256::new();
            let mut at = 0.0;
            let mut chunks = 0u64;
            progress.set(Some((name.clone(), 0.0, size)));
            while at < size {
                let end = (at + CHUNK).min(size);
                let part = match file.slice_with_f64_and_f64(at, end) {
                    Ok(p) => p,
                    Err(_) => return console.error("the file could not be read"),
                };
                let buffer = match wasm_bindgen_futures::JsFuture::from(part.array_buffer()).await {
                    Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                    Err(_) => return console.error("the file could not be read"),
                };
                hasher.update(&buffer);
                let body = json!({"subject": format!("$O.{b}.C.{id}"), "data": base64_encode(&buffer), "base64": true});
                if let Err(e) = js.post("/publish", body).await {
                    progress.set(None);
                    // what was sent of this upload goes again
                    let _ = js
                        .api(
                            &format!("STREAM.PURGE.OBJ_{b}"),
                            json!({ "filter": format!("$O.{b}.C.{id}") }),
                        )
                        .await;
                    return console.error(format!("{name} not uploaded: {e}"));
                }
                chunks += 1;
                at = end;
                progress.set(Some((name.clone(), at, size)));
            }
            let previous = js
                .api(
                    &format!("STREAM.MSG.GET.OBJ_{b}"),
                    json!({ "last_by_subj": meta_subject(&b, &name) }),
                )
                .await
                .ok()
                .and_then(|v| meta_of(&v["message"]));
            let mtime = String::from(js_sys::Date::new_0().to_iso_string());
            let meta = json!({
                "name": name, "bucket": b, "nuid": id, "size": size as u64, "mtime": mtime,
                "chunks": chunks, "digest": format!("SHA-256={}", base64url_padded(&hasher.finalize())),
            });
            let body = json!({"subject": meta_subject(&b, &name), "headers": [["Nats-Rollup", "sub"]], "data": meta.to_string()});
            match js.post("/publish", body).await {
                Ok(_) => {
                    // a replaced object's chunks go
                    if let Some(old) = previous.and_then(|p| p["nuid"].as_str().map(str::to_string))
                    {
                        let _ = js
                            .api(
                                &format!("STREAM.PURGE.OBJ_{b}"),
                                json!({ "filter": format!("$O.{b}.C.{old}") }),
                            )
                            .await;
                    }
                    console.ok(format!("{name} uploaded ({chunks} chunks)"));
                    js.touch();
                }
                Err(e) => console.error(format!("{name} not uploaded: {e}")),
            }
            progress.set(None);
        });
    };
    let delete = move |meta: Value| {
        let b = bucket.get_value();
        let name = meta["name"].as_str().unwrap_or_default().to_string();
        if !confirmed(&format!("Delete object {name}?")) {
            return;
        }
        leptos::task::spawn_local(async move {
            let nuid = meta["nuid"].as_str().unwrap_or_default();
            let mut gone = meta.clone();
            gone["deleted"] = json!(true);
            gone["size"] = json!(0);
            gone["chunks"] = json!(0);
            gone["digest"] = json!("");
            let body = json!({"subject": meta_subject(&b, &name), "headers": [["Nats-Rollup", "sub"]], "data": gone.to_string()});
            let done = match js.post("/publish", body).await {
                Ok(_) => {
                    js.api(
                        &format!("STREAM.PURGE.OBJ_{b}"),
                        json!({ "filter": format!("$O.{b}.C.{nuid}") }),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            match done {
                Ok(_) => {
                    console.ok(format!("object {name} deleted"));
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    view! {
        <section aria-labelledby="obj-bucket-title">
            <h3 id="obj-bucket-title">"Objects in "{bucket.get_value()}</h3>
            <label class="file-picker">"Upload a file"
                <input type="file" id="obj-upload" on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        upload(file);
                    }
                    input.set_value("");
                }/>
            </label>
            {move || progress.get().map(|(name, done, size)| view! {
                <p id="obj-progress">"Uploading "{name}": "
                    <progress max=size value=done></progress>" "{format!("{:.0} %", if size > 0.0 { done * 100.0 / size } else { 100.0 })}</p>
            })}
            <div class="table-scroll" tabindex="0">
            <table id="objects">
                <thead><tr><th>"Name"</th><th>"Size"</th><th>"Chunks"</th><th>"Modified"</th><th>"Digest"</th><th></th></tr></thead>
                <tbody>{move || objects.get().into_iter().map(|meta| {
                    let name = meta["name"].as_str().unwrap_or("").to_string();
                    let href = js.url(&format!("/objects/{}/{}", bucket.get_value(), js_sys::encode_uri_component(&name)));
                    let gone = meta.clone();
                    view! {
                        <tr class="object" data-name=name.clone()>
                            <td>{name.clone()}</td>
                            <td class="num">{bytes(meta["size"].as_f64().unwrap_or(0.0))}</td>
                            <td class="num">{num(&meta["chunks"])}</td>
                            <td>{when(&meta["mtime"])}</td>
                            <td><code>{meta["digest"].as_str().unwrap_or("").to_string()}</code></td>
                            <td class="actions">
                                <a href=href download=name.clone()>"Download"</a>" "
                                <button class="danger" on:click=move |_| delete(gone.clone())>"Delete"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            </div>
        </section>
    }
}
