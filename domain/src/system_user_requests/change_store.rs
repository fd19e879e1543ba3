//! The change requests' tables: `system_user_change_request` and its items.
//! Only `change` calls these.

use super::change::{ChangeItem, ChangeRequest};
use super::model::RequestStatus;
use crate::parties::PartyId;
use sqlx::PgConnection;
use std::collections::BTreeSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// A system user in force, as a change needs it.
pub struct SystemUserForChange {
    pub id: Uuid,
    pub system_id: String,
    pub vendor: String,
    pub party: PartyId,
    pub party_org_no: String,
    pub external_ref: String,
    pub title: String,
    pub agent: bool,
}

pub async fn system_user_for_change(conn: &mut PgConnection, id: Uuid) -> Result<Option<SystemUserForChange>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select su.id as "id!", su.system_id as "system_id!", su.vendor_org_number as "vendor!", su.party_id as "party!", p.org_number as "org!",
                  su.external_ref as "external_ref!", su.display_name as "title!", su.user_type as "user_type!"
           from system_user_in_force su join party p on p.id = su.party_id where su.id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| SystemUserForChange {
        id: r.id,
        system_id: r.system_id,
        vendor: r.vendor,
        party: PartyId(r.party),
        party_org_no: r.org,
        external_ref: r.external_ref,
        title: r.title,
        agent: r.user_type == "agent",
    }))
}

/// A change that is not withdrawn, of a system user in force, with its items.
pub async fn change_by_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<ChangeRequest>, sqlx::Error> {
    Ok(read(conn, &Filter { id: Some(id), ..Filter::new(1) }).await?.pop())
}

/// Up to `limit` changes, not withdrawn, for the system users in force of one
/// system, oldest first, after the change `after`.
pub async fn changes_by_system(conn: &mut PgConnection, system_id: &str, after: Option<Uuid>, limit: i64) -> Result<Vec<ChangeRequest>, sqlx::Error> {
    read(conn, &Filter { system_id: Some(system_id), after, ..Filter::new(limit) }).await
}

/// The changes still marked new for the system users in force of `party`,
/// oldest first (some may have timed out since).
pub async fn waiting_for(conn: &mut PgConnection, party: PartyId) -> Result<Vec<ChangeRequest>, sqlx::Error> {
    read(conn, &Filter { party: Some(party), waiting: true, ..Filter::new(1000) }).await
}

/// The latest change, not withdrawn, for the system user in force of a system, customer and reference.
pub async fn change_by_external_ref(conn: &mut PgConnection, system_id: &str, org_no: &str, external_ref: &str) -> Result<Option<ChangeRequest>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        r#"select c.id as "id!" from system_user_change_request c
         join system_user_in_force su on su.id = c.system_user_id
         join party p on p.id = su.party_id
         where su.system_id = $1 and p.org_number = $2 and su.external_ref = $3 and c.deleted_at is null
         order by c.created_at desc, c.id desc limit 1"#,
        system_id,
        org_no,
        external_ref
    )
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => change_by_id(conn, id).await,
        None => Ok(None),
    }
}

/// Which changes `read` gives; each filter left out when `None`.
struct Filter<'a> {
    id: Option<Uuid>,
    system_id: Option<&'a str>,
    party: Option<PartyId>,
    /// Only those after this change, in the order `read` gives them.
    after: Option<Uuid>,
    /// Only those still marked new.
    waiting: bool,
    limit: i64,
}

impl Filter<'_> {
    fn new(limit: i64) -> Self {
        Self { id: None, system_id: None, party: None, after: None, waiting: false, limit }
    }
}

/// Changes that are not withdrawn, of system users in force (neither they
/// nor their system deleted), with their items, oldest first. The order is
/// (created, id): a vendor's correlation ids are often random, so id order
/// would scatter a page through time. `after` names the last change of the
/// page before, whose place is looked up, so a page token stays an id.
async fn read(conn: &mut PgConnection, f: &Filter<'_>) -> Result<Vec<ChangeRequest>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select c.id, c.system_user_id, c.status, c.redirect_url, c.created_at, su.system_id as "system_id!",
                  su.vendor_org_number as "vendor_org_number!", su.party_id as "party_id!",
                  p.org_number as "org!", su.external_ref as "external_ref!", su.display_name as "title!"
           from system_user_change_request c
           join system_user_in_force su on su.id = c.system_user_id
           join party p on p.id = su.party_id
           where c.deleted_at is null and ($1::uuid is null or c.id = $1) and ($2::text is null or su.system_id = $2)
             and ($3::uuid is null or su.party_id = $3)
             and ($4::uuid is null or (c.created_at, c.id) > (select a.created_at, a.id from system_user_change_request a where a.id = $4))
             and (not $5 or c.status = 'New')
           order by c.created_at, c.id
           limit $6"#,
        f.id,
        f.system_id,
        f.party.map(|p| p.0),
        f.after,
        f.waiting,
        f.limit
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let items = sqlx::query!(
        "select change_request_id, direction, package_urn, resource_id, action from system_user_change_item where change_request_id = any($1)",
        &ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (mut add, mut remove) = (Vec::new(), Vec::new());
            for i in items.iter().filter(|i| i.change_request_id == r.id) {
                let item = match (&i.package_urn, &i.resource_id, &i.action) {
                    (Some(urn), _, _) => ChangeItem::Package(urn.clone()),
                    (None, Some(resource), Some(action)) => ChangeItem::Right { resource: resource.clone(), action: action.clone() },
                    _ => continue,
                };
                if i.direction == "add" {
                    add.push(item);
                } else {
                    remove.push(item);
                }
            }
            add.sort();
            remove.sort();
            ChangeRequest {
                id: r.id,
                system_user_id: r.system_user_id,
                system_id: r.system_id,
                vendor: r.vendor_org_number,
                party: PartyId(r.party_id),
                party_org_no: r.org,
                external_ref: r.external_ref,
                integration_title: r.title,
                add,
                remove,
                status: RequestStatus::parse(&r.status).unwrap_or(RequestStatus::Denied),
                redirect_url: r.redirect_url,
                created_at: r.created_at,
            }
        })
        .collect())
}

