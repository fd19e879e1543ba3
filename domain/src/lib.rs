//! Fullmakt's domain: who the parties are, which roles and access packages exist,
//! what happened (audit), and the use cases that change any of it.
//!
//! This crate knows nothing about HTTP or Leptos. Adapters in `server/` and `app/`
//! parse input into the types defined here, call a use case and map its typed error.
#![forbid(unsafe_code)]

pub mod audit;
pub mod audit_trail;
pub mod authorized_parties;
pub mod authz;
pub mod catalogue;
pub mod clock;
pub mod context;
pub mod db;
pub mod decisions;
pub mod demo;
pub mod grants;
pub mod parties;
pub mod register;
pub mod resources;
pub mod role_model;
pub mod roles;
pub mod system_users;
pub mod tokens;
pub mod user_roles;

pub use clock::{Clock, SystemClock};
pub use context::{Context, Services};
