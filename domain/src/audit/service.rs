//! Use case: a party's access managers read the party's audit trail.
//!
//! Who is an access manager is decided by the decision engine, on the system
//! resource `fullmakt_access_management` (action `read`), like every other
//! right in the portal.

use super::{store, AuditFilter, AuditRecord};
use crate::decisions::Snapshot;
use crate::parties::PartyId;
use sqlx::PgConnection;

#[derive(Debug, thiserror::Error)]
pub enum AuditTrailError {
    #[error("only the party's access managers may read its audit trail")]
    NotAccessManager,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Whether `person` may read the audit trail of `party`: it is the person
/// themself, or the engine permits `read` on `fullmakt_access_management`.
pub fn may_read(snapshot: &Snapshot, person: PartyId, party: PartyId) -> bool {
    person == party || crate::grants::service::may_manage(snapshot, person, party, "read")
}

/// The audit trail of `party`, for `person`, if they may read it.
pub async fn trail_for(
    conn: &mut PgConnection,
    snapshot: &Snapshot,
    person: PartyId,
    party: PartyId,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, AuditTrailError> {
    if !may_read(snapshot, person, party) {
        return Err(AuditTrailError::NotAccessManager);
    }
    Ok(store::list_for_party(conn, party, filter).await?)
}
