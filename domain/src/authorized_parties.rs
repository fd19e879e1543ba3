//! "For whom may S act?" — the one answer, read from the engine's snapshot.
//!
//! The party chooser of the portal (a person choosing whom to act for), what a
//! person can do for others, and the authorized-parties API (a service asking
//! on a subject's behalf, Altinn's `authorizedparties`) all list the same
//! parties: the subject themself when it is a person, then every party the
//! subject holds a register role, key role, main-unit right, grant or user
//! role for, by name. Optionally only those where the subject may do an
//! action on a resource (decided by the engine, as the PDP would).

use crate::audit::{AuditEvent, Outcome as Audited};
use crate::context::Context;
use crate::decisions::snapshot::PartyInfo;
use crate::decisions::{decide, DecisionRequest, Env, Facts, Outcome, Reason, Snapshot, SubjectRef};
use crate::parties::{store, OrgNumber, Party, PartyId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One party the subject may act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedParty {
    pub party: PartyInfo,
    /// The subject itself (a person or organisation acting for itself).
    pub is_self: bool,
    /// Register roles held for the party, upper case (`DAGL`), each once.
    pub roles: Vec<String>,
    /// Access packages held for the party, by code, each once.
    pub packages: Vec<String>,
    /// Resources the subject holds single rights to for the party, each once.
    pub resources: Vec<String>,
    /// Short reasons for a chooser: role codes, user-role codes or `GRANT`
    /// (and `SELF` for the subject itself), each once.
    pub reasons: Vec<String>,
}

/// Only the parties where the subject may do `action` on `resource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceFilter<'a> {
    pub resource: &'a str,
    pub action: &'a str,
}

/// Every party `subject` may act for: a person or organisation itself first,
/// then the others by name. `subject` is a person's or organisation's party id, or a
/// system user's id.
pub fn authorized_parties(snapshot: &Snapshot, subject: SubjectRef, filter: Option<ResourceFilter<'_>>) -> Vec<AuthorizedParty> {
    let id = subject.id();
    let permitted = |party: Uuid| match filter {
        None => true,
        Some(f) => {
            let request = DecisionRequest { subject, action: f.action, resource: f.resource, party, env: Env::now() };
            decide(snapshot, &request).outcome == Outcome::Permit
        }
    };
    let own = snapshot.party(id).filter(|p| permitted(p.id)).map(|p| AuthorizedParty {
        party: p.clone(),
        is_self: true,
        roles: vec![],
        packages: vec![],
        resources: vec![],
        reasons: vec!["SELF".into()],
    });
    let mut others: Vec<AuthorizedParty> = snapshot
        .parties_of(id)
        .iter()
        .filter(|party| **party != id)
        .filter_map(|party| Some((snapshot.party(*party)?, snapshot.facts(id, *party)?)))
        .filter(|(p, facts)| !facts.is_empty() && permitted(p.id))
        .map(|(p, facts)| held(p, facts))
        .collect();
    others.sort_by(|a, b| a.party.name.cmp(&b.party.name).then(a.party.id.cmp(&b.party.id)));
    own.into_iter().chain(others).collect()
}

/// Whether `subject` may act for `party` at all (the same answer as looking
/// it up in [`authorized_parties`], without building the list).
pub fn may_act_for(snapshot: &Snapshot, subject: Uuid, party: Uuid) -> Option<AuthorizedParty> {
    let info = snapshot.party(party)?;
    if subject == party {
        return Some(AuthorizedParty { party: info.clone(), is_self: true, roles: vec![], packages: vec![], resources: vec![], reasons: vec!["SELF".into()] });
    }
    snapshot.facts(subject, party).filter(|f| !f.is_empty()).map(|facts| held(info, facts))
}

fn held(party: &PartyInfo, facts: &Facts) -> AuthorizedParty {
    fn push(list: &mut Vec<String>, item: &str) {
        if !list.iter().any(|i| i == item) {
            list.push(item.to_string());
        }
    }
    let mut out = AuthorizedParty { party: party.clone(), is_self: false, roles: vec![], packages: vec![], resources: vec![], reasons: vec![] };
    for (code, reason) in &facts.roles {
        match reason {
            Reason::UserRole { .. } => {}
            _ => push(&mut out.roles, code),
        }
    }
    for (code, _) in &facts.packages {
        push(&mut out.packages, code);
    }
    for (resource, _, _) in &facts.rights {
        push(&mut out.resources, resource);
    }
    let reasons = facts.roles.iter().map(|(_, r)| r).chain(facts.packages.iter().map(|(_, r)| r)).chain(facts.rights.iter().map(|(_, _, r)| r));
    for r in reasons {
        push(&mut out.reasons, &short_reason(r));
    }
    out
}

