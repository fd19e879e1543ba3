//! The system register's tables: `system_register`, `system_right`,
//! `system_package` and `system_change_log`. Only the service calls these.

use super::model::{ChangeLogEntry, ChangeType, RegisteredSystem, SystemForCreate, SystemOffer, SystemPackage, SystemRight, SystemRightView, Translated};
use super::rules::{Facts, PackageFacts, ResourceFacts};
use crate::parties::PartyId;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// One writer of the register at a time: a client id can then be checked
/// free and taken without another system taking it in between.
pub async fn lock(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("lock table system_register in share row exclusive mode").execute(conn).await.map(|_| ())
}

/// The active organisation with this organisation number.
pub async fn organisation(conn: &mut PgConnection, org_number: &str) -> Result<Option<PartyId>, sqlx::Error> {
    let id = sqlx::query_scalar!("select id from party where org_number = $1 and kind = 'organisation' and status = 'active'", org_number)
        .fetch_optional(conn)
        .await?;
    Ok(id.map(PartyId))
}

/// The organisation number of a party, if it is an organisation.
pub async fn org_number(conn: &mut PgConnection, party: PartyId) -> Result<Option<String>, sqlx::Error> {
    Ok(sqlx::query_scalar!("select org_number from party where id = $1", party.0).fetch_optional(conn).await?.flatten())
}

/// The organisation number and name of a party, if it is an organisation.
pub async fn org_number_and_name(conn: &mut PgConnection, party: PartyId) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query!("select org_number, name from party where id = $1", party.0).fetch_optional(conn).await?;
    Ok(row.and_then(|r| r.org_number.map(|o| (o, r.name))))
}

/// Whether a system ever had this id (deleted systems keep theirs).
pub async fn exists(conn: &mut PgConnection, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from system_register where system_id = $1) as "x!""#, id).fetch_one(conn).await
}

/// The system's vendor and whether it is deleted, locking its row.
pub async fn vendor_for_update(conn: &mut PgConnection, id: &str) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row = sqlx::query!("select vendor_org_number, is_deleted from system_register where system_id = $1 for update", id).fetch_optional(conn).await?;
    Ok(row.map(|r| (r.vendor_org_number, r.is_deleted)))
}

/// What the store knows about the resources, packages and client ids the
/// input names; `system` is the system being replaced, whose own client ids
/// are not "in use by another".
pub async fn facts(conn: &mut PgConnection, input: &SystemForCreate, vendor: PartyId, system: Option<&str>) -> Result<Facts, sqlx::Error> {
    let mut facts = Facts::default();
    let resources: Vec<String> = input.rights.iter().map(|r| r.resource.clone()).collect();
    for r in sqlx::query!("select id, delegable, resource_type from resource where id = any($1)", &resources).fetch_all(&mut *conn).await? {
        facts.resources.insert(r.id, ResourceFacts::of(r.delegable, &r.resource_type));
    }
    for p in sqlx::query!("select urn, delegable, assignable from access_package where urn = any($1)", &input.packages).fetch_all(&mut *conn).await? {
        facts.packages.insert(p.urn, PackageFacts { delegable: p.delegable, assignable: p.assignable });
    }
    facts.vendor_clients = sqlx::query_scalar!(
        "select client_id from api_client where owner_party_id = $1 and deleted_at is null and client_id = any($2)",
        vendor.0,
        &input.client_ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    for r in sqlx::query!(
        r#"select c as "client!", s.system_id from system_register s, unnest(s.client_ids) c
           where not s.is_deleted and s.system_id is distinct from $2 and c = any($1)"#,
        &input.client_ids,
        system
    )
    .fetch_all(&mut *conn)
    .await?
    {
        facts.clients_in_use.insert(r.client, r.system_id);
    }
    Ok(facts)
}

pub async fn insert(conn: &mut PgConnection, s: &SystemForCreate, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into system_register (system_id, vendor_org_number, name_nb, name_nn, name_en, description_nb, description_nn, description_en,
                                      client_ids, redirect_urls, is_visible, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        s.id,
        s.vendor,
        s.name.nb,
        s.name.nn,
        s.name.en,
        s.description.nb,
        s.description.nn,
        s.description.en,
        &s.client_ids,
        &s.redirect_urls,
        s.is_visible,
        now
    )
    .execute(&mut *conn)
    .await?;
    set_rights(&mut *conn, &s.id, &s.rights).await?;
    set_packages(conn, &s.id, &s.packages).await
}

/// Replaces everything but the id and the vendor.
pub async fn update(conn: &mut PgConnection, s: &SystemForCreate, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update system_register set name_nb = $2, name_nn = $3, name_en = $4, description_nb = $5, description_nn = $6, description_en = $7,
                client_ids = $8, redirect_urls = $9, is_visible = $10, updated_at = $11
         where system_id = $1",
        s.id,
        s.name.nb,
        s.name.nn,
        s.name.en,
        s.description.nb,
        s.description.nn,
        s.description.en,
        &s.client_ids,
        &s.redirect_urls,
        s.is_visible,
        now
    )
    .execute(&mut *conn)
    .await?;
    set_rights(&mut *conn, &s.id, &s.rights).await?;
    set_packages(conn, &s.id, &s.packages).await
}

