//! Servers: every server of the cluster(s) as last polled; one that stops answering is marked
//! down (and back when it answers again). Admins may reload a server's configuration.

use leptos::prelude::*;

use super::{monitor, MonitorSettings};
use crate::monitoring::{bytes, ServerRow};
use crate::state::Console;

fn uptime(row: &ServerRow) -> String {
    row.varz["uptime"].as_str().unwrap_or("").to_string()
}

#[component]
pub fn ServersPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let monitor = monitor();
    let admin_via_console = move || {
        monitor.urls.with(|u| u.is_empty())
            && console
                .session
                .with(|s| s.as_ref().is_some_and(|s| s.is_admin()))
    };
    let reload = move |row: ServerRow| {
        let confirmed = window()
            .confirm_with_message(&format!(
                "Reload the configuration of {}? The server re-reads its config file now.",
                row.name
            ))
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/servers/{}/reload", row.id);
            match crate::api::post(&url, serde_json::json!({})).await {
                Ok(_) => console.ok(format!("{} reloaded its configuration", row.name)),
                Err(e) => console.error(format!("reload of {}: {e}", row.name)),
            }
        });
    };
    view! {
        <section>
            <h2>"Servers"</h2>
            <MonitorSettings/>
            <div class="table-scroll" tabindex="0">
            <table id="servers">
                <thead><tr>
                    <th>"server"</th><th>"cluster"</th><th>"version"</th><th>"uptime"</th><th>"CPU"</th>
                    <th>"memory"</th><th>"connections"</th><th>"slow consumers"</th><th>"health"</th><th>"state"</th><th></th>
                </tr></thead>
                <tbody>
                    <For each=move || monitor.servers.get() key=|r| (r.key.clone(), r.up, r.varz["now"].to_string(), r.health.clone()) let:row>
                        {
                            let state = if row.up { format!("up ({})", row.via) } else {
                                format!("down: {}", row.error.clone().unwrap_or_default())
                            };
                            let reloadable = row.up && !row.id.is_empty();
                            let r = row.clone();
                            view! {
                                <tr data-server=row.name.clone() class=if row.up { "" } else { "down" }>
                                    <td>{row.name.clone()}</td>
                                    <td>{row.varz["cluster"]["name"].as_str().unwrap_or("").to_string()}</td>
                                    <td>{row.varz["version"].as_str().unwrap_or("").to_string()}</td>
                                    <td>{uptime(&row)}</td>
                                    <td>{format!("{:.0} %", row.number("cpu"))}</td>
                                    <td>{bytes(row.number("mem"))}</td>
                                    <td>{row.number("connections")}</td>
                                    <td>{row.number("slow_consumers")}</td>
                                    <td>{row.health.clone().unwrap_or_default()}</td>
                                    <td class="server-state"><span class=if row.up { "ok" } else { "error" }>{state}</span></td>
                                    <td>
                                        <Show when=move || reloadable && admin_via_console()>
                                            {let r = r.clone(); view! {
                                                <button class="secondary" on:click=move |_| reload(r.clone())>"Reload"</button>
                                            }}
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            </div>
        </section>
    }
}
