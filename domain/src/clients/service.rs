//! The use cases of client administration: the firm's agent system users,
//! a page of its clients for one of them, attaching and removing one client.

use super::model::{After, Agent, ClientPage, Show};
use super::{store, ClientError};
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::parties::PartyId;
use uuid::Uuid;

/// Clients on one page of the list.
pub const PAGE_SIZE: i64 = 50;

/// The firm the actor acts for, if they may do `action` on its clients; a
/// refusal is audited when `audit` names what was refused. Every use case
/// of the firm's side asks here ([`super::persons`] too).
pub(super) async fn firm(ctx: &Context, action: Action, audit: Option<(&str, &str)>) -> Result<PartyId, ClientError> {
    match ctx.authorize_for_party(action, SystemResource::ClientAdministration) {
        Ok(firm) => Ok(firm),
        Err(_) => {
            if let Some((what, target)) = audit {
                ctx.audit_refusal(what, target, &ClientError::NotClientAdministrator, serde_json::json!({})).await;
            }
            Err(ClientError::NotClientAdministrator)
        }
    }
}

/// The firm's agent system users, by name, with what each requires and how
/// many clients it has.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn agents(ctx: &Context) -> Result<Vec<Agent>, ClientError> {
    let firm = firm(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    Ok(store::agents(&mut conn, firm.0, None).await?)
}

/// One of the firm's agent system users.
pub async fn agent(ctx: &Context, id: Uuid) -> Result<Agent, ClientError> {
    let firm = firm(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    find_agent(&mut conn, firm, id).await
}

async fn find_agent(conn: &mut sqlx::PgConnection, firm: PartyId, id: Uuid) -> Result<Agent, ClientError> {
    if let Some(agent) = store::agents(conn, firm.0, Some(id)).await?.pop() {
        return Ok(agent);
    }
    let standard = sqlx::query_scalar!(r#"select exists (select 1 from system_user_in_force where id = $1 and party_id = $2) as "x!""#, id, firm.0)
        .fetch_one(conn)
        .await?;
    Err(if standard { ClientError::NotAnAgent } else { ClientError::AgentNotFound })
}

/// A page of the firm's clients for the agent system user `agent`: which
/// give every package it requires, which do not and what they lack, which
/// are attached. `search` matches a part of the name or the start of the
/// organisation number. The firm itself comes first on the first page.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn clients(ctx: &Context, agent: Uuid, show: Show, search: &str, after: Option<Uuid>) -> Result<ClientPage, ClientError> {
    let firm = firm(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    let agent = find_agent(&mut conn, firm, agent).await?;
    // A page starts after the client the page before ended with, in the
    // list's order (name, then id); one that is gone starts the list over.
    let after = match after {
        Some(id) => store::party_name(&mut conn, id).await?.map(|(name, _)| After { name, id }),
        None => None,
    };
    let after = after.as_ref();
    let required: Vec<String> = agent.requires.iter().map(|p| p.key.clone()).collect();
    let search = search.trim();
    let query = store::PageQuery { firm: firm.0, agent: agent.id, required: &required, show, search, after, limit: PAGE_SIZE + 1 };
    let mut rows = store::client_page(&mut conn, &query).await?;
    let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    });
    if after.is_none() {
        if let Some(own) = store::own_row(&mut conn, firm.0, agent.id, &required).await? {
            let matches = search.is_empty()
                || own.name.to_lowercase().contains(&search.to_lowercase())
                || own.org_number.as_deref().is_some_and(|o| o.starts_with(search));
            let shown = match show {
                Show::All => true,
                Show::Available => own.offered() && !own.attached,
                Show::Attached => own.attached,
                Show::NotAttached => !own.attached,
            };
            if matches && shown {
                rows.insert(0, own);
            }
        }
    }
    Ok(ClientPage { agent, clients: rows, next: next.flatten() })
}

/// What attaching a client did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attached {
    pub delegation: Uuid,
    pub client: Uuid,
    pub client_name: String,
}

