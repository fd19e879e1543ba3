//! Authoritative roles: what the Entity Register (or another register) says a
//! person or organisation is for an organisation. Imported, never edited in the UI.

use crate::parties::PartyId;
use sqlx::PgConnection;

/// Records that `holder` has `role_code` for `for_party`, unless it is already on record.
pub async fn assign_register_role(conn: &mut PgConnection, role_code: &str, holder: PartyId, for_party: PartyId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"insert into register_role (id, role_code, holder_id, for_party_id)
           select $1, $2, $3, $4
           where not exists (select 1 from register_role
                             where role_code = $2 and holder_id = $3 and for_party_id = $4 and valid_to is null)"#,
        uuid::Uuid::now_v7(),
        role_code,
        holder.0,
        for_party.0,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Looks up the role code (`daglig-leder`) for a legacy code (`DAGL`), case-insensitively.
pub async fn role_code_for_legacy(conn: &mut PgConnection, legacy: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select code from role where lower(legacy_code) = lower($1) or lower(code) = lower($1) limit 1", legacy).fetch_optional(conn).await
}
