//! The service owner's use cases: list, read, create, update and delete
//! resources, and import or export their policies as XACML XML.
//!
//! A person may change a resource only when the engine lets them manage access
//! for the owner organisation (`write` on `fullmakt_access_management`), and
//! read its policy only with `read` there: policies can name persons by
//! national identity number. The system (imports, demo data, tests) acts
//! without that check through [`Authority::System`]. The portal's own
//! resources (`fullmakt_*`) are never changed or deleted here by a person, and
//! never deleted at all. Every change and every refusal is audited; every
//! change moves the change feed, so every instance's engine picks it up.

use super::model::{Authority, FieldError, Resource, ResourceForSave};
use super::{rules, store};
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::{permits, Action, SystemResource};
use crate::context::Context;
use crate::decisions::policy::Policy;
use crate::decisions::store::{record_change, Change};
use crate::decisions::xacml_xml::{self, XmlPolicyError};
use crate::decisions::Snapshot;
use crate::parties::{OrgNumber, PartyId};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("invalid resource: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The id is taken by another service owner's resource.
    #[error("the resource belongs to another service owner")]
    NotOwner,
    #[error("a resource never changes owner: hasCompetentAuthority.organization must be its owner")]
    OwnerCannotChange,
    #[error("you may not manage resources for this organisation")]
    NotAccessManager,
    #[error("no resource {0}")]
    NotFound(String),
    #[error("a resource with the id {0} already exists")]
    AlreadyExists(String),
    #[error("{0} is one of the portal's own resources and cannot be changed or deleted here")]
    SystemResource(String),
    #[error("the resource {id} is in use: {grants} grant(s) and {roles} user-role right(s) refer to it; remove them first")]
    InUse { id: String, grants: i64, roles: i64 },
    #[error("the policy cannot be imported: {0}")]
    Policy(#[from] XmlPolicyError),
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for ResourceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<ResourceError> for crate::error::Failure {
    fn from(e: ResourceError) -> Self {
        use crate::error::{Failure, Refusal};
        Failure::Refused(match e {
            ResourceError::NotAccessManager => return Failure::NotAllowed,
            ResourceError::Invalid(errors) => return Failure::Invalid(errors),
            ResourceError::Policy(x) => return Failure::invalid("xml", x.to_string()),
            ResourceError::Store(e) => return e.into(),
            ResourceError::NotOwner | ResourceError::OwnerCannotChange => Refusal::ResourceOwnedByAnother,
            ResourceError::NotFound(_) => Refusal::ResourceNotFound,
            ResourceError::AlreadyExists(_) => Refusal::ResourceExists,
            ResourceError::SystemResource(_) => Refusal::SystemResource,
            ResourceError::InUse { .. } => Refusal::ResourceInUse,
        })
    }
}

impl ResourceError {
    fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// What the resource use cases work with: the caller's [`Context`], the
/// engine state they decide from, and on whose authority they act.
struct Ctx<'a> {
    context: &'a Context,
    snapshot: Arc<Snapshot>,
    authority: Authority,
}

impl<'a> Ctx<'a> {
    fn of(context: &'a Context) -> Self {
        let authority = context.person().map_or(Authority::System, Authority::Person);
        Self { context, snapshot: context.snapshot(), authority }
    }
}

impl Ctx<'_> {
    /// The owner's party, when the register knows it.
    fn owner_party(&self, owner_org: &str) -> Option<PartyId> {
        self.snapshot.party_by_org_number(owner_org).map(|p| PartyId(p.id))
    }

    /// May the acting person `action` (`read` or `write`) resources owned by `owner_org`?
    fn may(&self, owner_org: &str, action: Action) -> bool {
        match self.authority {
            Authority::System => true,
            Authority::Person(person) => {
                self.owner_party(owner_org).is_some_and(|party| permits(&self.snapshot, person, action, SystemResource::AccessManagement, party))
            }
        }
    }

    fn actor_for(&self, owner_org: Option<&str>) -> Actor {
        Actor { on_behalf_of: owner_org.and_then(|o| self.owner_party(o)).or(self.context.actor().on_behalf_of), ..self.context.actor().clone() }
    }

    /// Records a refusal in its own transaction, then returns the error.
    async fn refused(&self, action: &str, target: &str, owner_org: Option<&str>, err: ResourceError) -> ResourceError {
        let details = match &err {
            ResourceError::Invalid(errors) => serde_json::json!({"reason": err.to_string(), "fields": errors.iter().map(|e| &e.field).collect::<Vec<_>>()}),
            _ => serde_json::json!({"reason": err.to_string()}),
        };
        let event = AuditEvent::new(action, target, Outcome::Refused, details);
        if let Err(e) = crate::audit::record(self.context.db(), self.actor_for(owner_org), self.context.clock(), event).await {
            tracing::error!(error = %e, "could not audit a refused resource change");
        }
        err
    }

    fn problems(&self, r: &ResourceForSave) -> Vec<FieldError> {
        let mut p = rules::problems(r);
        if matches!(self.authority, Authority::Person(_)) {
            p.extend(rules::person_problems(r));
        }
        p
    }
}

/// Every resource, or those owned by `owner`, by id. The list is public, as
/// Altinn's resource list is: services are published so that people can ask
/// for access to them, and a listed resource carries its titles, type and
/// owner but no policy (policies can name persons; read them through [`get`]).
pub async fn list(ctx: &Context, owner: Option<&OrgNumber>) -> Result<Vec<Resource>, ResourceError> {
    let mut conn = ctx.db().acquire().await?;
    Ok(store::list(&mut conn, owner).await?)
}

/// One resource with its policy, for someone who manages its owner.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn get(context: &Context, id: &str) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    let mut conn = ctx.context.db().acquire().await?;
    let resource = store::get(&mut conn, id).await?.ok_or_else(|| ResourceError::NotFound(id.to_string()))?;
    if !ctx.may(&resource.owner_org, Action::Read) {
        return Err(ResourceError::NotAccessManager);
    }
    Ok(resource)
}

