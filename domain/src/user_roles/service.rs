//! Use cases of the role model. Each one decides through the engine whether
//! the person may do it (managing access for the party concerned, on
//! `fullmakt_access_management`, or holding a right to assign the role),
//! validates, changes the database in one audited transaction, and appends to
//! the change feed so every instance's engine sees it. Refusals are audited too
//! and change nothing.

use super::model::{AssignmentForCreate, RoleForCreate};
use super::rules::{closure, inheritance_cycle, sod_conflict};
use super::store::{self, RoleRow};
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::{permits, Action, SystemResource};
use crate::clock::Clock;
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::decisions::Snapshot;
use crate::parties::PartyId;
use sqlx::{PgConnection, PgPool};
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("you may not manage access for this party")]
    NotAccessManager,
    #[error("you may not assign the role {0} for {1}")]
    MayNotAssign(String, String),
    /// Invalid input: the form field it is about, a colon, then what is wrong
    /// (`"code: the code must be …"`), so a form can show it next to the field.
    #[error("{0}")]
    Invalid(String),
    #[error("a role with the code {0} exists already")]
    CodeTaken(String),
    #[error("no user role {0}")]
    UnknownRole(String),
    #[error("the role {0} is not available to this organisation")]
    NotAvailable(String),
    #[error("no access package {0}")]
    UnknownPackage(String),
    #[error("no resource {0}")]
    UnknownResource(String),
    #[error("no such person or organisation")]
    UnknownParty,
    #[error("no person with that national identity number and surname")]
    NoSuchPerson,
    #[error("no active organisation with that number")]
    NoSuchOrganisation,
    #[error("you cannot assign a role to yourself")]
    SelfAssignment,
    #[error("inheriting would make a cycle: {}", .0.join(" → "))]
    InheritanceCycle(Vec<String>),
    #[error("segregation of duties: the roles {0} and {1} may not be held by one person for the same party")]
    SegregationOfDuties(String, String),
    #[error("that rule or link exists already")]
    AlreadyExists,
    #[error("no such active assignment for this party")]
    UnknownAssignment,
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for RoleError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// What the role model's use cases work with: the caller's [`Context`], the
/// engine state they decide from, and the person who acts (the role model is
/// managed by people, never by the installation on its own).
struct Ctx<'a> {
    context: &'a Context,
    pool: &'a PgPool,
    clock: &'a dyn Clock,
    snapshot: Arc<Snapshot>,
    actor: Actor,
    person: PartyId,
}

impl<'a> Ctx<'a> {
    fn of(context: &'a Context) -> Result<Self, RoleError> {
        let person = context.person().ok_or(RoleError::NotAccessManager)?;
        Ok(Self { context, pool: context.db(), clock: context.clock(), snapshot: context.snapshot(), actor: context.actor().clone(), person })
    }

    fn manages(&self, party: PartyId) -> bool {
        permits(&self.snapshot, self.person, Action::Write, SystemResource::AccessManagement, party)
    }

    /// Whether the person manages the party they act for, if they act for
    /// one: checked first, so that nobody learns which roles exist by
    /// naming them for a party they do not manage.
    fn manages_party_acted_for(&self) -> bool {
        self.context.party().is_none_or(|p| self.manages(p))
    }

    /// Audits a refusal in its own transaction and hands the error back.
    async fn refuse(&self, action: &str, target: impl Into<String>, err: RoleError) -> RoleError {
        self.context.audit_refusal(action, target, &err, serde_json::json!({})).await;
        err
    }

    async fn begin(&self, on_behalf_of: PartyId) -> Result<UnitOfWork, RoleError> {
        let actor = Actor { on_behalf_of: Some(on_behalf_of), ..self.actor.clone() };
        Ok(UnitOfWork::begin(self.pool, actor, self.clock).await?)
    }

    /// Commits, and lets the engine see the change before the use case returns.
    async fn commit(&self, uow: UnitOfWork) -> Result<(), RoleError> {
        Ok(self.context.commit(uow).await?)
    }
}

