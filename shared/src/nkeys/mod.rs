//! NATS nkeys: Ed25519 identities (operator, account, user, server, cluster) and their text
//! encoding — base32 without padding over `prefix ‖ payload ‖ CRC-16/XMODEM (little-endian)`.
//! Curve (X25519) keys live in [`crate::xkeys`].

mod codec;
mod keypair;
mod prefix;

pub use codec::{crc16, decode, decode_public_key, decode_seed, encode, encode_seed};
pub use keypair::{verify_with_public_key, KeyPair};
pub use prefix::{KeyType, PREFIX_BYTE_PRIVATE, PREFIX_BYTE_SEED};

/// True when `key` is a well-formed public key of any type (O, A, U, N, C, X).
pub fn is_valid_public_key(key: &str) -> bool {
    decode_public_key(key).is_ok()
}

/// True when `key` is a well-formed public key of type `kind`.
pub fn is_valid_public_key_of(kind: KeyType, key: &str) -> bool {
    // The first character is the type letter; checking it first keeps the common
    // "wrong kind of key" answer cheap.
    key.as_bytes().first() == Some(&(kind.letter() as u8))
        && matches!(decode_public_key(key), Ok((k, _)) if k == kind)
}

pub fn is_valid_public_operator_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::Operator, key)
}
pub fn is_valid_public_account_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::Account, key)
}
pub fn is_valid_public_user_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::User, key)
}
pub fn is_valid_public_server_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::Server, key)
}
pub fn is_valid_public_cluster_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::Cluster, key)
}
pub fn is_valid_public_curve_key(key: &str) -> bool {
    is_valid_public_key_of(KeyType::Curve, key)
}
