//! The rest of the monitoring endpoints, one tab each, every server side by side: routes,
//! gateways, leaf nodes, subscriptions (with a test subject), accounts (accountz + accstatz),
//! JetStream (jsz: meta leader and peers, streams, consumers with their lag), health.

use leptos::prelude::*;
use serde_json::Value;

use super::{ask, monitor, MonitorSettings};
use crate::monitoring::{bytes, human};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tab {
    Routes,
    Gateways,
    Leafnodes,
    Subscriptions,
    Accounts,
    JetStream,
    Health,
}

impl Tab {
    const ALL: [Tab; 7] = [
        Tab::Routes,
        Tab::Gateways,
        Tab::Leafnodes,
        Tab::Subscriptions,
        Tab::Accounts,
        Tab::JetStream,
        Tab::Health,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Routes => "Routes",
            Tab::Gateways => "Gateways",
            Tab::Leafnodes => "Leaf nodes",
            Tab::Subscriptions => "Subscriptions",
            Tab::Accounts => "Accounts",
            Tab::JetStream => "JetStream",
            Tab::Health => "Health",
        }
    }

    fn endpoint(self) -> &'static str {
        match self {
            Tab::Routes => "routez",
            Tab::Gateways => "gatewayz",
            Tab::Leafnodes => "leafz",
            Tab::Subscriptions => "subsz",
            Tab::Accounts => "accountz",
            Tab::JetStream => "jsz",
            Tab::Health => "healthz",
        }
    }
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A table: a header and rows of cells.
fn table(id: &'static str, head: &[&str], rows: Vec<Vec<String>>) -> AnyView {
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    view! {
        <div class="table-scroll" tabindex="0">
        <table id=id>
            <thead><tr>{head.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}</tr></thead>
            <tbody>{rows.into_iter().map(|r| view! {
                <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
            }).collect_view()}</tbody>
        </table>
        </div>
    }
    .into_any()
}

fn each(answer: &Value) -> impl Iterator<Item = (String, &Value)> {
    answer["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|server| (s(&server["server"]["name"]), &server["data"]))
}

fn list<'a>(v: &'a Value, field: &str) -> impl Iterator<Item = &'a Value> {
    v[field].as_array().into_iter().flatten()
}

