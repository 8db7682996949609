//! An account's roles: its scoped signing keys, each with the template every user it signs
//! gets. Added, edited and removed with the one role editor; the account is re-signed here and
//! pushed from the Accounts list.

use leptos::prelude::*;

use super::role_editor::{RoleEditor, RoleInputs};
use crate::forms::FormErrors;
use crate::issue::{self, RoleForm};
use crate::state::{now, Console};

#[component]
pub fn AccountRoles(
    /// The account being edited (none: nothing shown).
    account: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let errors = FormErrors::new();
    let role = RoleInputs::new_empty();
    let editing_role = RwSignal::new(None::<String>);
    let claims = Signal::derive(move || {
        let key = account.get()?;
        console.data().and_then(|d| issue::account(&d, &key))
    });
    let save = move |_| {
        let Some(account_key) = account.get_untracked() else {
            return;
        };
        let form = role.value();
        let name = form.role.trim().to_string();
        let done = match editing_role.get_untracked() {
            Some(key) => errors.submit(console, |data| {
                issue::update_role(data, &account_key, &key, &form, now())?;
                Ok(format!("role {name} saved: push the account"))
            }),
            None => errors.submit(console, |data| {
                let key = issue::add_role(data, &account_key, &form, now())?;
                Ok(format!(
                    "role {name} added with signing key {key}: push the account"
                ))
            }),
        };
        if done {
            editing_role.set(None);
            role.set(RoleForm::starting());
        }
    };
    let remove = move |key: String, name: String| {
        if !super::confirmed(&format!(
            "Remove role {name}? Users signed by its key can no longer connect once the account is pushed."
        )) {
            return;
        }
        let Some(account_key) = account.get_untracked() else {
            return;
        };
        console.change(|data| {
            issue::remove_role(data, &account_key, &key, now()).map_err(|e| e.message)?;
            Ok(format!("role {name} removed: push the account"))
        });
    };
    view! {
        <Show when=move || claims.get().is_some()>
            <section>
                <h3>"Roles (scoped signing keys)"</h3>
                <p class="muted">"A user signed by a role's key gets exactly the role's template, and carries no permissions of its own."</p>
                <div class="table-scroll" tabindex="0">
                <table id="account-roles">
                    <tr><th>"Role"</th><th>"Key"</th><th>"May publish to"</th><th>"May subscribe to"</th><th></th></tr>
                    {move || claims.get().map(|c| c.nats.signing_keys.0.iter().filter_map(|(key, scope)| scope.clone().map(|s| (key.clone(), s))).map(|(key, scope)| {
                        let (k1, k2, n1, n2) = (key.clone(), key.clone(), scope.role.clone(), scope.role.clone());
                        let form = RoleForm::of(&scope);
                        view! {
                            <tr data-key=key.clone()>
                                <td>{scope.role.clone()}</td>
                                <td class="key">{issue::short(&key)}</td>
                                <td>{scope.template.permissions.publish.allow.join(", ")}</td>
                                <td>{scope.template.permissions.subscribe.allow.join(", ")}</td>
                                <td class="buttons">
                                    <button class="secondary" aria-label=format!("Edit role {n1}") on:click=move |_| { role.set(form.clone()); editing_role.set(Some(k1.clone())); }>"Edit"</button>
                                    <button class="danger" aria-label=format!("Remove role {n2}") on:click=move |_| remove(k2.clone(), n2.clone())>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view())}
                </table>
                </div>
                <RoleEditor role errors account=claims/>
                <button on:click=save>{move || if editing_role.get().is_some() { "Save role" } else { "Add role" }}</button>
            </section>
        </Show>
    }
}