/// The resource's policy as XACML 3.0 XML, for someone who manages its owner.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn export_policy(context: &Context, id: &str) -> Result<String, ResourceError> {
    Ok(xacml_xml::to_xml(&get(context, id).await?.policy))
}

/// Creates a resource owned by `owner`. An id that exists is refused, whoever owns it.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn create(context: &Context, owner: &OrgNumber, r: &ResourceForSave) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    const ACTION: &str = "resource.create";
    let owner_org = Some(owner.as_str());
    if !ctx.may(owner.as_str(), Action::Write) {
        return Err(ctx.refused(ACTION, &r.id, owner_org, ResourceError::NotAccessManager).await);
    }
    let problems = ctx.problems(r);
    if !problems.is_empty() {
        return Err(ctx.refused(ACTION, &r.id, owner_org, ResourceError::Invalid(problems)).await);
    }
    let mut uow = UnitOfWork::begin(ctx.context.db(), ctx.actor_for(owner_org), ctx.context.clock()).await?;
    if store::owner_for_update(uow.conn(), &r.id).await?.is_some() {
        drop(uow);
        return Err(ctx.refused(ACTION, &r.id, owner_org, ResourceError::AlreadyExists(r.id.clone())).await);
    }
    // Two creates of one id at once: the second finds the first's row and writes nothing.
    if !store::write(uow.conn(), owner, r, false).await? {
        drop(uow);
        return Err(ctx.refused(ACTION, &r.id, owner_org, ResourceError::AlreadyExists(r.id.clone())).await);
    }
    record_change(uow.conn(), Change::Resource(&r.id)).await?;
    uow.audit(AuditEvent::new(ACTION, r.id.clone(), Outcome::Success, serde_json::json!({"owner": owner.as_str(), "rules": r.policy.rules.len()}))).await?;
    ctx.context.commit(uow).await?;
    Ok(stored(owner.as_str(), r))
}

/// Replaces resource `id`'s fields and policy. The id and owner never change.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn update(context: &Context, id: &str, r: &ResourceForSave) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    change(ctx, "resource.update", id, |_| Ok(r.clone())).await
}

/// Replaces resource `id`'s fields but keeps its stored policy (`r.policy` is ignored).
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn update_keeping_policy(context: &Context, id: &str, r: &ResourceForSave) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    change(ctx, "resource.update", id, |existing| Ok(ResourceForSave { policy: existing.policy.clone(), ..r.clone() })).await
}

