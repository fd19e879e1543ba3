//! Resources (services) and their policies: the service owner's side.
//!
//! `model` has the types, `rules` the pure checks, `store` the queries and
//! `service` the use cases (who may do what, audited). Policies are typed
//! ([`crate::decisions::policy::Policy`]); XACML XML is only an import and
//! export format ([`crate::decisions::xacml_xml`]). This module does not
//! decide requests: the engine reads the stored policies through the change
//! feed.

pub mod model;
pub mod rules;
pub mod service;
pub mod store;

pub use model::{Authority, FieldError, Resource, ResourceForSave, RESOURCE_TYPES, SYSTEM_PREFIX, SYSTEM_RESOURCE_TYPE};
pub use rules::problems;
pub use service::{create, delete, export_policy, get, import_policy, list, save, set_policy, update, update_keeping_policy, Ctx, ResourceError};
