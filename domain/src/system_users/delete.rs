//! Deleting a system user: its party's access manager ends it, and with it
//! every grant it holds (an agent system user: every client attached to
//! it), in one transaction. The request it was approved
//! from is withdrawn, so the vendor may ask for a new one with the same
//! reference (as Altinn), and a change waiting for it is withdrawn. The system user is kept, marked deleted, for the
//! audit trail and the token record.
//!
//! From the moment the transaction commits the token service refuses it a
//! token (it looks for system users not deleted), and this instance's engine
//! no longer knows it, so a token issued before is denied by the PDP; other
//! instances follow the change feed.

use super::SystemUserError;
use crate::audit::{AuditEvent, Outcome};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use uuid::Uuid;

/// Deletes the system user `id` of the party the actor acts for.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn delete(ctx: &Context, id: Uuid) -> Result<(), SystemUserError> {
    const AUDIT: &str = "system_user.delete";
    let target = id.to_string();
    let refuse = |e: SystemUserError| async {
        ctx.audit_refusal(AUDIT, &target, &e, serde_json::json!({})).await;
        e
    };
    let Ok(party) = ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement) else {
        return Err(refuse(SystemUserError::NotAccessManager).await);
    };
    let mut uow = ctx.begin().await?;
    let found = sqlx::query!("select system_id, user_type from system_user where id = $1 and party_id = $2 and deleted_at is null for update", id, party.0)
        .fetch_optional(uow.conn())
        .await?;
    let Some(found) = found else {
        drop(uow);
        return Err(refuse(SystemUserError::NotFound).await);
    };
    let now = ctx.now();
    // The database's clock for the grants, as `grants::revoke`: the engine's
    // readers compare validity with it.
    let grants = sqlx::query_scalar!("update access_grant set valid_to = now() where to_subject = $1 and valid_to is null returning id", id)
        .fetch_all(uow.conn())
        .await?;
    sqlx::query!("update system_user set deleted_at = $2 where id = $1", id, now).execute(uow.conn()).await?;
    sqlx::query!(
        "update system_user_request set deleted_at = $2, changed_at = $2, changed_by = $3 where id = $1 and deleted_at is null",
        id,
        now,
        ctx.actor().label
    )
    .execute(uow.conn())
    .await?;
    let changes = crate::system_user_requests::change::withdraw_for_system_user(uow.conn(), id, &ctx.actor().label, now).await?;
    // An agent system user's clients go with it.
    let clients = crate::clients::cascade::end_for_agent(&mut uow, id).await?;
    for grant in &grants {
        record_change(uow.conn(), Change::Grant(*grant)).await?;
    }
    record_change(uow.conn(), Change::Rebuild("system_user")).await?;
    let details = serde_json::json!({ "system": found.system_id, "kind": found.user_type, "grants_ended": grants.len(), "changes_withdrawn": changes, "clients_removed": clients });
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(())
}
