//! What a registered system is, as vendors write it and as everyone reads it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A text in the three languages the register requires (bokmål, nynorsk,
/// English): a system is shown to customers in the language they read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translated {
    pub nb: String,
    pub nn: String,
    pub en: String,
}

impl Translated {
    /// The languages, in the order the register lists them.
    pub const LANGUAGES: [&'static str; 3] = ["nb", "nn", "en"];

    /// The text in `language`, falling back to bokmål.
    pub fn get(&self, language: &str) -> &str {
        match language {
            "nn" if !self.nn.is_empty() => &self.nn,
            "en" if !self.en.is_empty() => &self.en,
            _ => &self.nb,
        }
    }

    pub(crate) fn each(&self) -> [(&'static str, &str); 3] {
        [("nb", &self.nb), ("nn", &self.nn), ("en", &self.en)]
    }

    pub(crate) fn trimmed(&self) -> Self {
        Self { nb: self.nb.trim().into(), nn: self.nn.trim().into(), en: self.en.trim().into() }
    }
}

/// A single right a system's users may be given: `action` on `resource`, or
/// every action the resource's policy offers when `action` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SystemRight {
    pub resource: String,
    pub action: Option<String>,
}

/// A system as its vendor registers or replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemForCreate {
    /// `<vendor's organisation number>_<name>`, for example `310000000_lonn`.
    pub id: String,
    /// The vendor's organisation number.
    pub vendor: String,
    pub name: Translated,
    pub description: Translated,
    pub rights: Vec<SystemRight>,
    /// Access packages by URN (`urn:altinn:accesspackage:…`).
    pub packages: Vec<String>,
    /// The vendor's API clients (ids at `/token`) the system authenticates as.
    pub client_ids: Vec<String>,
    /// Where the portal may send a person back to after a request.
    pub redirect_urls: Vec<String>,
    /// Whether customers can pick the system in the portal to create a
    /// system user themselves.
    pub is_visible: bool,
}

/// An access package on a system, with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemPackage {
    pub urn: String,
    pub code: String,
    pub name: Translated,
}

/// A single right on a system, with the resource's title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemRightView {
    pub resource: String,
    pub action: Option<String>,
    pub title: Translated,
}

/// A system as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredSystem {
    pub id: String,
    /// The register's own id for the system, which Altinn's vendor API
    /// answers a registration with.
    pub internal_id: uuid::Uuid,
    pub vendor: String,
    /// The vendor's name in the register of parties, when it is there.
    pub vendor_name: Option<String>,
    pub name: Translated,
    pub description: Translated,
    pub rights: Vec<SystemRightView>,
    pub packages: Vec<SystemPackage>,
    pub client_ids: Vec<String>,
    pub redirect_urls: Vec<String>,
    pub is_visible: bool,
    pub is_deleted: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What a request for a system user is checked against: the system's
/// offer and return addresses, without the texts a page shows. The vendor
/// API's busiest path (sending a request) reads only this (`store::offer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemOffer {
    pub id: String,
    pub vendor: String,
    /// The name in bokmål: a request's title when it names none.
    pub name_nb: String,
    pub rights: Vec<SystemRight>,
    /// Access packages by URN.
    pub packages: Vec<String>,
    pub redirect_urls: Vec<String>,
}

impl From<&RegisteredSystem> for SystemOffer {
    fn from(s: &RegisteredSystem) -> Self {
        Self {
            id: s.id.clone(),
            vendor: s.vendor.clone(),
            name_nb: s.name.nb.clone(),
            rights: s.rights.iter().map(|r| SystemRight { resource: r.resource.clone(), action: r.action.clone() }).collect(),
            packages: s.packages.iter().map(|p| p.urn.clone()).collect(),
            redirect_urls: s.redirect_urls.clone(),
        }
    }
}

/// What a change did, as Altinn's change log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeType {
    Create,
    Update,
    #[serde(rename = "rightsupdate")]
    RightsUpdate,
    #[serde(rename = "accesspackageupdate")]
    AccessPackageUpdate,
    Delete,
}

impl ChangeType {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::RightsUpdate => "rightsupdate",
            Self::AccessPackageUpdate => "accesspackageupdate",
            Self::Delete => "delete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Create, Self::Update, Self::RightsUpdate, Self::AccessPackageUpdate, Self::Delete].into_iter().find(|t| t.as_str() == s)
    }
}

/// One entry of a system's change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLogEntry {
    pub change_type: ChangeType,
    /// The organisation whose API client made the change, if one did.
    pub changed_by_org: Option<String>,
    /// Who made the change, as the audit trail names them.
    pub changed_by: String,
    pub client_id: Option<String>,
    /// The system as written, or the rights or packages as set.
    pub changed_data: serde_json::Value,
    pub created_at: OffsetDateTime,
}
