//! The team portal. A member asks for access with a signing key of their own (made in their
//! vault); once an admin gives it a role, the member signs in with it, issues users (the role's
//! template applies to them), sees their connections and asks for revocations. An admin sees
//! the requests here and decides: approving re-signs the account in the admin's browser and
//! pushes it.

use leptos::prelude::*;
use serde_json::{json, Value};

use super::role_editor::{RoleEditor, RoleInputs};
use crate::api;
use crate::forms::{Field, FormError, FormErrors, TextArea};
use crate::issue;
use crate::state::{download, now, push_account, stored_account, Console};

/// The ids of the access requests this browser sent.
const REQUESTS_KEY: &str = "nats-console-access-requests";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn my_request_ids() -> Vec<String> {
    local_storage()
        .and_then(|s| s.get_item(REQUESTS_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn remember_request(id: &str) {
    let mut ids = my_request_ids();
    ids.push(id.to_string());
    if let (Some(s), Ok(text)) = (local_storage(), serde_json::to_string(&ids)) {
        let _ = s.set_item(REQUESTS_KEY, &text);
    }
}

fn text(v: &Value, field: &str) -> String {
    match &v[field] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn date(unix: i64) -> String {
    if unix == 0 {
        return "never".into();
    }
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    String::from(d.to_iso_string()).chars().take(10).collect()
}

#[component]
pub fn TeamPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let role = move || console.session.get().map(|s| s.role);
    view! {
        <section>
            <h2>"Team"</h2>
            <p class="muted">"A team runs one NATS account without holding the operator's or the account's keys: each member asks for access with a key of their own, an admin gives that key a role, and the member issues users under it. Revocations are asked for here and made by an admin."</p>
        </section>
        <AskForAccess/>
        {move || (role().as_deref() == Some("team")).then(|| view! { <TeamUsers/> })}
        {move || (role().as_deref() == Some("admin")).then(|| view! { <AdminRequests/> })}
    }
}

/// A member's side: a key of their own, a request, and its state.
#[component]
fn AskForAccess() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let account = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let mine = RwSignal::new(Vec::<Value>::new());
    let refresh = move || {
        leptos::task::spawn_local(async move {
            let mut found = Vec::new();
            for id in my_request_ids() {
                if let Ok(request) = api::get(&format!("/api/v1/access-requests/{id}")).await {
                    found.push(request);
                }
            }
            mine.set(found);
        })
    };
    refresh();
    let ask = move |_| {
        let (account_key, who, why) = (
            account.get_untracked().trim().to_string(),
            name.get_untracked(),
            note.get_untracked(),
        );
        let made = std::rc::Rc::new(std::cell::RefCell::new(None));
        let key_out = made.clone();
        if !errors.submit(console, |data| {
            let key = issue::member_key(data, &account_key, &who)?;
            *key_out.borrow_mut() = Some(key.clone());
            Ok(format!("your key {} is in your vault", issue::short(&key)))
        }) {
            return;
        }
        let Some(key) = made.borrow_mut().take() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let body =
                json!({ "account": account_key, "key": key, "name": who.trim(), "note": why });
            match api::post("/api/v1/access-requests", body).await {
                Ok(request) => {
                    remember_request(&text(&request, "id"));
                    console.ok(
                        "access requested: an admin of this console decides; the state shows below",
                    );
                    refresh();
                }
                Err(e) => errors.show(console, FormError::at("access-account", e)),
            }
        });
    };
    view! {
        <section>
            <h3>"Ask for access to an account"</h3>
            <Show when=move || console.vault.with(|v| v.is_some())
                fallback=|| view! { <super::vault::VaultNeeded what="Asking for access (your key is made in the vault)"/> }>
                <Field id="access-account" label="Account public key (ask your admin)" value=account errors/>
                <Field id="access-name" label="Your name" value=name errors/>
                <TextArea id="access-note" label="What you need it for (optional)" value=note rows=2 errors/>
                <button on:click=ask>"Generate my key and ask for access"</button>
            </Show>
            <Show when=move || !mine.get().is_empty()>
                <h4>"Your requests"</h4>
                <div class="table-scroll" tabindex="0">
                <table id="my-requests">
                    <tr><th>"Account"</th><th>"Your key"</th><th>"State"</th><th>"Role"</th><th>"Decided by"</th></tr>
                    {move || mine.get().into_iter().map(|r| view! {
                        <tr>
                            <td class="key">{issue::short(&text(&r, "account"))}</td>
                            <td class="key">{issue::short(&text(&r, "key"))}</td>
                            <td class="state">{text(&r, "state")}</td>
                            <td>{text(&r, "role")}</td>
                            <td>{r["decision"].as_object().map(|d| format!("{} {}", d["by"].as_str().unwrap_or(""), d["reason"].as_str().unwrap_or(""))).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </table>
                </div>
                <button id="refresh-my-requests" class="secondary" on:click=move |_| refresh()>"Refresh"</button>
                <p class="muted">"Once approved, sign in with your key (Sign in page) to issue users."</p>
            </Show>
        </section>
    }
}

/// A signed-in team: issue users with the session's key, see them, their connections, and ask
/// for revocations.
#[component]
fn TeamUsers() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let user_name = RwSignal::new(String::new());
    let days = RwSignal::new("30".to_string());
    let users = RwSignal::new(Vec::<Value>::new());
    let revocations = RwSignal::new(Vec::<Value>::new());
    // user key -> what the connections lookup said
    let connections = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let refresh = move || {
        leptos::task::spawn_local(async move {
            match api::get("/api/v1/users").await {
                Ok(Value::Array(list)) => users.set(list),
                Ok(_) => {}
                Err(e) => console.error(e),
            }
            if let Ok(Value::Array(list)) = api::get("/api/v1/revocation-requests").await {
                revocations.set(list);
            }
        })
    };
    refresh();
    let issue_user = move |_| {
        errors.clear();
        let (Some(data), Some(s)) = (console.data(), console.session.get_untracked()) else {
            return console.error("unlock the vault and sign in first");
        };
        let (name, days_text) = (user_name.get_untracked(), days.get_untracked());
        leptos::task::spawn_local(async move {
            let account = match stored_account(&s.account).await {
                Ok(Some(jwt)) => match nats_auth::jwt::decode(&jwt) {
                    Ok(nats_auth::jwt::AnyClaims::Account(a)) => a,
                    _ => return console.error("the stored account JWT does not decode"),
                },
                Ok(None) => return console.error("your account is not stored in this console"),
                Err(e) => return console.error(e),
            };
            let (jwt, creds) =
                match issue::team_user(&data, &account, &s.signer, &name, &days_text, now()) {
                    Ok(made) => made,
                    Err(e) => return errors.show(console, e),
                };
            match api::post("/api/v1/users", json!({ "jwt": jwt })).await {
                Ok(_) => {
                    download(&format!("{}.creds", name.trim()), &creds);
                    console.ok(format!(
                        "user {} issued: its creds are downloading",
                        name.trim()
                    ));
                    user_name.set(String::new());
                    refresh();
                }
                Err(e) => errors.show(console, FormError::at("team-user-name", e)),
            }
        });
    };
    let show_connections = move |user: String| {
        let Some(s) = console.session.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let said = match api::get(&format!("/api/v1/accounts/{}/connections", s.account)).await
            {
                Ok(answer) => {
                    let list: Vec<&Value> = answer["connections"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|c| c["authorized_user"].as_str() == Some(user.as_str()))
                        .collect();
                    match list.len() {
                        0 => "not connected".to_string(),
                        n => format!(
                            "{n} connected: {}",
                            list.iter()
                                .map(|c| format!(
                                    "{} on {}",
                                    text(c, "ip"),
                                    issue::short(&text(c, "server"))
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                }
                Err(e) => e,
            };
            connections.update(|m| {
                m.insert(user, said);
            });
        });
    };
    let request_revocation = move |user: String, name: String| {
        leptos::task::spawn_local(async move {
            match api::post("/api/v1/revocation-requests", json!({ "user": user })).await {
                Ok(_) => {
                    console.ok(format!("revocation of {name} requested: an admin decides"));
                    refresh();
                }
                Err(e) => console.error(e),
            }
        });
    };
    let filter = RwSignal::new(String::new());
    view! {
        <section>
            <h3>"Issue a user"</h3>
            <p class="muted">"Signed with your key: the user gets your role's permissions. Its creds file downloads; its seed is in that file only."</p>
            <Field id="team-user-name" label="User name" value=user_name errors/>
            <Field id="team-user-days" label="Expires in days" value=days errors/>
            <button on:click=issue_user>"Issue user and download creds"</button>
        </section>
        <section>
            <h3>"Users issued by your team"</h3>
            <label for="team-user-filter">"Filter users (name, key or who issued them)"</label>
            <input id="team-user-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <div class="table-scroll" tabindex="0">
            <table id="team-users">
                <tr><th>"Name"</th><th>"User"</th><th>"Issued by"</th><th>"Expires"</th><th>"Status"</th><th>"Connections"</th><th>"Actions"</th></tr>
                {move || users.get().into_iter().filter(|u| {
                    let wanted = filter.get().trim().to_lowercase();
                    wanted.is_empty() || ["name", "key", "issued_by"].iter().any(|f| text(u, f).to_lowercase().contains(&wanted))
                }).map(|u| {
                    let (key, name) = (text(&u, "key"), text(&u, "name"));
                    let revoked = u["revoked"].as_bool().unwrap_or(false);
                    let (k1, k2, k3, n2) = (key.clone(), key.clone(), key.clone(), name.clone());
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td class="key">{issue::short(&key)}</td>
                            <td>{text(&u, "issued_by")}</td>
                            <td>{date(u["expires"].as_i64().unwrap_or(0))}</td>
                            <td>{if revoked { view! { <span class="badge badge-bad">"revoked"</span> }.into_any() } else { view! { <span>"valid"</span> }.into_any() }}</td>
                            <td class="connections">{move || connections.with(|m| m.get(&k1).cloned().unwrap_or_default())}</td>
                            <td>
                                <button class="secondary" on:click=move |_| show_connections(k2.clone())>{format!("Connections of {name}")}</button>
                                {(!revoked).then(|| view! {
                                    " " <button class="secondary" on:click=move |_| request_revocation(k3.clone(), n2.clone())>{format!("Request revocation of {}", text(&u, "name"))}</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            </div>
            <h4>"Revocation requests"</h4>
            <div class="table-scroll" tabindex="0">
            <table id="team-revocations">
                <tr><th>"User"</th><th>"Asked by"</th><th>"State"</th></tr>
                {move || revocations.get().into_iter().map(|r| view! {
                    <tr><td>{text(&r, "user_name")}</td><td>{text(&r, "requested_by")}</td><td class="state">{text(&r, "state")}</td></tr>
                }).collect_view()}
            </table>
            </div>
            <button id="refresh-team-users" class="secondary" on:click=move |_| refresh()>"Refresh"</button>
        </section>
    }
}

/// An admin's side: access and revocation requests, decided after re-signing in this browser.
#[component]
fn AdminRequests() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let role = RoleInputs::starting();
    let access = RwSignal::new(Vec::<Value>::new());
    let revocations = RwSignal::new(Vec::<Value>::new());
    let refresh = move || {
        leptos::task::spawn_local(async move {
            match api::get("/api/v1/access-requests?state=pending").await {
                Ok(Value::Array(list)) => access.set(list),
                Ok(other) => console.error(format!("unexpected answer: {other:.80}")),
                Err(e) => console.error(e),
            }
            match api::get("/api/v1/revocation-requests").await {
                Ok(Value::Array(list)) => revocations.set(
                    list.into_iter()
                        .filter(|r| r["state"] == "pending")
                        .collect(),
                ),
                Ok(other) => console.error(format!("unexpected answer: {other:.80}")),
                Err(e) => console.error(e),
            }
        })
    };
    refresh();
    let decide = move |url: String, approve: bool, done: String| {
        leptos::task::spawn_local(async move {
            match api::post(&url, json!({ "approve": approve })).await {
                Ok(_) => {
                    console.ok(done);
                    refresh();
                }
                Err(e) => console.error(e),
            }
        });
    };
    // re-sign the account in this vault, push it, then record the decision: approving means
    // nothing until the console stores the account that says so
    let resign_push_decide =
        move |account: String,
              resign: &dyn Fn(&mut crate::vault::VaultData) -> Result<String, FormError>,
              signed_message: String,
              decision_url: String,
              done: String| {
            let signed = std::cell::RefCell::new(None);
            if !errors.submit(console, |data| {
                *signed.borrow_mut() = Some(resign(data)?);
                Ok(signed_message)
            }) {
                return;
            }
            let Some(jwt) = signed.into_inner() else {
                return;
            };
            leptos::task::spawn_local(async move {
                match push_account(&account, &jwt).await {
                    Ok((200, _)) => decide(decision_url, true, done),
                    Ok((status, reason)) => {
                        console.error(format!("the account was refused ({status}): {reason}"))
                    }
                    Err(e) => console.error(e),
                }
            });
        };
    let approve = move |request: Value| {
        let (id, account, key, name) = (
            text(&request, "id"),
            text(&request, "account"),
            text(&request, "key"),
            text(&request, "name"),
        );
        let form = role.value();
        resign_push_decide(
            account.clone(),
            &|data| issue::approve_member(data, &account, &key, &form, now()),
            format!(
                "{name}'s key added to the account as role {}",
                form.role.trim()
            ),
            format!("/api/v1/access-requests/{id}/decision"),
            format!("{name}'s key is approved: the account is pushed with it"),
        );
    };
    let approve_revocation = move |request: Value| {
        let (id, account, user, name) = (
            text(&request, "id"),
            text(&request, "account"),
            text(&request, "user"),
            text(&request, "user_name"),
        );
        if !super::confirmed(&format!(
            "Approve the revocation of {name}? Its account is re-signed with {name} in its revocations and pushed: nats-server closes {name}'s connections and refuses its creds from then on."
        )) {
            return;
        }
        resign_push_decide(
            account.clone(),
            &|data| issue::revoke_key(data, &account, &user, now()),
            format!("{name} revoked in the account"),
            format!("/api/v1/revocation-requests/{id}/decision"),
            format!("{name} is revoked: the account is pushed"),
        );
    };
    let account_name = move |key: &str| {
        console
            .data()
            .and_then(|d| {
                d.accounts
                    .into_iter()
                    .find(|a| a.key == key)
                    .map(|a| a.name)
            })
            .unwrap_or_else(|| issue::short(key))
    };
    // one filter for both lists: a name, an account's name or key, who asked
    let filter = RwSignal::new(String::new());
    let shown = move |r: &Value| {
        let wanted = filter.get().trim().to_lowercase();
        wanted.is_empty()
            || ["name", "user_name", "key", "account", "requested_by"]
                .iter()
                .map(|f| text(r, f))
                .chain([account_name(&text(r, "account"))])
                .any(|t| t.to_lowercase().contains(&wanted))
    };
    view! {
        <section>
            <h3>"Access requests"</h3>
            <p class="muted">"Approving gives the member's key this role: a scoped signing key of the account, whose template every user it signs gets ({{name()}}, {{subject()}}, {{tag(x)}}, {{account-name()}}, {{account-tag(x)}} are filled in by nats-server). The account is re-signed here and pushed."</p>
            <RoleEditor role errors account=Signal::derive(|| None)/>
            <label for="request-filter">"Filter requests (name, account, key, who asked)"</label>
            <input id="request-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <div class="table-scroll" tabindex="0">
            <table id="access-requests">
                <tr><th>"Name"</th><th>"Account"</th><th>"Key"</th><th>"Note"</th><th>"Decision"</th></tr>
                {move || access.get().into_iter().filter(|r| shown(r)).map(|r| {
                    let name = text(&r, "name");
                    let (r1, r2) = (r.clone(), r.clone());
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td>{account_name(&text(&r, "account"))}</td>
                            <td class="key">{issue::short(&text(&r, "key"))}</td>
                            <td>{text(&r, "note")}</td>
                            <td>
                                <button on:click=move |_| approve(r1.clone())>{format!("Approve {name}")}</button>
                                " "
                                <button class="secondary" on:click=move |_| decide(format!("/api/v1/access-requests/{}/decision", text(&r2, "id")), false, format!("{}'s request refused", text(&r2, "name")))>{format!("Refuse {}", text(&r, "name"))}</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            </div>
        </section>
        <section>
            <h3>"Revocation requests"</h3>
            <div class="table-scroll" tabindex="0">
            <table id="revocation-requests">
                <tr><th>"User"</th><th>"Account"</th><th>"Asked by"</th><th>"Reason"</th><th>"Decision"</th></tr>
                {move || revocations.get().into_iter().filter(|r| shown(r)).map(|r| {
                    let name = text(&r, "user_name");
                    let (r1, r2) = (r.clone(), r.clone());
                    view! {
                        <tr>
                            <td>{name.clone()}</td>
                            <td>{account_name(&text(&r, "account"))}</td>
                            <td>{text(&r, "requested_by")}</td>
                            <td>{text(&r, "reason")}</td>
                            <td>
                                <button on:click=move |_| approve_revocation(r1.clone())>{format!("Approve revocation of {name}")}</button>
                                " "
                                <button class="secondary" on:click=move |_| decide(format!("/api/v1/revocation-requests/{}/decision", text(&r2, "id")), false, format!("revocation of {} refused", text(&r2, "user_name")))>{format!("Refuse revocation of {}", text(&r, "user_name"))}</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
            </div>
            <button id="refresh-requests" class="secondary" on:click=move |_| refresh()>"Refresh"</button>
        </section>
    }
}
