use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::CryptoRngCore;
use zeroize::Zeroize;

use super::codec::{decode_public_key, decode_seed, encode, encode_seed};
use super::prefix::{KeyType, PREFIX_BYTE_PRIVATE};
use crate::error::{Error, Result};

/// An Ed25519 nkey of one of the signing types (operator, account, user, server, cluster):
/// either a full pair made from a seed, or a public key alone that can only verify.
/// Curve keys are [`crate::xkeys::XKey`].
#[derive(Clone)]
pub struct KeyPair {
    kind: KeyType,
    verifying: VerifyingKey,
    signing: Option<SigningKey>,
}

impl std::fmt::Debug for KeyPair {
    // Never prints the seed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("kind", &self.kind)
            .field("public_key", &self.public_key())
            .field("has_seed", &self.signing.is_some())
            .finish()
    }
}

impl KeyPair {
    /// Creates a new key pair of `kind` from 32 bytes of `rng`.
    pub fn new(kind: KeyType, rng: &mut impl CryptoRngCore) -> Result<KeyPair> {
        let mut raw = [0u8; 32];
        rng.try_fill_bytes(&mut raw)
            .map_err(|e| Error::Random(e.to_string()))?;
        let pair = KeyPair::from_raw_seed(kind, &raw);
        raw.zeroize();
        pair
    }

    /// A key pair from the raw 32-byte Ed25519 seed.
    pub fn from_raw_seed(kind: KeyType, raw_seed: &[u8; 32]) -> Result<KeyPair> {
        if kind.is_curve() {
            return Err(Error::InvalidCurveKeyOperation);
        }
        let signing = SigningKey::from_bytes(raw_seed);
        Ok(KeyPair {
            kind,
            verifying: signing.verifying_key(),
            signing: Some(signing),
        })
    }

    /// A key pair from an encoded seed (`SO…`, `SA…`, `SU…`, `SN…`, `SC…`).
    pub fn from_seed(seed: &str) -> Result<KeyPair> {
        let (kind, mut raw) = decode_seed(seed.trim())?;
        let pair = KeyPair::from_raw_seed(kind, &raw);
        raw.zeroize();
        pair
    }

    /// A verify-only key from an encoded public key.
    pub fn from_public_key(public_key: &str) -> Result<KeyPair> {
        let (kind, raw) = decode_public_key(public_key)?;
        if kind.is_curve() {
            return Err(Error::InvalidCurveKeyOperation);
        }
        let verifying = VerifyingKey::from_bytes(&raw).map_err(|_| Error::InvalidPublicKey)?;
        Ok(KeyPair {
            kind,
            verifying,
            signing: None,
        })
    }

    pub fn key_type(&self) -> KeyType {
        self.kind
    }

    pub fn public_key(&self) -> String {
        encode(self.kind.prefix_byte(), self.verifying.as_bytes())
    }

    /// The encoded seed. Handle with care: this is the secret.
    pub fn seed(&self) -> Result<String> {
        let signing = self.signing.as_ref().ok_or(Error::PublicKeyOnly)?;
        Ok(encode_seed(self.kind, signing.as_bytes()))
    }

    /// The encoded 64-byte Ed25519 private key (`P…`, seed ‖ public key), as Go's `PrivateKey()`.
    pub fn private_key(&self) -> Result<String> {
        let signing = self.signing.as_ref().ok_or(Error::PublicKeyOnly)?;
        let mut keypair_bytes = signing.to_keypair_bytes();
        let text = encode(PREFIX_BYTE_PRIVATE, &keypair_bytes);
        keypair_bytes.zeroize();
        Ok(text)
    }

    pub fn has_seed(&self) -> bool {
        self.signing.is_some()
    }

    /// Signs `message` (raw 64-byte Ed25519 signature).
    pub fn sign(&self, message: &[u8]) -> Result<[u8; 64]> {
        let signing = self.signing.as_ref().ok_or(Error::CannotSign)?;
        Ok(signing.sign(message).to_bytes())
    }