/// Whether `party` may use the role: it owns it, the role is global, or the
/// owner shared it with the party.
async fn available_to(conn: &mut PgConnection, role: &RoleRow, party: PartyId) -> Result<bool, sqlx::Error> {
    if role.owner.is_none() || role.owner == Some(party.0) {
        return Ok(true);
    }
    store::is_shared_with(conn, role.id, party).await
}

fn check_role_input(input: &RoleForCreate) -> Result<(), RoleError> {
    let code_ok = (2..=64).contains(&input.code.len())
        && input.code.bytes().enumerate().all(|(i, b)| b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_')));
    if !code_ok {
        return Err(RoleError::Invalid("code: the code must be 2–64 characters: a–z, 0–9, - and _, starting with a letter or digit".into()));
    }
    if input.names[0].trim().is_empty() || input.names.iter().any(|n| n.chars().count() > 200) {
        return Err(RoleError::Invalid("name_nb: the role needs a name in Bokmål, and names of at most 200 characters".into()));
    }
    if input.description.chars().count() > 2000 {
        return Err(RoleError::Invalid("description: the description may be at most 2,000 characters".into()));
    }
    if input.packages.len() + input.rights.len() + input.inherits.len() > 200 {
        return Err(RoleError::Invalid("packages: a role may bundle at most 200 packages, rights and inherited roles".into()));
    }
    if input.rights.iter().any(|(_, a)| a.trim().is_empty() || a.len() > 100) {
        return Err(RoleError::Invalid("rights: every right needs an action of at most 100 characters".into()));
    }
    if let Some(p) = input.rules.time_window.as_ref().and_then(|w| w.problem()) {
        return Err(RoleError::Invalid(format!("first_working_days: time window: {p}")));
    }
    Ok(())
}

/// Creates a user role owned by (classified under) `owner`.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn create_role(context: &Context, owner: PartyId, input: &RoleForCreate) -> Result<Uuid, RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.create";
    if !ctx.manages(owner) {
        return Err(ctx.refuse(ACTION, &input.code, RoleError::NotAccessManager).await);
    }
    if let Err(e) = check_role_input(input) {
        return Err(ctx.refuse(ACTION, &input.code, e).await);
    }
    let mut uow = ctx.begin(owner).await?;
    match validate_references(uow.conn(), owner, input).await? {
        Ok(inherits) => {
            let id = Uuid::now_v7();
            let inserted = store::insert_role(uow.conn(), id, owner, ctx.person, input).await;
            if crate::db::violated(&inserted, "user_role_code_unique") {
                drop(uow);
                return Err(ctx.refuse(ACTION, &input.code, RoleError::CodeTaken(input.code.clone())).await);
            }
            inserted?;
            for p in &input.packages {
                store::insert_role_package(uow.conn(), id, p).await?;
            }
            for (r, a) in &input.rights {
                store::insert_role_right(uow.conn(), id, r, a).await?;
            }
            for parent in inherits {
                store::insert_inherits(uow.conn(), id, parent).await?;
            }
            record_change(uow.conn(), Change::Rebuild("user_role")).await?;
            let details =
                serde_json::json!({ "role": id, "packages": input.packages, "rights": input.rights, "inherits": input.inherits, "rules": input.rules });
            uow.audit(AuditEvent::new(ACTION, &input.code, Outcome::Success, details)).await?;
            ctx.commit(uow).await?;
            Ok(id)
        }
        Err(e) => {
            drop(uow);
            Err(ctx.refuse(ACTION, &input.code, e).await)
        }
    }
}

/// Checks that every package, resource and inherited role named exists (and
/// that inherited roles are available to `owner`); returns the inherited ids.
async fn validate_references(conn: &mut PgConnection, owner: PartyId, input: &RoleForCreate) -> Result<Result<Vec<Uuid>, RoleError>, sqlx::Error> {
    for p in &input.packages {
        if !store::package_exists(&mut *conn, p).await? {
            return Ok(Err(RoleError::UnknownPackage(p.clone())));
        }
    }
    for (r, _) in &input.rights {
        if !store::resource_exists(&mut *conn, r).await? {
            return Ok(Err(RoleError::UnknownResource(r.clone())));
        }
    }
    let mut ids = Vec::new();
    for code in &input.inherits {
        let Some(role) = store::role_by_code(&mut *conn, code).await? else {
            return Ok(Err(RoleError::UnknownRole(code.clone())));
        };
        if !available_to(&mut *conn, &role, owner).await? {
            return Ok(Err(RoleError::NotAvailable(role.code)));
        }
        ids.push(role.id);
    }
    Ok(Ok(ids))
}

