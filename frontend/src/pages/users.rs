//! Users: create with permissions, download their creds, revoke them (the account is re-signed
//! and pushed).

use leptos::prelude::*;

use crate::forms::{Check, Field};
use crate::issue::{self, UserForm};
use crate::state::{download, now, push_account, Console};

#[component]
pub fn UsersPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let account = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let pub_allow = RwSignal::new(String::new());
    let sub_allow = RwSignal::new(String::new());
    let pub_deny = RwSignal::new(String::new());
    let sub_deny = RwSignal::new(String::new());
    let resp_max = RwSignal::new(String::new());
    let subs = RwSignal::new(String::new());
    let data_limit = RwSignal::new(String::new());
    let payload = RwSignal::new(String::new());
    let networks = RwSignal::new(String::new());
    let connection_types = RwSignal::new(String::new());
    let bearer = RwSignal::new(false);
    let tags = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let accounts = move || console.data().map(|d| d.accounts).unwrap_or_default();

    let create = move |_| {
        let account_key = match account.get_untracked() {
            k if k.is_empty() => accounts()
                .first()
                .map(|a| a.key.clone())
                .unwrap_or_default(),
            k => k,
        };
        let n = name.get_untracked();
        let form = UserForm {
            pub_allow: pub_allow.get_untracked(),
            pub_deny: pub_deny.get_untracked(),
            sub_allow: sub_allow.get_untracked(),
            sub_deny: sub_deny.get_untracked(),
            resp_max: resp_max.get_untracked(),
            subs: subs.get_untracked(),
            data: data_limit.get_untracked(),
            payload: payload.get_untracked(),
            source_networks: networks.get_untracked(),
            connection_types: connection_types.get_untracked(),
            bearer: bearer.get_untracked(),
            tags: tags.get_untracked(),
            expires_in_days: expires.get_untracked(),
        };
        let mut creds = None;
        if console.change(|data| {
            let (permissions, limits) = form.permissions(now())?;
            creds = Some(issue::create_user_with(
                data,
                &account_key,
                &n,
                permissions,
                Some(limits),
                &form.tags,
                now(),
            )?);
            Ok(format!("user {n} created: its creds file is downloading"))
        }) {
            if let Some(text) = creds {
                download(&format!("{n}.creds"), &text);
            }
            name.set(String::new());
        }
    };
    let creds_of = move |key: String, user_name: String| match console
        .data()
        .map(|d| issue::user_creds(&d, &key))
    {
        Some(Ok(text)) => download(&format!("{user_name}.creds"), &text),
        Some(Err(e)) => console.error(e),
        None => console.error("unlock the vault first"),
    };
    let revoke = move |key: String, user_name: String| {
        let mut signed = None;
        if !console.change(|data| {
            let jwt = issue::revoke_user(data, &key, now())?;
            let account_key = data
                .users
                .iter()
                .find(|u| u.key == key)
                .and_then(|u| u.account.clone())
                .unwrap_or_default();
            signed = Some((account_key, jwt));
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

    view! {
        <section>
            <h2>"Users"</h2>
            <table>
                <thead><tr><th>"Name"</th><th>"User"</th><th>"Account"</th><th></th></tr></thead>
                <tbody>
                    {move || {
                        let data = console.data().unwrap_or_default();
                        data.users.clone().into_iter().map(|u| {
                            let account_name = data.accounts.iter().find(|a| Some(&a.key) == u.account.as_ref()).map(|a| a.name.clone()).unwrap_or_default();
                            let (k1, n1, k2, n2) = (u.key.clone(), u.name.clone(), u.key.clone(), u.name.clone());
                            view! {
                                <tr>
                                    <td>{u.name.clone()}</td>
                                    <td class="key">{u.key.clone()}</td>
                                    <td>{account_name}</td>
                                    <td>
                                        <button aria-label=format!("Download creds of {}", u.name) on:click=move |_| creds_of(k1.clone(), n1.clone())>"Creds"</button>
                                        " "
                                        <button class="secondary" aria-label=format!("Revoke {}", u.name) on:click=move |_| revoke(k2.clone(), n2.clone())>"Revoke"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </section>
        <section>
            <h3>"New user"</h3>
            <label for="user-account">"Account"</label>
            <select id="user-account" on:change=move |ev| account.set(event_target_value(&ev))>
                {move || accounts().into_iter().map(|a| view! { <option value=a.key.clone()>{a.name.clone()}</option> }).collect_view()}
            </select>
            <Field id="user-name" label="User name" value=name/>
            <Field id="user-pub-allow" label="May publish to (subjects, comma separated; empty: all)" value=pub_allow/>
            <Field id="user-pub-deny" label="May not publish to" value=pub_deny/>
            <Field id="user-sub-allow" label="May subscribe to (empty: all)" value=sub_allow/>
            <Field id="user-sub-deny" label="May not subscribe to" value=sub_deny/>
            <Field id="user-resp" label="Replies allowed per request received (empty: none)" value=resp_max/>
            <Field id="user-subs" label="Maximum subscriptions (empty: unlimited)" value=subs/>
            <Field id="user-data" label="Maximum data in bytes (empty: unlimited)" value=data_limit/>
            <Field id="user-payload" label="Maximum payload in bytes (empty: unlimited)" value=payload/>
            <Field id="user-src" label="Source networks (CIDRs, comma separated; empty: any)" value=networks/>
            <Field id="user-conn-types" label="Connection types (e.g. STANDARD, WEBSOCKET; empty: any)" value=connection_types/>
            <Check id="user-bearer" label="Bearer token (the JWT alone authenticates)" value=bearer/>
            <Field id="user-tags" label="Tags (comma separated)" value=tags/>
            <Field id="user-expires" label="Expires in (days; empty: never)" value=expires/>
            <button on:click=create>"Create user and download creds"</button>
        </section>
    }
}
