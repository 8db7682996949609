//! Users: create or edit with permissions and limits, signed by the account or one of its
//! signing keys; download their creds; revoke them (the account is re-signed and pushed).

use leptos::prelude::*;

use crate::forms::{form_signals, shown_choice, Check, Choice, Field, FormErrors};
use crate::issue::{self, UserForm};
use crate::state::{download, now, push_account, Console};

form_signals!(
    /// The user form's inputs.
    UserInputs for UserForm {
        name: String,
        pub_allow: String,
        pub_deny: String,
        sub_allow: String,
        sub_deny: String,
        resp_max: String,
        subs: String,
        data: String,
        payload: String,
        source_networks: String,
        connection_types: String,
        times: String,
        times_location: String,
        bearer: bool,
        tags: String,
        expires_in_days: String,
        loaded_expires: i64,
    }
);

/// Where the Users page remembers the account last used (this browser only; a public key).
const LAST_ACCOUNT: &str = "nats-console.users.account";

fn remembered_account() -> String {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(LAST_ACCOUNT).ok().flatten())
        .unwrap_or_default()
}

fn remember_account(key: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(LAST_ACCOUNT, key);
    }
}

/// Is `user` revoked by its account as this vault holds it?
fn is_revoked(data: &crate::vault::VaultData, user: &crate::vault::Entity) -> bool {
    let claims = issue::user(data, &user.key);
    let account = user
        .account
        .as_deref()
        .and_then(|a| issue::account(data, a));
    matches!((claims, account), (Some(c), Some(a)) if a.is_revoked(&c.subject, c.issued_at))
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let inputs = UserInputs::new(UserForm::default());
    let errors = FormErrors::new();
    let editing = RwSignal::new(None::<String>);
    let account = RwSignal::new(remembered_account());
    let filter = RwSignal::new(String::new());
    let signer = RwSignal::new(String::new());
    let accounts = move || console.data().map(|d| d.accounts).unwrap_or_default();
    let account_options = move || {
        accounts()
            .into_iter()
            .map(|a| (a.key, a.name))
            .collect::<Vec<_>>()
    };
    // the account the select shows
    let account_key = move || shown_choice(account.get(), account_options());
    let signers = move || {
        let key = account_key();
        console
            .data()
            .map(|d| issue::account_signers(&d, &key))
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.key, s.label))
            .collect::<Vec<_>>()
    };

    // the chosen signer's role, when it is a scoped key
    let scoped_role = move || {
        let chosen = shown_choice(signer.get(), signers());
        console
            .data()
            .and_then(|d| issue::role_of(&d, &account_key(), &chosen))
    };
    let save = move |_| {
        let form = inputs.form();
        let existing = editing.get_untracked();
        let account_key = account_key();
        // a signer left from another account is not among the options: the select shows
        // (and this signs with) the first one
        let chosen = shown_choice(signer.get_untracked(), signers());
        let mut creds = None;
        let name = form.name.trim().to_string();
        let system_account = console
            .data()
            .and_then(|d| issue::operator(&d))
            .map(|o| o.nats.system_account)
            .unwrap_or_default();
        if existing.is_none()
            && account_key == system_account
            && !super::confirmed(&format!(
                "Add {name} to the system account? Its users can watch and control every server (connections, kicks, reloads, account updates). Users of applications belong in their own accounts."
            ))
        {
            return;
        }
        let mut saved_key = None;
        if errors.submit(console, |data| {
            creds = Some(issue::save_user(
                data,
                &account_key,
                existing.as_deref(),
                &form,
                &chosen,
                now(),
            )?);
            saved_key = data
                .users
                .iter()
                .rev()
                .find(|u| u.name == name && u.account.as_deref() == Some(account_key.as_str()))
                .map(|u| u.key.clone());
            Ok(match existing {
                Some(_) => {
                    format!("user {name} re-signed: download its creds again to use the new JWT")
                }
                None => format!("user {name} created: its creds file is downloading"),
            })
        }) {
            remember_account(&account_key);
            if existing.is_none() {
                if let Some(text) = creds {
                    download(&format!("{name}.creds"), &text);
                }
            }
            editing.set(None);
            inputs.load(UserForm::default());
            filter.set(String::new());
            // focus goes to the row just made or saved, whose buttons act on it
            if let Some(key) = saved_key.or(existing) {
                focus_row(&key);
            }
        }
    };
    let edit = move |key: String| {
        let Some(data) = console.data() else { return };
        let Some(claims) = issue::user(&data, &key) else {
            return;
        };
        let account_of = data
            .users
            .iter()
            .find(|u| u.key == key)
            .and_then(|u| u.account.clone());
        errors.clear();
        inputs.load(UserForm::of(&claims, now()));
        account.set(account_of.clone().unwrap_or_default());
        signer.set(claims.issuer.clone());
        // revocations cover JWTs issued before a time: a re-signed user is valid again
        let revoked = account_of
            .as_deref()
            .and_then(|a| issue::account(&data, a))
            .is_some_and(|a| a.is_revoked(&claims.subject, claims.issued_at));
        if revoked {
            console.error(format!(
                "{} is revoked: saving issues a new JWT that the revocation does not cover, so {} could connect again",
                claims.name, claims.name
            ));
        }
        editing.set(Some(key));
        crate::focus_later("#user-name");
    };
    let cancel = move |_| {
        errors.clear();
        inputs.load(UserForm::default());
        if let Some(key) = editing.get_untracked() {
            focus_row(&key);
        }
        editing.set(None);
    };
    let creds_of = move |key: String, user_name: String| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault first");
        };
        let revoked = data
            .users
            .iter()
            .find(|u| u.key == key)
            .is_some_and(|u| is_revoked(&data, u));
        if revoked
            && !super::confirmed(&format!(
                "{user_name} is revoked: these creds no longer connect. Download them anyway?"
            ))
        {
            return;
        }
        match issue::user_creds(&data, &key) {
            Ok(text) => {
                download(&format!("{user_name}.creds"), &text);
                if revoked {
                    console.error(format!(
                        "{user_name}.creds downloaded, but {user_name} is revoked: nats-server refuses these creds"
                    ));
                }
            }
            Err(e) => console.error(e),
        }
    };
    let revoke = move |key: String, user_name: String| {
        let account_name = console
            .data()
            .and_then(|d| {
                let account = d.users.iter().find(|u| u.key == key)?.account.clone()?;
                d.accounts
                    .into_iter()
                    .find(|a| a.key == account)
                    .map(|a| a.name)
            })
            .unwrap_or_else(|| "its account".into());
        if !super::confirmed(&format!(
            "Revoke {user_name}? {account_name} is re-signed with {user_name} in its revocations and pushed: nats-server closes {user_name}'s connections and refuses its creds from then on."
        )) {
            return;
        }
        let mut signed = None;
        if !errors.submit(console, |data| {
            signed = Some(issue::revoke_user(data, &key, now())?);
            Ok(format!("user {user_name} revoked; pushing the account"))
        }) {
            return;
        }
        let Some((account_key, jwt)) = signed else {
            return;
        };
        leptos::task::spawn_local(async move {
            match push_account(&account_key, &jwt).await {
                Ok((200, _)) => console.ok(format!(
                    "user {user_name} revoked: the server has the new account JWT"
                )),
                Ok((status, reason)) => console.error(format!(
                    "the revocation was signed but the server refused it ({status}): {reason}"
                )),
                Err(e) => console.error(format!("push failed: {e}")),
            }
        });
    };

    let shown_users = move || {
        let wanted = filter.get().trim().to_lowercase();
        let data = console.data().unwrap_or_default();
        data.users
            .iter()
            .filter(|u| {
                let account_name = data
                    .accounts
                    .iter()
                    .find(|a| Some(&a.key) == u.account.as_ref())
                    .map(|a| a.name.to_lowercase())
                    .unwrap_or_default();
                wanted.is_empty()
                    || u.name.to_lowercase().contains(&wanted)
                    || u.key.to_lowercase().contains(&wanted)
                    || account_name.contains(&wanted)
            })
            .map(|u| (u.clone(), is_revoked(&data, u)))
            .collect::<Vec<_>>()
    };
    view! {
        <section>
            <h2>"Users"</h2>
            <super::vault::VaultNeeded what="Issuing users, downloading their creds and revoking them"/>
            <Show when=move || console.is_unlocked()>
            <label for="user-filter">"Filter users (name, key or account)"</label>
            <input id="user-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <div class="table-scroll" tabindex="0">
            <table>
                <thead><tr><th>"Name"</th><th>"User"</th><th>"Account"</th><th>"Signed by"</th><th>"Actions"</th></tr></thead>
                <tbody>
                    // keyed by the JWT and the revocation: a re-signed or revoked user gets a fresh row
                    <For each=shown_users key=|(u, revoked)| (u.jwt.clone(), *revoked) let((u, revoked))>
                        {
                            let data = console.data().unwrap_or_default();
                            let account_name = data.accounts.iter().find(|a| Some(&a.key) == u.account.as_ref()).map(|a| a.name.clone()).unwrap_or_default();
                            let signed_by = issue::user(&data, &u.key).map(|c| if c.nats.issuer_account.is_empty() { "account".to_string() } else { format!("signing key {}", issue::short(&c.issuer)) }).unwrap_or_default();
                            let (k1, n1, k2, n2, k3) = (u.key.clone(), u.name.clone(), u.key.clone(), u.name.clone(), u.key.clone());
                            view! {
                                <tr id=format!("user-{}", u.key) class:revoked=revoked>
                                    <td>{u.name.clone()}{revoked.then(|| view! { " "<span class="badge badge-bad">"revoked"</span> })}</td>
                                    <td><super::KeyText key=u.key.clone()/></td>
                                    <td>{account_name}</td>
                                    <td>{signed_by}</td>
                                    <td class="actions">
                                        <button aria-label=format!("Download creds of {}", u.name) on:click=move |_| creds_of(k1.clone(), n1.clone())>"Creds"</button>
                                        <button class="secondary" aria-label=format!("Edit {}", u.name) on:click=move |_| edit(k3.clone())>"Edit"</button>
                                        {(!revoked).then(|| view! {
                                            <button class="danger" aria-label=format!("Revoke {}", u.name) on:click=move |_| revoke(k2.clone(), n2.clone())>"Revoke"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            </div>
            {move || (console.data().is_some_and(|d| !d.users.is_empty()) && shown_users().is_empty()).then(|| view! {
                <p class="muted">"No user matches the filter."</p>
            })}
            </Show>
        </section>
        <Show when=move || console.is_unlocked()>
        <section>
            <h3>{move || match editing.get() { Some(_) => format!("Edit user {}", inputs.name.get()), None => "New user".into() }}</h3>
            <Choice id="user-account" label="Account" value=account options=account_options errors/>
            <Field id="user-name" label="User name" value=inputs.name errors/>
            <Choice id="user-signer" label="Sign with" value=signer options=signers errors/>
            {move || scoped_role().map(|role| view! {
                <p id="user-scoped" class="muted">{format!("Signed by the key of role {role}: the user gets exactly the role's permissions and limits (see the account's roles), so its own inputs below are not used.")}</p>
            })}
            <fieldset disabled=move || scoped_role().is_some()>
                <legend>"Permissions (subjects, comma separated)"</legend>
                <Field id="user-pub-allow" label="May publish to (empty: all)" value=inputs.pub_allow errors/>
                <Field id="user-pub-deny" label="May not publish to" value=inputs.pub_deny errors/>
                <Field id="user-sub-allow" label="May subscribe to (empty: all)" value=inputs.sub_allow errors/>
                <Field id="user-sub-deny" label="May not subscribe to" value=inputs.sub_deny errors/>
                <Field id="user-resp" label="Replies allowed per request received (empty: none)" value=inputs.resp_max errors/>
            </fieldset>
            <fieldset disabled=move || scoped_role().is_some()>
                <legend>"Limits (empty: unlimited; units as nsc takes them: 1MB, 512K, 2GiB)"</legend>
                <Field id="user-subs" label="Maximum subscriptions" value=inputs.subs errors placeholder="unlimited"/>
                <Field id="user-data" label="Maximum data in bytes" value=inputs.data errors placeholder="unlimited"/>
                <Field id="user-payload" label="Maximum payload in bytes" value=inputs.payload errors placeholder="unlimited"/>
                <Field id="user-src" label="Source networks (CIDRs, comma separated; empty: any)" value=inputs.source_networks errors/>
                <Field id="user-conn-types" label="Connection types (e.g. STANDARD, WEBSOCKET; empty: any)" value=inputs.connection_types errors/>
                <Field id="user-times" label="Times of day it may connect (e.g. 08:00-17:00, 20:00-22:00; empty: any time)" value=inputs.times errors/>
                <Field id="user-times-location" label="Time zone of those times (IANA, e.g. Europe/Berlin; empty: the server's)" value=inputs.times_location errors/>
            </fieldset>
            <Check id="user-bearer" label="Bearer token (the JWT alone authenticates)" value=inputs.bearer/>
            <Field id="user-tags" label="Tags (comma separated)" value=inputs.tags errors/>
            <Field id="user-expires" label="Expires in (days; empty: never)" value=inputs.expires_in_days errors/>
            <button on:click=save>{move || if editing.get().is_some() { "Save user" } else { "Create user and download creds" }}</button>
            <Show when=move || editing.get().is_some()>
                " "<button class="secondary" on:click=cancel>"Cancel editing"</button>
            </Show>
        </section>
        </Show>
    }
}

/// Focuses the first button of the user's row (after create, save or cancel).
fn focus_row(key: &str) {
    crate::focus_later(format!("#user-{key} button"));
}
