//! The operator: create it (with the system account and its `sys` user, as `nsc add operator
//! --sys`), see it, download its JWT, and the nats-server configuration for this console.

use leptos::prelude::*;

use nats_auth::jwt::{AnyClaims, OperatorClaims};

use crate::forms::{Check, Choice, Field, FormErrors};
use crate::issue::{self, OperatorForm};
use crate::state::{download, now, push_account, push_operator, Console};

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[component]
pub fn OperatorPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let name = RwSignal::new(String::new());
    let signing_key = RwSignal::new(true);
    let account_server = RwSignal::new(format!("{}/jwt/v1", origin()));
    let service_urls = RwSignal::new(String::new());
    let system_account = RwSignal::new(String::new());
    let strict = RwSignal::new(false);
    let import = RwSignal::new(String::new());
    let setup_code = RwSignal::new(String::new());
    // does this console trust an operator yet? (if not, it wants its setup code)
    let console_trusts = RwSignal::new(None::<bool>);
    // the operator this console trusts, as it serves it: shown whatever the vault's state
    let trusted = RwSignal::new(None::<OperatorClaims>);
    leptos::task::spawn_local(async move {
        if let Ok(jwt) = crate::state::trusted_operator().await {
            console_trusts.set(Some(jwt.is_some()));
            if let Some(Ok(AnyClaims::Operator(op))) = jwt.map(|j| nats_auth::jwt::decode(&j)) {
                trusted.set(Some(op));
            }
        }
    });
    let needs_code = move || console_trusts.get() == Some(false);
    let push =
        move || push_operator_and_sys(console, setup_code, (console_trusts, trusted), errors);
    let operator = move || console.data().and_then(|d| issue::operator(&d));
    let form = move || OperatorForm {
        name: name.get_untracked(),
        signing_key: signing_key.get_untracked(),
        account_server_url: account_server.get_untracked(),
        service_urls: service_urls.get_untracked(),
        system_account: system_account.get_untracked(),
        strict_signing: strict.get_untracked(),
    };
    // the edit form shows the stored operator
    Effect::new(move |_| {
        if let Some(op) = operator() {
            let f = OperatorForm::of(&op);
            name.set(f.name);
            account_server.set(f.account_server_url);
            service_urls.set(f.service_urls);
            system_account.set(f.system_account);
            strict.set(f.strict_signing);
        }
    });

    let create = move |_| {
        let form = form();
        if errors.submit(console, |data| {
            issue::create_operator(data, &form, now())?;
            Ok(format!(
                "operator {} created, with system account SYS and user sys",
                form.name.trim()
            ))
        }) {
            push();
        }
    };
    let save = move |_| {
        let form = form();
        if errors.submit(console, |data| {
            issue::update_operator(data, &form, now())?;
            Ok("operator re-signed".into())
        }) {
            push();
        }
    };
    let import_jwt = move |_| {
        let text = import.get_untracked();
        if errors.submit(console, |data| {
            let name = issue::import_operator(data, &text, now())?;
            Ok(format!("operator {name} imported"))
        }) {
            import.set(String::new());
            push();
        }
    };
    let system_accounts = move || {
        let mut options: Vec<(String, String)> = console
            .data()
            .map(|d| d.accounts)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.key, a.name))
            .collect();
        // an imported operator's system account may not be in the vault: still the choice
        let current = operator()
            .map(|op| op.nats.system_account)
            .unwrap_or_default();
        if !current.is_empty() && !options.iter().any(|(k, _)| *k == current) {
            let label = format!("{} (not in this vault)", issue::short(&current));
            options.insert(0, (current, label));
        }
        options
    };
    let push_again = move |_| push();
    let setup_field = move || {
        needs_code().then(|| view! {
            <Field id="operator-setup-code" label="Setup code (printed in this console's log at start; nats-console setup-code prints it again)" value=setup_code errors/>
        })
    };
    let nats_url = RwSignal::new("nats://127.0.0.1:4222".to_string());
    let connect_nats = move |_| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault first");
        };
        let servers = issue::list(&nats_url.get_untracked());
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
    let resolver_kind = RwSignal::new("url".to_string());
    let listen = RwSignal::new("0.0.0.0:4222".to_string());
    let monitor = RwSignal::new("127.0.0.1:8222".to_string());
    let resolver_options = || {
        vec![
            (
                "url".to_string(),
                "this console's account server (URL resolver)".to_string(),
            ),
            (
                "full".to_string(),
                "the servers' own resolver, every account (nats-resolver, type full)".to_string(),
            ),
            (
                "cache".to_string(),
                "the servers' own resolver, accounts in use (nats-resolver, type cache)"
                    .to_string(),
            ),
        ]
    };
    let server_name = RwSignal::new(String::new());
    let cluster_name = RwSignal::new(String::new());
    let cluster_listen = RwSignal::new("0.0.0.0:6222".to_string());
    let routes = RwSignal::new(String::new());
    let allow_delete = RwSignal::new(false);
    let config = move || {
        let resolver = match resolver_kind.get().as_str() {
            "full" => issue::Resolver::Full,
            "cache" => issue::Resolver::Cache,
            _ => issue::Resolver::Url(format!("{}/jwt/v1/accounts/", origin())),
        };
        let mut setup =
            issue::ServerSetup::new(resolver, listen.get().trim(), monitor.get().trim());
        setup.server_name = server_name.get().trim().to_string();
        setup.allow_delete = allow_delete.get();
        let cluster = cluster_name.get().trim().to_string();
        if !cluster.is_empty() {
            setup.cluster = Some(issue::ClusterSetup {
                name: cluster,
                listen: cluster_listen.get().trim().to_string(),
                routes: issue::list(&routes.get()),
            });
        }
        console
            .data()
            .map(|d| issue::server_config(&d, &setup).unwrap_or_else(|e| format!("# {e}")))
    };
    let download_config = move |_| {
        if let Some(text) = config() {
            download("nats-server.conf", &text);
        }
    };

    let unlocked = move || console.is_unlocked();
    // the trusted operator, when the vault does not hold it (locked, or another browser's)
    let trusted_elsewhere = move || {
        trusted
            .get()
            .filter(|t| operator().is_none_or(|o| o.subject != t.subject))
    };
    view! {
        <section>
            <h2>"Operator"</h2>
            {move || operator().map(|op| view! {
                {operator_table(&op, "This vault's operator")}
                {setup_field}
                <button class="secondary" on:click=download_jwt>"Download operator JWT"</button>
                " "
                <button class="secondary" on:click=push_again>"Push operator and SYS to this console"</button>
            })}
            {move || trusted_elsewhere().map(|op| view! {
                {operator_table(&op, "Trusted by this console")}
                <p class="muted">{move || if unlocked() {
                    "This vault does not hold this operator: to sign with it here, import its keys on the Keys page or restore a backup of the vault that made it."
                } else {
                    "The vault is locked: unlock it to edit the operator and issue accounts."
                }}</p>
            })}
            <Show when=move || unlocked() && operator().is_none() && console_trusts.get() == Some(false)>
                <p class="muted">"The operator is the root of trust: it signs accounts, accounts sign users. Creating it also makes the system account SYS and its user sys, as nsc add operator --sys does."</p>
                <Field id="operator-name" label="Operator name" value=name errors/>
                <Field id="operator-asu" label="Account server URL" value=account_server errors/>
                <Field id="operator-service-urls" label="Service URLs (nats://host:4222, comma separated; optional)" value=service_urls errors/>
                <Check id="operator-signing-key" label="Sign accounts with a signing key (keeps the identity key offline)" value=signing_key/>
                <Check id="operator-strict" label="Strict signing: accounts must be signed with a signing key" value=strict errors/>
                {setup_field}
                <button on:click=create>"Create operator"</button>
            </Show>
        </section>
        <super::vault::VaultNeeded what="Creating, editing and pushing the operator"/>
        <Show when=move || operator().is_some()>
            <section>
                <h3>"Edit operator"</h3>
                <Field id="operator-name" label="Operator name" value=name errors/>
                <Field id="operator-asu" label="Account server URL" value=account_server errors/>
                <Field id="operator-service-urls" label="Service URLs (nats://host:4222, comma separated; optional)" value=service_urls errors/>
                <Choice id="operator-system-account" label="System account" value=system_account options=system_accounts errors/>
                <Check id="operator-strict" label="Strict signing: accounts must be signed with a signing key" value=strict errors/>
                <button on:click=save>"Save operator"</button>
            </section>
        </Show>
        <Show when=move || unlocked() && operator().is_none()>
        <section>
            <h3>"Import an operator JWT"</h3>
            <p class="muted">"An operator made with nsc or another console: paste its JWT. To sign with it here, import its keys on the Keys page."</p>
            <crate::pages::TextOrFile id="operator-import" label="Operator JWT (paste it, drop it here, or choose the file)" value=import accept=".jwt" errors/>
            <button class="secondary" on:click=import_jwt>"Import operator JWT"</button>
        </section>
        </Show>
        <Show when=move || operator().is_some()>
            <section>
                <h2>"Connect this console to NATS"</h2>
                <p class="muted">"Once nats-server runs with the configuration below, connect this console to it: pushed changes (a revoked user, new limits) then reach the running servers at once. The console gets a system-account JWT for its own key, signed here; no seed leaves this page."</p>
                <label for="nats-url">"NATS URLs (comma separated: every server of the cluster)"</label>
                <input id="nats-url" prop:value=move || nats_url.get() on:input=move |ev| nats_url.set(event_target_value(&ev))/>
                <button on:click=connect_nats>"Connect console to NATS"</button>
            </section>
            <section>
                <h2>"Server configuration"</h2>
                <p class="muted">"Start nats-server with this file: it trusts the operator and resolves accounts through this console, or keeps them in its own resolver (nats-resolver), which the console then pushes to over its NATS link."</p>
                <Choice id="config-resolver" label="Accounts are resolved by" value=resolver_kind options=resolver_options/>
                <Field id="config-listen" label="Client address (listen)" value=listen/>
                <Field id="config-monitor" label="Monitoring address (http; the dashboard polls it)" value=monitor/>
                <Field id="config-server-name" label="Server name (optional; each server of a JetStream cluster needs one)" value=server_name/>
                <Field id="config-cluster" label="Cluster name (empty for a single server)" value=cluster_name/>
                <Show when=move || !cluster_name.get().trim().is_empty()>
                    <Field id="config-cluster-listen" label="Route address (where this server listens for its peers)" value=cluster_listen/>
                    <Field id="config-routes" label="Routes: where the other servers listen for routes (host:port, comma separated)" value=routes/>
                </Show>
                <Show when=move || resolver_kind.get() == "full">
                    <Check id="config-allow-delete" label="Allow deleting accounts (operator-signed requests from the Resolver page)" value=allow_delete/>
                </Show>
                <textarea id="server-config" aria-label="nats-server configuration" rows="14" readonly prop:value=move || config().unwrap_or_default()></textarea>
                <button on:click=download_config>"Download nats-server.conf"</button>
            </section>
        </Show>
    }
}

