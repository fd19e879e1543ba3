//! The customer's side of a request: its access manager sees who asks, for
//! which system, every access package and single right, and approves or
//! rejects it; someone related to the customer who cannot approve forwards
//! it to the access managers (Altinn's "escalate").
//!
//! Approving needs access management for the customer (`authz`) **and** the
//! right to pass on each requested package and right: whoever approves gives
//! them to the system, so they may give only what they could give anyone
//! (Altinn's delegation check). When an item fails, nothing is created and
//! the refusal names every such item. Approval creates the system user (its
//! id is the request's), grants every package and right to it, and marks
//! the request accepted, in one transaction, audited. An agent request asks
//! for access management only, and its approval gives nothing: the agent
//! system user keeps the packages it requires of each client, who give them
//! when attached. The engine sees the
//! new system user before the use case returns. A forwarded request and a
//! new system user each leave a notice for the customer's access managers
//! in the same transaction (`notifications`).

use super::model::{RequestStatus, SystemUserKind, SystemUserRequest};
use super::rules;
use super::service::{as_now, time_out_due, RequestError};
use super::store;
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::decisions::{decide, DecisionRequest, Env, SubjectRef};
use crate::notifications::NoticeKind;
use crate::parties::PartyId;
use crate::system_register::{store as systems, RegisteredSystem, SystemRight, Translated};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An access package of a request, as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageItem {
    pub urn: String,
    pub code: String,
    pub name: Translated,
    pub description: Translated,
    /// Whether the viewer may pass it on (only worked out for those who may approve).
    pub can_delegate: bool,
}

/// A single right of a request, as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightItem {
    pub resource: String,
    /// One action, or every action of the resource when `None`.
    pub action: Option<String>,
    pub title: Translated,
    pub can_delegate: bool,
}

/// A request as its customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestForCustomer {
    pub request: SystemUserRequest,
    pub system_name: Translated,
    pub system_description: Translated,
    pub vendor_name: Option<String>,
    pub packages: Vec<PackageItem>,
    pub rights: Vec<RightItem>,
    /// The viewer manages access for the customer.
    pub may_approve: bool,
    /// The viewer is related to the customer but cannot approve, and the
    /// request is new and not forwarded yet.
    pub may_forward: bool,
}

/// What the viewer could not pass on, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NotDelegable {
    pub packages: Vec<String>,
    pub rights: Vec<String>,
}

/// The request, if it is the customer's the actor acts for and the actor
/// may act for it.
async fn customers_request(ctx: &Context, id: Uuid) -> Result<(SystemUserRequest, PartyId), RequestError> {
    let request = store::get(&mut *ctx.db().acquire().await?, id).await?.ok_or(RequestError::NotFound)?;
    let request = as_now(ctx, request);
    if ctx.party() != Some(request.party) {
        return Err(RequestError::NotFound);
    }
    if ctx.person().is_some() && crate::authorized_parties::ensure_may_act_for(ctx, request.party).await.is_err() {
        return Err(RequestError::NotFound);
    }
    let party = request.party;
    Ok((request, party))
}

/// The request for the customer's people: what is asked, by whom, and what
/// the viewer may do with it.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn for_customer(ctx: &Context, id: Uuid) -> Result<RequestForCustomer, RequestError> {
    let (request, party) = customers_request(ctx, id).await?;
    let mut conn = ctx.db().acquire().await?;
    let system = systems::get(&mut conn, &request.system_id).await?.ok_or(RequestError::NotFound)?;
    let may_approve = ctx.may(Action::Write, SystemResource::AccessManagement, party);
    let mut packages = Vec::new();
    for p in package_names(&mut conn, &request.packages).await? {
        // An agent's packages are not passed on by the firm but required of
        // its clients: the approver may approve them while the system offers them.
        let can_delegate = may_approve
            && match request.kind {
                SystemUserKind::Agent => system.packages.iter().any(|s| s.urn == p.urn),
                SystemUserKind::Standard => may_pass_on(ctx, &mut conn, party, &p.urn, &p.code).await?,
            };
        packages.push(PackageItem { can_delegate, ..p });
    }
    let offered = offered_rights(&system);
    let mut rights = Vec::new();
    for r in &request.rights {
        let title = system.rights.iter().find(|s| s.resource == r.resource).map(|s| s.title.clone()).unwrap_or_default();
        // An agent's rights, like its packages, are required of its clients.
        let can_delegate = may_approve
            && match request.kind {
                SystemUserKind::Agent => rules::system_offers(&offered, r),
                SystemUserKind::Standard => may_delegate_right(ctx, &mut conn, party, r).await?,
            };
        rights.push(RightItem { resource: r.resource.clone(), action: r.action.clone(), title, can_delegate });
    }
    let may_forward = !may_approve && request.status == RequestStatus::New && !request.escalated && ctx.person().is_some();
    Ok(RequestForCustomer {
        system_name: system.name.clone(),
        system_description: system.description.clone(),
        vendor_name: system.vendor_name.clone(),
        packages,
        rights,
        may_approve,
        may_forward,
        request,
    })
}

