//! JetStream, per account, acting as a user of that account: a team on its own account with
//! its session; an admin on any account whose key the vault holds, through an account link the
//! vault signs for an hour. nats-server checks every permission; the forms check names,
//! subjects and configurations with `nats_auth::jetstream` before anything is sent.
//!
//! - Account: usage against limits per tier, the server's API level
//! - Streams (`streams.rs`): list, info, create/edit/copy with a diff, purge with the count,
//!   delete; a stream's messages (`messages.rs`) and consumers (`consumers.rs`); backups
//!   (`backup.rs`)
//! - Key-value buckets (`kv.rs`), object store buckets (`objects.rs`), advisories
//!   (`advisories.rs`)

mod advisories;
mod backup;
mod consumers;
mod kv;
mod messages;
mod objects;
mod streams;

use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::forms::Choice;
use crate::issue;
use crate::monitoring::bytes;
use crate::session;
use crate::state::Console;

/// The account the pages act for, and what its server supports.
#[derive(Clone, Copy)]
pub struct Js {
    pub account: RwSignal<String>,
    /// `INFO`'s `api.level` (0 before 2.11; 1: 2.11, 2: 2.12, 4: 2.14).
    pub api_level: RwSignal<i64>,
    /// Bumped after a change, so the lists read again.
    pub changed: RwSignal<u32>,
}

impl Js {
    fn base(&self) -> String {
        format!("/api/v1/jetstream/{}", self.account.get_untracked())
    }

    /// One `$JS.API.<op>` request; the error says the server's reason and code.
    pub async fn api(&self, op: &str, body: Value) -> Result<Value, String> {
        api::post(&format!("{}/api/{op}", self.base()), body).await
    }

    pub async fn get(&self, path: &str) -> Result<Value, String> {
        api::get(&format!("{}{path}", self.base())).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        api::post(&format!("{}{path}", self.base()), body).await
    }

    /// The key-value (`KV_`) or object store (`OBJ_`) buckets: streams named with `prefix`
    /// among those taking `subjects`.
    pub async fn buckets(&self, prefix: &str, subjects: &str) -> Result<Vec<Value>, String> {
        let list = self
            .api("STREAM.LIST", serde_json::json!({ "subject": subjects }))
            .await?;
        Ok(list["streams"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|s| {
                s["config"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with(prefix))
            })
            .collect())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub fn touch(&self) {
        self.changed.update(|n| *n += 1);
    }
}

/// Listens to the console's Server-Sent Events at `url` (event names `names`) while the
/// calling component lives; each event's JSON goes to `on_event`, the feed's state to `state`.
pub fn listen(
    url: &str,
    names: &'static [&'static str],
    on_event: impl Fn(Value) + 'static,
    state: RwSignal<String>,
) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new(url) else {
        state.set("this browser has no EventSource".into());
        return;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
            if let Some(value) = m
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str(&t).ok())
            {
                on_event(value);
            }
        });
    for name in names {
        let _ = source.add_event_listener_with_callback(name, on_message.as_ref().unchecked_ref());
    }
    on_message.forget();
    let on_open = Closure::<dyn Fn()>::new(move || state.set("live".into()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let watched = source.clone();
    let on_error = Closure::<dyn Fn()>::new(move || {
        state.set(if watched.ready_state() == web_sys::EventSource::CLOSED {
            "stopped: the console refused the feed".into()
        } else {
            "cut: reconnecting…".into()
        })
    });
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let kept = StoredValue::new_local(source);
    on_cleanup(move || {
        kept.try_with_value(|s| s.close());
    });
}

/// A number of the server's JSON as text ("" when absent).
pub fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A limit: `-1` or absent is "unlimited".
fn limit(v: &Value, unit: fn(f64) -> String) -> String {
    match v.as_i64() {
        Some(n) if n >= 0 => unit(n as f64),
        _ => "unlimited".into(),
    }
}

/// An RFC 3339 time of the server's as the browser's local time; the zero time as "never".
pub fn when(v: &Value) -> String {
    let Some(text) = v.as_str() else {
        return String::new();
    };
    if text.starts_with("0001-01-01") {
        return "never".into();
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(text));
    if date.get_time().is_nan() {
        return text.to_string();
    }
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Unix seconds as the browser's local time.
fn from_unix(seconds: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Streams,
    KeyValue,
    Objects,
    Advisories,
    Account,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Streams,
        Tab::KeyValue,
        Tab::Objects,
        Tab::Advisories,
        Tab::Account,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Streams => "Streams",
            Tab::KeyValue => "Key-value",
            Tab::Objects => "Objects",
            Tab::Advisories => "Advisories",
            Tab::Account => "Usage and limits",
        }
    }
}

