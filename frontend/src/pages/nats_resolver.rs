//! The cluster's own resolver (nats-resolver, admins): what each server holds compared with
//! this console's store, each difference with the action that ends it — push this console's
//! JWT, store the cluster's newer one here, or delete the account from the cluster with a
//! request signed here by the operator — and every server's answer to the last action.

use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::issue;
use crate::pages::confirmed;
use crate::state::{now, push_account, Console};

/// What the report's agreement says, in words.
fn agreement_text(agreement: &str) -> &'static str {
    match agreement {
        "same" => "same everywhere",
        "only_here" => "only here: no server holds it",
        "only_in_cluster" => "only in the cluster: not stored here",
        "missing_on_servers" => "missing on some servers",
        "older_in_cluster" => "a server holds an older version",
        "newer_in_cluster" => "a server holds a newer version",
        _ => "unknown",
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn times(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_i64)
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[component]
pub fn NatsResolverPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let report = RwSignal::new(None::<Value>);
    let answers = RwSignal::new(None::<(String, Value)>);
    let busy = RwSignal::new(false);
    let is_admin = move || {
        console
            .session
            .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
    };
    let load = move || {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::get("/api/v1/nats-resolver").await {
                Ok(v) => report.set(Some(v)),
                Err(e) => {
                    report.set(None);
                    console.error(e);
                }
            }
            busy.set(false);
        });
    };
    Effect::new(move |_| {
        if is_admin() {
            load();
        }
    });
    // an action's answers stay shown; the report is read again after it
    let after = move |what: String, outcome: Result<Value, String>| {
        match outcome {
            Ok(v) => {
                let refused = v["answers"]
                    .as_array()
                    .map_or(0, |a| a.iter().filter(|x| x["ok"] == false).count());
                if refused == 0 {
                    console.ok(format!("{what}: every server agreed"));
                } else {
                    console.error(format!("{what}: {refused} server(s) refused"));
                }
                answers.set(Some((what, v)));
            }
            Err(e) => console.error(format!("{what}: {e}")),
        }
        load();
    };
    let push = move |account: String, name: String| {
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/nats-resolver/accounts/{account}");
            after(format!("Push {name}"), api::post(&url, Value::Null).await);
        });
    };
    let store = move |account: String, name: String, jwt: String| {
        leptos::task::spawn_local(async move {
            match push_account(&account, &jwt).await {
                Ok((status, _)) if status < 300 => {
                    console.ok(format!("{name}: the cluster's version is stored here"))
                }
                Ok((_, reason)) => console.error(format!("{name}: {reason}")),
                Err(e) => console.error(e),
            }
            load();
        });
    };
    let delete = move |account: String, name: String| {
        if !confirmed(&format!(
            "Delete {name} from every server of the cluster? Its users are disconnected and refused from then on; its JWT stays here."
        )) {
            return;
        }
        let Some(data) = console.data() else {
            console.error("unlock the vault: the operator signs the delete request");
            return;
        };
        let request = match issue::account_deletion_request(&data, &[account], now()) {
            Ok(r) => r,
            Err(e) => return console.error(e),
        };
        leptos::task::spawn_local(async move {
            after(
                format!("Delete {name}"),
                api::post_text("/api/v1/nats-resolver/delete", &request).await,
            );
        });
    };
    let action_buttons = move |row: &Value| {
        let account = text(&row["account"]);
        let name = text(&row["name"]);
        let name = if name.is_empty() {
            issue::short(&account)
        } else {
            name
        };
        let jwt = text(&row["cluster_jwt"]);
        row["fixes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|fix| {
                let (account, name, jwt) = (account.clone(), name.clone(), jwt.clone());
                match fix.as_str() {
                    Some("push") => view! {
                        <button class="secondary" on:click=move |_| push(account.clone(), name.clone())>"Push to the cluster"</button>
                    }
                    .into_any(),
                    Some("store") => view! {
                        <button class="secondary" on:click=move |_| store(account.clone(), name.clone(), jwt.clone())>"Store the cluster's version here"</button>
                    }
                    .into_any(),
                    Some("delete") => view! {
                        <button class="danger" on:click=move |_| delete(account.clone(), name.clone())>"Delete from the cluster"</button>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }
            })
            .collect_view()
    };
    view! {
        <section>
            <h2>"nats-resolver"</h2>
            <Show when=is_admin
                fallback=|| view! { <p>"The cluster's resolver is for admins: sign in with a key of the system account."</p> }>
                <p class="muted">"Servers started with resolver type full (see Operator → Server configuration) keep accounts themselves. Here is what each holds, compared with this console's store; every action goes over your session's NATS connection, and deleting is signed here by the operator."</p>
                <button on:click=move |_| load() disabled=move || busy.get()>"Compare again"</button>
                {move || report.get().map(|r| view! {
                    <div class="table-scroll" tabindex="0">
                    <table id="resolver-servers">
                        <caption>"Servers answering $SYS.REQ.CLAIMS.LIST"</caption>
                        <tr><th>"Server"</th><th>"Id"</th><th>"Accounts"</th></tr>
                        {r["servers"].as_array().cloned().unwrap_or_default().into_iter().map(|s| view! {
                            <tr><td>{text(&s["server"])}</td><td class="key">{issue::short(&text(&s["server_id"]))}</td><td>{s["accounts"].to_string()}</td></tr>
                        }).collect_view()}
                    </table>
                    </div>
                    <div class="table-scroll" tabindex="0">
                    <table id="resolver-accounts">
                        <caption>"Accounts here and in the cluster"</caption>
                        <tr><th>"Account"</th><th>"Key"</th><th>"State"</th><th>"Issued here"</th><th>"Issued in the cluster"</th><th>"Missing on"</th><th>"Fix"</th></tr>
                        {r["accounts"].as_array().cloned().unwrap_or_default().into_iter().map(|row| view! {
                            <tr data-account=text(&row["account"]) data-agreement=text(&row["agreement"])>
                                <td>{text(&row["name"])}</td>
                                <td class="key">{issue::short(&text(&row["account"]))}</td>
                                <td>{agreement_text(row["agreement"].as_str().unwrap_or(""))}</td>
                                <td>{row["here_issued"].as_i64().map(|t| t.to_string()).unwrap_or_default()}</td>
                                <td>{times(&row["cluster_issued"])}</td>
                                <td>{row["missing_on"].as_array().map(|a| a.iter().map(text).collect::<Vec<_>>().join(", ")).unwrap_or_default()}</td>
                                <td>{action_buttons(&row)}</td>
                            </tr>
                        }).collect_view()}
                    </table>
                    </div>
                    <Show when=move || r["truncated"] == true>
                        <p class="muted">"Only the first 2 000 accounts of the cluster were compared."</p>
                    </Show>
                })}
                {move || answers.get().map(|(what, v)| view! {
                    <div class="table-scroll" tabindex="0">
                    <table id="resolver-answers">
                        <caption>{format!("{what}: each server's answer")}</caption>
                        <tr><th>"Server"</th><th>"Outcome"</th><th>"Said"</th></tr>
                        {v["answers"].as_array().cloned().unwrap_or_default().into_iter().map(|a| view! {
                            <tr>
                                <td>{text(&a["server"])}</td>
                                <td>{if a["ok"] == true { "done" } else { "refused" }}</td>
                                <td>{text(&a["message"])}</td>
                            </tr>
                        }).collect_view()}
                    </table>
                    </div>
                })}
            </Show>
        </section>
    }
}
