//! Direct grants: an access manager for party P gives a person or organisation
//! an access package for P, or revokes it. The rules follow Altinn's
//! (`reference/altinn-access-pdp.md` §5.2):
//! * the granter may manage access for P (decided by the engine on the system
//!   resource `fullmakt_access_management`);
//! * the package is assignable and meant for P's kind of party;
//! * the granter holds the package for P with the right to pass it on (a
//!   register role whose mapping has `can_delegate`, on P or P's main unit, or a
//!   direct grant), or holds `hovedadministrator` and the package is one the
//!   main administrator may hand out (never `hovedadministrator` itself);
//! * nobody grants to themselves, and no party to itself.
//!
//! It also answers, from the engine's snapshot, who holds what for a party
//! ([`who_has_access`]) and what a person holds for others
//! ([`what_i_can_do_for_others`]).

pub mod service;

pub use service::{
    grant_package, grant_package_to, revoke, system_users_of, what_i_can_do_for_others, who_has_access, AccessHolder, GrantError, HeldFor, HeldItem, Recipient,
};
