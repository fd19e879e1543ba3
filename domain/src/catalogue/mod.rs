//! The access-package catalogue: areas, packages, roles and which role gives which
//! package. Read from files in Altinn's format (see `source`) or from the small
//! built-in catalogue, and stored in PostgreSQL.

pub mod model;
pub mod source;
pub mod store;

pub use model::{Area, Catalogue, EntityType, Package, Role, RolePackage};
pub use source::{builtin, from_altinn_dir, CatalogueError};
pub use store::AssignablePackage;

/// The catalogue's names (nb, nn, en) of packages, register roles, resources
/// and user roles, keyed `package:<code>`, `role:<code>`, `resource:<id>` or
/// `userrole:<code>`. The catalogue is public, as Altinn's is: anyone who may
/// see a code may see its name.
pub async fn names_of(ctx: &crate::Context, keys: &[String]) -> Result<std::collections::HashMap<String, model::Text>, sqlx::Error> {
    let mut conn = ctx.db().acquire().await?;
    store::names_of(&mut conn, keys).await
}
