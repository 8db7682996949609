//! The operator: create it (with the system account and its `sys` user, as `nsc add operator
//! --sys`), see it, download its JWT, and the nats-server configuration for this console.

use leptos::prelude::*;

use crate::issue;
use crate::state::{download, now, push_account, push_operator, Console};

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
pub fn OperatorPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let name = RwSignal::new(String::new());
    let signing_key = RwSignal::new(true);
    let account_server = RwSignal::new(format!("{}/jwt/v1", origin()));
    let operator = move || console.data().and_then(|d| issue::operator(&d));

    let create = move |_| {
        let (n, sk, asu) = (
            name.get_untracked(),
            signing_key.get_untracked(),
            account_server.get_untracked(),
        );
        let created = console.change(|data| {
            if data.operator_jwt.is_some() {
                return Err("this vault already has an operator".into());
            }
            issue::create_operator(data, &n, sk, &asu, now())?;
            Ok(format!(
                "operator {n} created, with system account SYS and user sys"
            ))
        });
        if created {
            push_operator_and_sys(console);
        }
    };
    let push_again = move |_| push_operator_and_sys(console);
    let nats_url = RwSignal::new("nats://127.0.0.1:4222".to_string());
    let connect_nats = move |_| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault first");
        };
        let servers = vec![nats_url.get_untracked().trim().to_string()];
        leptos::task::spawn_local(async move {
            match link_console_to_nats(&data, servers).await {
                Ok(()) => console.ok("this console is connecting to NATS: updates you push now reach the running servers"),
                Err(e) => console.error(e),
            }
        });
    };
    let download_jwt = move |_| {
        if let Some(d) = console.data() {
            if let (Some(jwt), Some(op)) = (d.operator_jwt.clone(), issue::operator(&d)) {
                download(&format!("{}.jwt", op.name), &jwt);
            }
        }
    };
    let config = move || {
        console
            .data()
            .and_then(|d| issue::server_config(&d, &format!("{}/jwt/v1/accounts/", origin())).ok())
    };
    let download_config = move |_| {
        if let Some(text) = config() {
            download("nats-server.conf", &text);
        }
    };

    view! {
        <section>
            <h2>"Operator"</h2>
            <Show when=move || operator().is_some()
                fallback=move || view! {
                    <label for="operator-name">"Operator name"</label>
                    <input id="operator-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <label for="operator-asu">"Account server URL"</label>
                    <input id="operator-asu" prop:value=move || account_server.get() on:input=move |ev| account_server.set(event_target_value(&ev))/>
                    <label><input type="checkbox" id="operator-signing-key" style="width:auto" prop:checked=move || signing_key.get() on:change=move |ev| signing_key.set(event_target_checked(&ev))/>" Sign accounts with a signing key (keeps the identity key offline)"</label>
                    <button on:click=create>"Create operator"</button>
                }>
                {move || operator().map(|op| view! {
                    <table>
                        <tr><th>"Name"</th><td>{op.name.clone()}</td></tr>
                        <tr><th>"Operator"</th><td class="key">{op.subject.clone()}</td></tr>
                        <tr><th>"Signing keys"</th><td class="key">{op.nats.signing_keys.join(", ")}</td></tr>
                        <tr><th>"System account"</th><td class="key">{op.nats.system_account.clone()}</td></tr>
                        <tr><th>"Account server"</th><td>{op.nats.account_server_url.clone()}</td></tr>
                    </table>
                    <button class="secondary" on:click=download_jwt>"Download operator JWT"</button>
                    " "
                    <button class="secondary" on:click=push_again>"Push operator and SYS to this console"</button>
                })}
            </Show>
        </section>
        <Show when=move || operator().is_some()>
            <section>
                <h2>"Connect this console to NATS"</h2>
                <p class="muted">"Once nats-server runs with the configuration below, connect this console to it: pushed changes (a revoked user, new limits) then reach the running servers at once. The console gets a system-account JWT for its own key, signed here; no seed leaves this page."</p>
                <label for="nats-url">"NATS URL"</label>
                <input id="nats-url" prop:value=move || nats_url.get() on:input=move |ev| nats_url.set(event_target_value(&ev))/>
                <button on:click=connect_nats>"Connect console to NATS"</button>
            </section>
            <section>
                <h2>"Server configuration"</h2>
                <p class="muted">"Start nats-server with this file: it trusts the operator and resolves accounts through this console."</p>
                <textarea id="server-config" rows="6" readonly prop:value=move || config().unwrap_or_default()></textarea>
                <button on:click=download_config>"Download nats-server.conf"</button>
            </section>
        </Show>
    }
}

/// Makes this console trust the vault's operator, then stores the system account there.
fn push_operator_and_sys(console: Console) {
    let Some(data) = console.data() else { return };
    let (Some(jwt), Some(op)) = (data.operator_jwt.clone(), issue::operator(&data)) else {
        return;
    };
    let sys = data
        .accounts
        .iter()
        .find(|a| a.key == op.nats.system_account)
        .cloned();
    leptos::task::spawn_local(async move {
        match push_operator(&jwt).await {
            Ok((200, _)) => {}
            Ok((status, reason)) => {
                return console.error(format!(
                    "this console refused the operator ({status}): {reason}"
                ))
            }
            Err(e) => return console.error(format!("push failed: {e}")),
        }
        match sys {
            Some(sys) => match push_account(&sys.key, &sys.jwt).await {
                Ok((200, _)) => console.ok(format!("operator {} is trusted by this console, and SYS is pushed: next, create an account", op.name)),
                Ok((status, reason)) => console.error(format!("SYS was refused ({status}): {reason}")),
                Err(e) => console.error(format!("push failed: {e}")),
            },
            None => console.ok("operator pushed"),
        }
    });
}

#[derive(serde::Deserialize)]
struct Info {
    nats_console_key: String,
}

/// Signs the console's system-account user JWT and hands it over with the NATS URL.
async fn link_console_to_nats(
    data: &crate::vault::VaultData,
    servers: Vec<String>,
) -> Result<(), String> {
    let info: Info = gloo_net::http::Request::get("/api/v1/info")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let jwt = issue::console_link_jwt(data, &info.nats_console_key, now())?;
    let body = serde_json::json!({ "servers": servers, "jwt": jwt }).to_string();
    let response = gloo_net::http::Request::post("/api/v1/nats-link")
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.ok() {
        Ok(())
    } else {
        let reason = response.text().await.unwrap_or_default();
        Err(format!(
            "the console refused ({}): {reason}",
            response.status()
        ))
    }
}
