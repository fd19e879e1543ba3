//! Pages, one module each.

pub mod access;
pub mod api_clients;
pub mod audit;
pub mod claim;
pub mod client_persons;
pub mod client_relationships;
pub mod clients;
pub mod give_right;
pub mod guest_rules;
pub mod guests;
pub mod home;
pub mod login_failed;
pub mod me;
pub mod not_found;
pub mod notices;
pub mod others;
pub mod parties;
pub mod resources;
pub mod system_user_changes;
pub mod system_user_create;
pub mod system_user_detail;
pub mod system_user_requests;
pub mod system_users;
pub mod systems;
pub mod units;
pub mod user_roles;
