//! A stream's messages: pages read with `STREAM.MSG.GET` by the console (no consumer sees them,
//! so work-queue and interest streams stay as they are), from a sequence or a time, on one
//! subject or all; each message's headers, and its payload as text, JSON or hex; remove one;
//! publish one (with headers); export a range as JSON Lines.

use leptos::prelude::*;
use nats_auth::jetstream as rules;
use nats_auth::text_encoding::base64_decode;
use serde_json::{json, Value};

use super::{num, when, Js};
use crate::forms::{Field, FormError, FormErrors, TextArea};
use crate::pages::confirmed;
use crate::state::Console;

/// Messages per page.
const PAGE: usize = 25;

fn decoded(v: &Value) -> Vec<u8> {
    v.as_str()
        .and_then(|t| base64_decode(t.as_bytes()).ok())
        .unwrap_or_default()
}

/// The payload as text, pretty JSON, or hex.
fn payload_text(bytes: &[u8], mode: &str) -> String {
    match mode {
        "hex" => bytes
            .chunks(16)
            .enumerate()
            .map(|(i, row)| {
                let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
                format!("{:08x}  {}", i * 16, hex.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        "json" => match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(e) => format!("(not JSON: {e})"),
        },
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Header lines of a NATS header block (`NATS/1.0\r\nName: value\r\n…`), the version line
/// left out.
fn header_lines(block: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(block)
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// A browser `datetime-local` value (local time) as RFC 3339 UTC.
fn local_to_rfc3339(text: &str) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(text));
    (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
}

#[component]
pub fn Messages(stream: String) -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let stream = StoredValue::new(stream);
    let from_seq = RwSignal::new("1".to_string());
    let from_time = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let page = RwSignal::new(None::<Value>);
    let open = RwSignal::new(None::<u64>);
    let mode = RwSignal::new("text".to_string());
    // the query of the page shown: start and filter
    let query = move || -> Result<String, FormError> {
        let filter = subject.get_untracked().trim().to_string();
        let mut q = String::new();
        if !filter.is_empty() {
            rules::check_subject(&filter, true).map_err(|e| FormError::at("msg-subject", e))?;
            q.push_str(&format!(
                "&subject={}",
                js_sys::encode_uri_component(&filter)
            ));
        }
        let time = from_time.get_untracked();
        if !time.trim().is_empty() {
            let t = local_to_rfc3339(&time)
                .ok_or_else(|| FormError::at("msg-time", "not a date and time"))?;
            q.push_str(&format!("&time={}", js_sys::encode_uri_component(&t)));
        } else {
            let seq = from_seq.get_untracked();
            let seq: u64 = seq.trim().parse().map_err(|_| {
                FormError::at(
                    "msg-seq",
                    format!("\"{}\" is not a sequence number", seq.trim()),
                )
            })?;
            q.push_str(&format!("&seq={seq}"));
        }
        Ok(q)
    };
    let load = move |q: String| {
        let name = stream.get_value();
        leptos::task::spawn_local(async move {
            match js
                .get(&format!("/streams/{name}/messages?limit={PAGE}{q}"))
                .await
            {
                Ok(v) => page.set(Some(v)),
                Err(e) => console.error(e),
            }
        });
    };
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        match query() {
            Ok(q) => load(q),
            Err(e) => errors.show(console, e),
        }
    };
    Effect::new(move |_| {
        js.changed.track();
        if let Ok(q) = query() {
            load(q);
        }
    });
    let next_page = move |next: u64| {
        from_seq.set(next.to_string());
        from_time.set(String::new());
        if let Ok(q) = query() {
            load(q);
        }
    };
    let remove = move |seq: u64| {
        let name = stream.get_value();
        if !confirmed(&format!(
            "Remove message {seq} from {name}? Its content is overwritten on disk."
        )) {
            return;
        }
        leptos::task::spawn_local(async move {
            match js
                .api(&format!("STREAM.MSG.DELETE.{name}"), json!({ "seq": seq }))
                .await
            {
                Ok(_) => {
                    console.ok(format!("message {seq} removed"));
                    js.touch();
                }
                Err(e) => console.error(e),
            }
        });
    };
    let row = move |m: Value| {
        let seq = m["seq"].as_u64().unwrap_or(0);
        let data = decoded(&m["data"]);
        let headers = header_lines(&decoded(&m["hdrs"]));
        let size = data.len();
        let subject = m["subject"].as_str().unwrap_or("").to_string();
        let is_open = move || open.get() == Some(seq);
        let detail_data = data.clone();
        let detail_headers = headers.clone();
        view! {
            <tr class="message" data-seq=seq.to_string()>
                <td class="num">{seq}</td>
                <td>{when(&m["time"])}</td>
                <td>{subject}</td>
                <td class="num">{size}</td>
                <td class="num">{headers.len()}</td>
                <td class="actions">
                    <button class="secondary" on:click=move |_| open.set(if is_open() { None } else { Some(seq) })
                        aria-expanded=move || is_open().to_string()>{move || if is_open() { "Hide" } else { "Show" }}</button>
                    <button class="danger" on:click=move |_| remove(seq)>"Remove"</button>
                </td>
            </tr>
            <Show when=is_open>
                <tr class="message-detail"><td colspan="6">
                    {(!detail_headers.is_empty()).then(|| view! { <pre class="headers">{detail_headers.join("\n")}</pre> })}
                    <pre class="payload">{
                        let data = detail_data.clone();
                        move || payload_text(&data, &mode.get())
                    }</pre>
                </td></tr>
            </Show>
        }
    };
    let export_href = move || {
        let q = query().unwrap_or_default();
        js.url(&format!(
            "/streams/{}/export?{}",
            stream.get_value(),
            q.trim_start_matches('&')
        ))
    };
    view! {
        <form class="inline" on:submit=show>
            <Field id="msg-seq" label="From sequence" value=from_seq errors/>
            <label for="msg-time">"or from time"</label>
            <input id="msg-time" type="datetime-local" step="1" prop:value=move || from_time.get()
                on:input=move |ev| from_time.set(event_target_value(&ev))/>
            <Field id="msg-subject" label="Subject (empty: all)" value=subject errors/>
            <button type="submit" id="msg-show">"Show"</button>
        </form>
        <div role="radiogroup" aria-label="Payload as" class="tabs">
            {["text", "json", "hex"].map(|m| view! {
                <button class=move || if mode.get() == m { "" } else { "secondary" } aria-pressed=move || (mode.get() == m).to_string()
                    on:click=move |_| mode.set(m.to_string())>{m}</button>
            })}
        </div>
        {move || page.get().map(|p| {
            let messages: Vec<Value> = p["messages"].as_array().cloned().unwrap_or_default();
            let next = p["next"].as_u64();
            let empty = messages.is_empty();
            view! {
                <div class="table-scroll" tabindex="0">
                <table id="messages">
                    <thead><tr><th>"Seq"</th><th>"Time"</th><th>"Subject"</th><th>"Bytes"</th><th>"Headers"</th><th></th></tr></thead>
                    <tbody>{messages.into_iter().map(row).collect_view()}</tbody>
                </table>
                </div>
                {empty.then(|| view! { <p class="muted">"No messages from there on."</p> })}
                {next.map(|n| view! { <button class="secondary" id="msg-next" on:click=move |_| next_page(n)>"Next page (from "{n}")"</button> })}
            }
        })}
        <p><a id="msg-export" href=export_href download>"Export from here on as JSON Lines"</a></p>
        <Publish/>
    }
}

/// Publish one message (with headers) to a subject: the stream that takes it answers.
#[component]
fn Publish() -> impl IntoView {
    let js = expect_context::<Js>();
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let subject = RwSignal::new(String::new());
    let headers = RwSignal::new(String::new());
    let data = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let to = subject.get_untracked().trim().to_string();
        if let Err(e) = rules::check_subject(&to, false) {
            return errors.show(console, FormError::at("pub-subject", e));
        }
        let mut pairs = Vec::new();
        for line in headers
            .get_untracked()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let Some((name, value)) = line.split_once(':') else {
                return errors.show(
                    console,
                    FormError::at(
                        "pub-headers",
                        format!("\"{line}\": one Name: value per line"),
                    ),
                );
            };
            pairs.push(json!([name.trim(), value.trim()]));
        }
        let body = json!({"subject": to, "headers": pairs, "data": data.get_untracked()});
        leptos::task::spawn_local(async move {
            match js.post("/publish", body).await {
                Ok(ack) => {
                    console.ok(format!(
                        "published to {}: stream {}, sequence {}{}",
                        to,
                        ack["stream"].as_str().unwrap_or(""),
                        num(&ack["seq"]),
                        if ack["duplicate"] == true {
                            " (a duplicate)"
                        } else {
                            ""
                        }
                    ));
                    js.touch();
                }
                Err(e) => errors.show(console, FormError::at("pub-subject", e)),
            }
        });
    };
    view! {
        <details id="publish">
            <summary>"Publish a message"</summary>
            <form on:submit=submit>
                <Field id="pub-subject" label="Subject" value=subject errors/>
                <TextArea id="pub-headers" label="Headers (Name: value per line)" value=headers errors/>
                <TextArea id="pub-data" label="Payload" value=data rows=5 errors/>
                <button type="submit" id="pub-send">"Publish"</button>
            </form>
        </details>
    }
}
