//! One module per page.

pub mod accounts;
pub mod inspector;
pub mod keys;
pub mod operator;
pub mod users;
pub mod vault;
