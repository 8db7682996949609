//! JSON calls to the console API, with the console's refusal (`{"error": …}`) as the error.

use serde_json::Value;

async fn answer(response: gloo_net::http::Response) -> Result<Value, String> {
    if response.ok() {
        if response.status() == 204 {
            return Ok(Value::Null);
        }
        response.json().await.map_err(|e| e.to_string())
    } else {
        Err(crate::session::refusal_of(response).await)
    }
}

/// What a 401 tries before it is shown: the console bundle signs in again with the vault
/// ([`crate::session::resume`]); the ops bundle has no vault to sign with, and leaves it out.
pub type Resume = fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>;

thread_local! {
    static RESUME: std::cell::Cell<Option<Resume>> = const { std::cell::Cell::new(None) };
}

/// Sets what a 401 tries (once, at start).
pub fn resume_with(resume: Resume) {
    RESUME.with(|r| r.set(Some(resume)));
}

/// Sends the request `make` builds; a 401 resumes the session when it can, and the request
/// is sent once more.
async fn fetch(
    make: impl Fn() -> Result<gloo_net::http::Request, gloo_net::Error>,
) -> Result<Value, String> {
    let send = || async {
        make()
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| e.to_string())
    };
    let response = send().await?;
    let resume = RESUME.with(std::cell::Cell::get);
    if response.status() == 401 && matches!(resume, Some(resume) if resume().await) {
        return answer(send().await?).await;
    }
    answer(response).await
}

pub async fn get(url: &str) -> Result<Value, String> {
    fetch(|| gloo_net::http::Request::get(url).build()).await
}

pub async fn post(url: &str, body: Value) -> Result<Value, String> {
    send(url, "application/json", body.to_string()).await
}

/// Posts `body` as text (a JWT the console API takes as it is).
pub async fn post_text(url: &str, body: &str) -> Result<Value, String> {
    send(url, "application/jwt", body.to_string()).await
}

async fn send(url: &str, content_type: &str, body: String) -> Result<Value, String> {
    fetch(|| {
        gloo_net::http::Request::post(url)
            .header("Content-Type", content_type)
            .body(body.clone())
    })
    .await
}

pub async fn delete(url: &str) -> Result<Value, String> {
    fetch(|| gloo_net::http::Request::delete(url).build()).await
}
