//! `GET …/objects/<bucket>/<name>`: an object as a download, its chunks read from the bucket
//! while the download goes on.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::{connection, failed};
use crate::console_api::{ApiError, SignedIn};

pub async fn download_object(
    Extension(SignedIn(session)): Extension<SignedIn>,
    Path((account, bucket, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    super::live::check_bucket(&bucket)?;
    let connection = connection(&session, &account)?;
    let info = match connection.object_info(&bucket, &name).await {
        Ok(info) => info,
        Err(e) => return Ok(failed(e)),
    };
    let nuid = info["nuid"].as_str().unwrap_or_default().to_string();
    let chunks = connection.object_chunks(&bucket, &nuid);
    let mut response = axum::body::Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(size) = info["size"].as_u64() {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    // the file name as the object's, its unsafe characters left out
    let file: String = name
        .rsplit('/')
        .next()
        .unwrap_or("object")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
