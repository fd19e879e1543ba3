//! Persons as agents: a client administrator gives one of the firm's own
//! people (one who holds a role or access for the firm) packages a client
//! gives the firm, so that the
//! person can act for that client through those packages — Altinn's client
//! delegation to a person.
//!
//! The rules are those of agent system users: the client must be the
//! firm's (by a register role or a grant), every package passed on must be
//! delegable to agents and given by the client, and the delegation lasts
//! only while the client gives *every* package it passes on — the cascades
//! of [`super::cascade`] end it, with the cause, in the same transaction as
//! the register import or the revocation. Unlike an agent system user, a
//! person's set of packages is chosen per client: giving a person more
//! packages of the same client adds them to the delegation in force.
//!
//! Departure from Altinn, on purpose: Altinn's cascade removes only the
//! package the client stopped giving; here the whole delegation to the
//! person ends, as for a system user. One rule for every agent is easier to
//! explain to the client's access managers, and the firm's administrator is
//! told (audit trail) which package went and can give the rest again.

use super::model::PackageName;
use super::service::firm;
use super::{store, ClientError};
use crate::audit::AuditEvent;
use crate::audit::Outcome;
use crate::authz::Action;
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::parties::service::PersonQuery;
use crate::parties::{OrgNumber, PartyId};
use crate::system_register::Translated;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

/// Most packages given to one person for one client in one request.
pub const MAX_PACKAGES_AT_ONCE: usize = 50;

/// A client, as the person form shows it: name, organisation number, and
/// the packages the firm may pass on to a person for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassableClient {
    pub id: Uuid,
    pub name: String,
    pub org_number: Option<String>,
    /// Delegable packages the client gives the firm, by name.
    pub packages: Vec<PackageName>,
}

/// A client delegation to a person, in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDelegation {
    pub id: Uuid,
    pub person: Uuid,
    pub person_name: String,
    pub client: Uuid,
    pub client_name: String,
    pub client_org_number: Option<String>,
    pub packages: Vec<PackageName>,
}

/// Most client delegations to persons in one list; a firm with more
/// chooses a client to see its own.
pub const LIST_LIMIT: usize = 200;

/// A list of client delegations to persons, and whether there are more than it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDelegations {
    pub delegations: Vec<PersonDelegation>,
    pub more: bool,
}

/// The firm's client delegations to persons in force, by person and client,
/// at most [`LIST_LIMIT`]: all of them, or the client's with organisation
/// number `client` (as typed; a number that names no client lists nothing).
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn person_delegations(ctx: &Context, client: Option<&str>) -> Result<PersonDelegations, ClientError> {
    let firm = firm(ctx, Action::Read, None).await?;
    // As the client lookup reads it (spaces and all); a number that does
    // not parse is compared as typed, and matches no client.
    let client = client.map(str::trim).filter(|c| !c.is_empty()).map(|c| OrgNumber::parse_typed(c).map(|o| o.to_string()).unwrap_or_else(|_| c.to_string()));
    let mut conn = ctx.db().acquire().await?;
    let rows = sqlx::query!(
        r#"select d.id, d.agent_person_id as "person!", pp.name as person_name, d.client_id, c.name as client_name, c.org_number,
                  coalesce(array_agg(p.code order by p.name_nb) filter (where p.code is not null), '{}') as "codes!",
                  coalesce(array_agg(p.name_nb order by p.name_nb) filter (where p.code is not null), '{}') as "nb!",
                  coalesce(array_agg(p.name_nn order by p.name_nb) filter (where p.code is not null), '{}') as "nn!",
                  coalesce(array_agg(p.name_en order by p.name_nb) filter (where p.code is not null), '{}') as "en!"
           from client_delegation d
           join party pp on pp.id = d.agent_person_id
           join party c on c.id = d.client_id
           left join client_delegation_package dp on dp.delegation_id = d.id
           left join access_package p on p.code = dp.package_code
           where d.firm_id = $1 and d.agent_person_id is not null and d.ended_at is null
             and ($2::text is null or c.org_number = $2)
           group by d.id, pp.name, c.name, c.org_number
           order by pp.name, c.name, d.id
           limit $3"#,
        firm.0,
        client,
        LIST_LIMIT as i64 + 1
    )
    .fetch_all(&mut *conn)
    .await?;
    let more = rows.len() > LIST_LIMIT;
    let delegations = rows
        .into_iter()
        .take(LIST_LIMIT)
        .map(|r| PersonDelegation {
            id: r.id,
            person: r.person,
            person_name: r.person_name,
            client: r.client_id,
            client_name: r.client_name,
            client_org_number: r.org_number,
            packages: names(r.codes, r.nb, r.nn, r.en),
        })
        .collect();
    Ok(PersonDelegations { delegations, more })
}

