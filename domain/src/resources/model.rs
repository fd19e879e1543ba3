//! Resources (services) as service owners describe them.

use crate::decisions::policy::Policy;
use crate::parties::PartyId;
use serde::{Deserialize, Serialize};

/// A resource to create or update, with its whole policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceForSave {
    pub id: String,
    pub title_nb: String,
    pub title_nn: String,
    pub title_en: String,
    pub description: String,
    pub resource_type: String,
    pub delegable: bool,
    pub policy: Policy,
}

/// A stored resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub id: String,
    /// The service owner's organisation number.
    pub owner_org: String,
    pub title_nb: String,
    pub title_nn: String,
    pub title_en: String,
    pub description: String,
    pub resource_type: String,
    pub delegable: bool,
    pub policy: Policy,
}

impl Resource {
    /// The fields a save takes, to change some and save again.
    pub fn for_save(&self) -> ResourceForSave {
        ResourceForSave {
            id: self.id.clone(),
            title_nb: self.title_nb.clone(),
            title_nn: self.title_nn.clone(),
            title_en: self.title_en.clone(),
            description: self.description.clone(),
            resource_type: self.resource_type.clone(),
            delegable: self.delegable,
            policy: self.policy.clone(),
        }
    }
}

/// Resource types a service owner may choose (Altinn's `resourceType`, less
/// the portal's own [`SYSTEM_RESOURCE_TYPE`]).
pub const RESOURCE_TYPES: &[&str] =
    &["GenericAccessResource", "Altinn2Service", "AltinnApp", "MaskinportenSchema", "BrokerService", "CorrespondenceService", "Consent"];

/// The type of the portal's own resources; only the system sets it.
pub const SYSTEM_RESOURCE_TYPE: &str = "SystemResource";

/// Ids with this prefix are the portal's own resources (`fullmakt_access_management` …).
pub const SYSTEM_PREFIX: &str = "fullmakt_";

/// On whose authority a change is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    /// The system itself: imports, demo data, tests. Not checked by the engine.
    System,
    /// A signed-in person; the engine must let them manage access for the owner.
    Person(PartyId),
}

/// One thing wrong with a resource, tied to the field it concerns, so a form
/// can show it next to that field. `field` is `id`, `title_nb`, `title_nn`,
/// `title_en`, `description`, `resource_type`, `combining`, `rules`, or
/// `rules[<i>]` (zero-based) for one rule.
pub use crate::error::FieldError;
