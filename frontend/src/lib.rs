//! NATS Console web app. Seeds live only here, in the browser: encrypted at rest in the vault,
//! decrypted in memory while it is unlocked, used to sign in WASM with `nats-auth`.

pub mod vault;

use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <main>
            <h1>"NATS Console"</h1>
            <p id="status">"loading"</p>
        </main>
    }
}
