//! NATS Console web app. Seeds live only here, in the browser: encrypted at rest in the vault,
//! decrypted in memory while it is unlocked, used to sign in WASM with `nats-auth`.

pub mod api;
pub mod describe;
pub mod files;
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
    session::remember(console);
    leptos::task::spawn_local(session::load(console));
    let page = nav::current_page(console.notice);
    provide_context(page);
    follow_link(console);
    (console, page)
}

/// How often the header asks for the console's NATS link while someone is signed in.
const LINK_POLL_MS: i32 = 5_000;

/// Keeps `console.link` current while a session exists (`/api/v1/info` needs one): asked as
/// soon as the session is known, then every `LINK_POLL_MS`.
fn follow_link(console: Console) {
    Effect::new(move |_| {
        if console.session.with(|s| s.is_some()) {
            leptos::task::spawn_local(refresh_link(console));
        } else {
            console.link.set(None);
        }
    });
    leptos::task::spawn_local(async move {
        loop {
            monitoring::sleep_ms(LINK_POLL_MS).await;
            if console.session.get_untracked().is_some() {
                refresh_link(console).await;
            }
        }
    });
}

async fn refresh_link(console: Console) {
    let info = api::get("/api/v1/info")
        .await
        .ok()
        .and_then(|v| serde_json::from_value::<state::LinkInfo>(v).ok());
    console.link.set(info);
}

/// The console: `page_view` renders a page (the console binary's, which loads most pages lazily).
#[component]
pub fn App(page_view: fn(Page) -> AnyView) -> impl IntoView {
    let (console, page) = start_app();
    // a console behind the same address that does not know this session: sign in again
    api::resume_with(|| Box::pin(session::resume()));
    idle_lock(console);
    view! {
        <Header console page/>
        <main>
            <Notice console/>
            {move || page_view(page.get())}
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
            <nav aria-label="Pages">
                {Page::MENU.map(|to| view! { <PageLink to current=page/> })}
            </nav>
            <div class="header-state">
                {vault.then(|| view! { <VaultControl console page/> })}
                <span id="link-state" class=move || link_class(console)>{move || link_text(console)}</span>
                <span id="session-state">{move || match console.session.get() {
                    Some(s) => format!("{} · {} of {}", s.name, s.role, s.account_name),
                    None => "not signed in".to_string(),
                }}</span>
            </div>
        </header>
    }
}

/// The vault as a control: lock it when unlocked; go and unlock (or create) it otherwise.
#[component]
fn VaultControl(console: Console, page: RwSignal<Page>) -> impl IntoView {
    let lock = move |_| {
        console.lock();
        console.ok("vault locked: the seeds are gone from memory");
        // focus stays on the control, which now offers to unlock
        focus_later("#vault-state");
    };
    move || {
        if console.is_unlocked() {
            view! { <button id="vault-state" class="header-control" on:click=lock>"Vault unlocked · lock"</button> }.into_any()
        } else {
            let text = if console.vault_exists.get() {
                "Vault locked · unlock"
            } else {
                "No vault yet · create one"
            };
            view! { <a id="vault-state" class="header-control" href="/" on:click=move |ev| {
                if page.get_untracked() == Page::Vault { ev.prevent_default(); focus_later("main input"); }
            }>{text}</a> }.into_any()
        }
    }
}

/// Moves focus to the first element matching `selector` once the page has rendered the change
/// that made it (a form shown after unlocking, a row added after saving).
pub fn focus_later(selector: impl Into<String>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let selector = selector.into();
    let focus = Closure::once_into_js(move || {
        if let Some(e) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = e.focus();
        }
    });
    let _ =
        window().set_timeout_with_callback_and_timeout_and_arguments_0(focus.unchecked_ref(), 0);
}

fn link_text(console: Console) -> String {
    match console.link.get() {
        None => String::new(),
        Some(l) => match (l.nats.as_str(), l.nats_error) {
            ("connected", _) => "NATS: connected".into(),
            ("not configured", _) => "NATS: not linked".into(),
            ("failing", Some(e)) => format!("NATS: failing · {e}"),
            (state, Some(e)) => format!("NATS: {state} · last error: {e}"),
            (state, None) => format!("NATS: {state}"),
        },
    }
}

fn link_class(console: Console) -> &'static str {
    match console.link.get().map(|l| l.nats) {
        Some(s) if s == "failing" => "link-failing",
        _ => "",
    }
}

/// The outcome of the last action: stays in view (sticky) while the page scrolls, and belongs
/// to the page it was shown on.
#[component]
pub fn Notice(console: Console) -> impl IntoView {
    view! {
        <p id="notice" role="status" class=move || match console.notice.get() { Some((true, _)) => "notice error", Some(_) => "notice ok", None => "notice" }>
            {move || console.notice.get().map(|(_, text)| text)}
            {move || console.notice.get().is_some().then(|| view! {
                <button class="dismiss" aria-label="Dismiss the message" on:click=move |_| console.notice.set(None)>"×"</button>
            })}
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
            console.lock();
            console.ok("vault locked after 15 minutes without activity");
        }
    });
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        check.as_ref().unchecked_ref(),
        30_000,
    );
    check.forget();
}
