//! Inspector: any JWT or creds file (pasted or dropped) → its claims laid out as `nsc describe`
//! shows them, validation issues, and whether it chains to the operator and accounts this vault
//! knows (or, for a user, against its account as this console stores it). The raw claims JSON is
//! one click away.

use leptos::prelude::*;

use nats_auth::jwt::{AccountClaims, AnyClaims};

use crate::issue;
use crate::state::{now, Console};

/// Where another page leaves a JWT for the Inspector to open with (this tab only; a JWT holds no
/// secret).
const NEXT: &str = "nats-console.inspect";

/// Opens the Inspector on `jwt` next time it is shown (the Accounts list's "Inspect").
pub fn inspect_next(jwt: &str) {
    if let Some(storage) = window().session_storage().ok().flatten() {
        let _ = storage.set_item(NEXT, jwt);
    }
}

fn take_next() -> String {
    let Some(storage) = window().session_storage().ok().flatten() else {
        return String::new();
    };
    let jwt = storage.get_item(NEXT).ok().flatten().unwrap_or_default();
    let _ = storage.remove_item(NEXT);
    jwt
}

#[component]
pub fn InspectorPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let input = RwSignal::new(take_next());
    // the account of a pasted user or activation, as this console's account server stores it:
    // the chain is checked against it when the vault does not hold the account
    let stored_account = RwSignal::new(None::<AccountClaims>);
    let lookups = StoredValue::new(0u64);
    Effect::new(move |_| {
        let text = input.get();
        // typing starts new lookups: only the latest may set the result
        lookups.update_value(|n| *n += 1);
        let this = lookups.get_value();
        leptos::task::spawn_local(async move {
            let found = stored_account_of(&text).await;
            if lookups.get_value() == this {
                stored_account.set(found);
            }
        });
    });
    let report = move || {
        let text = input.get();
        if text.trim().is_empty() {
            return None;
        }
        let token = nats_auth::creds::parse_decorated_jwt(&text);
        let data = console.data().unwrap_or_default();
        let operator = issue::operator(&data);
        let claims = nats_auth::jwt::decode(&token).ok();
        let account = claims
            .as_ref()
            .and_then(account_key_of)
            .and_then(|key| issue::account(&data, key))
            .or_else(|| stored_account.get());
        let trust = nats_auth::chain::Trust {
            // the operator checks what it issues; for a user of a known account it brings its
            // rules (strict signing), as nats-server applies them
            operator: operator.as_ref().filter(|_| {
                account.is_some()
                    || matches!(
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
        let sections = verdict
            .claims
            .as_ref()
            .map(crate::describe::describe)
            .unwrap_or_default();
        Some((verdict, sections, json))
    };
    view! {
        <section>
            <h2>"Inspector"</h2>
            <super::TextOrFile id="inspect-input" label="JWT or creds file (paste it, drop it here, or choose the file)" value=input rows=6 accept=".jwt,.creds,.txt"/>
            {move || report().map(|(verdict, sections, json)| view! {
                <p id="inspect-verdict" class=if verdict.is_ok() { "ok" } else { "error" }>
                    {match verdict.stage {
                        // a decoding failure as a sentence, not Go's words
                        nats_auth::chain::Stage::Decode => nats_auth::jwt::decode(&nats_auth::creds::parse_decorated_jwt(&input.get_untracked()))
                            .err()
                            .map(|e| e.explain())
                            .unwrap_or_default(),
                        _ => verdict.reason.clone().unwrap_or_else(|| "OK: valid and trusted by what this console knows".into()),
                    }}
                </p>
                <ul>{verdict.issues.issues.iter().map(|i| view! { <li>{format!("{}: {}", i.kind, i.description)}</li> }).collect_view()}</ul>
                <div id="inspect-describe">
                    {sections.into_iter().map(|s| view! {
                        <table class="describe">
                            <caption>{s.title}</caption>
                            <tbody>{s.rows.into_iter().map(|(label, value)| view! { <tr><th scope="row">{label}</th><td>{value}</td></tr> }).collect_view()}</tbody>
                        </table>
                    }).collect_view()}
                </div>
                <details>
                    <summary>"Claims JSON"</summary>
                    <pre id="inspect-claims"><code>{json}</code></pre>
                </details>
            })}
        </section>
    }
}

/// The account a user or an activation belongs to (the one to check it against).
fn account_key_of(claims: &AnyClaims) -> Option<&str> {
    match claims {
        AnyClaims::User(u) => Some(u.account()),
        AnyClaims::Activation(a) if a.nats.issuer_account.is_empty() => Some(&a.issuer),
        AnyClaims::Activation(a) => Some(&a.nats.issuer_account),
        _ => None,
    }
}

/// The account of a user or activation JWT in `text`, from this console's account server.
async fn stored_account_of(text: &str) -> Option<AccountClaims> {
    let token = nats_auth::creds::parse_decorated_jwt(text);
    let claims = nats_auth::jwt::decode(&token).ok()?;
    let key = account_key_of(&claims)?;
    let response = gloo_net::http::Request::get(&format!("/jwt/v1/accounts/{key}"))
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    match nats_auth::jwt::decode(&response.text().await.ok()?).ok()? {
        AnyClaims::Account(a) if a.subject == key => Some(a),
        _ => None,
    }
}
