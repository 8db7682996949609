//! Connections: one table for the whole cluster (a server column), every sort key of connz,
//! open/closed/any with close reasons, filters, paging, per-connection rates (keyed by server
//! and cid) and a detail panel. Only the rows in view are rendered, so 10 000 stay smooth.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use nats_auth::monitoring::merge_connz;
use serde_json::Value;

use super::{monitor, MonitorSettings};
use crate::monitoring::{bytes, human, sleep_ms, Monitor};
use crate::state::Console;

const ROW_HEIGHT: f64 = 28.0;
const VIEW_HEIGHT: f64 = 560.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 8;

/// A connection as listed, with its rates since the previous refresh.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    key: String,
    data: Value,
    msgs_in_rate: f64,
    msgs_out_rate: f64,
}

#[derive(Clone, Copy)]
struct Query {
    sort: RwSignal<String>,
    state: RwSignal<String>,
    subs: RwSignal<String>,
    filter_by: RwSignal<String>,
    filter: RwSignal<String>,
    limit: RwSignal<u32>,
    offset: RwSignal<u32>,
}

impl Query {
    /// The connz query (without paging) and the client-side text filter.
    fn connz(&self) -> (String, Option<(String, String)>) {
        let mut q = format!(
            "auth=1&sort={}&state={}",
            self.sort.get_untracked(),
            self.state.get_untracked()
        );
        match self.subs.get_untracked().as_str() {
            "list" => q.push_str("&subs=1"),
            "detail" => q.push_str("&subs=detail"),
            _ => {}
        }
        let text = self.filter.get_untracked().trim().to_string();
        let by = self.filter_by.get_untracked();
        let encoded: String = js_sys::encode_uri_component(&text).into();
        match by.as_str() {
            _ if text.is_empty() => (q, None),
            "account" => (format!("{q}&acc={encoded}"), None),
            "user" => (format!("{q}&user={encoded}"), None),
            _ => (q, Some((by, text.to_lowercase()))),
        }
    }
}

/// Does `c` match the client-side filter (name, IP or any text)?
fn matches(c: &Value, filter: &Option<(String, String)>) -> bool {
    let Some((by, text)) = filter else {
        return true;
    };
    let field = |f: &str| c[f].as_str().unwrap_or("").to_lowercase();
    match by.as_str() {
        "name" => field("name").contains(text),
        "ip" => field("ip").contains(text),
        _ => c.to_string().to_lowercase().contains(text),
    }
}

