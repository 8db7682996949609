//! Accounts: create or edit (limits, JetStream, default permissions, signing keys), sign with an
//! operator key, push to the account server, and compare with what the server stores.

use leptos::prelude::*;

use crate::forms::{Check, Choice, Field, FormErrors, TextArea};
use crate::issue::{self, AccountForm};
use crate::state::{now, push_account, Console};

#[derive(Clone, serde::Deserialize)]
struct ServerAccount {
    name: String,
    key: String,
    /// compared whole: the `jti` of two versions signed in the same second is the same
    jwt: String,
    status: String,
}

/// One signal per input of [`AccountForm`].
#[derive(Clone, Copy)]
struct AccountInputs {
    name: RwSignal<String>,
    conn: RwSignal<String>,
    leaf: RwSignal<String>,
    subs: RwSignal<String>,
    data: RwSignal<String>,
    payload: RwSignal<String>,
    imports: RwSignal<String>,
    exports: RwSignal<String>,
    wildcards: RwSignal<bool>,
    jetstream: RwSignal<bool>,
    js_memory: RwSignal<String>,
    js_disk: RwSignal<String>,
    js_streams: RwSignal<String>,
    js_consumers: RwSignal<String>,
    pub_allow: RwSignal<String>,
    pub_deny: RwSignal<String>,
    sub_allow: RwSignal<String>,
    sub_deny: RwSignal<String>,
    signing_keys: RwSignal<String>,
    new_signing_key: RwSignal<bool>,
    description: RwSignal<String>,
    tags: RwSignal<String>,
    expires: RwSignal<String>,
    loaded_expires: RwSignal<i64>,
}

impl AccountInputs {
    fn new() -> Self {
        let s = || RwSignal::new(String::new());
        let inputs = AccountInputs {
            name: s(),
            conn: s(),
            leaf: s(),
            subs: s(),
            data: s(),
            payload: s(),
            imports: s(),
            exports: s(),
            wildcards: RwSignal::new(true),
            jetstream: RwSignal::new(false),
            js_memory: s(),
            js_disk: s(),
            js_streams: s(),
            js_consumers: s(),
            pub_allow: s(),
            pub_deny: s(),
            sub_allow: s(),
            sub_deny: s(),
            signing_keys: s(),
            new_signing_key: RwSignal::new(false),
            description: s(),
            tags: s(),
            expires: s(),
            loaded_expires: RwSignal::new(0),
        };
        inputs.load(AccountForm::default());
        inputs
    }

    fn load(&self, f: AccountForm) {
        self.name.set(f.name);
        self.conn.set(f.conn);
        self.leaf.set(f.leaf);
        self.subs.set(f.subs);
        self.data.set(f.data);
        self.payload.set(f.payload);
        self.imports.set(f.imports);
        self.exports.set(f.exports);
        self.wildcards.set(f.wildcards);
        self.jetstream.set(f.jetstream);
        self.js_memory.set(f.js_memory);
        self.js_disk.set(f.js_disk);
        self.js_streams.set(f.js_streams);
        self.js_consumers.set(f.js_consumers);
        self.pub_allow.set(f.default_pub_allow);
        self.pub_deny.set(f.default_pub_deny);
        self.sub_allow.set(f.default_sub_allow);
        self.sub_deny.set(f.default_sub_deny);
        self.signing_keys.set(f.signing_keys);
        self.new_signing_key.set(f.new_signing_key);
        self.description.set(f.description);
        self.tags.set(f.tags);
        self.expires.set(f.expires_in_days);
        self.loaded_expires.set(f.loaded_expires);
    }

