//! Parties: organisations (with org numbers and forms) and persons (with national
//! identity numbers), and the question "for whom may this person act?".

mod identifiers;
pub mod model;
pub mod service;
pub mod store;

pub use identifiers::{IdError, NationalId, OrgNumber, SyntheticIds};
pub use model::{OrgForm, Party, PartyId, PartyKind};
