//! Backups: a stream's snapshot as two files (`<stream>.backup.json`, the `{config, state}`
//! a restore takes, and `<stream>.snapshot`, the data the console streams from nats-server)
//! and its restore from them; the account's stream configurations as one JSON file, and
//! their re-creation from it.

use leptos::prelude::*;
use nats_auth::jetstream as rules;
use serde_json::{json, Value};
use wasm_bindgen::JsCast;

use super::Js;
use crate::forms::{FormError, FormErrors};
use crate::state::{download, Console};

/// Downloads `stream`'s backup: the JSON first, then the data (the console streams it).
#[component]
pub fn StreamBackup(stream: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let stream = StoredValue::new(stream);
    let backup = move |_| {
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            let info = match js.api(&format!("STREAM.INFO.{name}"), Value::Null).await {
                Ok(v) => v,
                Err(e) => return console.error(e),
            };
            if info["config"]["storage"] == "memory" {
                return console
                    .error("nats-server snapshots file streams only: this one is in memory");
            }
            let json = json!({"config": info["config"], "state": info["state"]});
            download(
                &format!("{name}.backup.json"),
                &serde_json::to_string_pretty(&json).unwrap_or_default(),
            );
            if let Some(anchor) = document()
                .create_element("a")
                .ok()
                .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
            {
                anchor.set_href(&js.url(&format!("/streams/{name}/snapshot")));
                anchor.set_download(&format!("{name}.snapshot"));
                anchor.click();
            }
            console.ok(format!(
                "backup of {name}: {name}.backup.json and {name}.snapshot"
            ));
        });
    };
    view! { <button class="secondary" id="stream-backup" on:click=backup>"Back up (two files)"</button> }
}

/// A file picked in an `<input type=file>`.
fn picked(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = event_target(ev);
    input.files().and_then(|f| f.get(0))
}

async fn file_text(file: &web_sys::File) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{} could not be read", file.name()))
}

/// Restore a stream from its two backup files; the stream must not exist.
#[component]
pub fn Restore() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let backup_file = StoredValue::new_local(None::<web_sys::File>);
    let data_file = StoredValue::new_local(None::<web_sys::File>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let (Some(backup), Some(data)) = (backup_file.get_value(), data_file.get_value()) else {
            return errors.show(
                console,
                FormError::at(
                    "restore-backup",
                    "pick both files: the backup JSON and the snapshot",
                ),
            );
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = async {
                let text = file_text(&backup)
                    .await
                    .map_err(|e| FormError::at("restore-backup", e))?;
                let json: Value = serde_json::from_str(&text).map_err(|e| {
                    FormError::at(
                        "restore-backup",
                        format!("{} is not JSON: {e}", backup.name()),
                    )
                })?;
                let config = json.get("config").ok_or_else(|| {
                    FormError::at(
                        "restore-backup",
                        format!(
                            "{} has no \"config\": it is not a stream backup",
                            backup.name()
                        ),
                    )
                })?;
                rules::check_stream_config(config)
                    .map_err(|e| FormError::at("restore-backup", format!("the backup's {e}")))?;
                let name = config["name"].as_str().unwrap_or_default().to_string();
                let header = nats_auth::text_encoding::base64url_encode(
                    json!({"config": config, "state": json["state"]})
                        .to_string()
                        .as_bytes(),
                );
                let response =
                    gloo_net::http::Request::post(&js.url(&format!("/streams/{name}/restore")))
                        .header("Nats-Snapshot", &header)
                        .header("Content-Type", "application/octet-stream")
                        .body(wasm_bindgen::JsValue::from(data.clone()))
                        .map_err(|e| FormError::from(e.to_string()))?
                        .send()
                        .await
                        .map_err(|e| FormError::from(e.to_string()))?;
                if !response.ok() {
                    return Err(FormError::at(
                        "restore-data",
                        crate::session::refusal_of(response).await,
                    ));
                }
                Ok(name)
            }
            .await;
            match outcome {
                Ok(name) => {
                    console.ok(format!("stream {name} restored"));
                    js.touch();
                }
                Err(e) => errors.show(console, e),
            }
            busy.set(false);
        });
    };
    view! {
        <details id="restore">
            <summary>"Restore a stream from a backup"</summary>
            <form on:submit=submit>
                <label for="restore-backup">"Backup JSON (<stream>.backup.json)"</label>
                <input type="file" id="restore-backup" accept=".json,application/json"
                    on:change=move |ev| backup_file.set_value(picked(&ev))/>
                {move || errors.message_for("restore-backup").map(|m| view! { <p class="field-error" id="restore-backup-error">{m}</p> })}
                <label for="restore-data">"Snapshot data (<stream>.snapshot)"</label>
                <input type="file" id="restore-data" on:change=move |ev| data_file.set_value(picked(&ev))/>
                {move || errors.message_for("restore-data").map(|m| view! { <p class="field-error" id="restore-data-error">{m}</p> })}
                <button type="submit" id="restore-go" disabled=move || busy.get()>{move || if busy.get() { "Restoring…" } else { "Restore" }}</button>
            </form>
        </details>
    }
}