/// Lets `role_code` inherit the rights of `inherits_code`, unless that makes a cycle.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn add_inheritance(context: &Context, role_code: &str, inherits_code: &str) -> Result<(), RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.inherit";
    let target = format!("{role_code}→{inherits_code}");
    if !ctx.manages_party_acted_for() {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    }
    let mut conn = ctx.pool.acquire().await?;
    let (Some(role), Some(parent)) = (store::role_by_code(&mut conn, role_code).await?, store::role_by_code(&mut conn, inherits_code).await?) else {
        drop(conn);
        return Err(ctx.refuse(ACTION, target, RoleError::UnknownRole(format!("{role_code} or {inherits_code}"))).await);
    };
    drop(conn);
    let Some(owner) = role.owner.map(PartyId).filter(|o| ctx.manages(*o)) else {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    };
    let mut uow = ctx.begin(owner).await?;
    // One writer of the inheritance graph at a time, so two concurrent links
    // cannot close a cycle between them.
    store::lock_inheritance(uow.conn()).await?;
    let refusal = if !available_to(uow.conn(), &parent, owner).await? {
        Some(RoleError::NotAvailable(parent.code.clone()))
    } else if let Some(cycle) = inheritance_cycle(&store::inheritance(uow.conn()).await?, role.id, parent.id) {
        let mut codes = Vec::new();
        for id in cycle {
            codes.push(store::role_code(uow.conn(), id).await?);
        }
        Some(RoleError::InheritanceCycle(codes))
    } else {
        None
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, e).await);
    }
    if !store::insert_inherits(uow.conn(), role.id, parent.id).await? {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, RoleError::AlreadyExists).await);
    }
    record_change(uow.conn(), Change::Rebuild("user_role")).await?;
    uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, serde_json::json!({ "role": role.id, "inherits": parent.id }))).await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// The owner of `role_code` makes it available to `with`, which may then assign it.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn share_role(context: &Context, role_code: &str, with: PartyId) -> Result<(), RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.share";
    let target = format!("{role_code}:{with}");
    if !ctx.manages_party_acted_for() {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    }
    let mut conn = ctx.pool.acquire().await?;
    let role = store::role_by_code(&mut conn, role_code).await?;
    let with_exists = store::is_active_organisation(&mut conn, with).await?;
    drop(conn);
    let Some(role) = role else {
        return Err(ctx.refuse(ACTION, target, RoleError::UnknownRole(role_code.into())).await);
    };
    let Some(owner) = role.owner.map(PartyId).filter(|o| ctx.manages(*o)) else {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    };
    if !with_exists {
        return Err(ctx.refuse(ACTION, target, RoleError::UnknownParty).await);
    }
    let mut uow = ctx.begin(owner).await?;
    store::insert_shared_with(uow.conn(), role.id, with).await?;
    record_change(uow.conn(), Change::Rebuild("user_role")).await?;
    uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, serde_json::json!({ "role": role.id, "with": with }))).await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// Forbids holding both roles for one party. Existing holders of both are not
/// touched: the engine gives them neither role's rights and says why.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn add_sod_rule(context: &Context, role_a: &str, role_b: &str, description: &str) -> Result<Uuid, RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "sod_rule.create";
    let target = format!("{role_a}≠{role_b}");
    if !ctx.manages_party_acted_for() {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    }
    let mut conn = ctx.pool.acquire().await?;
    let (a, b) = (store::role_by_code(&mut conn, role_a).await?, store::role_by_code(&mut conn, role_b).await?);
    drop(conn);
    let (Some(a), Some(b)) = (a, b) else {
        return Err(ctx.refuse(ACTION, target, RoleError::UnknownRole(format!("{role_a} or {role_b}"))).await);
    };
    if a.id == b.id {
        return Err(ctx.refuse(ACTION, target, RoleError::Invalid("role_b: a role cannot conflict with itself".into())).await);
    }
    // Whoever sets the rule must manage the owners of both roles that have one.
    let owners: Vec<PartyId> = [a.owner, b.owner].into_iter().flatten().map(PartyId).collect();
    if owners.is_empty() || !owners.iter().all(|o| ctx.manages(*o)) {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    }
    let id = Uuid::now_v7();
    let mut uow = ctx.begin(owners[0]).await?;
    let inserted = store::insert_sod_rule(uow.conn(), id, a.id, b.id, description.trim(), ctx.person).await;
    if crate::db::violated(&inserted, "sod_rule_unique_pair") {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, RoleError::AlreadyExists).await);
    }
    inserted?;
    record_change(uow.conn(), Change::Rebuild("sod_rule")).await?;
    uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, serde_json::json!({ "rule": id }))).await?;
    ctx.commit(uow).await?;
    Ok(id)
}

