//! The ops bundle: the on-call engineer's pages (home, servers, overview, connections, cluster,
//! live events), built as a second wasm (`nats-console-ops`, served under `/ops/`) so that
//! issuing keys and JWTs never loads the dashboard's code, and the dashboard never loads the
//! signing code. It needs no vault: through the console it uses the session cookie the main
//! bundle's sign-in made; on a static host it polls monitor ports directly.

use leptos::prelude::*;

use crate::nav::Page;
use crate::pages::monitoring;
use crate::{Header, Notice};

#[component]
pub fn OpsApp() -> impl IntoView {
    let (console, page) = crate::start_app();
    view! {
        <Header console page vault=false/>
        <main>
            <Notice console/>
            {move || match page.get() {
                Page::Servers => view! { <monitoring::servers::ServersPage/> }.into_any(),
                Page::Overview => view! { <monitoring::overview::OverviewPage/> }.into_any(),
                Page::Connections => view! { <monitoring::connections::ConnectionsPage/> }.into_any(),
                Page::Cluster => view! { <monitoring::cluster::ClusterPage/> }.into_any(),
                Page::Events => view! { <monitoring::events::EventsPage/> }.into_any(),
                _ => view! { <monitoring::home::HomePage/> }.into_any(),
            }}
        </main>
    }
}
