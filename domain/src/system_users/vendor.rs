//! The system users of a vendor's systems, as the vendor reads them (Altinn's
//! `systemuser/vendor/bysystem` and `…/byquery`), and the token service's
//! lookup of one (`systemuser/byExternalId`). Each answers in Altinn's
//! external shape ([`SystemUserForVendor`]); a system or system user that is
//! not the caller's is not found, as Altinn does.

use super::SystemUserError;
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::system_register::store as systems;
use crate::system_user_requests::Page;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The most system users one page holds.
pub const PAGE_SIZE: i64 = 100;

/// A system user as its vendor and a token service see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserForVendor {
    pub id: Uuid,
    pub integration_title: String,
    pub system_id: String,
    /// The owner's organisation number: the customer, or the firm for an agent system user.
    pub owner_org_no: String,
    pub vendor_org_no: String,
    pub vendor_name: Option<String>,
    pub external_ref: String,
    /// `standard` or `agent`.
    pub user_type: String,
    pub created_at: OffsetDateTime,
}

/// What to look for; `None` leaves a condition out.
#[derive(Default)]
struct Query<'a> {
    system_id: Option<&'a str>,
    owner_org: Option<&'a str>,
    external_ref: Option<&'a str>,
    client_id: Option<&'a str>,
    vendor_org: Option<&'a str>,
    after: Option<Uuid>,
}

/// The system users in force (not deleted, of a system not deleted) that
/// match, by id.
async fn find(ctx: &Context, q: Query<'_>, limit: i64) -> Result<Vec<SystemUserForVendor>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select su.id as "id!", su.display_name as "title!", su.system_id as "system_id!", p.org_number as "owner!",
                  su.vendor_org_number as "vendor!", su.external_ref as "external_ref!", su.user_type as "user_type!", su.created_at as "created_at!",
                  (select v.name from party v where v.org_number = su.vendor_org_number and v.kind = 'organisation' and v.status = 'active' limit 1) as vendor_name
           from system_user_in_force su
           join party p on p.id = su.party_id
           join system_register sr on sr.system_id = su.system_id
           where ($1::text is null or su.system_id = $1) and ($2::text is null or p.org_number = $2)
             and ($3::text is null or su.external_ref = $3) and ($4::text is null or $4 = any(sr.client_ids))
             and ($5::text is null or su.vendor_org_number = $5) and ($6::uuid is null or su.id > $6)
           order by su.id
           limit $7"#,
        q.system_id,
        q.owner_org,
        q.external_ref,
        q.client_id,
        q.vendor_org,
        q.after,
        limit
    )
    .fetch_all(ctx.db())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SystemUserForVendor {
            id: r.id,
            integration_title: r.title,
            system_id: r.system_id,
            owner_org_no: r.owner,
            vendor_org_no: r.vendor,
            vendor_name: r.vendor_name,
            external_ref: r.external_ref,
            user_type: r.user_type,
            created_at: r.created_at,
        })
        .collect())
}

/// Whether the actor may `action` `resource` for the vendor of `system_id`
/// (a system not deleted).
async fn may_for_system(ctx: &Context, action: Action, resource: SystemResource, system_id: &str) -> Result<bool, sqlx::Error> {
    let mut conn = ctx.db().acquire().await?;
    let Some(system) = systems::get(&mut conn, system_id).await?.filter(|s| !s.is_deleted) else { return Ok(false) };
    let vendor = systems::organisation(&mut conn, &system.vendor).await?;
    Ok(vendor.is_some_and(|v| ctx.may(action, resource, v)))
}

/// One page of the system users of one of the caller's systems, by id; for
/// the system's vendor with the register's scope (as Altinn).
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_system(ctx: &Context, system_id: &str, after: Option<Uuid>) -> Result<Page<SystemUserForVendor>, SystemUserError> {
    let system_id = system_id.trim();
    if !may_for_system(ctx, Action::Read, SystemResource::SystemRegister, system_id).await? {
        return Err(SystemUserError::SystemNotFound);
    }
    let items = find(ctx, Query { system_id: Some(system_id), after, ..Query::default() }, PAGE_SIZE + 1).await?;
    Ok(Page::cut(items, PAGE_SIZE, |s| s.id))
}

/// The system user of one of the caller's systems for a customer and
/// reference (the customer's organisation number when left out); for the
/// system's vendor with a request scope.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_query(ctx: &Context, system_id: &str, org_no: &str, external_ref: Option<&str>) -> Result<SystemUserForVendor, SystemUserError> {
    let (system_id, org_no) = (required("system-id", system_id)?, required("orgno", org_no)?);
    let external_ref = external_ref.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(org_no);
    if !may_for_system(ctx, Action::Read, SystemResource::SystemUserRequests, system_id).await? {
        return Err(SystemUserError::SystemNotFound);
    }
    let q = Query { system_id: Some(system_id), owner_org: Some(org_no), external_ref: Some(external_ref), ..Query::default() };
    find(ctx, q, 1).await?.pop().ok_or(SystemUserError::NotFound)
}

/// The system user a token service issues a token for: the one of the
/// owner, in force, of a system of the vendor that lists the client, with
/// the reference (the owner's organisation number when left out). For an API
/// client with the lookup scope.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_external_id(
    ctx: &Context,
    client_id: &str,
    vendor_org: &str,
    owner_org: &str,
    external_ref: Option<&str>,
) -> Result<SystemUserForVendor, SystemUserError> {
    let client_id = required("clientId", client_id)?;
    let vendor_org = required("systemProviderOrgNo", vendor_org)?;
    let owner_org = required("systemUserOwnerOrgNo", owner_org)?;
    let external_ref = external_ref.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(owner_org);
    // An owner not in the register is asked about as a party no one is: the
    // caller learns it is not found only once it may look up at all.
    let owner = systems::organisation(&mut *ctx.db().acquire().await?, owner_org).await?.unwrap_or(crate::parties::PartyId(Uuid::nil()));
    if !ctx.may(Action::Read, SystemResource::SystemUserLookup, owner) {
        return Err(SystemUserError::NotAccessManager);
    }
    let q =
        Query { owner_org: Some(owner_org), external_ref: Some(external_ref), client_id: Some(client_id), vendor_org: Some(vendor_org), ..Query::default() };
    find(ctx, q, 1).await?.pop().ok_or(SystemUserError::NotFound)
}

/// The parameter trimmed, or a refusal naming it when it is empty.
fn required<'a>(name: &'static str, value: &'a str) -> Result<&'a str, SystemUserError> {
    let value = value.trim();
    if value.is_empty() {
        Err(SystemUserError::Missing(name))
    } else {
        Ok(value)
    }
}
