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
    let exists = RwSignal::new(vault::exists());
    let backup = RwSignal::new(String::new());

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, r) = (passphrase.get_untracked(), repeat.get_untracked());
        if p.chars().count() < 8 {
            return console.error("choose a passphrase of at least 8 characters");
        }
        if p != r {
            return console.error("the two passphrases differ");
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
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = passphrase.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match Unlocked::unlock(&p).await {
                Ok(v) => {
                    console.vault.set(Some(v));
                    console.ok("vault unlocked");
                }
                Err(e) => console.error(e.to_string()),
            }
            passphrase.set(String::new());
            busy.set(false);
        });
    };
    let lock = move |_| {
        console.vault.set(None);
        console.ok("vault locked: the seeds are gone from memory");
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
    let unlock_with_passkey = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::passkey::unlock().await {
                Ok(v) => {
                    console.vault.set(Some(v));
                    console.ok("vault unlocked with a passkey");
                }
                Err(e) => console.error(format!("{e}")),
            }
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
                            // a form: Enter in either input creates the vault
                            <form on:submit=create>
                                <label for="new-passphrase">"New passphrase"</label>
                                <input id="new-passphrase" type="password" autocomplete="new-password" prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                                <label for="repeat-passphrase">"Repeat the passphrase"</label>
                                <input id="repeat-passphrase" type="password" autocomplete="new-password" prop:value=move || repeat.get() on:input=move |ev| repeat.set(event_target_value(&ev))/>
                                <button type="submit" disabled=move || busy.get()>"Create vault"</button>
                            </form>
                        }>
                        <form on:submit=unlock>
                            <label for="passphrase">"Passphrase"</label>
                            <input id="passphrase" type="password" autocomplete="current-password" prop:value=move || passphrase.get() on:input=move |ev| passphrase.set(event_target_value(&ev))/>
                            <button type="submit" disabled=move || busy.get()>"Unlock vault"</button>
                        </form>
                        <Show when=move || !passkeys.get().is_empty()>
                            <button class="secondary" disabled=move || busy.get() on:click=unlock_with_passkey>"Unlock with a passkey"</button>
                        </Show>
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
                <label for="backup">"Backup (the JSON of a downloaded backup)"</label>
                <textarea id="backup" rows="4" prop:value=move || backup.get() on:input=move |ev| backup.set(event_target_value(&ev))></textarea>
                <button class="secondary" on:click=restore>"Restore backup"</button>
            </details>
        </section>
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
