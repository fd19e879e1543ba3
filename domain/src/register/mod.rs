//! Entity-Register feed import: organisations, persons and the roles the
//! register says they hold. Idempotent and diff-based: running the same feed
//! twice changes nothing, and a role that disappears from the feed is ended,
//! with the change feed moved and the import audited, all in one transaction.
//!
//! When client delegations exist (issue: client administration), ending a REGN,
//! REVI or FFØR role must also end the delegations that depended on it; that
//! cascade belongs here, in the same transaction.

pub mod feed;
pub mod import;

pub use feed::{parse_csv, parse_json, Feed, FeedError, FeedOrganisation, FeedPerson, FeedRole};
pub use import::{import, ImportCounts, ImportError};