/// Replaces resource `id`'s policy, keeping everything else.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn set_policy(context: &Context, id: &str, policy: Policy) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    change(ctx, "resource.policy", id, move |existing| Ok(ResourceForSave { policy: policy.clone(), ..existing.for_save() })).await
}

/// Changes resource `id` with `edit`, which gets the stored resource under
/// the row's lock and returns it as it should be (the id never changes).
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn edit(context: &Context, id: &str, edit: impl FnOnce(&Resource) -> Result<ResourceForSave, ResourceError>) -> Result<Resource, ResourceError> {
    change(&Ctx::of(context), "resource.update", id, edit).await
}

/// Changes resource `id`'s policy rules with `edit`, under the row's lock, so
/// that two people editing rules at once both keep their change.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn edit_rules(context: &Context, id: &str, edit: impl FnOnce(&Policy) -> Result<Policy, ResourceError>) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    change(ctx, "resource.policy", id, move |existing| Ok(ResourceForSave { policy: edit(&existing.policy)?, ..existing.for_save() })).await
}

/// Replaces resource `id`'s fields, and its policy unless `keep_policy`,
/// for a caller who may say who owns it (`claimed_owner`, as an API body
/// does): a resource never changes owner, so a different one is refused.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn replace(context: &Context, id: &str, r: &ResourceForSave, claimed_owner: Option<&str>, keep_policy: bool) -> Result<Resource, ResourceError> {
    change(&Ctx::of(context), "resource.update", id, |existing| {
        if claimed_owner.is_some_and(|o| o.trim() != existing.owner_org) {
            return Err(ResourceError::OwnerCannotChange);
        }
        Ok(if keep_policy { ResourceForSave { policy: existing.policy.clone(), ..r.clone() } } else { r.clone() })
    })
    .await
}

/// Imports a XACML 3.0 XML policy into resource `id`, replacing its policy.
/// The document must be about that resource; what the typed model cannot
/// represent exactly is refused (see [`xacml_xml`]).
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn import_policy(context: &Context, id: &str, xml: &str) -> Result<Resource, ResourceError> {
    let ctx = &Ctx::of(context);
    change(ctx, "resource.policy.import", id, |existing| {
        let policy = xacml_xml::parse_policy(xml, Some(id))?;
        Ok(ResourceForSave { policy, ..existing.for_save() })
    })
    .await
}

/// The update use cases: lock the row, check the rules in order (exists,
/// not the portal's own, may manage the owner, well-formed), save, audit.
async fn change(
    ctx: &Ctx<'_>,
    action: &str,
    id: &str,
    new: impl FnOnce(&Resource) -> Result<ResourceForSave, ResourceError>,
) -> Result<Resource, ResourceError> {
    let mut uow = begin_for(ctx, id).await?;
    let existing = match store::owner_for_update(uow.conn(), id).await? {
        Some(_) => store::get(uow.conn(), id).await?,
        None => None,
    };
    let Some(existing) = existing else {
        drop(uow);
        return Err(ctx.refused(action, id, None, ResourceError::NotFound(id.to_string())).await);
    };
    let owner_org = Some(existing.owner_org.as_str());
    let refusal = if rules::is_system_resource(id) && matches!(ctx.authority, Authority::Person(_)) {
        Some(ResourceError::SystemResource(id.to_string()))
    } else if !ctx.may(&existing.owner_org, Action::Write) {
        Some(ResourceError::NotAccessManager)
    } else {
        None
    };
    let r = match refusal.map_or_else(|| new(&existing), Err) {
        Ok(r) if r.id != id => Err(ResourceError::invalid("id", "the id of a resource cannot be changed")),
        Ok(r) => {
            let problems = ctx.problems(&r);
            if problems.is_empty() {
                Ok(r)
            } else {
                Err(ResourceError::Invalid(problems))
            }
        }
        Err(e) => Err(e),
    };
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            drop(uow);
            return Err(ctx.refused(action, id, owner_org, e).await);
        }
    };
    let owner = OrgNumber::try_from(existing.owner_org.as_str()).map_err(|e| ResourceError::invalid("owner", e.to_string()))?;
    store::write(uow.conn(), &owner, &r, true).await?;
    record_change(uow.conn(), Change::Resource(&r.id)).await?;
    let event = AuditEvent::new(action, id, Outcome::Success, serde_json::json!({"owner": existing.owner_org, "rules": r.policy.rules.len()}));
    uow.audit(event).await?;
    ctx.context.commit(uow).await?;
    Ok(stored(&existing.owner_org, &r))
}