#[component]
pub fn JetStreamPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let js = Js {
        account: RwSignal::new(String::new()),
        api_level: RwSignal::new(0),
        changed: RwSignal::new(0),
    };
    provide_context(js);
    let status = RwSignal::new(None::<Value>);
    let busy = RwSignal::new(false);
    let tab = RwSignal::new(Tab::Streams);
    // the accounts this person can act for: the session's own, and any other the vault holds
    // a key of (an admin's, or a member of several teams)
    let choices = move || {
        let Some(s) = console.session.get() else {
            return Vec::new();
        };
        let mut options = vec![(
            s.account.clone(),
            format!("{} (this session's account)", s.account_name),
        )];
        if let Some(data) = console.data() {
            for c in issue::sign_in_choices(&data, "") {
                if !options.iter().any(|(a, _)| *a == c.account) {
                    let name = data
                        .accounts
                        .iter()
                        .find(|a| a.key == c.account)
                        .map(|a| a.name.clone())
                        .unwrap_or_else(|| issue::short(&c.account));
                    options.push((c.account.clone(), name));
                }
            }
        }
        options
    };
    // `/jetstream?account=A…` opens that account's pages (a link someone shared); the address
    // follows the choice, so it can be shared in turn
    let asked = asked_account();
    let chosen = RwSignal::new(asked.clone().unwrap_or_default());
    // what the choice shows is the account acted for
    Effect::new(move |_| {
        let shown = crate::forms::shown_choice(chosen.get(), choices());
        if shown != js.account.get_untracked() {
            js.account.set(shown.clone());
        }
        if !shown.is_empty() {
            show_account_in_address(&shown);
        }
    });
    // an account asked for by the address that this person cannot act for: say why, once
    let refused = move || {
        let asked = asked.clone()?;
        let session = console.session.get()?;
        if choices().iter().any(|(a, _)| *a == asked) {
            return None;
        }
        Some(view! {
            <p class="error" id="js-refused">"This session cannot act for account "{issue::short(&asked)}
                ": you are signed in as "{session.role}" of "{session.account_name}
                ", and your vault holds no key of that account, so nothing here can sign a user of it. Its admin can approve a key of yours for it on the Team page."</p>
        })
    };
    let load_status = move || {
        let account = js.account.get_untracked();
        if account.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::get(&format!("/api/v1/jetstream/{account}")).await {
                Ok(v) => status.set(Some(v)),
                Err(e) => {
                    status.set(None);
                    console.error(e);
                }
            }
        });
    };
    Effect::new(move |_| {
        js.account.track();
        status.set(None);
        load_status();
    });
    let ready = move || {
        status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s["acting_as"] != "nobody" && s["nats"] == "connected")
        })
    };
    // a connection still coming up: look again shortly
    Effect::new(move |_| {
        let connecting = status.with(|s| {
            s.as_ref()
                .is_some_and(|s| s["acting_as"] != "nobody" && s["nats"] != "connected")
        });
        if connecting {
            set_timeout(load_status, std::time::Duration::from_millis(1000));
        }
    });
    let link = move |_| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault: it signs a user JWT of the account");
        };
        let account = js.account.get_untracked();
        let Some(choice) = issue::sign_in_choices(&data, "")
            .into_iter()
            .find(|c| c.account == account)
        else {
            return console.error("the vault holds no key of this account");
        };
        let name = console
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.name.clone()))
            .unwrap_or_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session::link_account(&data, &choice, &name).await {
                Ok(v) => {
                    console.ok("acting as a user of the account for an hour");
                    status.set(Some(v));
                }
                Err(e) => console.error(e),
            }
            busy.set(false);
        });
    };
    let unlink = move |_| {
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/jetstream/{}/link", js.account.get_untracked());
            let _ = crate::api::delete(&url).await;
            load_status();
        });
    };
    let acting = move || {
        status.get().map(|s| {
            let nats = s["nats"].as_str().unwrap_or_default().to_string();
            match s["acting_as"].as_str() {
                Some("session") => view! {
                    <p class="muted" id="js-acting">"Acting as your session's user ("{nats}"): nats-server applies its permissions."</p>
                }.into_any(),
                Some("link") => view! {
                    <p class="muted" id="js-acting">"Acting as a user of this account signed by your vault, until "
                        {from_unix(s["expires"].as_i64().unwrap_or(0))}" ("{nats}"). "
                        <button class="secondary" on:click=unlink>"Stop acting for it"</button></p>
                }.into_any(),
                _ => view! {
                    <p id="js-acting">"Your session acts for another account. To manage this one's JetStream, your vault signs a user JWT of it for an hour; nats-server then applies that user's rights."</p>
                    <button id="js-link" on:click=link disabled=move || busy.get()>"Act as a user of this account"</button>
                }.into_any(),
            }
        })
    };
    view! {
        <section>
            <h2>"JetStream"</h2>
            {move || match console.session.get() {
                None => view! {
                    <p>"Sign in first: every JetStream request is made as a user of the account, with a JWT your vault signs."</p>
                }.into_any(),
                Some(_) => view! {
                    {refused.clone()}
                    <Choice id="js-account" label="Account" value=chosen options=choices/>
                    {acting}
                    <Show when=ready>
                        <div role="tablist" class="tabs">
                            {Tab::ALL.map(|t| view! {
                                <button role="tab" class=move || if tab.get() == t { "" } else { "secondary" }
                                    aria-selected=move || (tab.get() == t).to_string() on:click=move |_| tab.set(t)>{t.title()}</button>
                            })}
                        </div>
                        <AccountUsage shown=Signal::derive(move || tab.get() == Tab::Account)/>
                        {move || match tab.get() {
                            Tab::Streams => view! {
                                <streams::Streams/>
                                <backup::Restore/>
                                <backup::AccountConfigs/>
                            }.into_any(),
                            Tab::KeyValue => view! { <kv::KeyValue/> }.into_any(),
                            Tab::Objects => view! { <objects::Objects/> }.into_any(),
                            Tab::Advisories => view! { <advisories::Advisories/> }.into_any(),
                            Tab::Account => ().into_any(),
                        }}
                    </Show>
                }.into_any(),
            }}
        </section>
    }
}