/// Assigns a role to a subject, in `in_party`, for the parties it is
/// restricted to (or `in_party` itself), after checking that the person may
/// assign it for each of them, the validity period, the attestation, and
/// segregation of duties against what the subject already holds.
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn assign_role(context: &Context, in_party: PartyId, input: &AssignmentForCreate) -> Result<Uuid, RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.assign";
    let target = format!("{}:{}", input.subject, input.role_code);
    let mut uow = ctx.begin(in_party).await?;
    match check_assignment(uow.conn(), ctx, in_party, input).await? {
        Ok((role, parties)) => {
            let now = ctx.clock.now();
            let id = Uuid::now_v7();
            store::insert_assignment(uow.conn(), id, role.id, in_party, ctx.person, input.valid_from.unwrap_or(now), input).await?;
            for p in &parties {
                store::insert_assignment_party(uow.conn(), id, *p).await?;
            }
            record_change(uow.conn(), Change::Rebuild("user_role_assignment")).await?;
            let details = serde_json::json!({
                "assignment": id, "role": role.code, "subject": input.subject, "parties": parties,
                "valid_from": input.valid_from, "valid_to": input.valid_to, "attestation": input.attestation,
            });
            uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, details)).await?;
            ctx.commit(uow).await?;
            Ok(id)
        }
        Err(e) => {
            drop(uow);
            Err(ctx.refuse(ACTION, target, e).await)
        }
    }
}

async fn check_assignment(
    conn: &mut PgConnection,
    ctx: &Ctx<'_>,
    in_party: PartyId,
    input: &AssignmentForCreate,
) -> Result<Result<(RoleRow, Vec<PartyId>), RoleError>, sqlx::Error> {
    // Authorization comes first, so that nobody learns which roles exist by
    // trying to assign them.
    let role = store::role_by_code(&mut *conn, &input.role_code).await?;
    let mut parties: Vec<PartyId> = if input.restricted_to.is_empty() { vec![in_party] } else { input.restricted_to.clone() };
    parties.sort_unstable();
    parties.dedup();
    if parties.len() > 50 {
        return Ok(Err(RoleError::Invalid("restricted_to: an assignment may be restricted to at most 50 parties".into())));
    }
    for p in &parties {
        if !store::is_active_party(&mut *conn, *p).await? {
            return Ok(Err(RoleError::UnknownParty));
        }
        let may_assign = ctx.manages(*p) || store::holds_assign_right(&mut *conn, &input.role_code, ctx.person, *p).await?;
        if !may_assign {
            return Ok(Err(RoleError::MayNotAssign(input.role_code.clone(), ctx.snapshot.name_of(p.0))));
        }
    }
    let Some(role) = role else {
        return Ok(Err(RoleError::UnknownRole(input.role_code.clone())));
    };
    if !available_to(&mut *conn, &role, in_party).await? {
        return Ok(Err(RoleError::NotAvailable(role.code)));
    }
    if !store::is_active_party(&mut *conn, input.subject).await? {
        return Ok(Err(RoleError::UnknownParty));
    }
    if input.subject == ctx.person {
        return Ok(Err(RoleError::SelfAssignment));
    }
    let now = ctx.clock.now();
    let from = input.valid_from.unwrap_or(now);
    if let Some(to) = input.valid_to {
        if to <= from || to <= now {
            return Ok(Err(RoleError::Invalid("valid_to: the assignment must end after it starts, and in the future".into())));
        }
    }
    let a = &input.attestation;
    if a.issuer.trim().is_empty() || a.issuer.chars().count() > 200 || a.reference.chars().count() > 200 {
        return Ok(Err(RoleError::Invalid(
            "attestation_issuer: the attestation needs an issuer (at most 200 characters) and a reference of at most 200".into(),
        )));
    }
    // Serialise assignments to one subject so two conflicting ones cannot
    // both pass the check below.
    store::lock_subject(&mut *conn, input.subject).await?;
    let edges = store::inheritance(&mut *conn).await?;
    let rules = store::sod_rules(&mut *conn).await?;
    let adding = closure(&edges, role.id);
    for p in &parties {
        let held_roles = store::held_roles(&mut *conn, input.subject, *p, from, input.valid_to).await?;
        let held: HashSet<Uuid> = held_roles.iter().flat_map(|r| closure(&edges, *r)).collect();
        if let Some(rule) = sod_conflict(&held, &adding, &rules) {
            let a = store::role_code(&mut *conn, rule.role_a).await?;
            let b = store::role_code(&mut *conn, rule.role_b).await?;
            return Ok(Err(RoleError::SegregationOfDuties(a, b)));
        }
    }
    Ok(Ok((role, parties)))
}

