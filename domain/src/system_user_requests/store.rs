//! The requests' tables: `system_user_request` and its rights and packages.
//! Only the service calls these.

use super::model::{RequestStatus, SystemUserKind, SystemUserRequest};
use crate::parties::PartyId;
use crate::system_register::rules::PackageFacts;
use crate::system_register::SystemRight;
use sqlx::PgConnection;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A request to write.
pub struct NewRequest<'a> {
    pub id: Uuid,
    pub kind: SystemUserKind,
    pub system_id: &'a str,
    pub party: PartyId,
    pub external_ref: &'a str,
    pub integration_title: &'a str,
    pub redirect_url: Option<&'a str>,
    pub rights: &'a [SystemRight],
    pub packages: &'a [String],
    pub created_by: &'a str,
    pub now: OffsetDateTime,
}

/// Writes a new request; fails on `system_user_request_live` when one for
/// the same customer, system and reference is already live.
pub async fn insert(conn: &mut PgConnection, r: &NewRequest<'_>) -> Result<(), sqlx::Error> {
    // The request, its rights and its packages in one statement: one round
    // trip on the vendor API's busiest path.
    let resources: Vec<String> = r.rights.iter().map(|x| x.resource.clone()).collect();
    let actions: Vec<Option<String>> = r.rights.iter().map(|x| x.action.clone()).collect();
    sqlx::query!(
        "with request as (
             insert into system_user_request (id, kind, system_id, party_id, external_ref, integration_title, redirect_url, created_at, changed_at, changed_by)
             values ($1, $12, $2, $3, $4, $5, $6, $7, $7, $8)
             returning id),
         rights as (
             insert into system_user_request_right (request_id, resource_id, action)
             select request.id, x.resource, x.action from request, unnest($9::text[], $10::text[]) as x(resource, action))
         insert into system_user_request_package (request_id, package_urn)
         select request.id, urn from request, unnest($11::text[]) as urn",
        r.id,
        r.system_id,
        r.party.0,
        r.external_ref,
        r.integration_title,
        r.redirect_url,
        r.now,
        r.created_by,
        &resources,
        &actions as &[Option<String>],
        r.packages,
        r.kind.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The live request (not withdrawn, not timed out) for a customer, system and reference.
pub async fn live_id(conn: &mut PgConnection, party: PartyId, system_id: &str, external_ref: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from system_user_request where party_id = $1 and system_id = $2 and external_ref = $3 and deleted_at is null and status <> 'Timedout'",
        party.0,
        system_id,
        external_ref
    )
    .fetch_optional(conn)
    .await
}

/// What sending a request needs to know about its customer, in one round trip.
pub struct Customer {
    pub party: PartyId,
    pub name: String,
    /// The live request (not withdrawn; maybe timed out in time but not yet
    /// marked) for the same system and reference.
    pub live: Option<Uuid>,
    /// A system user of the system under the reference exists already.
    pub has_system_user: bool,
}

/// The customer organisation `org_no`, if it is in the register, with its
/// live request and system user for the system and reference.
pub async fn customer(conn: &mut PgConnection, org_no: &str, system_id: &str, external_ref: &str) -> Result<Option<Customer>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select p.id, p.name,
                  (select r.id from system_user_request r
                    where r.party_id = p.id and r.system_id = $2 and r.external_ref = $3 and r.deleted_at is null and r.status <> 'Timedout') as live,
                  exists(select 1 from system_user su
                    where su.party_id = p.id and su.system_id = $2 and su.external_ref = $3 and su.deleted_at is null) as "has_system_user!"
           from party p where p.org_number = $1 and p.kind = 'organisation' and p.status = 'active'"#,
        org_no,
        system_id,
        external_ref
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Customer { party: PartyId(r.id), name: r.name, live: r.live, has_system_user: r.has_system_user }))
}

/// Whether the customer has a system user of the system under the reference.
pub async fn system_user_exists(conn: &mut PgConnection, party: PartyId, system_id: &str, external_ref: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from system_user where party_id = $1 and system_id = $2 and external_ref = $3 and deleted_at is null) as "x!""#,
        party.0,
        system_id,
        external_ref
    )
    .fetch_one(conn)
    .await
}

