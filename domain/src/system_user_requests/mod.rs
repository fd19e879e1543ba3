//! System-user requests: a vendor asks a customer organisation to give its
//! system a system user with named single rights and access packages; the
//! customer's access manager approves or rejects it in the portal. As
//! Altinn's (`/authentication/api/v1/systemuser/request`); see
//! `docs/system-register.md` and the glossary's *System-user request*.

pub mod approval;
pub mod change;
mod change_store;
pub mod model;
pub mod own;
pub mod rules;
pub mod service;
mod store;

pub use approval::{NotDelegable, RequestForCustomer};
pub use model::{Page, RequestForCreate, RequestStatus, SystemUserKind, SystemUserRequest};
pub use service::RequestError;
