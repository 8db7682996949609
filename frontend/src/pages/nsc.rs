//! nsc in and out. Import: the store folder and the keys folder (or zips of them) are read
//! here, what was found is shown — which seeds match which JWTs, what is missing, what could
//! not be read — then taken into the vault, and the accounts pushed on request. Export: the
//! vault as an nsc-layout zip, and a NATS CLI context for one user. Nothing is sent.

use leptos::prelude::*;
use nats_auth::nsc::NscEnvironment;
use wasm_bindgen::JsCast;

use crate::forms::{Choice, Field};
use crate::issue;
use crate::state::{download, push_account, Console};

/// Reads every picker's files into one environment.
async fn read_pickers(ids: &[&str]) -> Result<(NscEnvironment, usize), String> {
    let mut files = Vec::new();
    for id in ids {
        let input = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            files.extend(crate::files::picked_files(&input).await?);
        }
    }
    let count = files.len();
    let found = NscEnvironment::read(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    Ok((found, count))
}

#[component]
pub fn NscPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let found = RwSignal::new(None::<(NscEnvironment, usize)>);
    let imported = RwSignal::new(Vec::<(String, String)>::new());
    let refused = RwSignal::new(Vec::<String>::new());
    let read = move |_| {
        leptos::task::spawn_local(async move {
            match read_pickers(&["nsc-store", "nsc-keys", "nsc-zip"]).await {
                Ok((env, count)) => {
                    console.ok(format!(
                        "read {count} nsc file(s): {} operator JWT(s), {} account(s), {} user(s), {} seed(s)",
                        env.operators.len(),
                        env.latest_accounts().len(),
                        env.latest_users().len(),
                        env.seeds.len()
                    ));
                    found.set(Some((env, count)));
                }
                Err(e) => console.error(e),
            }
        });
    };
    // a stores folder may hold several operators: one is picked
    let chosen_operator = RwSignal::new(String::new());
    let operators_found = move || {
        found.with(|f| {
            f.as_ref()
                .map(|(env, _)| env.operators_found())
                .unwrap_or_default()
        })
    };
    let selected = move || {
        found.get().map(|(env, count)| {
            let operators = env.operators_found();
            if operators.len() > 1 {
                let key = crate::forms::shown_choice(
                    chosen_operator.get(),
                    operators
                        .into_iter()
                        .map(|(name, key)| (key, name))
                        .collect(),
                );
                (env.of_operator(&key), count)
            } else {
                (env, count)
            }
        })
    };
    let import = move |_| {
        let Some((env, _)) = selected() else {
            return;
        };
        let accounts: Vec<(String, String)> = env
            .latest_accounts()
            .iter()
            .map(|a| (a.key.clone(), a.name.clone()))
            .collect();
        let mut refusals = Vec::new();
        if console.change(|data| {
            let outcome = issue::import_nsc(data, &env)?;
            refusals = outcome.refused;
            Ok(outcome.summary)
        }) {
            let taken = console.data().map_or(Vec::new(), |d| {
                accounts
                    .into_iter()
                    .filter(|(k, _)| d.accounts.iter().any(|a| a.key == *k))
                    .collect()
            });
            imported.set(taken);
        }
        refused.set(refusals);
    };
    let push_all = move |_| {
        let Some(data) = console.data() else { return };
        let accounts = imported.get_untracked();
        leptos::task::spawn_local(async move {
            let (mut pushed, mut failed) = (0, Vec::new());
            for (key, name) in accounts {
                let Some(jwt) = data
                    .accounts
                    .iter()
                    .find(|a| a.key == key)
                    .map(|a| a.jwt.clone())
                else {
                    continue;
                };
                match push_account(&key, &jwt).await {
                    Ok((status, _)) if status < 300 => pushed += 1,
                    Ok((status, reason)) => failed.push(format!("{name} ({status}: {reason})")),
                    Err(e) => failed.push(format!("{name} ({e})")),
                }
            }
            if failed.is_empty() {
                console.ok(format!("{pushed} account(s) pushed to this console"));
            } else {
                console.error(format!(
                    "{pushed} account(s) pushed; refused: {} — does this console trust the operator? (Operator page)",
                    failed.join("; ")
                ));
            }
        });
    };
    let export_zip = move |_| {
        if !super::confirmed("The zip holds every seed of this vault, unencrypted, as nsc keeps them. Keep it where only you can read it. Download it?") {
            return;
        }
        match console.data().map(|d| issue::nsc_zip(&d)) {
            Some(Ok(bytes)) => crate::files::download_bytes("nsc.zip", &bytes, "application/zip"),
            Some(Err(e)) => console.error(e),
            None => console.error("unlock the vault first"),
        }
    };
    let context_user = RwSignal::new(String::new());
    let context_urls = RwSignal::new("nats://127.0.0.1:4222".to_string());
    let context_creds = RwSignal::new(String::new());
    let users = move || {
        console.data().map_or(Vec::new(), |d| {
            d.users
                .iter()
                .filter(|u| d.seed_of(&u.key).is_some())
                .map(|u| (u.key.clone(), u.name.clone()))
                .collect()
        })
    };
    let export_context = move |_| {
        let Some(data) = console.data() else {
            return console.error("unlock the vault first");
        };
        let key = context_user.get_untracked();
        let Some(user) = data.users.iter().find(|u| u.key == key) else {
            return console.error("choose a user");
        };
        let servers = issue::list(&context_urls.get_untracked());
        let creds_path = match context_creds.get_untracked().trim() {
            "" => format!("{}.creds", user.name),
            typed => typed.to_string(),
        };
        match issue::user_creds(&data, &key) {
            Ok(creds) => {
                download(&format!("{}.creds", user.name), &creds);
                download(
                    &format!("{}.json", user.name),
                    &issue::nats_context(&user.name, &servers, &creds_path),
                );
                console.ok(format!(
                    "context {name}.json and {name}.creds downloaded: save the creds at {creds_path}, then `nats context import {name}.json`",
                    name = user.name
                ));
            }
            Err(e) => console.error(e),
        }
    };
    let found_view = move || {
        selected().map(|(env, count)| {
            let operator = env.operator().map(|o| (o.name.clone(), o.key.clone()));
            let needs = env.key_needs();
            let skipped = env.skipped.clone();
            let nothing_skipped = skipped.is_empty();
            view! {
                <h3>"Found in " {count} " file(s)"</h3>
                <p id="nsc-operator">{match &operator {
                    Ok((name, key)) => format!("Operator {name} ({})", issue::short(key)),
                    Err(e) => e.clone(),
                }}</p>
                <div class="table-scroll" tabindex="0">
                <table id="nsc-keys-found">
                    <caption>"Keys the JWTs name, and their seeds"</caption>
                    <tr><th>"Role"</th><th>"Of"</th><th>"Key"</th><th>"Seed"</th></tr>
                    {needs.into_iter().map(|n| view! {
                        <tr data-key=n.key.clone()>
                            <td>{n.role}</td>
                            <td>{n.owner.clone()}</td>
                            <td class="key">{issue::short(&n.key)}</td>
                            <td>{match &n.seed_from {
                                Some(path) => format!("found in {path}"),
                                None => "missing".to_string(),
                            }}</td>
                        </tr>
                    }).collect_view()}
                </table>
                </div>
                <Show when=move || !nothing_skipped>
                    <ul id="nsc-skipped">
                        {skipped.iter().map(|(path, why)| view! { <li>{format!("{path}: {why}")}</li> }).collect_view()}
                    </ul>
                </Show>
                <button on:click=import disabled=operator.is_err()>"Import into the vault"</button>
            }
        })
    };
    view! {
        <section>
            <h2>"nsc"</h2>
            <super::vault::VaultNeeded what="Importing from nsc and exporting to it"/>
            <Show when=move || console.is_unlocked()>
                <h3>"Import an nsc environment"</h3>
                <p class="muted">"Pick the operator's store folder (~/.local/share/nats/nsc/stores/<operator>, or ~/.nsc/nats/<operator>) and the keys folder (~/.local/share/nats/nsc/keys, or ~/.nkeys), or zips of them. They are read in this page: nothing is sent."</p>
                <label for="nsc-store">"Store folder"</label>
                <input type="file" id="nsc-store" prop:webkitdirectory=true multiple/>
                <label for="nsc-keys">"Keys folder"</label>
                <input type="file" id="nsc-keys" prop:webkitdirectory=true multiple/>
                <label for="nsc-zip">"Or zips of them"</label>
                <input type="file" id="nsc-zip" accept=".zip" multiple/>
                <button on:click=read>"Read"</button>
                <Show when=move || { operators_found().len() > 1 }>
                    <Choice id="nsc-operator-choice" label="Several operators were found: import" value=chosen_operator
                        options=move || operators_found().into_iter().map(|(name, key)| (key, name)).collect()/>
                </Show>
                {found_view}
                <Show when=move || !refused.get().is_empty()>
                    <ul id="nsc-refused">{move || refused.get().into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                </Show>
                <Show when=move || !imported.get().is_empty()>
                    <button on:click=push_all>{move || format!("Push the {} account(s) to this console", imported.get().len())}</button>
                </Show>
                <h3>"Export"</h3>
                <p class="muted">"The vault as nsc keeps it (stores/ and keys/, to unzip into ~/.local/share/nats/nsc), or a NATS CLI context for one user."</p>
                <button class="secondary" on:click=export_zip>"Download the vault as an nsc zip"</button>
                <Choice id="context-user" label="User" value=context_user options=users/>
                <Field id="context-urls" label="NATS URLs (comma separated)" value=context_urls/>
                <Field id="context-creds" label="Where the creds file will be (the context points at it)" value=context_creds placeholder="<user>.creds"/>
                <button class="secondary" on:click=export_context>"Download NATS CLI context and creds"</button>
            </Show>
        </section>
    }
}
