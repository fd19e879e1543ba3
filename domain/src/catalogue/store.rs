//! Storing the catalogue, and the import use case.

use super::model::Catalogue;
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::clock::Clock;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub areas: usize,
    pub packages: usize,
    pub roles: usize,
    pub role_packages: usize,
}

/// Imports `catalogue` (insert or update every row) in one audited transaction.
pub async fn import(pool: &PgPool, actor: Actor, clock: &dyn Clock, catalogue: &Catalogue, source: &str) -> Result<ImportCounts, UnitOfWorkError> {
    let mut uow = UnitOfWork::begin(pool, actor, clock).await?;
    let counts = save(uow.conn(), catalogue).await?;
    uow.audit(AuditEvent::new(
        "catalogue.import",
        source,
        Outcome::Success,
        serde_json::to_value(counts).unwrap_or_default(),
    ))
    .await?;
    uow.commit().await?;
    Ok(counts)
}

async fn save(conn: &mut PgConnection, c: &Catalogue) -> Result<ImportCounts, sqlx::Error> {
    for a in &c.areas {
        sqlx::query!(
            r#"insert into package_area (urn, group_name_nb, name_nb, name_nn, name_en, description_nb, description_nn, description_en)
               values ($1, $2, $3, $4, $5, $6, $7, $8)
               on conflict (urn) do update set group_name_nb = excluded.group_name_nb, name_nb = excluded.name_nb,
                   name_nn = excluded.name_nn, name_en = excluded.name_en, description_nb = excluded.description_nb,
                   description_nn = excluded.description_nn, description_en = excluded.description_en"#,
            a.urn, a.group, a.name.nb, a.name.nn, a.name.en, a.description.nb, a.description.nn, a.description.en
        )
        .execute(&mut *conn)
        .await?;
    }
    for p in &c.packages {
        sqlx::query!(
            r#"insert into access_package (urn, code, area_urn, name_nb, name_nn, name_en, description_nb, description_nn, description_en,
                                           delegable, assignable, available_for_service_owners, entity_type)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
               on conflict (urn) do update set code = excluded.code, area_urn = excluded.area_urn, name_nb = excluded.name_nb,
                   name_nn = excluded.name_nn, name_en = excluded.name_en, description_nb = excluded.description_nb,
                   description_nn = excluded.description_nn, description_en = excluded.description_en,
                   delegable = excluded.delegable, assignable = excluded.assignable,
                   available_for_service_owners = excluded.available_for_service_owners, entity_type = excluded.entity_type"#,
            p.urn, p.code, p.area_urn, p.name.nb, p.name.nn, p.name.en, p.description.nb, p.description.nn, p.description.en,
            p.delegable, p.assignable, p.available_for_service_owners, p.entity_type.as_str()
        )
        .execute(&mut *conn)
        .await?;
    }
    for r in &c.roles {
        sqlx::query!(
            r#"insert into role (code, urn, legacy_code, provider, name_nb, name_nn, name_en, description_nb, description_nn, description_en, is_key_role, entity_type)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               on conflict (code) do update set urn = excluded.urn, legacy_code = excluded.legacy_code, provider = excluded.provider,
                   name_nb = excluded.name_nb, name_nn = excluded.name_nn, name_en = excluded.name_en,
                   description_nb = excluded.description_nb, description_nn = excluded.description_nn,
                   description_en = excluded.description_en, is_key_role = excluded.is_key_role, entity_type = excluded.entity_type"#,
            r.code, r.urn, r.legacy_code, r.provider, r.name.nb, r.name.nn, r.name.en, r.description.nb, r.description.nn, r.description.en,
            r.is_key_role, r.entity_type.as_str()
        )
        .execute(&mut *conn)
        .await?;
    }
    for rp in &c.role_packages {
        sqlx::query!(
            r#"insert into role_package (id, role_code, package_urn, org_form, has_access, can_delegate, can_assign)
               values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (role_code, package_urn, coalesce(org_form, ''))
               do update set has_access = excluded.has_access, can_delegate = excluded.can_delegate, can_assign = excluded.can_assign"#,
            uuid::Uuid::now_v7(), rp.role_code, rp.package_urn, rp.org_form, rp.has_access, rp.can_delegate, rp.can_assign
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(ImportCounts { areas: c.areas.len(), packages: c.packages.len(), roles: c.roles.len(), role_packages: c.role_packages.len() })
}

/// How many packages are in the catalogue; used to tell whether one was ever loaded.
pub async fn package_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar!(r#"select count(*) as "n!" from access_package"#).fetch_one(conn).await?)
}

/// A package that may be given directly, with its names and its area's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AssignablePackage {
    pub code: String,
    pub name: super::model::Text,
    pub area: super::model::Text,
}

/// Packages that may be given directly on behalf of an organisation, by area and name.
pub async fn assignable_packages(conn: &mut PgConnection) -> Result<Vec<AssignablePackage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select p.code, p.name_nb, p.name_nn, p.name_en, a.name_nb as area_nb, a.name_nn as area_nn, a.name_en as area_en
           from access_package p join package_area a on a.urn = p.area_urn
           where p.assignable and p.entity_type = 'organisation' order by a.name_nb, p.name_nb"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AssignablePackage {
            code: r.code,
            name: super::model::Text { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
            area: super::model::Text { nb: r.area_nb, nn: r.area_nn, en: r.area_en },
        })
        .collect())
}
