//! Change requests (Altinn's `systemuser/changerequest`): the vendor asks the
//! customer to give one of its standard system users more single rights or
//! access packages, or to take some away; the customer's access manager
//! approves or rejects it, as a request.
//!
//! Only what would change is kept: the items to add that the system user
//! lacks and those to remove that it holds (a right without an action stands
//! for each action the resource's policy names). When nothing would change,
//! nothing is stored and the vendor is told `NoChangeNeeded`. The id is the
//! vendor's correlation id, so a repeat answers with the same request. One
//! change per system user waits at a time. Approving needs access management
//! **and** the right to pass on each item added; it gives and ends the grants
//! in one transaction, audited. Agent system users cannot be changed.

use super::approval::{actions_of, may_delegate_right, may_pass_on, package_names};
use super::change_store as cstore;
use super::model::{Page, RequestForCreate, RequestStatus, SystemUserKind};
use super::rules::{self, RequestRule};
use super::service::{may_for_vendor, RequestError, PAGE_SIZE};
use super::store;
use crate::audit::{AuditEvent, Outcome};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::parties::PartyId;
use crate::system_register::{store as systems, SystemRight, Translated};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::OffsetDateTime;
use uuid::Uuid;

/// A change as the vendor sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeForCreate {
    /// The vendor's id for the change; never the system user's.
    pub correlation_id: Uuid,
    pub system_user_id: Uuid,
    pub required_rights: Vec<SystemRight>,
    pub unwanted_rights: Vec<SystemRight>,
    /// Access packages by URN.
    pub required_packages: Vec<String>,
    pub unwanted_packages: Vec<String>,
    pub redirect_url: Option<String>,
}

/// One thing a change adds or removes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChangeItem {
    /// By URN.
    Package(String),
    Right {
        resource: String,
        action: String,
    },
}

impl ChangeItem {
    pub fn label(&self) -> String {
        match self {
            Self::Package(urn) => urn.clone(),
            Self::Right { resource, action } => format!("{resource}:{action}"),
        }
    }
}

/// A change as the register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    pub id: Uuid,
    pub system_user_id: Uuid,
    pub system_id: String,
    pub vendor: String,
    pub party: PartyId,
    pub party_org_no: String,
    pub external_ref: String,
    pub integration_title: String,
    pub add: Vec<ChangeItem>,
    pub remove: Vec<ChangeItem>,
    /// As it stands now (a new one past its time has timed out).
    pub status: RequestStatus,
    pub redirect_url: Option<String>,
    pub created_at: OffsetDateTime,
}

/// What sending a change came to.
#[derive(Debug)]
pub enum ChangeSent {
    /// The system user already holds what is asked and lacks what is unwanted.
    NoChangeNeeded,
    /// Stored (`new`), or there already under the correlation id.
    Sent { request: Box<ChangeRequest>, new: bool },
}

/// The items that would change: those to add the system user lacks, and
/// those to remove it holds. Pure, so the rule is tested apart from the store.
pub fn effective(required: &[ChangeItem], unwanted: &[ChangeItem], held: &BTreeSet<ChangeItem>) -> (Vec<ChangeItem>, Vec<ChangeItem>) {
    let add: BTreeSet<ChangeItem> = required.iter().filter(|i| !held.contains(*i)).cloned().collect();
    let remove: BTreeSet<ChangeItem> = unwanted.iter().filter(|i| held.contains(*i)).cloned().collect();
    (add.into_iter().collect(), remove.into_iter().collect())
}

/// A right as the items it stands for: its action, or each action of the resource.
async fn right_items(conn: &mut sqlx::PgConnection, rights: &[SystemRight]) -> Result<Vec<ChangeItem>, sqlx::Error> {
    let mut items = Vec::new();
    for r in rights {
        for action in actions_of(conn, r).await? {
            items.push(ChangeItem::Right { resource: r.resource.clone(), action });
        }
    }
    Ok(items)
}

async fn refuse(ctx: &Context, action: &str, target: &str, e: RequestError) -> RequestError {
    ctx.audit_refusal(action, target, &e, serde_json::json!({})).await;
    e
}

/// The change as it stands now.
fn as_now(ctx: &Context, mut c: ChangeRequest) -> ChangeRequest {
    c.status = rules::status_at(c.status, c.created_at, ctx.now(), ctx.settings().request_timeout);
    c
}

