//! The system register's use cases: a vendor registers, reads, changes and
//! deletes its systems, through the vendor API with its own API client or
//! in the portal as a person who manages access for the vendor.
//!
//! Authorization is `authz`'s (`SystemResource::SystemRegister` for the
//! vendor organisation). A system that is not the caller's is answered as
//! not found, as Altinn does, so ids cannot be probed. Every change writes the
//! system's change log and the audit trail in its own transaction; every
//! refusal of a change is audited and changes nothing.

use super::model::{ChangeLogEntry, ChangeType, RegisteredSystem, SystemForCreate, SystemRight};
use super::rules::{self, Violation};
use super::store::{self, ChangeForLog};
use crate::audit::{AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::parties::PartyId;

#[derive(Debug, thiserror::Error)]
pub enum SystemRegisterError {
    #[error("you may not register or change systems for this vendor")]
    NotAllowed,
    /// No such system, or not the caller's.
    #[error("no such system")]
    NotFound,
    #[error("the system is deleted and cannot be changed")]
    Deleted,
    #[error("invalid system: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for SystemRegisterError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<SystemRegisterError> for crate::error::Failure {
    fn from(e: SystemRegisterError) -> Self {
        use crate::error::{Failure, FieldError, Refusal};
        match e {
            SystemRegisterError::NotAllowed => Failure::NotAllowed,
            SystemRegisterError::NotFound => Failure::Refused(Refusal::SystemNotFound),
            SystemRegisterError::Deleted => Failure::Refused(Refusal::SystemDeleted),
            SystemRegisterError::Invalid(v) => Failure::Invalid(v.iter().map(|v| FieldError::new(v.field(), v.to_string())).collect()),
            SystemRegisterError::Store(e) => e.into(),
        }
    }
}

const AUDIT_CREATE: &str = "system.create";
const AUDIT_UPDATE: &str = "system.update";
const AUDIT_DELETE: &str = "system.delete";

/// The vendor's party, if the vendor is an organisation in the register of parties.
async fn vendor_party(ctx: &Context, vendor: &str) -> Result<Option<PartyId>, sqlx::Error> {
    let mut conn = ctx.db().acquire().await?;
    store::organisation(&mut conn, vendor).await
}

async fn refuse(ctx: &Context, action: &str, target: &str, party: Option<PartyId>, e: SystemRegisterError) -> SystemRegisterError {
    let details = match &e {
        SystemRegisterError::Invalid(v) => serde_json::json!({ "fields": v.iter().map(Violation::field).collect::<Vec<_>>() }),
        _ => serde_json::json!({}),
    };
    let ctx = party.map_or_else(|| ctx.clone(), |p| ctx.acting_for(p));
    ctx.audit_refusal(action, target, &e, details).await;
    e
}

/// Registers a new system for its vendor.
#[tracing::instrument(skip_all, fields(system = %input.id, request_id = ctx.request_id()))]
pub async fn create(ctx: &Context, input: &SystemForCreate) -> Result<RegisteredSystem, SystemRegisterError> {
    let input = rules::normalise(input);
    let party = match vendor_party(ctx, &input.vendor).await? {
        Some(p) if ctx.may(Action::Write, SystemResource::SystemRegister, p) => p,
        Some(p) => return Err(refuse(ctx, AUDIT_CREATE, &input.id, Some(p), SystemRegisterError::NotAllowed).await),
        None if rules::check_form(&input).contains(&Violation::VendorFormat) => {
            return Err(refuse(ctx, AUDIT_CREATE, &input.id, None, SystemRegisterError::Invalid(vec![Violation::VendorFormat])).await)
        }
        None => {
            return Err(refuse(ctx, AUDIT_CREATE, &input.id, None, SystemRegisterError::Invalid(vec![Violation::UnknownVendor(input.vendor.clone())])).await)
        }
    };
    let mut uow = ctx.acting_for(party).begin().await?;
    store::lock(uow.conn()).await?;
    let mut violations = rules::check_form(&input);
    if store::exists(uow.conn(), &input.id).await? {
        violations.push(Violation::IdTaken(input.id.clone()));
    }
    violations.extend(rules::check_facts(&input, &store::facts(uow.conn(), &input, party, None).await?));
    if !violations.is_empty() {
        drop(uow);
        return Err(refuse(ctx, AUDIT_CREATE, &input.id, Some(party), SystemRegisterError::Invalid(violations)).await);
    }
    let now = ctx.now();
    store::insert(uow.conn(), &input, now).await?;
    log(ctx, &mut uow, &input.id, ChangeType::Create, serde_json::to_value(&input).unwrap_or_default()).await?;
    uow.audit(AuditEvent::new(AUDIT_CREATE, &input.id, Outcome::Success, serde_json::json!({ "vendor": input.vendor }))).await?;
    ctx.commit(uow).await?;
    read(ctx, &input.id).await
}

/// A system of the caller's, deleted or not.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn get(ctx: &Context, id: &str) -> Result<RegisteredSystem, SystemRegisterError> {
    let system = read(ctx, id.trim()).await?;
    let party = vendor_party(ctx, &system.vendor).await?;
    match party {
        Some(p) if ctx.may(Action::Read, SystemResource::SystemRegister, p) => Ok(system),
        _ => Err(SystemRegisterError::NotFound),
    }
}