/// Marks new requests created before `due` as timed out; the ids marked.
pub async fn time_out(conn: &mut PgConnection, due: OffsetDateTime, only: Option<Uuid>, now: OffsetDateTime) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "update system_user_request set status = 'Timedout', changed_at = $2, changed_by = 'timeout'
         where status = 'New' and deleted_at is null and created_at <= $1 and ($3::uuid is null or id = $3)
         returning id",
        due,
        now,
        only
    )
    .fetch_all(conn)
    .await
}

/// Withdraws a request (the vendor deleted it); whether it was live.
pub async fn withdraw(conn: &mut PgConnection, id: Uuid, by: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query!("update system_user_request set deleted_at = $2, changed_at = $2, changed_by = $3 where id = $1 and deleted_at is null", id, now, by)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether each of the packages can be delegated or assigned, by URN.
pub async fn package_facts(conn: &mut PgConnection, urns: &[String]) -> Result<HashMap<String, PackageFacts>, sqlx::Error> {
    if urns.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query!("select urn, delegable, assignable from access_package where urn = any($1)", urns).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.urn, PackageFacts { delegable: r.delegable, assignable: r.assignable })).collect())
}

/// A request that is not withdrawn, as stored (its status not yet adjusted
/// for time).
pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<SystemUserRequest>, sqlx::Error> {
    Ok(read(conn, Some(id), None, None, None, None, 1).await?.pop())
}

/// The requests of a system that are not withdrawn, of one kind or both,
/// oldest first, after `after`.
pub async fn by_system(
    conn: &mut PgConnection,
    system_id: &str,
    kind: Option<SystemUserKind>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SystemUserRequest>, sqlx::Error> {
    read(conn, None, Some(system_id), None, kind, after, limit).await
}

/// The request, not withdrawn, of one kind or both, for a system, customer and reference.
pub async fn by_external_ref(
    conn: &mut PgConnection,
    system_id: &str,
    org_no: &str,
    external_ref: &str,
    kind: Option<SystemUserKind>,
) -> Result<Option<SystemUserRequest>, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "select r.id from system_user_request r join party p on p.id = r.party_id
         where r.system_id = $1 and p.org_number = $2 and r.external_ref = $3 and r.deleted_at is null and ($4::text is null or r.kind = $4)
         order by r.created_at desc limit 1",
        system_id,
        org_no,
        external_ref,
        kind.map(SystemUserKind::as_str)
    )
    .fetch_optional(&mut *conn)
    .await?;
    match id {
        Some(id) => get(conn, id).await,
        None => Ok(None),
    }
}

async fn read(
    conn: &mut PgConnection,
    id: Option<Uuid>,
    system_id: Option<&str>,
    party: Option<PartyId>,
    kind: Option<SystemUserKind>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SystemUserRequest>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select r.id, r.kind, r.system_id, s.vendor_org_number, r.party_id, p.org_number as "org_number!", p.name as party_name, r.external_ref, r.integration_title,
                  r.status, r.redirect_url, r.escalated, r.created_at
           from system_user_request r
           join system_register s on s.system_id = r.system_id
           join party p on p.id = r.party_id
           where r.deleted_at is null and ($1::uuid is null or r.id = $1) and ($2::text is null or r.system_id = $2)
             and ($3::uuid is null or r.party_id = $3) and ($4::uuid is null or r.id > $4) and ($6::text is null or r.kind = $6)
           order by r.id
           limit $5"#,
        id,
        system_id,
        party.map(|p| p.0),
        after,
        limit,
        kind.map(SystemUserKind::as_str)
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let rights = sqlx::query!(
        "select request_id, resource_id, action from system_user_request_right where request_id = any($1) order by resource_id, action nulls first",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let packages = sqlx::query!("select request_id, package_urn from system_user_request_package where request_id = any($1) order by package_urn", &ids)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SystemUserRequest {
            rights: rights.iter().filter(|x| x.request_id == r.id).map(|x| SystemRight { resource: x.resource_id.clone(), action: x.action.clone() }).collect(),
            packages: packages.iter().filter(|x| x.request_id == r.id).map(|x| x.package_urn.clone()).collect(),
            id: r.id,
            kind: SystemUserKind::parse(&r.kind).unwrap_or_default(),
            system_id: r.system_id,
            vendor: r.vendor_org_number,
            party: PartyId(r.party_id),
            party_org_no: r.org_number,
            party_name: r.party_name,
            external_ref: r.external_ref,
            integration_title: r.integration_title,
            status: RequestStatus::parse(&r.status).unwrap_or(RequestStatus::Denied),
            redirect_url: r.redirect_url,
            escalated: r.escalated,
            created_at: r.created_at,
        })
        .collect())
}