/// The new requests of the party the actor acts for, forwarded ones first;
/// for its access managers.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn pending(ctx: &Context) -> Result<Vec<SystemUserRequest>, RequestError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| RequestError::NotAccessManager)?;
    let mut list: Vec<SystemUserRequest> = store::pending_for(&mut *ctx.db().acquire().await?, party)
        .await?
        .into_iter()
        .map(|r| as_now(ctx, r))
        .filter(|r| r.status == RequestStatus::New)
        .collect();
    list.sort_by_key(|r| (!r.escalated, r.created_at));
    Ok(list)
}

pub(super) async fn package_names(conn: &mut sqlx::PgConnection, urns: &[String]) -> Result<Vec<PackageItem>, sqlx::Error> {
    let rows = sqlx::query!(
        "select urn, code, name_nb, name_nn, name_en, description_nb, description_nn, description_en from access_package where urn = any($1) order by name_nb",
        urns
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PackageItem {
            urn: r.urn,
            code: r.code,
            name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
            description: Translated { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
            can_delegate: false,
        })
        .collect())
}

pub(super) async fn may_pass_on(ctx: &Context, conn: &mut sqlx::PgConnection, party: PartyId, urn: &str, code: &str) -> Result<bool, sqlx::Error> {
    match ctx.person() {
        Some(person) => crate::grants::store::may_pass_on(conn, person, party, urn, code).await,
        None => Ok(ctx.may(Action::Write, SystemResource::AccessManagement, party)),
    }
}

/// The actions a right stands for: its own, or every action the resource's
/// policy names when it has none.
pub(super) async fn actions_of(conn: &mut sqlx::PgConnection, right: &SystemRight) -> Result<Vec<String>, sqlx::Error> {
    if let Some(a) = &right.action {
        return Ok(vec![a.clone()]);
    }
    let Some(resource) = crate::resources::store::get(conn, &right.resource).await? else { return Ok(Vec::new()) };
    let mut actions: Vec<String> = resource.policy.rules.iter().flat_map(|r| r.actions.iter().cloned()).collect();
    actions.sort();
    actions.dedup();
    Ok(actions)
}

/// Whether the viewer may pass on a single right: they hold it themselves
/// for the customer (the engine permits them every action it stands for).
pub(super) async fn may_delegate_right(ctx: &Context, conn: &mut sqlx::PgConnection, party: PartyId, right: &SystemRight) -> Result<bool, sqlx::Error> {
    let actions = actions_of(conn, right).await?;
    Ok(may_delegate_actions(ctx, party, &right.resource, &actions))
}

/// Whether the viewer may pass on each of `actions` on `resource` for `party`
/// (none: nothing to pass on, so no). Decided in memory by the engine.
fn may_delegate_actions(ctx: &Context, party: PartyId, resource: &str, actions: &[String]) -> bool {
    let Some(person) = ctx.person() else { return ctx.may(Action::Write, SystemResource::AccessManagement, party) && !actions.is_empty() };
    let snapshot = ctx.snapshot();
    !actions.is_empty()
        && actions.iter().all(|action| {
            let request = DecisionRequest { subject: SubjectRef::Party(person.0), action, resource, party: party.0, env: Env::now() };
            decide(&snapshot, &request).outcome == crate::decisions::Outcome::Permit
        })
}

/// The decision the customer's access manager takes on a new request.
async fn begin_decision(ctx: &Context, id: Uuid, audit_action: &str) -> Result<(crate::audit::UnitOfWork, SystemUserRequest, PartyId), RequestError> {
    let target = id.to_string();
    let (request, party) = match customers_request(ctx, id).await {
        Ok(r) => r,
        Err(e) => return Err(refuse(ctx, audit_action, &target, e).await),
    };
    if request.status == RequestStatus::Timedout {
        time_out_due(ctx, Some(id)).await?;
    }
    if !ctx.may(Action::Write, SystemResource::AccessManagement, party) {
        return Err(refuse(ctx, audit_action, &target, RequestError::NotAccessManager).await);
    }
    let mut uow = ctx.begin().await?;
    let status = store::status_for_update(uow.conn(), id).await?;
    if status != Some(RequestStatus::New) {
        drop(uow);
        let status = status.unwrap_or(RequestStatus::Denied);
        return Err(refuse(ctx, audit_action, &target, RequestError::NotNew(status)).await);
    }
    Ok((uow, request, party))
}