async fn read(ctx: &Context, id: &str) -> Result<RegisteredSystem, SystemRegisterError> {
    let mut conn = ctx.db().acquire().await?;
    store::get(&mut conn, id).await?.ok_or(SystemRegisterError::NotFound)
}

/// The systems that are not deleted of the vendor the actor acts for.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn list(ctx: &Context) -> Result<Vec<RegisteredSystem>, SystemRegisterError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::SystemRegister).map_err(|_| SystemRegisterError::NotAllowed)?;
    let mut conn = ctx.db().acquire().await?;
    match store::org_number(&mut conn, party).await? {
        Some(org) => Ok(store::list_by_vendor(&mut conn, &org).await?),
        None => Ok(Vec::new()),
    }
}

/// The system's change log, oldest first.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn change_log(ctx: &Context, id: &str) -> Result<Vec<ChangeLogEntry>, SystemRegisterError> {
    let system = get(ctx, id).await?;
    let mut conn = ctx.db().acquire().await?;
    Ok(store::change_log(&mut conn, &system.id).await?)
}

/// A change to an existing system, in one transaction: the system's row is
/// locked, the caller must be allowed to change its vendor's systems and it
/// must not be deleted.
struct Change {
    uow: UnitOfWork,
    vendor: String,
    party: PartyId,
}

async fn begin_change(ctx: &Context, id: &str, audit_action: &str) -> Result<Change, SystemRegisterError> {
    let mut uow = ctx.begin().await?;
    store::lock(uow.conn()).await?;
    let Some((vendor, deleted)) = store::vendor_for_update(uow.conn(), id).await? else {
        drop(uow);
        return Err(refuse(ctx, audit_action, id, None, SystemRegisterError::NotFound).await);
    };
    let party = store::organisation(uow.conn(), &vendor).await?;
    let Some(party) = party.filter(|p| ctx.may(Action::Write, SystemResource::SystemRegister, *p)) else {
        drop(uow);
        return Err(refuse(ctx, audit_action, id, party, SystemRegisterError::NotFound).await);
    };
    if deleted {
        drop(uow);
        return Err(refuse(ctx, audit_action, id, Some(party), SystemRegisterError::Deleted).await);
    }
    uow.acting_for(party);
    Ok(Change { uow, vendor, party })
}

async fn log(ctx: &Context, uow: &mut UnitOfWork, id: &str, change_type: ChangeType, data: serde_json::Value) -> Result<(), sqlx::Error> {
    let by_party = match ctx.who() {
        crate::context::Who::ApiClient { owner, .. } => Some(owner),
        _ => None,
    };
    let change =
        ChangeForLog { system: id, change_type, changed_by: &ctx.actor().label, changed_by_party: by_party, client_id: ctx.client_id(), data, at: ctx.now() };
    store::log_change(uow.conn(), change).await
}

/// Replaces a system whole (all but its id and vendor). `id` is the system
/// addressed; the input must name the same id, and the vendor cannot change.
#[tracing::instrument(skip_all, fields(system = %id, request_id = ctx.request_id()))]
pub async fn update(ctx: &Context, id: &str, input: &SystemForCreate) -> Result<RegisteredSystem, SystemRegisterError> {
    let input = rules::normalise(input);
    let id = id.trim();
    let Change { mut uow, vendor, party } = begin_change(ctx, id, AUDIT_UPDATE).await?;
    if input.vendor != vendor {
        // As Altinn: another vendor's system is not found.
        drop(uow);
        return Err(refuse(ctx, AUDIT_UPDATE, id, Some(party), SystemRegisterError::NotFound).await);
    }
    let mut violations = Vec::new();
    if input.id != id {
        violations.push(Violation::IdMismatch);
    }
    violations.extend(rules::check_form(&input).into_iter().filter(|v| !matches!(v, Violation::IdNotVendors | Violation::IdHasSpaces) || input.id == id));
    violations.extend(rules::check_facts(&input, &store::facts(uow.conn(), &input, party, Some(id)).await?));
    if !violations.is_empty() {
        drop(uow);
        return Err(refuse(ctx, AUDIT_UPDATE, id, Some(party), SystemRegisterError::Invalid(violations)).await);
    }
    store::update(uow.conn(), &input, ctx.now()).await?;
    log(ctx, &mut uow, id, ChangeType::Update, serde_json::to_value(&input).unwrap_or_default()).await?;
    uow.audit(AuditEvent::new(AUDIT_UPDATE, id, Outcome::Success, serde_json::json!({}))).await?;
    ctx.commit(uow).await?;
    read(ctx, id).await
}