/// Every stream's configuration as one file, and their re-creation from it (existing streams
/// are left as they are and named).
#[component]
pub fn AccountConfigs() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let name = RwSignal::new(String::new());
    let save = move |_| {
        leptos::task::spawn_local(async move {
            let mut configs = Vec::new();
            let mut offset = 0u64;
            loop {
                let page = match js.api("STREAM.LIST", json!({ "offset": offset })).await {
                    Ok(v) => v,
                    Err(e) => return console.error(e),
                };
                let streams = page["streams"].as_array().cloned().unwrap_or_default();
                offset += streams.len() as u64;
                configs.extend(streams.into_iter().map(|s| s["config"].clone()));
                if streams_done(&page, offset) {
                    break;
                }
            }
            let file = json!({"account": js.account.get_untracked(), "streams": configs});
            download(
                "streams.json",
                &serde_json::to_string_pretty(&file).unwrap_or_default(),
            );
            console.ok(format!("{} stream configurations saved", offset));
        });
    };
    let restore = move |ev: leptos::ev::Event| {
        errors.clear();
        let Some(file) = picked(&ev) else { return };
        leptos::task::spawn_local(async move {
            let parsed = file_text(&file).await.and_then(|t| {
                serde_json::from_str::<Value>(&t)
                    .map_err(|e| format!("{} is not JSON: {e}", file.name()))
            });
            let streams = match parsed.map(|v| v["streams"].as_array().cloned()) {
                Ok(Some(s)) => s,
                Ok(None) => {
                    return errors.show(
                        console,
                        FormError::at(
                            "configs-file",
                            "no \"streams\" list: not a saved set of configurations",
                        ),
                    )
                }
                Err(e) => return errors.show(console, FormError::at("configs-file", e)),
            };
            let (mut made, mut refused) = (0, Vec::new());
            for config in streams {
                let stream = config["name"].as_str().unwrap_or_default().to_string();
                if let Err(e) = rules::check_stream_config(&config) {
                    refused.push(format!("{stream}: {e}"));
                    continue;
                }
                match js.api(&format!("STREAM.CREATE.{stream}"), config).await {
                    Ok(_) => made += 1,
                    Err(e) => refused.push(format!("{stream}: {e}")),
                }
            }
            name.set(refused.join("; "));
            js.touch();
            if refused.is_empty() {
                console.ok(format!("{made} streams created"));
            } else {
                console.error(format!(
                    "{made} streams created, {} not: {}",
                    refused.len(),
                    refused.join("; ")
                ));
            }
        });
    };
    view! {
        <details id="account-backup">
            <summary>"All stream configurations"</summary>
            <button class="secondary" id="configs-save" on:click=save>"Save every stream's configuration"</button>
            <label for="configs-file">"Create streams from a saved file"</label>
            <input type="file" id="configs-file" accept=".json,application/json" on:change=restore/>
            {move || errors.message_for("configs-file").map(|m| view! { <p class="field-error">{m}</p> })}
            {move || (!name.get().is_empty()).then(|| view! { <p class="error" id="configs-refused">"Not created: "{name.get()}</p> })}
        </details>
    }
}

fn streams_done(page: &Value, seen: u64) -> bool {
    let total = page["total"].as_u64().unwrap_or(0);
    page["streams"].as_array().is_none_or(|s| s.is_empty()) || seen >= total
}
