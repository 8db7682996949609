//! One module per page.

pub mod accounts;
pub mod audit;
pub mod health;
pub mod inspector;
pub mod jetstream;
pub mod keys;
pub mod monitoring;
pub mod nats_resolver;
pub mod nsc;
pub mod operator;
pub mod role_editor;
pub mod roles;
pub mod sharing;
pub mod sign_in;
pub mod team;
pub mod users;
pub mod vault;
pub mod widgets;

pub use widgets::{confirmed, CopyButton, KeyText, TextOrFile};
