//! The domain's tests against PostgreSQL, one module per area, in one test binary
//! (one link instead of thirteen). Each `#[sqlx::test]` still gets its own database.

mod clients;
mod grants;
mod guests;
mod register;
mod resources;
mod store;
mod system_register;
mod system_user_requests;
mod system_users;
mod tokens;
mod units;
mod user_roles;
