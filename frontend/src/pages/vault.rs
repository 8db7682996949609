//! Create, unlock and lock the vault; encrypted backup and restore.

use leptos::prelude::*;

use crate::state::{download, Console};
use crate::vault::{self, Unlocked};

#[component]
pub fn VaultPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let passphrase = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let exists = console.vault_exists;
    let backup = RwSignal::new(String::new());

    let errors = crate::forms::FormErrors::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, r) = (passphrase.get_untracked(), repeat.get_untracked());
        errors.clear();
        if p.chars().count() < MIN_PASSPHRASE {
            return errors.show(
                console,
                crate::forms::FormError::at(
                    "new-passphrase",
                    format!("choose a passphrase of at least {MIN_PASSPHRASE} characters (this one has {})", p.chars().count()),
                ),
            );
        }
        if p != r {
            return errors.show(
                console,
                crate::forms::FormError::at(
                    "repeat-passphrase",
                    "the two passphrases differ: type the same one twice",
                ),
            );
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match Unlocked::create(&p).await {
                Ok(v) => {
                    console.vault.set(Some(v));
                    exists.set(true);
                    console.ok("vault created and unlocked: next, create an operator");
                }
                Err(e) => console.error(e.to_string()),
            }
            busy.set(false);
        });
    };
    let lock = move |_| {
        console.lock();
        console.ok("vault locked: the seeds are gone from memory");
        crate::focus_later("#passphrase");
    };
    let export = move |_| download_backup(console);
    let passkeys = RwSignal::new(crate::passkey::registered());
    let confirm = RwSignal::new(String::new());
    let passkey_name = RwSignal::new("this device".to_string());
    let add_passkey = move |_| {
        let (p, name) = (confirm.get_untracked(), passkey_name.get_untracked());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::passkey::register(&p, name.trim()).await {
                Ok(()) => {
                    passkeys.set(crate::passkey::registered());
                    console.ok("passkey added: it unlocks this vault from now on (the passphrase still does)");
                }
                Err(e) => console.error(format!("no passkey added: {e}")),
            }
            confirm.set(String::new());
            busy.set(false);
        });
    };
    let forget_passkeys = move |_| match crate::passkey::forget_all() {
        Ok(()) => {
            passkeys.set(Vec::new());
            console.ok("passkeys forgotten in this browser: unlock with the passphrase");
        }
        Err(e) => console.error(e.to_string()),
    };
    let restore = move |_| match vault::restore(&backup.get_untracked()) {
        Ok(()) => {
            console.vault.set(None);
            exists.set(true);
            console.ok("backup restored: unlock it with its passphrase");
        }
        Err(e) => console.error(e.to_string()),
    };

    view! {
        <section>
            <h2>"Vault"</h2>
            <p class="muted">"Private keys (seeds) stay in this browser: encrypted with AES-GCM under a key derived from your passphrase (PBKDF2-SHA256, 600 000 iterations). They are never sent anywhere."</p>
            <Show when=move || console.vault.with(|v| v.is_some())
                fallback=move || view! {
                    <Show when=move || exists.get()
                        fallback=move || view! {
                            <p>"This browser has no vault yet: choose a passphrase to create one. Everything you issue is kept in it."</p>
                            // a form: Enter in either input creates the vault
                            <form on:submit=create>
                                <PassphraseInput id="new-passphrase" label="New passphrase" value=passphrase errors rules=true/>
                                <PassphraseInput id="repeat-passphrase" label="Repeat the passphrase" value=repeat errors rules=false/>
                                <button type="submit" disabled=move || busy.get()>"Create vault"</button>
                            </form>
                        }>
                        <UnlockForm/>
                    </Show>
                }>
                <p class="ok">"Unlocked. " {move || console.data().map(|d| d.keys.len()).unwrap_or(0)} " keys."</p>
                <button class="secondary" on:click=lock>"Lock vault"</button>
                <button class="secondary" on:click=export>"Download encrypted backup"</button>
                <h3>"Passkeys"</h3>
                <p class="muted">"A passkey (WebAuthn with its PRF extension) can unlock this vault too: the key it holds wraps the vault key. The passphrase stays the fallback."</p>
                <ul id="passkeys">
                    {move || passkeys.get().into_iter().map(|p| view! { <li>{p.name}</li> }).collect_view()}
                </ul>
                <label for="passkey-passphrase">"Your passphrase, to confirm"</label>
                <input id="passkey-passphrase" type="password" autocomplete="current-password" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
                <label for="passkey-name">"Passkey name"</label>
                <input id="passkey-name" prop:value=move || passkey_name.get() on:input=move |ev| passkey_name.set(event_target_value(&ev))/>
                <button class="secondary" disabled=move || busy.get() on:click=add_passkey>"Add a passkey"</button>
                <Show when=move || !passkeys.get().is_empty()>
                    " " <button class="secondary" on:click=forget_passkeys>"Forget passkeys in this browser"</button>
                </Show>
            </Show>
            <details>
                <summary>"Restore an encrypted backup"</summary>
                <super::TextOrFile id="backup" label="Backup (nats-console-vault.json: paste it, drop it here, or choose the file)" value=backup accept=".json,application/json"/>
                <button class="secondary" on:click=restore>"Restore backup"</button>
            </details>
        </section>
    }
}

