//! The notices' use cases for a party's access managers: read the latest
//! notices, and keep the addresses they are e-mailed to. Authorization is
//! `authz`'s (access management for the party acted for, or a person's own:
//! a sponsor's notices about their guests); changing the addresses is
//! audited, and so is every refusal of a change.

use super::model::{self, Notice};
use super::store;
use crate::audit::{AuditEvent, Outcome, UnitOfWorkError};
use crate::authz::{Action, SystemResource};
use crate::context::Context;

/// How many notices the portal shows.
pub const LATEST: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("only the party's access managers see and keep its notices")]
    NotAccessManager,
    #[error("not an e-mail address")]
    BadEmail,
    #[error("the address is not on the list")]
    UnknownAddress,
    /// Sending the outbox is the installation's job.
    #[error("only the installation sends the outbox")]
    OperatorOnly,
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for NotificationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<NotificationError> for crate::error::Failure {
    fn from(e: NotificationError) -> Self {
        use crate::error::{Failure, Refusal};
        match e {
            NotificationError::NotAccessManager | NotificationError::OperatorOnly => Failure::NotAllowed,
            NotificationError::BadEmail => Failure::invalid("email", "not an e-mail address"),
            NotificationError::UnknownAddress => Failure::Refused(Refusal::UnknownAddress),
            NotificationError::Store(e) => e.into(),
        }
    }
}

/// The latest notices of the party acted for, newest first.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn list(ctx: &Context) -> Result<Vec<Notice>, NotificationError> {
    let party = ctx.authorize_for_self_or_party(Action::Read, SystemResource::AccessManagement).map_err(|_| NotificationError::NotAccessManager)?;
    Ok(store::list(&mut *ctx.db().acquire().await?, party, LATEST).await?)
}

/// The addresses the party's notices are e-mailed to.
pub async fn addresses(ctx: &Context) -> Result<Vec<String>, NotificationError> {
    let party = ctx.authorize_for_self_or_party(Action::Read, SystemResource::AccessManagement).map_err(|_| NotificationError::NotAccessManager)?;
    Ok(store::addresses(&mut *ctx.db().acquire().await?, party).await?)
}

async fn refuse(ctx: &Context, action: &str, target: &str, e: NotificationError) -> NotificationError {
    ctx.audit_refusal(action, target, &e, serde_json::json!({})).await;
    e
}

/// Adds an address for the party's notices (adding one twice changes nothing).
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn add_address(ctx: &Context, raw: &str) -> Result<(), NotificationError> {
    const AUDIT: &str = "notification_address.add";
    let Ok(party) = ctx.authorize_for_self_or_party(Action::Write, SystemResource::AccessManagement) else {
        return Err(refuse(ctx, AUDIT, raw.trim(), NotificationError::NotAccessManager).await);
    };
    let Some(email) = model::email(raw) else {
        return Err(refuse(ctx, AUDIT, raw.trim(), NotificationError::BadEmail).await);
    };
    let mut uow = ctx.begin().await?;
    if store::add_address(uow.conn(), party, &email, &ctx.actor().label, ctx.now()).await? {
        uow.audit(AuditEvent::new(AUDIT, &email, Outcome::Success, serde_json::json!({}))).await?;
        uow.commit().await?;
    }
    Ok(())
}

/// Removes an address; notices already in the outbox for it are still sent.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn remove_address(ctx: &Context, email: &str) -> Result<(), NotificationError> {
    const AUDIT: &str = "notification_address.remove";
    let email = email.trim();
    let Ok(party) = ctx.authorize_for_self_or_party(Action::Write, SystemResource::AccessManagement) else {
        return Err(refuse(ctx, AUDIT, email, NotificationError::NotAccessManager).await);
    };
    let mut uow = ctx.begin().await?;
    if !store::remove_address(uow.conn(), party, email).await? {
        drop(uow);
        return Err(refuse(ctx, AUDIT, email, NotificationError::UnknownAddress).await);
    }
    uow.audit(AuditEvent::new(AUDIT, email, Outcome::Success, serde_json::json!({}))).await?;
    uow.commit().await?;
    Ok(())
}
