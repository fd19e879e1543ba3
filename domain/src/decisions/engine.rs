//! Deciding one request from a snapshot, with an explanation.

use super::policy::{attr, Effect, Match, Obligation, Policy};
use super::snapshot::{Facts, Reason, Snapshot};
use crate::role_model::model::Amount;
use crate::role_model::rules::Blocked;
use serde::Serialize;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;
use time::OffsetDateTime;
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
    pub env: Env,
}

/// The circumstances of a request that access rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Env {
    /// When the action is to happen (time windows).
    pub at: OffsetDateTime,
    /// The amount the action concerns, if any (amount limits).
    pub amount: Option<Amount>,
}

impl Env {
    pub fn now() -> Self {
        Self { at: OffsetDateTime::now_utc(), amount: None }
    }

    pub fn at(at: OffsetDateTime) -> Self {
        Self { at, amount: None }
    }
}

/// One step of why: something the subject holds, and the chain that gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Because {
    pub attribute: String,
    pub value: String,
    pub reasons: Vec<Reason>,
}

/// A decision. Cheap to make: it borrows the policy through an `Arc` and
/// builds `because` only when an explanation was asked for.
#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: Outcome,
    policy: Option<Arc<Policy>>,
    rule_index: Option<usize>,
    /// What the subject holds that decided it, with reasons (explained decisions only).
    pub because: Vec<Because>,
    /// Why not, or what went wrong (for Deny, NotApplicable and Indeterminate).
    pub message: Option<Cow<'static, str>>,
}

impl Decision {
    fn without(outcome: Outcome, message: impl Into<Cow<'static, str>>) -> Self {
        Self { outcome, policy: None, rule_index: None, because: Vec::new(), message: Some(message.into()) }
    }

    /// The id of the rule that decided, if any.
    pub fn rule(&self) -> Option<&str> {
        let rule = self.policy.as_ref()?.rules.get(self.rule_index?)?;
        Some(rule.id.as_str()).filter(|r| !r.is_empty())
    }

    /// Obligations that come with a Permit.
    pub fn obligations(&self) -> &[Obligation] {
        match (&self.policy, self.outcome) {
            (Some(p), Outcome::Permit) => &p.obligations,
            _ => &[],
        }
    }

    /// A readable explanation, one line per step.
    pub fn explain(&self, snapshot: &Snapshot) -> String {
        let names = |id: Uuid| snapshot.name_of(id);
        let mut out = format!("{:?}", self.outcome);
        if let Some(rule) = self.rule() {
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

static EMPTY: Facts = Facts { roles: Vec::new(), packages: Vec::new(), rights: Vec::new(), conflicts: Vec::new() };

/// Decides `req` from `snapshot`, as fast as possible (no explanation).
pub fn decide(snapshot: &Snapshot, req: &DecisionRequest<'_>) -> Decision {
    decide_inner(snapshot, req, false)
}

/// Decides `req` and records what decided it and why.
pub fn decide_explained(snapshot: &Snapshot, req: &DecisionRequest<'_>) -> Decision {
    decide_inner(snapshot, req, true)
}

fn decide_inner(snapshot: &Snapshot, req: &DecisionRequest<'_>, explain: bool) -> Decision {
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
    // An access rule (amount limit, time window) that stopped a way to a
    // right; reported when nothing else permits.
    let stopped: RefCell<Option<Blocked>> = RefCell::new(None);
    let usable = |reason: &Reason| match reason.blocked(req.env.at, req.env.amount) {
        None => true,
        Some(b) => {
            stopped.borrow_mut().get_or_insert(b);
            false
        }
    };
    let has = |m: &Match| -> bool {
        match m.attribute.as_str() {
            attr::ACCESS_PACKAGE => facts.packages.iter().any(|(c, r)| m.matches(attr::ACCESS_PACKAGE, c) && usable(r)),
            attr::ROLE_CODE => facts.roles.iter().any(|(c, r)| m.matches(attr::ROLE_CODE, c) && usable(r)) || (own && m.matches(attr::ROLE_CODE, "PRIV")),
            attr::ORG_NUMBER => subject_party.and_then(|p| p.org_number.as_deref()).is_some_and(|v| m.matches(attr::ORG_NUMBER, v)),
            attr::PERSON_ID => subject_party.and_then(|p| p.national_id.as_deref()).is_some_and(|v| m.matches(attr::PERSON_ID, v)),
            attr::PARTY_UUID => subject_party.is_some_and(|p| m.matches(attr::PARTY_UUID, &p.id.to_string())),
            attr::SYSTEM_USER => matches!(req.subject, SubjectRef::SystemUser(id) if m.matches(attr::SYSTEM_USER, &id.to_string())),
            _ => false,
        }
    };
    let rule_index = |hit: &super::policy::RuleHit<'_>| policy.rules.iter().position(|r| std::ptr::eq(r, hit.rule));
    let explained = |hit: &super::policy::RuleHit<'_>| {
        if explain {
            hit.matched.iter().map(|(a, v)| because(facts, own, a, v)).collect()
        } else {
            Vec::new()
        }
    };
    match policy.evaluate(req.action, &has) {
        Some((Effect::Permit, hit)) => {
            Decision { outcome: Outcome::Permit, policy: Some(policy.clone()), rule_index: rule_index(&hit), because: explained(&hit), message: None }
        }
        Some((Effect::Deny, hit)) => Decision {
            outcome: Outcome::Deny,
            policy: Some(policy.clone()),
            rule_index: rule_index(&hit),
            because: explained(&hit),
            message: Some("a rule denies it".into()),
        },
        None => {
            // No rule of the policy applies; a single right granted for this
            // resource and action still permits (Altinn's delegation fallback).
            let mut rights = facts.rights.iter().filter(|(res, a, r)| &**res == req.resource && &**a == req.action && usable(r)).peekable();
            if rights.peek().is_none() {
                if let Some(blocked) = stopped.into_inner() {
                    return Decision::without(Outcome::Deny, blocked.to_string());
                }
                if let Some((a, b)) = facts.conflicts.first() {
                    return Decision::without(
                        Outcome::Deny,
                        format!("segregation of duties: the roles {a} and {b} may not be held together, so neither gives any right"),
                    );
                }
                if !explain {
                    return Decision::without(Outcome::NotApplicable, "no rule applies and no single right was granted");
                }
                let held: Vec<&str> = facts.packages.iter().map(|(c, _)| &**c).collect();
                Decision::without(
                    Outcome::NotApplicable,
                    if held.is_empty() {
                        format!("the subject holds nothing for this party that the policy of {} names for {}", req.resource, req.action)
                    } else {
                        format!("no rule of {} for {} names any of the subject's packages ({})", req.resource, req.action, held.join(", "))
                    },
                )
            } else {
                let because = if explain {
                    vec![Because {
                        attribute: "right".into(),
                        value: format!("{}:{}", req.resource, req.action),
                        reasons: rights.map(|(_, _, r)| r.clone()).collect(),
                    }]
                } else {
                    Vec::new()
                };
                Decision { outcome: Outcome::Permit, policy: Some(policy.clone()), rule_index: None, because, message: None }
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
