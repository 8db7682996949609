//! Accounts: create or edit (limits, JetStream, default permissions, signing keys), sign with an
//! operator key, push to the account server, and compare with what the server stores.

use leptos::prelude::*;

use crate::forms::{form_signals, shown_choice, Check, Choice, Field, FormErrors, TextArea};
use crate::issue::{self, AccountForm};
use crate::state::{download, now, push_account_saying, Console};

/// An account of the vault against what the console stores.
#[derive(Clone, PartialEq)]
enum Status {
    Expired,
    /// The server's list is not known (no session, or unreachable).
    Unknown,
    LocalOnly,
    Differs,
    /// Stored as signed here; the server's word on it when it is not "ok".
    Pushed(String),
}

impl Status {
    /// Would a push change what the server stores?
    fn needs_push(&self) -> bool {
        matches!(self, Status::LocalOnly | Status::Differs | Status::Unknown)
    }

    fn badge(&self) -> impl IntoView {
        let (class, text) = match self {
            Status::Expired => ("badge badge-bad", "expired".to_string()),
            Status::Unknown => ("badge", "server unreachable".to_string()),
            Status::LocalOnly => ("badge badge-warn", "local only".to_string()),
            Status::Differs => ("badge badge-warn", "differs from stored".to_string()),
            Status::Pushed(s) if s.is_empty() => ("badge badge-ok", "pushed".to_string()),
            Status::Pushed(s) => ("badge badge-warn", format!("pushed ({s})")),
        };
        view! { <span class=class>{text}</span> }
    }
}

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
        js_tiers: String,
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

/// A page of the accounts the console stores, as `GET /api/v1/accounts` answers.
#[derive(Clone, serde::Deserialize)]
struct StoredPage {
    total: usize,
    before: usize,
    next: Option<String>,
    /// false while the server is still reading its files (names not all known)
    complete: bool,
    accounts: Vec<ServerAccount>,
}

/// Stored accounts shown per page (the console may store a million).
const PAGE: usize = 50;
/// Keys one request names at most (the server's page limit).
const KEYS_PER_REQUEST: usize = 1000;

/// What the console stores of the vault's accounts.
async fn stored_accounts(keys: Vec<String>) -> Option<Vec<ServerAccount>> {
    let mut stored = Vec::new();
    for chunk in keys.chunks(KEYS_PER_REQUEST) {
        let path = format!("/api/v1/accounts?keys={}", chunk.join(","));
        let page: StoredPage = serde_json::from_value(crate::api::get(&path).await.ok()?).ok()?;
        stored.extend(page.accounts);
    }
    Some(stored)
}

