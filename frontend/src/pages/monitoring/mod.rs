//! The on-call engineer's pages: home, servers, overview with an hour of charts, the
//! cluster's connections, routes and the rest of the monitoring endpoints, live events.

pub mod cluster;
pub mod connections;
pub mod events;
pub mod home;
pub mod overview;
pub mod servers;

use leptos::prelude::*;
use serde_json::Value;

use crate::monitoring::{direct, Monitor, INTERVALS};
use crate::state::Console;

/// Starts polling (once) and gives the monitor.
pub fn monitor() -> Monitor {
    let console = expect_context::<Console>();
    console.monitor.start(console);
    console.monitor
}

/// Where the data comes from: monitor URLs (direct) or the console; the poll interval.
#[component]
pub fn MonitorSettings() -> impl IntoView {
    let console = expect_context::<Console>();
    let monitor = console.monitor;
    let text = RwSignal::new(monitor.urls.get_untracked().join("\n"));
    let problem = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match monitor.set_urls(&text.get_untracked()) {
            Ok(0) => {
                problem.set(None);
                console.ok("watching the cluster through the console");
            }
            Ok(n) => {
                problem.set(None);
                console.ok(format!("polling {n} monitor URL(s) from this browser"));
            }
            Err(e) => problem.set(Some(e)),
        }
        let console = console;
        leptos::task::spawn_local(async move { monitor.poll(console).await });
    };
    view! {
        <details class="settings">
            <summary>"Source and poll interval"</summary>
            <form on:submit=save>
                <label for="monitor-urls">"Monitor URLs (one per line; empty: through the console as the signed-in session)"</label>
                <textarea id="monitor-urls" rows="3" placeholder="http://127.0.0.1:8222"
                    aria-invalid=move || problem.with(|p| p.is_some()).then_some("true")
                    aria-describedby="monitor-urls-error"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p id="monitor-urls-error" class="field-error">{move || problem.get()}</p>
                <p class="muted">"Each URL is reached by CORS (nats-server 2.9.22+) or JSONP (older servers), found out once and remembered; a path is the server's http_base_path."</p>
                <label for="monitor-interval">"Poll every"</label>
                <select id="monitor-interval" on:change=move |ev| {
                    if let Ok(s) = event_target_value(&ev).parse() { monitor.set_interval(s) }
                }>
                    {INTERVALS.map(|s| view! {
                        <option value=s.to_string() selected=move || monitor.interval_s.get() == s>{format!("{s} s")}</option>
                    })}
                </select>
                <button type="submit">"Apply"</button>
            </form>
        </details>
        <p id="monitor-status" class="muted" role="status">{move || monitor.status.get()}</p>
    }
}

/// A line chart of `values` (oldest first), scaled to its maximum, with the latest value.
#[component]
pub fn Sparkline(
    label: &'static str,
    values: Signal<Vec<f64>>,
    format: fn(f64) -> String,
) -> impl IntoView {
    let points = move || {
        values.with(|v| {
            let max = v.iter().cloned().fold(0.0_f64, f64::max).max(1e-9);
            let step = if v.len() > 1 {
                300.0 / (v.len() - 1) as f64
            } else {
                0.0
            };
            v.iter()
                .enumerate()
                .map(|(i, y)| format!("{:.1},{:.1}", i as f64 * step, 58.0 - y / max * 56.0))
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let latest = move || values.with(|v| v.last().map(|l| format(*l)).unwrap_or_default());
    let peak = move || values.with(|v| format(v.iter().cloned().fold(0.0, f64::max)));
    view! {
        <figure class="chart">
            <figcaption>{label}" "<strong>{latest}</strong><span class="muted">" · peak "{peak}</span></figcaption>
            <svg viewBox="0 0 300 60" preserveAspectRatio="none" role="img" aria-label=label>
                <polyline points=points fill="none" stroke="currentColor" stroke-width="1.5"/>
            </svg>
        </figure>
    }
}

/// Asks every server `endpoint?query`: through the console (`/api/v1/monitor`) without monitor
/// URLs, else straight from each URL; the console's answer shape either way
/// (`{"servers":[{"server":{"name","id"},"data"}],"missing":[…],"errors":[…]}`).
pub async fn ask(monitor: Monitor, endpoint: &str, query: &str) -> Result<Value, String> {
    let urls = monitor.urls.get_untracked();
    if urls.is_empty() {
        let separator = if query.is_empty() { "" } else { "?" };
        return crate::api::get(&format!("/api/v1/monitor/{endpoint}{separator}{query}")).await;
    }
    let answers = futures_util::future::join_all(
        urls.iter()
            .map(|url| async move { (url.clone(), direct::get(url, endpoint, query).await) }),
    )
    .await;
    let known = monitor.servers.get_untracked();
    let mut servers = Vec::new();
    let mut errors = Vec::new();
    for (url, answer) in answers {
        let row = known.iter().find(|r| r.key == url);
        let name = row.map_or(url.clone(), |r| {
            if r.name.is_empty() {
                url.clone()
            } else {
                r.name.clone()
            }
        });
        let id = row.map(|r| r.id.clone()).unwrap_or_default();
        match answer {
            Ok((data, _)) => servers.push(serde_json::json!({
                "server": { "name": name, "id": id, "url": url }, "data": data })),
            Err(e) => {
                errors.push(serde_json::json!({ "server": name, "error": { "description": e } }))
            }
        }
    }
    Ok(serde_json::json!({ "servers": servers, "missing": [], "errors": errors }))
}

/// `{"description"}` of each error of an answer, one line each.
pub fn error_lines(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{}: {}",
                e["server"].as_str().unwrap_or("?"),
                e["error"]["description"].as_str().unwrap_or("error")
            )
        })
        .collect()
}
