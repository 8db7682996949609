//! NATS Console web app. The Leptos app arrives with the console issue; until then this crate
//! only proves that `nats-auth` links into a wasm32 build.

pub use nats_auth;
