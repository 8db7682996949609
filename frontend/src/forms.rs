//! Form controls: every input has a label (its accessible name) and a stable id.

use leptos::prelude::*;

/// A labelled text input bound to `value`.
#[component]
pub fn Field(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

/// A labelled checkbox bound to `value`.
#[component]
pub fn Check(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label><input type="checkbox" id=id style="width:auto" prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>" " {label}</label>
    }
}
