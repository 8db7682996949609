//! Accounts: create or edit (limits, JetStream, default permissions, signing keys), sign with an
//! operator key, push to the account server, and compare with what the server stores.

use leptos::prelude::*;

use crate::forms::{form_signals, shown_choice, Check, Choice, Field, FormErrors, TextArea};
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

form_signals!(
    /// The account form's inputs.
    AccountInputs for AccountForm {
        name: String,
        conn: String,
        leaf: String,
        subs: String,
        data: String,
        payload: String,
        imports: String,
        exports: String,
        wildcards: bool,
        jetstream: bool,
        js_memory: String,
        js_disk: String,
        js_streams: String,
        js_consumers: String,
        default_pub_allow: String,
        default_pub_deny: String,
        default_sub_allow: String,
        default_sub_deny: String,
        signing_keys: String,
        new_signing_key: bool,
        description: String,
        tags: String,
        expires_in_days: String,
        loaded_expires: i64,
    }
);

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
    let inputs = AccountInputs::new(AccountForm::default());
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
    // the console lists its accounts to a signed-in session: load again when that changes
    Effect::new(move |_| {
        console.session.track();
        refresh();
    });
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
        let chosen = shown_choice(signer.get_untracked(), signers());
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
        // re-signed by the key that signed it, unless another is chosen
        signer.set(claims.issuer.clone());
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
                <Field id="account-pub-allow" label="Users may publish to (empty: all)" value=inputs.default_pub_allow errors/>
                <Field id="account-pub-deny" label="Users may not publish to" value=inputs.default_pub_deny errors/>
                <Field id="account-sub-allow" label="Users may subscribe to (empty: all)" value=inputs.default_sub_allow errors/>
                <Field id="account-sub-deny" label="Users may not subscribe to" value=inputs.default_sub_deny errors/>
            </fieldset>
            <fieldset>
                <legend>"Signing keys"</legend>
                <TextArea id="account-signing-keys" label="Signing keys (account public keys, one per line; a key whose seed is elsewhere can be pasted here)" value=inputs.signing_keys errors/>
                <Check id="account-new-signing-key" label="Generate a new signing key into the vault" value=inputs.new_signing_key/>
            </fieldset>
            <Field id="account-description" label="Description" value=inputs.description errors/>
            <Field id="account-tags" label="Tags (comma separated)" value=inputs.tags errors/>
            <Field id="account-expires" label="Expires in (days; empty: never)" value=inputs.expires_in_days errors/>
            <button on:click=save>{move || if editing.get().is_some() { "Save account" } else { "Create account" }}</button>
            <Show when=move || editing.get().is_some()>
                " "<button class="secondary" on:click=cancel>"Cancel editing"</button>
            </Show>
        </section>
    }
}