/// Sends a change for a standard system user of one of the caller's systems.
#[tracing::instrument(skip_all, fields(system_user = %input.system_user_id, request_id = ctx.request_id()))]
pub async fn send(ctx: &Context, input: &ChangeForCreate) -> Result<ChangeSent, RequestError> {
    const AUDIT: &str = "system_user_change.create";
    let target = input.correlation_id.to_string();
    let mut conn = ctx.db().acquire().await?;
    let found = cstore::system_user_for_change(&mut conn, input.system_user_id).await?;
    let vendor = match &found {
        Some(su) => systems::organisation(&mut conn, &su.vendor).await?,
        None => None,
    };
    let (Some(su), Some(vendor)) = (found, vendor) else {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, RequestError::NotFound).await);
    };
    if !ctx.may(Action::Write, SystemResource::SystemUserRequests, vendor) {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, RequestError::NotFound).await);
    }
    let ctx = &ctx.acting_for(vendor);
    if let Some(existing) = cstore::change_by_id(&mut conn, input.correlation_id).await? {
        return if existing.system_user_id == su.id {
            Ok(ChangeSent::Sent { request: Box::new(as_now(ctx, existing)), new: false })
        } else {
            Err(RequestError::NotFound)
        };
    }
    let rule = if input.correlation_id == input.system_user_id {
        Some(RequestRule::CorrelationId)
    } else if su.agent {
        Some(RequestRule::AgentCannotChange)
    } else {
        None
    };
    if let Some(rule) = rule {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, rule.into()).await);
    }
    let (system, _) = systems::offer(&mut conn, &su.system_id).await?.ok_or(RequestError::SystemNotFound)?;
    // What is added must be what a new request could ask: reuse its rules.
    let as_request = rules::normalise(&RequestForCreate {
        kind: SystemUserKind::Standard,
        system_id: su.system_id.clone(),
        party_org_no: su.party_org_no.clone(),
        external_ref: Some(su.external_ref.clone()),
        integration_title: Some(su.title.clone()),
        rights: input.required_rights.clone(),
        packages: input.required_packages.clone(),
        redirect_url: input.redirect_url.clone(),
    });
    let facts = store::package_facts(&mut conn, &as_request.packages).await?;
    if let Err(rule) = rules::check(&as_request, &system, &facts) {
        if rule != RequestRule::NothingAsked {
            drop(conn);
            return Err(refuse(ctx, AUDIT, &target, rule.into()).await);
        }
    }
    let unwanted_rights: Vec<SystemRight> = rules::normalise(&RequestForCreate { rights: input.unwanted_rights.clone(), ..Default::default() }).rights;
    let mut required = right_items(&mut conn, &as_request.rights).await?;
    required.extend(as_request.packages.iter().cloned().map(ChangeItem::Package));
    let mut unwanted = right_items(&mut conn, &unwanted_rights).await?;
    unwanted.extend(input.unwanted_packages.iter().map(|p| ChangeItem::Package(p.trim().to_string())));
    let both: Vec<String> = required.iter().filter(|i| unwanted.contains(i)).map(ChangeItem::label).collect();
    if !both.is_empty() {
        drop(conn);
        return Err(refuse(ctx, AUDIT, &target, RequestRule::AddAndRemove(both).into()).await);
    }
    let held = cstore::held_items(&mut conn, su.id, su.party).await?;
    drop(conn);
    let (add, remove) = effective(&required, &unwanted, &held);
    if add.is_empty() && remove.is_empty() {
        return Ok(ChangeSent::NoChangeNeeded);
    }
    let mut uow = ctx.begin().await?;
    let inserted =
        cstore::insert_change(uow.conn(), input.correlation_id, su.id, &add, &remove, as_request.redirect_url.as_deref(), &ctx.actor().label, ctx.now()).await;
    if crate::db::violated(&inserted, "system_user_change_request_waiting") {
        drop(uow);
        return Err(refuse(ctx, AUDIT, &target, RequestError::NotNew(RequestStatus::New)).await);
    }
    inserted?;
    let details = serde_json::json!({ "system_user": su.id, "add": add.iter().map(ChangeItem::label).collect::<Vec<_>>(), "remove": remove.iter().map(ChangeItem::label).collect::<Vec<_>>() });
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, details)).await?;
    uow.commit().await?;
    let request = cstore::change_by_id(&mut *ctx.db().acquire().await?, input.correlation_id).await?.ok_or(RequestError::NotFound)?;
    Ok(ChangeSent::Sent { request: Box::new(as_now(ctx, request)), new: true })
}

