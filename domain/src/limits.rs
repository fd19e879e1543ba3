//! How long a typed value may be, one number per field: the domain's rules
//! refuse anything longer, and the pages give the same number as the field's
//! `maxlength`, so the form and the rule cannot disagree. Built for the
//! browser too (no `server` feature needed).

/// A resource's id (`resource_id_format` in the table says the same).
pub const RESOURCE_ID: usize = 100;
/// A resource's title, in each language.
pub const RESOURCE_TITLE: usize = 200;
/// A resource's description.
pub const RESOURCE_DESCRIPTION: usize = 4000;
/// One value in a policy rule: an action, a role code, a party.
pub const POLICY_VALUE: usize = 200;
/// An API client's display name.
pub const API_CLIENT_NAME: usize = 200;
/// A key id (`kid`) of an API client's key.
pub const KEY_ID: usize = 200;
/// The surname that must go with a national identity number when a person is
/// named as a recipient (so numbers cannot be probed).
pub const SURNAME: usize = 100;