/// Deletes resource `id`, unless it is one of the portal's own or grants or
/// user roles refer to it.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn delete(context: &Context, id: &str) -> Result<(), ResourceError> {
    let ctx = &Ctx::of(context);
    const ACTION: &str = "resource.delete";
    let mut uow = begin_for(ctx, id).await?;
    let Some(owner_org) = store::owner_for_update(uow.conn(), id).await? else {
        drop(uow);
        return Err(ctx.refused(ACTION, id, None, ResourceError::NotFound(id.to_string())).await);
    };
    let refusal = if rules::is_system_resource(id) {
        Some(ResourceError::SystemResource(id.to_string()))
    } else if !ctx.may(&owner_org, Action::Write) {
        Some(ResourceError::NotAccessManager)
    } else {
        match store::references(uow.conn(), id).await? {
            (0, 0) => None,
            (grants, roles) => Some(ResourceError::InUse { id: id.to_string(), grants, roles }),
        }
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(ctx.refused(ACTION, id, Some(&owner_org), e).await);
    }
    store::delete(uow.conn(), id).await?;
    record_change(uow.conn(), Change::Resource(id)).await?;
    uow.audit(AuditEvent::new(ACTION, id, Outcome::Success, serde_json::json!({"owner": owner_org}))).await?;
    ctx.context.commit(uow).await?;
    Ok(())
}

/// Creates or updates a resource owned by `owner` on the system's authority
/// (imports, demo data, tests), in one audited transaction that also moves
/// the change feed. An id owned by another organisation is refused; so is
/// anyone but the installation's operator.
#[tracing::instrument(skip_all, fields(actor = %ctx.actor().label, id = %r.id))]
pub async fn save(ctx: &Context, owner: &OrgNumber, r: &ResourceForSave) -> Result<(), ResourceError> {
    ctx.authorize_operator().map_err(|_| ResourceError::NotAccessManager)?;
    let problems = rules::problems(r);
    if !problems.is_empty() {
        return Err(ResourceError::Invalid(problems));
    }
    let mut uow = ctx.begin().await?;
    let existing = store::owner_for_update(uow.conn(), &r.id).await?;
    if existing.as_deref().is_some_and(|o| o != owner.as_str()) {
        return Err(ResourceError::NotOwner);
    }
    store::write(uow.conn(), owner, r, true).await?;
    record_change(uow.conn(), Change::Resource(&r.id)).await?;
    uow.audit(AuditEvent::new(
        if existing.is_some() { "resource.update" } else { "resource.create" },
        r.id.clone(),
        Outcome::Success,
        serde_json::json!({"rules": r.policy.rules.len()}),
    ))
    .await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// A unit of work whose actor acts on behalf of `id`'s owner (the owner of a
/// resource never changes, so reading it before the row is locked is safe).
async fn begin_for(ctx: &Ctx<'_>, id: &str) -> Result<UnitOfWork, sqlx::Error> {
    let owner = {
        let mut conn = ctx.context.db().acquire().await?;
        store::owner_of(&mut conn, id).await?
    };
    UnitOfWork::begin(ctx.context.db(), ctx.actor_for(owner.as_deref()), ctx.context.clock()).await
}

fn stored(owner_org: &str, r: &ResourceForSave) -> Resource {
    let mut policy = r.policy.clone();
    policy.resource = r.id.clone();
    Resource {
        id: r.id.clone(),
        owner_org: owner_org.to_string(),
        title_nb: r.title_nb.clone(),
        title_nn: r.title_nn.clone(),
        title_en: r.title_en.clone(),
        description: r.description.clone(),
        resource_type: r.resource_type.clone(),
        delegable: r.delegable,
        policy,
    }
}