/// The account key in the address's `?account=`, when it is one.
fn asked_account() -> Option<String> {
    let search = window().location().search().ok()?;
    // an account key is base32: no percent-encoding to undo
    let account = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("account="))?;
    nats_auth::nkeys::is_valid_public_key_of(nats_auth::nkeys::KeyType::Account, account)
        .then(|| account.to_string())
}

/// Puts the account acted for in the address (replacing the entry: no history step per choice).
fn show_account_in_address(account: &str) {
    let url = format!("/jetstream?account={account}");
    let current = window().location();
    let same = current.pathname().ok().as_deref() == Some("/jetstream")
        && current.search().ok().as_deref() == Some(&url["/jetstream".len()..]);
    if !same {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// What the server supports at an API level, and from which version.
const FEATURES: [(i64, &str); 3] = [
    (1, "consumer pause and resume, message TTLs (2.11)"),
    (2, "counters and atomic batches (2.12)"),
    (4, "consumer reset to a sequence (2.14)"),
];

/// `INFO`: usage against limits, per tier when the account has tiers.
#[component]
fn AccountUsage(shown: Signal<bool>) -> impl IntoView {
    let js = expect_context::<Js>();
    let info = RwSignal::new(None::<Result<Value, String>>);
    Effect::new(move |_| {
        js.account.track();
        js.changed.track();
        leptos::task::spawn_local(async move {
            let answer = js.api("INFO", Value::Null).await;
            if let Ok(v) = &answer {
                js.api_level.set(v["api"]["level"].as_i64().unwrap_or(0));
            }
            info.set(Some(answer));
        });
    });
    let row = |tier: String, usage: &Value| {
        let l = &usage["limits"];
        view! {
            <tr>
                <td>{tier}</td>
                <td>{bytes(usage["memory"].as_f64().unwrap_or(0.0))}" / "{limit(&l["max_memory"], bytes)}</td>
                <td>{bytes(usage["storage"].as_f64().unwrap_or(0.0))}" / "{limit(&l["max_storage"], bytes)}</td>
                <td>{num(&usage["streams"])}" / "{limit(&l["max_streams"], |n| n.to_string())}</td>
                <td>{num(&usage["consumers"])}" / "{limit(&l["max_consumers"], |n| n.to_string())}</td>
            </tr>
        }
    };
    move || {
        if !shown.get() {
            return None;
        }
        info.get().map(|answer| match answer {
            Err(e) => view! { <p class="error" role="alert" id="js-info-error">{e}</p> }.into_any(),
            Ok(v) => {
                let level = v["api"]["level"].as_i64().unwrap_or(0);
                let tiers: Vec<(String, Value)> = v["tiers"]
                    .as_object()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let rows = if tiers.is_empty() {
                    vec![row("all".into(), &v)]
                } else {
                    tiers.iter().map(|(t, u)| row(t.clone(), u)).collect()
                };
                let missing: Vec<&str> = FEATURES
                    .iter()
                    .filter(|(l, _)| level < *l)
                    .map(|(_, what)| *what)
                    .collect();
                view! {
                    <div class="table-scroll" tabindex="0">
                    <table id="js-usage">
                        <caption>"Usage / limit"</caption>
                        <thead><tr><th>"Tier"</th><th>"Memory"</th><th>"Storage"</th><th>"Streams"</th><th>"Consumers"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    </div>
                    <p class="muted" id="js-api-level">"API level "{level}
                        {(!v["domain"].is_null()).then(|| format!(", domain {}", v["domain"].as_str().unwrap_or("")))}
                        {(!missing.is_empty()).then(|| format!(". Not on this server: {}.", missing.join("; ")))}
                    </p>
                }.into_any()
            }
        })
    }
}