fn names(codes: Vec<String>, nb: Vec<String>, nn: Vec<String>, en: Vec<String>) -> Vec<PackageName> {
    codes.into_iter().zip(nb).zip(nn).zip(en).map(|(((code, nb), nn), en)| PackageName { code, name: Translated { nb, nn, en } }).collect()
}

/// The firm's client by organisation number, with the packages it may pass
/// on to a person. Refused when the number is malformed or names no client
/// of the firm (the firm itself included: its own people get its packages
/// by grants, not client delegation).
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn passable_client(ctx: &Context, org_number: &str) -> Result<PassableClient, ClientError> {
    let firm = firm(ctx, Action::Read, None).await?;
    let org = OrgNumber::parse_typed(org_number).map_err(|e| ClientError::Invalid("client", e.to_string()))?;
    let mut conn = ctx.db().acquire().await?;
    let client = crate::parties::store::find_by_org_number(&mut conn, &org).await?.ok_or(ClientError::ClientNotFound)?;
    passable(&mut conn, firm, client.id.0).await
}

async fn passable(conn: &mut PgConnection, firm: PartyId, client: Uuid) -> Result<PassableClient, ClientError> {
    if client == firm.0 || !store::is_client(conn, firm.0, client).await? {
        return Err(ClientError::ClientNotFound);
    }
    let Some((name, org_number)) = store::party_name(conn, client).await? else {
        return Err(ClientError::ClientNotFound);
    };
    let packages = sqlx::query!(
        "select distinct p.code, p.name_nb, p.name_nn, p.name_en from client_need cn join access_package p on p.code = cn.need
         where cn.firm_id = $1 and cn.client_id = $2 and p.delegable
         order by p.name_nb",
        firm.0,
        client
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| PackageName { code: r.code, name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en } })
    .collect();
    Ok(PassableClient { id: client, name, org_number, packages })
}

/// What [`give_to_person`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenToPerson {
    pub delegation: Uuid,
    pub person_name: String,
    pub client_name: String,
    /// The packages added now (those the person had for the client already are left out).
    pub added: Vec<String>,
}

/// Gives the person `national_id` + `surname` the packages `packages` (codes)
/// of the firm's client `client` (organisation number). Every package must
/// be delegable and given by the client; nothing is given unless all are.
#[tracing::instrument(skip(ctx, national_id, surname), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn give_to_person(ctx: &Context, client: &str, national_id: &str, surname: &str, packages: &[String]) -> Result<GivenToPerson, ClientError> {
    const AUDIT: &str = "client.person_give";
    let firm = firm(ctx, Action::Write, Some((AUDIT, client.trim()))).await?;
    match give_in(ctx, firm, client, national_id, surname, packages).await {
        Ok(given) => {
            ctx.engine_sees_changes().await;
            Ok(given)
        }
        Err(e) => {
            let asked: Vec<&String> = packages.iter().take(MAX_PACKAGES_AT_ONCE).collect();
            ctx.audit_refusal(AUDIT, client.trim(), &e, serde_json::json!({ "packages": asked, "asked": packages.len() })).await;
            Err(e)
        }
    }
}

async fn give_in(ctx: &Context, firm: PartyId, client: &str, national_id: &str, surname: &str, packages: &[String]) -> Result<GivenToPerson, ClientError> {
    let codes = chosen(packages)?;
    let org = OrgNumber::parse_typed(client).map_err(|e| ClientError::Invalid("client", e.to_string()))?;
    let person = PersonQuery::parse(national_id, surname).map_err(|e| match e.split_once(": ") {
        Some(("surname", why)) => ClientError::Invalid("surname", why.to_string()),
        Some((_, why)) => ClientError::Invalid("national_id", why.to_string()),
        None => ClientError::Invalid("national_id", e),
    })?;
    let mut uow = ctx.begin().await?;
    let client = crate::parties::store::find_by_org_number(uow.conn(), &org).await?.ok_or(ClientError::ClientNotFound)?;
    let person = person.find(uow.conn()).await?.ok_or(ClientError::NoSuchPerson)?;
    if !of_the_firm(&ctx.snapshot(), person.id, firm) {
        return Err(ClientError::NotOfTheFirm);
    }
    // A cascade racing this transaction may not see the new delegation;
    // the engine checks every delegation against what the firm holds when
    // it builds its snapshot, so such a delegation gives nothing (see
    // `cascade`), and the next cascade for the pair ends it.
    let offered = passable(uow.conn(), firm, client.id.0).await?;
    let not_passable: Vec<String> = codes.iter().filter(|c| !offered.packages.iter().any(|p| &p.code == *c)).cloned().collect();
    if !not_passable.is_empty() {
        return Err(ClientError::NotPassable(not_passable));
    }
    let by = uow.actor().party.map(|p| p.0);
    let label = uow.actor().label.clone();
    let (delegation, added) = store::give_person(uow.conn(), firm.0, client.id.0, person.id.0, &codes, by, &label).await?;
    if added.is_empty() {
        return Err(ClientError::AlreadyGiven);
    }
    let details = serde_json::json!({ "person": person.id.0, "client": client.id.0, "client_name": offered.name, "packages": added });
    uow.audit(AuditEvent::new("client.person_give", delegation.to_string(), Outcome::Success, details)).await?;
    record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    ctx.commit(uow).await?;
    Ok(GivenToPerson { delegation, person_name: person.name, client_name: offered.name, added })
}

