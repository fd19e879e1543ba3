//! Deciding one request from a snapshot, with an explanation.

use super::policy::{attr, Effect, Match, Obligation};
use super::snapshot::{Facts, Reason, Snapshot};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Permit,
    Deny,
    NotApplicable,
    Indeterminate,
}

/// Who asks: a party (person or organisation) or a system user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectRef {
    Party(Uuid),
    SystemUser(Uuid),
}

impl SubjectRef {
    pub fn id(self) -> Uuid {
        match self {
            Self::Party(id) | Self::SystemUser(id) => id,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DecisionRequest<'a> {
    pub subject: SubjectRef,
    pub action: &'a str,
    pub resource: &'a str,
    pub party: Uuid,
}

/// One step of why: something the subject holds, and the chain that gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Because {
    pub attribute: String,
    pub value: String,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// The rule that decided, if any.
    pub rule: Option<String>,
    pub because: Vec<Because>,
    pub obligations: Vec<Obligation>,
    /// Why not, or what went wrong (for Deny, NotApplicable and Indeterminate).
    pub message: Option<String>,
}

impl Decision {
    fn without(outcome: Outcome, message: impl Into<String>) -> Self {
        Self { outcome, rule: None, because: Vec::new(), obligations: Vec::new(), message: Some(message.into()) }
    }

    /// A readable explanation, one line per step.
    pub fn explain(&self, snapshot: &Snapshot) -> String {
        let names = |id: Uuid| snapshot.name_of(id);
        let mut out = format!("{:?}", self.outcome);
        if let Some(rule) = &self.rule {
            out.push_str(&format!(" by rule {rule}"));
        }
        for b in &self.because {
            let chains: Vec<String> = b.reasons.iter().map(|r| r.describe(&names)).collect();
            out.push_str(&format!("; {} = {} ← {}", b.attribute, b.value, chains.join(" | ")));
        }
        if let Some(m) = &self.message {
            out.push_str(&format!("; {m}"));
        }
        out
    }
}

static EMPTY: Facts = Facts { roles: Vec::new(), packages: Vec::new(), rights: Vec::new() };

/// Decides `req` from `snapshot`.
pub fn decide(snapshot: &Snapshot, req: &DecisionRequest<'_>) -> Decision {
    let Some(policy) = snapshot.policy(req.resource) else {
        return Decision::without(Outcome::Indeterminate, format!("unknown resource {}", req.resource));
    };
    if snapshot.party(req.party).is_none() {
        return Decision::without(Outcome::Indeterminate, "unknown party");
    }
    let subject_id = req.subject.id();
    let subject_party = match req.subject {
        SubjectRef::Party(id) => match snapshot.party(id) {
            Some(p) => Some(p),
            None => return Decision::without(Outcome::Indeterminate, "unknown subject"),
        },
        SubjectRef::SystemUser(id) if snapshot.is_system_user(id) => None,
        SubjectRef::SystemUser(_) => return Decision::without(Outcome::Indeterminate, "unknown system user"),
    };
    let facts = snapshot.facts(subject_id, req.party).unwrap_or(&EMPTY);
    let own = subject_id == req.party;
    let has = |m: &Match| -> bool {
        match m.attribute.as_str() {
            attr::ACCESS_PACKAGE => facts.packages.iter().any(|(c, _)| m.matches(attr::ACCESS_PACKAGE, c)),
            attr::ROLE_CODE => facts.roles.iter().any(|(c, _)| m.matches(attr::ROLE_CODE, c)) || (own && m.matches(attr::ROLE_CODE, "PRIV")),
            attr::ORG_NUMBER => subject_party.and_then(|p| p.org_number.as_deref()).is_some_and(|v| m.matches(attr::ORG_NUMBER, v)),
            attr::PERSON_ID => subject_party.and_then(|p| p.national_id.as_deref()).is_some_and(|v| m.matches(attr::PERSON_ID, v)),
            attr::PARTY_UUID => subject_party.is_some_and(|p| m.matches(attr::PARTY_UUID, &p.id.to_string())),
            attr::SYSTEM_USER => matches!(req.subject, SubjectRef::SystemUser(id) if m.matches(attr::SYSTEM_USER, &id.to_string())),
            _ => false,
        }
    };
    match policy.evaluate(req.action, &has) {
        Some((Effect::Permit, hit)) => Decision {
            outcome: Outcome::Permit,
            rule: Some(hit.rule.id.clone()).filter(|r| !r.is_empty()),
            because: hit.matched.iter().map(|(a, v)| because(facts, own, a, v)).collect(),
            obligations: policy.obligations.clone(),
            message: None,
        },
        Some((Effect::Deny, hit)) => Decision {
            outcome: Outcome::Deny,
            rule: Some(hit.rule.id.clone()).filter(|r| !r.is_empty()),
            because: hit.matched.iter().map(|(a, v)| because(facts, own, a, v)).collect(),
            obligations: Vec::new(),
            message: Some("a rule denies it".into()),
        },
        None => {
            // No rule of the policy applies; a single right granted for this
            // resource and action still permits (Altinn's delegation fallback).
            let rights: Vec<Reason> = facts
                .rights
                .iter()
                .filter(|(res, a, _)| res == req.resource && a == req.action)
                .map(|(_, _, r)| r.clone())
                .collect();
            if rights.is_empty() {
                let held: Vec<&str> = facts.packages.iter().map(|(c, _)| c.as_str()).collect();
                Decision::without(
                    Outcome::NotApplicable,
                    if held.is_empty() {
                        format!("the subject holds nothing for this party that the policy of {} names for {}", req.resource, req.action)
                    } else {
                        format!("no rule of {} for {} names any of the subject's packages ({})", req.resource, req.action, held.join(", "))
                    },
                )
            } else {
                Decision {
                    outcome: Outcome::Permit,
                    rule: None,
                    because: vec![Because { attribute: "right".into(), value: format!("{}:{}", req.resource, req.action), reasons: rights }],
                    obligations: policy.obligations.clone(),
                    message: None,
                }
            }
        }
    }
}

fn because(facts: &Facts, own: bool, attribute: &str, value: &str) -> Because {
    let m = Match { attribute: attribute.to_string(), value: value.to_string(), ignore_case: true };
    let mut reasons: Vec<Reason> = match attribute {
        attr::ACCESS_PACKAGE => facts.packages.iter().filter(|(c, _)| m.matches(attribute, c)).map(|(_, r)| r.clone()).collect(),
        attr::ROLE_CODE => facts.roles.iter().filter(|(c, _)| m.matches(attribute, c)).map(|(_, r)| r.clone()).collect(),
        _ => Vec::new(),
    };
    if reasons.is_empty() && own {
        reasons.push(Reason::Own);
    }
    Because { attribute: attribute.to_string(), value: value.to_string(), reasons }
}
