//! "Velg aktør": the parties a signed-in person may act for.

use super::store;
use super::{Party, PartyId};
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

/// Every party `person` may act for: themselves first, then organisations by name.
/// `search` filters by name or organisation number (case-insensitive substring).
pub async fn acting_parties(
    conn: &mut PgConnection,
    person: PartyId,
    search: Option<&str>,
) -> Result<Vec<ActingParty>, ActingPartyError> {
    let me = store::get(&mut *conn, person).await?.ok_or(ActingPartyError::UnknownPerson)?;
    let mut out = vec![ActingParty { party: me, reasons: vec!["SELF".into()] }];
    for (party, reasons) in store::organisations_by_register_role(&mut *conn, person).await? {
        match out.iter_mut().find(|p| p.party.id == party.id) {
            Some(existing) => {
                for r in reasons {
                    if !existing.reasons.contains(&r) {
                        existing.reasons.push(r);
                    }
                }
            }
            None => out.push(ActingParty { party, reasons }),
        }
    }
    if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        let q = q.to_lowercase();
        out.retain(|p| {
            p.party.name.to_lowercase().contains(&q) || p.party.org_number().is_some_and(|o| o.as_str().contains(&q))
        });
    }
    Ok(out)
}

/// The party `person` asked to act for, if they may.
pub async fn ensure_may_act_for(
    conn: &mut PgConnection,
    person: PartyId,
    party: PartyId,
) -> Result<ActingParty, ActingPartyError> {
    acting_parties(conn, person, None)
        .await?
        .into_iter()
        .find(|p| p.party.id == party)
        .ok_or(ActingPartyError::NotAllowed)
}

/// Use case: the signed-in `actor` chooses to act for `party`. Refusals are
/// audited too, so that probing for parties leaves a trace.
pub async fn choose_acting_party(
    pool: &sqlx::PgPool,
    clock: &dyn crate::Clock,
    actor: crate::audit::Actor,
    person: PartyId,
    party: PartyId,
) -> Result<ActingParty, ActingPartyError> {
    use crate::audit::{record, Actor, AuditEvent, Outcome};
    let mut conn = pool.acquire().await?;
    let result = ensure_may_act_for(&mut conn, person, party).await;
    drop(conn);
    let (outcome, on_behalf_of) = match &result {
        Ok(_) => (Outcome::Success, Some(party)),
        Err(ActingPartyError::NotAllowed) => (Outcome::Refused, None),
        Err(_) => return result,
    };
    let actor = Actor { on_behalf_of, ..actor };
    record(pool, actor, clock, AuditEvent::new("party.choose", party.to_string(), outcome, serde_json::json!({})))
        .await
        .map_err(|e| match e {
            crate::audit::UnitOfWorkError::Store(s) => ActingPartyError::Store(s),
            other => ActingPartyError::Store(sqlx::Error::Protocol(other.to_string())),
        })?;
    result
}
