//! Types of the role model: user roles, access rules, attestations and the
//! input shapes of the use cases. Everything here validates on construction.

use crate::parties::PartyId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A money amount in hundredths (øre), so limits compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an amount: use digits with at most two decimals, e.g. 12500 or 12500.50")]
pub struct AmountError(pub String);

impl Amount {
    /// Parses `12500`, `12500.5`, `12500,50` or `12 500` (Norwegian spacing).
    /// Negative amounts, more than two decimals and anything else are refused.
    pub fn parse(s: &str) -> Result<Self, AmountError> {
        let err = || AmountError(s.chars().take(40).collect());
        let cleaned: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}')).collect();
        let (whole, frac) = match cleaned.split_once(['.', ',']) {
            Some((w, f)) => (w, Some(f)),
            None => (cleaned.as_str(), None),
        };
        let digits = |t: &str| !t.is_empty() && t.len() <= 15 && t.bytes().all(|b| b.is_ascii_digit());
        let frac_ok = frac.is_none_or(|f| digits(f) && f.len() <= 2);
        let frac = frac.unwrap_or("");
        if !digits(whole) || !frac_ok {
            return Err(err());
        }
        let whole: i64 = whole.parse().map_err(|_| err())?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac.parse().map_err(|_| err())?,
        };
        whole.checked_mul(100).and_then(|w| w.checked_add(frac)).map(Self).ok_or_else(err)
    }

    /// `12 500,50`: the way Norwegian readers write amounts.
    pub fn display_nb(self) -> String {
        let whole = (self.0 / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push('\u{a0}');
            }
            grouped.push(c);
        }
        format!("{grouped},{:02}", self.0 % 100)
    }
}

/// When the rights of a role may be used, in Norwegian local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeWindow {
    /// The first `days` working days of each month: Monday to Friday, not
    /// counting Norway's public holidays (`holidays`).
    FirstWorkingDaysOfMonth { days: u8 },
    /// Between `from` (inclusive) and `to` (exclusive) o'clock, optionally on weekdays only.
    Hours { from: u8, to: u8, weekdays_only: bool },
}

impl TimeWindow {
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            Self::FirstWorkingDaysOfMonth { days } if *days == 0 || *days > 23 => Some("a month has between 1 and 23 working days"),
            Self::Hours { from, to, .. } if *from >= 24 || *to > 24 || from >= to => Some("hours must satisfy 0 <= from < to <= 24"),
            _ => None,
        }
    }
}

/// Access rules (adgangsregler) on a role's rights, checked at each decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRules {
    pub max_amount: Option<Amount>,
    pub time_window: Option<TimeWindow>,
}

impl AccessRules {
    pub fn is_empty(&self) -> bool {
        self.max_amount.is_none() && self.time_window.is_none()
    }
}

/// What documents an assignment (brugerrolleattest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationKind {
    /// An entry in an authoritative register.
    RegisterEntry,
    /// A person who may grant it did.
    Grant,
    PowerOfAttorney,
    Consent,
    ManagerApproval,
}

impl AttestationKind {
    pub const ALL: [Self; 5] = [Self::RegisterEntry, Self::Grant, Self::PowerOfAttorney, Self::Consent, Self::ManagerApproval];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegisterEntry => "register_entry",
            Self::Grant => "grant",
            Self::PowerOfAttorney => "power_of_attorney",
            Self::Consent => "consent",
            Self::ManagerApproval => "manager_approval",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub kind: AttestationKind,
    /// Who issued it: a register, a person's name, an authority.
    pub issuer: String,
    /// A document or case reference, when there is one.
    pub reference: String,
}

/// A new user role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleForCreate {
    pub code: String,
    /// Names in nb, nn and en.
    pub names: [String; 3],
    pub description: String,
    /// Access-package codes the role gives.
    pub packages: Vec<String>,
    /// Single rights: (resource id, action).
    pub rights: Vec<(String, String)>,
    /// Codes of roles whose rights this role inherits.
    pub inherits: Vec<String>,
    pub rules: AccessRules,
}

/// A new role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentForCreate {
    pub role_code: String,
    pub subject: PartyId,
    /// The parties the assignment is limited to; empty means the organisation
    /// it is made in.
    pub restricted_to: Vec<PartyId>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_to: Option<OffsetDateTime>,
    pub attestation: Attestation,
}

/// A role as the rules and the engine see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    pub id: Uuid,
    pub code: String,
    pub owner: Option<Uuid>,
    pub shared_with: Vec<Uuid>,
    pub inherits: Vec<Uuid>,
    pub packages: Vec<String>,
    pub rights: Vec<(String, String)>,
    pub rules: AccessRules,
}

/// A segregation-of-duties rule: no subject holds both roles for one party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SodRule {
    pub id: Uuid,
    pub role_a: Uuid,
    pub role_b: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_parse_the_ways_people_write_them() {
        assert_eq!(Amount::parse("12500"), Ok(Amount(1_250_000)));
        assert_eq!(Amount::parse("12500.5"), Ok(Amount(1_250_050)));
        assert_eq!(Amount::parse("12 500,50"), Ok(Amount(1_250_050)));
        assert_eq!(Amount::parse("0,07"), Ok(Amount(7)));
        for bad in ["", "-5", "1.234", "12a", "1e9", ".5", "5.", "9999999999999999"] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_display_in_norwegian() {
        assert_eq!(Amount(1_250_050).display_nb(), "12\u{a0}500,50");
        assert_eq!(Amount(7).display_nb(), "0,07");
        assert_eq!(Amount(100_000_000).display_nb(), "1\u{a0}000\u{a0}000,00");
    }

    #[test]
    fn time_windows_are_checked_for_sense() {
        assert!(TimeWindow::FirstWorkingDaysOfMonth { days: 5 }.problem().is_none());
        assert!(TimeWindow::FirstWorkingDaysOfMonth { days: 0 }.problem().is_some());
        assert!(TimeWindow::Hours { from: 8, to: 16, weekdays_only: true }.problem().is_none());
        assert!(TimeWindow::Hours { from: 16, to: 8, weekdays_only: false }.problem().is_some());
        assert!(TimeWindow::Hours { from: 0, to: 25, weekdays_only: false }.problem().is_some());
    }

    #[test]
    fn attestation_kinds_round_trip() {
        for k in AttestationKind::ALL {
            assert_eq!(AttestationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AttestationKind::parse("rumour"), None);
    }

    proptest! {
        #[test]
        fn any_amount_survives_display_and_parse(n in 0i64..1_000_000_000_000) {
            prop_assert_eq!(Amount::parse(&Amount(n).display_nb()), Ok(Amount(n)));
        }

        #[test]
        fn parsing_never_panics(s in ".{0,30}") {
            let _ = Amount::parse(&s);
        }
    }
}
