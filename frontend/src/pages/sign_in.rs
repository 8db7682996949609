//! Sign in: the vault signs a short-lived user JWT for a key the console made; the console
//! checks it as nats-server would and opens a session. A key of the system account gives the
//! admin role; any other account's key, that account's team role.

use leptos::prelude::*;

use crate::forms::{Choice, Field, FormErrors};
use crate::issue;
use crate::session::{self, SessionInfo};
use crate::state::{trusted_operator, Console};

const NAME_KEY: &str = "nats-console-name";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn until(expires: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(expires as f64 * 1000.0));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let remembered = local_storage()
        .and_then(|s| s.get_item(NAME_KEY).ok().flatten())
        .unwrap_or_default();
    let name = RwSignal::new(remembered);
    let hours = RwSignal::new("8".to_string());
    let chosen = RwSignal::new(String::new());
    let system_account = RwSignal::new(String::new());
    leptos::task::spawn_local(async move {
        if let Ok(Some(jwt)) = trusted_operator().await {
            if let Ok(nats_auth::jwt::AnyClaims::Operator(op)) = nats_auth::jwt::decode(&jwt) {
                system_account.set(op.nats.system_account);
            }
        }
    });
    let choices = move || {
        console
            .data()
            .map(|d| issue::sign_in_choices(&d, &system_account.get()))
            .unwrap_or_default()
    };
    let options = move || {
        choices()
            .into_iter()
            .map(|c| (c.signer, c.label))
            .collect::<Vec<_>>()
    };
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let Some(data) = console.data() else {
            return console.error("unlock the vault first: your keys sign you in");
        };
        let shown = crate::forms::shown_choice(chosen.get_untracked(), options());
        let Some(choice) = choices().into_iter().find(|c| c.signer == shown) else {
            return errors.show(
                console,
                crate::forms::FormError::at(
                    "sign-in-as",
                    "the vault holds no account key to sign in with",
                ),
            );
        };
        let (name_text, hours_text) = (name.get_untracked(), hours.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session::sign_in(&data, &choice, &name_text, &hours_text).await {
                Ok(info) => {
                    if let Some(s) = local_storage() {
                        let _ = s.set_item(NAME_KEY, name_text.trim());
                    }
                    console.ok(format!(
                        "signed in as {} ({}) of account {}",
                        info.name, info.role, info.account_name
                    ));
                    console.session.set(Some(info));
                }
                Err(e) => errors.show(console, e),
            }
            busy.set(false);
        });
    };
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            session::sign_out(console).await;
            console.ok("signed out");
        });
    };
    let refresh = move |_| leptos::task::spawn_local(session::load(console));
    let signed_in = move |s: SessionInfo| {
        view! {
            <div class="table-scroll" tabindex="0">
            <table>
                <tr><th>"Name"</th><td id="session-name">{s.name.clone()}</td></tr>
                <tr><th>"Role"</th><td id="session-role">{s.role.clone()}</td></tr>
                <tr><th>"Account"</th><td>{s.account_name.clone()}" "<span class="key">{s.account.clone()}</span></td></tr>
                <tr><th>"Signed by"</th><td class="key">{s.signer.clone()}</td></tr>
                <tr><th>"Session key"</th><td class="key">{s.user.clone()}</td></tr>
                <tr><th>"Until"</th><td>{until(s.expires)}</td></tr>
                <tr><th>"NATS connection"</th><td id="session-nats">{s.nats.clone()}</td></tr>
            </table>
            </div>
            <button class="secondary" on:click=refresh>"Refresh"</button>
            " "
            <button on:click=sign_out>"Sign out"</button>
        }
    };
    view! {
        <section>
            <h2>"Sign in"</h2>
            {move || match console.session.get() {
                Some(s) => signed_in(s).into_any(),
                None => view! {
                    <p class="muted">"Your vault signs a user JWT for a key this console made for this sign-in, valid for a few hours; the console checks it as nats-server would. A key of the system account signs you in as admin, a key of any other account as that account's team. Your seed stays here."</p>
                    <Show when=move || console.vault.with(|v| v.is_some())
                        fallback=|| view! { <super::vault::VaultNeeded what="Signing in"/> }>
                        <form on:submit=submit>
                            <Choice id="sign-in-as" label="Sign in as" value=chosen options=options errors/>
                            <Field id="sign-in-name" label="Your name (the audit log records who signed in)" value=name errors/>
                            <Field id="sign-in-hours" label="Hours until the session ends (1 to 12)" value=hours errors/>
                            <button type="submit" disabled=move || busy.get()>"Sign in"</button>
                        </form>
                    </Show>
                }.into_any(),
            }}
        </section>
    }
}
