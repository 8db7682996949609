//! Sharing between accounts: one account's exports (with activation tokens for private ones,
//! and their revocation), imports and subject mappings; each change re-signs the account in
//! the vault, then "Push" sends it to this console.

use leptos::prelude::*;
use nats_auth::jwt::AccountClaims;

use crate::forms::{Check, Choice, Field, FormErrors};
use crate::issue::{self, AuthorizationForm, ExportForm, ImportForm};
use crate::state::{download, now, push_vault_account, Console};

fn kinds() -> Vec<(String, String)> {
    vec![
        ("stream".into(), "stream".into()),
        ("service".into(), "service".into()),
    ]
}

#[component]
pub fn SharingPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let account_key = RwSignal::new(String::new());
    let accounts = move || {
        console.data().map_or(Vec::new(), |d| {
            d.accounts
                .iter()
                .map(|a| (a.key.clone(), a.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let claims = move || -> Option<AccountClaims> {
        let key = account_key.get();
        console.data().and_then(|d| issue::account(&d, &key))
    };
    let name_of = move |key: &str| {
        console
            .data()
            .and_then(|d| {
                d.accounts
                    .iter()
                    .find(|a| a.key == key)
                    .map(|a| a.name.clone())
            })
            .unwrap_or_else(|| issue::short(key))
    };

    // export form
    let ex_kind = RwSignal::new("service".to_string());
    let ex_subject = RwSignal::new(String::new());
    let ex_name = RwSignal::new(String::new());
    let ex_private = RwSignal::new(false);
    let ex_response = RwSignal::new("Singleton".to_string());
    let ex_threshold = RwSignal::new(String::new());
    let ex_latency = RwSignal::new(String::new());
    let ex_sampling = RwSignal::new("headers".to_string());
    let ex_advertise = RwSignal::new(false);
    let ex_position = RwSignal::new(String::new());
    let ex_description = RwSignal::new(String::new());
    let ex_url = RwSignal::new(String::new());
    let add_export = move |_| {
        let form = ExportForm {
            kind: ex_kind.get_untracked(),
            subject: ex_subject.get_untracked(),
            name: ex_name.get_untracked(),
            private: ex_private.get_untracked(),
            response_type: ex_response.get_untracked(),
            response_threshold: ex_threshold.get_untracked(),
            latency_subject: ex_latency.get_untracked(),
            latency_sampling: ex_sampling.get_untracked(),
            advertise: ex_advertise.get_untracked(),
            account_token_position: ex_position.get_untracked(),
            description: ex_description.get_untracked(),
            info_url: ex_url.get_untracked(),
        };
        let key = account_key.get_untracked();
        if errors.submit(console, |data| issue::add_export(data, &key, &form, now())) {
            ex_subject.set(String::new());
            ex_name.set(String::new());
        }
    };

    // activations of a private export
    let importer = RwSignal::new(String::new());
    let activation_days = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let activate = move |subject: String| {
        let days = activation_days.get_untracked().trim().parse().unwrap_or(0);
        let (exporter, who) = (account_key.get_untracked(), importer.get_untracked());
        let mut made = None;
        errors.submit(console, |data| {
            made = Some(issue::activation_token(
                data,
                &exporter,
                &subject,
                &who,
                days,
                now(),
            )?);
            Ok(format!(
                "activation for {subject} made: give it to the importing account"
            ))
        });
        if let Some(t) = made {
            token.set(t);
        }
    };
    let activations = move || {
        let key = account_key.get();
        console
            .data()
            .map(|d| issue::issued_activations(&d, &key))
            .unwrap_or_default()
    };
    let revoke = move |subject: String| {
        let who = importer.get_untracked();
        if !super::confirmed(&format!(
            "Revoke every activation of {subject} given to {}? Its import stops working once the account is pushed.",
            who.trim()
        )) {
            return;
        }
        let key = account_key.get_untracked();
        console.change(|data| issue::revoke_activation(data, &key, &subject, who.trim(), now()));
    };

    // import form
    let im_kind = RwSignal::new("service".to_string());
    let im_from = RwSignal::new(String::new());
    let im_subject = RwSignal::new(String::new());
    let im_local = RwSignal::new(String::new());
    let im_name = RwSignal::new(String::new());
    let im_token = RwSignal::new(String::new());
    let add_import = move |_| {
        let form = ImportForm {
            kind: im_kind.get_untracked(),
            from: im_from.get_untracked(),
            subject: im_subject.get_untracked(),
            local_subject: im_local.get_untracked(),
            name: im_name.get_untracked(),
            token: im_token.get_untracked(),
        };
        let key = account_key.get_untracked();
        if errors.submit(console, |data| issue::add_import(data, &key, &form, now())) {
            im_subject.set(String::new());
            im_token.set(String::new());
        }
    };

    // mapping form
    let map_from = RwSignal::new(String::new());
    let map_to = RwSignal::new(String::new());
    let sample = RwSignal::new(String::new());
    // where the sample subject goes under each mapping that matches it
    let sample_goes = move || -> Vec<String> {
        let sample = sample.get();
        let sample = sample.trim();
        if sample.is_empty() {
            return Vec::new();
        }
        let Some(c) = claims() else { return Vec::new() };
        let mut out = Vec::new();
        for (from, to) in &c.nats.mappings {
            for m in to {
                match nats_auth::jwt::templates::map_subject(from, &m.subject, sample) {
                    Some(Ok(subject)) => out.push(format!(
                        "{sample} → {subject} ({}%{})",
                        m.weight,
                        if m.cluster.is_empty() {
                            String::new()
                        } else {
                            format!(", cluster {}", m.cluster)
                        }
                    )),
                    Some(Err(e)) => out.push(format!("{sample} → {}: {e}", m.subject)),
                    None => {}
                }
            }
        }
        if out.is_empty() {
            out.push(format!("{sample} is not mapped: it stays {sample}"));
        }
        out
    };
    let add_mapping = move |_| {
        let key = account_key.get_untracked();
        let (from, to) = (map_from.get_untracked(), map_to.get_untracked());
        errors.submit(console, |data| {
            issue::set_mapping(data, &key, &from, &to, now())
        });
    };

    // auth callout
    let auth_users = RwSignal::new(String::new());
    let auth_accounts = RwSignal::new(String::new());
    let auth_encrypt = RwSignal::new(true);
    Effect::new(move |_| {
        if let Some(c) = claims() {
            let form = AuthorizationForm::of(&c.nats.authorization);
            auth_users.set(form.auth_users);
            auth_accounts.set(form.allowed_accounts);
            auth_encrypt.set(form.encrypt || c.nats.authorization.is_empty());
        }
    });
    let save_authorization = move |_| {
        let form = AuthorizationForm {
            auth_users: auth_users.get_untracked(),
            allowed_accounts: auth_accounts.get_untracked(),
            encrypt: auth_encrypt.get_untracked(),
        };
        let key = account_key.get_untracked();
        errors.submit(console, |data| {
            issue::set_authorization(data, &key, &form, now())
        });
    };

    let push = move |_| {
        let key = account_key.get_untracked();
        leptos::task::spawn_local(async move {
            push_vault_account(console, &key).await;
        });
    };
    let remove = move |what: &'static str, a: String, b: String| {
        let key = account_key.get_untracked();
        console.change(|data| match what {
            "export" => issue::remove_export(data, &key, &a, now()),
            "import" => issue::remove_import(data, &key, &a, &b, now()),
            _ => issue::remove_mapping(data, &key, &a, now()),
        });
    };

    view! {
        <section>
            <h2>"Sharing"</h2>
            <super::vault::VaultNeeded what="Exports, imports and mappings"/>
            <Show when=move || console.is_unlocked()>
                <p class="muted">"What an account offers others (exports), takes from them (imports) and where its subjects go (mappings). Changes re-sign the account here; push it to take effect."</p>
                <Choice id="sharing-account" label="Account" value=account_key options=accounts/>
                {move || claims().map(|c| {
                    let exports = c.nats.exports.clone();
                    let imports = c.nats.imports.clone();
                    let mappings = c.nats.mappings.clone();
                    view! {
                        <button on:click=push>{format!("Push {}", c.name)}</button>
                        <h3>"Exports"</h3>
                        <div class="table-scroll" tabindex="0">
                        <table id="sharing-exports">
                            <tr><th>"Subject"</th><th>"Type"</th><th>"Access"</th><th>"Response"</th><th>"Revoked importers"</th><th></th></tr>
                            {exports.into_iter().map(|e| {
                                let (s1, s2, s3) = (e.subject.clone(), e.subject.clone(), e.subject.clone());
                                view! {
                                    <tr data-subject=e.subject.clone()>
                                        <td>{e.subject.clone()}</td>
                                        <td>{e.export_type.as_str()}</td>
                                        <td>{if e.token_req { "private (activation)" } else { "public" }}</td>
                                        <td>{if e.is_service() { format!("{} {}", if e.response_type.is_empty() { "Singleton" } else { &e.response_type }, if e.response_threshold > 0 { format!("≤ {} ms", e.response_threshold / 1_000_000) } else { String::new() }) } else { String::new() }}</td>
                                        <td>{e.revocations.keys().map(|k| name_of(k)).collect::<Vec<_>>().join(", ")}</td>
                                        <td class="buttons">
                                            <Show when=move || e.token_req>
                                                <button class="secondary" on:click={let s = s1.clone(); move |_| activate(s.clone())}>{format!("Activation for {s1}")}</button>
                                                <button class="danger" on:click={let s = s2.clone(); move |_| revoke(s.clone())}>{format!("Revoke activations of {s2}")}</button>
                                            </Show>
                                            <button class="danger" on:click=move |_| remove("export", s3.clone(), String::new())>"Remove"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </table>
                        </div>
                        <Field id="activation-importer" label="Importing account (public key), for activations and their revocation" value=importer errors placeholder="A…"/>
                        <Field id="activation-days" label="Activation valid for (days; empty: no expiry)" value=activation_days/>
                        <div class="table-scroll" tabindex="0">
                        <table id="sharing-activations">
                            <caption>"Activations issued here"</caption>
                            <tr><th>"Importer"</th><th>"Subject"</th><th>"Issued"</th><th>"Expires"</th><th>"State"</th></tr>
                            {move || activations().into_iter().map(|(a, revoked)| view! {
                                <tr data-importer=a.subject.clone()>
                                    <td>{name_of(&a.subject)}</td>
                                    <td>{a.nats.import_subject.clone()}</td>
                                    <td>{a.issued_at}</td>
                                    <td>{if a.expires > 0 { a.expires.to_string() } else { "never".into() }}</td>
                                    <td>{if revoked { "revoked" } else { "valid" }}</td>
                                </tr>
                            }).collect_view()}
                        </table>
                        </div>
                        <Show when=move || !token.get().is_empty()>
                            <label for="activation-token">"Activation token"</label>
                            <textarea id="activation-token" rows="3" readonly prop:value=move || token.get()></textarea>
                            <crate::pages::CopyButton text=token.get_untracked() label="Copy the activation token".to_string()/>
                            <button class="secondary" on:click=move |_| download("activation.jwt", &token.get_untracked())>"Download activation"</button>
                        </Show>
                        <h4>"Add an export"</h4>
                        <Choice id="export-kind" label="Export type" value=ex_kind options=kinds/>
                        <Field id="export-subject" label="Exported subject" value=ex_subject errors/>
                        <Field id="export-name" label="Export name (optional)" value=ex_name/>
                        <Check id="export-private" label="Private: importers need an activation token" value=ex_private/>
                        <Show when=move || ex_kind.get() == "service">
                            <Choice id="export-response" label="Response type" value=ex_response options=|| ["Singleton", "Stream", "Chunked"].map(|r| (r.to_string(), r.to_string())).to_vec()/>
                            <Field id="export-threshold" label="Response threshold (250ms, 2s; empty: the server's default)" value=ex_threshold errors/>
                            <Field id="export-latency" label="Latency results subject (empty: no sampling)" value=ex_latency errors/>
                            <Field id="export-sampling" label="Latency sampling (1–100 %, or headers)" value=ex_sampling errors/>
                        </Show>
                        <Check id="export-advertise" label="Advertise" value=ex_advertise/>
                        <Field id="export-token-position" label="Account token position (optional)" value=ex_position errors/>
                        <Field id="export-description" label="Description (optional)" value=ex_description/>
                        <Field id="export-info-url" label="Info URL (optional)" value=ex_url/>
                        <button on:click=add_export>"Add export"</button>

                        <h3>"Imports"</h3>
                        <div class="table-scroll" tabindex="0">
                        <table id="sharing-imports">
                            <tr><th>"Subject"</th><th>"Type"</th><th>"From"</th><th>"Here as"</th><th>"Activation"</th><th></th></tr>
                            {imports.into_iter().map(|i| {
                                let (from, subject) = (i.account.clone(), i.subject.clone());
                                view! {
                                    <tr data-subject=i.subject.clone()>
                                        <td>{i.subject.clone()}</td>
                                        <td>{i.import_type.as_str()}</td>
                                        <td>{name_of(&i.account)}</td>
                                        <td>{if i.local_subject.is_empty() { i.to.clone() } else { i.local_subject.clone() }}</td>
                                        <td>{if i.token.is_empty() { "—" } else { "token" }}</td>
                                        <td><button class="danger" on:click=move |_| remove("import", from.clone(), subject.clone())>"Remove"</button></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </table>
                        </div>
                        <h4>"Add an import"</h4>
                        <Choice id="import-kind" label="Import type" value=im_kind options=kinds/>
                        <Choice id="import-from-known" label="From an account of this vault (or type its key below)" value=im_from options=move || {
                            let mut known = vec![(String::new(), "—".to_string())];
                            known.extend(accounts().into_iter().filter(|(k, _)| *k != account_key.get()));
                            known
                        }/>
                        <Field id="import-from" label="From account (public key)" value=im_from errors placeholder="A…"/>
                        <Field id="import-subject" label="Subject as exported" value=im_subject errors/>
                        <Field id="import-local" label="Subject here (optional; stream imports may add a prefix)" value=im_local errors/>
                        <Field id="import-name" label="Import name (optional)" value=im_name/>
                        <crate::pages::TextOrFile id="import-token" label="Activation token of a private export (paste, drop or choose)" value=im_token accept=".jwt" rows=3 errors/>
                        <button on:click=add_import>"Add import"</button>

                        <h3>"Subject mappings"</h3>
                        <div class="table-scroll" tabindex="0">
                        <table id="sharing-mappings">
                            <tr><th>"From"</th><th>"To (weight, cluster)"</th><th></th></tr>
                            {mappings.into_iter().map(|(from, to)| {
                                let shown = to.iter().map(|m| format!("{} {}%{}", m.subject, m.weight, if m.cluster.is_empty() { String::new() } else { format!(" @{}", m.cluster) })).collect::<Vec<_>>().join(", ");
                                let f = from.clone();
                                view! {
                                    <tr data-subject=from.clone()><td>{from.clone()}</td><td>{shown}</td>
                                    <td><button class="danger" on:click=move |_| remove("mapping", f.clone(), String::new())>"Remove"</button></td></tr>
                                }
                            }).collect_view()}
                        </table>
                        </div>
                        <Field id="mapping-from" label="Mapped subject" value=map_from errors/>
                        <Field id="mapping-to" label="Destinations (subject:weight%, @cluster optional; comma separated)" value=map_to errors placeholder="orders.a:80, orders.b:20"/>
                        <button on:click=add_mapping>"Set mapping"</button>
                        <Field id="mapping-sample" label="Preview: where does this subject go?" value=sample placeholder="orders.eu.42"/>
                        <ul id="mapping-preview">{move || sample_goes().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>

                        <h3>"Auth callout"</h3>
                        <p class="muted">"A service of this account decides who connects: nats-server sends each connection of the account's other users to it ($SYS.REQ.USER.AUTH); it answers with a user JWT for one of the allowed accounts. Leave the users empty to turn it off."</p>
                        <Field id="auth-users" label="The service's users (user public keys, comma separated)" value=auth_users errors placeholder="U…"/>
                        <Field id="auth-accounts" label="Accounts it may place users in (account public keys, or *)" value=auth_accounts errors placeholder="A…"/>
                        <Check id="auth-encrypt" label="Encrypt the server's requests with an xkey (generated into the vault; give its seed to the service from the Keys page)" value=auth_encrypt/>
                        {(!c.nats.authorization.xkey.is_empty()).then(|| view! {
                            <p id="auth-xkey">"xkey: " <crate::pages::KeyText key=c.nats.authorization.xkey.clone()/></p>
                        })}
                        <button on:click=save_authorization>"Save auth callout"</button>
                    }
                })}
            </Show>
        </section>
    }
}