fn render(tab: Tab, answer: &Value, accstatz: &Value) -> AnyView {
    match tab {
        Tab::Routes => table(
            "routes",
            &[
                "server", "route to", "rid", "address", "rtt", "msgs in", "msgs out", "pending",
                "subs",
            ],
            each(answer)
                .flat_map(|(name, d)| {
                    list(d, "routes").map(move |r| {
                        vec![
                            name.clone(),
                            s(&r["remote_name"]),
                            s(&r["rid"]),
                            format!("{}:{}", s(&r["ip"]), s(&r["port"])),
                            s(&r["rtt"]),
                            human(r["in_msgs"].as_f64().unwrap_or(0.0)),
                            human(r["out_msgs"].as_f64().unwrap_or(0.0)),
                            bytes(r["pending_size"].as_f64().unwrap_or(0.0)),
                            s(&r["subscriptions"]),
                        ]
                    })
                })
                .collect(),
        ),
        Tab::Gateways => table(
            "gateways",
            &["server", "gateway", "outbound to", "inbound from"],
            each(answer)
                .map(|(name, d)| {
                    vec![
                        name,
                        s(&d["name"]),
                        d["outbound_gateways"]
                            .as_object()
                            .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                            .unwrap_or_default(),
                        d["inbound_gateways"]
                            .as_object()
                            .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        Tab::Leafnodes => table(
            "leafnodes",
            &[
                "server", "leaf", "account", "address", "rtt", "msgs in", "msgs out", "subs",
            ],
            each(answer)
                .flat_map(|(name, d)| {
                    list(d, "leafs").map(move |l| {
                        vec![
                            name.clone(),
                            s(&l["name"]),
                            crate::issue::short(&s(&l["account"])),
                            format!("{}:{}", s(&l["ip"]), s(&l["port"])),
                            s(&l["rtt"]),
                            human(l["in_msgs"].as_f64().unwrap_or(0.0)),
                            human(l["out_msgs"].as_f64().unwrap_or(0.0)),
                            s(&l["subscriptions"]),
                        ]
                    })
                })
                .collect(),
        ),
        Tab::Subscriptions => table(
            "subscriptions",
            &[
                "server",
                "subscriptions",
                "cache",
                "inserts",
                "removes",
                "matches",
                "matching the test subject",
            ],
            each(answer)
                .map(|(name, d)| {
                    vec![
                        name,
                        s(&d["num_subscriptions"]),
                        s(&d["num_cache"]),
                        s(&d["num_inserts"]),
                        s(&d["num_removes"]),
                        s(&d["num_matches"]),
                        list(d, "subscriptions_list")
                            .map(|x| {
                                format!(
                                    "{} ({})",
                                    s(&x["subject"]),
                                    crate::issue::short(&s(&x["account"]))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        ),
        Tab::Accounts => {
            let stat = |server: &str, account: &str| -> Option<Value> {
                each(accstatz)
                    .find(|(n, _)| n == server)
                    .and_then(|(_, d)| {
                        list(d, "account_statz")
                            .find(|a| a["acc"] == account)
                            .cloned()
                    })
            };
            table(
                "accounts",
                &[
                    "server",
                    "account",
                    "connections",
                    "leaf nodes",
                    "subscriptions",
                    "msgs in",
                    "msgs out",
                ],
                each(answer)
                    .flat_map(|(name, d)| {
                        list(d, "accounts")
                            .map(move |a| {
                                let key = s(a);
                                let st = stat(&name, &key).unwrap_or(Value::Null);
                                vec![
                                    name.clone(),
                                    key,
                                    s(&st["conns"]),
                                    s(&st["leafnodes"]),
                                    s(&st["num_subscriptions"]),
                                    human(st["received"]["msgs"].as_f64().unwrap_or(0.0)),
                                    human(st["sent"]["msgs"].as_f64().unwrap_or(0.0)),
                                ]
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            )
        }
        Tab::JetStream => {
            let meta = each(answer)
                .find_map(|(_, d)| d["meta_cluster"].as_object().cloned())
                .map(Value::Object)
                .unwrap_or(Value::Null);
            let peers: Vec<String> = list(&meta, "replicas")
                .map(|p| {
                    format!(
                        "{}{}",
                        s(&p["name"]),
                        if p["current"] == true {
                            ""
                        } else {
                            " (behind)"
                        }
                    )
                })
                .collect();
            let consumers: Vec<Vec<String>> = each(answer)
                .flat_map(|(name, d)| {
                    list(d, "account_details")
                        .flat_map(move |a| {
                            let name = name.clone();
                            list(a, "stream_detail").flat_map(move |st| {
                                let name = name.clone();
                                list(st, "consumer_detail").map(move |c| {
                                    vec![
                                        name.clone(),
                                        s(&st["name"]),
                                        s(&c["name"]),
                                        s(&c["num_pending"]),
                                        s(&c["num_ack_pending"]),
                                        s(&c["num_redelivered"]),
                                        s(&c["num_waiting"]),
                                    ]
                                })
                            })
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            view! {
                <p id="meta-leader">{format!("meta leader: {} · peers: {}", s(&meta["leader"]), peers.join(", "))}</p>
                {table("jetstream", &["server", "memory", "storage", "accounts", "streams", "consumers", "messages", "API total / errors"],
                    each(answer).map(|(name, d)| vec![name, bytes(d["memory"].as_f64().unwrap_or(0.0)), bytes(d["storage"].as_f64().unwrap_or(0.0)),
                        s(&d["accounts"]), s(&d["streams"]), s(&d["consumers"]), s(&d["messages"]),
                        format!("{} / {}", s(&d["api"]["total"]), s(&d["api"]["errors"]))]).collect())}
                <h3>"Consumers"</h3>
                {table("consumers", &["server", "stream", "consumer", "lag (pending)", "ack pending", "redelivered", "waiting"], consumers)}
            }.into_any()
        }
        Tab::Health => table(
            "health",
            &["server", "status", "errors"],
            each(answer)
                .map(|(name, d)| {
                    vec![
                        name,
                        s(&d["status"]),
                        list(d, "errors")
                            .map(|e| {
                                format!("{} {} {}", s(&e["type"]), s(&e["stream"]), s(&e["error"]))
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
    }
}

#[component]
pub fn ClusterPage() -> impl IntoView {
    let monitor = monitor();
    let tab = RwSignal::new(Tab::Routes);
    let test_subject = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<(Tab, Value, Value)>);
    let problem = RwSignal::new(None::<String>);
    let load = move || {
        let tab = tab.get_untracked();
        let query = match tab {
            Tab::Subscriptions if !test_subject.get_untracked().trim().is_empty() => {
                let encoded: String =
                    js_sys::encode_uri_component(test_subject.get_untracked().trim()).into();
                format!("subs=1&test={encoded}")
            }
            Tab::JetStream => "accounts=1&streams=1&consumers=1".to_string(),
            Tab::Health => "details=1".to_string(),
            _ => String::new(),
        };
        leptos::task::spawn_local(async move {
            let main = ask(monitor, tab.endpoint(), &query).await;
            let extra = if tab == Tab::Accounts {
                ask(monitor, "accstatz", "unused=1")
                    .await
                    .unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            match main {
                Ok(v) => {
                    let errors = super::error_lines(&v);
                    problem.set((!errors.is_empty()).then(|| errors.join("; ")));
                    answer.set(Some((tab, v, extra)));
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        tab.track();
        load();
    });
    view! {
        <section>
            <h2>"Cluster"</h2>
            <MonitorSettings/>
            <div role="tablist" class="tabs">
                {Tab::ALL.map(|t| view! {
                    <button role="tab" class=move || if tab.get() == t { "" } else { "secondary" }
                        aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>{t.title()}</button>
                })}
            </div>
            <Show when=move || tab.get() == Tab::Subscriptions>
                <form on:submit=move |ev| { ev.prevent_default(); load(); }>
                    <label for="subsz-test">"Test subject: which subscriptions would receive it?"</label>
                    <input id="subsz-test" placeholder="orders.new" prop:value=move || test_subject.get() on:input=move |ev| test_subject.set(event_target_value(&ev))/>
                    <button type="submit">"Test"</button>
                </form>
            </Show>
            <p class="error">{move || problem.get()}</p>
            <button class="secondary" on:click=move |_| load()>"Refresh"</button>
            {move || answer.with(|a| a.as_ref().map(|(t, v, extra)| render(*t, v, extra)))}
        </section>
    }
}