    fn form(&self) -> AccountForm {
        AccountForm {
            name: self.name.get_untracked(),
            conn: self.conn.get_untracked(),
            leaf: self.leaf.get_untracked(),
            subs: self.subs.get_untracked(),
            data: self.data.get_untracked(),
            payload: self.payload.get_untracked(),
            imports: self.imports.get_untracked(),
            exports: self.exports.get_untracked(),
            wildcards: self.wildcards.get_untracked(),
            jetstream: self.jetstream.get_untracked(),
            js_memory: self.js_memory.get_untracked(),
            js_disk: self.js_disk.get_untracked(),
            js_streams: self.js_streams.get_untracked(),
            js_consumers: self.js_consumers.get_untracked(),
            default_pub_allow: self.pub_allow.get_untracked(),
            default_pub_deny: self.pub_deny.get_untracked(),
            default_sub_allow: self.sub_allow.get_untracked(),
            default_sub_deny: self.sub_deny.get_untracked(),
            signing_keys: self.signing_keys.get_untracked(),
            new_signing_key: self.new_signing_key.get_untracked(),
            description: self.description.get_untracked(),
            tags: self.tags.get_untracked(),
            expires_in_days: self.expires.get_untracked(),
            loaded_expires: self.loaded_expires.get_untracked(),
        }
    }
}