pub async fn set_rights(conn: &mut PgConnection, id: &str, rights: &[SystemRight]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from system_right where system_id = $1", id).execute(&mut *conn).await?;
    for r in rights {
        sqlx::query!("insert into system_right (system_id, resource_id, action) values ($1, $2, $3)", id, r.resource, r.action).execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn set_packages(conn: &mut PgConnection, id: &str, packages: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from system_package where system_id = $1", id).execute(&mut *conn).await?;
    sqlx::query!("insert into system_package (system_id, package_urn) select $1, unnest($2::text[])", id, packages).execute(conn).await?;
    Ok(())
}

/// Marks the system deleted and frees its client ids for another system;
/// tokens for its system users stop, since the token service asks for
/// systems that are not deleted.
pub async fn soft_delete(conn: &mut PgConnection, id: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update system_register set is_deleted = true, deleted_at = $2, updated_at = $2, client_ids = '{}' where system_id = $1", id, now)
        .execute(conn)
        .await
        .map(|_| ())
}

pub struct ChangeForLog<'a> {
    pub system: &'a str,
    pub change_type: ChangeType,
    pub changed_by: &'a str,
    pub changed_by_party: Option<PartyId>,
    pub client_id: Option<&'a str>,
    pub data: serde_json::Value,
    pub at: OffsetDateTime,
}

pub async fn log_change(conn: &mut PgConnection, c: ChangeForLog<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into system_change_log (id, system_id, change_type, changed_by_org, changed_by, client_id, changed_data, created_at)
         values ($1, $2, $3, (select org_number from party where id = $4), $5, $6, $7, $8)",
        Uuid::now_v7(),
        c.system,
        c.change_type.as_str(),
        c.changed_by_party.map(|p| p.0),
        c.changed_by,
        c.client_id,
        c.data,
        c.at
    )
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn change_log(conn: &mut PgConnection, id: &str) -> Result<Vec<ChangeLogEntry>, sqlx::Error> {
    let rows = sqlx::query!(
        "select change_type, changed_by_org, changed_by, client_id, changed_data, created_at from system_change_log where system_id = $1 order by created_at, id",
        id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ChangeLogEntry {
                change_type: ChangeType::parse(&r.change_type)?,
                changed_by_org: r.changed_by_org,
                changed_by: r.changed_by,
                client_id: r.client_id,
                changed_data: r.changed_data,
                created_at: r.created_at,
            })
        })
        .collect())
}

/// The system with its rights and packages (by name), deleted or not.
pub async fn get(conn: &mut PgConnection, id: &str) -> Result<Option<RegisteredSystem>, sqlx::Error> {
    Ok(read(conn, Some(id), None, false).await?.pop())
}

