//! Sharing between accounts, as `nsc add export / add import / generate activation / revocations
//! add_activation / add mapping` do: each change re-signs the account, after nats-auth's
//! validation (overlapping exports, wildcard rules, weights) names the input at fault.

use nats_auth::jwt::{
    ActivationClaims, Export, ExportType, Import, ResponseType, ServiceLatency, WeightedMapping,
};

use super::{account, pair_of, resign, sign_account};
use crate::forms::FormError;
use crate::vault::VaultData;

/// A Go duration as typed for a response threshold (`250ms`, `2s`, `1m`), in nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() || text == "0" {
        return Ok(0);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("expected a duration such as 250ms or 2s (got {text:?})"))?;
    let (number, unit) = text.split_at(split);
    let unit_ns = match unit {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return Err(format!("unknown unit {unit:?}: use ms, s, m or h")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 250ms or 2s (got {text:?})"))?;
    Ok((value * unit_ns).round() as i64)
}

fn kind_of(text: &str) -> ExportType {
    if text == "service" {
        ExportType::Service
    } else {
        ExportType::Stream
    }
}

/// An export as the form takes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportForm {
    /// "stream" or "service"
    pub kind: String,
    pub subject: String,
    pub name: String,
    /// Importers need an activation token.
    pub private: bool,
    /// Services: "Singleton" (default), "Stream" or "Chunked".
    pub response_type: String,
    /// Services: how long a responder may take (`2s`); empty: nats-server's default.
    pub response_threshold: String,
    /// Services: where latency measurements go (empty: none) and how many requests are
    /// sampled (1–100 percent, or "headers").
    pub latency_subject: String,
    pub latency_sampling: String,
    pub advertise: bool,
    /// Which token of the subject must be the importer's account key (0: none).
    pub account_token_position: String,
    pub description: String,
    pub info_url: String,
}

impl ExportForm {
    fn export(&self) -> Result<Export, FormError> {
        let subject = self.subject.trim();
        if subject.is_empty() {
            return Err(FormError::at(
                "export-subject",
                "the export needs a subject",
            ));
        }
        let mut export = Export {
            name: if self.name.trim().is_empty() {
                subject.to_string()
            } else {
                self.name.trim().to_string()
            },
            subject: subject.to_string(),
            export_type: kind_of(&self.kind),
            token_req: self.private,
            advertise: self.advertise,
            ..Default::default()
        };
        export.info.description = self.description.trim().to_string();
        export.info.info_url = self.info_url.trim().to_string();
        let position = self.account_token_position.trim();
        if !position.is_empty() {
            export.account_token_position = position.parse().map_err(|_| {
                FormError::at(
                    "export-token-position",
                    "a token position is a whole number",
                )
            })?;
        }
        if export.is_service() {
            let response = self.response_type.trim();
            if !response.is_empty() && response != ResponseType::SINGLETON {
                export.response_type = response.to_string();
            }
            export.response_threshold = parse_duration(&self.response_threshold)
                .map_err(|e| FormError::at("export-threshold", e))?;
            let results = self.latency_subject.trim();
            if !results.is_empty() {
                let sampling = match self.latency_sampling.trim() {
                    s if s.eq_ignore_ascii_case("headers") => 0,
                    s => s.trim_end_matches('%').parse::<i64>().map_err(|_| {
                        FormError::at(
                            "export-sampling",
                            "sampling: a percentage from 1 to 100, or headers",
                        )
                    })?,
                };
                export.latency = Some(ServiceLatency {
                    sampling,
                    results: results.to_string(),
                });
            }
        }
        Ok(export)
    }
}

/// Adds (or replaces, by subject) an export of `account_key` and re-signs it.
pub fn add_export(
    data: &mut VaultData,
    account_key: &str,
    form: &ExportForm,
    now: i64,
) -> Result<String, FormError> {
    let export = form.export()?;
    let subject = export.subject.clone();
    resign(data, account_key, now, |c| {
        c.nats.exports.retain(|e| e.subject != subject);
        c.nats.exports.push(export);
        Ok(())
    })
    .map_err(|e| e.or_at("export-subject"))?;
    Ok(format!("export {subject} added: push the account"))
}

/// Removes the export of `subject` and re-signs the account.
pub fn remove_export(
    data: &mut VaultData,
    account_key: &str,
    subject: &str,
    now: i64,
) -> Result<String, String> {
    resign(data, account_key, now, |c| {
        c.nats.exports.retain(|e| e.subject != subject);
        Ok(())
    })
    .map_err(|e| e.message)?;
    Ok(format!("export {subject} removed: push the account"))
}