/// One of the caller's changes, by id (the vendor's side).
pub async fn get(ctx: &Context, id: Uuid) -> Result<ChangeRequest, RequestError> {
    let found = cstore::change_by_id(&mut *ctx.db().acquire().await?, id).await?;
    readable_by_vendor(ctx, found).await
}

/// The change found, as it stands now, if the caller may read its vendor's changes.
async fn readable_by_vendor(ctx: &Context, found: Option<ChangeRequest>) -> Result<ChangeRequest, RequestError> {
    let c = found.ok_or(RequestError::NotFound)?;
    if !may_for_vendor(ctx, Action::Read, &c.vendor).await? {
        return Err(RequestError::NotFound);
    }
    Ok(as_now(ctx, c))
}

/// The latest change, not withdrawn, for the system user of one of the
/// caller's systems, a customer and the system user's external reference.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_external_ref(ctx: &Context, system_id: &str, org_no: &str, external_ref: &str) -> Result<ChangeRequest, RequestError> {
    let found = cstore::change_by_external_ref(&mut *ctx.db().acquire().await?, system_id.trim(), org_no.trim(), external_ref.trim()).await?;
    readable_by_vendor(ctx, found).await
}

/// One page of the changes for the system users in force of one of the
/// caller's systems, oldest first.
#[tracing::instrument(skip(ctx), fields(request_id = ctx.request_id()))]
pub async fn by_system(ctx: &Context, system_id: &str, after: Option<Uuid>) -> Result<Page<ChangeRequest>, RequestError> {
    let mut conn = ctx.db().acquire().await?;
    let Some((system, Some(vendor))) = systems::offer(&mut conn, system_id.trim()).await? else {
        return Err(RequestError::SystemNotFound);
    };
    if !ctx.may(Action::Read, SystemResource::SystemUserRequests, vendor) {
        return Err(RequestError::SystemNotFound);
    }
    let items = cstore::changes_by_system(&mut conn, &system.id, after, PAGE_SIZE + 1).await?;
    let page = Page::cut(items, PAGE_SIZE, |c| c.id);
    Ok(Page { items: page.items.into_iter().map(|c| as_now(ctx, c)).collect(), ..page })
}

/// The changes waiting for the access managers of the party the actor acts
/// for, oldest first.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn pending(ctx: &Context) -> Result<Vec<ChangeRequest>, RequestError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| RequestError::NotAccessManager)?;
    let waiting = cstore::waiting_for(&mut *ctx.db().acquire().await?, party).await?;
    Ok(waiting.into_iter().map(|c| as_now(ctx, c)).filter(|c| c.status == RequestStatus::New).collect())
}

/// Withdraws, in the caller's transaction, the changes waiting for a system
/// user being deleted: none may be approved for a system user that is gone.
pub(crate) async fn withdraw_for_system_user(conn: &mut sqlx::PgConnection, id: Uuid, by: &str, now: OffsetDateTime) -> Result<Vec<Uuid>, sqlx::Error> {
    cstore::withdraw_waiting(conn, Some(id), None, by, now).await
}

/// Withdraws, in the caller's transaction, the changes waiting for the system
/// users of a system being deleted.
pub(crate) async fn withdraw_for_system(conn: &mut sqlx::PgConnection, system_id: &str, by: &str, now: OffsetDateTime) -> Result<Vec<Uuid>, sqlx::Error> {
    cstore::withdraw_waiting(conn, None, Some(system_id), by, now).await
}

/// Withdraws one of the caller's changes.
pub async fn withdraw(ctx: &Context, id: Uuid) -> Result<(), RequestError> {
    const AUDIT: &str = "system_user_change.withdraw";
    let target = id.to_string();
    let c = match get(ctx, id).await {
        Ok(c) => c,
        Err(e) => return Err(refuse(ctx, AUDIT, &target, e).await),
    };
    if !may_for_vendor(ctx, Action::Write, &c.vendor).await? {
        return Err(refuse(ctx, AUDIT, &target, RequestError::NotFound).await);
    }
    let mut uow = ctx.begin().await?;
    cstore::withdraw_change(uow.conn(), id, &ctx.actor().label, ctx.now()).await?;
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, serde_json::json!({}))).await?;
    uow.commit().await?;
    Ok(())
}

