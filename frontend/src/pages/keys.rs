//! Keys: every key of the vault with its role and what it signs for (never the seed), and
//! importing a seed, an `.nk` file or a creds file.

use leptos::prelude::*;

use crate::state::{download, Console};
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
            let pair = nats_auth::nkeys::KeyPair::from_seed(&seed).map_err(|e| e.explain())?;
            if data.seed_of(&pair.public_key()).is_some() {
                return Err("the vault already holds this key".into());
            }
            // a creds file also says whose user this is: its name and account come along
            let user = match nats_auth::jwt::decode(&nats_auth::creds::parse_decorated_jwt(&text)) {
                Ok(nats_auth::jwt::AnyClaims::User(u)) if u.subject == pair.public_key() => Some(u),
                _ => None,
            };
            let account = user.as_ref().map(|u| {
                if u.nats.issuer_account.is_empty() {
                    u.issuer.clone()
                } else {
                    u.nats.issuer_account.clone()
                }
            });
            let name = match (n.trim(), &user) {
                ("", Some(u)) => u.name.clone(),
                (typed, _) => typed.to_string(),
            };
            data.keys.push(VaultKey {
                role: pair.key_type().name().into(),
                name,
                public_key: pair.public_key(),
                seed,
                signs_for: account,
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
    // the vault's contents and one of its keys, for an action on that key's row
    let key_of = move |public_key: &str| {
        let data = console.data()?;
        let key = data
            .keys
            .iter()
            .find(|k| k.public_key == public_key)?
            .clone();
        Some((data, key))
    };
    let delete = move |public_key: String| {
        let Some((data, key)) = key_of(&public_key) else {
            return;
        };
        if super::confirmed(&format!(
            "Delete the {} {} ({}) from the vault? {} Without a backup it is gone for good.",
            key.role,
            key.name,
            crate::issue::short(&public_key),
            what_stops(&key, &data)
        )) {
            let role = key.role.clone();
            console.change(|data| {
                data.keys.retain(|k| k.public_key != public_key);
                Ok(format!("{role} {public_key} deleted from the vault"))
            });
        }
    };
    let export = move |public_key: String| {
        let Some((_, key)) = key_of(&public_key) else {
            return;
        };
        if super::confirmed(&format!(
            "Export the seed of the {} {} as a file? The .nk file holds the private key in plain text: whoever has it can sign as this key. Keep it offline, and delete it once it is where it belongs.",
            key.role, key.name
        )) {
            let name = if key.name.is_empty() { crate::issue::short(&key.public_key) } else { key.name.clone() };
            download(&format!("{name}.nk"), &format!("{}\n", key.seed));
            console.ok(format!("{name}.nk downloaded: it holds a seed in plain text"));
        }
    };
    let filter = RwSignal::new(String::new());
    view! {
        <section>
            <h2>"Keys"</h2>
            <super::vault::VaultNeeded what="Seeing, importing, exporting and deleting keys"/>
            <Show when=move || console.is_unlocked()>
            <label for="key-filter">"Filter keys (role, name or key)"</label>
            <input id="key-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <div class="table-scroll" tabindex="0">
            <table>
                <thead><tr><th>"Role"</th><th>"Name"</th><th>"Public key"</th><th>"What it signs"</th><th>"Actions"</th></tr></thead>
                <tbody>{move || {
                    let data = console.data().unwrap_or_default();
                    let wanted = filter.get().trim().to_lowercase();
                    data.keys.clone().into_iter().filter(|k| wanted.is_empty() || [&k.role, &k.name, &k.public_key].iter().any(|t| t.to_lowercase().contains(&wanted))).map(|k| {
                    let (key, key2) = (k.public_key.clone(), k.public_key.clone());
                    let signs = what_it_signs(&k, &data);
                    view! { <tr><td>{k.role.clone()}</td><td>{k.name.clone()}</td><td><super::KeyText key=k.public_key.clone()/></td><td>{signs}</td>
                        <td class="actions">
                            <button class="secondary" aria-label=format!("Export .nk of {} {}", k.role, k.name) on:click=move |_| export(key2.clone())>"Export .nk"</button>
                            <button class="danger" aria-label=format!("Delete {} {}", k.role, k.name) on:click=move |_| delete(key.clone())>"Delete"</button>
                        </td></tr> }
                }).collect_view()}}</tbody>
            </table>
            </div>
            </Show>
        </section>
        <Show when=move || console.is_unlocked()>
        <section>
            <h3>"Import a key"</h3>
            <label for="import-name">"Name"</label>
            <input id="import-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <super::TextOrFile id="import-seed" label="Seed, .nk file or creds file (paste it, drop it here, or choose the file)" value=import rows=3 accept=".nk,.creds,.seed,.txt"/>
            <button on:click=add>"Import key"</button>
        </section>
        <section>
            <h3>"Backup"</h3>
            <p class="muted">"The whole vault, still encrypted under your passphrase. Restore it on the Vault page."</p>
            <button class="secondary" on:click=move |_| super::vault::download_backup(console)>"Download encrypted backup"</button>
        </section>
        </Show>
    }
}

/// What stops working when `key` is deleted from the vault: said before deleting it.
fn what_stops(key: &VaultKey, data: &VaultData) -> String {
    let operator = crate::issue::operator(data);
    match key.role.as_str() {
        "operator" => "This is the operator's identity: without it the operator JWT cannot be re-signed here (no new signing keys, no edits), and unless the operator has signing keys, no account can be signed either.".into(),
        "operator signing key" => {
            let others = operator.map_or(0, |o| o.nats.signing_keys.iter().filter(|k| **k != key.public_key && data.seed_of(k).is_some()).count());
            format!("Accounts can no longer be signed with it here ({others} other operator signing key(s) in the vault); accounts it signed stay valid.")
        }
        "account" => format!("This is account {}'s identity: users signed by it cannot be issued here any more and you cannot sign in as {} with it; users already issued keep connecting.", key.name, key.name),
        "account signing key" => "Users can no longer be issued with it here; users it signed keep connecting until the account drops the key.".into(),
        "user" => "Its creds can no longer be downloaded from this vault; creds already downloaded keep working.".into(),
        _ => String::new(),
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
