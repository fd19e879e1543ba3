//! Use case: a party's access managers read the party's audit trail.

use super::{store, AuditFilter, AuditRecord};
use crate::parties::PartyId;
use sqlx::PgConnection;

/// The access packages that make a person an access manager for a party.
pub const ACCESS_MANAGER_PACKAGES: [&str; 2] = ["urn:altinn:accesspackage:tilgangsstyrer", "urn:altinn:accesspackage:hovedadministrator"];

#[derive(Debug, thiserror::Error)]
pub enum AuditTrailError {
    #[error("only the party's access managers may read its audit trail")]
    NotAccessManager,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// Whether `person` manages access for `party`: it is the person themself, or
/// the person holds a register role for the party (or its main unit) that gives
/// an access-manager package.
///
/// Interim rule until the decision engine answers this from its snapshot.
pub async fn is_access_manager(conn: &mut PgConnection, person: PartyId, party: PartyId) -> Result<bool, sqlx::Error> {
    if person == party {
        return Ok(true);
    }
    let packages: Vec<String> = ACCESS_MANAGER_PACKAGES.iter().map(|s| s.to_string()).collect();
    let yes = sqlx::query_scalar!(
        r#"select exists(
               select 1
               from party p
               join register_role rr on rr.for_party_id in (p.id, p.parent_id) and rr.valid_to is null
               join role_package rp on rp.role_code = rr.role_code and rp.has_access
               where p.id = $2 and rr.holder_id = $1
                 and rp.package_urn = any($3)
                 and (rp.org_form is null or rp.org_form = p.org_form)
           ) as "yes!""#,
        person.0,
        party.0,
        &packages
    )
    .fetch_one(conn)
    .await?;
    Ok(yes)
}

/// The audit trail of `party`, for `person`, if they may read it.
pub async fn trail_for(
    conn: &mut PgConnection,
    person: PartyId,
    party: PartyId,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, AuditTrailError> {
    if !is_access_manager(&mut *conn, person, party).await? {
        return Err(AuditTrailError::NotAccessManager);
    }
    Ok(store::list_for_party(conn, party, filter).await?)
}
