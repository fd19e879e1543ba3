//! The system register: the software systems vendors offer, with the rights
//! and access packages their system users may be given, the API clients
//! they authenticate as, and where a customer's browser may be sent back to.
//! See `docs/system-register.md` and the glossary's *System*.

pub mod choices;
pub mod model;
pub mod rules;
pub mod service;
pub(crate) mod store;

pub use model::{ChangeLogEntry, ChangeType, RegisteredSystem, SystemForCreate, SystemOffer, SystemPackage, SystemRight, SystemRightView, Translated};
pub use rules::Violation;
pub use service::SystemRegisterError;
