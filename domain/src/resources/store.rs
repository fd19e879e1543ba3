//! PostgreSQL queries for resources. The use cases in `service` decide who may
//! call the writing ones.

use super::model::{Resource, ResourceForSave};
use crate::decisions::policy::Policy;
use crate::parties::OrgNumber;
use sqlx::PgConnection;

struct Row {
    id: String,
    owner_org: String,
    title_nb: String,
    title_nn: String,
    title_en: String,
    description: String,
    resource_type: String,
    delegable: bool,
    policy: serde_json::Value,
}

impl Row {
    /// A stored policy that no longer parses is a bug elsewhere; it is logged
    /// and shown as empty rather than hiding the resource.
    fn into_resource(self) -> Resource {
        let mut policy = serde_json::from_value::<Policy>(self.policy).unwrap_or_else(|e| {
            tracing::error!(resource = %self.id, error = %e, "stored policy does not parse");
            Policy { resource: String::new(), combining: crate::decisions::Combining::DenyOverrides, rules: vec![], obligations: vec![] }
        });
        policy.resource = self.id.clone();
        Resource {
            id: self.id,
            owner_org: self.owner_org,
            title_nb: self.title_nb,
            title_nn: self.title_nn,
            title_en: self.title_en,
            description: self.description,
            resource_type: self.resource_type,
            delegable: self.delegable,
            policy,
        }
    }
}

/// Every resource, or those of one owner, by id.
pub async fn list(conn: &mut PgConnection, owner: Option<&OrgNumber>) -> Result<Vec<Resource>, sqlx::Error> {
    let rows = sqlx::query_as!(
        Row,
        "select id, owner_org, title_nb, title_nn, title_en, description, resource_type, delegable, policy
         from resource where $1::text is null or owner_org = $1 order by id",
        owner.map(OrgNumber::as_str)
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Row::into_resource).collect())
}

pub async fn get(conn: &mut PgConnection, id: &str) -> Result<Option<Resource>, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        "select id, owner_org, title_nb, title_nn, title_en, description, resource_type, delegable, policy from resource where id = $1",
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Row::into_resource))
}

/// The owner of `id`, locking the row until the transaction ends.
pub async fn owner_for_update(conn: &mut PgConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select owner_org from resource where id = $1 for update", id).fetch_optional(conn).await
}

pub async fn owner_of(conn: &mut PgConnection, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select owner_org from resource where id = $1", id).fetch_optional(conn).await
}

/// Writes `r` under `owner`: a new id is inserted; an existing one is
/// updated in place when `overwrite` is set (the owner never changes on
/// update) and left alone when not. Returns whether a row was written, so a
/// create that loses a race to another create of the same id can say so.
pub async fn write(conn: &mut PgConnection, owner: &OrgNumber, r: &ResourceForSave, overwrite: bool) -> Result<bool, sqlx::Error> {
    let mut policy = r.policy.clone();
    policy.resource = r.id.clone();
    let policy_json = serde_json::to_value(&policy).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let written = sqlx::query!(
        r#"insert into resource (id, owner_org, title_nb, title_nn, title_en, description, resource_type, delegable, policy)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           on conflict (id) do update set title_nb = excluded.title_nb, title_nn = excluded.title_nn, title_en = excluded.title_en,
               description = excluded.description, resource_type = excluded.resource_type, delegable = excluded.delegable,
               policy = excluded.policy, updated_at = now()
           where $10"#,
        r.id,
        owner.as_str(),
        r.title_nb,
        r.title_nn,
        r.title_en,
        r.description,
        r.resource_type,
        r.delegable,
        policy_json,
        overwrite
    )
    .execute(conn)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// How many grants and user-role rights name `id` (ended ones too: they keep
/// the history, and their foreign keys keep the resource).
pub async fn references(conn: &mut PgConnection, id: &str) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"select (select count(*) from access_grant where resource_id = $1) as "grants!",
                  (select count(*) from user_role_right where resource_id = $1) as "roles!""#,
        id
    )
    .fetch_one(conn)
    .await?;
    Ok((row.grants, row.roles))
}

pub async fn delete(conn: &mut PgConnection, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query!("delete from resource where id = $1", id).execute(conn).await?.rows_affected() > 0)
}

/// An access package a policy can name: those available for service owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageChoice {
    pub code: String,
    /// nb, nn, en.
    pub name: [String; 3],
    pub area_name: [String; 3],
}

/// The packages service owners may use in policies, by area and name.
pub async fn package_choices(conn: &mut PgConnection) -> Result<Vec<PackageChoice>, sqlx::Error> {
    let rows = sqlx::query!(
        "select p.code, p.name_nb, p.name_nn, p.name_en, a.name_nb as area_nb, a.name_nn as area_nn, a.name_en as area_en
         from access_package p join package_area a on a.urn = p.area_urn
         where p.available_for_service_owners order by a.name_nb, p.name_nb"
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PackageChoice { code: r.code, name: [r.name_nb, r.name_nn, r.name_en], area_name: [r.area_nb, r.area_nn, r.area_en] })
        .collect())
}
