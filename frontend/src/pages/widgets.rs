//! Small controls every page uses: a key shown short with a copy button, a text input that also
//! takes a file (picker, drop), a confirmation that names what an action stops.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::Console;

/// The largest file a text input takes: JWTs, creds, `.nk` files and vault backups are a few KB.
pub const MAX_TEXT_FILE: f64 = 256.0 * 1024.0;

/// A public key (or JWT), shortened on screen to keep tables within a phone's width, whole in
/// its title and in what the copy button copies.
#[component]
pub fn KeyText(key: String) -> impl IntoView {
    let label = format!("Copy {key}");
    let shown = key.clone();
    view! {
        <span class="key-text">
            <code class="key" title=key.clone()>{shown}</code>
            <CopyButton text=key label/>
        </span>
    }
}

/// Copies `text` to the clipboard; says "Copied" on itself, where the eye is.
#[component]
pub fn CopyButton(
    text: String,
    label: String,
    /// What the button says before it is pressed.
    #[prop(default = "Copy")]
    shown: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            copied.set(done.is_ok());
            crate::monitoring::sleep_ms(2_000).await;
            copied.set(false);
        });
    };
    view! {
        <button type="button" class="copy" aria-label=label on:click=copy>
            {move || if copied.get() { "Copied" } else { shown }}
        </button>
    }
}

/// A labelled text area that also takes a file: a picker beside it, and a drop on it. The file's
/// text replaces the value.
#[component]
pub fn TextOrFile(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// What the picker offers first, e.g. ".jwt,.creds".
    #[prop(default = "")]
    accept: &'static str,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] errors: Option<crate::forms::FormErrors>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let picker_id = format!("{id}-file");
    let on_pick = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            read_file(file, value, console);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev
            .data_transfer()
            .and_then(|t| t.files())
            .and_then(|f| f.get(0))
        {
            read_file(file, value, console);
        }
    };
    view! {
        // a drop anywhere on the text area lands here (and does not open the file in the tab)
        <div class="text-or-file" on:dragover=|ev| ev.prevent_default() on:drop=on_drop>
            <crate::forms::TextArea id label value rows errors=errors.unwrap_or_default()/>
        </div>
        <label class="file-picker">
            "Or choose a file: "
            <input type="file" id=picker_id accept=accept on:change=on_pick/>
        </label>
    }
}

/// Reads a (small) text file into `value`.
pub fn read_file(file: web_sys::File, value: RwSignal<String>, console: Console) {
    if file.size() > MAX_TEXT_FILE {
        return console.error(format!(
            "{} is {} KB: JWTs, creds, keys and vault backups are a few KB, so this is none of them",
            file.name(),
            (file.size() / 1024.0).round()
        ));
    }
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => value.set(text.as_string().unwrap_or_default()),
            Err(_) => console.error(format!("{} could not be read", file.name())),
        }
    });
}

/// Asks before a dangerous action; `what` says what it does and what stops working.
pub fn confirmed(what: &str) -> bool {
    window().confirm_with_message(what).unwrap_or(false)
}
