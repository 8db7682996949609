//! The live event feed of the system account (`/api/v1/events`, admins), kept while the app is
//! open: one EventSource, the latest [`KEPT`] events, and the feed's state — live, cut (and
//! since when: the browser reconnects by itself and the console replays what it buffered), or
//! stopped (the session ended).

use std::collections::VecDeque;

use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Events kept in the page.
pub const KEPT: usize = 1000;
pub use nats_auth::monitoring::EVENT_TYPES as TYPES;

#[derive(Clone, Copy)]
pub struct LiveEvents {
    pub events: RwSignal<VecDeque<Value>>,
    pub state: RwSignal<String>,
    /// When the feed started (ms), for "in the last hour" counts.
    pub since_ms: RwSignal<Option<f64>>,
    started: StoredValue<bool>,
}

impl LiveEvents {
    pub fn new() -> LiveEvents {
        LiveEvents {
            events: RwSignal::new(VecDeque::new()),
            state: RwSignal::new("not started".into()),
            since_ms: RwSignal::new(None),
            started: StoredValue::new(false),
        }
    }

    fn push(&self, event: Value) {
        self.events.update(|e| {
            e.push_front(event);
            e.truncate(KEPT);
        });
    }

    /// Opens the feed once per page load.
    pub fn start(&self) {
        if self.started.get_value() {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
            self.state.set("this browser has no EventSource".into());
            return;
        };
        self.started.set_value(true);
        let this = *self;
        let on_event =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |m: web_sys::MessageEvent| {
                if let Some(text) = m.data().as_string() {
                    if let Ok(value) = serde_json::from_str::<Value>(&text) {
                        this.push(value);
                    }
                }
            });
        for kind in TYPES.iter().chain(&["cut"]) {
            let _ =
                source.add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
        }
        on_event.forget();
        let on_open = Closure::<dyn Fn()>::new(move || {
            let now = js_sys::Date::new_0();
            this.since_ms.update(|s| {
                s.get_or_insert(now.get_time());
            });
            this.state.set(format!(
                "live since {}",
                String::from(now.to_locale_time_string("en-GB"))
            ));
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let watched = source.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            let at = String::from(js_sys::Date::new_0().to_locale_time_string("en-GB"));
            if watched.ready_state() == web_sys::EventSource::CLOSED {
                this.state.set(format!(
                    "stopped at {at}: the console refused the feed (sign in again as an admin)"
                ));
                this.started.set_value(false);
            } else {
                this.state.set(format!("cut at {at}: reconnecting…"));
                this.push(serde_json::json!({
                    "type": "cut", "time": (js_sys::Date::now() / 1000.0) as i64,
                    "reason": format!("the connection to the console was cut at {at}; the browser reconnects and the console replays what it kept")
                }));
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }

    /// AUTH.ERR events of the last hour (of what this page kept).
    pub fn auth_errors_last_hour(&self) -> usize {
        let since = js_sys::Date::now() / 1000.0 - 3600.0;
        self.events.with(|e| {
            e.iter()
                .filter(|v| v["type"] == "auth_error" && v["time"].as_f64().unwrap_or(0.0) >= since)
                .count()
        })
    }
}

impl Default for LiveEvents {
    fn default() -> Self {
        LiveEvents::new()
    }
}