/// A change item as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemForCustomer {
    pub item: ChangeItem,
    pub name: Translated,
    pub description: Translated,
    /// For an item to add: whether the viewer may pass it on.
    pub can_delegate: bool,
}

/// A change as its customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeForCustomer {
    pub request: ChangeRequest,
    pub system_name: Translated,
    pub vendor_name: Option<String>,
    pub add: Vec<ItemForCustomer>,
    pub remove: Vec<ItemForCustomer>,
    pub may_approve: bool,
}

/// The change, if it is for a system user of the party the actor acts for.
async fn customers_change(ctx: &Context, id: Uuid) -> Result<ChangeRequest, RequestError> {
    let c = cstore::change_by_id(&mut *ctx.db().acquire().await?, id).await?.ok_or(RequestError::NotFound)?;
    if ctx.party() != Some(c.party) {
        return Err(RequestError::NotFound);
    }
    if ctx.person().is_some() && crate::authorized_parties::ensure_may_act_for(ctx, c.party).await.is_err() {
        return Err(RequestError::NotFound);
    }
    Ok(as_now(ctx, c))
}

async fn describe(
    ctx: &Context,
    conn: &mut sqlx::PgConnection,
    items: &[ChangeItem],
    party: PartyId,
    check: bool,
) -> Result<Vec<ItemForCustomer>, sqlx::Error> {
    let urns: Vec<String> = items.iter().filter_map(|i| if let ChangeItem::Package(u) = i { Some(u.clone()) } else { None }).collect();
    let packages = package_names(conn, &urns).await?;
    let mut out = Vec::new();
    for item in items {
        let (name, description, can_delegate) = match item {
            ChangeItem::Package(urn) => match packages.iter().find(|p| &p.urn == urn) {
                Some(p) => (p.name.clone(), p.description.clone(), check && may_pass_on(ctx, conn, party, &p.urn, &p.code).await?),
                None => (Translated { nb: urn.clone(), nn: urn.clone(), en: urn.clone() }, Translated::default(), false),
            },
            ChangeItem::Right { resource, action } => {
                let title = crate::resources::store::get(conn, resource).await?.map(|r| Translated { nb: r.title_nb, nn: r.title_nn, en: r.title_en });
                let right = SystemRight { resource: resource.clone(), action: Some(action.clone()) };
                let can = check && may_delegate_right(ctx, conn, party, &right).await?;
                (title.unwrap_or_else(|| Translated { nb: resource.clone(), nn: resource.clone(), en: resource.clone() }), Translated::default(), can)
            }
        };
        out.push(ItemForCustomer { item: item.clone(), name, description, can_delegate });
    }
    Ok(out)
}

/// Where the browser goes once the customer decided change `id`: the
/// vendor's page the change named (checked against the system's allowed
/// addresses when it was sent), or `None` while it waits or when it named none.
pub async fn after_decision(ctx: &Context, id: Uuid) -> Result<Option<String>, RequestError> {
    let c = customers_change(ctx, id).await?;
    Ok(c.redirect_url.filter(|_| c.status.decided_by_customer()))
}

/// The change for the customer's people: what is added and removed, and whether the viewer may approve.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn for_customer(ctx: &Context, id: Uuid) -> Result<ChangeForCustomer, RequestError> {
    let c = customers_change(ctx, id).await?;
    let may_approve = ctx.may(Action::Write, SystemResource::AccessManagement, c.party);
    let mut conn = ctx.db().acquire().await?;
    let system = systems::get(&mut conn, &c.system_id).await?.ok_or(RequestError::NotFound)?;
    let add = describe(ctx, &mut conn, &c.add, c.party, may_approve).await?;
    let remove = describe(ctx, &mut conn, &c.remove, c.party, false).await?;
    Ok(ChangeForCustomer { system_name: system.name, vendor_name: system.vendor_name, add, remove, may_approve, request: c })
}

