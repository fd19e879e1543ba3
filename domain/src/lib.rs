//! Fullmakt's domain: who the parties are, which roles and access packages exist,
//! what happened (audit), and the use cases that change any of it.
//!
//! This crate knows nothing about HTTP or Leptos. Adapters in `server/` and `app/`
//! parse input into the types defined here, call a use case and map its typed error.
//!
//! With the `server` feature off only [`error`], [`limits`] and [`actions`] are
//! built: the browser shares the error types, the length limits of typed
//! values and the names of actions.
#![forbid(unsafe_code)]

pub mod actions;
#[cfg(feature = "server")]
pub mod audit;
#[cfg(feature = "server")]
pub mod audit_trail;
#[cfg(feature = "server")]
pub mod authorized_parties;
#[cfg(feature = "server")]
pub mod authz;
#[cfg(feature = "server")]
pub mod catalogue;
#[cfg(feature = "server")]
pub mod clients;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod context;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod decisions;
#[cfg(feature = "server")]
pub mod demo;
pub mod error;
#[cfg(feature = "server")]
pub mod grants;
#[cfg(feature = "server")]
pub mod guests;
pub mod limits;
#[cfg(feature = "server")]
pub mod notifications;
#[cfg(feature = "server")]
pub mod parties;
#[cfg(feature = "server")]
pub mod register;
#[cfg(feature = "server")]
pub mod register_roles;
#[cfg(feature = "server")]
pub mod resources;
#[cfg(feature = "server")]
pub mod role_model;
#[cfg(feature = "server")]
pub mod system_register;
#[cfg(feature = "server")]
pub mod system_user_requests;
#[cfg(feature = "server")]
pub mod system_users;
#[cfg(feature = "server")]
pub mod tokens;
#[cfg(feature = "server")]
pub mod units;
#[cfg(feature = "server")]
pub mod user_roles;

#[cfg(feature = "server")]
pub use clock::{Clock, ShiftError, ShiftedClock, SystemClock};
#[cfg(feature = "server")]
pub use context::{Context, Services, Settings};
