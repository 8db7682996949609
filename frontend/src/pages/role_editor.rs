//! The one role editor: a scoped signing key's template (name, permissions with nats-server's
//! templates, limits, bearer, connection types), with a warning when the role would deny what
//! the console's team pages need and a preview of what a user would get. Used by the Accounts
//! page (roles of an account) and the Team page (approving a member's key).

use leptos::prelude::*;
use nats_auth::jwt::AccountClaims;

use crate::forms::{form_signals, Check, Field, FormErrors};
use crate::issue::RoleForm;

form_signals!(
    /// A role being edited.
    pub RoleInputs for RoleForm {
        role: String,
        description: String,
        pub_allow: String,
        pub_deny: String,
        sub_allow: String,
        sub_deny: String,
        subs: String,
        data: String,
        payload: String,
        bearer: bool,
        connection_types: String,
    }
);

impl RoleInputs {
    pub fn starting() -> Self {
        RoleInputs::new(RoleForm::starting())
    }

    /// A new role with no permissions typed yet.
    pub fn new_empty() -> Self {
        RoleInputs::new(RoleForm::default())
    }

    pub fn set(&self, form: RoleForm) {
        self.load(form)
    }

    pub fn value(&self) -> RoleForm {
        self.form()
    }

    /// The form as typed now (tracked: for warnings and previews).
    fn tracked(&self) -> RoleForm {
        RoleForm {
            role: self.role.get(),
            description: self.description.get(),
            pub_allow: self.pub_allow.get(),
            pub_deny: self.pub_deny.get(),
            sub_allow: self.sub_allow.get(),
            sub_deny: self.sub_deny.get(),
            subs: self.subs.get(),
            data: self.data.get(),
            payload: self.payload.get(),
            bearer: self.bearer.get(),
            connection_types: self.connection_types.get(),
        }
    }
}

#[component]
pub fn RoleEditor(
    role: RoleInputs,
    errors: FormErrors,
    /// The account the role belongs to, when known (for the preview).
    #[prop(into)]
    account: Signal<Option<AccountClaims>>,
) -> impl IntoView {
    let sample = RwSignal::new("alice".to_string());
    let warning = move || role.tracked().warning();
    let preview = move || {
        let account = account.get()?;
        let (publish, subscribe) = role.tracked().preview(sample.get().trim(), &account)?;
        Some(format!(
            "may publish to {}; may subscribe to {}",
            if publish.is_empty() {
                "anything".into()
            } else {
                publish.join(", ")
            },
            if subscribe.is_empty() {
                "anything".into()
            } else {
                subscribe.join(", ")
            },
        ))
    };
    view! {
        <Field id="role-name" label="Role name" value=role.role errors/>
        <Field id="role-description" label="What the role is for (optional)" value=role.description/>
        <Field id="role-pub-allow" label="Role may publish to" value=role.pub_allow errors placeholder="orders.{{name()}}.>"/>
        <Field id="role-pub-deny" label="Role may not publish to" value=role.pub_deny errors/>
        <Field id="role-sub-allow" label="Role may subscribe to" value=role.sub_allow errors/>
        <Field id="role-sub-deny" label="Role may not subscribe to" value=role.sub_deny errors/>
        <Field id="role-subs" label="Subscriptions per user of the role" value=role.subs errors placeholder="unlimited"/>
        <Field id="role-data" label="Data per user of the role (bytes)" value=role.data errors placeholder="unlimited"/>
        <Field id="role-payload" label="Payload per user of the role (bytes)" value=role.payload errors placeholder="unlimited"/>
        <Field id="role-conn-types" label="Connection types of the role's users (STANDARD, WEBSOCKET, LEAFNODE, MQTT…; empty: any)" value=role.connection_types errors/>
        <Check id="role-bearer" label="Bearer: users of this role connect with the JWT alone" value=role.bearer/>
        <p class="muted">"Subjects may hold {{name()}}, {{subject()}}, {{tag(x)}}, {{account-name()}}, {{account-subject()}} and {{account-tag(x)}}: nats-server fills them in for each user."</p>
        {move || warning().map(|w| view! { <p id="role-warning" class="warning" role="alert">{w}</p> })}
        <Show when=move || account.get().is_some()>
            <Field id="role-sample-user" label="Preview for a user named" value=sample/>
            <p id="role-preview">{preview}</p>
        </Show>
    }
}
