//! Conformance with the Go libraries (jwt/v2 2.3.0, nkeys 0.3.0): every JWT of the reference
//! corpus gets Go's verdict, re-signing Go's decoded claims gives Go's bytes, creds match byte
//! for byte. Where this crate deliberately differs, `DELIBERATE` says how and why.
//! The same tests run natively and in headless Chromium (wasm32): the corpus is compiled in.

use std::sync::OnceLock;

use nats_auth::chain::{self, Stage, Trust};
use nats_auth::jwt::{self, AnyClaims};
use nats_auth::nkeys::{self, KeyPair, KeyType};
use nats_auth::{creds, Error};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The Go reference corpus as one JSON document: `index` (index.json) and `files` (path → text).
fn bundle() -> &'static Value {
    static BUNDLE: OnceLock<Value> = OnceLock::new();
    BUNDLE.get_or_init(|| serde_json::from_str(include_str!("data/go-corpus.json")).unwrap())
}

fn read(rel: &str) -> String {
    bundle()["files"][rel]
        .as_str()
        .unwrap_or_else(|| panic!("{rel} is not in the corpus"))
        .to_string()
}

fn index() -> Value {
    bundle()["index"].clone()
}

/// Cases where this crate knowingly answers differently from Go 2.3.0, with the answer it gives.
struct Deliberate {
    id: &'static str,
    why: &'static str,
    verdict: &'static str,
    stage: Stage,
    /// Replaces Go's issue list (kind, description) when `Some`.
    issues: Option<&'static [(&'static str, &'static str)]>,
    reason: Option<&'static str>,
}

const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        id: "acc-mappings-uint8-wrap",
        why: "Go 2.3 sums weights in a uint8 (5 x 60 wraps to 44); the sum is 300%",
        verdict: "ERROR",
        stage: Stage::Validate,
        issues: Some(&[("error", "Mapping \"m.in\" exceeds 100% among all of it's weighted to mappings")]),
        reason: None,
    },
    Deliberate {
        id: "op-service-url-path",
        why: "current Go accepts ws:// and wss:// operator service URLs; the path error remains",
        verdict: "ERROR",
        stage: Stage::Validate,
        issues: Some(&[("error", "operator service url \"tls://n1.example.com:4443/x\" - paths are not supported")]),
        reason: None,
    },
    Deliberate {
        id: "op-service-url-http",
        why: "the protocol list in the message names ws and wss, which current Go accepts",
        verdict: "ERROR",
        stage: Stage::Validate,
        issues: Some(&[("error", "operator service url \"http://n1.example.com:4222\" - protocol not supported (only 'nats', 'tls', 'ws' or 'wss')")]),
        reason: None,
    },
    Deliberate {
        id: "user-bearer-disallowed",
        why: "nats-server refuses bearer users of a disallow_bearer account; the jwt library does not check",
        verdict: "ERROR",
        stage: Stage::Chain,
        issues: None,
        reason: Some("bearer token not allowed by account (limits.disallow_bearer)"),
    },
    Deliberate {
        id: "bad-huge-junk",
        why: "tokens over 1 MiB are refused before parsing (MaxTokenSize, newer than Go 2.3)",
        verdict: "ERROR",
        stage: Stage::Decode,
        issues: None,
        reason: Some("token is larger than 1048576 bytes"),
    },
];

fn stage_of(name: &str) -> Stage {
    match name {
        "decode" => Stage::Decode,
        "validate" => Stage::Validate,
        "chain" => Stage::Chain,
        "ok" => Stage::Ok,
        other => panic!("unknown stage {other}"),
    }
}

