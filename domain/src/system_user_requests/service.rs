//! The requests' use cases for the vendor: send (idempotent on customer,
//! system and reference), read by id, by reference and per system, and
//! withdraw. The customer's side (approve, reject, forward) follows.
//!
//! Authorization is `authz`'s (`SystemResource::SystemUserRequests` for the
//! system's vendor). A request or system that is not the caller's is
//! answered as not found, as Altinn does. Every change and every refused
//! change is audited.

use super::model::{Page, RequestForCreate, RequestStatus, SystemUserKind, SystemUserRequest};
use super::rules::{self, RequestRule};
use super::store::{self, NewRequest};
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::parties::{OrgNumber, PartyId};
use crate::system_register::store as systems;
use uuid::Uuid;

/// The most requests one page of a list holds, as Altinn's.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// No such system, or not the caller's.
    #[error("no such system")]
    SystemNotFound,
    #[error("the customer organisation is not in the register of parties")]
    CustomerNotFound,
    #[error("the customer already has a system user of this system with this external reference")]
    SystemUserExists,
    #[error("{0}")]
    Rule(#[from] RequestRule),
    /// No such request, or not the caller's.
    #[error("no such request")]
    NotFound,
    #[error("the request is {}, not new", .0.as_str())]
    NotNew(RequestStatus),
    #[error("only the customer's access managers may decide the request")]
    NotAccessManager,
    #[error("you may not pass on {}", describe(.0))]
    CannotDelegate(super::approval::NotDelegable),
    #[error("the request has been forwarded already")]
    AlreadyForwarded,
    /// The vendor's request for the same system user waits for approval.
    #[error("the vendor has asked for this system user already (request {0})")]
    Pending(Uuid),
    /// A repeat on the other kind's path: the live request for the same
    /// customer, system and reference is of the other kind, so answering
    /// with it would hand a standard request to an agent path or back.
    #[error("a live {kind} request for the same customer, system and reference exists (request {0})", kind = .1.as_str())]
    OtherKind(Uuid, SystemUserKind),
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

fn describe(n: &super::approval::NotDelegable) -> String {
    n.packages.iter().chain(&n.rights).cloned().collect::<Vec<_>>().join(", ")
}

impl From<RequestError> for crate::error::Failure {
    fn from(e: RequestError) -> Self {
        use crate::error::{Failure, Refusal};
        Failure::Refused(match e {
            RequestError::Store(e) => return e.into(),
            RequestError::NotAccessManager => return Failure::NotAllowed,
            RequestError::SystemNotFound | RequestError::NotFound | RequestError::CustomerNotFound => Refusal::RequestNotFound,
            RequestError::SystemUserExists => Refusal::RequestSystemUserExists,
            RequestError::Rule(_) => Refusal::RequestInvalid,
            RequestError::NotNew(status) => match status {
                RequestStatus::Accepted => Refusal::RequestAccepted,
                RequestStatus::Rejected | RequestStatus::Denied => Refusal::RequestRejected,
                RequestStatus::Timedout | RequestStatus::New => Refusal::RequestTimedOut,
            },
            RequestError::CannotDelegate(n) => {
                let list = |items: &[String]| if items.is_empty() { "–".to_string() } else { items.join(", ") };
                Refusal::RequestNotDelegable(list(&n.packages), list(&n.rights))
            }
            RequestError::AlreadyForwarded => Refusal::RequestForwarded,
            RequestError::Pending(id) | RequestError::OtherKind(id, _) => Refusal::RequestPending(id.to_string()),
        })
    }
}

impl From<sqlx::Error> for RequestError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// A sent request, and whether this call made it (`false`: it was there,
/// and the repeat answers with it).
#[derive(Debug)]
pub struct Sent {
    pub request: SystemUserRequest,
    pub new: bool,
}

async fn refuse(ctx: &Context, action: &str, target: &str, e: RequestError) -> RequestError {
    ctx.audit_refusal(action, target, &e, serde_json::json!({})).await;
    e
}

/// The request as it stands now (a new one past its time has timed out).
pub(super) fn as_now(ctx: &Context, mut r: SystemUserRequest) -> SystemUserRequest {
    r.status = rules::status_at(r.status, r.created_at, ctx.now(), ctx.settings().request_timeout);
    r
}

/// Marks the request timed out if its time has passed (or every due request
/// when `only` is `None`), as the installation, audited.
pub async fn time_out_due(ctx: &Context, only: Option<Uuid>) -> Result<usize, RequestError> {
    let now = ctx.now();
    let mut uow = UnitOfWork::begin(ctx.db(), Actor::system("request-timeout"), ctx.clock()).await?;
    let ids = store::time_out(uow.conn(), now - ctx.settings().request_timeout, only, now).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    for id in &ids {
        uow.audit(AuditEvent::new("system_user_request.timeout", id.to_string(), Outcome::Success, serde_json::json!({}))).await?;
    }
    uow.commit().await?;
    Ok(ids.len())
}

/// Sends a request for a customer's system user of one of the caller's
/// systems. A live request for the same customer, system and reference
/// answers the repeat, whatever its status, so the vendor learns it; one
/// that timed out no longer counts. A live one of the other kind is a
/// conflict, not an answer.
#[tracing::instrument(skip_all, fields(system = %input.system_id, request_id = ctx.request_id()))]
pub async fn send(ctx: &Context, input: &RequestForCreate) -> Result<Sent, RequestError> {
    const AUDIT: &str = "system_user_request.create";
    let input = &rules::normalise(input);
    let target = format!("{}:{}", input.system_id, input.party_org_no);
    // One connection for every read before the write: this path is the
    // vendor API's busiest (see docs/benchmarks.md).
    let mut conn = ctx.db().acquire().await?;
    let Some((system, Some(vendor))) = systems::offer(&mut conn, input.system_id.trim()).await? else {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, RequestError::SystemNotFound).await);
    };
    if !ctx.may(Action::Write, SystemResource::SystemUserRequests, vendor) {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, RequestError::SystemNotFound).await);
    }
    let ctx = &ctx.acting_for(vendor);
    let (external_ref, title) = rules::external_ref_and_title(input, &system);
    // The customer, its live request and its system user in one round trip.
    let customer = match OrgNumber::try_from(input.party_org_no.trim()) {
        Ok(org) => store::customer(&mut conn, org.as_str(), &system.id, &external_ref).await?,
        Err(_) => None,
    };
    let facts = store::package_facts(&mut conn, &input.packages).await?;
    drop(conn);
    let Some(customer) = customer else {
        return Err(refuse(ctx, AUDIT, &target, RequestError::CustomerNotFound).await);
    };
    if customer.live.is_some() {
        if let Some(existing) = live(ctx, customer.party, &system.id, &external_ref).await? {
            if existing.kind != input.kind {
                return Err(refuse(ctx, AUDIT, &target, RequestError::OtherKind(existing.id, existing.kind)).await);
            }
            return Ok(Sent { request: existing, new: false });
        }
    }
    if customer.has_system_user {
        return Err(refuse(ctx, AUDIT, &target, RequestError::SystemUserExists).await);
    }
    if let Err(rule) = rules::check(input, &system, &facts) {
        return Err(refuse(ctx, AUDIT, &target, rule.into()).await);
    }
    let id = Uuid::now_v7();
    let now = ctx.now();
    let new = NewRequest {
        id,
        kind: input.kind,
        system_id: &system.id,
        party: customer.party,
        external_ref: &external_ref,
        integration_title: &title,
        redirect_url: input.redirect_url.as_deref(),
        rights: &input.rights,
        packages: &input.packages,
        created_by: &ctx.actor().label,
        now,
    };
    let mut uow = ctx.begin().await?;
    let inserted = store::insert(uow.conn(), &new).await;
    if crate::db::violated(&inserted, "system_user_request_live") {
        // Sent twice at once: the other one won; answer with it.
        drop(uow);
        return match live(ctx, customer.party, &system.id, &external_ref).await? {
            Some(existing) if existing.kind != input.kind => Err(RequestError::OtherKind(existing.id, existing.kind)),
            Some(existing) => Ok(Sent { request: existing, new: false }),
            None => Err(RequestError::NotFound),
        };
    }
    inserted?;
    uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "system": system.id, "customer": input.party_org_no }))).await?;
    uow.commit().await?;
    // What was written, without reading it back.
    let request = SystemUserRequest {
        id,
        kind: input.kind,
        system_id: system.id.clone(),
        vendor: system.vendor.clone(),
        party: customer.party,
        party_org_no: input.party_org_no.clone(),
        party_name: customer.name,
        external_ref,
        integration_title: title,
        rights: input.rights.clone(),
        packages: input.packages.clone(),
        status: RequestStatus::New,
        redirect_url: input.redirect_url.clone(),
        escalated: false,
        created_at: now,
    };
    Ok(Sent { request, new: true })
}

