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
pub use service::{
    create, delete, edit, edit_rules, export_policy, get, import_policy, list, replace, save, set_policy, update, update_keeping_policy, ResourceError,
};

/// The access packages service owners may use in policies, by area and name;
/// public, as the catalogue is.
pub async fn package_choices(ctx: &crate::Context) -> Result<Vec<store::PackageChoice>, sqlx::Error> {
    let mut conn = ctx.db().acquire().await?;
    store::package_choices(&mut conn).await
}
