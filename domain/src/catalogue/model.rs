//! Catalogue types and the consistency rules between them.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Organisation,
    Person,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Person => "person",
        }
    }
}

/// Text in the three UI languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub nb: String,
    pub nn: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub urn: String,
    pub group: String,
    pub name: Text,
    pub description: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub urn: String,
    pub code: String,
    pub area_urn: String,
    pub name: Text,
    pub description: Text,
    pub delegable: bool,
    pub assignable: bool,
    pub available_for_service_owners: bool,
    pub entity_type: EntityType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub code: String,
    pub urn: String,
    pub legacy_code: Option<String>,
    pub provider: String,
    pub name: Text,
    pub description: Text,
    pub is_key_role: bool,
    pub entity_type: EntityType,
}

/// "Holding `role_code` gives `package_urn`", optionally only for one organisation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePackage {
    pub role_code: String,
    pub package_urn: String,
    pub org_form: Option<String>,
    pub has_access: bool,
    pub can_delegate: bool,
    pub can_assign: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub areas: Vec<Area>,
    pub packages: Vec<Package>,
    pub roles: Vec<Role>,
    pub role_packages: Vec<RolePackage>,
}

impl Catalogue {
    /// Every reference that does not resolve, and every duplicate key; empty when consistent.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut areas = HashSet::new();
        for a in &self.areas {
            if !areas.insert(a.urn.as_str()) {
                problems.push(format!("area {} appears twice", a.urn));
            }
        }
        let mut packages = HashSet::new();
        let mut codes = HashSet::new();
        for p in &self.packages {
            if !packages.insert(p.urn.as_str()) || !codes.insert(p.code.as_str()) {
                problems.push(format!("package {} appears twice", p.urn));
            }
            if !areas.contains(p.area_urn.as_str()) {
                problems.push(format!("package {} names unknown area {}", p.urn, p.area_urn));
            }
        }
        let mut roles = HashSet::new();
        for r in &self.roles {
            if !roles.insert(r.code.as_str()) {
                problems.push(format!("role {} appears twice", r.code));
            }
        }
        let mut pairs = HashSet::new();
        for rp in &self.role_packages {
            if !roles.contains(rp.role_code.as_str()) {
                problems.push(format!("role mapping names unknown role {}", rp.role_code));
            }
            if !packages.contains(rp.package_urn.as_str()) {
                problems.push(format!("role mapping names unknown package {}", rp.package_urn));
            }
            if !pairs.insert((rp.role_code.as_str(), rp.package_urn.as_str(), rp.org_form.as_deref())) {
                problems.push(format!("role mapping {} -> {} appears twice", rp.role_code, rp.package_urn));
            }
        }
        problems
    }
}