/// Replaces the single rights a system's users may be given.
#[tracing::instrument(skip_all, fields(system = %id, request_id = ctx.request_id()))]
pub async fn set_rights(ctx: &Context, id: &str, rights: &[SystemRight]) -> Result<RegisteredSystem, SystemRegisterError> {
    let id = id.trim();
    let Change { mut uow, party, .. } = begin_change(ctx, id, AUDIT_UPDATE).await?;
    let mut input = SystemForCreate { rights: rights.to_vec(), ..SystemForCreate::default() };
    input = rules::normalise(&input);
    let facts = store::facts(uow.conn(), &input, party, Some(id)).await?;
    let mut violations = rules::check_rights_form(&input.rights);
    violations.extend(rules::check_rights_facts(&input.rights, &facts));
    if !violations.is_empty() {
        drop(uow);
        return Err(refuse(ctx, AUDIT_UPDATE, id, Some(party), SystemRegisterError::Invalid(violations)).await);
    }
    store::set_rights(uow.conn(), id, &input.rights).await?;
    store::touch(uow.conn(), id, ctx.now()).await?;
    log(ctx, &mut uow, id, ChangeType::RightsUpdate, serde_json::to_value(&input.rights).unwrap_or_default()).await?;
    uow.audit(AuditEvent::new(
        AUDIT_UPDATE,
        id,
        Outcome::Success,
        serde_json::json!({ "rights": input.rights.iter().map(rules::right_label).collect::<Vec<_>>() }),
    ))
    .await?;
    ctx.commit(uow).await?;
    read(ctx, id).await
}

/// Replaces the access packages a system's users may be given (URNs).
#[tracing::instrument(skip_all, fields(system = %id, request_id = ctx.request_id()))]
pub async fn set_packages(ctx: &Context, id: &str, packages: &[String]) -> Result<RegisteredSystem, SystemRegisterError> {
    let id = id.trim();
    let Change { mut uow, party, .. } = begin_change(ctx, id, AUDIT_UPDATE).await?;
    let current = store::get(uow.conn(), id).await?.ok_or(SystemRegisterError::NotFound)?;
    let input = rules::normalise(&SystemForCreate { packages: packages.to_vec(), ..SystemForCreate::default() });
    let facts = store::facts(uow.conn(), &input, party, Some(id)).await?;
    let mut violations = rules::check_packages_form(&input.packages);
    violations.extend(rules::check_packages_facts(&input.packages, &facts));
    violations.extend(rules::check_visibility(current.is_visible, &input.packages, &facts));
    if !violations.is_empty() {
        drop(uow);
        return Err(refuse(ctx, AUDIT_UPDATE, id, Some(party), SystemRegisterError::Invalid(violations)).await);
    }
    store::set_packages(uow.conn(), id, &input.packages).await?;
    store::touch(uow.conn(), id, ctx.now()).await?;
    log(ctx, &mut uow, id, ChangeType::AccessPackageUpdate, serde_json::to_value(&input.packages).unwrap_or_default()).await?;
    uow.audit(AuditEvent::new(AUDIT_UPDATE, id, Outcome::Success, serde_json::json!({ "packages": input.packages }))).await?;
    ctx.commit(uow).await?;
    read(ctx, id).await
}

/// Deletes a system: it stays in the register (its id is never reused) but
/// is no longer listed, cannot be changed, and its client ids are freed, so
/// no token is issued for any of its system users from now on.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn delete(ctx: &Context, id: &str) -> Result<(), SystemRegisterError> {
    let id = id.trim();
    let Change { mut uow, .. } = begin_change(ctx, id, AUDIT_DELETE).await?;
    store::soft_delete(uow.conn(), id, ctx.now()).await?;
    // A change waiting for one of its system users could never be approved.
    let changes = crate::system_user_requests::change::withdraw_for_system(uow.conn(), id, &ctx.actor().label, ctx.now()).await?;
    // Its agent system users' clients go too.
    let clients = crate::clients::cascade::end_for_system(&mut uow, id).await?;
    log(ctx, &mut uow, id, ChangeType::Delete, serde_json::json!({ "id": id })).await?;
    let details = serde_json::json!({ "changes_withdrawn": changes, "client_delegations_ended": clients });
    uow.audit(AuditEvent::new(AUDIT_DELETE, id, Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(())
}