/// Role codes (own, through a key role or a main unit), user-role codes,
/// GRANT, or CLIENT (a client delegation from a firm).
fn short_reason(r: &Reason) -> String {
    match r {
        Reason::Own => "SELF".into(),
        Reason::RegisterRole { role } | Reason::RolePackage { role } => role.to_string(),
        Reason::Grant { .. } => "GRANT".into(),
        Reason::UserRole { role, .. } => role.to_string(),
        Reason::MainUnit { inner, .. } | Reason::KeyRole { inner, .. } => short_reason(inner),
        Reason::ClientDelegation { .. } => "CLIENT".into(),
    }
}

/// A party the signed-in person may act for, and why (for the party chooser).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingParty {
    pub party: Party,
    /// Why the person may act for the party: register role codes (e.g. `DAGL`),
    /// user-role codes, `GRANT`, or `SELF` for the person themselves.
    pub reasons: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActingPartyError {
    #[error("the signed-in person is not known to the portal")]
    UnknownPerson,
    #[error("you may not act on behalf of this party")]
    NotAllowed,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

impl From<crate::audit::UnitOfWorkError> for ActingPartyError {
    fn from(e: crate::audit::UnitOfWorkError) -> Self {
        match e {
            crate::audit::UnitOfWorkError::Store(s) => Self::Store(s),
            other => Self::Store(sqlx::Error::Protocol(other.to_string())),
        }
    }
}

impl From<ActingPartyError> for crate::error::Failure {
    fn from(e: ActingPartyError) -> Self {
        match e {
            ActingPartyError::UnknownPerson | ActingPartyError::NotAllowed => Self::NotAllowed,
            ActingPartyError::Store(e) => e.into(),
        }
    }
}

/// The person who acts, as the register has them now (a person registered at
/// their first login a moment ago is there before the engine has them).
async fn me(ctx: &Context) -> Result<Party, ActingPartyError> {
    let person = ctx.person().ok_or(ActingPartyError::UnknownPerson)?;
    let mut conn = ctx.db().acquire().await?;
    store::get(&mut conn, person).await?.ok_or(ActingPartyError::UnknownPerson)
}

fn acting(p: AuthorizedParty) -> Option<ActingParty> {
    Some(ActingParty { party: party_from_snapshot(&p.party)?, reasons: p.reasons })
}

/// A party as the register has it, from the engine's copy.
fn party_from_snapshot(info: &PartyInfo) -> Option<Party> {
    use crate::parties::{model::PartyIdentity, NationalId, OrgForm};
    let identity = match (&info.org_number, &info.national_id) {
        (Some(o), _) => PartyIdentity::Organisation {
            org_number: OrgNumber::try_from(o.as_str()).ok()?,
            org_form: OrgForm::try_from(info.org_form.clone().unwrap_or_default()).ok()?,
            parent: info.parent.map(PartyId),
        },
        (None, n) => PartyIdentity::Person { national_id: n.clone().and_then(|n| NationalId::try_from(n).ok()) },
    };
    Some(Party { id: PartyId(info.id), name: info.name.clone(), identity })
}

/// "Velg aktør": every party the signed-in person may act for, themselves
/// first, filtered by name or organisation number (`search`,
/// case-insensitive substring).
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn acting_parties(ctx: &Context, search: Option<&str>) -> Result<Vec<ActingParty>, ActingPartyError> {
    let me = me(ctx).await?;
    let snapshot = ctx.snapshot();
    let mut out = vec![ActingParty { party: me.clone(), reasons: vec!["SELF".into()] }];
    out.extend(authorized_parties(&snapshot, SubjectRef::Party(me.id.0), None).into_iter().filter(|p| !p.is_self).filter_map(acting));
    if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        out.retain(|p| p.party.name.to_lowercase().contains(&q) || p.party.org_number().is_some_and(|o| o.as_str().contains(&q)));
    }
    Ok(out)
}

/// The party the signed-in person acts for, if they still may.
pub async fn ensure_may_act_for(ctx: &Context, party: PartyId) -> Result<ActingParty, ActingPartyError> {
    let me = me(ctx).await?;
    if party == me.id {
        return Ok(ActingParty { party: me, reasons: vec!["SELF".into()] });
    }
    may_act_for(&ctx.snapshot(), me.id.0, party.0).and_then(acting).ok_or(ActingPartyError::NotAllowed)
}