/// Ends an assignment that applies to `party`; the person must manage access
/// for `party`, or be the subject (who may always give a role back).
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn end_assignment(context: &Context, party: PartyId, assignment: Uuid) -> Result<(), RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.end";
    let mut uow = ctx.begin(party).await?;
    let subject = store::lock_active_assignment(uow.conn(), assignment, party).await?;
    // Authorization before existence, so ids cannot be probed.
    let refusal = match subject {
        Some(s) if s == ctx.person => None,
        _ if !ctx.manages(party) => Some(RoleError::NotAccessManager),
        None => Some(RoleError::UnknownAssignment),
        Some(_) => None,
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(ctx.refuse(ACTION, assignment.to_string(), e).await);
    }
    let now = ctx.clock.now();
    store::mark_assignment_ended(uow.conn(), assignment, now, ctx.person).await?;
    record_change(uow.conn(), Change::Rebuild("user_role_assignment")).await?;
    uow.audit(AuditEvent::new(ACTION, assignment.to_string(), Outcome::Success, serde_json::json!({}))).await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// Lets `holder` assign `role_code` for `for_party` without managing access
/// there (e.g. an administrator in another organisation).
#[tracing::instrument(skip_all, fields(actor = ?context.person(), party = ?context.party(), request_id = context.request_id()))]
pub async fn grant_assign_right(context: &Context, role_code: &str, holder: PartyId, for_party: PartyId) -> Result<Uuid, RoleError> {
    let ctx = &Ctx::of(context)?;
    const ACTION: &str = "user_role.assign_right";
    let target = format!("{holder}:{role_code}:{for_party}");
    if !ctx.manages(for_party) {
        return Err(ctx.refuse(ACTION, target, RoleError::NotAccessManager).await);
    }
    let mut uow = ctx.begin(for_party).await?;
    let role = store::role_by_code(uow.conn(), role_code).await?;
    let holder_ok = store::is_active_person(uow.conn(), holder).await?;
    let refusal = match &role {
        None => Some(RoleError::UnknownRole(role_code.into())),
        Some(r) if !available_to(uow.conn(), r, for_party).await? => Some(RoleError::NotAvailable(r.code.clone())),
        Some(_) if !holder_ok => Some(RoleError::UnknownParty),
        Some(_) => None,
    };
    let (Some(role), None) = (role, refusal.as_ref()) else {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, refusal.unwrap_or(RoleError::UnknownRole(role_code.into()))).await);
    };
    let id = Uuid::now_v7();
    let inserted = store::insert_assign_right(uow.conn(), id, role.id, holder, for_party, ctx.person).await;
    if crate::db::violated(&inserted, "user_role_assign_right_unique_active") {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, RoleError::AlreadyExists).await);
    }
    inserted?;
    uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, serde_json::json!({ "right": id }))).await?;
    ctx.commit(uow).await?;
    Ok(id)
}
