//! The party types.

use super::{NationalId, OrgNumber};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// The stable id of a party (organisation or person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type)]
#[sqlx(transparent)]
pub struct PartyId(pub Uuid);

impl PartyId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for PartyId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyKind {
    Organisation,
    Person,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Person => "person",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "organisation" => Some(Self::Organisation),
            "person" => Some(Self::Person),
            _ => None,
        }
    }
}

/// An organisation form code from the Entity Register (AS, ENK, NUF, BRL, ESEK, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgForm(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an organisation form is 2 to 6 capital letters (e.g. AS, ENK, BRL)")]
pub struct OrgFormError;

impl OrgForm {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OrgForm {
    type Error = OrgFormError;
    fn try_from(s: String) -> Result<Self, OrgFormError> {
        let s = s.trim().to_uppercase();
        let ok = (2..=6).contains(&s.chars().count()) && s.chars().all(|c| c.is_ascii_uppercase() || "ÆØÅ".contains(c));
        if ok {
            Ok(Self(s))
        } else {
            Err(OrgFormError)
        }
    }
}

impl From<OrgForm> for String {
    fn from(f: OrgForm) -> String {
        f.0
    }
}

/// A party as the rest of the portal sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: PartyId,
    pub name: String,
    pub identity: PartyIdentity,
}

/// What identifies a party in the outside world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartyIdentity {
    Organisation { org_number: OrgNumber, org_form: OrgForm, parent: Option<PartyId> },
    Person { national_id: Option<NationalId> },
}

impl Party {
    pub fn kind(&self) -> PartyKind {
        match self.identity {
            PartyIdentity::Organisation { .. } => PartyKind::Organisation,
            PartyIdentity::Person { .. } => PartyKind::Person,
        }
    }

    pub fn org_number(&self) -> Option<&OrgNumber> {
        match &self.identity {
            PartyIdentity::Organisation { org_number, .. } => Some(org_number),
            PartyIdentity::Person { .. } => None,
        }
    }
}

/// A new organisation, validated.
#[derive(Debug, Clone)]
pub struct OrganisationForCreate {
    pub org_number: OrgNumber,
    pub name: String,
    pub org_form: OrgForm,
    pub parent: Option<OrgNumber>,
}

/// A new person, validated.
#[derive(Debug, Clone)]
pub struct PersonForCreate {
    pub national_id: NationalId,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_forms_are_normalised_and_checked() {
        assert_eq!(OrgForm::try_from(" brl ".to_string()).unwrap().as_str(), "BRL");
        assert!(OrgForm::try_from("A".to_string()).is_err());
        assert!(OrgForm::try_from("A S".to_string()).is_err());
        assert!(OrgForm::try_from("TOOLONGX".to_string()).is_err());
    }
}