/// An operator's claims as a table, under `caption`.
fn operator_table(op: &OperatorClaims, caption: &'static str) -> impl IntoView {
    view! {
        <table class="operator">
            <caption>{caption}</caption>
            <tr><th>"Name"</th><td>{op.name.clone()}</td></tr>
            <tr><th>"Operator"</th><td><crate::pages::KeyText key=op.subject.clone()/></td></tr>
            <tr><th>"Signing keys"</th><td>{op.nats.signing_keys.iter().map(|k| view! { <crate::pages::KeyText key=k.clone()/> }).collect_view()}</td></tr>
            <tr><th>"System account"</th><td><crate::pages::KeyText key=op.nats.system_account.clone()/></td></tr>
            <tr><th>"Account server"</th><td>{op.nats.account_server_url.clone()}</td></tr>
            <tr><th>"Service URLs"</th><td>{op.nats.operator_service_urls.join(", ")}</td></tr>
            <tr><th>"Strict signing"</th><td>{if op.nats.strict_signing_key_usage { "yes" } else { "no" }}</td></tr>
        </table>
    }
}

/// Makes this console trust the vault's operator (with the setup code, the first time), stores
/// the system account there, and signs in as admin when nobody is signed in yet.
fn push_operator_and_sys(
    console: Console,
    setup_code: RwSignal<String>,
    (console_trusts, trusted): (RwSignal<Option<bool>>, RwSignal<Option<OperatorClaims>>),
    errors: FormErrors,
) {
    let Some(data) = console.data() else { return };
    let (Some(jwt), Some(op)) = (data.operator_jwt.clone(), issue::operator(&data)) else {
        return;
    };
    let sys = data
        .accounts
        .iter()
        .find(|a| a.key == op.nats.system_account)
        .cloned();
    let code = setup_code.get_untracked();
    leptos::task::spawn_local(async move {
        match push_operator(&jwt, &code).await {
            Ok((200, _)) => {
                console_trusts.set(Some(true));
                trusted.set(Some(op.clone()));
                setup_code.set(String::new());
            }
            Ok((403, reason)) if reason.contains("setup code") => {
                return errors.show(
                    console,
                    crate::forms::FormError::at("operator-setup-code", reason),
                )
            }
            Ok((status, reason)) => {
                return console.error(format!(
                    "this console refused the operator ({status}): {reason}"
                ))
            }
            Err(e) => return console.error(format!("push failed: {e}")),
        }
        let Some(sys) = sys else {
            return console.ok("operator pushed");
        };
        match push_account(&sys.key, &sys.jwt).await {
            Ok((200, _)) => {}
            Ok((status, reason)) => {
                return console.error(format!("SYS was refused ({status}): {reason}"))
            }
            Err(e) => return console.error(format!("push failed: {e}")),
        }
        if console.session.get_untracked().is_some() {
            return console.ok(format!(
                "operator {} is trusted by this console, and SYS is pushed",
                op.name
            ));
        }
        match crate::session::sign_in_as_admin(console, &data, &format!("{} admin", op.name)).await {
            Ok(_) => console.ok(format!("operator {} is trusted by this console, SYS is pushed, and you are signed in as admin: next, create an account", op.name)),
            Err(e) => console.error(format!("operator {} is trusted and SYS is pushed, but signing in failed: {e}", op.name)),
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
    let info = crate::api::get("/api/v1/info")
        .await
        .map_err(|e| format!("{e}: sign in as admin first (Sign in page)"))?;
    let info: Info = serde_json::from_value(info).map_err(|e| e.to_string())?;
    let jwt = issue::console_link_jwt(data, &info.nats_console_key, now())?;
    let body = serde_json::json!({ "servers": servers, "jwt": jwt });
    crate::api::post("/api/v1/nats-link", body)
        .await
        .map(|_| ())
        .map_err(|reason| format!("the console refused: {reason}"))
}
