//! The audit log (admins): who changed what, from where, when, filtered; the chain's head hash
//! to pin elsewhere, and the whole file to download (`nats-console audit verify` checks it).

use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::forms::Field;
use crate::state::Console;

fn query_part(name: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    let encoded: String = js_sys::encode_uri_component(value).into();
    format!("{name}={encoded}&")
}

/// Who an entry names: a person (name, role) or a key.
fn actor(entry: &Value) -> String {
    let a = &entry["actor"];
    match a["kind"].as_str() {
        Some("session") => format!(
            "{} ({})",
            a["name"].as_str().unwrap_or(""),
            a["role"].as_str().unwrap_or("")
        ),
        Some("signer") | Some("nats") => format!(
            "{} {}",
            a["kind"].as_str().unwrap_or(""),
            crate::issue::short(a["key"].as_str().unwrap_or(""))
        ),
        _ => "anonymous".into(),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let action = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Value>);
    let load = move || {
        let query = format!(
            "{}{}{}{}limit=200",
            query_part("action", &action.get_untracked()),
            query_part("actor", &who.get_untracked()),
            query_part("subject", &subject.get_untracked()),
            query_part("text", &text.get_untracked()),
        );
        leptos::task::spawn_local(async move {
            match api::get(&format!("/api/v1/audit?{query}")).await {
                Ok(v) => answer.set(Some(v)),
                Err(e) => {
                    answer.set(None);
                    console.error(e);
                }
            }
        });
    };
    Effect::new(move |_| {
        if console
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
        {
            load();
        }
    });
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load();
    };
    view! {
        <section>
            <h2>"Audit log"</h2>
            <Show when=move || console.session.with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
                fallback=|| view! { <p>"The audit log is for admins: sign in with a key of the system account."</p> }>
                <p class="muted">"Every change, sign-in and decision, with who, from where and when. Each entry holds the SHA-256 of the one before: pin the head hash elsewhere; nats-console audit verify --head HASH checks the file against it."</p>
                <p>"Head: entry "<span id="audit-head-seq">{move || answer.with(|a| a.as_ref().map(|a| a["head"]["seq"].to_string()).unwrap_or_default())}</span>
                   ", hash "<span id="audit-head" class="key">{move || answer.with(|a| a.as_ref().and_then(|a| a["head"]["hash"].as_str().map(str::to_string)).unwrap_or_default())}</span></p>
                <form on:submit=filter>
                    <Field id="audit-action" label="Action contains (e.g. account.pushed, session.)" value=action/>
                    <Field id="audit-actor" label="Actor contains (a name or key)" value=who/>
                    <Field id="audit-subject" label="Subject contains (an account or user key)" value=subject/>
                    <Field id="audit-text" label="Anything contains" value=text/>
                    <button type="submit">"Filter"</button>
                    " "
                    <a href="/api/v1/audit/download" download="audit.jsonl">"Download audit log"</a>
                </form>
                <div class="table-scroll" tabindex="0">
                <table id="audit-entries">
                    <tr><th>"#"</th><th>"When"</th><th>"Who"</th><th>"From"</th><th>"Action"</th><th>"Subject"</th><th>"Outcome"</th></tr>
                    {move || answer.get().map(|a| {
                        let mut entries = a["entries"].as_array().cloned().unwrap_or_default();
                        entries.reverse();
                        entries.into_iter().map(|e| view! {
                            <tr>
                                <td>{e["seq"].to_string()}</td>
                                <td>{e["time"].as_str().unwrap_or("").chars().take(19).collect::<String>()}</td>
                                <td>{actor(&e)}</td>
                                <td>{e["from"].as_str().unwrap_or("").to_string()}</td>
                                <td>{e["action"].as_str().unwrap_or("").to_string()}</td>
                                <td class="key">{crate::issue::short(e["subject"].as_str().unwrap_or(""))}</td>
                                <td>{e["outcome"].as_str().unwrap_or("").to_string()}</td>
                            </tr>
                        }).collect_view()
                    })}
                </table>
                </div>
            </Show>
        </section>
    }
}
