//! Files the user picks (a folder keeps each file's path inside it) and zips among them,
//! unpacked here: the zip's structure by nats-auth, deflated entries by the browser's own
//! `DecompressionStream`, read in chunks and stopped past the size the zip declares, so a zip
//! bomb costs one chunk. Nothing leaves the page.

use js_sys::{Reflect, Uint8Array};
use nats_auth::nsc::{zip, MAX_FILES, MAX_FILE_SIZE, MAX_TOTAL_SIZE};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The Compression Streams API (stable in browsers; web-sys has it behind a cfg flag).
    #[wasm_bindgen(js_name = DecompressionStream)]
    type DecompressionStream;

    #[wasm_bindgen(constructor, js_class = "DecompressionStream", catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
}

fn said(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Every file picked in `input` as (path, bytes): the path inside a picked folder, or the file
/// name; zips unpacked into their entries (path `<zip>/<entry>`). Bounded as nsc import is.
pub async fn picked_files(
    input: &web_sys::HtmlInputElement,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let Some(list) = input.files() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut total = 0usize;
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        if out.len() >= MAX_FILES {
            return Err(format!(
                "more than {MAX_FILES} files picked: pick the nsc folder itself"
            ));
        }
        let relative = Reflect::get(&file, &"webkitRelativePath".into())
            .ok()
            .and_then(|p| p.as_string())
            .filter(|p| !p.is_empty());
        let path = relative.unwrap_or_else(|| file.name());
        let is_zip = path.to_ascii_lowercase().ends_with(".zip");
        let interesting = is_zip
            || [".jwt", ".nk", ".creds", ".seed"]
                .iter()
                .any(|ext| path.ends_with(ext));
        if !interesting {
            continue;
        }
        let limit = if is_zip {
            MAX_TOTAL_SIZE
        } else {
            MAX_FILE_SIZE
        };
        if file.size() > limit as f64 {
            return Err(format!(
                "{path} is larger than {limit} bytes: not an nsc file"
            ));
        }
        total += file.size() as usize;
        if total > MAX_TOTAL_SIZE {
            return Err(format!("more than {MAX_TOTAL_SIZE} bytes picked"));
        }
        let buffer = JsFuture::from(file.array_buffer()).await.map_err(said)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        if is_zip {
            for entry in zip::entries(&bytes).map_err(|e| format!("{path}: {e}"))? {
                let data = unzip(&entry).await.map_err(|e| format!("{path}: {e}"))?;
                out.push((format!("{path}/{}", entry.name), data));
            }
        } else {
            out.push((path, bytes));
        }
    }
    Ok(out)
}

/// An entry's bytes, inflated if deflated, checked against its size and CRC-32.
async fn unzip(entry: &zip::Entry<'_>) -> Result<Vec<u8>, String> {
    if entry.size > MAX_FILE_SIZE {
        return Err(format!(
            "{} is larger than {MAX_FILE_SIZE} bytes",
            entry.name
        ));
    }
    let bytes = match entry.method {
        zip::Method::Stored => entry.data.to_vec(),
        zip::Method::Deflated => inflate(entry.data, entry.size).await?,
    };
    entry.check(&bytes).map_err(|e| e.0)?;
    Ok(bytes)
}

/// Raw deflate through the browser, stopping once more than `expected` bytes came out.
async fn inflate(data: &[u8], expected: usize) -> Result<Vec<u8>, String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(data).into());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(said)?;
    let inflater = DecompressionStream::new("deflate-raw").map_err(said)?;
    let pair: &web_sys::ReadableWritablePair = inflater.unchecked_ref();
    let reader: web_sys::ReadableStreamDefaultReader = blob
        .stream()
        .pipe_through(pair)
        .get_reader()
        .unchecked_into();
    let mut out = Vec::with_capacity(expected);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(said)?;
        if Reflect::get(&chunk, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            return Ok(out);
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(said)?;
        out.extend(Uint8Array::new(&value).to_vec());
        if out.len() > expected {
            let _ = reader.cancel();
            return Err("it inflates to more than its zip entry says".into());
        }
    }
}

/// Offers `bytes` as a file download.
pub fn download_bytes(file_name: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