    /// Verifies a raw signature over `message` with this public key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let signature = Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
        self.verifying
            .verify(message, &signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

/// Decompressing a public key costs about as much as hashing a JWT; the same few operator and
/// account keys issue most JWTs a process sees, so each thread keeps the last few.
const VERIFYING_KEY_CACHE: usize = 16;

thread_local! {
    static VERIFYING_KEYS: std::cell::RefCell<Vec<([u8; 32], VerifyingKey)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn cached_verifying_key(raw: &[u8; 32]) -> Result<VerifyingKey> {
    VERIFYING_KEYS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(i) = cache.iter().position(|(k, _)| k == raw) {
            let hit = cache.remove(i);
            let key = hit.1;
            cache.push(hit); // most recently used last
            return Ok(key);
        }
        let key = VerifyingKey::from_bytes(raw).map_err(|_| Error::InvalidPublicKey)?;
        if cache.len() == VERIFYING_KEY_CACHE {
            cache.remove(0);
        }
        cache.push((*raw, key));
        Ok(key)
    })
}

/// Verifies `signature` over `message` with an encoded public key (O, A, U, N or C).
pub fn verify_with_public_key(public_key: &str, message: &[u8], signature: &[u8]) -> Result<()> {
    let (kind, raw) = decode_public_key(public_key)?;
    if kind.is_curve() {
        return Err(Error::InvalidCurveKeyOperation);
    }
    let signature = Signature::from_slice(signature).map_err(|_| Error::InvalidSignature)?;
    cached_verifying_key(&raw)?
        .verify(message, &signature)
        .map_err(|_| Error::InvalidSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sign_then_verify_and_tamper() {
        let pair = KeyPair::from_raw_seed(KeyType::User, &[3u8; 32]).unwrap();
        let sig = pair.sign(b"nonce").unwrap();
        pair.verify(b"nonce", &sig).unwrap();
        assert_eq!(pair.verify(b"nonce!", &sig), Err(Error::InvalidSignature));
        let public = KeyPair::from_public_key(&pair.public_key()).unwrap();
        public.verify(b"nonce", &sig).unwrap();
        assert_eq!(public.sign(b"x"), Err(Error::CannotSign));
        assert_eq!(public.seed(), Err(Error::PublicKeyOnly));
    }

    #[test]
    fn seed_round_trips() {
        let pair = KeyPair::from_raw_seed(KeyType::Operator, &[5u8; 32]).unwrap();
        let again = KeyPair::from_seed(&pair.seed().unwrap()).unwrap();
        assert_eq!(again.public_key(), pair.public_key());
        assert_eq!(again.key_type(), KeyType::Operator);
        assert!(pair.private_key().unwrap().starts_with('P'));
        assert_eq!(pair.private_key().unwrap().len(), 108);
    }

    #[test]
    fn verification_by_encoded_key_uses_the_right_key() {
        let a = KeyPair::from_raw_seed(KeyType::Account, &[1u8; 32]).unwrap();
        let b = KeyPair::from_raw_seed(KeyType::Account, &[2u8; 32]).unwrap();
        let sig = a.sign(b"m").unwrap();
        for _ in 0..2 {
            // twice: the second time from the cache
            verify_with_public_key(&a.public_key(), b"m", &sig).unwrap();
            assert_eq!(
                verify_with_public_key(&b.public_key(), b"m", &sig),
                Err(Error::InvalidSignature)
            );
        }
        // more keys than the cache holds still verify correctly
        for i in 0..40u8 {
            let k = KeyPair::from_raw_seed(KeyType::User, &[i; 32]).unwrap();
            let s = k.sign(&[i]).unwrap();
            verify_with_public_key(&k.public_key(), &[i], &s).unwrap();
            assert!(verify_with_public_key(&k.public_key(), &[i, i], &s).is_err());
        }
    }

    #[test]
    fn curve_keys_cannot_sign() {
        assert_eq!(
            KeyPair::from_raw_seed(KeyType::Curve, &[1u8; 32]).unwrap_err(),
            Error::InvalidCurveKeyOperation
        );
    }
}