async fn refuse(ctx: &Context, action: &str, target: &str, e: RequestError) -> RequestError {
    ctx.audit_refusal(action, target, &e, serde_json::json!({})).await;
    e
}

/// Approves a new request: creates the system user, gives it every package
/// and right asked for, and marks the request accepted, in one transaction.
/// The request's redirect URL, if any, is where the browser goes next.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn approve(ctx: &Context, id: Uuid) -> Result<SystemUserRequest, RequestError> {
    const AUDIT: &str = "system_user_request.approve";
    let target = id.to_string();
    let (mut uow, request, party) = begin_decision(ctx, id, AUDIT).await?;
    let system = systems::get(uow.conn(), &request.system_id).await?;
    let Some(system) = system.filter(|s| !s.is_deleted) else {
        drop(uow);
        return Err(refuse(ctx, AUDIT, &target, RequestError::SystemNotFound).await);
    };
    if store::system_user_exists(uow.conn(), party, &system.id, &request.external_ref).await? {
        drop(uow);
        return Err(refuse(ctx, AUDIT, &target, RequestError::SystemUserExists).await);
    }
    let (grants, agent_rights, not_delegable) = match request.kind {
        SystemUserKind::Standard => {
            let (grants, not) = plan_grants(ctx, uow.conn(), party, &request, &system).await?;
            (grants, Vec::new(), not)
        }
        SystemUserKind::Agent => {
            let (rights, not) = still_offered(uow.conn(), &request, &system).await?;
            (Vec::new(), rights, not)
        }
    };
    if !not_delegable.packages.is_empty() || !not_delegable.rights.is_empty() {
        drop(uow);
        return Err(refuse(ctx, AUDIT, &target, RequestError::CannotDelegate(not_delegable)).await);
    }
    create_system_user(ctx, &mut uow, &request, &grants).await?;
    store::insert_agent_rights(uow.conn(), request.id, &agent_rights).await?;
    let details = serde_json::json!({
        "kind": request.kind.as_str(), "system": system.id, "packages": request.packages,
        "rights": request.rights.iter().map(crate::system_register::rules::right_label).collect::<Vec<_>>(),
    });
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, details)).await?;
    uow.audit(AuditEvent::new(
        "system_user.create",
        &target,
        Outcome::Success,
        serde_json::json!({ "system": system.id, "title": request.integration_title, "kind": request.kind.as_str() }),
    ))
    .await?;
    ctx.commit(uow).await?;
    Ok(SystemUserRequest { status: RequestStatus::Accepted, ..request })
}

/// Creates the system user the request asks for, gives it every planned
/// grant, and marks the request accepted, in the caller's transaction.
pub(super) async fn create_system_user(ctx: &Context, uow: &mut UnitOfWork, request: &SystemUserRequest, grants: &[PlannedGrant]) -> Result<(), sqlx::Error> {
    let now = ctx.now();
    let granter = ctx.person();
    store::insert_system_user(uow.conn(), request, now).await?;
    for g in grants {
        let grant_id = Uuid::now_v7();
        match g {
            PlannedGrant::Package(code) => store::insert_package_grant(uow.conn(), grant_id, request.party, request.id, code, granter).await?,
            PlannedGrant::Right { resource, action } => {
                store::insert_right_grant(uow.conn(), grant_id, request.party, request.id, resource, action, granter).await?
            }
        }
        record_change(uow.conn(), Change::Grant(grant_id)).await?;
    }
    record_change(uow.conn(), Change::Rebuild("system_user")).await?;
    crate::notifications::store::enqueue(uow.conn(), request.party, NoticeKind::SystemUserCreated, request.id, &request.integration_title, now).await?;
    store::set_status(uow.conn(), request.id, RequestStatus::Accepted, &ctx.actor().label, now).await
}

/// One grant the approval gives the new system user.
pub(super) enum PlannedGrant {
    Package(String),
    Right { resource: String, action: String },
}