/// Use case: the signed-in person chooses to act for `party`. Refusals are
/// audited too, so that probing for parties leaves a trace.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn choose_acting_party(ctx: &Context, party: PartyId) -> Result<ActingParty, ActingPartyError> {
    let result = ensure_may_act_for(ctx, party).await;
    let (outcome, audited_as) = match &result {
        Ok(_) => (Audited::Success, ctx.acting_for(party)),
        Err(ActingPartyError::NotAllowed) => (Audited::Refused, ctx.clone()),
        Err(_) => return result,
    };
    let mut uow = audited_as.begin().await?;
    uow.audit(AuditEvent::new("party.choose", party.to_string(), outcome, serde_json::json!({}))).await?;
    uow.commit().await?;
    result
}

/// As [`choose_acting_party`], for a party named by organisation number (a
/// deep link's `?party=`); an unknown or invalid number is refused alike.
pub async fn choose_acting_party_by_number(ctx: &Context, org_number: &str) -> Result<ActingParty, ActingPartyError> {
    let org = OrgNumber::parse_typed(org_number).map_err(|_| ActingPartyError::NotAllowed)?;
    let found = {
        let mut conn = ctx.db().acquire().await?;
        store::find_by_org_number(&mut conn, &org).await?
    };
    choose_acting_party(ctx, found.ok_or(ActingPartyError::NotAllowed)?.id).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::policy::{attr, Combining, Effect, Match, Policy, Rule};
    use crate::decisions::snapshot::{RolePackageRule, SnapshotBuilder};

    #[test]
    fn a_person_first_then_the_others_by_name_with_what_they_hold_and_why() {
        let mut b = SnapshotBuilder::new(1);
        let bakery = b.organisation("Bakeri Hansen AS", "310400009", "AS", None);
        let branch = b.organisation("Bakeri Hansen avd. Sentrum", "310410003", "AS", Some(bakery));
        let fish = b.organisation("Kystfisk AS", "310600008", "AS", None);
        let bjorn = b.person("Bjørn Hansen", "14928810047");
        let nobody = b.person("Gunn Gjest", "11839110083");
        b.role("daglig-leder", true);
        b.role_package("daglig-leder", RolePackageRule { package: "merverdiavgift".into(), org_form: None, has_access: true });
        b.register_role(bjorn, bakery, "DAGL", "daglig-leder");
        b.granted_package(bjorn, fish, "skatt-naering", Uuid::now_v7(), None);
        b.policy(Policy {
            resource: "mva".into(),
            combining: Combining::DenyOverrides,
            rules: vec![Rule {
                id: "r".into(),
                effect: Effect::Permit,
                subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: "merverdiavgift".into(), ignore_case: true }]],
                actions: vec!["read".into()],
                description: String::new(),
            }],
            obligations: vec![],
        });
        let s = b.build();

        let all = authorized_parties(&s, SubjectRef::Party(bjorn), None);
        let names: Vec<&str> = all.iter().map(|p| p.party.name.as_str()).collect();
        assert_eq!(names, ["Bjørn Hansen", "Bakeri Hansen AS", "Bakeri Hansen avd. Sentrum", "Kystfisk AS"]);
        assert!(all[0].is_self && all[0].reasons == ["SELF"]);
        assert_eq!((all[1].roles.as_slice(), all[1].packages.as_slice()), (&["DAGL".to_string()][..], &["merverdiavgift".to_string()][..]));
        assert_eq!(all[3].reasons, ["GRANT"]);
        assert_eq!(all[2].party.id, branch);

        let vat = authorized_parties(&s, SubjectRef::Party(bjorn), Some(ResourceFilter { resource: "mva", action: "read" }));
        let names: Vec<&str> = vat.iter().map(|p| p.party.name.as_str()).collect();
        assert_eq!(names, ["Bakeri Hansen AS", "Bakeri Hansen avd. Sentrum"], "only where the engine permits");

        assert_eq!(authorized_parties(&s, SubjectRef::Party(nobody), None).len(), 1, "only themself");
        assert!(may_act_for(&s, bjorn, fish).is_some_and(|p| p.packages == ["skatt-naering"]));
        assert!(may_act_for(&s, nobody, bakery).is_none());
        assert!(may_act_for(&s, bakery, bakery).is_some_and(|p| p.is_self), "an organisation acts for itself");
    }
}
