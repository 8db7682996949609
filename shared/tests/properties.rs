//! Properties over generated input: round trips hold, and no input makes decoding panic.
#![cfg(not(target_arch = "wasm32"))]

use nats_auth::jwt::{self, AccountClaims, AnyClaims, UserClaims};
use nats_auth::nkeys::{self, KeyPair, KeyType};
use nats_auth::{chain, creds};
use proptest::prelude::*;

fn key_type() -> impl Strategy<Value = KeyType> {
    prop::sample::select(vec![
        KeyType::Operator,
        KeyType::Account,
        KeyType::User,
        KeyType::Server,
        KeyType::Cluster,
    ])
}

fn subject() -> impl Strategy<Value = String> {
    "[a-z0-9_]{1,8}(\\.[a-z0-9_*]{1,8}){0,3}(\\.>)?"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Our base32/base64url against the data-encoding crate (the codec used before): same
    /// text, same bytes, same error position and kind for any input.
    #[test]
    fn text_encodings_agree_with_data_encoding(bytes in prop::collection::vec(any::<u8>(), 0..80), text in "[A-Za-z0-9_=+/!-]{0,40}") {
        use data_encoding::{DecodeKind, BASE32, BASE32_NOPAD, BASE64URL_NOPAD};
        use nats_auth::text_encoding::{self as te, DecodeErrorKind};
        prop_assert_eq!(te::base32_encode(&bytes), BASE32_NOPAD.encode(&bytes));
        prop_assert_eq!(te::base32_encode_padded(&bytes), BASE32.encode(&bytes));
        prop_assert_eq!(te::base64url_encode(&bytes), BASE64URL_NOPAD.encode(&bytes));
        let kind = |k: DecodeKind| match k {
            DecodeKind::Length => Some(DecodeErrorKind::Length),
            DecodeKind::Symbol => Some(DecodeErrorKind::Symbol),
            DecodeKind::Trailing => Some(DecodeErrorKind::TrailingBits),
            _ => None,
        };
        let ours = te::base64url_decode(text.as_bytes()).map_err(|e| (e.position, Some(e.kind)));
        let reference = BASE64URL_NOPAD.decode(text.as_bytes()).map_err(|e| (e.position, kind(e.kind)));
        prop_assert_eq!(ours, reference);
        let mut lax = data_encoding::Specification::new();
        lax.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        lax.check_trailing_bits = false;
        let lax = lax.encoding().unwrap();
        let upper = text.to_ascii_uppercase();
        let ours = te::base32_decode(upper.as_bytes()).map_err(|e| (e.position, Some(e.kind)));
        let reference = lax.decode(upper.as_bytes()).map_err(|e| (e.position, kind(e.kind)));
        prop_assert_eq!(ours, reference);
    }

    #[test]
    fn seeds_and_public_keys_round_trip(kind in key_type(), raw in any::<[u8; 32]>()) {
        let pair = KeyPair::from_raw_seed(kind, &raw).unwrap();
        let seed = pair.seed().unwrap();
        prop_assert_eq!(nkeys::decode_seed(&seed).unwrap(), (kind, raw));
        let public = pair.public_key();
        prop_assert!(nkeys::is_valid_public_key_of(kind, &public));
        prop_assert_eq!(KeyPair::from_public_key(&public).unwrap().public_key(), public);
    }

    #[test]
    fn a_changed_character_never_decodes_as_the_same_key(raw in any::<[u8; 32]>(), at in 0usize..58, to in prop::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".to_vec())) {
        let seed = nkeys::encode_seed(KeyType::User, &raw);
        let mut bytes = seed.clone().into_bytes();
        prop_assume!(bytes[at] != to);
        bytes[at] = to;
        let changed = String::from_utf8(bytes).unwrap();
        // CRC-16 catches every change of the 288 data bits; only the last character's two
        // unused bits may change without effect (Go ignores them too).
        if let Ok((_, other)) = nkeys::decode_seed(&changed) {
            prop_assert!(other != raw || at == 57, "changed at {} still decodes to the seed", at);
        }
    }

    #[test]
    fn user_claims_round_trip_through_a_jwt(
        name in "[ -~]{0,40}",
        allow in prop::collection::vec(subject(), 0..4),
        deny in prop::collection::vec(subject(), 0..3),
        subs in -1i64..10_000,
        exp in prop::option::of(1_700_000_000i64..4_000_000_000),
        bearer in any::<bool>(),
        tags in prop::collection::vec("[a-z]{1,6}", 0..3),
        raw_account in any::<[u8; 32]>(),
        raw_user in any::<[u8; 32]>(),
        now in 1_600_000_000i64..1_700_000_000,
    ) {
        let account = KeyPair::from_raw_seed(KeyType::Account, &raw_account).unwrap();
        let user = KeyPair::from_raw_seed(KeyType::User, &raw_user).unwrap();
        let mut claims = UserClaims::new(user.public_key());
        claims.name = name;
        claims.expires = exp.unwrap_or(0);
        claims.nats.limits.permissions.publish.allow = allow;
        claims.nats.limits.permissions.subscribe.deny = deny;
        claims.nats.limits.subs = subs;
        claims.nats.limits.bearer_token = bearer;
        claims.nats.generic.tags = tags;
        let token = claims.encode(&account, now).unwrap();
        let AnyClaims::User(decoded) = jwt::decode(&token).unwrap() else {
            return Err(TestCaseError::fail("not a user JWT"));
        };
        prop_assert_eq!(&decoded, &claims);
        // read unverified (a store's own files), the claims are the same; a broken signature
        // stops decode but not the unverified read, which is why only stored tokens take it
        prop_assert_eq!(jwt::decode_unverified(&token).unwrap(), AnyClaims::User(decoded.clone()));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
        prop_assert!(jwt::decode(&tampered).is_err());
        prop_assert!(jwt::decode_unverified(&tampered).is_ok());
        // a peek reads the fields a store serves by, the same as the full decode
        let peek = jwt::peek(&token).unwrap();
        prop_assert_eq!(
            (peek.id.as_str(), peek.subject.as_str(), peek.issued_at, peek.expires, peek.claim_type.as_str()),
            (decoded.id.as_str(), decoded.subject.as_str(), decoded.issued_at, decoded.expires, "user")
        );
        // re-encoding the decoded claims with the same key and time gives the same bytes
        let mut again = decoded.clone();
        prop_assert_eq!(again.encode(&account, now).unwrap(), token.clone());
        // and the chain holds under the issuing account
        let account_claims = AccountClaims::new(account.public_key());
        let verdict = chain::check(&token, chain::Trust { operator: None, account: Some(&account_claims) }, now);
        prop_assert!(verdict.is_ok(), "{:?}", verdict.reason);
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = jwt::decode(&text);
        let _ = jwt::decode_unverified(&text);
        let _ = jwt::peek(&text);
        let _ = creds::parse_decorated_seed(&text);
        let _ = creds::parse_decorated_jwt(&text);
        let _ = nkeys::decode_seed(&text);
        let _ = nkeys::decode_public_key(&text);
    }

    #[test]
    fn decoding_arbitrary_segments_never_panics(
        header in prop::sample::select(vec![
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ".to_string(),
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5In0".to_string(),
        ]),
        payload in prop::collection::vec(any::<u8>(), 0..200),
        json in "\\{(\"[a-z_]{1,8}\":(-?[0-9]{1,5}|\"[A-Z0-9 ]{0,10}\"|\\[\\]|\\{\\}|null|true),?){0,6}\\}",
        sig in prop::collection::vec(any::<u8>(), 0..70),
    ) {
        let b64 = jwt::segment::encode;
        let _ = jwt::decode(&format!("{header}.{}.{}", b64(&payload), b64(&sig)));
        let _ = jwt::decode(&format!("{header}.{}.{}", b64(json.as_bytes()), b64(&sig)));
        let _ = jwt::parse_claims(json.as_bytes());
    }
}
