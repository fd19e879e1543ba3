//! What the grant rules ask the database.

use crate::parties::PartyId;
use sqlx::PgConnection;

/// Whether `granter` may pass the package (`urn`, `code`) on for `party`: a
/// register role whose mapping lets them delegate it (on the party or its
/// main unit), a direct grant of it, or the main administrator's package
/// when the package is one the main administrator hands out (never
/// `hovedadministrator` itself).
pub async fn may_pass_on(conn: &mut PgConnection, granter: PartyId, party: PartyId, urn: &str, code: &str) -> Result<bool, sqlx::Error> {
    let main_admin = "urn:altinn:accesspackage:hovedadministrator";
    sqlx::query_scalar!(
        r#"select (
             exists(select 1 from register_role rr
                    join role_package rp on rp.role_code = rr.role_code and rp.can_delegate
                    join party p on p.id = $2
                    where rr.holder_id = $1 and rr.valid_to is null and rr.for_party_id in (p.id, p.parent_id)
                      and rp.package_urn = $3 and (rp.org_form is null or rp.org_form = p.org_form))
             or exists(select 1 from access_grant g where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null
                       and g.package_code = $5 and $3 <> $4::text)
             or (exists(select 1 from register_role rr
                        join role_package rp on rp.role_code = rr.role_code and rp.has_access and rp.package_urn = $4::text
                        join party p on p.id = $2
                        where rr.holder_id = $1 and rr.valid_to is null and rr.for_party_id in (p.id, p.parent_id))
                 and exists(select 1 from role_package rp where rp.role_code = 'hovedadministrator' and rp.can_delegate and rp.package_urn = $3)
                 and $3 <> $4::text)
           ) as "ok!""#,
        granter.0,
        party.0,
        urn,
        main_admin,
        code,
    )
    .fetch_one(conn)
    .await
}
