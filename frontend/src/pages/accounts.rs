//! Accounts: create, sign with the operator's key, push to the account server, and compare with
//! what the server stores.

use leptos::prelude::*;

use crate::forms::{Check, Field};
use crate::issue::{self, AccountForm};
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
    let defaults = AccountForm::default();
    let conn = RwSignal::new(defaults.conn.clone());
    let leaf = RwSignal::new(defaults.leaf.clone());
    let subs = RwSignal::new(defaults.subs.clone());
    let data_limit = RwSignal::new(defaults.data.clone());
    let payload = RwSignal::new(defaults.payload.clone());
    let imports = RwSignal::new(defaults.imports.clone());
    let exports = RwSignal::new(defaults.exports.clone());
    let wildcards = RwSignal::new(true);
    let jetstream = RwSignal::new(false);
    let js_memory = RwSignal::new(defaults.js_memory.clone());
    let js_disk = RwSignal::new(defaults.js_disk.clone());
    let js_streams = RwSignal::new(defaults.js_streams.clone());
    let js_consumers = RwSignal::new(defaults.js_consumers.clone());
    let description = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
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
        let form = AccountForm {
            conn: conn.get_untracked(),
            leaf: leaf.get_untracked(),
            subs: subs.get_untracked(),
            data: data_limit.get_untracked(),
            payload: payload.get_untracked(),
            imports: imports.get_untracked(),
            exports: exports.get_untracked(),
            wildcards: wildcards.get_untracked(),
            jetstream: jetstream.get_untracked(),
            js_memory: js_memory.get_untracked(),
            js_disk: js_disk.get_untracked(),
            js_streams: js_streams.get_untracked(),
            js_consumers: js_consumers.get_untracked(),
            description: description.get_untracked(),
            tags: tags.get_untracked(),
            expires_in_days: expires.get_untracked(),
        };
        if console.change(|data| {
            let mut applied = Ok(());
            let now = now();
            issue::create_account(data, &n, |a| applied = form.apply(a, now), now)?;
            applied?;
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
            <Field id="account-name" label="Account name" value=name/>
            <Field id="account-conn" label="Maximum connections (-1: unlimited)" value=conn/>
            <Field id="account-leaf" label="Maximum leaf node connections" value=leaf/>
            <Field id="account-subs" label="Maximum subscriptions" value=subs/>
            <Field id="account-data" label="Maximum data (bytes)" value=data_limit/>
            <Field id="account-payload" label="Maximum payload (bytes)" value=payload/>
            <Field id="account-imports" label="Maximum imports" value=imports/>
            <Field id="account-exports" label="Maximum exports" value=exports/>
            <Check id="account-wildcards" label="Wildcard exports allowed" value=wildcards/>
            <Check id="account-jetstream" label="JetStream enabled" value=jetstream/>
            <Show when=move || jetstream.get()>
                <Field id="account-js-memory" label="JetStream memory (bytes)" value=js_memory/>
                <Field id="account-js-disk" label="JetStream disk (bytes)" value=js_disk/>
                <Field id="account-js-streams" label="JetStream streams" value=js_streams/>
                <Field id="account-js-consumers" label="JetStream consumers" value=js_consumers/>
            </Show>
            <Field id="account-description" label="Description" value=description/>
            <Field id="account-tags" label="Tags (comma separated)" value=tags/>
            <Field id="account-expires" label="Expires in (days; empty: never)" value=expires/>
            <button on:click=create>"Create account"</button>
        </section>
    }
}