/// What a request for a system user is checked against, and the vendor's
/// party when it is an active organisation, in one round trip; `None` for a
/// system that is unknown or deleted. No texts and no joins: sending a
/// request reads this every time.
pub async fn offer(conn: &mut PgConnection, id: &str) -> Result<Option<(SystemOffer, Option<PartyId>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select s.system_id, s.vendor_org_number, s.name_nb, s.redirect_urls,
                  (select v.id from party v where v.org_number = s.vendor_org_number and v.kind = 'organisation' and v.status = 'active' limit 1) as vendor_party,
                  array(select sr.resource_id from system_right sr where sr.system_id = s.system_id order by sr.resource_id, sr.action nulls first) as "right_resources!",
                  array(select sr.action from system_right sr where sr.system_id = s.system_id order by sr.resource_id, sr.action nulls first) as "right_actions!: Vec<Option<String>>",
                  array(select sp.package_urn from system_package sp where sp.system_id = s.system_id order by sp.package_urn) as "packages!"
           from system_register s where s.system_id = $1 and not s.is_deleted"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let rights = r.right_resources.into_iter().zip(r.right_actions).map(|(resource, action)| SystemRight { resource, action }).collect();
        let offer =
            SystemOffer { id: r.system_id, vendor: r.vendor_org_number, name_nb: r.name_nb, rights, packages: r.packages, redirect_urls: r.redirect_urls };
        (offer, r.vendor_party.map(PartyId))
    }))
}

/// The vendor's systems that are not deleted, by id.
pub async fn list_by_vendor(conn: &mut PgConnection, vendor: &str) -> Result<Vec<RegisteredSystem>, sqlx::Error> {
    read(conn, None, Some(vendor), false).await
}

/// The systems customers may pick to make a system user of themselves:
/// visible and not deleted, by id.
pub async fn list_visible(conn: &mut PgConnection) -> Result<Vec<RegisteredSystem>, sqlx::Error> {
    read(conn, None, None, true).await
}

/// The systems, each with its rights and packages, in one round trip (the
/// vendor API reads a system on every request it sends).
async fn read(conn: &mut PgConnection, id: Option<&str>, vendor: Option<&str>, visible_only: bool) -> Result<Vec<RegisteredSystem>, sqlx::Error> {
    use sqlx::types::Json;
    let rows = sqlx::query!(
        r#"select s.system_id, s.internal_id, s.vendor_org_number, s.name_nb, s.name_nn, s.name_en, s.description_nb, s.description_nn, s.description_en,
                  s.client_ids, s.redirect_urls, s.is_visible, s.is_deleted, s.created_at, s.updated_at,
                  (select v.name from party v where v.org_number = s.vendor_org_number and v.kind = 'organisation' and v.status = 'active' limit 1) as vendor_name,
                  coalesce((select json_agg(json_build_object('resource', sr.resource_id, 'action', sr.action,
                                                              'title', json_build_object('nb', r.title_nb, 'nn', r.title_nn, 'en', r.title_en))
                                            order by sr.resource_id, sr.action nulls first)
                            from system_right sr join resource r on r.id = sr.resource_id where sr.system_id = s.system_id), '[]') as "rights!: Json<Vec<SystemRightView>>",
                  coalesce((select json_agg(json_build_object('urn', p.urn, 'code', p.code,
                                                              'name', json_build_object('nb', p.name_nb, 'nn', p.name_nn, 'en', p.name_en))
                                            order by p.name_nb)
                            from system_package sp join access_package p on p.urn = sp.package_urn where sp.system_id = s.system_id), '[]') as "packages!: Json<Vec<SystemPackage>>"
           from system_register s
           where ($1::text is null or s.system_id = $1) and ($2::text is null or (s.vendor_org_number = $2 and not s.is_deleted))
             and (not $3 or (s.is_visible and not s.is_deleted))
           order by s.system_id"#,
        id,
        vendor,
        visible_only
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RegisteredSystem {
            rights: r.rights.0,
            packages: r.packages.0,
            id: r.system_id,
            internal_id: r.internal_id,
            vendor: r.vendor_org_number,
            vendor_name: r.vendor_name,
            name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
            description: Translated { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
            client_ids: r.client_ids,
            redirect_urls: r.redirect_urls,
            is_visible: r.is_visible,
            is_deleted: r.is_deleted,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// Notes that the system changed now.
pub async fn touch(conn: &mut PgConnection, id: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update system_register set updated_at = $2 where system_id = $1", id, now).execute(conn).await.map(|_| ())
}
