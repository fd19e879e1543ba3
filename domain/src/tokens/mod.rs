//! The token service's knowledge (Maskinporten-compatible): API clients and
//! their public keys, the checks on a client's JWT-bearer assertion (RFC 7523),
//! system-user token requests (`authorization_details` of type
//! `urn:altinn:systemuser`), the replay store and the record of issued tokens.
//!
//! Signatures are not checked here: that is cryptography, done by the server's
//! `token` module, which calls [`rules`] on the verified claims. This module
//! never sees or stores an issued token, only facts about it.

pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use model::*;
pub use rules::TokenError;
