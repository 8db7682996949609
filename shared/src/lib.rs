//! `nats-auth`: NATS decentralized-security primitives with the Go libraries' exact behaviour,
//! for native code and wasm32 alike. No I/O; randomness and the clock come from the caller.
//!
//! - [`nkeys`]: Ed25519 identities and their text encoding; [`xkeys`]: curve keys and `xkv1` boxes
//! - [`jwt`]: claim types, decode, encode, validate
//! - [`chain`]: may this JWT be trusted under this operator (and account)?
//! - [`creds`]: the `.creds` file format
//! - [`session`]: who may sign in to the console, and as what
//! - [`nsc`]: an nsc environment read from its files (or a zip of them)
//! - [`health`]: the health report of an operator's JWTs
//! - [`monitoring`]: nats-server's monitoring answers merged across a cluster
//! - [`jetstream`]: JetStream's names, subjects, durations and configurations as nats-server checks them

pub mod chain;
pub mod creds;
mod error;
pub mod health;
pub mod jetstream;
pub mod jwt;
pub mod monitoring;
pub mod nkeys;
pub mod nsc;
pub mod session;
pub mod text_encoding;
pub mod timezones;
pub mod validation;
pub mod xkeys;

pub use error::{Error, Result};
/// The platform's secure randomness (the OS natively, `crypto.getRandomValues` in a browser),
/// for the constructors that take an RNG.
pub use rand_core::OsRng;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Key generation takes the platform's randomness: the OS natively, the browser's
    /// `crypto.getRandomValues` on wasm32.
    #[test]
    fn keys_from_the_platform_rng_sign_and_verify() {
        use crate::nkeys::{KeyPair, KeyType};
        let mut rng = rand_core::OsRng;
        let a = KeyPair::new(KeyType::Account, &mut rng).unwrap();
        let b = KeyPair::new(KeyType::Account, &mut rng).unwrap();
        assert_ne!(a.public_key(), b.public_key());
        let sig = a.sign(b"challenge").unwrap();
        a.verify(b"challenge", &sig).unwrap();
        let x = crate::xkeys::XKey::new(&mut rng).unwrap();
        let sealed = x.seal(b"secret", &x.public_key(), &mut rng).unwrap();
        assert_eq!(x.open(&sealed, &x.public_key()).unwrap(), b"secret");
    }
}
