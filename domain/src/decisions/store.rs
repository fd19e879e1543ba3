//! Building a [`Snapshot`] from PostgreSQL, and recording changes in the feed.

use super::policy::Policy;
use super::snapshot::{PartyInfo, RolePackageRule, Snapshot, SnapshotBuilder};
use sqlx::{PgConnection, PgPool};

/// The channel every instance listens on for decision-relevant changes.
pub const CHANGES_CHANNEL: &str = "fullmakt_changes";

/// Appends to the change feed in the caller's transaction and notifies at commit.
pub async fn record_change(conn: &mut PgConnection, kind: &str) -> Result<i64, sqlx::Error> {
    let seq = sqlx::query_scalar!("insert into change_log (kind) values ($1) returning seq", kind).fetch_one(&mut *conn).await?;
    sqlx::query!("select pg_notify($1, $2)", CHANGES_CHANNEL, seq.to_string()).execute(&mut *conn).await?;
    Ok(seq)
}

/// The newest change-feed position.
pub async fn current_version(pool: &PgPool) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar!(r#"select coalesce(max(seq), 0) as "seq!" from change_log"#).fetch_one(pool).await?)
}

/// Reads everything the engine needs, in one repeatable-read transaction so
/// the snapshot is consistent with the version it claims.
pub async fn load_snapshot(pool: &PgPool) -> Result<Snapshot, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read read only").execute(&mut *tx).await?;
    let version = sqlx::query_scalar!(r#"select coalesce(max(seq), 0) as "seq!" from change_log"#).fetch_one(&mut *tx).await?;
    let mut b = SnapshotBuilder::new(version);
    for p in sqlx::query!("select id, name, org_number, national_id, org_form, parent_id from party where status = 'active'")
        .fetch_all(&mut *tx)
        .await?
    {
        b.party(PartyInfo { id: p.id, name: p.name, org_number: p.org_number, national_id: p.national_id, org_form: p.org_form, parent: p.parent_id });
    }
    for r in sqlx::query!("select code, is_key_role from role").fetch_all(&mut *tx).await? {
        b.role(&r.code, r.is_key_role);
    }
    for rp in sqlx::query!(
        "select rp.role_code, p.code as package, rp.org_form, rp.has_access from role_package rp join access_package p on p.urn = rp.package_urn"
    )
    .fetch_all(&mut *tx)
    .await?
    {
        b.role_package(&rp.role_code, RolePackageRule { package: rp.package, org_form: rp.org_form, has_access: rp.has_access });
    }
    for rr in sqlx::query!(
        r#"select rr.holder_id, rr.for_party_id, upper(coalesce(r.legacy_code, r.code)) as "legacy!", r.code
           from register_role rr join role r on r.code = rr.role_code
           where rr.valid_to is null"#
    )
    .fetch_all(&mut *tx)
    .await?
    {
        b.register_role(rr.holder_id, rr.for_party_id, &rr.legacy, &rr.code);
    }
    for g in sqlx::query!(
        "select id, from_party, to_subject, package_code, resource_id, action, granted_by from access_grant
         where valid_to is null or valid_to > now()"
    )
    .fetch_all(&mut *tx)
    .await?
    {
        match (g.package_code, g.resource_id, g.action) {
            (Some(p), _, _) => b.granted_package(g.to_subject, g.from_party, &p, g.id, g.granted_by),
            (None, Some(r), Some(a)) => b.granted_right(g.to_subject, g.from_party, &r, &a, g.id, g.granted_by),
            _ => {}
        }
    }
    for r in sqlx::query!("select id, policy from resource").fetch_all(&mut *tx).await? {
        match serde_json::from_value::<Policy>(r.policy) {
            Ok(mut policy) => {
                policy.resource = r.id;
                b.policy(policy);
            }
            Err(e) => tracing::error!(resource = %r.id, error = %e, "stored policy does not parse; resource left out of the snapshot"),
        }
    }
    tx.commit().await?;
    Ok(b.build())
}
