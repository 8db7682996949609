//! The health report (like `nsc expirations`, then further): the vault's JWTs checked by
//! nats-auth against what this console stores and, for an admin whose console is linked to a
//! nats-resolver cluster, what the cluster holds. Critical first; a fix button where the
//! console can make the fix.

use std::collections::BTreeMap;

use leptos::prelude::*;
use nats_auth::health::{Finding, Fix};

use crate::forms::Field;
use crate::issue;
use crate::state::{now, push_vault_account, stored_account, Console};

/// Accounts the cluster's resolver holds otherwise (admins with a linked console only).
async fn cluster_differences() -> Result<Vec<String>, String> {
    let report = crate::api::get("/api/v1/nats-resolver").await?;
    Ok(report["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| {
            !matches!(
                a["agreement"].as_str(),
                Some("same") | Some("only_in_cluster")
            )
        })
        .filter_map(|a| a["account"].as_str().map(str::to_string))
        .collect())
}

fn fix_label(fix: &Fix) -> &'static str {
    match fix {
        Fix::PushAccount(_) => "Push",
        Fix::Renew(_) => "Renew",
        Fix::AddAccountSigningKey(_) => "Add a signing key",
        Fix::AddOperatorSigningKey => "Add an operator signing key",
        Fix::TurnOnStrictSigning => "Turn on strict signing",
    }
}

#[component]
pub fn HealthPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let horizon = RwSignal::new("30".to_string());
    let findings = RwSignal::new(None::<Vec<Finding>>);
    let cluster_note = RwSignal::new(String::new());
    let run = move || {
        let Some(data) = console.data() else { return };
        let days = horizon.get_untracked().trim().parse::<i64>().unwrap_or(30);
        let admin = console
            .session
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.is_admin()));
        leptos::task::spawn_local(async move {
            let mut stored = BTreeMap::new();
            for a in &data.accounts {
                match stored_account(&a.key).await {
                    Ok(jwt) => {
                        stored.insert(a.key.clone(), jwt);
                    }
                    Err(e) => return console.error(format!("this console's store: {e}")),
                }
            }
            let differs = if admin {
                match cluster_differences().await {
                    Ok(d) => {
                        cluster_note.set("compared with the cluster's resolver too".into());
                        d
                    }
                    Err(e) => {
                        cluster_note.set(format!("not compared with a cluster: {e}"));
                        Vec::new()
                    }
                }
            } else {
                cluster_note.set("sign in as admin to compare with the cluster's resolver".into());
                Vec::new()
            };
            findings.set(Some(issue::health_report(
                &data,
                stored,
                differs,
                now(),
                days,
            )));
        });
    };
    Effect::new(move |_| {
        if console.is_unlocked() {
            run();
        }
    });
    let fix = move |fix: Fix| match &fix {
        Fix::PushAccount(key) => {
            let key = key.clone();
            leptos::task::spawn_local(async move {
                push_vault_account(console, &key).await;
                run();
            });
        }
        other => {
            let other = other.clone();
            if console.change(|data| issue::apply_fix(data, &other, now())) {
                run();
            }
        }
    };
    view! {
        <section>
            <h2>"Health"</h2>
            <super::vault::VaultNeeded what="The health report, which reads the vault's JWTs,"/>
            <Show when=move || console.is_unlocked()>
                <p class="muted">"Every JWT of this vault checked as nats-server would, and against this console's store. Critical: nats-server refuses something now; warning: it will, or it is a risk; info: worth knowing."</p>
                <Field id="health-horizon" label="Warn of JWTs expiring within (days)" value=horizon/>
                <button on:click=move |_| run()>"Check again"</button>
                <p class="muted" id="health-cluster">{move || cluster_note.get()}</p>
                {move || findings.get().map(|list| {
                    let counts = ["critical", "warning", "info"].map(|s| list.iter().filter(|f| f.severity.as_str() == s).count());
                    view! {
                        <p id="health-summary">{format!("{} critical, {} warning(s), {} info", counts[0], counts[1], counts[2])}</p>
                        <div class="table-scroll" tabindex="0">
                        <table id="health-findings">
                            <tr><th>"Severity"</th><th>"Check"</th><th>"Finding"</th><th>"Fix"</th></tr>
                            {list.into_iter().map(|f| {
                                let button = f.fix.clone().map(|fx| {
                                    let label = fix_label(&fx);
                                    view! { <button class="secondary" on:click=move |_| fix(fx.clone())>{label}</button> }
                                });
                                view! {
                                    <tr data-check=f.check data-subject=f.subject.clone()>
                                        <td><span class=format!("badge badge-{}", f.severity.as_str())>{f.severity.as_str()}</span></td>
                                        <td>{f.check}</td>
                                        <td>{f.message.clone()}</td>
                                        <td>{button}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </table>
                        </div>
                    }
                })}
            </Show>
        </section>
    }
}
