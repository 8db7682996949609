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

pub async fn get(url: &str) -> Result<Value, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    answer(response).await
}

pub async fn post(url: &str, body: Value) -> Result<Value, String> {
    send(url, "application/json", body.to_string()).await
}

/// Posts `body` as text (a JWT the console API takes as it is).
pub async fn post_text(url: &str, body: &str) -> Result<Value, String> {
    send(url, "application/jwt", body.to_string()).await
}

async fn send(url: &str, content_type: &str, body: String) -> Result<Value, String> {
    let response = gloo_net::http::Request::post(url)
        .header("Content-Type", content_type)
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    answer(response).await
}

pub async fn delete(url: &str) -> Result<Value, String> {
    let response = gloo_net::http::Request::delete(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    answer(response).await
}
