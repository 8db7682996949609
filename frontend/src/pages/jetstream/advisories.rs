//! The account's JetStream advisories and metrics as they happen (`$JS.EVENT.ADVISORY.>`,
//! `$JS.EVENT.METRIC.>`; nats-server publishes them only while someone listens): the latest
//! 200, newest first.

use leptos::prelude::*;
use serde_json::Value;

use super::Js;

const KEPT: usize = 200;

/// What an advisory is about, in a few words: its subject without the common prefix.
fn about(subject: &str) -> String {
    subject
        .trim_start_matches("$JS.EVENT.ADVISORY.")
        .trim_start_matches("$JS.EVENT.METRIC.")
        .to_string()
}

#[component]
pub fn Advisories() -> impl IntoView {
    let js = expect_context::<Js>();
    let events = RwSignal::new(Vec::<Value>::new());
    let state = RwSignal::new("connecting…".to_string());
    super::listen(
        &js.url("/advisories"),
        &["advisory", "metric"],
        move |e| {
            events.update(|list| {
                list.insert(0, e);
                list.truncate(KEPT);
            })
        },
        state,
    );
    view! {
        <p class="muted">"Advisories of this account, live: "<span id="advisories-state">{move || state.get()}</span></p>
        <div class="table-scroll" tabindex="0">
        <table id="advisories">
            <thead><tr><th>"Time"</th><th>"Event"</th><th>"Type"</th><th>"Details"</th></tr></thead>
            <tbody>{move || events.get().into_iter().map(|e| {
                let event = &e["event"];
                view! {
                    <tr class="advisory">
                        <td>{super::when(&event["timestamp"])}</td>
                        <td>{about(e["subject"].as_str().unwrap_or(""))}</td>
                        <td>{event["type"].as_str().unwrap_or("").trim_start_matches("io.nats.jetstream.").to_string()}</td>
                        <td><code>{event["action"].as_str().or_else(|| event["stream"].as_str()).unwrap_or("").to_string()}</code></td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        </div>
    }
}
