//! Use case: reading a party's audit trail. Its access managers read it
//! (`read` on access management, decided by the engine), and a person reads
//! their own ([`crate::authz::SystemResource::AuditTrail`]).
//!
//! A use case of its own, above [`crate::audit`]: the audit module is what
//! every use case writes through, so it must not depend on them.

use crate::audit::{list_for_party, AuditFilter, AuditRecord};
use crate::authz::{Action, Denied, SystemResource};
use crate::context::Context;

#[derive(Debug, thiserror::Error)]
pub enum AuditTrailError {
    #[error("only the party's access managers may read its audit trail")]
    NotAccessManager,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

impl From<AuditTrailError> for crate::error::Failure {
    fn from(e: AuditTrailError) -> Self {
        match e {
            AuditTrailError::NotAccessManager => Self::NotAllowed,
            AuditTrailError::Store(e) => e.into(),
        }
    }
}

impl From<Denied> for AuditTrailError {
    fn from(_: Denied) -> Self {
        Self::NotAccessManager
    }
}

/// The audit trail of the party the actor acts for, newest first.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn trail(ctx: &Context, filter: &AuditFilter) -> Result<Vec<AuditRecord>, AuditTrailError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AuditTrail)?;
    let mut conn = ctx.db().acquire().await?;
    Ok(list_for_party(&mut conn, party, filter).await?)
}
