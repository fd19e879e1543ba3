//! "Velg aktør": the parties a signed-in person may act for.

use super::store;
use super::{Party, PartyId};
use crate::decisions::Snapshot;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

/// A party the person may act for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingParty {
    pub party: Party,
    /// Why the person may act for the party: register role codes (e.g. `DAGL`),
    /// or `SELF` for the person themselves.
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

/// Every party `person` may act for: themselves first, then the parties the
/// decision engine's snapshot says they hold something for (register roles,
/// key roles, main units, grants), by name. `search` filters by name or
/// organisation number (case-insensitive substring).
pub async fn acting_parties(conn: &mut PgConnection, snapshot: &Snapshot, person: PartyId, search: Option<&str>) -> Result<Vec<ActingParty>, ActingPartyError> {
    // Read from the database, so that a person registered a moment ago is there.
    let me = store::get(&mut *conn, person).await?.ok_or(ActingPartyError::UnknownPerson)?;
    let mut out = vec![ActingParty { party: me, reasons: vec!["SELF".into()] }];
    let mut others: Vec<ActingParty> = snapshot
        .parties_of(person.0)
        .iter()
        .filter_map(|id| {
            let info = snapshot.party(*id)?;
            let party = party_from_snapshot(info)?;
            let facts = snapshot.facts(person.0, *id)?;
            Some(ActingParty { party, reasons: reasons(facts) })
        })
        .collect();
    others.sort_by(|a, b| a.party.name.cmp(&b.party.name));
    out.extend(others);
    if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        out.retain(|p| p.party.name.to_lowercase().contains(&q) || p.party.org_number().is_some_and(|o| o.as_str().contains(&q)));
    }
    Ok(out)
}

fn party_from_snapshot(info: &crate::decisions::snapshot::PartyInfo) -> Option<Party> {
    use super::model::PartyIdentity;
    let identity = match (&info.org_number, &info.national_id) {
        (Some(o), _) => PartyIdentity::Organisation {
            org_number: super::OrgNumber::try_from(o.as_str()).ok()?,
            org_form: super::OrgForm::try_from(info.org_form.clone().unwrap_or_default()).ok()?,
            parent: info.parent.map(PartyId),
        },
        (None, n) => PartyIdentity::Person { national_id: n.clone().and_then(|n| super::NationalId::try_from(n).ok()) },
    };
    Some(Party { id: PartyId(info.id), name: info.name.clone(), identity })
}

/// Short labels for why: role codes (own, through a key role or a main unit), or GRANT.
fn reasons(facts: &crate::decisions::Facts) -> Vec<String> {
    use crate::decisions::Reason;
    fn label(r: &Reason) -> String {
        match r {
            Reason::Own => "SELF".into(),
            Reason::RegisterRole { role } | Reason::RolePackage { role } => role.to_string(),
            Reason::Grant { .. } => "GRANT".into(),
            Reason::UserRole { role, .. } => role.to_string(),
            Reason::MainUnit { inner, .. } | Reason::KeyRole { inner, .. } => label(inner),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let all = facts.roles.iter().map(|(_, r)| r).chain(facts.packages.iter().map(|(_, r)| r)).chain(facts.rights.iter().map(|(_, _, r)| r));
    for r in all {
        let l = label(r);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The party `person` asked to act for, if they may.
pub async fn ensure_may_act_for(conn: &mut PgConnection, snapshot: &Snapshot, person: PartyId, party: PartyId) -> Result<ActingParty, ActingPartyError> {
    // The same answer as looking `party` up in `acting_parties`, without building the whole list.
    let me = store::get(&mut *conn, person).await?.ok_or(ActingPartyError::UnknownPerson)?;
    if party == person {
        return Ok(ActingParty { party: me, reasons: vec!["SELF".into()] });
    }
    let facts = snapshot.facts(person.0, party.0).ok_or(ActingPartyError::NotAllowed)?;
    let info = snapshot.party(party.0).ok_or(ActingPartyError::NotAllowed)?;
    let found = party_from_snapshot(info).ok_or(ActingPartyError::NotAllowed)?;
    Ok(ActingParty { party: found, reasons: reasons(facts) })
}

/// Use case: the signed-in `actor` chooses to act for `party`. Refusals are
/// audited too, so that probing for parties leaves a trace.
pub async fn choose_acting_party(
    pool: &sqlx::PgPool,
    snapshot: &Snapshot,
    clock: &dyn crate::Clock,
    actor: crate::audit::Actor,
    person: PartyId,
    party: PartyId,
) -> Result<ActingParty, ActingPartyError> {
    use crate::audit::{record, Actor, AuditEvent, Outcome};
    let mut conn = pool.acquire().await?;
    let result = ensure_may_act_for(&mut conn, snapshot, person, party).await;
    drop(conn);
    let (outcome, on_behalf_of) = match &result {
        Ok(_) => (Outcome::Success, Some(party)),
        Err(ActingPartyError::NotAllowed) => (Outcome::Refused, None),
        Err(_) => return result,
    };
    let actor = Actor { on_behalf_of, ..actor };
    record(pool, actor, clock, AuditEvent::new("party.choose", party.to_string(), outcome, serde_json::json!({}))).await.map_err(|e| match e {
        crate::audit::UnitOfWorkError::Store(s) => ActingPartyError::Store(s),
        other => ActingPartyError::Store(sqlx::Error::Protocol(other.to_string())),
    })?;
    result
}
