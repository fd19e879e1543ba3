//! The decision engine: may this subject do this action on this resource on
//! behalf of this party? Answered from an in-memory [`Snapshot`] of who holds
//! what for whom, and the resources' policies; every answer can be explained.
//!
//! This module is pure: building the snapshot from PostgreSQL lives in `store`,
//! keeping it current in the server.

pub mod delta;
pub mod engine;
pub mod live;
pub mod policy;
pub mod sharded;
pub mod snapshot;
pub mod store;
pub mod xacml_json;
pub mod xacml_xml;

pub use engine::{decide, decide_explained, Decision, DecisionRequest, Env, Outcome, SubjectRef};
pub use policy::{Combining, Effect, Match, Obligation, Policy, Rule};
pub use snapshot::{Facts, Reason, Snapshot};
#[cfg(test)]
mod tests;