/// The grants an approval gives, and what the approver could not pass on.
pub(super) async fn plan_grants(
    ctx: &Context,
    conn: &mut sqlx::PgConnection,
    party: PartyId,
    request: &SystemUserRequest,
    system: &RegisteredSystem,
) -> Result<(Vec<PlannedGrant>, NotDelegable), RequestError> {
    let mut grants = Vec::new();
    let mut not = NotDelegable::default();
    for p in package_names(conn, &request.packages).await? {
        let listed = system.packages.iter().any(|s| s.urn == p.urn);
        if listed && may_pass_on(ctx, conn, party, &p.urn, &p.code).await? {
            grants.push(PlannedGrant::Package(p.code));
        } else {
            not.packages.push(p.name.nb);
        }
    }
    let offered = offered_rights(system);
    for r in &request.rights {
        // The resource's policy is read once per right, for the check and the grants.
        let actions = if rules::system_offers(&offered, r) { actions_of(conn, r).await? } else { Vec::new() };
        if may_delegate_actions(ctx, party, &r.resource, &actions) {
            for action in actions {
                grants.push(PlannedGrant::Right { resource: r.resource.clone(), action });
            }
        } else {
            not.rights.push(crate::system_register::rules::right_label(r));
        }
    }
    Ok((grants, not))
}

/// An agent request's single rights, each action by itself (a right to
/// every action of a resource stands for the actions its policy names now),
/// and what the system no longer offers of it, by name: an agent's
/// packages and rights are required of its clients, not passed on by the
/// firm, so only the system's offer is checked.
async fn still_offered(
    conn: &mut sqlx::PgConnection,
    request: &SystemUserRequest,
    system: &RegisteredSystem,
) -> Result<(Vec<(String, String)>, NotDelegable), sqlx::Error> {
    let gone = package_names(conn, &request.packages).await?.into_iter().filter(|p| !system.packages.iter().any(|s| s.urn == p.urn));
    let mut not = NotDelegable { packages: gone.map(|p| p.name.nb).collect(), rights: Vec::new() };
    let offered = offered_rights(system);
    let mut rights = Vec::new();
    for r in &request.rights {
        let actions = if rules::system_offers(&offered, r) { actions_of(conn, r).await? } else { Vec::new() };
        if actions.is_empty() {
            not.rights.push(crate::system_register::rules::right_label(r));
        }
        rights.extend(actions.into_iter().map(|a| (r.resource.clone(), a)));
    }
    Ok((rights, not))
}

/// The single rights a system offers, as the rules compare them.
fn offered_rights(system: &RegisteredSystem) -> Vec<SystemRight> {
    system.rights.iter().map(|r| SystemRight { resource: r.resource.clone(), action: r.action.clone() }).collect()
}

/// Rejects a new request; the vendor learns it from the request's status.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn reject(ctx: &Context, id: Uuid) -> Result<SystemUserRequest, RequestError> {
    const AUDIT: &str = "system_user_request.reject";
    let (mut uow, request, _) = begin_decision(ctx, id, AUDIT).await?;
    store::set_status(uow.conn(), id, RequestStatus::Rejected, &ctx.actor().label, ctx.now()).await?;
    uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "system": request.system_id }))).await?;
    uow.commit().await?;
    Ok(SystemUserRequest { status: RequestStatus::Rejected, ..request })
}

/// Forwards a new request to the customer's access managers: for someone
/// related to the customer who cannot approve it. They find it among the
/// party's pending requests.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn forward(ctx: &Context, id: Uuid) -> Result<SystemUserRequest, RequestError> {
    const AUDIT: &str = "system_user_request.forward";
    let target = id.to_string();
    let (request, _) = match customers_request(ctx, id).await {
        Ok(r) => r,
        Err(e) => return Err(refuse(ctx, AUDIT, &target, e).await),
    };
    if request.status != RequestStatus::New {
        return Err(refuse(ctx, AUDIT, &target, RequestError::NotNew(request.status)).await);
    }
    if request.escalated {
        return Err(refuse(ctx, AUDIT, &target, RequestError::AlreadyForwarded).await);
    }
    let mut uow = ctx.begin().await?;
    if !store::escalate(uow.conn(), id, &ctx.actor().label, ctx.now()).await? {
        drop(uow);
        return Err(refuse(ctx, AUDIT, &target, RequestError::AlreadyForwarded).await);
    }
    crate::notifications::store::enqueue(uow.conn(), request.party, NoticeKind::RequestForwarded, id, &request.integration_title, ctx.now()).await?;
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, serde_json::json!({ "system": request.system_id }))).await?;
    uow.commit().await?;
    Ok(SystemUserRequest { escalated: true, ..request })
}

/// Where the browser goes after the request was decided: the vendor's page
/// the request names (checked against the system's allowed URLs when it was
/// sent), or `None` to stay in the portal.
pub async fn after_decision(ctx: &Context, id: Uuid) -> Result<Option<String>, RequestError> {
    let (request, _) = customers_request(ctx, id).await?;
    Ok(request.redirect_url.filter(|_| request.status.decided_by_customer()))
}
