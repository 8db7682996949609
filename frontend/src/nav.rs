//! The console's pages and the links between them: a path per page, History API navigation.
//! Hand-written instead of a router crate: a few fixed paths do not need one, and the app ships
//! ~45 KB (gzip) smaller without it (measured with scripts/build-web). The ops pages (`/ops/…`)
//! are a second bundle: a link between the two is a full page load.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Servers,
    Overview,
    Connections,
    Cluster,
    Events,
    Vault,
    Operator,
    Accounts,
    Users,
    Keys,
    Inspector,
    SignIn,
    Team,
    Audit,
    NatsResolver,
    Nsc,
    Health,
    Sharing,
    JetStream,
    NotFound,
}

impl Page {
    pub const MENU: [Page; 20] = [
        Page::Home,
        Page::Servers,
        Page::Overview,
        Page::Connections,
        Page::Cluster,
        Page::Events,
        Page::Vault,
        Page::SignIn,
        Page::Operator,
        Page::Accounts,
        Page::Sharing,
        Page::JetStream,
        Page::Users,
        Page::Keys,
        Page::Health,
        Page::Nsc,
        Page::Team,
        Page::NatsResolver,
        Page::Audit,
        Page::Inspector,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Page::Home => "/ops/home",
            Page::Servers => "/ops/servers",
            Page::Overview => "/ops/overview",
            Page::Connections => "/ops/connections",
            Page::Cluster => "/ops/cluster",
            Page::Events => "/ops/events",
            Page::Vault => "/",
            Page::Operator => "/operator",
            Page::Accounts => "/accounts",
            Page::Users => "/users",
            Page::Keys => "/keys",
            Page::Inspector => "/inspect",
            Page::SignIn => "/sign-in",
            Page::Team => "/team",
            Page::Audit => "/audit",
            Page::NatsResolver => "/nats-resolver",
            Page::Nsc => "/nsc",
            Page::Health => "/health",
            Page::Sharing => "/sharing",
            Page::JetStream => "/jetstream",
            Page::NotFound => "",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Home => "Home",
            Page::Servers => "Servers",
            Page::Overview => "Overview",
            Page::Connections => "Connections",
            Page::Cluster => "Cluster",
            Page::Events => "Events",
            Page::Vault => "Vault",
            Page::Operator => "Operator",
            Page::Accounts => "Accounts",
            Page::Users => "Users",
            Page::Keys => "Keys",
            Page::Inspector => "Inspector",
            Page::SignIn => "Sign in",
            Page::Team => "Team",
            Page::Audit => "Audit",
            Page::NatsResolver => "Resolver",
            Page::Nsc => "nsc",
            Page::Health => "Health",
            Page::Sharing => "Sharing",
            Page::JetStream => "JetStream",
            Page::NotFound => "Not found",
        }
    }

    /// Is this page the ops bundle's (served under `/ops/`, see `ops.rs`)?
    pub fn is_ops(self) -> bool {
        self.path().starts_with("/ops/")
    }

    /// The page at `path` (a trailing slash is ignored).
    pub fn at(path: &str) -> Page {
        let path = match path.trim_end_matches('/') {
            "" => "/",
            p => p,
        };
        Page::MENU
            .into_iter()
            .find(|p| p.path() == path)
            .unwrap_or(Page::NotFound)
    }
}

/// The page being shown; follows the browser's back and forward buttons. A message belongs to
/// the page it was shown on: moving to another page clears it.
pub fn current_page(notice: RwSignal<Option<(bool, String)>>) -> RwSignal<Page> {
    let window = window();
    let page = RwSignal::new(Page::at(&window.location().pathname().unwrap_or_default()));
    let on_popstate = Closure::<dyn Fn()>::new(move || {
        let path = leptos::prelude::window().location().pathname();
        notice.set(None);
        page.set(Page::at(&path.unwrap_or_default()));
    });
    let _ =
        window.add_event_listener_with_callback("popstate", on_popstate.as_ref().unchecked_ref());
    on_popstate.forget();
    page
}

/// Is `to` in the bundle running now? (Else it takes a full page load.)
fn here(to: Page) -> bool {
    let running_ops = window()
        .location()
        .pathname()
        .is_ok_and(|p| p.starts_with("/ops"));
    to.is_ops() == running_ops
}

/// Shows `to` as if its link was clicked (for "go there next" after an action).
pub fn go(to: Page) {
    if !here(to) {
        let _ = window().location().assign(to.path());
        return;
    }
    if let Some(current) = use_context::<RwSignal<Page>>() {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to.path()));
        }
        current.set(to);
    }
}

/// A menu link: a real `<a href>` (new tab, copy link work); a plain click switches in place.
#[component]
pub fn PageLink(to: Page, current: RwSignal<Page>) -> impl IntoView {
    let on_click = move |ev: MouseEvent| {
        if ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
            || !here(to)
        {
            return;
        }
        ev.prevent_default();
        if current.get_untracked() != to {
            if let Some(console) = use_context::<crate::state::Console>() {
                console.notice.set(None);
            }
            if let Ok(history) = window().history() {
                let _ =
                    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to.path()));
            }
            current.set(to);
        }
    };
    view! {
        <a href=to.path() on:click=on_click aria-current=move || (current.get() == to).then_some("page")>
            {to.title()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::Page;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn every_menu_path_leads_back_to_its_page() {
        for page in Page::MENU {
            assert_eq!(Page::at(page.path()), page);
        }
        assert_eq!(Page::at(""), Page::Vault);
        assert_eq!(Page::at("/accounts/"), Page::Accounts);
        assert_eq!(Page::at("/nope"), Page::NotFound);
        assert!(Page::Connections.is_ops() && !Page::Accounts.is_ops());
    }
}
