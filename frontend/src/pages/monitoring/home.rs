//! Home: "is everything all right?" at a glance — cluster health, servers down, slow consumers,
//! authentication errors of the last hour, JWTs expiring soon, accounts near their connection
//! limits — each a link to the page that explains it.

use leptos::prelude::*;
use serde_json::Value;

use super::monitor;
use crate::nav::Page;
use crate::state::{now, Console};

/// JWTs expiring within this many seconds are flagged.
const EXPIRING_SOON: i64 = 7 * 24 * 3600;
/// An account at this share of its connection limit is near it.
const NEAR_LIMIT: f64 = 0.8;

#[component]
fn Check(
    id: &'static str,
    title: &'static str,
    to: Page,
    #[prop(into)] bad: Signal<bool>,
    #[prop(into)] text: Signal<String>,
) -> impl IntoView {
    view! {
        <a class=move || if bad.get() { "check bad" } else { "check good" } id=id href=to.path()>
            <span class="check-title">{title}</span>
            <strong>{move || if bad.get() { "⚠ " } else { "✓ " }}{move || text.get()}</strong>
        </a>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let console = expect_context::<Console>();
    let monitor = monitor();
    let admin = move || {
        console
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
    };
    Effect::new(move |_| {
        if admin() {
            console.events.start();
        }
    });
    // accounts with connections (their limits), and accounts expiring soon
    let accounts = RwSignal::new(None::<Value>);
    let expiring_accounts = RwSignal::new(None::<Value>);
    let accstatz = RwSignal::new(None::<Value>);
    let user_info = RwSignal::new(None::<Value>);
    Effect::new(move |_| {
        if console.session.with(|s| s.is_some()) {
            leptos::task::spawn_local(async move {
                // the accounts that expire soon, and the limits of those with connections: asked
                // by name, as the console may store a million
                expiring_accounts.set(
                    crate::api::get(&format!(
                        "/api/v1/accounts?expiring_within={EXPIRING_SOON}&limit=1000"
                    ))
                    .await
                    .ok(),
                );
                let stats = crate::api::get("/api/v1/monitor/accstatz").await.ok();
                let mut connected: Vec<&str> = Vec::new();
                for key in stats
                    .iter()
                    .flat_map(|s| s["servers"].as_array().into_iter().flatten())
                    .flat_map(|s| s["data"]["account_statz"].as_array().into_iter().flatten())
                    .filter_map(|a| a["acc"].as_str())
                {
                    if key.starts_with('A') && !connected.contains(&key) && connected.len() < 1000 {
                        connected.push(key);
                    }
                }
                let connected = connected.join(",");
                accstatz.set(stats);
                if !connected.is_empty() {
                    let path = format!("/api/v1/accounts?keys={connected}");
                    accounts.set(crate::api::get(&path).await.ok());
                }
                user_info.set(crate::api::get("/api/v1/user-info").await.ok());
            });
        }
    });
    let servers = move || monitor.servers.get();
    let down = Signal::derive(move || {
        servers()
            .iter()
            .filter(|s| !s.up)
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    });
    let unhealthy = Signal::derive(move || {
        servers()
            .iter()
            .filter(|s| s.up && s.health.as_deref().is_some_and(|h| h != "ok"))
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    });
    let slow = Signal::derive(move || {
        servers()
            .iter()
            .filter(|s| s.up)
            .map(|s| s.number("slow_consumers"))
            .sum::<f64>()
    });
    let auth_errors = Signal::derive(move || console.events.auth_errors_last_hour());
    let expiring = Signal::derive(move || {
        let now = now();
        expiring_accounts.with(|a| {
            a.as_ref()
                .and_then(|a| a["accounts"].as_array())
                .into_iter()
                .flatten()
                .filter(|a| {
                    a["expires"]
                        .as_i64()
                        .is_some_and(|e| e > 0 && e - now < EXPIRING_SOON)
                })
                .map(|a| a["name"].as_str().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
    });
    let near_limits = Signal::derive(move || {
        let stats = accstatz.get().unwrap_or(Value::Null);
        accounts.with(|a| {
            a.as_ref()
                .and_then(|a| a["accounts"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let limit = a["limits"]["conn"].as_f64().filter(|l| *l > 0.0)?;
                    let key = a["key"].as_str()?;
                    let conns: f64 = stats["servers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .flat_map(|s| s["data"]["account_statz"].as_array().into_iter().flatten())
                        .filter(|s| s["acc"] == key)
                        .map(|s| s["conns"].as_f64().unwrap_or(0.0))
                        .sum();
                    (conns / limit >= NEAR_LIMIT)
                        .then(|| format!("{} ({conns}/{limit})", a["name"].as_str().unwrap_or("")))
                })
                .collect::<Vec<_>>()
        })
    });
    let list = |names: Vec<String>, none: &str| {
        if names.is_empty() {
            none.to_string()
        } else {
            names.join(", ")
        }
    };
    view! {
        <section>
            <h2>"Is everything all right?"</h2>
            <p class="muted" id="monitor-status">{move || monitor.status.get()}</p>
            // what nats-server itself says of this session's user ($SYS.REQ.USER.INFO)
            <p class="muted" id="user-info">{move || user_info.get().map(|i| {
                let d = &i["data"];
                let list = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                format!("nats-server knows this session as user {} of account {}; publish: {}; subscribe: {}",
                    crate::issue::short(d["user"].as_str().unwrap_or("")),
                    crate::issue::short(d["account"].as_str().unwrap_or("")),
                    match list(&d["permissions"]["publish"]["allow"]) { p if p.is_empty() => "all".to_string(), p => p },
                    match list(&d["permissions"]["subscribe"]["allow"]) { p if p.is_empty() => "all".to_string(), p => p })
            })}</p>
            <div class="checks">
                <Check id="check-health" title="Cluster health" to=Page::Servers bad=Signal::derive(move || !unhealthy.get().is_empty())
                    text=Signal::derive(move || { let n = servers().iter().filter(|s| s.up).count(); if unhealthy.get().is_empty() { format!("{n} server(s) healthy") } else { format!("not healthy: {}", unhealthy.get().join(", ")) } })/>
                <Check id="check-down" title="Servers down" to=Page::Servers bad=Signal::derive(move || !down.get().is_empty())
                    text=Signal::derive(move || list(down.get(), "none"))/>
                <Check id="check-slow" title="Slow consumers" to=Page::Overview bad=Signal::derive(move || slow.get() > 0.0)
                    text=Signal::derive(move || format!("{}", slow.get()))/>
                <Check id="check-auth" title="Authentication errors (last hour)" to=Page::Events bad=Signal::derive(move || auth_errors.get() > 0)
                    text=Signal::derive(move || if admin() { format!("{} since this page opened the feed", auth_errors.get()) } else { "admins only".to_string() })/>
                <Check id="check-expiring" title="JWTs expiring within 7 days" to=Page::Accounts bad=Signal::derive(move || !expiring.get().is_empty())
                    text=Signal::derive(move || list(expiring.get(), "none"))/>
                <Check id="check-limits" title="Accounts near their connection limit" to=Page::Cluster bad=Signal::derive(move || !near_limits.get().is_empty())
                    text=Signal::derive(move || list(near_limits.get(), "none"))/>
            </div>
        </section>
    }
}
