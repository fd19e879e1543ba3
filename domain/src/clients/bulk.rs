//! "Add all clients": attaches every client offered for an agent system user
//! when the job starts, on the server, in batches.
//!
//! The browser only starts the job and looks at its progress, so closing the
//! page stops nothing, and a person who comes back sees where it is. Each
//! batch is one transaction: its clients' delegations, their audit records,
//! and their items' states commit together or not at all, so a server that
//! stops mid-batch leaves the batch to be done again, never half-done. The
//! job row is locked (`skip locked`) while a batch runs, so of several
//! instances one works on a job at a time, and any may pick it up.
//!
//! The job acts as the person who started it, and stops if they are no
//! longer a client administrator of the firm.

use super::model::{BulkFailure, BulkJob, Show};
use super::{service, store, ClientError};
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::parties::PartyId;
use uuid::Uuid;

/// Clients attached in one transaction.
pub const BATCH: i64 = 50;

/// Starts "add all" for the firm's agent system user `agent`, or returns the
/// job already running for it. The job holds every client offered and not
/// attached now, the firm itself included when it is offered.
#[tracing::instrument(skip(ctx), fields(party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn start(ctx: &Context, agent: Uuid) -> Result<Uuid, ClientError> {
    const AUDIT: &str = "client.attach_all";
    let target = agent.to_string();
    let Ok(firm) = ctx.authorize_for_party(Action::Write, SystemResource::ClientAdministration) else {
        ctx.audit_refusal(AUDIT, &target, &ClientError::NotClientAdministrator, serde_json::json!({})).await;
        return Err(ClientError::NotClientAdministrator);
    };
    let mut uow = ctx.begin().await?;
    let required = match service::lock_agent(&mut uow, firm, agent).await {
        Ok(r) => r,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, &target, &e, serde_json::json!({})).await;
            return Err(e);
        }
    };
    if let Some(running) =
        sqlx::query_scalar!("select id from client_bulk_job where system_user_id = $1 and status = 'running'", agent).fetch_optional(uow.conn()).await?
    {
        return Ok(running);
    }
    let query = store::PageQuery { firm: firm.0, agent, required: &required, show: Show::Available, search: "", after: None, limit: i64::MAX };
    let mut clients: Vec<Uuid> = store::client_page(uow.conn(), &query).await?.into_iter().map(|c| c.id).collect();
    if let Some(own) = store::own_row(uow.conn(), firm.0, agent, &required).await? {
        if own.offered() && !own.attached {
            clients.insert(0, own.id);
        }
    }
    let id = Uuid::now_v7();
    let actor = uow.actor().clone();
    sqlx::query!(
        "insert into client_bulk_job (id, system_user_id, firm_id, started_by, started_by_label, status) values ($1, $2, $3, $4, $5, 'running')",
        id,
        agent,
        firm.0,
        actor.party.map(|p| p.0),
        actor.label
    )
    .execute(uow.conn())
    .await?;
    let positions: Vec<i32> = (0..clients.len() as i32).collect();
    sqlx::query!(
        "insert into client_bulk_job_item (job_id, client_id, position) select $1, c, p from unnest($2::uuid[], $3::int[]) as x(c, p)",
        id,
        &clients,
        &positions
    )
    .execute(uow.conn())
    .await?;
    uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "system_user": agent, "clients": clients.len() }))).await?;
    uow.commit().await?;
    Ok(id)
}

/// The job `id` of the firm the actor acts for.
pub async fn progress(ctx: &Context, id: Uuid) -> Result<BulkJob, ClientError> {
    let firm = ctx.authorize_for_party(Action::Read, SystemResource::ClientAdministration).map_err(|_| ClientError::NotClientAdministrator)?;
    let mut conn = ctx.db().acquire().await?;
    read(&mut conn, id, Some(firm)).await?.ok_or(ClientError::JobNotFound)
}

/// The newest job of the agent system user `agent`, if any.
pub async fn latest(ctx: &Context, agent: Uuid) -> Result<Option<BulkJob>, ClientError> {
    let firm = ctx.authorize_for_party(Action::Read, SystemResource::ClientAdministration).map_err(|_| ClientError::NotClientAdministrator)?;
    let mut conn = ctx.db().acquire().await?;
    let id = sqlx::query_scalar!("select id from client_bulk_job where system_user_id = $1 and firm_id = $2 order by created_at desc limit 1", agent, firm.0)
        .fetch_optional(&mut *conn)
        .await?;
    match id {
        Some(id) => Ok(read(&mut conn, id, Some(firm)).await?),
        None => Ok(None),
    }
}

