//! Curve (X25519) nkeys and the `xkv1` sealed-box format of Go's `xkeys.go` and nkeys.js:
//! `"xkv1" ‖ 24-byte nonce ‖ NaCl box (16-byte Poly1305 tag ‖ XSalsa20 ciphertext)`.

use crypto_box::aead::{generic_array::GenericArray, Aead};
use crypto_box::{PublicKey, SalsaBox, SecretKey};
use rand_core::CryptoRngCore;
use zeroize::Zeroize;

use crate::error::{Error, Result};
use crate::nkeys::{
    decode_public_key, decode_seed, encode, encode_seed, KeyType, PREFIX_BYTE_PRIVATE,
};

const VERSION: &[u8; 4] = b"xkv1";
const NONCE_LEN: usize = 24;
/// Bytes `seal` adds to its input: version, nonce and tag.
pub const SEAL_OVERHEAD: usize = VERSION.len() + NONCE_LEN + 16;

/// A curve key: a public key alone (a recipient or sender), or a pair from a seed.
#[derive(Clone)]
pub struct XKey {
    public: PublicKey,
    secret: Option<SecretKey>,
}

impl std::fmt::Debug for XKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XKey")
            .field("public_key", &self.public_key())
            .field("has_seed", &self.secret.is_some())
            .finish()
    }
}

impl XKey {
    pub fn new(rng: &mut impl CryptoRngCore) -> Result<XKey> {
        let mut raw = [0u8; 32];
        rng.try_fill_bytes(&mut raw)
            .map_err(|e| Error::Random(e.to_string()))?;
        let key = XKey::from_raw_seed(&raw);
        raw.zeroize();
        Ok(key)
    }

    /// The raw 32-byte X25519 private key; clamping is left to X25519, as in Go.
    pub fn from_raw_seed(raw: &[u8; 32]) -> XKey {
        let secret = SecretKey::from(*raw);
        XKey {
            public: secret.public_key(),
            secret: Some(secret),
        }
    }

    /// A pair from an `SX…` seed.
    pub fn from_seed(seed: &str) -> Result<XKey> {
        let (kind, mut raw) = decode_seed(seed.trim())?;
        if kind != KeyType::Curve {
            raw.zeroize();
            return Err(Error::UnexpectedKeyType {
                expected: KeyType::Curve,
                got: kind,
            });
        }
        let key = XKey::from_raw_seed(&raw);
        raw.zeroize();
        Ok(key)
    }

    /// A public curve key (`X…`).
    pub fn from_public_key(public_key: &str) -> Result<XKey> {
        Ok(XKey {
            public: PublicKey::from(parse_public(public_key)?),
            secret: None,
        })
    }

    pub fn public_key(&self) -> String {
        encode(KeyType::Curve.prefix_byte(), self.public.as_bytes())
    }

    pub fn seed(&self) -> Result<String> {
        let secret = self.secret.as_ref().ok_or(Error::PublicKeyOnly)?;
        Ok(encode_seed(KeyType::Curve, &secret.to_bytes()))
    }

    /// `P…` with the raw 32-byte curve private key, as Go's `PrivateKey()` for curve keys.
    pub fn private_key(&self) -> Result<String> {
        let secret = self.secret.as_ref().ok_or(Error::PublicKeyOnly)?;
        Ok(encode(PREFIX_BYTE_PRIVATE, &secret.to_bytes()))
    }

    /// Encrypts `input` for `recipient` (an `X…` public key) with a nonce from `rng`.
    pub fn seal(
        &self,
        input: &[u8],
        recipient: &str,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.try_fill_bytes(&mut nonce)
            .map_err(|e| Error::Random(e.to_string()))?;
        self.seal_with_nonce(input, recipient, &nonce)
    }

    /// `seal` with a caller-chosen nonce. A nonce must never be reused with the same keys.
    pub fn seal_with_nonce(
        &self,
        input: &[u8],
        recipient: &str,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Vec<u8>> {
        let secret = self.secret.as_ref().ok_or(Error::CannotSign)?;
        let recipient = PublicKey::from(parse_public(recipient)?);
        let sealed = SalsaBox::new(&recipient, secret)
            .encrypt(GenericArray::from_slice(nonce), input)
            .map_err(|_| Error::InvalidEncrypted)?;
        let mut out = Vec::with_capacity(SEAL_OVERHEAD + input.len());
        out.extend_from_slice(VERSION);
        out.extend_from_slice(nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what `sender` (an `X…` public key) sealed for this key.
    pub fn open(&self, input: &[u8], sender: &str) -> Result<Vec<u8>> {
        let secret = self.secret.as_ref().ok_or(Error::CannotSign)?;
        if input.len() <= VERSION.len() + NONCE_LEN {
            return Err(Error::InvalidEncrypted);
        }
        if &input[..VERSION.len()] != VERSION {
            return Err(Error::InvalidEncVersion);
        }
        let sender = PublicKey::from(parse_public(sender)?);
        let nonce = &input[VERSION.len()..VERSION.len() + NONCE_LEN];
        SalsaBox::new(&sender, secret)
            .decrypt(
                GenericArray::from_slice(nonce),
                &input[VERSION.len() + NONCE_LEN..],
            )
            .map_err(|_| Error::CouldNotDecrypt)
    }
}

fn parse_public(public_key: &str) -> Result<[u8; 32]> {
    match decode_public_key(public_key)? {
        (KeyType::Curve, raw) => Ok(raw),
        (got, _) => Err(Error::UnexpectedKeyType {
            expected: KeyType::Curve,
            got,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let alice = XKey::from_raw_seed(&[1u8; 32]);
        let bob = XKey::from_raw_seed(&[2u8; 32]);
        let sealed = alice
            .seal_with_nonce(b"hello", &bob.public_key(), &[9u8; 24])
            .unwrap();
        assert_eq!(sealed.len(), 5 + SEAL_OVERHEAD);
        assert_eq!(&sealed[..4], b"xkv1");
        assert_eq!(bob.open(&sealed, &alice.public_key()).unwrap(), b"hello");

        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            bob.open(&tampered, &alice.public_key()),
            Err(Error::CouldNotDecrypt)
        );
        let mut wrong_version = sealed.clone();
        wrong_version[3] = b'2';
        assert_eq!(
            bob.open(&wrong_version, &alice.public_key()),
            Err(Error::InvalidEncVersion)
        );
        assert_eq!(
            bob.open(&sealed[..28], &alice.public_key()),
            Err(Error::InvalidEncrypted)
        );
    }

    #[test]
    fn seed_round_trips_and_other_kinds_are_refused() {
        let key = XKey::from_raw_seed(&[4u8; 32]);
        let seed = key.seed().unwrap();
        assert!(seed.starts_with("SX"));
        assert_eq!(
            XKey::from_seed(&seed).unwrap().public_key(),
            key.public_key()
        );
        assert!(key.public_key().starts_with('X'));
        assert_eq!(key.private_key().unwrap().len(), 56);
        let user_seed = encode_seed(KeyType::User, &[4u8; 32]);
        assert!(matches!(
            XKey::from_seed(&user_seed),
            Err(Error::UnexpectedKeyType { .. })
        ));
    }
}
