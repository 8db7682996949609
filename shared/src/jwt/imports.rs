use serde::{Deserialize, Serialize};

use super::activation::ActivationClaims;
use super::claims::AnyClaims;
use super::exports::ExportType;
use super::types::{count_token_wildcards, is_contained_in, is_false, validate_subject};
use crate::validation::ValidationResults;

/// A stream or service this account takes from another account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// From the publisher's side: the exporter's subject for a stream, the importer's for a service.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// The exporting account.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account: String,
    /// An activation token (JWT) when the export requires one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// Deprecated: use `local_subject`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    /// The subject in this account; may reference the subject's `*` tokens as `$1`, `$2`, …
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub local_subject: String,
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "ExportType::is_unknown"
    )]
    pub import_type: ExportType,
    /// Share the importer's connection info with the service (latency tracking).
    #[serde(default, skip_serializing_if = "is_false")]
    pub share: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_trace: bool,
}

impl Import {
    pub fn is_service(&self) -> bool {
        self.import_type == ExportType::Service
    }
    pub fn is_stream(&self) -> bool {
        self.import_type == ExportType::Stream
    }

    /// The subject used for overlap checks among service imports.
    fn local_target(&self) -> String {
        if !self.to.is_empty() {
            self.to.clone()
        } else if !self.local_subject.is_empty() {
            renaming_to_subject(&self.local_subject)
        } else {
            self.subject.clone()
        }
    }

    /// Go's `Import.Validate` for an import of account `account_key`.
    pub fn validate(&self, account_key: &str, vr: &mut ValidationResults) {
        if !self.is_service() && !self.is_stream() {
            vr.add_error(format!(
                "invalid import type: {:?}",
                self.import_type.as_str()
            ));
        }
        if self.account.is_empty() {
            vr.add_error("account to import from is not specified");
        }
        if !self.to.is_empty() {
            vr.add_warning("the field to has been deprecated (use LocalSubject instead)");
        }
        validate_subject(&self.subject, vr);
        if !self.local_subject.is_empty() {
            validate_renaming_subject(&self.local_subject, &self.subject, vr);
            if !self.to.is_empty() {
                vr.add_error("Local Subject replaces To");
            }
        }
        if self.share && !self.is_service() {
            vr.add_error(format!(
                "sharing information (for latency tracking) is only valid for services: {:?}",
                self.subject
            ));
        }
        if self.allow_trace && !self.is_stream() {
            vr.add_error("AllowTrace only valid for stream import");
        }
        if self.token.is_empty() {
            return;
        }
        let activation: ActivationClaims = match super::decode(&self.token) {
            Ok(AnyClaims::Activation(a)) => a,
            _ => {
                vr.add_error(format!(
                    "import {:?} contains an invalid activation token",
                    self.subject
                ));
                return;
            }
        };
        if activation.issuer != self.account && activation.nats.issuer_account != self.account {
            vr.add_error(format!(
                "activation token doesn't match account for import {:?}",
                self.subject
            ));
        }
        if activation.subject != account_key {
            vr.add_error(format!(
                "activation token doesn't match account it is being included in, {:?}",
                self.subject
            ));
        }
        if activation.nats.import_type != self.import_type {
            vr.add_error(format!(
                "mismatch between token import type {} and type of import {}",
                activation.nats.import_type, self.import_type
            ));
        }
        // the token's own rules, without its time checks (Go: validateWithTimeChecks(vr, false))
        super::activation::validate_activation(&activation, vr);
        let subject = if self.is_service() && !self.to.is_empty() {
            &self.to
        } else {
            &self.subject
        };
        if !is_contained_in(subject, &activation.nats.import_subject) {
            vr.add_error(format!(
                "activation token import subject {:?} doesn't match import {:?}",
                activation.nats.import_subject, self.subject
            ));
        }
    }
}

/// Go's `RenamingSubject.Validate`.
fn validate_renaming_subject(renamed: &str, from: &str, vr: &mut ValidationResults) {
    validate_subject(renamed, vr);
    if from.is_empty() {
        vr.add_error("subject cannot be empty");
    }
    if renamed.contains(' ') {
        vr.add_error(format!("subject {renamed:?} cannot have spaces"));
    }
    let ends_with_gt = |s: &str| s == ">" || s.ends_with(".>");
    if ends_with_gt(renamed) != ends_with_gt(from) {
        vr.add_error("both, renaming subject and subject, need to end or not end in >");
    }
    let from_count = if from == "*" {
        1
    } else {
        count_token_wildcards(from)
    };
    let mut ref_count = 0;
    for token in renamed.split('.') {
        if token == "*" {
            ref_count += 1;
        }
        if token.len() < 2 {
            continue;
        }
        if let Some(index) = token.strip_prefix('$').and_then(parse_go_int) {
            if index > from_count as i64 {
                vr.add_error(format!(
                    "Reference ${index} in {renamed:?} reference * in {from:?} that do not exist"
                ));
            } else {
                ref_count += 1;
            }
        }
    }
    if ref_count != from_count {
        vr.add_error("subject does not contain enough * or reference wildcards $[0-9]");
    }
}

/// Go's `strconv.Atoi` (optional sign, decimal digits).
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Go's `RenamingSubject.ToSubject`: `$N` references become `*`.
fn renaming_to_subject(renamed: &str) -> String {
    if !renamed.contains('$') {
        return renamed.to_string();
    }
    renamed
        .split('.')
        .map(|t| match t.strip_prefix('$').and_then(parse_go_int) {
            Some(_) if t.len() > 1 => "*",
            _ => t,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Go's `Imports.Validate`: overlapping service imports, then each import.
pub(crate) fn validate_imports(imports: &[Import], account_key: &str, vr: &mut ValidationResults) {
    let mut seen: Vec<String> = Vec::new();
    for import in imports {
        if import.is_service() {
            let target = import.local_target();
            for other in &seen {
                if is_contained_in(&target, other) || is_contained_in(other, &target) {
                    vr.add_error(format!(
                        "overlapping subject namespace for {target:?} and {other:?}"
                    ));
                }
            }
            if !seen.contains(&target) {
                seen.push(target);
            }
        }
        import.validate(account_key, vr);
    }
}