/// The new requests of a customer that are not withdrawn.
pub async fn pending_for(conn: &mut PgConnection, party: PartyId) -> Result<Vec<SystemUserRequest>, sqlx::Error> {
    let mut list = read(conn, None, None, Some(party), None, None, 1000).await?;
    list.retain(|r| r.status == RequestStatus::New);
    Ok(list)
}

/// The status of a request that is not withdrawn, locking its row.
pub async fn status_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Option<RequestStatus>, sqlx::Error> {
    let status = sqlx::query_scalar!("select status from system_user_request where id = $1 and deleted_at is null for update", id).fetch_optional(conn).await?;
    Ok(status.and_then(|s| RequestStatus::parse(&s)))
}

pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: RequestStatus, by: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update system_user_request set status = $2, changed_at = $3, changed_by = $4 where id = $1", id, status.as_str(), now, by)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a new request forwarded; whether it was not already.
pub async fn escalate(conn: &mut PgConnection, id: Uuid, by: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update system_user_request set escalated = true, changed_at = $2, changed_by = $3 where id = $1 and not escalated and status = 'New' and deleted_at is null",
        id,
        now,
        by
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The system user an approved request creates: its id is the request's,
/// its kind the request's. An agent system user keeps the packages it
/// requires of each client.
pub async fn insert_system_user(conn: &mut PgConnection, r: &SystemUserRequest, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into system_user (id, system_id, party_id, external_ref, user_type, integration_title, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
        r.id,
        r.system_id,
        r.party.0,
        r.external_ref,
        r.kind.as_str(),
        r.integration_title,
        now
    )
    .execute(&mut *conn)
    .await?;
    if r.kind == SystemUserKind::Agent {
        sqlx::query!("insert into system_user_agent_package (system_user_id, package_urn) select $1, unnest($2::text[])", r.id, &r.packages)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The single rights an approved agent system user requires of each client
/// (scenario S9), one row per action.
pub async fn insert_agent_rights(conn: &mut PgConnection, system_user: Uuid, rights: &[(String, String)]) -> Result<(), sqlx::Error> {
    if rights.is_empty() {
        return Ok(());
    }
    let (resources, actions): (Vec<String>, Vec<String>) = rights.iter().cloned().unzip();
    sqlx::query!(
        "insert into system_user_agent_right (system_user_id, resource_id, action) select $1, unnest($2::text[]), unnest($3::text[]) on conflict do nothing",
        system_user,
        &resources,
        &actions
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A package the customer gives its new system user.
pub async fn insert_package_grant(
    conn: &mut PgConnection,
    id: Uuid,
    from: PartyId,
    system_user: Uuid,
    code: &str,
    granter: Option<PartyId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into access_grant (id, from_party, to_subject, to_kind, package_code, granted_by) values ($1, $2, $3, 'system_user', $4, $5)",
        id,
        from.0,
        system_user,
        code,
        granter.map(|p| p.0)
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A single right the customer gives its new system user.
pub async fn insert_right_grant(
    conn: &mut PgConnection,
    id: Uuid,
    from: PartyId,
    system_user: Uuid,
    resource: &str,
    action: &str,
    granter: Option<PartyId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into access_grant (id, from_party, to_subject, to_kind, resource_id, action, granted_by) values ($1, $2, $3, 'system_user', $4, $5, $6)",
        id,
        from.0,
        system_user,
        resource,
        action,
        granter.map(|p| p.0)
    )
    .execute(conn)
    .await?;
    Ok(())
}
