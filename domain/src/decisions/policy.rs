//! A resource's policy in typed form: rules granting or denying actions to
//! subjects, combined by one of XACML's rule-combining algorithms.

use serde::{Deserialize, Serialize};

/// Subject attribute ids, as Altinn's XACML policies use them.
pub mod attr {
    pub const ACCESS_PACKAGE: &str = "urn:altinn:accesspackage";
    pub const ROLE_CODE: &str = "urn:altinn:rolecode";
    pub const ORG_NUMBER: &str = "urn:altinn:organization:identifier-no";
    pub const PERSON_ID: &str = "urn:altinn:person:identifier-no";
    pub const PARTY_UUID: &str = "urn:altinn:party:uuid";
    pub const SYSTEM_USER: &str = "urn:altinn:systemuser:uuid";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Permit,
    Deny,
}

/// XACML 3.0 rule-combining algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combining {
    DenyOverrides,
    PermitOverrides,
    FirstApplicable,
    DenyUnlessPermit,
    PermitUnlessDeny,
}

impl Combining {
    pub const URN_PREFIX: &'static str = "urn:oasis:names:tc:xacml:3.0:rule-combining-algorithm:";

    pub fn from_urn(urn: &str) -> Option<Self> {
        let name = urn.rsplit(':').next()?;
        Some(match name {
            "deny-overrides" | "ordered-deny-overrides" => Self::DenyOverrides,
            "permit-overrides" | "ordered-permit-overrides" => Self::PermitOverrides,
            "first-applicable" => Self::FirstApplicable,
            "deny-unless-permit" => Self::DenyUnlessPermit,
            "permit-unless-deny" => Self::PermitUnlessDeny,
            _ => return None,
        })
    }

    pub fn urn(self) -> String {
        let name = match self {
            Self::DenyOverrides => "deny-overrides",
            Self::PermitOverrides => "permit-overrides",
            Self::FirstApplicable => "first-applicable",
            Self::DenyUnlessPermit => "deny-unless-permit",
            Self::PermitUnlessDeny => "permit-unless-deny",
        };
        format!("{}{name}", Self::URN_PREFIX)
    }
}

/// One `Match`: the subject must have `attribute` = `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub attribute: String,
    pub value: String,
    #[serde(default)]
    pub ignore_case: bool,
}

impl Match {
    pub fn matches(&self, attribute: &str, value: &str) -> bool {
        self.attribute == attribute && if self.ignore_case { self.value.eq_ignore_ascii_case(value) } else { self.value == value }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub effect: Effect,
    /// Any of these alternatives; each alternative needs all its matches.
    /// Empty means any subject.
    pub subjects: Vec<Vec<Match>>,
    /// Actions the rule covers; empty means every action.
    pub actions: Vec<String>,
    #[serde(default)]
    pub description: String,
}

impl Policy {
    /// A policy of `rules` combined deny-overrides (a Deny wins), with no
    /// obligations; the resource is named when the policy is saved.
    pub fn deny_overrides(rules: Vec<Rule>) -> Self {
        Self { resource: String::new(), combining: Combining::DenyOverrides, rules, obligations: vec![] }
    }
}

impl Rule {
    /// A rule `id` that permits `actions` to holders of the access package
    /// `package` (matched as Altinn does, ignoring case): the commonest rule
    /// of a resource's policy.
    pub fn permit_package(id: &str, package: &str, actions: &[&str]) -> Self {
        Self {
            id: id.into(),
            effect: Effect::Permit,
            subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: package.into(), ignore_case: true }]],
            actions: actions.iter().map(|a| a.to_string()).collect(),
            description: String::new(),
        }
    }
}

/// An obligation attached to a Permit, e.g. a minimum authentication level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub id: String,
    pub attribute_id: String,
    pub category: String,
    pub data_type: String,
    pub value: String,
}

impl Obligation {
    /// Altinn's "minimum authentication level" obligation.
    pub fn minimum_authentication_level(level: u8) -> Self {
        Self {
            id: "urn:altinn:obligation:authenticationLevel1".into(),
            attribute_id: "urn:altinn:obligation-assignment:1".into(),
            category: "urn:altinn:minimum-authenticationlevel".into(),
            data_type: "http://www.w3.org/2001/XMLSchema#integer".into(),
            value: level.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub resource: String,
    pub combining: Combining,
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub obligations: Vec<Obligation>,
}

/// What a rule evaluated to, and through which match if it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleHit<'p> {
    pub rule: &'p Rule,
    /// The (attribute, value) pairs that satisfied the rule's subject target.
    pub matched: Vec<(&'p str, &'p str)>,
}

impl Policy {
    /// Evaluates the policy for `action` and a subject that has exactly the
    /// attributes `has(attribute, value)` says. Returns the combined effect (or
    /// `None` for NotApplicable) and the rule that decided it.
    pub fn evaluate<'p>(&'p self, action: &str, has: &dyn Fn(&Match) -> bool) -> Option<(Effect, RuleHit<'p>)> {
        let applicable = self.rules.iter().filter_map(|rule| {
            if !rule.actions.is_empty() && !rule.actions.iter().any(|a| a == action) {
                return None;
            }
            if rule.subjects.is_empty() {
                return Some((rule.effect, RuleHit { rule, matched: Vec::new() }));
            }
            rule.subjects
                .iter()
                .find(|all| all.iter().all(has))
                .map(|all| (rule.effect, RuleHit { rule, matched: all.iter().map(|m| (m.attribute.as_str(), m.value.as_str())).collect() }))
        });
        match self.combining {
            Combining::FirstApplicable => applicable.into_iter().next(),
            Combining::DenyOverrides | Combining::DenyUnlessPermit => {
                let mut permit = None;
                for (effect, hit) in applicable {
                    match effect {
                        Effect::Deny => return Some((Effect::Deny, hit)),
                        Effect::Permit => permit = permit.or(Some(hit)),
                    }
                }
                match (permit, self.combining) {
                    (Some(hit), _) => Some((Effect::Permit, hit)),
                    (None, Combining::DenyUnlessPermit) => Some((Effect::Deny, RuleHit { rule: &DEFAULT_DENY, matched: Vec::new() })),
                    (None, _) => None,
                }
            }
            Combining::PermitOverrides | Combining::PermitUnlessDeny => {
                let mut deny = None;
                for (effect, hit) in applicable {
                    match effect {
                        Effect::Permit => return Some((Effect::Permit, hit)),
                        Effect::Deny => deny = deny.or(Some(hit)),
                    }
                }
                match (deny, self.combining) {
                    (Some(hit), _) => Some((Effect::Deny, hit)),
                    (None, Combining::PermitUnlessDeny) => Some((Effect::Permit, RuleHit { rule: &DEFAULT_PERMIT, matched: Vec::new() })),
                    (None, _) => None,
                }
            }
        }
    }
}