/// One page of every stored account matching `text`, after the key `after`.
async fn stored_page(text: &str, after: &str) -> Option<StoredPage> {
    let text: String = js_sys::encode_uri_component(text.trim()).into();
    let path = format!("/api/v1/accounts?limit={PAGE}&q={text}&after={after}");
    serde_json::from_value(crate::api::get(&path).await.ok()?).ok()
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let inputs = AccountInputs::new(AccountForm::default());
    let errors = FormErrors::new();
    // the account being edited (its public key), or none for a new one
    let editing = RwSignal::new(None::<String>);
    let signer = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let matches = move |name: &str, key: &str| {
        let wanted = filter.get().trim().to_lowercase();
        wanted.is_empty()
            || name.to_lowercase().contains(&wanted)
            || key.to_lowercase().contains(&wanted)
    };
    // what the account server stores of the vault's accounts (None: not loaded, or unreachable)
    let server = RwSignal::new(None::<Vec<ServerAccount>>);
    // the page of every stored account shown below them, and the keys the pages before it
    // continued after (to go back)
    let stored = RwSignal::new(None::<StoredPage>);
    let pages_before = RwSignal::new(Vec::<String>::new());
    let vault_keys = Memo::new(move |_| {
        console
            .data()
            .map(|d| d.accounts.into_iter().map(|a| a.key).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let load_page = move || {
        let after = pages_before.with_untracked(|p| p.last().cloned().unwrap_or_default());
        let text = filter.get_untracked();
        leptos::task::spawn_local(async move {
            stored.set(stored_page(&text, &after).await);
        })
    };
    let refresh = move || {
        let keys = vault_keys.get_untracked();
        leptos::task::spawn_local(async move {
            server.set(stored_accounts(keys).await);
        });
        load_page();
    };
    // the console lists its accounts to a signed-in session: load again when that, or the
    // vault's accounts, change
    Effect::new(move |_| {
        console.session.track();
        vault_keys.track();
        refresh();
    });
    // a new search starts at the first page
    Effect::new(move |first: Option<()>| {
        filter.track();
        if first.is_some() {
            pages_before.set(Vec::new());
            load_page();
        }
    });
    let next_page = move |_| {
        let Some(next) = stored.with_untracked(|p| p.as_ref().and_then(|p| p.next.clone())) else {
            return;
        };
        pages_before.update(|p| p.push(next));
        load_page();
    };
    let previous_page = move |_| {
        pages_before.update(|p| {
            p.pop();
        });
        load_page();
    };
    let signers = move || {
        console
            .data()
            .map(|d| issue::operator_signers(&d))
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.key, s.label))
            .collect::<Vec<_>>()
    };

    let push = move |key: String, jwt: String, account_name: String| {
        leptos::task::spawn_local(async move {
            push_account_saying(console, &key, &account_name, &jwt).await;
            refresh();
        });
    };
    // saves the form; with `and_push`, pushes the signed JWT at once
    let save = move |and_push: bool| {
        let form = inputs.form();
        let existing = editing.get_untracked();
        let chosen = shown_choice(signer.get_untracked(), signers());
        let mut saved = None;
        if errors.submit(console, |data| {
            saved = Some(issue::save_account(
                data,
                existing.as_deref(),
                &form,
                &chosen,
                now(),
            )?);
            Ok(match (&existing, and_push) {
                (_, true) => format!("account {} signed; pushing it", form.name.trim()),
                (Some(_), false) => {
                    format!("account {} re-signed: push it to apply", form.name.trim())
                }
                (None, false) => format!(
                    "account {} created and signed: push it to the account server",
                    form.name.trim()
                ),
            })
        }) {
            editing.set(None);
            inputs.load(AccountForm::default());
            filter.set(String::new());
            if let Some((key, jwt)) = saved {
                crate::focus_later(format!("#account-{key} button"));
                if and_push {
                    push(key, jwt, form.name.trim().to_string());
                }
            }
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
        crate::focus_later("#account-name");
    };
    let cancel = move |_| {
        errors.clear();
        inputs.load(AccountForm::default());
        if let Some(key) = editing.get_untracked() {
            crate::focus_later(format!("#account-{key} button"));
        }
        editing.set(None);
    };
    let delete = move |key: String, account_name: String| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault first");
        };
        let users = data
            .users
            .iter()
            .filter(|u| u.account.as_deref() == Some(key.as_str()))
            .count();
        if !super::confirmed(&format!(
            "Delete account {account_name}? This console deletes it from its store with a request the operator signs, nats-server stops resolving it, and its {users} user(s) can no longer connect. The vault forgets the account and its users (its keys stay on the Keys page)."
        )) {
            return;
        }
        let request =
            match issue::account_deletion_request(&data, std::slice::from_ref(&key), now()) {
                Ok(request) => request,
                Err(e) => return console.error(e),
            };
        leptos::task::spawn_local(async move {
            match crate::state::delete_account(&key, &request).await {
                // 404: the server did not store it; the vault forgets it all the same
                Ok((200 | 404, _)) => {
                    console.change(|d| {
                        let users = issue::forget_account(d, &key);
                        Ok(format!(
                            "account {account_name} deleted from this console's store and the vault, with {users} user(s)"
                        ))
                    });
                }
                Ok((status, reason)) => console.error(format!(
                    "the server refused to delete {account_name} ({status}): {reason}"
                )),
                Err(e) => console.error(format!("delete failed: {e}")),
            }
            refresh();
        });
    };
    let inspect = move |jwt: String| {
        crate::pages::inspector::inspect_next(&jwt);
        crate::nav::go(crate::nav::Page::Inspector);
    };

    let shown_accounts = move || -> Vec<crate::vault::Entity> {
        console
            .data()
            .map(|d| d.accounts)
            .unwrap_or_default()
            .into_iter()
            .filter(|a| matches(&a.name, &a.key))
            .collect()
    };
    view! {
        <section>
            <h2>"Accounts"</h2>
            <super::vault::VaultNeeded what="Creating, editing, pushing and deleting accounts"/>
            <label for="account-filter">"Filter accounts (name or key)"</label>
            <input id="account-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <div class="table-scroll" tabindex="0">
            <table>
                <thead><tr><th>"Name"</th><th>"Account"</th><th>"Status"</th><th>"Actions"</th></tr></thead>
                <tbody>
                    // keyed by the JWT: a re-signed account gets a fresh row, whose buttons
                    // hold the new JWT
                    <For each=shown_accounts key=|a| a.jwt.clone() let(a)>
                        {
                            let jwt = a.jwt.clone();
                            let key = a.key.clone();
                            let expired = nats_auth::jwt::decode(&a.jwt).is_ok_and(|c| c.expires() != 0 && c.expires() < now());
                            let status = Memo::new(move |_| match server.get() {
                                _ if expired => Status::Expired,
                                None => Status::Unknown,
                                Some(list) => match list.iter().find(|s| s.key == key) {
                                    None => Status::LocalOnly,
                                    Some(s) if s.jwt != jwt => Status::Differs,
                                    Some(s) if s.status == "ok" => Status::Pushed(String::new()),
                                    Some(s) => Status::Pushed(s.status.clone()),
                                },
                            });
                            let is_system = console.data().and_then(|d| issue::operator(&d)).is_some_and(|o| o.nats.system_account == a.key);
                            let (k, j, n) = (a.key.clone(), a.jwt.clone(), a.name.clone());
                            let (k2, k3, n3) = (a.key.clone(), a.key.clone(), a.name.clone());
                            let (j2, j3, n2) = (a.jwt.clone(), a.jwt.clone(), a.name.clone());
                            view! {
                                <tr id=format!("account-{}", a.key)>
                                    <td>{a.name.clone()}</td>
                                    <td><super::KeyText key=a.key.clone()/></td>
                                    <td class="account-status">{move || status.get().badge()}</td>
                                    <td class="actions">
                                        {move || status.get().needs_push().then(|| {
                                            let (k, j, n) = (k.clone(), j.clone(), n.clone());
                                            view! { <button aria-label=format!("Push {n}") on:click=move |_| push(k.clone(), j.clone(), n.clone())>"Push"</button> }
                                        })}
                                        <button class="secondary" aria-label=format!("Edit {}", a.name) on:click=move |_| edit(k2.clone())>"Edit"</button>
                                        <button class="secondary" aria-label=format!("Download the JWT of {}", a.name) on:click=move |_| download(&format!("{n2}.jwt"), &j2)>"JWT"</button>
                                        <super::CopyButton text=a.jwt.clone() label=format!("Copy JWT of {}", a.name) shown="Copy JWT"/>
                                        <button class="secondary" aria-label=format!("Inspect {}", a.name) on:click=move |_| inspect(j3.clone())>"Inspect"</button>
                                        // the system account is the operator's own: deleting it would cut every server off
                                        {(!is_system).then(|| view! {
                                            <button class="danger" aria-label=format!("Delete {}", a.name) on:click=move |_| delete(k3.clone(), n3.clone())>"Delete"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                    // stored on the server but not in this vault (pushed by nsc or another
                    // console), or all of them while the vault is locked: a page at a time,
                    // searched by the server
                    {move || {
                        let local = vault_keys.get();
                        let locked = !console.is_unlocked();
                        stored.get().map(|p| p.accounts).unwrap_or_default().into_iter().filter(|s| !local.contains(&s.key)).map(|s| {
                            let jwt = s.jwt.clone();
                            let name = s.name.clone();
                            let label = if locked { format!("stored ({})", s.status) } else { format!("stored, not in this vault ({})", s.status) };
                            view! {
                                <tr>
                                    <td>{s.name.clone()}</td>
                                    <td><super::KeyText key=s.key.clone()/></td>
                                    <td class="account-status"><span class="badge">{label}</span></td>
                                    <td class="actions">
                                        <button class="secondary" aria-label=format!("Download the JWT of {}", s.name) on:click=move |_| download(&format!("{name}.jwt"), &s.jwt)>"JWT"</button>
                                        <button class="secondary" aria-label=format!("Inspect {}", s.name) on:click=move |_| inspect(jwt.clone())>"Inspect"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            </div>
            <p class="pager" id="stored-accounts-pager">
                <span class="muted" aria-live="polite">{move || stored.get().map(|p| {
                    let shown = p.accounts.len();
                    let range = if shown == 0 { "none".to_string() } else { format!("{}–{}", p.before + 1, p.before + shown) };
                    let searched = if filter.get().trim().is_empty() { String::new() } else { " matching the search".to_string() };
                    let reading = if p.complete { "" } else { " (the console is still reading its files: names not all searchable yet)" };
                    format!("Stored in this console{searched}: {range} of {}{reading}", p.total)
                })}</span>
                <button class="secondary" disabled=move || pages_before.with(|p| p.is_empty()) on:click=previous_page>"Previous page"</button>
                <button class="secondary" disabled=move || stored.with(|p| p.as_ref().is_none_or(|p| p.next.is_none())) on:click=next_page>"Next page"</button>
            </p>
        </section>
        <Show when=move || console.is_unlocked()>
        <section>
            <h3>{move || match editing.get() { Some(_) => format!("Edit account {}", inputs.name.get()), None => "New account".into() }}</h3>
            <Field id="account-name" label="Account name" value=inputs.name errors/>
            <Choice id="account-signer" label="Sign with" value=signer options=signers errors/>
            <fieldset>
                <legend>"Limits (empty: unlimited; units as nsc takes them: 1MB, 512K, 2GiB)"</legend>
                <Field id="account-conn" label="Maximum connections" value=inputs.conn errors placeholder="unlimited"/>
                <Field id="account-leaf" label="Maximum leaf node connections" value=inputs.leaf errors placeholder="unlimited"/>
                <Field id="account-subs" label="Maximum subscriptions" value=inputs.subs errors placeholder="unlimited"/>
                <Field id="account-data" label="Maximum data (bytes)" value=inputs.data errors placeholder="unlimited"/>
                <Field id="account-payload" label="Maximum payload (bytes)" value=inputs.payload errors placeholder="unlimited"/>
                <Field id="account-imports" label="Maximum imports" value=inputs.imports errors placeholder="unlimited"/>
                <Field id="account-exports" label="Maximum exports" value=inputs.exports errors placeholder="unlimited"/>
                <Check id="account-wildcards" label="Wildcard exports allowed" value=inputs.wildcards/>
            </fieldset>
            <fieldset>
                <legend>"JetStream"</legend>
                <Check id="account-jetstream" label="JetStream enabled" value=inputs.jetstream/>
                <Show when=move || inputs.jetstream.get()>
                    <Field id="account-js-memory" label="JetStream memory (bytes)" value=inputs.js_memory errors placeholder="unlimited"/>
                    <Field id="account-js-disk" label="JetStream disk (bytes)" value=inputs.js_disk errors placeholder="unlimited"/>
                    <Field id="account-js-streams" label="JetStream streams" value=inputs.js_streams errors placeholder="unlimited"/>
                    <Field id="account-js-consumers" label="JetStream consumers" value=inputs.js_consumers errors placeholder="unlimited"/>
                    <TextArea id="account-js-tiers" label="Or limits per replica count, one tier a line (R1: memory 1GiB, disk 10GiB, streams 10, consumers 100); tiers replace the limits above" value=inputs.js_tiers errors/>
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
            <div class="buttons">
                <button on:click=move |_| save(true)>{move || if editing.get().is_some() { "Save and push" } else { "Create and push" }}</button>
                <button class="secondary" on:click=move |_| save(false)>{move || if editing.get().is_some() { "Save account" } else { "Create account" }}</button>
                <Show when=move || editing.get().is_some()>
                    <button class="secondary" on:click=cancel>"Cancel editing"</button>
                </Show>
            </div>
        </section>
        <super::roles::AccountRoles account=editing/>
        </Show>
    }
}
