//! Direct grants: an access manager for party P gives a person, an
//! organisation or one of P's own system users an access package for P, or
//! revokes it. The rules follow Altinn's (`reference/altinn-access-pdp.md` §5.2):
//! * the granter may manage access for P (decided by [`crate::authz`]);
//! * the package is assignable and meant for P's kind of party;
//! * the granter holds the package for P with the right to pass it on (a
//!   register role whose mapping has `can_delegate`, on P or P's main unit, or a
//!   direct grant), or holds `hovedadministrator` and the package is one the
//!   main administrator may hand out (never `hovedadministrator` itself);
//! * nobody grants to themselves, and no party to itself.
//!
//! A single right (one action on one resource) is given to a person or an
//! organisation when the resource is delegable and the engine permits the
//! granter that action for P ([`give_right`]).
//!
//! It also answers, from the engine's snapshot, who holds what for a party
//! ([`who_has_access`]) and what a person holds for others
//! ([`what_i_can_do_for_others`]).

pub mod give;
pub mod give_right;
pub mod service;
pub(crate) mod store;

pub use give::{assignable_packages, give, system_users_of, Given, PackageOutcome, RecipientQuery, MAX_PACKAGES_AT_ONCE};
pub use give_right::{give_right, rights_to_give, RightGiven, RightOption};
pub use service::{grant_package_to, grant_right_to, revoke, what_i_can_do_for_others, who_has_access, AccessHolder, GrantError, HeldFor, HeldItem, Recipient};
