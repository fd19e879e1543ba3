//! Storing the catalogue, and the import use case.

use super::model::{Catalogue, EntityType, Text};
use crate::audit::{AuditEvent, Outcome};
use crate::context::Context;
use crate::error::Failure;
use serde::Serialize;
use sqlx::PgConnection;

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub areas: usize,
    pub packages: usize,
    pub roles: usize,
    pub role_packages: usize,
}

/// Imports `catalogue` (insert or update every row) in one audited
/// transaction; for the installation's operator only.
#[tracing::instrument(skip_all, fields(actor = %ctx.actor().label, source))]
pub async fn import(ctx: &Context, catalogue: &Catalogue, source: &str) -> Result<ImportCounts, Failure> {
    ctx.authorize_operator()?;
    let mut uow = ctx.begin().await?;
    let counts = save(uow.conn(), catalogue).await?;
    // Key roles and role → package rules decide; instances rebuild their snapshot.
    crate::decisions::store::record_change(uow.conn(), crate::decisions::store::Change::Rebuild("catalogue-import")).await?;
    uow.audit(AuditEvent::new("catalogue.import", source, Outcome::Success, serde_json::to_value(counts).unwrap_or_default())).await?;
    ctx.commit(uow).await?;
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
            a.urn,
            a.group,
            a.name.nb,
            a.name.nn,
            a.name.en,
            a.description.nb,
            a.description.nn,
            a.description.en
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
            p.urn,
            p.code,
            p.area_urn,
            p.name.nb,
            p.name.nn,
            p.name.en,
            p.description.nb,
            p.description.nn,
            p.description.en,
            p.delegable,
            p.assignable,
            p.available_for_service_owners,
            p.entity_type.as_str()
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
            uuid::Uuid::now_v7(),
            rp.role_code,
            rp.package_urn,
            rp.org_form,
            rp.has_access,
            rp.can_delegate,
            rp.can_assign
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(ImportCounts { areas: c.areas.len(), packages: c.packages.len(), roles: c.roles.len(), role_packages: c.role_packages.len() })
}

/// How many packages are in the catalogue; used to tell whether one was ever loaded.
pub async fn package_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "n!" from access_package"#).fetch_one(conn).await
}

/// A package that may be given directly, with its names and description and
/// its area's, in the three UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AssignablePackage {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub area: AreaText,
}

/// The area a package belongs to, as shown when choosing packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AreaText {
    pub urn: String,
    pub name: Text,
    pub description: Text,
}

/// Packages that may be given directly on behalf of a party of `entity_type`,
/// by area and name (Bokmål order).
pub async fn assignable_packages(conn: &mut PgConnection, entity_type: EntityType) -> Result<Vec<AssignablePackage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select p.code, p.name_nb, p.name_nn, p.name_en, p.description_nb, p.description_nn, p.description_en,
                  a.urn as area_urn, a.name_nb as area_nb, a.name_nn as area_nn, a.name_en as area_en,
                  a.description_nb as area_description_nb, a.description_nn as area_description_nn, a.description_en as area_description_en
           from access_package p join package_area a on a.urn = p.area_urn
           where p.assignable and p.entity_type = $1 order by a.name_nb, p.name_nb"#,
        entity_type.as_str()
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AssignablePackage {
            code: r.code,
            name: Text { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
            description: Text { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
            area: AreaText {
                urn: r.area_urn,
                name: Text { nb: r.area_nb, nn: r.area_nn, en: r.area_en },
                description: Text { nb: r.area_description_nb, nn: r.area_description_nn, en: r.area_description_en },
            },
        })
        .collect())
}

