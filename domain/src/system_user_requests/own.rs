//! A system user the customer makes itself, of a system the register shows
//! to customers (`is_visible`) or of one of its own systems (a system it
//! developed itself, S7, or an installation on its own servers, S8), without
//! a vendor asking: the access manager picks the system, and the system user
//! gets every single right and access package the system lists (as Altinn's
//! "create system user" in the portal, which offers visible systems only). It is the vendor's request and its approval in one step: the
//! same rules as a request, the same delegation check as an approval, and a
//! request row kept as its origin, so deleting the system user lets the
//! vendor ask again as with any other.

use super::approval::{create_system_user, plan_grants};
use super::model::{RequestForCreate, RequestStatus, SystemUserKind, SystemUserRequest};
use super::rules;
use super::service::RequestError;
use super::store::{self, NewRequest};
use crate::audit::{AuditEvent, Outcome};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::system_register::{store as systems, RegisteredSystem, SystemOffer, SystemRight};
use uuid::Uuid;

/// Whether a customer with organisation number `org` may make a system user of `system` itself.
fn may_pick(system: &RegisteredSystem, org: Option<&str>) -> bool {
    !system.is_deleted && (system.is_visible || org == Some(system.vendor.as_str()))
}

/// The systems a customer may make a system user of: visible ones and its
/// own, not deleted, by id. For those who manage access for the party acted for.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn visible_systems(ctx: &Context) -> Result<Vec<RegisteredSystem>, RequestError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| RequestError::NotAccessManager)?;
    let mut conn = ctx.db().acquire().await?;
    let mut list = systems::list_visible(&mut conn).await?;
    if let Some(org) = systems::org_number(&mut conn, party).await? {
        list.extend(systems::list_by_vendor(&mut conn, &org).await?.into_iter().filter(|s| !s.is_visible));
    }
    list.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(list)
}

/// Makes a system user of the visible system `system_id` for the party the
/// actor acts for, named `title` (the system's name when empty), with every
/// right and package the system lists. Returns its id.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn create_own(ctx: &Context, system_id: &str, title: &str) -> Result<Uuid, RequestError> {
    const AUDIT: &str = "system_user.create_own";
    let target = system_id.trim().to_string();
    let refuse = |e: RequestError| async {
        ctx.audit_refusal(AUDIT, &target, &e, serde_json::json!({})).await;
        e
    };
    let Ok(party) = ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement) else {
        return Err(refuse(RequestError::NotAccessManager).await);
    };
    let mut conn = ctx.db().acquire().await?;
    let customer = systems::org_number_and_name(&mut conn, party).await?;
    let system = systems::get(&mut conn, &target).await?.filter(|s| may_pick(s, customer.as_ref().map(|(org, _)| org.as_str())));
    let (Some(system), Some((org, party_name))) = (system, customer) else {
        drop(conn);
        return Err(refuse(RequestError::SystemNotFound).await);
    };
    let input = RequestForCreate {
        kind: SystemUserKind::Standard,
        system_id: system.id.clone(),
        party_org_no: org.clone(),
        external_ref: None,
        integration_title: Some(title.to_string()),
        rights: system.rights.iter().map(|r| SystemRight { resource: r.resource.clone(), action: r.action.clone() }).collect(),
        packages: system.packages.iter().map(|p| p.urn.clone()).collect(),
        redirect_url: None,
    };
    let input = rules::normalise(&input);
    let facts = store::package_facts(&mut conn, &input.packages).await?;
    drop(conn);
    let offer = SystemOffer::from(&system);
    if let Err(rule) = rules::check(&input, &offer, &facts) {
        return Err(refuse(rule.into()).await);
    }
    let (external_ref, title) = rules::external_ref_and_title(&input, &offer);
    let now = ctx.now();
    let request = SystemUserRequest {
        id: Uuid::now_v7(),
        kind: SystemUserKind::Standard,
        system_id: system.id.clone(),
        vendor: system.vendor.clone(),
        party,
        party_org_no: org,
        party_name,
        external_ref,
        integration_title: title,
        rights: input.rights.clone(),
        packages: input.packages.clone(),
        status: RequestStatus::New,
        redirect_url: None,
        escalated: false,
        created_at: now,
    };
    let mut uow = ctx.begin().await?;
    if store::system_user_exists(uow.conn(), party, &system.id, &request.external_ref).await? {
        drop(uow);
        return Err(refuse(RequestError::SystemUserExists).await);
    }
    let (grants, not_delegable) = plan_grants(ctx, uow.conn(), party, &request, &system).await?;
    if !not_delegable.packages.is_empty() || !not_delegable.rights.is_empty() {
        drop(uow);
        return Err(refuse(RequestError::CannotDelegate(not_delegable)).await);
    }
    let new = NewRequest {
        id: request.id,
        kind: request.kind,
        system_id: &request.system_id,
        party,
        external_ref: &request.external_ref,
        integration_title: &request.integration_title,
        redirect_url: None,
        rights: &request.rights,
        packages: &request.packages,
        created_by: &ctx.actor().label,
        now,
    };
    // A request of the vendor's for the same system user: one waiting is
    // to be approved instead; one rejected before gives way to this.
    if let Some(live) = store::live_id(uow.conn(), party, &system.id, &request.external_ref).await? {
        if store::status_for_update(uow.conn(), live).await? == Some(RequestStatus::New) {
            drop(uow);
            return Err(refuse(RequestError::Pending(live)).await);
        }
        store::withdraw(uow.conn(), live, &ctx.actor().label, now).await?;
    }
    store::insert(uow.conn(), &new).await?;
    create_system_user(ctx, &mut uow, &request, &grants).await?;
    let details = serde_json::json!({ "system": system.id, "title": request.integration_title, "packages": request.packages,
        "rights": request.rights.iter().map(crate::system_register::rules::right_label).collect::<Vec<_>>() });
    uow.audit(AuditEvent::new(AUDIT, request.id.to_string(), Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(request.id)
}
