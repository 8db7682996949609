//! Interop with the JavaScript libraries (nkeys.js, @nats-io/jwt) through their reference
//! fixture: same keys, same signatures, their JWTs and creds decode, verify and chain here.

use std::sync::OnceLock;

use nats_auth::chain::{self, Stage, Trust};
use nats_auth::creds;
use nats_auth::jwt::{self, AnyClaims};
use nats_auth::nkeys::KeyPair;
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn reference() -> &'static Value {
    static REF: OnceLock<Value> = OnceLock::new();
    REF.get_or_init(|| serde_json::from_str(include_str!("data/js-reference.json")).unwrap())
}

fn seeds() -> &'static Value {
    static SEEDS: OnceLock<Value> = OnceLock::new();
    SEEDS
        .get_or_init(|| serde_json::from_str(include_str!("data/js-reference-seeds.json")).unwrap())
}

/// The fixture's clock: JWTs were issued at this time.
const FIXTURE_NOW: i64 = 1_735_689_600;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn keys_and_signatures_match_nkeys_js() {
    for (role, key) in reference()["keys"].as_object().unwrap() {
        let pair = KeyPair::from_seed(key["seed"].as_str().unwrap()).unwrap();
        assert_eq!(
            pair.public_key(),
            key["public_key"].as_str().unwrap(),
            "{role}"
        );
        let raw: [u8; 32] = hex(key["raw_seed_hex"].as_str().unwrap())
            .try_into()
            .unwrap();
        let again = KeyPair::from_raw_seed(pair.key_type(), &raw).unwrap();
        assert_eq!(
            again.seed().unwrap(),
            key["seed"].as_str().unwrap(),
            "{role}"
        );
    }
    assert!(seeds()["keys"].as_object().is_some_and(|k| !k.is_empty()));
    for sig in reference()["signatures"].as_array().unwrap() {
        let role = sig["key"].as_str().unwrap();
        let pair = KeyPair::from_seed(reference()["keys"][role]["seed"].as_str().unwrap()).unwrap();
        let message = hex(sig["message_hex"].as_str().unwrap());
        // Ed25519 is deterministic: the same key and message give nkeys.js's exact bytes
        assert_eq!(
            pair.sign(&message).unwrap().to_vec(),
            hex(sig["sig_hex"].as_str().unwrap()),
            "{role}"
        );
        let public = KeyPair::from_public_key(sig["public_key"].as_str().unwrap()).unwrap();
        public
            .verify(&message, &hex(sig["sig_hex"].as_str().unwrap()))
            .unwrap();
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn jwts_made_by_the_js_library_decode_validate_and_chain() {
    let r = reference();
    let operator = match jwt::decode(r["jwts"]["operator"]["jwt"].as_str().unwrap()).unwrap() {
        AnyClaims::Operator(o) => o,
        other => panic!("operator JWT decoded as {:?}", other.claim_type()),
    };
    for (name, entry) in r["jwts"].as_object().unwrap() {
        let token = entry["jwt"].as_str().unwrap();
        let claims = jwt::decode(token).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = &entry["claims"];
        assert_eq!(claims.subject(), want["sub"].as_str().unwrap(), "{name}");
        assert_eq!(claims.issuer(), want["iss"].as_str().unwrap(), "{name}");
        assert_eq!(claims.name(), want["name"].as_str().unwrap(), "{name}");
        if let AnyClaims::Account(account) = &claims {
            chain::check_account(account, &operator).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    // the scenario: every user under its own account; mallory is revoked, eve expired
    let app_key = r["scenario"]["accounts"]["APP"].as_str().unwrap();
    for (user, creds_text) in r["creds"].as_object().unwrap() {
        let token = creds::parse_decorated_jwt(creds_text.as_str().unwrap());
        let AnyClaims::User(claims) = jwt::decode(&token).unwrap() else {
            panic!("{user}: not a user JWT")
        };
        let account_jwt = r["scenario"]["account_jwts_by_pubkey"][claims.account()]
            .as_str()
            .unwrap();
        let AnyClaims::Account(account) = jwt::decode(account_jwt).unwrap() else {
            panic!("{user}: account JWT is not an account")
        };
        chain::check_account(&account, &operator).unwrap();
        let trust = Trust {
            operator: None,
            account: Some(&account),
        };
        let verdict = chain::check(&token, trust, FIXTURE_NOW + 60);
        match user.as_str() {
            "mallory" => assert_eq!(
                verdict.reason.as_deref(),
                Some(format!("revoked by account {app_key}").as_str())
            ),
            "eve" => assert_eq!(
                verdict.stage,
                Stage::Validate,
                "{user}: {:?}",
                verdict.reason
            ),
            _ => assert!(verdict.is_ok(), "{user}: {:?}", verdict.reason),
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn creds_of_go_layout_and_of_the_js_library_parse() {
    let r = reference();
    for flavour in ["creds", "creds_jslib"] {
        for (user, text) in r[flavour].as_object().unwrap() {
            let text = text.as_str().unwrap();
            let user_key = creds::parse_decorated_user_key(text)
                .unwrap_or_else(|e| panic!("{flavour}/{user}: {e}"));
            let token = creds::parse_decorated_jwt(text);
            assert_eq!(
                jwt::decode(&token).unwrap().subject(),
                user_key.public_key(),
                "{flavour}/{user}"
            );
            if flavour == "creds" {
                // the Go layout is what format_user_creds writes, byte for byte
                let seed = creds::parse_decorated_seed(text).unwrap();
                assert_eq!(
                    creds::format_user_creds(&token, &seed).unwrap(),
                    text,
                    "{user}"
                );
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn negative_cases_of_the_js_fixture_are_refused() {
    let r = reference();
    for (name, case) in r["negative"].as_object().unwrap() {
        let token = case["jwt"].as_str().unwrap();
        let verdict = chain::check(token, Trust::default(), FIXTURE_NOW + 60);
        assert!(!verdict.is_ok(), "{name} was accepted");
    }
}
