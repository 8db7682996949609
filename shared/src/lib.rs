//! `nats-auth`: NATS decentralized-security primitives with the Go libraries' exact behaviour,
//! for native code and wasm32 alike. No I/O; randomness and the clock come from the caller.
//!
//! - [`nkeys`]: Ed25519 identities and their text encoding; [`xkeys`]: curve keys and `xkv1` boxes
//! - [`jwt`]: claim types, decode, encode, validate
//! - [`chain`]: may this JWT be trusted under this operator (and account)?
//! - [`creds`]: the `.creds` file format

pub mod chain;
pub mod creds;
mod error;
pub mod jwt;
pub mod nkeys;
mod timezones;
pub mod validation;
pub mod xkeys;

pub use error::{Error, Result};