/// An activation token for a private export: `importer` may import `subject` of `exporter`,
/// signed by the exporter's identity or one of its signing keys the vault holds, valid for
/// `days` (0: no expiry). The vault keeps it in its list of issued activations.
pub fn activation_token(
    data: &mut VaultData,
    exporter: &str,
    subject: &str,
    importer: &str,
    days: i64,
    now: i64,
) -> Result<String, FormError> {
    let claims = account(data, exporter).ok_or("no such account in the vault")?;
    let export = claims
        .nats
        .exports
        .iter()
        .find(|e| e.subject == subject)
        .ok_or("no such export")?;
    let importer = importer.trim();
    if !nats_auth::nkeys::is_valid_public_account_key(importer) {
        return Err(FormError::at(
            "activation-importer",
            format!("expected the importing account's public key (A…), got {importer:?}"),
        ));
    }
    let signer = super::account_signers(data, exporter)
        .into_iter()
        .map(|s| s.key)
        .find(|k| *k == exporter || claims.nats.signing_keys.scope(k).is_none())
        .ok_or("the vault holds no key of the exporting account")?;
    let mut activation = ActivationClaims::new(importer);
    activation.name = export.name.clone();
    activation.nats.import_subject = subject.to_string();
    activation.nats.import_type = export.export_type;
    if signer != exporter {
        activation.nats.issuer_account = exporter.to_string();
    }
    if days > 0 {
        activation.expires = now + days * 86_400;
    }
    let token = activation
        .encode(&pair_of(data, &signer)?, now)
        .map_err(|e| e.to_string())?;
    nats_auth::chain::check_activation(&activation, &claims).map_err(|e| e.to_string())?;
    data.activations.push(crate::vault::Entity {
        name: subject.to_string(),
        key: importer.to_string(),
        account: Some(exporter.to_string()),
        jwt: token.clone(),
    });
    Ok(token)
}

/// The activations issued here for `exporter`'s exports, each with whether the export's
/// revocations now refuse it (nats-auth's rule).
pub fn issued_activations(data: &VaultData, exporter: &str) -> Vec<(ActivationClaims, bool)> {
    let Some(claims) = account(data, exporter) else {
        return Vec::new();
    };
    data.activations
        .iter()
        .filter(|a| a.account.as_deref() == Some(exporter))
        .filter_map(|a| match nats_auth::jwt::decode(&a.jwt) {
            Ok(nats_auth::jwt::AnyClaims::Activation(act)) => {
                let revoked = nats_auth::chain::check_activation(&act, &claims).is_err();
                Some((act, revoked))
            }
            _ => None,
        })
        .collect()
}

/// Revokes every activation of `subject` issued to `importer` until now (the export's
/// revocation list), and re-signs the exporter.
pub fn revoke_activation(
    data: &mut VaultData,
    exporter: &str,
    subject: &str,
    importer: &str,
    now: i64,
) -> Result<String, String> {
    resign(data, exporter, now, |c| {
        let export = c
            .nats
            .exports
            .iter_mut()
            .find(|e| e.subject == subject)
            .ok_or("no such export")?;
        nats_auth::jwt::revocations::revoke(&mut export.revocations, importer, now);
        Ok(())
    })
    .map_err(|e| e.message)?;
    Ok(format!(
        "activations of {subject} for {} revoked: push the account",
        super::short(importer)
    ))
}

/// An import as the form takes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportForm {
    /// "stream" or "service"
    pub kind: String,
    /// The exporting account's public key.
    pub from: String,
    /// The exported subject.
    pub subject: String,
    /// Where it appears in this account (empty: the same subject).
    pub local_subject: String,
    pub name: String,
    /// The activation token of a private export.
    pub token: String,
}

