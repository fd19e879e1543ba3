//! The server's tests over HTTP, one module per area, in one test binary: each binary
//! links the whole server, so one instead of twenty-two saves CI minutes of linking and
//! gigabytes of disk. They run one at a time (`--test-threads=1`, see the Makefile).

mod access;
mod api_client_page;
mod approval;
mod authorized_parties;
mod client_administration;
mod client_delegations;
mod clients;
mod common;
mod external_provider;
mod form_post;
mod guests;
mod login;
mod mail;
mod pdp;
mod resources;
mod roles;
mod security;
mod system_register;
mod system_user_requests;
mod system_users;
mod systems;
mod token;
mod token_exchange;