/// Approves a new change: gives the system user what it adds and ends what it removes, in one transaction.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn approve(ctx: &Context, id: Uuid) -> Result<ChangeRequest, RequestError> {
    const AUDIT: &str = "system_user_change.approve";
    let target = id.to_string();
    let (mut uow, c) = begin_decision(ctx, id, AUDIT).await?;
    let add = describe(ctx, uow.conn(), &c.add, c.party, true).await?;
    let not: Vec<String> = add.iter().filter(|i| !i.can_delegate).map(|i| i.name.nb.clone()).collect();
    if !not.is_empty() {
        drop(uow);
        let (packages, rights): (Vec<_>, Vec<_>) = add.iter().filter(|i| !i.can_delegate).partition(|i| matches!(i.item, ChangeItem::Package(_)));
        let names = |v: Vec<&ItemForCustomer>| v.into_iter().map(|i| i.name.nb.clone()).collect();
        return Err(refuse(ctx, AUDIT, &target, RequestError::CannotDelegate(super::NotDelegable { packages: names(packages), rights: names(rights) })).await);
    }
    let granter = ctx.person();
    for item in &c.add {
        let grant = Uuid::now_v7();
        match item {
            ChangeItem::Package(urn) => {
                let code = cstore::package_code_of(uow.conn(), urn).await?.ok_or(RequestError::NotFound)?;
                store::insert_package_grant(uow.conn(), grant, c.party, c.system_user_id, &code, granter).await?
            }
            ChangeItem::Right { resource, action } => {
                store::insert_right_grant(uow.conn(), grant, c.party, c.system_user_id, resource, action, granter).await?
            }
        }
        record_change(uow.conn(), Change::Grant(grant)).await?;
    }
    for item in &c.remove {
        for grant in cstore::end_grants(uow.conn(), c.system_user_id, c.party, item).await? {
            record_change(uow.conn(), Change::Grant(grant)).await?;
        }
    }
    cstore::set_change_status(uow.conn(), id, RequestStatus::Accepted, &ctx.actor().label, ctx.now()).await?;
    let details = serde_json::json!({ "system_user": c.system_user_id, "add": c.add.iter().map(ChangeItem::label).collect::<Vec<_>>(), "remove": c.remove.iter().map(ChangeItem::label).collect::<Vec<_>>() });
    uow.audit(AuditEvent::new(AUDIT, &target, Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(ChangeRequest { status: RequestStatus::Accepted, ..c })
}

/// Rejects a new change; nothing about the system user changes.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn reject(ctx: &Context, id: Uuid) -> Result<ChangeRequest, RequestError> {
    const AUDIT: &str = "system_user_change.reject";
    let (mut uow, c) = begin_decision(ctx, id, AUDIT).await?;
    cstore::set_change_status(uow.conn(), id, RequestStatus::Rejected, &ctx.actor().label, ctx.now()).await?;
    uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "system_user": c.system_user_id }))).await?;
    uow.commit().await?;
    Ok(ChangeRequest { status: RequestStatus::Rejected, ..c })
}

async fn begin_decision(ctx: &Context, id: Uuid, audit: &str) -> Result<(crate::audit::UnitOfWork, ChangeRequest), RequestError> {
    let target = id.to_string();
    let c = match customers_change(ctx, id).await {
        Ok(c) => c,
        Err(e) => return Err(refuse(ctx, audit, &target, e).await),
    };
    if !ctx.may(Action::Write, SystemResource::AccessManagement, c.party) {
        return Err(refuse(ctx, audit, &target, RequestError::NotAccessManager).await);
    }
    if c.status != RequestStatus::New {
        return Err(refuse(ctx, audit, &target, RequestError::NotNew(c.status)).await);
    }
    let mut uow = ctx.begin().await?;
    let status = cstore::change_status_for_update(uow.conn(), id).await?;
    if status != Some(RequestStatus::New) {
        drop(uow);
        return Err(refuse(ctx, audit, &target, RequestError::NotNew(status.unwrap_or(RequestStatus::Denied))).await);
    }
    Ok((uow, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn right(a: &str) -> ChangeItem {
        ChangeItem::Right { resource: "r".into(), action: a.into() }
    }

    #[test]
    fn only_what_would_change_is_kept() {
        let held: BTreeSet<ChangeItem> = [right("read"), ChangeItem::Package("p1".into())].into_iter().collect();
        let (add, remove) =
            effective(&[right("read"), right("write"), ChangeItem::Package("p2".into())], &[ChangeItem::Package("p1".into()), right("sign")], &held);
        assert_eq!(add, vec![ChangeItem::Package("p2".into()), right("write")], "what it lacks");
        assert_eq!(remove, vec![ChangeItem::Package("p1".into())], "what it holds");
        let (add, remove) = effective(&[right("read")], &[right("sign")], &held);
        assert!(add.is_empty() && remove.is_empty(), "no change needed");
    }
}