fn context<T>(case: &Value, key: &str, pick: impl Fn(AnyClaims) -> Option<T>) -> Option<T> {
    let rel = case.get(key)?.as_str()?;
    Some(pick(jwt::decode(read(rel).trim()).unwrap()).expect("context JWT of the right type"))
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_corpus_jwt_gets_gos_verdict() {
    let index = index();
    let cases = index["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 131);
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        let operator = context(case, "operator", |c| match c {
            AnyClaims::Operator(o) => Some(o),
            _ => None,
        });
        let account = context(case, "account", |c| match c {
            AnyClaims::Account(a) => Some(a),
            _ => None,
        });
        let token = creds::parse_decorated_jwt(&read(case["file"].as_str().unwrap()));
        let trust = Trust {
            operator: operator.as_ref(),
            account: account.as_ref(),
        };
        let verdict = chain::check(&token, trust, case["now"].as_i64().unwrap());

        let deliberate = DELIBERATE
            .iter()
            .find(|d| d.id == id.trim_end_matches("@stdin"));
        let (want_verdict, want_stage) = match deliberate {
            Some(d) => (d.verdict.to_string(), d.stage),
            None => (
                expect["verdict"].as_str().unwrap().to_string(),
                stage_of(expect["stage"].as_str().unwrap()),
            ),
        };
        let got_verdict = if verdict.is_ok() { "OK" } else { "ERROR" };
        if got_verdict != want_verdict || verdict.stage != want_stage {
            failures.push(format!(
                "{id}: got {got_verdict}/{:?} ({:?}), want {want_verdict}/{want_stage:?} ({:?}){}",
                verdict.stage,
                verdict.reason,
                expect["reason"],
                deliberate
                    .map(|d| format!(" [deliberate: {}]", d.why))
                    .unwrap_or_default()
            ));
            continue;
        }
        let got_issues: Vec<(String, String)> = verdict
            .issues
            .issues
            .iter()
            .map(|i| (i.kind.to_string(), i.description.clone()))
            .collect();
        let want_issues: Vec<(String, String)> = match deliberate.and_then(|d| d.issues) {
            Some(list) => list
                .iter()
                .map(|(k, d)| (k.to_string(), d.to_string()))
                .collect(),
            None => expect["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["kind"].as_str().unwrap().to_string(),
                        i["description"].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        };
        if got_issues != want_issues {
            failures.push(format!("{id}: issues {got_issues:?}, want {want_issues:?}"));
        }
        // Reasons: validation and chain reasons are Go's words; decode reasons are compared
        // where this crate reproduces Go's message.
        let want_reason = match deliberate {
            Some(Deliberate {
                reason: Some(r), ..
            }) => Some(r.to_string()),
            Some(Deliberate {
                issues: Some(list), ..
            }) => Some(format!(
                "validation: {}",
                list.iter()
                    .filter(|(k, _)| *k != "warning")
                    .map(|(_, d)| *d)
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            _ => expect["reason"].as_str().map(str::to_string),
        };
        let compare_reason = verdict.stage != Stage::Decode || !DECODE_REASON_DIFFERS.contains(&id);
        if compare_reason && verdict.reason != want_reason {
            failures.push(format!(
                "{id}: reason {:?}, want {want_reason:?}",
                verdict.reason
            ));
        }
        if let (Some(claims), Some(t)) = (&verdict.claims, expect["claim_type"].as_str()) {
            if claims.claim_type().as_str() != t
                || claims.issuer() != expect["issuer"].as_str().unwrap()
            {
                failures.push(format!(
                    "{id}: decoded as {:?} by {}",
                    claims.claim_type(),
                    claims.issuer()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// JSON parser errors are serde_json's words, not Go's (same stage, same verdict).
const DECODE_REASON_DIFFERS: &[&str] = &[
    "bad-header-array",
    "bad-claims-truncated",
    "bad-claims-array",
    "bad-huge-junk",
];

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn resigning_gos_decoded_claims_gives_gos_bytes() {
    let index = index();
    let mut failures = Vec::new();
    for case in index["resign"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let signer = KeyPair::from_seed(read(case["seed"].as_str().unwrap()).trim()).unwrap();
        let json = read(case["claims"].as_str().unwrap());
        let result = jwt::parse_claims(json.as_bytes())
            .and_then(|mut claims| claims.encode(&signer, case["now"].as_i64().unwrap()));
        if case["expect_ok"].as_bool().unwrap() {
            let mut allowed = vec![read(case["expected"].as_str().unwrap()).trim().to_string()];
            for alt in case["alternates"].as_array().into_iter().flatten() {
                allowed.push(read(alt.as_str().unwrap()).trim().to_string());
            }
            match result {
                Ok(token) if allowed.contains(&token) => {}
                Ok(token) => failures.push(format!(
                    "{id}: bytes differ\n got  {}\n want {}",
                    payload(&token),
                    payload(&allowed[0])
                )),
                Err(e) => failures.push(format!("{id}: refused: {e}")),
            }
        } else {
            let want = case["expect_error"].as_str().unwrap();
            match result {
                Err(e) if e.to_string() == want => {}
                other => failures.push(format!("{id}: got {other:?}, want error {want:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn payload(token: &str) -> String {
    let part = token.split('.').nth(1).unwrap_or("");
    String::from_utf8_lossy(&jwt::segment::decode(part).unwrap_or_default()).into_owned()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn creds_match_go_byte_for_byte() {
    let index = index();
    for case in index["creds"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let jwt = read(case["jwt"].as_str().unwrap());
        let seed = read(case["seed"].as_str().unwrap());
        let result = creds::format_user_creds(&jwt, &seed);
        if id == "creds-other-user-seed" {
            // Deliberate: Go formats creds whose seed is not the JWT's subject; such a file can
            // never connect, so it is refused here.
            let err = result.unwrap_err().to_string();
            assert!(err.contains("the seed is for"), "{id}: {err}");
        } else if case["expect_ok"].as_bool().unwrap() {
            let text = result.unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(text, read(case["expected"].as_str().unwrap()), "{id}");
            // and the parsers read back what was written
            assert_eq!(creds::parse_decorated_jwt(&text), jwt.trim(), "{id}");
            assert_eq!(
                creds::parse_decorated_seed(&text).unwrap(),
                seed.trim(),
                "{id}"
            );
        } else {
            let err = result.unwrap_err().to_string();
            let want = case["expect_error"].as_str().unwrap();
            assert_eq!(err, format!("creds: {want}"), "{id}");
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_key_encodes_as_go_does() {
    let index = index();
    for key in index["keys"].as_array().unwrap() {
        let name = key["name"].as_str().unwrap();
        let raw: [u8; 32] = hex(key["raw_seed_hex"].as_str().unwrap())
            .try_into()
            .unwrap();
        let kind = KeyType::from_name(key["type"].as_str().unwrap()).unwrap();
        assert_eq!(
            nkeys::encode_seed(kind, &raw),
            key["seed"].as_str().unwrap(),
            "{name}"
        );
        let public = if kind == KeyType::Curve {
            nats_auth::xkeys::XKey::from_seed(key["seed"].as_str().unwrap())
                .unwrap()
                .public_key()
        } else {
            KeyPair::from_seed(key["seed"].as_str().unwrap())
                .unwrap()
                .public_key()
        };
        assert_eq!(public, key["public"].as_str().unwrap(), "{name}");
        assert!(nkeys::is_valid_public_key_of(kind, &public));
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn malformed_seeds_are_refused_with_gos_reason() {
    let index = index();
    for bad in index["bad_seeds"].as_array().unwrap() {
        let err: Error = KeyPair::from_seed(bad["input"].as_str().unwrap()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("nkeys: {}", bad["go_error"].as_str().unwrap()),
            "{}",
            bad["id"]
        );
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