async fn read(conn: &mut sqlx::PgConnection, id: Uuid, firm: Option<PartyId>) -> Result<Option<BulkJob>, sqlx::Error> {
    let Some(job) = sqlx::query!(
        r#"select j.system_user_id, j.status,
                  (select count(*) from client_bulk_job_item i where i.job_id = j.id) as "total!",
                  (select count(*) from client_bulk_job_item i where i.job_id = j.id and i.state = 'attached') as "attached!"
           from client_bulk_job j where j.id = $1 and ($2::uuid is null or j.firm_id = $2)"#,
        id,
        firm.map(|f| f.0)
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let failed = sqlx::query!(
        r#"select i.client_id, p.name, p.org_number, i.reason as "reason!" from client_bulk_job_item i join party p on p.id = i.client_id
           where i.job_id = $1 and i.state = 'failed' order by i.position"#,
        id
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| BulkFailure { client: r.client_id, name: r.name, org_number: r.org_number, reason: r.reason })
    .collect();
    Ok(Some(BulkJob { id, system_user_id: job.system_user_id, running: job.status == "running", total: job.total, attached: job.attached, failed }))
}

/// Works one batch of the oldest running job no other instance is working
/// on. `ctx` is the installation's (the job acts as its starter). Returns
/// the job's state after the batch, or `None` when no job waits.
pub async fn work(ctx: &Context) -> Result<Option<BulkJob>, ClientError> {
    let mut tx = ctx.db().begin().await?;
    let Some(job) = sqlx::query!(
        "select id, system_user_id, firm_id, started_by, started_by_label from client_bulk_job
         where status = 'running' order by created_at limit 1 for update skip locked"
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let firm = PartyId(job.firm_id);
    let actor = Actor { party: job.started_by.map(PartyId), label: job.started_by_label.clone(), on_behalf_of: Some(firm), request_id: None };
    let may = match job.started_by {
        Some(person) => crate::authz::permits(&ctx.snapshot(), PartyId(person), Action::Write, SystemResource::ClientAdministration, firm),
        None => true,
    };
    let mut uow = UnitOfWork::from_transaction(tx, actor, ctx.clock());
    let items =
        sqlx::query_scalar!("select client_id from client_bulk_job_item where job_id = $1 and state = 'waiting' order by position limit $2", job.id, BATCH)
            .fetch_all(uow.conn())
            .await?;
    // The agent is locked, and what it requires read, once for the batch;
    // when that is refused, every item of the batch fails with the reason.
    let required = if may { service::lock_agent(&mut uow, firm, job.system_user_id).await } else { Err(ClientError::NotClientAdministrator) };
    let required = match required {
        Ok(required) => Ok(required),
        Err(ClientError::Store(e)) => return Err(ClientError::Store(e)),
        Err(e) => Err(crate::error::Failure::from(e).refusal_code()),
    };
    let mut attached = 0;
    for client in &items {
        let outcome = match &required {
            Ok(required) => match service::attach_locked(&mut uow, firm, job.system_user_id, required, *client).await {
                Ok(_) => Ok(()),
                Err(ClientError::Store(e)) => return Err(ClientError::Store(e)),
                Err(e) => Err(crate::error::Failure::from(e).refusal_code()),
            },
            Err(reason) => Err(reason.clone()),
        };
        let (state, reason) = match outcome {
            Ok(()) => {
                attached += 1;
                ("attached", None)
            }
            Err(reason) => ("failed", Some(reason)),
        };
        sqlx::query!("update client_bulk_job_item set state = $3, reason = $4 where job_id = $1 and client_id = $2", job.id, client, state, reason)
            .execute(uow.conn())
            .await?;
    }
    if attached > 0 {
        record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    }
    let finished = (items.len() as i64) < BATCH || required.is_err();
    if finished {
        let left = sqlx::query_scalar!(r#"select count(*) as "n!" from client_bulk_job_item where job_id = $1 and state = 'waiting'"#, job.id)
            .fetch_one(uow.conn())
            .await?;
        let status = if required.is_ok() && left == 0 { "done" } else { "stopped" };
        sqlx::query!("update client_bulk_job set status = $2, finished_at = now() where id = $1", job.id, status).execute(uow.conn()).await?;
        uow.audit(AuditEvent::new("client.attach_all_finished", job.id.to_string(), Outcome::Success, serde_json::json!({ "status": status }))).await?;
    }
    if attached == 0 && !finished {
        // Every client of the batch failed: nothing else to audit, but the
        // items' states must still be kept.
        uow.audit(AuditEvent::new("client.attach_all_batch", job.id.to_string(), Outcome::Refused, serde_json::json!({ "failed": items.len() }))).await?;
    }
    ctx.commit(uow).await?;
    let mut conn = ctx.db().acquire().await?;
    Ok(read(&mut conn, job.id, None).await?)
}
