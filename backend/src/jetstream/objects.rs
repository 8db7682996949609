//! Object store downloads: an object's metadata (`$O.<bucket>.M.<name in base64url>`, the last
//! message on it) and its chunks (`$O.<bucket>.C.<nuid>`), read one message at a time with
//! `STREAM.MSG.GET` while the download goes on. Uploads need no route of their own: the
//! browser publishes the chunks and then the metadata, as any object store client does.

use bytes::Bytes;
use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::{JetStreamError, NO_MESSAGE_FOUND};
use crate::session::AccountConnection;

/// An object's name as its metadata subject holds it: base64url with padding (Go's
/// `URLEncoding`, as every object store client writes it).
pub fn encoded_name(name: &str) -> String {
    let mut encoded = nats_auth::text_encoding::base64url_encode(name.as_bytes());
    while !encoded.len().is_multiple_of(4) {
        encoded.push('=');
    }
    encoded
}

fn payload_of(answer: &Value) -> Vec<u8> {
    answer["message"]["data"]
        .as_str()
        .and_then(|d| nats_auth::text_encoding::base64_decode(d.as_bytes()).ok())
        .unwrap_or_default()
}

impl AccountConnection {
    /// The metadata of object `name` in `bucket` (`{name, nuid, size, chunks, digest, …}`);
    /// a deleted object is not found.
    pub async fn object_info(&self, bucket: &str, name: &str) -> Result<Value, JetStreamError> {
        let subject = format!("$O.{bucket}.M.{}", encoded_name(name));
        let answer = self
            .api(
                &format!("$JS.API.STREAM.MSG.GET.OBJ_{bucket}"),
                &json!({ "last_by_subj": subject }),
            )
            .await?;
        let info: Value = serde_json::from_slice(&payload_of(&answer))
            .map_err(|e| JetStreamError::BadAnswer(e.to_string()))?;
        if info["deleted"] == true {
            return Err(JetStreamError::Api {
                code: 404,
                err_code: NO_MESSAGE_FOUND,
                description: format!("object {name} was deleted"),
            });
        }
        Ok(info)
    }

    /// The chunks of the object stored under `nuid`, in order.
    pub fn object_chunks(
        &self,
        bucket: &str,
        nuid: &str,
    ) -> BoxStream<'static, Result<Bytes, JetStreamError>> {
        let connection = self.clone();
        let get = format!("$JS.API.STREAM.MSG.GET.OBJ_{bucket}");
        let chunks = format!("$O.{bucket}.C.{nuid}");
        stream::unfold(Some(1u64), move |from| {
            let (connection, get, chunks) = (connection.clone(), get.clone(), chunks.clone());
            async move {
                let from = from?;
                let request = json!({"seq": from, "next_by_subj": chunks});
                match connection.api(&get, &request).await {
                    Ok(answer) => {
                        let seq = answer["message"]["seq"].as_u64().unwrap_or(from);
                        Some((Ok(Bytes::from(payload_of(&answer))), Some(seq + 1)))
                    }
                    Err(JetStreamError::Api { err_code, .. }) if err_code == NO_MESSAGE_FOUND => {
                        None
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }
}