async fn fetch(
    monitor: Monitor,
    query: &str,
    offset: u32,
    limit: u32,
) -> Result<(Value, Vec<String>), String> {
    let urls = monitor.urls.get_untracked();
    if urls.is_empty() {
        let mut answer = crate::api::get(&format!(
            "/api/v1/monitor/connz?{query}&offset={offset}&limit={limit}"
        ))
        .await?;
        let errors = super::error_lines(&answer);
        return Ok((answer["merged"].take(), errors));
    }
    let sort = query
        .split('&')
        .find_map(|p| p.strip_prefix("sort="))
        .unwrap_or("cid")
        .to_string();
    let every = format!("{query}&offset=0&limit={}", offset + limit);
    let mut answer = super::ask(monitor, "connz", &every).await?;
    let errors = super::error_lines(&answer);
    let mut servers = answer["servers"]
        .as_array_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    for s in servers.iter_mut() {
        if s["server"]["id"].as_str().is_none_or(str::is_empty) {
            s["server"]["id"] = s["data"]["server_id"].clone();
        }
    }
    Ok((
        Value::Object(merge_connz(
            &mut servers,
            &sort,
            offset as u64,
            limit as u64,
        )),
        errors,
    ))
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let monitor = monitor();
    let query = Query {
        sort: RwSignal::new("cid".into()),
        state: RwSignal::new("open".into()),
        subs: RwSignal::new("none".into()),
        filter_by: RwSignal::new("text".into()),
        filter: RwSignal::new(String::new()),
        limit: RwSignal::new(1024),
        offset: RwSignal::new(0),
    };
    let rows = RwSignal::new(Vec::<Row>::new());
    let total = RwSignal::new(0_u64);
    let problems = RwSignal::new(Vec::<String>::new());
    let selected = RwSignal::new(None::<String>);
    let scroll_top = RwSignal::new(0.0_f64);
    let render_ms = RwSignal::new(0.0_f64);
    let previous = StoredValue::new(HashMap::<String, (f64, f64, f64)>::new());

    let refresh = move || async move {
        let (q, filter) = query.connz();
        match fetch(
            monitor,
            &q,
            query.offset.get_untracked(),
            query.limit.get_untracked(),
        )
        .await
        {
            Ok((mut merged, errors)) => {
                // one refresh's render: from the data's arrival to the DOM updated
                let started = now_ms();
                let now = js_sys::Date::now();
                // moved, not copied: 10 000 rows are the case to be quick for
                let mut before = previous
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                let mut next = HashMap::with_capacity(before.len());
                let connections = match merged["connections"].take() {
                    Value::Array(list) => list,
                    _ => Vec::new(),
                };
                let list: Vec<Row> = connections
                    .into_iter()
                    .filter(|c| matches(c, &filter))
                    .map(|c| {
                        let key = format!("{}|{}", c["server_id"].as_str().unwrap_or(""), c["cid"]);
                        let (msgs_in, msgs_out) = (
                            c["in_msgs"].as_f64().unwrap_or(0.0),
                            c["out_msgs"].as_f64().unwrap_or(0.0),
                        );
                        let (mut rate_in, mut rate_out) = (0.0, 0.0);
                        if let Some((then, i, o)) = before.remove(&key) {
                            let seconds = (now - then) / 1000.0;
                            if seconds > 0.0 && msgs_in >= i && msgs_out >= o {
                                rate_in = (msgs_in - i) / seconds;
                                rate_out = (msgs_out - o) / seconds;
                            }
                        }
                        next.insert(key.clone(), (now, msgs_in, msgs_out));
                        Row {
                            key,
                            data: c,
                            msgs_in_rate: rate_in,
                            msgs_out_rate: rate_out,
                        }
                    })
                    .collect();
                previous.set_value(next);
                total.set(merged["total"].as_u64().unwrap_or(0));
                problems.set(errors);
                // the table re-renders in the tasks this set wakes, queued as microtasks ahead of
                // this one's (layout and paint come after)
                rows.set(list);
                for _ in 0..3 {
                    let resolved = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
                    let _ = wasm_bindgen_futures::JsFuture::from(resolved).await;
                }
                render_ms.set(now_ms() - started);
            }
            Err(e) => problems.set(vec![e]),
        }
    };
    let alive = Arc::new(AtomicBool::new(true));
    {
        let alive = alive.clone();
        leptos::task::spawn_local(async move {
            while alive.load(Ordering::Relaxed) {
                refresh().await;
                sleep_ms(monitor.interval_s.get_untracked() as i32 * 1000).await;
            }
        });
    }
    on_cleanup(move || alive.store(false, Ordering::Relaxed));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(refresh());
    };
    let page = move |forward: bool| {
        let (offset, limit) = (query.offset.get_untracked(), query.limit.get_untracked());
        query.offset.set(if forward {
            offset + limit
        } else {
            offset.saturating_sub(limit)
        });
        leptos::task::spawn_local(refresh());
    };
    let visible = move || {
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (VIEW_HEIGHT / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        rows.with(|r| {
            let end = (first + count).min(r.len());
            let first = first.min(end);
            (first, r[first..end].to_vec(), r.len())
        })
    };
    let admin_via_console = move || {
        monitor.urls.with(|u| u.is_empty())
            && console
                .session
                .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
    };
    let act = move |action: &'static str, c: Value| {
        let (server, cid) = (
            c["server_id"].as_str().unwrap_or("").to_string(),
            c["cid"].as_u64().unwrap_or(0),
        );
        let what = match action {
            "kick" => "Kick (close) connection",
            _ => "Send the lame-duck notice to connection",
        };
        let question = format!(
            "{what} {cid} on {}? The client {}.",
            c["server"].as_str().unwrap_or(""),
            if action == "kick" {
                "is disconnected now and may reconnect"
            } else {
                "is told to move to another server"
            }
        );
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return;
        }
        leptos::task::spawn_local(async move {
            match crate::api::post(
                &format!("/api/v1/servers/{server}/{action}"),
                serde_json::json!({ "cid": cid }),
            )
            .await
            {
                Ok(_) => {
                    console.ok(format!("{action}: connection {cid} done"));
                    refresh().await;
                }
                Err(e) => console.error(format!("{action} of connection {cid}: {e}")),
            }
        });
    };

    view! {
        <section>
            <h2>"Connections"</h2>
            <MonitorSettings/>
            <form class="inline" on:submit=apply>
                <label>"sort"<select id="connz-sort" on:change=move |ev| query.sort.set(event_target_value(&ev))>
                    {nats_auth::monitoring::CONNZ_SORT_KEYS.map(|s| view! { <option value=s selected=move || query.sort.get() == s>{s}</option> })}
                </select></label>
                <label>"state"<select id="connz-state" on:change=move |ev| query.state.set(event_target_value(&ev))>
                    {["open", "closed", "any"].map(|s| view! { <option value=s>{s}</option> })}
                </select></label>
                <label>"subscriptions"<select id="connz-subs" on:change=move |ev| query.subs.set(event_target_value(&ev))>
                    {["none", "list", "detail"].map(|s| view! { <option value=s>{s}</option> })}
                </select></label>
                <label>"filter by"<select id="connz-filter-by" on:change=move |ev| query.filter_by.set(event_target_value(&ev))>
                    {["text", "account", "user", "name", "ip"].map(|s| view! { <option value=s>{s}</option> })}
                </select></label>
                <label>"filter"<input id="connz-filter" prop:value=move || query.filter.get() on:input=move |ev| query.filter.set(event_target_value(&ev))/></label>
                <label>"per page"<input id="connz-limit" type="number" min="1" max="10000"
                    prop:value=move || query.limit.get().to_string()
                    on:change=move |ev| query.limit.set(event_target_value(&ev).parse::<u32>().unwrap_or(1024).clamp(1, 10_000))/></label>
                <button type="submit">"Refresh"</button>
            </form>
            <p class="muted" id="connz-summary">
                {move || format!("{} shown of {} on the cluster · rows {}–{} · rendered in {:.1} ms",
                    rows.with(|r| r.len()), total.get(), query.offset.get() + 1,
                    query.offset.get() as usize + rows.with(|r| r.len()), render_ms.get())}
                " "
                <button class="secondary" disabled=move || query.offset.get() == 0 on:click=move |_| page(false)>"Previous page"</button>
                <button class="secondary" on:click=move |_| page(true)>"Next page"</button>
            </p>
            <ul class="error">{move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <div class="scroller" tabindex="0" role="region" aria-label="Connections, scrollable" style=format!("height:{VIEW_HEIGHT}px") on:scroll=move |ev| {
                use wasm_bindgen::JsCast;
                if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    scroll_top.set(el.scroll_top() as f64);
                }
            }>
                <table id="connections" class="rows" data-render-ms=move || format!("{:.2}", render_ms.get())>
                    <thead><tr>
                        <th>"server"</th><th>"cid"</th><th>"account"</th><th>"user / name"</th><th>"address"</th>
                        <th>"subs"</th><th>"pending"</th><th>"msgs in/s"</th><th>"msgs out/s"</th>
                        <th>"bytes in"</th><th>"bytes out"</th><th>"uptime"</th><th>"idle"</th><th>"reason"</th>
                    </tr></thead>
                    <tbody>
                        {move || {
                            let (first, shown, len) = visible();
                            let after = len - first - shown.len();
                            let spacer = |rows: usize| (rows > 0).then(|| view! {
                                <tr aria-hidden="true" style=format!("height:{}px", rows as f64 * ROW_HEIGHT)></tr>
                            });
                            view! {
                                {spacer(first)}
                                {shown.into_iter().map(|row| {
                                    let c = row.data.clone();
                                    let text = |f: &str| c[f].as_str().unwrap_or("").to_string();
                                    let key = row.key.clone();
                                    let who = match (c["authorized_user"].as_str(), c["name"].as_str()) {
                                        (Some(u), Some(n)) if !n.is_empty() => format!("{} / {n}", crate::issue::short(u)),
                                        (Some(u), _) => crate::issue::short(u),
                                        (None, Some(n)) => n.to_string(),
                                        _ => String::new(),
                                    };
                                    view! {
                                        <tr class="conn" data-user=text("authorized_user") data-server=text("server")
                                            aria-selected=move || (selected.get().as_deref() == Some(key.as_str())).then_some("true")
                                            on:click={ let key = row.key.clone(); move |_| selected.set(Some(key.clone())) }>
                                            <td>{text("server")}</td>
                                            <td>{c["cid"].to_string()}</td>
                                            <td class="key">{crate::issue::short(c["account"].as_str().unwrap_or(""))}</td>
                                            <td>{who}</td>
                                            <td>{format!("{}:{}", text("ip"), c["port"])}</td>
                                            <td>{c["subscriptions"].to_string()}</td>
                                            <td>{bytes(c["pending_bytes"].as_f64().unwrap_or(0.0))}</td>
                                            <td>{human(row.msgs_in_rate)}</td>
                                            <td>{human(row.msgs_out_rate)}</td>
                                            <td>{bytes(c["in_bytes"].as_f64().unwrap_or(0.0))}</td>
                                            <td>{bytes(c["out_bytes"].as_f64().unwrap_or(0.0))}</td>
                                            <td>{text("uptime")}</td>
                                            <td>{text("idle")}</td>
                                            <td class="reason">{text("reason")}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                                {spacer(after)}
                            }
                        }}
                    </tbody>
                </table>
            </div>
        </section>
        {move || {
            let key = selected.get()?;
            let row = rows.with(|r| r.iter().find(|r| r.key == key).cloned())?;
            let c = row.data.clone();
            let fields: Vec<(String, String)> = c.as_object()?.iter()
                .filter(|(k, _)| !k.starts_with("subscriptions_list") && k.as_str() != "jwt")
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
                .collect();
            let subscriptions: Vec<String> = c["subscriptions_list"].as_array().into_iter().flatten()
                .map(|s| s.as_str().unwrap_or("").to_string())
                .chain(c["subscriptions_list_detail"].as_array().into_iter().flatten().map(|s| format!(
                    "{} {}(sid {}, {} msgs)", s["subject"].as_str().unwrap_or(""),
                    s["qgroup"].as_str().map(|q| format!("queue {q} ")).unwrap_or_default(), s["sid"].as_str().unwrap_or(""), s["msgs"])))
                .collect();
            let open = c["stop"].is_null() || c["stop"].as_str().is_none_or(str::is_empty);
            let (kick, ldm) = (c.clone(), c.clone());
            Some(view! {
                <section id="connection-detail" aria-label="connection detail">
                    <h3>{format!("Connection {} on {}", c["cid"], c["server"].as_str().unwrap_or(""))}</h3>
                    <Show when=move || open && admin_via_console()>
                        {let (k, l) = (kick.clone(), ldm.clone()); view! {
                            <button id="kick" on:click=move |_| act("kick", k.clone())>"Kick"</button>
                            " "
                            <button id="lameduck" class="secondary" on:click=move |_| act("lameduck", l.clone())>"Lame duck (move it)"</button>
                        }}
                    </Show>
                    <table class="describe"><tbody>
                        {fields.into_iter().map(|(k, v)| view! { <tr><th>{k}</th><td>{v}</td></tr> }).collect_view()}
                    </tbody></table>
                    <h4>{format!("Subscriptions ({})", subscriptions.len())}</h4>
                    <ul>{subscriptions.into_iter().map(|s| view! { <li><code>{s}</code></li> }).collect_view()}</ul>
                    <button class="secondary" on:click=move |_| selected.set(None)>"Close"</button>
                </section>
            })
        }}
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
