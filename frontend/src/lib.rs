//! NATS Console web app. Seeds live only here, in the browser: encrypted at rest in the vault,
//! decrypted in memory while it is unlocked, used to sign in WASM with `nats-auth`.

pub mod api;
pub mod describe;
pub mod forms;
pub mod issue;
pub mod monitoring;
pub mod nav;
pub mod ops;
pub mod pages;
pub mod passkey;
pub mod session;
pub mod state;
pub mod vault;

use leptos::prelude::*;
use nav::{Page, PageLink};
use state::Console;

/// Locks the vault after this long without a click or key press.
const IDLE_LOCK_MS: f64 = 15.0 * 60.0 * 1000.0;

/// What both bundles start with: the console's state and the page shown, in context, and the
/// session asked for.
pub fn start_app() -> (Console, RwSignal<Page>) {
    let console = Console::new();
    provide_context(console);
    leptos::task::spawn_local(session::load(console));
    let page = nav::current_page();
    provide_context(page);
    (console, page)
}

#[component]
pub fn App() -> impl IntoView {
    let (console, page) = start_app();
    idle_lock(console);
    view! {
        <Header console page/>
        <main>
            <Notice console/>
            {move || match page.get() {
                Page::Vault => view! { <pages::vault::VaultPage/> }.into_any(),
                Page::Operator => view! { <pages::operator::OperatorPage/> }.into_any(),
                Page::Accounts => view! { <pages::accounts::AccountsPage/> }.into_any(),
                Page::Users => view! { <pages::users::UsersPage/> }.into_any(),
                Page::Keys => view! { <pages::keys::KeysPage/> }.into_any(),
                Page::Inspector => view! { <pages::inspector::InspectorPage/> }.into_any(),
                Page::SignIn => view! { <pages::sign_in::SignInPage/> }.into_any(),
                Page::Team => view! { <pages::team::TeamPage/> }.into_any(),
                Page::Audit => view! { <pages::audit::AuditPage/> }.into_any(),
                // the ops pages are the other bundle's (see ops.rs): reached by a full page load
                _ => view! { <p>"No such page."</p> }.into_any(),
            }}
        </main>
    }
}

/// The bar on top of every page of both bundles: the menu, the vault and the session.
#[component]
pub fn Header(
    console: Console,
    page: RwSignal<Page>,
    /// The ops bundle has no vault of its own: it says nothing of one.
    #[prop(default = true)]
    vault: bool,
) -> impl IntoView {
    view! {
            <header>
            <strong>"NATS Console"</strong>
            {Page::MENU.map(|to| view! { <PageLink to current=page/> })}
            {vault.then(|| view! {
                <span id="vault-state" class="muted">{move || if console.vault.with(|v| v.is_some()) { "unlocked" } else { "locked" }}</span>
            })}
            <span id="session-state" class="muted">{move || match console.session.get() {
                Some(s) => format!("{} · {} of {}", s.name, s.role, s.account_name),
                None => "not signed in".to_string(),
            }}</span>
            </header>
    }
}

/// The outcome of the last action.
#[component]
pub fn Notice(console: Console) -> impl IntoView {
    view! {
        <p id="notice" role="status" class=move || match console.notice.get() { Some((true, _)) => "error", _ => "ok" }>
            {move || console.notice.get().map(|(_, text)| text)}
        </p>
    }
}

/// Locks the vault when the page has been idle for `IDLE_LOCK_MS`.
fn idle_lock(console: Console) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let last_activity = std::rc::Rc::new(std::cell::Cell::new(js_sys::Date::now()));
    let Some(window) = web_sys::window() else {
        return;
    };
    let seen = last_activity.clone();
    let on_activity = Closure::<dyn Fn()>::new(move || seen.set(js_sys::Date::now()));
    for event in ["click", "keydown"] {
        let _ =
            window.add_event_listener_with_callback(event, on_activity.as_ref().unchecked_ref());
    }
    on_activity.forget();
    let check = Closure::<dyn Fn()>::new(move || {
        if js_sys::Date::now() - last_activity.get() > IDLE_LOCK_MS
            && console.vault.with_untracked(|v| v.is_some())
        {
            console.vault.set(None);
            console.ok("vault locked after 15 minutes without activity");
        }
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        check.as_ref().unchecked_ref(),
        30_000,
    );
    check.forget();
}
