//! The access-package catalogue: areas, packages, roles and which role gives which
//! package. Read from files in Altinn's format (see `source`) or from the small
//! built-in catalogue, and stored in PostgreSQL.

pub mod model;
pub mod source;
pub mod store;

pub use model::{Area, Catalogue, EntityType, Package, Role, RolePackage};
pub use source::{builtin, from_altinn_dir, CatalogueError};
