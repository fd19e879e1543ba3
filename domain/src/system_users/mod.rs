//! A party's system users as its access managers see them: the list, one
//! system user in detail (what it holds, and its use day by day), deleting
//! one, and making one of a visible system oneself (`create_own`); and the
//! vendor's reads of the system users of its systems (`vendor`).
//!
//! Use is read from the token service's record of issued tokens
//! (`token_issued`), never from the tokens themselves. A system user is made
//! by approving a request (`system_user_requests::approval`); deleting it
//! ends every grant it holds and withdraws that request, so the vendor may
//! ask again.

mod delete;
mod detail;
mod overview;
pub mod vendor;

pub use delete::delete;
pub use detail::{detail, usage_by_day, DayCount, HeldPackage, HeldRight, SystemUserDetail};
pub use overview::{overview, SystemUserOverview};

use time::Duration;

/// The window the token count and the chart cover: long enough to see a
/// monthly job, short enough that counting stays an index range scan.
pub const USAGE_WINDOW: Duration = Duration::days(30);

#[derive(Debug, thiserror::Error)]
pub enum SystemUserError {
    #[error("you may not see or change this party's system users")]
    NotAccessManager,
    /// No such system user in force, or not the party's.
    #[error("no such system user")]
    NotFound,
    /// No such system, or not the caller's.
    #[error("no such system")]
    SystemNotFound,
    /// A vendor lookup left out a parameter it needs.
    #[error("{0} is required")]
    Missing(&'static str),
    #[error(transparent)]
    Store(#[from] crate::audit::UnitOfWorkError),
}

impl From<sqlx::Error> for SystemUserError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<SystemUserError> for crate::error::Failure {
    fn from(e: SystemUserError) -> Self {
        use crate::error::{Failure, Refusal};
        match e {
            SystemUserError::NotAccessManager => Failure::NotAllowed,
            SystemUserError::NotFound => Failure::Refused(Refusal::SystemUserNotFound),
            SystemUserError::SystemNotFound => Failure::Refused(Refusal::SystemNotFound),
            SystemUserError::Missing(field) => Failure::invalid(field, "required"),
            SystemUserError::Store(e) => e.into(),
        }
    }
}
