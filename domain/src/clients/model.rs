//! What a client administrator sees and decides about: the firm's agent
//! system users, the firm's clients, and for each client whether it gives
//! the firm every package an agent system user requires.

use crate::system_register::Translated;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// One thing an agent system user requires of each client, as the lists,
/// the attach rule and the cascades compare it: an access package, by code,
/// or (scenario S9) a single right, keyed `right:<resource>:<action>` (a
/// resource id holds no colon; the database's views build the same keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need<'a> {
    Package(&'a str),
    Right { resource: &'a str, action: &'a str },
}

impl<'a> Need<'a> {
    /// Reads a key.
    pub fn of(key: &'a str) -> Self {
        match key.strip_prefix("right:").and_then(|rest| rest.split_once(':')) {
            Some((resource, action)) => Self::Right { resource, action },
            None => Self::Package(key),
        }
    }

    /// The key of a single right.
    pub fn right_key(resource: &str, action: &str) -> String {
        format!("right:{resource}:{action}")
    }

    /// The name people see for the need `key` named `name` (a package's
    /// name, or a right's resource title): a right's gets its action's name.
    pub fn named(key: &str, name: Translated) -> Translated {
        match Need::of(key) {
            Need::Package(_) => name,
            Need::Right { action, .. } => Translated {
                nb: crate::actions::right(&name.nb, action, "nb"),
                nn: crate::actions::right(&name.nn, action, "nn"),
                en: crate::actions::right(&name.en, action, "en"),
            },
        }
    }
}

/// How the firm holds a package for a client.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// The register says the firm has this role for the client (REGN, REVI, FFØR).
    Role { code: String },
    /// The client granted the package to the firm.
    Grant { grant: Uuid },
}

/// Something the firm holds for a client (a package, or a single right),
/// by its key (see [`Need`]), and how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Given {
    pub need: String,
    pub via: Via,
}

/// An access package by code (or a single right by its [`Need`] key), with
/// the names people see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageName {
    pub code: String,
    pub name: Translated,
}

/// One thing an agent system user requires of each client: its key (see
/// [`Need`]) and the name people see (a right's: the resource's title and
/// the action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub key: String,
    pub name: Translated,
    /// A package's description (a right's resource has none worth repeating).
    pub description: Translated,
}

/// One of the firm's agent system users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: Uuid,
    pub name: String,
    pub system_id: String,
    pub vendor_name: String,
    /// What it requires of each client (packages, and single rights), by name.
    pub requires: Vec<Requirement>,
    /// Clients attached now.
    pub clients: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

/// A client of the firm, as the list for one agent system user shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    /// The firm itself: attached when every package is assignable to it.
    pub own_organisation: bool,
    /// The required packages the client gives the firm, and how.
    pub given: Vec<Given>,
    /// The required packages the client does not give the firm; empty when
    /// the client is offered.
    pub missing: Vec<String>,
    pub attached: bool,
}

impl ClientRow {
    /// Whether the client may be attached: it gives every required package.
    pub fn offered(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The required packages `given` lacks, in the order required.
pub fn missing<'a>(required: &'a [String], given: &[Given]) -> Vec<&'a str> {
    let held: BTreeSet<&str> = given.iter().map(|g| g.need.as_str()).collect();
    required.iter().map(String::as_str).filter(|p| !held.contains(p)).collect()
}

/// Of `given`, those that are required: the client row shows no more.
pub fn relevant(required: &[String], given: Vec<Given>) -> Vec<Given> {
    let mut out: Vec<Given> = given.into_iter().filter(|g| required.contains(&g.need)).collect();
    out.sort();
    out.dedup();
    out
}

/// Which of the firm's clients a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Show {
    /// Every client of the firm, offered or not, attached or not.
    #[default]
    All,
    /// Clients that can be attached and are not yet.
    Available,
    /// Clients attached now.
    Attached,
    /// Clients not attached, offered or not ("hide attached clients").
    NotAttached,
}