/// Locks the agent system user `id` of the firm for a change to its clients
/// (so a deletion or another change waits), and returns the codes of the
/// packages it requires.
pub(super) async fn lock_agent(uow: &mut UnitOfWork, firm: PartyId, id: Uuid) -> Result<Vec<String>, ClientError> {
    let row = sqlx::query!(
        "select su.user_type from system_user su join system_register sr on sr.system_id = su.system_id
         where su.id = $1 and su.party_id = $2 and su.deleted_at is null and not sr.is_deleted
         for update of su",
        id,
        firm.0
    )
    .fetch_optional(uow.conn())
    .await?;
    match row {
        None => Err(ClientError::AgentNotFound),
        Some(r) if r.user_type != "agent" => Err(ClientError::NotAnAgent),
        Some(_) => Ok(store::requirements(uow.conn(), id).await?.into_iter().map(|p| p.key).collect()),
    }
}

/// Attaches `client` to the firm's agent system user `agent`: the client
/// must give the firm every package the system user requires (or be the
/// firm itself, with every package assignable in one's own organisation).
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn attach(ctx: &Context, agent: Uuid, client: Uuid) -> Result<Attached, ClientError> {
    const AUDIT: &str = "client.attach";
    let target = client.to_string();
    let firm = firm(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let mut uow = ctx.begin().await?;
    let attached = match attach_in(&mut uow, firm, agent, client).await {
        Ok(a) => a,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, &target, &e, serde_json::json!({ "system_user": agent })).await;
            return Err(e);
        }
    };
    record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    ctx.commit(uow).await?;
    Ok(attached)
}

/// Attaches one client inside `uow` and audits it (the caller records the change).
async fn attach_in(uow: &mut UnitOfWork, firm: PartyId, agent: Uuid, client: Uuid) -> Result<Attached, ClientError> {
    let required = lock_agent(uow, firm, agent).await?;
    attach_locked(uow, firm, agent, &required, client).await
}

/// Attaches one client to an agent system user that `uow` holds locked by
/// [`lock_agent`], which gave `required`; audits it. Shared by [`attach`]
/// and "add all", which locks the agent once per batch.
pub(super) async fn attach_locked(uow: &mut UnitOfWork, firm: PartyId, agent: Uuid, required: &[String], client: Uuid) -> Result<Attached, ClientError> {
    let Some((client_name, _)) = store::party_name(uow.conn(), client).await? else {
        return Err(ClientError::ClientNotFound);
    };
    let given = store::given(uow.conn(), firm.0, client, required).await?;
    let missing: Vec<String> = super::model::missing(required, &given).into_iter().map(str::to_string).collect();
    if !missing.is_empty() {
        let any_relation = client == firm.0
            || sqlx::query_scalar!(r#"select exists (select 1 from client_need where firm_id = $1 and client_id = $2) as "x!""#, firm.0, client)
                .fetch_one(uow.conn())
                .await?;
        return Err(if any_relation { ClientError::MissingPackages(missing) } else { ClientError::ClientNotFound });
    }
    let label = uow.actor().label.clone();
    let by = uow.actor().party.map(|p| p.0);
    let Some(delegation) = store::insert(uow.conn(), firm.0, client, agent, required, by, &label).await? else {
        return Err(ClientError::AlreadyAttached);
    };
    let details = serde_json::json!({ "system_user": agent, "client": client, "client_name": client_name, "packages": required, "given": given });
    uow.audit(AuditEvent::new("client.attach", delegation.to_string(), Outcome::Success, details)).await?;
    Ok(Attached { delegation, client, client_name })
}

/// Removes `client` from the firm's agent system user `agent`. Removing a
/// client that is not attached is refused, so a second removal says so.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn detach(ctx: &Context, agent: Uuid, client: Uuid) -> Result<(), ClientError> {
    const AUDIT: &str = "client.detach";
    let target = client.to_string();
    let firm = firm(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let mut uow = ctx.begin().await?;
    let ended = match lock_agent(&mut uow, firm, agent).await {
        Ok(_) => store::end_one(uow.conn(), agent, client, "removed").await?,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, &target, &e, serde_json::json!({ "system_user": agent })).await;
            return Err(e);
        }
    };
    let Some(ended) = ended else {
        drop(uow);
        ctx.audit_refusal(AUDIT, &target, &ClientError::NotAttached, serde_json::json!({ "system_user": agent })).await;
        return Err(ClientError::NotAttached);
    };
    record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    let details = serde_json::json!({ "system_user": agent, "client": client, "cause": "removed" });
    uow.audit(AuditEvent::new(AUDIT, ended.id.to_string(), Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(())
}
