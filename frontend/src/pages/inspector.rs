//! Inspector: any JWT or creds file → its claims, validation issues, and whether it chains to the
//! operator and accounts this vault knows.

use leptos::prelude::*;

use crate::issue;
use crate::state::{now, Console};

#[component]
pub fn InspectorPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let input = RwSignal::new(String::new());
    let report = move || {
        let text = input.get();
        if text.trim().is_empty() {
            return None;
        }
        let token = nats_auth::creds::parse_decorated_jwt(&text);
        let data = console.data().unwrap_or_default();
        let operator = issue::operator(&data);
        let claims = nats_auth::jwt::decode(&token).ok();
        let account = claims.as_ref().and_then(|c| match c {
            nats_auth::jwt::AnyClaims::User(u) => issue::account(&data, u.account()),
            nats_auth::jwt::AnyClaims::Activation(a) => issue::account(
                &data,
                if a.nats.issuer_account.is_empty() {
                    &a.issuer
                } else {
                    &a.nats.issuer_account
                },
            ),
            _ => None,
        });
        let trust = nats_auth::chain::Trust {
            operator: operator.as_ref().filter(|_| {
                matches!(
                    claims,
                    Some(nats_auth::jwt::AnyClaims::Account(_))
                        | Some(nats_auth::jwt::AnyClaims::Operator(_))
                )
            }),
            account: account.as_ref(),
        };
        let verdict = nats_auth::chain::check(&token, trust, now());
        let json = verdict
            .claims
            .as_ref()
            .and_then(|c| c.to_json().ok())
            .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
            .unwrap_or_default();
        Some((verdict, json))
    };
    view! {
        <section>
            <h2>"Inspector"</h2>
            <label for="inspect-input">"JWT or creds file"</label>
            <textarea id="inspect-input" rows="6" prop:value=move || input.get() on:input=move |ev| input.set(event_target_value(&ev))></textarea>
            {move || report().map(|(verdict, json)| view! {
                <p id="inspect-verdict" class=if verdict.is_ok() { "ok" } else { "error" }>
                    {verdict.reason.clone().unwrap_or_else(|| "OK: valid and trusted by what this vault knows".into())}
                </p>
                <ul>{verdict.issues.issues.iter().map(|i| view! { <li>{format!("{}: {}", i.kind, i.description)}</li> }).collect_view()}</ul>
                <pre id="inspect-claims"><code>{json}</code></pre>
            })}
        </section>
    }
}