/// The live request for the customer, system and reference, once a new one
/// past its time has been marked timed out (it then no longer counts).
async fn live(ctx: &Context, customer: PartyId, system_id: &str, external_ref: &str) -> Result<Option<SystemUserRequest>, RequestError> {
    let id = store::live_id(&mut *ctx.db().acquire().await?, customer, system_id, external_ref).await?;
    let Some(id) = id else { return Ok(None) };
    let Some(request) = read(ctx, id).await? else { return Ok(None) };
    if request.status == RequestStatus::Timedout {
        time_out_due(ctx, Some(id)).await?;
        return Ok(None);
    }
    Ok(Some(request))
}

async fn read(ctx: &Context, id: Uuid) -> Result<Option<SystemUserRequest>, RequestError> {
    let r = store::get(&mut *ctx.db().acquire().await?, id).await?;
    Ok(r.map(|r| as_now(ctx, r)))
}

/// Whether the actor may `action` the requests of `vendor`'s systems.
pub(super) async fn may_for_vendor(ctx: &Context, action: Action, vendor: &str) -> Result<bool, RequestError> {
    let party = systems::organisation(&mut *ctx.db().acquire().await?, vendor).await?;
    Ok(party.is_some_and(|p| ctx.may(action, SystemResource::SystemUserRequests, p)))
}