/// What the system user holds from `party` now: packages by URN, single rights by action.
pub async fn held_items(conn: &mut PgConnection, system_user: Uuid, party: PartyId) -> Result<BTreeSet<ChangeItem>, sqlx::Error> {
    let rows = sqlx::query!(
        "select p.urn as \"urn?\", g.resource_id, g.action from access_grant g left join access_package p on p.code = g.package_code
         where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null",
        system_user,
        party.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match (r.urn, r.resource_id, r.action) {
            (Some(urn), _, _) => Some(ChangeItem::Package(urn)),
            (None, Some(resource), Some(action)) => Some(ChangeItem::Right { resource, action }),
            _ => None,
        })
        .collect())
}

/// Writes a change; fails on `system_user_change_request_waiting` when one already waits.
#[allow(clippy::too_many_arguments)]
pub async fn insert_change(
    conn: &mut PgConnection,
    id: Uuid,
    system_user: Uuid,
    add: &[ChangeItem],
    remove: &[ChangeItem],
    redirect_url: Option<&str>,
    by: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into system_user_change_request (id, system_user_id, redirect_url, created_by, created_at, changed_at) values ($1, $2, $3, $4, $5, $5)",
        id,
        system_user,
        redirect_url,
        by,
        now
    )
    .execute(&mut *conn)
    .await?;
    for (direction, items) in [("add", add), ("remove", remove)] {
        for item in items {
            let (urn, resource, action) = match item {
                ChangeItem::Package(urn) => (Some(urn.as_str()), None, None),
                ChangeItem::Right { resource, action } => (None, Some(resource.as_str()), Some(action.as_str())),
            };
            sqlx::query!(
                "insert into system_user_change_item (change_request_id, direction, package_urn, resource_id, action) values ($1, $2, $3, $4, $5)",
                id,
                direction,
                urn,
                resource,
                action
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

pub async fn withdraw_change(conn: &mut PgConnection, id: Uuid, by: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update system_user_change_request set deleted_at = $2, changed_at = $2, changed_by = $3 where id = $1", id, now, by)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Withdraws the changes waiting for one system user, or for every system
/// user of one system; their ids.
pub async fn withdraw_waiting(
    conn: &mut PgConnection,
    system_user: Option<Uuid>,
    system_id: Option<&str>,
    by: &str,
    now: OffsetDateTime,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "update system_user_change_request c set deleted_at = $3, changed_at = $3, changed_by = $4
         where c.status = 'New' and c.deleted_at is null
           and (c.system_user_id = $1 or c.system_user_id in (select su.id from system_user su where su.system_id = $2))
         returning c.id",
        system_user,
        system_id,
        now,
        by
    )
    .fetch_all(conn)
    .await
}

pub async fn change_status_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Option<RequestStatus>, sqlx::Error> {
    let s =
        sqlx::query_scalar!("select status from system_user_change_request where id = $1 and deleted_at is null for update", id).fetch_optional(conn).await?;
    Ok(s.and_then(|s| RequestStatus::parse(&s)))
}

pub async fn set_change_status(conn: &mut PgConnection, id: Uuid, status: RequestStatus, by: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update system_user_change_request set status = $2, changed_at = $3, changed_by = $4 where id = $1", id, status.as_str(), now, by)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn package_code_of(conn: &mut PgConnection, urn: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("select code from access_package where urn = $1", urn).fetch_optional(conn).await
}

/// Ends the system user's grants from `party` of `item`; their ids.
pub async fn end_grants(conn: &mut PgConnection, system_user: Uuid, party: PartyId, item: &ChangeItem) -> Result<Vec<Uuid>, sqlx::Error> {
    let (urn, resource, action) = match item {
        ChangeItem::Package(urn) => (Some(urn.as_str()), None, None),
        ChangeItem::Right { resource, action } => (None, Some(resource.as_str()), Some(action.as_str())),
    };
    // The database's clock, as every revocation: the engine's readers compare with it.
    sqlx::query_scalar!(
        "update access_grant g set valid_to = now()
         where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null
           and (($3::text is not null and g.package_code = (select code from access_package where urn = $3))
             or ($4::text is not null and g.resource_id = $4 and g.action = $5))
         returning g.id",
        system_user,
        party.0,
        urn,
        resource,
        action
    )
    .fetch_all(conn)
    .await
}
