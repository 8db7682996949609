//! Live events (admins): client connects and disconnects (with the reason), authentication
//! errors, server stats, lame duck and shutdown notices, account connection counts; filtered by
//! type, account and server; cuts in the feed are shown where they happened.

use leptos::prelude::*;
use serde_json::Value;

use crate::monitoring::events::TYPES;
use crate::state::Console;

fn summary(e: &Value) -> String {
    let client = &e["event"]["client"];
    let who = || {
        format!(
            "cid {} {} {} from {}",
            client["id"],
            client["name"].as_str().unwrap_or(""),
            crate::issue::short(client["user"].as_str().unwrap_or("")),
            client["host"].as_str().unwrap_or("")
        )
    };
    match e["type"].as_str().unwrap_or("") {
        "connect" => who(),
        "disconnect" | "auth_error" => format!(
            "{} — {}",
            who(),
            e["event"]["reason"].as_str().unwrap_or("")
        ),
        "statsz" => {
            let s = &e["event"]["statsz"];
            format!(
                "{} connections, {} subscriptions, cpu {} %, mem {}",
                s["connections"],
                s["subscriptions"],
                s["cpu"],
                crate::monitoring::bytes(s["mem"].as_f64().unwrap_or(0.0))
            )
        }
        "account_conns" => format!(
            "{} connections, {} leaf nodes",
            e["event"]["conns"], e["event"]["leafnodes"]
        ),
        "cut" => e["reason"]
            .as_str()
            .unwrap_or("events were lost")
            .to_string(),
        _ => String::new(),
    }
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let live = console.events;
    Effect::new(move |_| {
        if console
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
        {
            live.start();
        }
    });
    let shown = RwSignal::new(
        TYPES
            .iter()
            .filter(|t| **t != "statsz")
            .map(|t| t.to_string())
            .collect::<Vec<_>>(),
    );
    let account = RwSignal::new(String::new());
    let server = RwSignal::new(String::new());
    let wanted = move |e: &Value| {
        let kind = e["type"].as_str().unwrap_or("");
        (kind == "cut" || shown.with(|s| s.iter().any(|t| t == kind)))
            && account
                .with(|a| a.is_empty() || e["account"].as_str().unwrap_or("").contains(a.trim()))
            && server
                .with(|s| s.is_empty() || e["server"].as_str().unwrap_or("").contains(s.trim()))
    };
    view! {
        <section>
            <h2>"Live events"</h2>
            <Show when=move || console.session.with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
                fallback=|| view! { <p>"Live events are for admins: sign in with a key of the system account."</p> }>
                <p id="events-state" role="status">{move || live.state.get()}</p>
                <fieldset><legend>"Types"</legend>
                    {TYPES.map(|t| view! {
                        <label class="inline-check"><input type="checkbox" name="event-type" value=t
                            prop:checked=move || shown.with(|s| s.iter().any(|x| x == t))
                            on:change=move |ev| { let on = event_target_checked(&ev); shown.update(|s| { s.retain(|x| x != t); if on { s.push(t.to_string()) } }) }/>
                        {t}</label>
                    })}
                </fieldset>
                <label for="events-account">"Account"</label>
                <input id="events-account" prop:value=move || account.get() on:input=move |ev| account.set(event_target_value(&ev))/>
                <label for="events-server">"Server"</label>
                <input id="events-server" prop:value=move || server.get() on:input=move |ev| server.set(event_target_value(&ev))/>
                <div class="table-scroll" tabindex="0">
                <table id="events">
                    <thead><tr><th>"time"</th><th>"type"</th><th>"server"</th><th>"account"</th><th>"what"</th></tr></thead>
                    <tbody>
                        {move || live.events.with(|all| all.iter().filter(|e| wanted(e)).take(300).map(|e| {
                            let time = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(e["time"].as_f64().unwrap_or(0.0) * 1000.0));
                            let kind = e["type"].as_str().unwrap_or("").to_string();
                            let class = if kind == "cut" { "warning" } else { "" };
                            let data_type = kind.clone();
                            view! {
                                <tr data-type=data_type class=class>
                                    <td>{String::from(time.to_locale_time_string("en-GB"))}</td>
                                    <td>{kind}</td>
                                    <td>{e["server"].as_str().unwrap_or("").to_string()}</td>
                                    <td class="key">{crate::issue::short(e["account"].as_str().unwrap_or(""))}</td>
                                    <td>{summary(e)}</td>
                                </tr>
                            }
                        }).collect_view())}
                    </tbody>
                </table>
                </div>
            </Show>
        </section>
    }
}
