//! Accounts: create, sign with the operator's key, push to the account server, and compare with
//! what the server stores.

use leptos::prelude::*;

use crate::issue;
use crate::state::{now, push_account, Console};

#[derive(Clone, serde::Deserialize)]
struct ServerAccount {
    key: String,
    jti: String,
    status: String,
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let name = RwSignal::new(String::new());
    let max_connections = RwSignal::new("-1".to_string());
    let jetstream = RwSignal::new(false);
    let refresh = RwSignal::new(0u32);
    let server = LocalResource::new(move || {
        refresh.track();
        async move {
            let response = gloo_net::http::Request::get("/api/v1/accounts")
                .send()
                .await
                .ok()?;
            response.json::<Vec<ServerAccount>>().await.ok()
        }
    });

    let create = move |_| {
        let n = name.get_untracked();
        let conn: i64 = match max_connections.get_untracked().trim().parse() {
            Ok(v) => v,
            Err(_) => {
                return console.error("maximum connections: a whole number, -1 for unlimited")
            }
        };
        let js = jetstream.get_untracked();
        if console.change(|data| {
            issue::create_account(
                data,
                &n,
                |a| {
                    a.nats.limits.conn = conn;
                    if js {
                        a.nats.limits.jetstream.memory_storage = -1;
                        a.nats.limits.jetstream.disk_storage = -1;
                        a.nats.limits.jetstream.streams = -1;
                        a.nats.limits.jetstream.consumer = -1;
                    }
                },
                now(),
            )?;
            Ok(format!(
                "account {n} created and signed: push it to the account server"
            ))
        }) {
            name.set(String::new());
        }
    };
    let push = move |key: String, jwt: String, account_name: String| {
        leptos::task::spawn_local(async move {
            match push_account(&key, &jwt).await {
                Ok((200, _)) => console.ok(format!(
                    "account {account_name} pushed: the server accepted it"
                )),
                Ok((status, reason)) => console.error(format!(
                    "the server refused {account_name} ({status}): {reason}"
                )),
                Err(e) => console.error(format!("push failed: {e}")),
            }
            refresh.update(|r| *r += 1);
        });
    };

    view! {
        <section>
            <h2>"Accounts"</h2>
            <table>
                <thead><tr><th>"Name"</th><th>"Account"</th><th>"Status"</th><th></th></tr></thead>
                <tbody>
                    {move || console.data().map(|d| d.accounts).unwrap_or_default().into_iter().map(|a| {
                        let jti = nats_auth::jwt::decode(&a.jwt).map(|c| match c { nats_auth::jwt::AnyClaims::Account(x) => x.id, _ => String::new() }).unwrap_or_default();
                        let key = a.key.clone();
                        let status = move || match server.get().flatten() {
                            None => "server unreachable".to_string(),
                            Some(list) => match list.iter().find(|s| s.key == key) {
                                None => "local only".into(),
                                Some(s) if s.jti != jti => "differs from stored".into(),
                                Some(s) if s.status == "ok" => "pushed".into(),
                                Some(s) => format!("pushed ({})", s.status),
                            },
                        };
                        let (k, j, n) = (a.key.clone(), a.jwt.clone(), a.name.clone());
                        view! {
                            <tr>
                                <td>{a.name.clone()}</td>
                                <td class="key">{a.key.clone()}</td>
                                <td class="account-status">{status}</td>
                                <td><button aria-label=format!("Push {}", a.name) on:click=move |_| push(k.clone(), j.clone(), n.clone())>"Push"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section>
            <h3>"New account"</h3>
            <label for="account-name">"Account name"</label>
            <input id="account-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="account-conn">"Maximum connections (-1: unlimited)"</label>
            <input id="account-conn" prop:value=move || max_connections.get() on:input=move |ev| max_connections.set(event_target_value(&ev))/>
            <label><input type="checkbox" id="account-jetstream" style="width:auto" prop:checked=move || jetstream.get() on:change=move |ev| jetstream.set(event_target_checked(&ev))/>" JetStream enabled (unlimited)"</label>
            <button on:click=create>"Create account"</button>
        </section>
    }
}
