//! The role model of the Danish common public concept model (FOBS), on top of
//! Altinn's packages: user roles that bundle packages and single rights, role
//! inheritance without cycles, access rules (segregation of duties, amount
//! limits, time windows), role assignments restricted to parties with an
//! attestation and a validity period, role sharing between classifications,
//! and rights to assign a role in another organisation.
//!
//! `rules` is pure; `service` holds the use cases, each checking authorization
//! through the decision engine and writing an audit record; the engine reads
//! assignments through `decisions::store`.

pub use crate::role_model::{holidays, model, rules};
pub mod overview;
pub mod service;
pub mod store;

pub use model::{AccessRules, Amount, AssignmentForCreate, Attestation, AttestationKind, RoleForCreate, TimeWindow};
pub use overview::{assign_role_to_person, overview, AssignmentRequest, Overview};
pub use service::{add_inheritance, add_sod_rule, assign_role, create_role, end_assignment, grant_assign_right, share_role, RoleError};
