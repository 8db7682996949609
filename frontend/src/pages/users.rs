//! Users: create with permissions, download their creds, revoke them (the account is re-signed
//! and pushed).

use leptos::prelude::*;

use crate::issue::{self, UserPermissions};
use crate::state::{download, now, push_account, Console};

fn subjects(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let account = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let pub_allow = RwSignal::new(String::new());
    let sub_allow = RwSignal::new(String::new());
    let pub_deny = RwSignal::new(String::new());
    let sub_deny = RwSignal::new(String::new());
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
        let permissions = UserPermissions {
            pub_allow: subjects(&pub_allow.get_untracked()),
            pub_deny: subjects(&pub_deny.get_untracked()),
            sub_allow: subjects(&sub_allow.get_untracked()),
            sub_deny: subjects(&sub_deny.get_untracked()),
            ..Default::default()
        };
        let mut creds = None;
        if console.change(|data| {
            creds = Some(issue::create_user(
                data,
                &account_key,
                &n,
                permissions,
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
            <label for="user-name">"User name"</label>
            <input id="user-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="user-pub-allow">"May publish to (subjects, comma separated; empty: all)"</label>
            <input id="user-pub-allow" prop:value=move || pub_allow.get() on:input=move |ev| pub_allow.set(event_target_value(&ev))/>
            <label for="user-pub-deny">"May not publish to"</label>
            <input id="user-pub-deny" prop:value=move || pub_deny.get() on:input=move |ev| pub_deny.set(event_target_value(&ev))/>
            <label for="user-sub-allow">"May subscribe to (empty: all)"</label>
            <input id="user-sub-allow" prop:value=move || sub_allow.get() on:input=move |ev| sub_allow.set(event_target_value(&ev))/>
            <label for="user-sub-deny">"May not subscribe to"</label>
            <input id="user-sub-deny" prop:value=move || sub_deny.get() on:input=move |ev| sub_deny.set(event_target_value(&ev))/>
            <button on:click=create>"Create user and download creds"</button>
        </section>
    }
}