async fn stored_accounts() -> Option<Vec<ServerAccount>> {
    let response = gloo_net::http::Request::get("/api/v1/accounts")
        .send()
        .await
        .ok()?;
    response.json().await.ok()
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let inputs = AccountInputs::new();
    let errors = FormErrors::new();
    // the account being edited (its public key), or none for a new one
    let editing = RwSignal::new(None::<String>);
    let signer = RwSignal::new(String::new());
    // what the account server stores (None: not loaded, or unreachable)
    let server = RwSignal::new(None::<Vec<ServerAccount>>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            server.set(stored_accounts().await);
        })
    };
    refresh();
    let signers = move || {
        console
            .data()
            .map(|d| issue::operator_signers(&d))
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.key, s.label))
            .collect::<Vec<_>>()
    };

    let save = move |_| {
        let form = inputs.form();
        let existing = editing.get_untracked();
        let chosen = Some(signer.get_untracked())
            .filter(|k| signers().iter().any(|(key, _)| key == k))
            .unwrap_or_default();
        if errors.submit(console, |data| {
            issue::save_account(data, existing.as_deref(), &form, &chosen, now())?;
            Ok(match existing {
                Some(_) => format!("account {} re-signed: push it to apply", form.name.trim()),
                None => format!(
                    "account {} created and signed: push it to the account server",
                    form.name.trim()
                ),
            })
        }) {
            editing.set(None);
            inputs.load(AccountForm::default());
        }
    };
    let edit = move |key: String| {
        let Some(claims) = console.data().and_then(|d| issue::account(&d, &key)) else {
            return;
        };
        errors.clear();
        inputs.load(AccountForm::of(&claims, now()));
        editing.set(Some(key));
    };
    let cancel = move |_| {
        errors.clear();
        editing.set(None);
        inputs.load(AccountForm::default());
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
            refresh();
        });
    };

    view! {
        <section>
            <h2>"Accounts"</h2>
            <table>
                <thead><tr><th>"Name"</th><th>"Account"</th><th>"Status"</th><th></th></tr></thead>
                <tbody>
                    // keyed by the JWT: a re-signed account gets a fresh row, whose buttons
                    // hold the new JWT
                    <For each=move || console.data().map(|d| d.accounts).unwrap_or_default() key=|a| a.jwt.clone() let(a)>
                        {
                            let jwt = a.jwt.clone();
                            let key = a.key.clone();
                            let expired = nats_auth::jwt::decode(&a.jwt).is_ok_and(|c| c.expires() != 0 && c.expires() < now());
                            let status = move || match server.get() {
                                _ if expired => "expired".to_string(),
                                None => "server unreachable".to_string(),
                                Some(list) => match list.iter().find(|s| s.key == key) {
                                    None => "local only".into(),
                                    Some(s) if s.jwt != jwt => "differs from stored".into(),
                                    Some(s) if s.status == "ok" => "pushed".into(),
                                    Some(s) => format!("pushed ({})", s.status),
                                },
                            };
                            let (k, j, n) = (a.key.clone(), a.jwt.clone(), a.name.clone());
                            let k2 = a.key.clone();
                            view! {
                                <tr>
                                    <td>{a.name.clone()}</td>
                                    <td class="key">{a.key.clone()}</td>
                                    <td class="account-status">{status}</td>
                                    <td>
                                        <button aria-label=format!("Push {}", a.name) on:click=move |_| push(k.clone(), j.clone(), n.clone())>"Push"</button>
                                        " "
                                        <button class="secondary" aria-label=format!("Edit {}", a.name) on:click=move |_| edit(k2.clone())>"Edit"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                    // stored on the server but not in this vault (pushed by nsc or another console)
                    {move || {
                        let local: Vec<String> = console.data().map(|d| d.accounts.into_iter().map(|a| a.key).collect()).unwrap_or_default();
                        server.get().unwrap_or_default().into_iter().filter(|s| !local.contains(&s.key)).map(|s| view! {
                            <tr class="muted">
                                <td>{s.name}</td>
                                <td class="key">{s.key}</td>
                                <td class="account-status">{format!("stored, not in this vault ({})", s.status)}</td>
                                <td></td>
                            </tr>
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </section>
        <section>
            <h3>{move || match editing.get() { Some(_) => format!("Edit account {}", inputs.name.get()), None => "New account".into() }}</h3>
            <Field id="account-name" label="Account name" value=inputs.name errors/>
            <Choice id="account-signer" label="Sign with" value=signer options=signers errors/>
            <fieldset>
                <legend>"Limits (-1: unlimited)"</legend>
                <Field id="account-conn" label="Maximum connections" value=inputs.conn errors/>
                <Field id="account-leaf" label="Maximum leaf node connections" value=inputs.leaf errors/>
                <Field id="account-subs" label="Maximum subscriptions" value=inputs.subs errors/>
                <Field id="account-data" label="Maximum data (bytes)" value=inputs.data errors/>
                <Field id="account-payload" label="Maximum payload (bytes)" value=inputs.payload errors/>
                <Field id="account-imports" label="Maximum imports" value=inputs.imports errors/>
                <Field id="account-exports" label="Maximum exports" value=inputs.exports errors/>
                <Check id="account-wildcards" label="Wildcard exports allowed" value=inputs.wildcards/>
            </fieldset>
            <fieldset>
                <legend>"JetStream"</legend>
                <Check id="account-jetstream" label="JetStream enabled" value=inputs.jetstream/>
                <Show when=move || inputs.jetstream.get()>
                    <Field id="account-js-memory" label="JetStream memory (bytes)" value=inputs.js_memory errors/>
                    <Field id="account-js-disk" label="JetStream disk (bytes)" value=inputs.js_disk errors/>
                    <Field id="account-js-streams" label="JetStream streams" value=inputs.js_streams errors/>
                    <Field id="account-js-consumers" label="JetStream consumers" value=inputs.js_consumers errors/>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Default permissions of the account's users (subjects, comma separated)"</legend>
                <Field id="account-pub-allow" label="Users may publish to (empty: all)" value=inputs.pub_allow errors/>
                <Field id="account-pub-deny" label="Users may not publish to" value=inputs.pub_deny errors/>
                <Field id="account-sub-allow" label="Users may subscribe to (empty: all)" value=inputs.sub_allow errors/>
                <Field id="account-sub-deny" label="Users may not subscribe to" value=inputs.sub_deny errors/>
            </fieldset>
            <fieldset>
                <legend>"Signing keys"</legend>
                <TextArea id="account-signing-keys" label="Signing keys (account public keys, one per line; a key whose seed is elsewhere can be pasted here)" value=inputs.signing_keys errors/>
                <Check id="account-new-signing-key" label="Generate a new signing key into the vault" value=inputs.new_signing_key/>
            </fieldset>
            <Field id="account-description" label="Description" value=inputs.description errors/>
            <Field id="account-tags" label="Tags (comma separated)" value=inputs.tags errors/>
            <Field id="account-expires" label="Expires in (days; empty: never)" value=inputs.expires errors/>
            <button on:click=save>{move || if editing.get().is_some() { "Save account" } else { "Create account" }}</button>
            <Show when=move || editing.get().is_some()>
                " "<button class="secondary" on:click=cancel>"Cancel editing"</button>
            </Show>
        </section>
    }
}