/// Where a page of clients starts: after this name and id (the order of the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct After {
    pub name: String,
    pub id: Uuid,
}

/// One page of the firm's clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPage {
    pub agent: Agent,
    pub clients: Vec<ClientRow>,
    /// The last client of this page, where the next page starts, if there is one.
    pub next: Option<Uuid>,
}

/// The state of an "add all clients" job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkJob {
    pub id: Uuid,
    pub system_user_id: Uuid,
    pub running: bool,
    pub total: i64,
    pub attached: i64,
    pub failed: Vec<BulkFailure>,
}

impl BulkJob {
    /// Clients handled so far, attached or failed.
    pub fn handled(&self) -> i64 {
        self.attached + self.failed.len() as i64
    }
}

/// A client "add all" could not attach, and why (a refusal's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFailure {
    pub client: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(package: &str) -> Given {
        Given { need: package.into(), via: Via::Role { code: "REGN".into() } }
    }

    #[test]
    fn a_client_is_offered_only_when_it_gives_every_required_package() {
        let required = vec!["regnskapsforer-lonn".to_string(), "regnskapsforer-med-signeringsrettighet".to_string()];
        assert_eq!(missing(&required, &[given("regnskapsforer-lonn"), given("regnskapsforer-med-signeringsrettighet")]), Vec::<&str>::new());
        assert_eq!(missing(&required, &[given("regnskapsforer-lonn")]), vec!["regnskapsforer-med-signeringsrettighet"]);
        assert_eq!(missing(&required, &[given("merverdiavgift")]), vec!["regnskapsforer-lonn", "regnskapsforer-med-signeringsrettighet"]);
        assert_eq!(missing(&required, &[]).len(), 2);
    }

    #[test]
    fn a_row_shows_only_required_packages_once_each() {
        let required = vec!["regnskapsforer-lonn".to_string()];
        let grant = Given { need: "regnskapsforer-lonn".into(), via: Via::Grant { grant: Uuid::from_u128(7) } };
        let shown = relevant(&required, vec![given("merverdiavgift"), given("regnskapsforer-lonn"), given("regnskapsforer-lonn"), grant.clone()]);
        assert_eq!(shown, vec![given("regnskapsforer-lonn"), grant], "both ways, each once; merverdiavgift is not required");
    }

    #[test]
    fn a_key_names_a_package_or_a_single_right() {
        assert_eq!(Need::of("regnskapsforer-lonn"), Need::Package("regnskapsforer-lonn"));
        let key = Need::right_key("fjordby-rapportering", "read");
        assert_eq!(key, "right:fjordby-rapportering:read");
        assert_eq!(Need::of(&key), Need::Right { resource: "fjordby-rapportering", action: "read" });
        assert_eq!(Need::of("right:x"), Need::Package("right:x"), "no action: no right");
    }

    #[test]
    fn a_client_is_offered_only_when_it_gives_every_required_right_too() {
        let right = Need::right_key("fjordby-rapportering", "read");
        let required = vec!["regnskapsforer-lonn".to_string(), right.clone()];
        assert_eq!(missing(&required, &[given("regnskapsforer-lonn")]), vec![right.as_str()]);
        assert!(missing(&required, &[given("regnskapsforer-lonn"), given(&right)]).is_empty());
        let other_action = Need::right_key("fjordby-rapportering", "write");
        assert_eq!(missing(&required, &[given("regnskapsforer-lonn"), given(&other_action)]), vec![right.as_str()], "exactly the action");
    }

    #[test]
    fn a_job_counts_failures_as_handled() {
        let failure = BulkFailure { client: Uuid::nil(), name: "x".into(), org_number: None, reason: "r".into() };
        let job = BulkJob { id: Uuid::nil(), system_user_id: Uuid::nil(), running: true, total: 5, attached: 2, failed: vec![failure] };
        assert_eq!(job.handled(), 3);
    }
}
