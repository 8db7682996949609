//! v1 claims as Go's jwt v2 reads them. A v1 activation JWT (nats jwt 1.x layout: `type` at
//! the top, the import's kind in `nats.type`, algorithm "ed25519") decodes, migrates and
//! re-encodes as Go's v2 does.
#![cfg(not(target_arch = "wasm32"))]

use nats_auth::jwt::{self, AnyClaims};
use nats_auth::nkeys::{KeyPair, KeyType};

#[test]
fn a_v1_activation_is_migrated_and_re_encoded() {
    let exporter = KeyPair::from_raw_seed(KeyType::Account, &[8; 32]).unwrap();
    let importer = KeyPair::from_raw_seed(KeyType::Account, &[9; 32]).unwrap();
    let payload = serde_json::json!({
        "jti": "V1ACTIVATION", "iat": 1_600_000_000, "iss": exporter.public_key(),
        "sub": importer.public_key(), "type": "activation", "tags": ["t1"],
        "issuer_account": exporter.public_key(),
        "nats": { "subject": "orders.>", "type": "stream" }
    });
    // v1 signs the payload segment alone
    let body = jwt::segment::encode(payload.to_string().as_bytes());
    let token = format!(
        "{}.{body}.{}",
        jwt::segment::encode(br#"{"typ":"jwt","alg":"ed25519"}"#),
        jwt::segment::encode(&exporter.sign(body.as_bytes()).unwrap())
    );
    let AnyClaims::Activation(mut activation) = jwt::decode(&token).unwrap() else {
        panic!("not an activation");
    };
    // what a store reads of it: the claim's type, not the import's
    let peek = jwt::peek(&token).unwrap();
    assert_eq!(
        (peek.claim_type.as_str(), peek.id.as_str()),
        ("activation", "V1ACTIVATION")
    );
    assert_eq!(activation.nats.import_subject, "orders.>");
    assert_eq!(activation.nats.import_type.as_str(), "stream");
    assert_eq!(activation.nats.generic.tags, ["t1"]);
    let again = activation.encode(&exporter, 1_600_000_100).unwrap();
    let AnyClaims::Activation(back) = jwt::decode(&again).unwrap() else {
        panic!("not an activation");
    };
    assert_eq!(back.nats.import_subject, "orders.>");
    assert_eq!(back.nats.generic.version, 2);
}

/// Claims in the v2 layout that say `"version": 1`: as claims JSON to sign they are read as Go
/// unmarshals them into `UserClaims` (nothing added); as a signed JWT, Go's `Decode` takes the
/// version at its word and reads them as a v1 user (limits default to unlimited, and what the
/// v1 struct lacks, such as `nats.tags`, is dropped).
#[test]
fn v2_layout_claims_saying_version_1() {
    let account = KeyPair::from_raw_seed(KeyType::Account, &[10; 32]).unwrap();
    let user = KeyPair::from_raw_seed(KeyType::User, &[11; 32]).unwrap();
    let payload = serde_json::json!({
        "jti": "V2V1", "iat": 1_600_000_000, "iss": account.public_key(), "sub": user.public_key(),
        "nats": { "type": "user", "version": 1, "tags": ["t"], "pub": { "allow": ["a"] } }
    });
    let AnyClaims::User(to_sign) = jwt::parse_claims(payload.to_string().as_bytes()).unwrap()
    else {
        panic!("not a user");
    };
    assert_eq!(
        (
            to_sign.nats.limits.subs,
            to_sign.nats.limits.data,
            to_sign.nats.limits.payload
        ),
        (0, 0, 0),
        "claims to sign: no limits added"
    );
    assert_eq!(to_sign.nats.generic.tags, ["t"]);

    let input = format!(
        "{}.{}",
        jwt::segment::encode(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#),
        jwt::segment::encode(payload.to_string().as_bytes())
    );
    // a v1 payload is verified as v1 (the payload segment alone)
    let body = input.split('.').nth(1).unwrap().to_string();
    let token = format!(
        "{input}.{}",
        jwt::segment::encode(&account.sign(body.as_bytes()).unwrap())
    );
    let AnyClaims::User(decoded) = jwt::decode(&token).unwrap() else {
        panic!("not a user");
    };
    assert_eq!(
        (
            decoded.nats.limits.subs,
            decoded.nats.limits.data,
            decoded.nats.limits.payload
        ),
        (-1, -1, -1),
        "a signed v1 user: unlimited by default"
    );
    assert!(
        decoded.nats.generic.tags.is_empty(),
        "Go's v1 user struct has no nats.tags"
    );
    assert_eq!(decoded.nats.limits.permissions.publish.allow, ["a"]);
}
