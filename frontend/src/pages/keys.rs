//! Keys: every key of the vault with its role and what it signs for (never the seed), and
//! importing a seed, an `.nk` file or a creds file.

use leptos::prelude::*;

use crate::state::Console;
use crate::vault::{VaultData, VaultKey};

#[component]
pub fn KeysPage() -> impl IntoView {
    let console = expect_context::<Console>();
    let import = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let add = move |_| {
        let (text, n) = (import.get_untracked(), name.get_untracked());
        if console.change(|data| {
            let seed = nats_auth::creds::parse_decorated_seed(&text)
                .unwrap_or_else(|_| text.trim().to_string());
            let pair = nats_auth::nkeys::KeyPair::from_seed(&seed).map_err(|e| e.to_string())?;
            if data.seed_of(&pair.public_key()).is_some() {
                return Err("the vault already holds this key".into());
            }
            data.keys.push(VaultKey {
                role: pair.key_type().name().into(),
                name: n.clone(),
                public_key: pair.public_key(),
                seed,
                signs_for: None,
            });
            Ok(format!(
                "{} key {} imported",
                pair.key_type(),
                pair.public_key()
            ))
        }) {
            import.set(String::new());
        }
    };
    let delete = move |public_key: String| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete key {public_key} from the vault? Without a backup it is gone for good."
                ))
                .ok()
            })
            .unwrap_or(false);
        if confirmed {
            console.change(|data| {
                data.keys.retain(|k| k.public_key != public_key);
                Ok(format!("key {public_key} deleted"))
            });
        }
    };
    view! {
        <section>
            <h2>"Keys"</h2>
            <table>
                <thead><tr><th>"Role"</th><th>"Name"</th><th>"Public key"</th><th>"What it signs"</th><th></th></tr></thead>
                <tbody>{move || { let data = console.data().unwrap_or_default(); data.keys.clone().into_iter().map(|k| {
                    let key = k.public_key.clone();
                    let signs = what_it_signs(&k, &data);
                    view! { <tr><td>{k.role.clone()}</td><td>{k.name.clone()}</td><td class="key">{k.public_key.clone()}</td><td>{signs}</td>
                        <td><button class="secondary" aria-label=format!("Delete key {}", k.public_key) on:click=move |_| delete(key.clone())>"Delete"</button></td></tr> }
                }).collect_view()}}</tbody>
            </table>
        </section>
        <section>
            <h3>"Import a key"</h3>
            <label for="import-name">"Name"</label>
            <input id="import-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label for="import-seed">"Seed, .nk file or creds file"</label>
            <textarea id="import-seed" rows="3" prop:value=move || import.get() on:input=move |ev| import.set(event_target_value(&ev))></textarea>
            <button on:click=add>"Import key"</button>
        </section>
        <section>
            <h3>"Backup"</h3>
            <p class="muted">"The whole vault, still encrypted under your passphrase. Restore it on the Vault page."</p>
            <button class="secondary" on:click=move |_| super::vault::download_backup(console)>"Download encrypted backup"</button>
        </section>
    }
}

/// What a key of the vault signs, in words (the Keys page's last column).
fn what_it_signs(key: &VaultKey, data: &VaultData) -> String {
    let name_of = |public_key: &str| {
        data.accounts
            .iter()
            .find(|a| a.key == public_key)
            .map(|a| a.name.clone())
            .or_else(|| {
                crate::issue::operator(data)
                    .filter(|o| o.subject == public_key)
                    .map(|o| o.name)
            })
            .unwrap_or_else(|| crate::issue::short(public_key))
    };
    let signs_for = key.signs_for.as_deref().map(name_of).unwrap_or_default();
    match key.role.as_str() {
        "operator" => "the operator JWT; accounts, unless strict signing".into(),
        "operator signing key" => format!("accounts, for operator {signs_for}"),
        "account" => format!("users of {}", key.name),
        "account signing key" => format!("users of {signs_for} (with issuer_account)"),
        "user" => format!("nothing: a user of {signs_for}"),
        _ => String::new(),
    }
}
