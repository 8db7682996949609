//! Form controls: every input has a label (its accessible name) and a stable id; a complaint
//! about an input is shown under it (`aria-invalid`, `aria-describedby`) and focus moves there.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::Console;
use crate::vault::VaultData;

/// One signal per field of a form struct (`$form`), named as its fields: `new` and `load` fill
/// them from a form, `form` reads them back. Listing every field is checked by the compiler.
macro_rules! form_signals {
    ($(#[$meta:meta])* $vis:vis $signals:ident for $form:ident { $($field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy)]
        $vis struct $signals {
            $($field: RwSignal<$ty>,)*
        }

        impl $signals {
            fn new(form: $form) -> Self {
                $signals { $($field: RwSignal::new(form.$field),)* }
            }

            #[allow(dead_code)]
            fn load(&self, form: $form) {
                $(self.$field.set(form.$field);)*
            }

            fn form(&self) -> $form {
                $form { $($field: self.$field.get_untracked(),)* }
            }
        }
    };
}
pub(crate) use form_signals;

/// Why a form was refused: about one input (`field` = its id) or about the whole form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl FormError {
    pub fn at(field: &'static str, message: impl Into<String>) -> Self {
        FormError {
            field: Some(field),
            message: message.into(),
        }
    }

    /// Names `field` as the input at fault unless another one is named already.
    pub fn or_at(self, field: &'static str) -> Self {
        FormError {
            field: self.field.or(Some(field)),
            message: self.message,
        }
    }
}

impl From<String> for FormError {
    fn from(message: String) -> Self {
        FormError {
            field: None,
            message,
        }
    }
}

impl From<&str> for FormError {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The complaint a form is showing under one of its inputs, if any.
#[derive(Clone, Copy)]
pub struct FormErrors(RwSignal<Option<(&'static str, String)>>);

impl FormErrors {
    pub fn new() -> Self {
        FormErrors(RwSignal::new(None))
    }

    pub fn clear(&self) {
        self.0.set(None);
    }

    pub fn message_for(&self, field: &str) -> Option<String> {
        self.0.with(|e| {
            e.as_ref()
                .filter(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
        })
    }

    /// Shows `error`: under its input (focused) and on the notice line.
    pub fn show(&self, console: Console, error: FormError) {
        if let Some(field) = error.field {
            self.0.set(Some((field, error.message.clone())));
            focus(field);
        }
        console.error(error.message);
    }

    /// Runs a change of the vault made from this form; a refusal is shown where it belongs.
    pub fn submit(
        &self,
        console: Console,
        change: impl FnOnce(&mut VaultData) -> Result<String, FormError>,
    ) -> bool {
        self.clear();
        let mut refused = None;
        let done = console.change(|data| {
            change(data).map_err(|e| {
                let message = e.message.clone();
                refused = Some(e);
                message
            })
        });
        if let Some(error) = refused {
            self.show(console, error);
        }
        done
    }
}

impl Default for FormErrors {
    fn default() -> Self {
        Self::new()
    }
}

fn focus(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The complaint under input `id`, when there is one.
fn field_error(id: &'static str, errors: Option<FormErrors>) -> impl IntoView {
    move || {
        errors.and_then(|e| e.message_for(id)).map(|message| {
            view! { <p class="field-error" id=format!("{id}-error")>{message}</p> }
        })
    }
}

fn invalid(id: &'static str, errors: Option<FormErrors>) -> impl Fn() -> Option<&'static str> {
    move || errors.and_then(|e| e.message_for(id)).map(|_| "true")
}

fn described_by(id: &'static str, errors: Option<FormErrors>) -> impl Fn() -> Option<String> {
    move || {
        errors
            .and_then(|e| e.message_for(id))
            .map(|_| format!("{id}-error"))
    }
}

/// A labelled text input bound to `value`; `placeholder` shows what empty means.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(optional)] errors: Option<FormErrors>,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id placeholder=placeholder aria-invalid=invalid(id, errors) aria-describedby=described_by(id, errors)
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        {field_error(id, errors)}
    }
}

/// A labelled multi-line input bound to `value`.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] errors: Option<FormErrors>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <textarea id=id rows=rows aria-invalid=invalid(id, errors) aria-describedby=described_by(id, errors)
            prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        {field_error(id, errors)}
    }
}

/// A labelled checkbox bound to `value`.
#[component]
pub fn Check(
    id: &'static str,
    label: &'static str,
    value: RwSignal<bool>,
    #[prop(optional)] errors: Option<FormErrors>,
) -> impl IntoView {
    view! {
        <label><input type="checkbox" id=id style="width:auto" aria-invalid=invalid(id, errors) aria-describedby=described_by(id, errors)
            prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>" " {label}</label>
        {field_error(id, errors)}
    }
}

/// What a choice shows, and so what it means: `current` when it is among `options`, else the
/// first option (none chosen yet, or a value left from other options); empty without options.
pub fn shown_choice(current: String, options: Vec<(String, String)>) -> String {
    if options.iter().any(|(v, _)| *v == current) {
        current
    } else {
        options
            .into_iter()
            .next()
            .map(|(v, _)| v)
            .unwrap_or_default()
    }
}

/// A labelled choice among `options()` (value, text), bound to `value`.
#[component]
pub fn Choice<F>(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: F,
    #[prop(optional)] errors: Option<FormErrors>,
) -> impl IntoView
where
    F: Fn() -> Vec<(String, String)> + Send + Sync + 'static,
{
    let options = std::sync::Arc::new(options);
    let choices = options.clone();
    // a value that is not among the options (none chosen yet, or left from other options)
    // shows as the first option, which is also what the pages use for it
    let shown = move || shown_choice(value.get(), choices());
    let selected = shown.clone();
    view! {
        <label for=id>{label}</label>
        <select id=id aria-invalid=invalid(id, errors) aria-describedby=described_by(id, errors)
            prop:value=shown on:change=move |ev| value.set(event_target_value(&ev))>
            {move || {
                let current = selected();
                options().into_iter().map(|(v, text)| {
                    let is_current = v == current;
                    view! { <option value=v selected=is_current>{text}</option> }
                }).collect_view()
            }}
        </select>
        {field_error(id, errors)}
    }
}