/// The shortest passphrase the vault takes.
const MIN_PASSPHRASE: usize = 8;

/// A new passphrase's input: its rules said before they are broken (`rules`), its error under it.
#[component]
fn PassphraseInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    errors: crate::forms::FormErrors,
    rules: bool,
) -> impl IntoView {
    let error = move || errors.message_for(id);
    let described_by = move || {
        let mut ids = Vec::new();
        if rules {
            ids.push("passphrase-rules".to_string());
        }
        if error().is_some() {
            ids.push(format!("{id}-error"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <label for=id>{label}</label>
        {rules.then(|| view! {
            <p id="passphrase-rules" class="muted">{format!("At least {MIN_PASSPHRASE} characters. A few unrelated words are long and easy to remember; nobody can recover a forgotten passphrase.")}</p>
        })}
        <input id=id type="password" autocomplete="new-password"
            aria-invalid=move || error().map(|_| "true") aria-describedby=described_by
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        {move || error().map(|e| view! { <p class="field-error" id=format!("{id}-error")>{e}</p> })}
    }
}

/// The passphrase (and, when one is registered, passkey) unlock: on the Vault page and on every
/// page that needs the vault while it is locked. After unlocking, focus goes to the page's
/// first input.
#[component]
pub fn UnlockForm() -> impl IntoView {
    let console = expect_context::<Console>();
    let passphrase = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let has_passkeys = !crate::passkey::registered().is_empty();
    let unlocked = move |text: &str| {
        error.set(None);
        console.ok(text);
        crate::focus_later("main section input, main section select, main section textarea");
    };
    // at the field, like every form's errors, and on the notice line
    let refused = move |e: crate::vault::VaultError| {
        error.set(Some(e.to_string()));
        console.error(e.to_string());
        crate::focus_later("#passphrase");
    };
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = passphrase.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match Unlocked::unlock(&p).await {
                Ok(v) => {
                    console.vault.set(Some(v));
                    unlocked("vault unlocked");
                }
                Err(e) => refused(e),
            }
            passphrase.set(String::new());
            busy.set(false);
        });
    };
    let unlock_with_passkey = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::passkey::unlock().await {
                Ok(v) => {
                    console.vault.set(Some(v));
                    unlocked("vault unlocked with a passkey");
                }
                Err(e) => refused(e),
            }
            busy.set(false);
        });
    };
    view! {
        <form on:submit=unlock>
            <label for="passphrase">"Passphrase"</label>
            <input id="passphrase" type="password" autocomplete="current-password"
                aria-invalid=move || error.with(|e| e.is_some().then_some("true"))
                aria-describedby=move || error.with(|e| e.is_some().then_some("passphrase-error"))
                prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <p class="field-error" id="passphrase-error">{e}</p> })}
            <button type="submit" disabled=move || busy.get()>"Unlock vault"</button>
            {has_passkeys.then(|| view! {
                " "<button type="button" class="secondary" disabled=move || busy.get() on:click=unlock_with_passkey>"Unlock with a passkey"</button>
            })}
        </form>
    }
}

/// Said at the top of a page whose actions need the vault's keys, while the vault is locked (or
/// this browser has none yet): what is locked, and the way to open it right here.
#[component]
pub fn VaultNeeded(
    /// What the page does with the keys, e.g. "Creating and editing accounts".
    what: &'static str,
) -> impl IntoView {
    let console = expect_context::<Console>();
    move || {
        (!console.is_unlocked()).then(|| {
            if console.vault_exists.get() {
                view! {
                    <section class="locked" aria-labelledby="locked-title">
                        <h3 id="locked-title">"The vault is locked"</h3>
                        <p>{what} " needs the keys in this browser's vault. Unlock it here; what the console stores is shown below either way."</p>
                        <UnlockForm/>
                    </section>
                }
                .into_any()
            } else {
                view! {
                    <section class="locked" aria-labelledby="locked-title">
                        <h3 id="locked-title">"No vault in this browser yet"</h3>
                        <p>{what} " needs keys, which live in an encrypted vault in this browser. "
                            <a href="/">"Create a vault"</a>" first, or restore a backup there."</p>
                    </section>
                }
                .into_any()
            }
        })
    }
}

/// Offers the vault as stored (encrypted) as `nats-console-vault.json`.
pub fn download_backup(console: Console) {
    match vault::stored() {
        Ok(sealed) => download(
            "nats-console-vault.json",
            &serde_json::to_string_pretty(&sealed).unwrap_or_default(),
        ),
        Err(e) => console.error(e.to_string()),
    }
}