/// Whether `person` is one of the firm's people: holds a register role, a
/// user role, an access package or a single right the firm (or the
/// register) gave them directly, as the engine sees it now. Altinn
/// lets a client administrator give a client's packages to any person; the
/// issue asks for the firm's employees, and this is the nearest the register
/// and the portal know of employment. (The administrator giving them holds
/// the firm's client-administrator package, so is always one of them.)
fn of_the_firm(snapshot: &crate::decisions::snapshot::Snapshot, person: PartyId, firm: PartyId) -> bool {
    use crate::decisions::snapshot::Reason;
    // Only what the firm (or the register) gave the person directly: not a
    // key role in another organisation, a main unit's, or a client delegation.
    let direct = |r: &Reason| matches!(r, Reason::RegisterRole { .. } | Reason::RolePackage { .. } | Reason::Grant { .. } | Reason::UserRole { .. });
    snapshot
        .facts(person.0, firm.0)
        .is_some_and(|f| f.roles.iter().any(|(_, r)| direct(r)) || f.packages.iter().any(|(_, r)| direct(r)) || f.rights.iter().any(|(_, _, r)| direct(r)))
}

/// The chosen codes, trimmed, each once, in order; at least one, at most
/// [`MAX_PACKAGES_AT_ONCE`].
fn chosen(packages: &[String]) -> Result<Vec<String>, ClientError> {
    let mut out: Vec<String> = Vec::new();
    for code in packages.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    match out.len() {
        0 => Err(ClientError::Invalid("packages", "choose at least one package".into())),
        n if n > MAX_PACKAGES_AT_ONCE => Err(ClientError::Invalid("packages", format!("at most {MAX_PACKAGES_AT_ONCE} packages at once"))),
        _ => Ok(out),
    }
}

/// Ends the firm's client delegation `delegation` (its id, as sent) to a
/// person. Ending one that is not in force (or another firm's, or an id
/// that is none) is refused, after the right is checked, and audited.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn take_from_person(ctx: &Context, delegation: &str) -> Result<(), ClientError> {
    const AUDIT: &str = "client.person_take";
    let target: String = delegation.trim().chars().take(64).collect();
    let firm = firm(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let Ok(delegation) = Uuid::parse_str(&target) else {
        ctx.audit_refusal(AUDIT, &target, &ClientError::PersonDelegationNotFound, serde_json::json!({})).await;
        return Err(ClientError::PersonDelegationNotFound);
    };
    let mut uow = ctx.begin().await?;
    let ended = sqlx::query!(
        "update client_delegation set ended_at = now(), ended_cause = 'removed'
         where id = $1 and firm_id = $2 and agent_person_id is not null and ended_at is null
         returning agent_person_id, client_id",
        delegation,
        firm.0
    )
    .fetch_optional(uow.conn())
    .await?;
    let Some(ended) = ended else {
        drop(uow);
        ctx.audit_refusal(AUDIT, &target, &ClientError::PersonDelegationNotFound, serde_json::json!({})).await;
        return Err(ClientError::PersonDelegationNotFound);
    };
    let details = serde_json::json!({ "person": ended.agent_person_id, "client": ended.client_id, "cause": "removed" });
    uow.audit(AuditEvent::new(AUDIT, target, Outcome::Success, details)).await?;
    record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    ctx.commit(uow).await?;
    ctx.engine_sees_changes().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_codes_are_trimmed_counted_once_and_bounded() {
        let codes = chosen(&[" a ".into(), "b".into(), "a".into(), "".into()]).unwrap();
        assert_eq!(codes, vec!["a".to_string(), "b".to_string()]);
        assert!(matches!(chosen(&[" ".into()]), Err(ClientError::Invalid("packages", _))));
        let many: Vec<String> = (0..=MAX_PACKAGES_AT_ONCE).map(|i| format!("p{i}")).collect();
        assert!(matches!(chosen(&many), Err(ClientError::Invalid("packages", _))));
        assert_eq!(chosen(&many[..MAX_PACKAGES_AT_ONCE]).unwrap().len(), MAX_PACKAGES_AT_ONCE);
    }
}
