//! Overview: cluster totals and per-server rates (from successive samples), and charts of the
//! last hour kept in the browser.

use leptos::prelude::*;

use super::{monitor, MonitorSettings, Sparkline};
use crate::monitoring::{bytes, human, Point};

fn per_second(n: f64) -> String {
    format!("{}/s", human(n))
}

fn bytes_per_second(n: f64) -> String {
    format!("{}/s", bytes(n))
}

fn percent(n: f64) -> String {
    format!("{n:.0} %")
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let monitor = monitor();
    let series = move |f: fn(&Point) -> f64| {
        Signal::derive(move || {
            monitor
                .history
                .with(|h| h.iter().map(f).collect::<Vec<f64>>())
        })
    };
    let latest = move || {
        monitor
            .history
            .with(|h| h.back().copied().unwrap_or_default())
    };
    view! {
        <section>
            <h2>"Overview"</h2>
            <MonitorSettings/>
            <dl class="totals" id="totals">
                <div><dt>"servers up"</dt><dd id="total-up">{move || format!("{} of {}", latest().up, monitor.servers.with(|s| s.len()))}</dd></div>
                <div><dt>"connections"</dt><dd>{move || latest().connections}</dd></div>
                <div><dt>"messages in"</dt><dd id="total-msgs-in">{move || per_second(latest().rates.msgs_in)}</dd></div>
                <div><dt>"messages out"</dt><dd>{move || per_second(latest().rates.msgs_out)}</dd></div>
                <div><dt>"bytes in"</dt><dd>{move || bytes_per_second(latest().rates.bytes_in)}</dd></div>
                <div><dt>"bytes out"</dt><dd>{move || bytes_per_second(latest().rates.bytes_out)}</dd></div>
                <div><dt>"slow consumers"</dt><dd>{move || latest().slow_consumers}</dd></div>
            </dl>
            <div class="charts">
                <Sparkline label="messages in /s" values=series(|p| p.rates.msgs_in) format=per_second/>
                <Sparkline label="messages out /s" values=series(|p| p.rates.msgs_out) format=per_second/>
                <Sparkline label="bytes in /s" values=series(|p| p.rates.bytes_in) format=bytes_per_second/>
                <Sparkline label="bytes out /s" values=series(|p| p.rates.bytes_out) format=bytes_per_second/>
                <Sparkline label="connections" values=series(|p| p.connections) format=human/>
                <Sparkline label="CPU (sum of servers)" values=series(|p| p.cpu) format=percent/>
            </div>
            <p class="muted">{move || format!("{} samples of the last hour, kept in this tab", monitor.history.with(|h| h.len()))}</p>
            <div class="table-scroll" tabindex="0">
            <table id="server-rates">
                <thead><tr><th>"server"</th><th>"msgs in/s"</th><th>"msgs out/s"</th><th>"bytes in/s"</th><th>"bytes out/s"</th><th>"connections"</th><th>"subscriptions"</th></tr></thead>
                <tbody>
                    {move || monitor.servers.get().into_iter().map(|r| view! {
                        <tr>
                            <td>{r.name.clone()}{(!r.up).then_some(" (down)")}</td>
                            <td>{per_second(r.rates.msgs_in)}</td>
                            <td>{per_second(r.rates.msgs_out)}</td>
                            <td>{bytes_per_second(r.rates.bytes_in)}</td>
                            <td>{bytes_per_second(r.rates.bytes_out)}</td>
                            <td>{r.number("connections")}</td>
                            <td>{r.number("subscriptions")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}
