//! The console bundle's pages, each but the vault's and sign-in's from a wasm chunk of its own.
//! They live in the console's binary, not the library: a split point is an exported function,
//! and the ops bundle (which links the same library) must not carry the console's pages.

use leptos::prelude::*;
use nats_console_web::nav::Page;
use nats_console_web::pages::*;

/// Declares, for each page, an async function that renders it. Built with `--cfg split_pages`
/// (scripts/build-web does it), its body is a wasm-split point: the build cuts the module there
/// and the page's code is fetched the first time the page is shown instead of with the app.
/// Without it (`trunk serve`, the wasm tests) the page is simply in the module. Leptos's
/// `#[lazy]` would panic on a failed fetch, and a panic aborts the app with the unlocked vault:
/// this split point is `fallible`, so a failed fetch is a message (and the next visit retries).
macro_rules! split_pages {
    ($($chunk:ident => $page:path;)*) => {$(
        #[cfg(split_pages)]
        async fn $chunk() -> AnyView {
            #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn render() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
                Ok(untrack(|| $page().into_any()))
            }
            render().await.unwrap_or_else(|_| not_loaded())
        }
        #[cfg(not(split_pages))]
        async fn $chunk() -> AnyView {
            untrack(|| $page().into_any())
        }
    )*};
}

/// What a page whose chunk could not be fetched shows.
#[cfg(split_pages)]
fn not_loaded() -> AnyView {
    view! {
        <p class="notice error" role="alert">
            "This page could not be loaded from the console (is it still running?). Open the page \
             again to retry; the vault stays as it is."
        </p>
    }
    .into_any()
}

split_pages! {
    operator_page => operator::OperatorPage;
    accounts_page => accounts::AccountsPage;
    users_page => users::UsersPage;
    keys_page => keys::KeysPage;
    inspector_page => inspector::InspectorPage;
    team_page => team::TeamPage;
    audit_page => audit::AuditPage;
    nats_resolver_page => nats_resolver::NatsResolverPage;
    nsc_page => nsc::NscPage;
    health_page => health::HealthPage;
    sharing_page => sharing::SharingPage;
    jetstream_page => jetstream::JetStreamPage;
}

/// The console bundle's view of `page`. The vault and sign-in pages come with the app (every
/// visit starts at one of them); every other page is a chunk of its own.
pub fn view_of(page: Page) -> AnyView {
    match page {
        Page::Vault => view! { <vault::VaultPage/> }.into_any(),
        Page::SignIn => view! { <sign_in::SignInPage/> }.into_any(),
        Page::Operator => lazily(operator_page()),
        Page::Accounts => lazily(accounts_page()),
        Page::Users => lazily(users_page()),
        Page::Keys => lazily(keys_page()),
        Page::Inspector => lazily(inspector_page()),
        Page::Team => lazily(team_page()),
        Page::Audit => lazily(audit_page()),
        Page::NatsResolver => lazily(nats_resolver_page()),
        Page::Nsc => lazily(nsc_page()),
        Page::Health => lazily(health_page()),
        Page::Sharing => lazily(sharing_page()),
        Page::JetStream => lazily(jetstream_page()),
        // the ops pages are the other bundle's (see ops.rs): reached by a full page load
        _ => view! { <p>"No such page."</p> }.into_any(),
    }
}

/// A page from its chunk: "Loading the page…" until the chunk is fetched and instantiated (the
/// first visit of a page; later ones find it loaded).
fn lazily(page: impl std::future::Future<Output = AnyView> + Send + 'static) -> AnyView {
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the page…"</p> }>
            {Suspend::new(page)}
        </Suspense>
    }
    .into_any()
}
