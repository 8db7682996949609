//! Polling a nats-server monitor port straight from the browser, no backend needed: `fetch`
//! where the server sends CORS (2.9.22+), a JSONP `<script>` where it does not (older servers,
//! e.g. Debian's 2.9.10; 2.12.12+ and 2.14.3+ dropped JSONP). Which one works is found out
//! once per monitor URL and remembered in localStorage.

use std::cell::Cell;

use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// How one monitor URL is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Cors,
    Jsonp,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Cors => "CORS",
            Transport::Jsonp => "JSONP",
        }
    }
}

const JSONP_TIMEOUT_MS: i32 = 5000;
const REMEMBERED: &str = "nats-console.monitor-transport.";

thread_local! {
    static NEXT_CALLBACK: Cell<u64> = const { Cell::new(0) };
}

/// A monitor URL as typed: trimmed, without a trailing slash; its path (when any) is the
/// server's `http_base_path`.
pub fn normalize(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!(
            "{url:.64}: a monitor URL starts with http:// or https:// (e.g. http://127.0.0.1:8222)"
        ));
    }
    if url.len() > 512 || url.contains(['?', '#', ' ']) {
        return Err(format!(
            "{url:.64}: not a monitor URL (no query, fragment or spaces)"
        ));
    }
    Ok(url.to_string())
}

/// Why a browser on this page cannot reach `base` at all (an HTTPS page and an http:// monitor).
pub fn mixed_content(base: &str) -> Option<String> {
    mixed_content_on(&web_sys::window()?.location().protocol().ok()?, base)
}

/// [`mixed_content`] for a page served by `page_protocol` (`"https:"`, `"http:"`).
pub fn mixed_content_on(page_protocol: &str, base: &str) -> Option<String> {
    (page_protocol == "https:" && base.starts_with("http://")).then(|| {
        format!(
            "{base} is http:// and this page is https://: the browser blocks it (mixed content). \
             Serve the monitor port over HTTPS (https_port), or watch the cluster through the console (sign in)."
        )
    })
}

fn remembered(base: &str) -> Option<Transport> {
    let storage = web_sys::window()?.local_storage().ok()??;
    match storage
        .get_item(&format!("{REMEMBERED}{base}"))
        .ok()??
        .as_str()
    {
        "cors" => Some(Transport::Cors),
        "jsonp" => Some(Transport::Jsonp),
        _ => None,
    }
}

fn remember(base: &str, transport: Transport) {
    if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
        let value = match transport {
            Transport::Cors => "cors",
            Transport::Jsonp => "jsonp",
        };
        let _ = storage.set_item(&format!("{REMEMBERED}{base}"), value);
    }
}

/// `GET <base>/<endpoint>?<query>` from the monitor port, by whichever transport works.
pub async fn get(base: &str, endpoint: &str, query: &str) -> Result<(Value, Transport), String> {
    if let Some(reason) = mixed_content(base) {
        return Err(reason);
    }
    let url = if query.is_empty() {
        format!("{base}/{endpoint}")
    } else {
        format!("{base}/{endpoint}?{query}")
    };
    let first = remembered(base).unwrap_or(Transport::Cors);
    let second = match first {
        Transport::Cors => Transport::Jsonp,
        Transport::Jsonp => Transport::Cors,
    };
    let first_error = match by(first, &url).await {
        Ok(v) => return Ok((v, first)),
        Err(e) => e,
    };
    match by(second, &url).await {
        Ok(v) => {
            remember(base, second);
            Ok((v, second))
        }
        Err(second_error) => Err(format!(
            "{url} did not answer: {} {first_error}; {} {second_error}",
            first.name(),
            second.name()
        )),
    }
}

async fn by(transport: Transport, url: &str) -> Result<Value, String> {
    match transport {
        Transport::Cors => cors(url).await,
        Transport::Jsonp => jsonp(url).await,
    }
}

async fn cors(url: &str) -> Result<Value, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        // an opaque failure: no CORS header, the server is down, or it refused the query
        .map_err(|_| "failed (no CORS answer)".to_string())?;
    if !response.ok() {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        return Err(format!("answered {status}: {:.200}", text.trim()));
    }
    response
        .json()
        .await
        .map_err(|e| format!("answered, but not JSON: {e}"))
}

/// `<script src="url&callback=name">`, resolved by the callback, refused on a load error or
/// after [`JSONP_TIMEOUT_MS`]; the script and the callback are removed either way.
async fn jsonp(url: &str) -> Result<Value, String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let name = NEXT_CALLBACK.with(|n| {
        n.set(n.get() + 1);
        format!("__natsConsoleJsonp{}", n.get())
    });
    let separator = if url.contains('?') { '&' } else { '?' };
    let script = document
        .create_element("script")
        .map_err(|_| "cannot make a script element")?;
    script
        .set_attribute("src", &format!("{url}{separator}callback={name}"))
        .map_err(|_| "bad URL")?;
    let window_value: JsValue = window.clone().into();
    let (callback_name, element) = (name.clone(), script.clone());
    let mut executor = move |resolve: js_sys::Function, reject: js_sys::Function| {
        let _ = js_sys::Reflect::set(&window_value, &JsValue::from_str(&callback_name), &resolve);
        let _ = element.add_event_listener_with_callback("error", &reject);
        let timeout = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("timed out"));
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                timeout.unchecked_ref(),
                JSONP_TIMEOUT_MS,
            );
        }
    };
    let promise = js_sys::Promise::new(&mut executor);
    document
        .body()
        .ok_or("no body")?
        .append_child(&script)
        .map_err(|_| "cannot add the script")?;
    let outcome = wasm_bindgen_futures::JsFuture::from(promise).await;
    script.remove();
    let _ = js_sys::Reflect::delete_property(&window.into(), &JsValue::from_str(&name));
    match outcome {
        Ok(value) => serde_wasm_value(value),
        Err(reason) => Err(match reason.as_string() {
            Some(text) => text,
            None => "failed (no JSONP answer)".into(),
        }),
    }
}

/// A JS object the JSONP callback received, as JSON.
fn serde_wasm_value(value: JsValue) -> Result<Value, String> {
    let text: String = js_sys::JSON::stringify(&value)
        .map_err(|_| "the JSONP answer is not JSON")?
        .into();
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn monitor_urls_keep_their_base_path_and_refuse_what_is_not_one() {
        assert_eq!(
            normalize(" http://10.0.0.1:8222/nats/ ").unwrap(),
            "http://10.0.0.1:8222/nats"
        );
        assert!(normalize("10.0.0.1:8222").unwrap_err().contains("http://"));
        assert!(normalize("http://h:8222/varz?x=1").is_err());
    }

    #[test]
    fn an_https_page_is_told_why_an_http_monitor_is_out_of_reach() {
        let reason = mixed_content_on("https:", "http://10.0.0.1:8222").unwrap();
        assert!(reason.contains("mixed content") && reason.contains("https_port"));
        assert_eq!(mixed_content_on("https:", "https://10.0.0.1:8222"), None);
        assert_eq!(mixed_content_on("http:", "http://10.0.0.1:8222"), None);
    }
}
