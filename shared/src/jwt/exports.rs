use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::revocations::RevocationList;
use super::types::{has_wildcards, is_contained_in, is_false, validate_subject, Info};
use crate::validation::ValidationResults;

/// Stream or service; `Unknown` when missing (refused by validation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExportType {
    #[default]
    Unknown,
    Stream,
    Service,
}

impl ExportType {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportType::Unknown => "unknown",
            ExportType::Stream => "stream",
            ExportType::Service => "service",
        }
    }
    pub fn is_unknown(&self) -> bool {
        *self == ExportType::Unknown
    }
}

impl std::fmt::Display for ExportType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ExportType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ExportType::Unknown => Err(serde::ser::Error::custom("unknown export type")),
            t => s.serialize_str(t.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for ExportType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "stream" => Ok(ExportType::Stream),
            "service" => Ok(ExportType::Service),
            _ => Err(serde::de::Error::custom(format!(
                "unknown export type {s:?}"
            ))),
        }
    }
}

/// How a service answers: one message, a stream of messages, or one answer in chunks.
pub struct ResponseType;
impl ResponseType {
    pub const SINGLETON: &'static str = "Singleton";
    pub const STREAM: &'static str = "Stream";
    pub const CHUNKED: &'static str = "Chunked";
}

/// Latency sampling of a service export: `sampling` 1–100 percent, or 0 meaning "headers"
/// (sample the requests whose headers ask for it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLatency {
    #[serde(with = "sampling_rate")]
    pub sampling: i64,
    pub results: String,
}

mod sampling_rate {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(rate: &i64, s: S) -> Result<S::Ok, S::Error> {
        match *rate {
            0 => s.serialize_str("headers"),
            1..=100 => s.serialize_i64(*rate),
            _ => Err(serde::ser::Error::custom("unknown sampling rate")),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Rate {
            Percent(i64),
            Text(String),
        }
        match Rate::deserialize(d)? {
            Rate::Percent(p) => Ok(p),
            // Go compares the lower-cased JSON: "HEADERS" and "Headers" are headers too
            Rate::Text(t) if t.eq_ignore_ascii_case("headers") => Ok(0),
            Rate::Text(_) => Err(serde::de::Error::custom("unknown sampling rate")),
        }
    }
}

impl ServiceLatency {
    pub fn validate(&self, vr: &mut ValidationResults) {
        if self.sampling != 0 && !(1..=100).contains(&self.sampling) {
            vr.add_error("sampling percentage needs to be between 1-100");
        }
        validate_subject(&self.results, vr);
        if has_wildcards(&self.results) {
            vr.add_error("results subject can not contain wildcards");
        }
    }
}

/// A stream or service an account offers to other accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "ExportType::is_unknown"
    )]
    pub export_type: ExportType,
    /// Importers need an activation token from the exporter.
    #[serde(default, skip_serializing_if = "is_false")]
    pub token_req: bool,
    /// Importing account → time: activations issued before it are revoked.
    #[serde(default, skip_serializing_if = "RevocationList::is_empty")]
    pub revocations: RevocationList,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub response_type: String,
    /// Nanoseconds.
    #[serde(default, skip_serializing_if = "super::types::is_zero")]
    pub response_threshold: i64,
    #[serde(
        rename = "service_latency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub latency: Option<ServiceLatency>,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    pub account_token_position: u64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub advertise: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_trace: bool,
    #[serde(flatten)]
    pub info: Info,
}

fn is_zero_u64(v: &u64) -> bool {
    *v == 0
}

impl Export {
    pub fn is_service(&self) -> bool {
        self.export_type == ExportType::Service
    }
    pub fn is_stream(&self) -> bool {
        self.export_type == ExportType::Stream
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        if !self.is_service() && !self.is_stream() {
            vr.add_error(format!(
                "invalid export type: {:?}",
                self.export_type.as_str()
            ));
        }
        if self.is_service()
            && ![
                "",
                ResponseType::SINGLETON,
                ResponseType::STREAM,
                ResponseType::CHUNKED,
            ]
            .contains(&self.response_type.as_str())
        {
            vr.add_error(format!(
                "invalid response type for service: {:?}",
                self.response_type
            ));
        }
        if self.is_stream() && !self.response_type.is_empty() {
            vr.add_error(format!(
                "invalid response type for stream: {:?}",
                self.response_type
            ));
        }
        if self.is_stream() && self.allow_trace {
            vr.add_error("AllowTrace only valid for service export");
        }
        if let Some(latency) = &self.latency {
            if !self.is_service() {
                vr.add_error("latency tracking only permitted for services");
            }
            latency.validate(vr);
        }
        if self.response_threshold < 0 {
            vr.add_error("negative response threshold is invalid");
        }
        if self.response_threshold > 0 && !self.is_service() {
            vr.add_error("response threshold only valid for services");
        }
        validate_subject(&self.subject, vr);
        if self.account_token_position > 0 {
            if !has_wildcards(&self.subject) {
                vr.add_error(format!(
                    "Account Token Position can only be used with wildcard subjects: {}",
                    self.subject
                ));
            } else {
                let tokens: Vec<&str> = self.subject.split('.').collect();
                let position = self.account_token_position;
                if position > tokens.len() as u64 {
                    vr.add_error(format!(
                        "Account Token Position {position} exceeds length of subject '{}'",
                        self.subject
                    ));
                } else if tokens[position as usize - 1] != "*" {
                    vr.add_error(format!(
                        "Account Token Position {position} matches '{}' but must match a * in: {}",
                        tokens[position as usize - 1],
                        self.subject
                    ));
                }
            }
        }
        self.info.validate(vr);
    }
}

/// Go's `Exports.Validate`: each export, then overlaps among exports of the same type.
pub(crate) fn validate_exports(exports: &[Export], vr: &mut ValidationResults) {
    let mut services = Vec::new();
    let mut streams = Vec::new();
    for export in exports {
        if export.is_service() {
            services.push(export.subject.as_str());
        } else {
            streams.push(export.subject.as_str());
        }
        export.validate(vr);
    }
    report_overlaps(ExportType::Service, &services, vr);
    report_overlaps(ExportType::Stream, &streams, vr);
}

fn report_overlaps(kind: ExportType, subjects: &[&str], vr: &mut ValidationResults) {
    // container subject → the first subject found inside it
    let mut found: std::collections::BTreeMap<&str, &str> = Default::default();
    for (i, inner) in subjects.iter().enumerate() {
        for (j, outer) in subjects.iter().enumerate() {
            if i != j && is_contained_in(inner, outer) {
                found.entry(outer).or_insert(inner);
            }
        }
    }
    for (outer, inner) in found {
        vr.add_error(format!(
            "{kind} export subject {outer:?} already exports {inner:?}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::ServiceLatency;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sampling_by_headers_is_read_in_any_case_and_written_as_go_writes_it() {
        for text in ["headers", "HEADERS", "Headers"] {
            let json = format!(r#"{{"sampling":"{text}","results":"lat"}}"#);
            let latency: ServiceLatency = serde_json::from_str(&json).unwrap();
            assert_eq!(latency.sampling, 0, "{text}");
            assert_eq!(
                serde_json::to_string(&latency).unwrap(),
                r#"{"sampling":"headers","results":"lat"}"#
            );
        }
        assert!(
            serde_json::from_str::<ServiceLatency>(r#"{"sampling":"head","results":"lat"}"#)
                .is_err()
        );
        let percent: ServiceLatency =
            serde_json::from_str(r#"{"sampling":25,"results":"lat"}"#).unwrap();
        assert_eq!(percent.sampling, 25);
    }
}