/// Names, in the three UI languages, of things a subject holds, keyed as the
/// engine names them: `package:<code>`, `role:<CODE>` (register roles by
/// their upper-case legacy code), `userrole:<code>` (user roles of the role
/// model, which are not keyed so by the engine but named through the reasons
/// that carry them) and `right:<resource>:<action>` (the resource's title,
/// then the action). What has no name here (deleted resources, unknown codes)
/// is left out; the caller shows the code.
pub async fn names_of(conn: &mut PgConnection, whats: &[String]) -> Result<std::collections::HashMap<String, Text>, sqlx::Error> {
    let mut packages = Vec::new();
    let mut roles = Vec::new();
    let mut resources = Vec::new();
    let mut user_roles = Vec::new();
    for w in whats {
        if let Some(code) = w.strip_prefix("package:") {
            packages.push(code.to_string());
        } else if let Some(code) = w.strip_prefix("role:") {
            roles.push(code.to_string());
        } else if let Some(code) = w.strip_prefix("userrole:") {
            user_roles.push(code.to_string());
        } else if let Some((resource, _)) = w.strip_prefix("right:").and_then(|r| r.rsplit_once(':')) {
            resources.push(resource.to_string());
        }
    }
    let mut names = std::collections::HashMap::new();
    if !packages.is_empty() {
        for r in sqlx::query!("select code, name_nb, name_nn, name_en from access_package where code = any($1)", &packages).fetch_all(&mut *conn).await? {
            names.insert(format!("package:{}", r.code), Text { nb: r.name_nb, nn: r.name_nn, en: r.name_en });
        }
    }
    if !roles.is_empty() {
        for r in sqlx::query!(
            r#"select upper(coalesce(legacy_code, code)) as "key!", name_nb, name_nn, name_en from role where upper(coalesce(legacy_code, code)) = any($1)"#,
            &roles
        )
        .fetch_all(&mut *conn)
        .await?
        {
            names.insert(format!("role:{}", r.key), Text { nb: r.name_nb, nn: r.name_nn, en: r.name_en });
        }
    }
    if !user_roles.is_empty() {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("select code, name_nb, name_nn, name_en from user_role where code = any($1)").bind(&user_roles).fetch_all(&mut *conn).await?;
        for (code, nb, nn, en) in rows {
            names.insert(format!("userrole:{code}"), Text { nb, nn, en });
        }
    }
    if !resources.is_empty() {
        let titles: std::collections::HashMap<String, Text> =
            sqlx::query!("select id, title_nb, title_nn, title_en from resource where id = any($1)", &resources)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| (r.id, Text { nb: r.title_nb, nn: r.title_nn, en: r.title_en }))
                .collect();
        for w in whats {
            let Some((resource, action)) = w.strip_prefix("right:").and_then(|r| r.rsplit_once(':')) else { continue };
            if let Some(t) = titles.get(resource) {
                let with_action = |title: &str, lang: &str| crate::actions::right(title, action, lang);
                names.insert(w.clone(), Text { nb: with_action(&t.nb, "nb"), nn: with_action(&t.nn, "nn"), en: with_action(&t.en, "en") });
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use sqlx::PgPool;

    #[sqlx::test(migrations = "../migrations")]
    async fn held_things_are_named_in_three_languages(pool: PgPool) {
        let operator = crate::Services::start(pool.clone(), std::sync::Arc::new(SystemClock)).await.unwrap().for_operator("test");
        import(&operator, &crate::catalogue::builtin(), "builtin").await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let whats =
            ["package:merverdiavgift", "role:DAGL", "right:fullmakt_access_management:write", "role:payer", "package:nope", "userrole:nope"].map(String::from);
        let names = names_of(&mut conn, &whats).await.unwrap();
        assert_eq!(names["package:merverdiavgift"].nn, "Meirverdiavgift");
        assert_eq!(names["role:DAGL"].en, "Managing Director");
        assert!(names["right:fullmakt_access_management:write"].nb.ends_with("(skrive)"));
        assert!(names["right:fullmakt_access_management:write"].en.ends_with("(write)"));
        assert_eq!(names.len(), 3, "unknown codes have no name: {names:?}");

        sqlx::query("insert into user_role (id, code, name_nb, name_nn, name_en) values ($1, 'payer', 'Betaler', 'Betalar', 'Payer')")
            .bind(uuid::Uuid::now_v7())
            .execute(&mut *conn)
            .await
            .unwrap();
        let names = names_of(&mut conn, &["userrole:payer".to_string(), "role:payer".to_string()]).await.unwrap();
        assert_eq!(names["userrole:payer"].nn, "Betalar", "user roles are named under their own key");
        assert!(!names.contains_key("role:payer"), "a user role is not a register role");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn assignable_packages_come_with_descriptions_and_areas_for_the_entity_type(pool: PgPool) {
        let operator = crate::Services::start(pool.clone(), std::sync::Arc::new(SystemClock)).await.unwrap().for_operator("test");
        import(&operator, &crate::catalogue::builtin(), "builtin").await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let for_orgs = assignable_packages(&mut conn, EntityType::Organisation).await.unwrap();
        let vat = for_orgs.iter().find(|p| p.code == "merverdiavgift").expect("VAT can be given");
        assert_eq!(vat.name.en, "Value added tax");
        assert_eq!(vat.description.nb, "Tjenester for merverdiavgift, blant annet mva-meldingen.");
        assert!(!vat.description.en.is_empty() && !vat.description.nn.is_empty());
        assert_eq!(vat.area.urn, "accesspackage:area:skatt_avgift_regnskap_og_toll");
        assert_eq!(vat.area.name.en, "Taxes, Fees, Accounting and Customs");
        assert!(for_orgs.iter().all(|p| !p.code.starts_with("regnskapsforer")), "role-only packages cannot be given directly");
        let areas: Vec<&str> = for_orgs.iter().map(|p| p.area.name.nb.as_str()).collect();
        let mut sorted = areas.clone();
        sorted.sort();
        assert_eq!(areas, sorted, "grouped by area");
        assert!(assignable_packages(&mut conn, EntityType::Person).await.unwrap().is_empty(), "the built-in catalogue has no packages for persons");
    }
}