/// One of the caller's requests, by id.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn get(ctx: &Context, id: Uuid) -> Result<SystemUserRequest, RequestError> {
    let request = read(ctx, id).await?.ok_or(RequestError::NotFound)?;
    if !may_for_vendor(ctx, Action::Read, &request.vendor).await? {
        return Err(RequestError::NotFound);
    }
    Ok(request)
}

/// The caller's request of `kind` (either when `None`) for a system, customer and reference.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_external_ref(
    ctx: &Context,
    kind: Option<SystemUserKind>,
    system_id: &str,
    org_no: &str,
    external_ref: &str,
) -> Result<SystemUserRequest, RequestError> {
    let found = store::by_external_ref(&mut *ctx.db().acquire().await?, system_id.trim(), org_no.trim(), external_ref.trim(), kind).await?;
    let request = found.map(|r| as_now(ctx, r)).ok_or(RequestError::NotFound)?;
    if !may_for_vendor(ctx, Action::Read, &request.vendor).await? {
        return Err(RequestError::NotFound);
    }
    Ok(request)
}

/// One page of the requests of `kind` (both when `None`) of one of the
/// caller's systems, oldest first.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_system(ctx: &Context, kind: Option<SystemUserKind>, system_id: &str, after: Option<Uuid>) -> Result<Page<SystemUserRequest>, RequestError> {
    let Some((system, Some(vendor))) = systems::offer(&mut *ctx.db().acquire().await?, system_id.trim()).await? else {
        return Err(RequestError::SystemNotFound);
    };
    if !ctx.may(Action::Read, SystemResource::SystemUserRequests, vendor) {
        return Err(RequestError::SystemNotFound);
    }
    let items = store::by_system(&mut *ctx.db().acquire().await?, &system.id, kind, after, PAGE_SIZE + 1).await?;
    let page = Page::cut(items, PAGE_SIZE, |r| r.id);
    Ok(Page { items: page.items.into_iter().map(|r| as_now(ctx, r)).collect(), ..page })
}

/// Withdraws one of the caller's requests of `kind` (each API path answers
/// for its own kind): it can no longer be approved, and the vendor may send
/// a new one for the same customer and reference.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn withdraw(ctx: &Context, id: Uuid, kind: SystemUserKind) -> Result<(), RequestError> {
    const AUDIT: &str = "system_user_request.withdraw";
    let Some(request) = read(ctx, id).await?.filter(|r| r.kind == kind) else {
        return Err(refuse(ctx, AUDIT, &id.to_string(), RequestError::NotFound).await);
    };
    if !may_for_vendor(ctx, Action::Write, &request.vendor).await? {
        return Err(refuse(ctx, AUDIT, &id.to_string(), RequestError::NotFound).await);
    }
    let mut uow = ctx.begin().await?;
    if !store::withdraw(uow.conn(), id, &ctx.actor().label, ctx.now()).await? {
        return Err(RequestError::NotFound);
    }
    uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "system": request.system_id }))).await?;
    uow.commit().await?;
    Ok(())
}