/// Adds an import to `account_key` (checked against the exporter when the vault holds it) and
/// re-signs it.
pub fn add_import(
    data: &mut VaultData,
    account_key: &str,
    form: &ImportForm,
    now: i64,
) -> Result<String, FormError> {
    let mut claims = account(data, account_key).ok_or("no such account in the vault")?;
    let from = form.from.trim();
    if !nats_auth::nkeys::is_valid_public_account_key(from) {
        return Err(FormError::at(
            "import-from",
            format!("expected the exporting account's public key (A…), got {from:?}"),
        ));
    }
    let subject = form.subject.trim();
    if subject.is_empty() {
        return Err(FormError::at(
            "import-subject",
            "the import needs a subject",
        ));
    }
    let token = nats_auth::creds::parse_decorated_jwt(form.token.trim());
    let import = Import {
        name: if form.name.trim().is_empty() {
            subject.to_string()
        } else {
            form.name.trim().to_string()
        },
        subject: subject.to_string(),
        account: from.to_string(),
        token: token.clone(),
        local_subject: form.local_subject.trim().to_string(),
        import_type: kind_of(&form.kind),
        ..Default::default()
    };
    // what the exporter offers, when this vault knows it
    if let Some(exporter) = account(data, from) {
        let export = exporter
            .nats
            .exports
            .iter()
            .find(|e| e.export_type == import.import_type && e.subject == subject)
            .ok_or_else(|| {
                FormError::at(
                    "import-subject",
                    format!(
                        "{} exports no {} {subject}",
                        exporter.name,
                        import.import_type.as_str()
                    ),
                )
            })?;
        if export.token_req && token.is_empty() {
            return Err(FormError::at(
                "import-token",
                "this export is private: paste the activation token its account gave you",
            ));
        }
    }
    if !token.is_empty() {
        match nats_auth::jwt::decode(&token) {
            Ok(nats_auth::jwt::AnyClaims::Activation(a)) if a.subject == account_key => {}
            Ok(nats_auth::jwt::AnyClaims::Activation(a)) => {
                return Err(FormError::at(
                    "import-token",
                    format!("this activation is for {}, not this account", a.subject),
                ))
            }
            Ok(other) => {
                return Err(FormError::at(
                    "import-token",
                    format!("a {} JWT, not an activation", other.claim_type().as_str()),
                ))
            }
            Err(e) => return Err(FormError::at("import-token", e.explain())),
        }
    }
    claims
        .nats
        .imports
        .retain(|i| !(i.account == import.account && i.subject == import.subject));
    claims.nats.imports.push(import);
    sign_account(data, claims, "", now).map_err(|e| e.or_at("import-subject"))?;
    Ok(format!("import of {subject} added: push the account"))
}

/// Removes the import of `subject` from `from` and re-signs the account.
pub fn remove_import(
    data: &mut VaultData,
    account_key: &str,
    from: &str,
    subject: &str,
    now: i64,
) -> Result<String, String> {
    resign(data, account_key, now, |c| {
        c.nats
            .imports
            .retain(|i| !(i.account == from && i.subject == subject));
        Ok(())
    })
    .map_err(|e| e.message)?;
    Ok(format!("import of {subject} removed: push the account"))
}

/// Destinations as typed: `subject` or `subject:weight` (percent), an optional `@cluster`,
/// comma or line separated.
pub fn parse_destinations(text: &str) -> Result<Vec<WeightedMapping>, String> {
    let mut out = Vec::new();
    for item in super::list(text) {
        let (item, cluster) = match item.split_once('@') {
            Some((i, c)) => (i.trim().to_string(), c.trim().to_string()),
            None => (item, String::new()),
        };
        let (subject, weight) = match item.rsplit_once(':') {
            Some((s, w)) => {
                let w = w.trim().trim_end_matches('%');
                let weight: u8 = w
                    .parse()
                    .ok()
                    .filter(|w| (1..=100).contains(w))
                    .ok_or_else(|| format!("{item}: a weight is a percentage from 1 to 100"))?;
                (s.trim().to_string(), weight)
            }
            None => (item.trim().to_string(), 100),
        };
        out.push(WeightedMapping {
            subject,
            weight,
            cluster,
        });
    }
    if out.is_empty() {
        return Err("name at least one destination".into());
    }
    Ok(out)
}

/// Sets the mapping of `from` (replacing one there) and re-signs the account.
pub fn set_mapping(
    data: &mut VaultData,
    account_key: &str,
    from: &str,
    destinations: &str,
    now: i64,
) -> Result<String, FormError> {
    let from = from.trim();
    if from.is_empty() {
        return Err(FormError::at("mapping-from", "the mapping needs a subject"));
    }
    let to = parse_destinations(destinations).map_err(|e| FormError::at("mapping-to", e))?;
    resign(data, account_key, now, |c| {
        c.nats.mappings.insert(from.to_string(), to);
        Ok(())
    })
    .map_err(|e| e.or_at("mapping-to"))?;
    Ok(format!("mapping of {from} set: push the account"))
}

/// Removes the mapping of `from` and re-signs the account.
pub fn remove_mapping(
    data: &mut VaultData,
    account_key: &str,
    from: &str,
    now: i64,
) -> Result<String, String> {
    resign(data, account_key, now, |c| {
        c.nats.mappings.remove(from);
        Ok(())
    })
    .map_err(|e| e.message)?;
    Ok(format!("mapping of {from} removed: push the account"))
}
