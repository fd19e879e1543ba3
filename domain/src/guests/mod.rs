//! Sponsors' short-term guests at an institution (scenario L1): what a
//! guest's registration must say, the username the institution's rule gives
//! them, and the lifecycle of their account. DESIGN.md §4.8 keeps identity,
//! account and assignment as three lifecycles; this module starts with the
//! pure rules the use cases will apply, so that the HR and student feeds of
//! a later issue can reuse them.
//!
//! * [`username`]: first letter of the given name plus the surname, lower
//!   case and ASCII-folded, an optional prefix, a number when taken.
//! * [`registration`]: the fields a sponsor gives, checked against the
//!   institution's maximum duration.
//! * [`lifecycle`]: the account states, which transitions are allowed, and
//!   the state people see ("expiring" is derived, never stored).
//! * `access`: an active guest holds the institution's guest role.
//! * [`schedule`]: the institution's policy for a guest type, and when the
//!   invitation, the end-of-stay notices and the deletion are due.
//! * [`sponsorship`]: who may register guests, for which units (a sponsor
//!   holds the right to assign the guest role for a unit; the help desk,
//!   for every unit).
//! * [`service`]: the sponsor's use cases (register, my guests, extend,
//!   suspend and resume, end now, reactivate, resend the invitation); [`sponsors`]: the access managers'
//!   (appoint and end sponsors); [`claim`]: the guest's (claim the account
//!   by logging in, or by the e-mail link and a one-time code); [`login`]:
//!   guests without a national identity number log in with a one-time code;
//!   [`jobs`]:
//!   the lifecycle job (invitations, end-of-stay notices, deactivation,
//!   deletion); [`policy`]: the access managers' rules for guests (the
//!   policy and the versioned terms).

mod access;
pub mod claim;
pub mod error;
pub mod jobs;
pub mod lifecycle;
pub mod login;
pub mod policy;
pub mod registration;
pub mod schedule;
pub mod service;
pub mod sponsors;
pub mod sponsorship;
pub mod username;

pub use error::GuestError;
