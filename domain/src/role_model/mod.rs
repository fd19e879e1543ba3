//! The role model's types and pure rules (the Danish FOBS model): user roles,
//! access rules (amount limits, time windows on Norway's working days),
//! attestations, inheritance without cycles and segregation of duties.
//!
//! No I/O and no use cases: the decision engine applies these rules and the
//! user-role use cases (`user_roles`) check them, so both depend on
//! this module and neither on the other.

pub mod holidays;
pub mod model;
pub mod rules;