static DEFAULT_DENY: Rule = Rule { id: String::new(), effect: Effect::Deny, subjects: Vec::new(), actions: Vec::new(), description: String::new() };
static DEFAULT_PERMIT: Rule = Rule { id: String::new(), effect: Effect::Permit, subjects: Vec::new(), actions: Vec::new(), description: String::new() };

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, effect: Effect, package: &str, actions: &[&str]) -> Rule {
        Rule {
            id: id.into(),
            effect,
            subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: package.into(), ignore_case: true }]],
            actions: actions.iter().map(|a| a.to_string()).collect(),
            description: String::new(),
        }
    }

    fn policy(combining: Combining, rules: Vec<Rule>) -> Policy {
        Policy { resource: "r".into(), combining, rules, obligations: vec![] }
    }

    fn holds<'a>(packages: &'a [&'a str]) -> impl Fn(&Match) -> bool + 'a {
        move |m: &Match| packages.iter().any(|p| m.matches(attr::ACCESS_PACKAGE, p))
    }

    #[test]
    fn a_rule_applies_only_to_its_actions_and_subjects() {
        let p = policy(Combining::DenyOverrides, vec![rule("r1", Effect::Permit, "merverdiavgift", &["read", "write"])]);
        assert_eq!(p.evaluate("read", &holds(&["MERVERDIAVGIFT"])).map(|(e, h)| (e, h.rule.id.clone())), Some((Effect::Permit, "r1".into())));
        assert!(p.evaluate("sign", &holds(&["merverdiavgift"])).is_none());
        assert!(p.evaluate("read", &holds(&["skatt-naering"])).is_none());
    }

    #[test]
    fn combining_algorithms_follow_xacml() {
        let permit = rule("p", Effect::Permit, "a", &[]);
        let deny = rule("d", Effect::Deny, "a", &[]);
        let both = |c| policy(c, vec![permit.clone(), deny.clone()]);
        assert_eq!(both(Combining::DenyOverrides).evaluate("x", &holds(&["a"])).unwrap().0, Effect::Deny);
        assert_eq!(both(Combining::PermitOverrides).evaluate("x", &holds(&["a"])).unwrap().0, Effect::Permit);
        assert_eq!(both(Combining::FirstApplicable).evaluate("x", &holds(&["a"])).unwrap().0, Effect::Permit);
        assert_eq!(policy(Combining::FirstApplicable, vec![deny.clone(), permit.clone()]).evaluate("x", &holds(&["a"])).unwrap().0, Effect::Deny);
        // Nothing applies: NotApplicable, except for the *-unless-* algorithms.
        assert!(both(Combining::DenyOverrides).evaluate("x", &holds(&[])).is_none());
        assert_eq!(both(Combining::DenyUnlessPermit).evaluate("x", &holds(&[])).unwrap().0, Effect::Deny);
        assert_eq!(both(Combining::PermitUnlessDeny).evaluate("x", &holds(&[])).unwrap().0, Effect::Permit);
        assert_eq!(both(Combining::PermitUnlessDeny).evaluate("x", &holds(&["a"])).unwrap().0, Effect::Permit);
    }

    #[test]
    fn combining_urns_round_trip() {
        for c in [Combining::DenyOverrides, Combining::PermitOverrides, Combining::FirstApplicable, Combining::DenyUnlessPermit, Combining::PermitUnlessDeny] {
            assert_eq!(Combining::from_urn(&c.urn()), Some(c));
        }
        assert_eq!(Combining::from_urn("urn:oasis:names:tc:xacml:1.0:rule-combining-algorithm:deny-overrides"), Some(Combining::DenyOverrides));
        assert_eq!(Combining::from_urn("urn:x:only-one-applicable"), None);
    }

    #[test]
    fn all_matches_of_an_alternative_are_required() {
        let r = Rule {
            id: "r".into(),
            effect: Effect::Permit,
            subjects: vec![vec![
                Match { attribute: attr::ROLE_CODE.into(), value: "DAGL".into(), ignore_case: true },
                Match { attribute: attr::ACCESS_PACKAGE.into(), value: "a".into(), ignore_case: false },
            ]],
            actions: vec![],
            description: String::new(),
        };
        let p = policy(Combining::DenyOverrides, vec![r]);
        assert!(p.evaluate("x", &|m: &Match| m.matches(attr::ROLE_CODE, "dagl")).is_none());
        assert!(p.evaluate("x", &|m: &Match| m.matches(attr::ROLE_CODE, "dagl") || m.matches(attr::ACCESS_PACKAGE, "a")).is_some());
    }
}
