//! Use cases of the role model. Each one decides through the engine whether
//! the person may do it (managing access for the party concerned, on
//! `fullmakt_access_management`, or holding a right to assign the role),
//! validates, changes the database in one audited transaction, and appends to
//! the change feed so every instance's engine sees it. Refusals are audited too
//! and change nothing.

use super::model::{AssignmentForCreate, RoleForCreate, SodRule};
use super::rules::{closure, inheritance_cycle, sod_conflict, Inheritance};
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

struct RoleRow {
    id: Uuid,
    code: String,
    owner: Option<Uuid>,
}

async fn role_by_code(conn: &mut PgConnection, code: &str) -> Result<Option<RoleRow>, sqlx::Error> {
    Ok(sqlx::query!("select id, code, owner_party from user_role where code = $1", code.trim()).fetch_optional(conn).await?.map(|r| RoleRow {
        id: r.id,
        code: r.code,
        owner: r.owner_party,
    }))
}

/// Whether `party` may use the role: it owns it, the role is global, or the
/// owner shared it with the party.
async fn available_to(conn: &mut PgConnection, role: &RoleRow, party: PartyId) -> Result<bool, sqlx::Error> {
    if role.owner.is_none() || role.owner == Some(party.0) {
        return Ok(true);
    }
    sqlx::query_scalar!(r#"select exists(select 1 from user_role_shared_with where role_id = $1 and party_id = $2) as "x!""#, role.id, party.0)
        .fetch_one(conn)
        .await
}

async fn inheritance(conn: &mut PgConnection) -> Result<Inheritance, sqlx::Error> {
    let mut edges = Inheritance::new();
    for e in sqlx::query!("select role_id, inherits_id from user_role_inherits").fetch_all(conn).await? {
        edges.entry(e.role_id).or_default().push(e.inherits_id);
    }
    Ok(edges)
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
            let inserted = sqlx::query!(
                "insert into user_role (id, code, owner_party, name_nb, name_nn, name_en, description, max_amount, time_window, created_by)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                id,
                input.code,
                owner.0,
                input.names[0].trim(),
                input.names[1].trim(),
                input.names[2].trim(),
                input.description.trim(),
                input.rules.max_amount.map(|a| a.0),
                input.rules.time_window.as_ref().and_then(|w| serde_json::to_value(w).ok()),
                ctx.person.0,
            )
            .execute(uow.conn())
            .await;
            if crate::db::violated(&inserted, "user_role_code_unique") {
                drop(uow);
                return Err(ctx.refuse(ACTION, &input.code, RoleError::CodeTaken(input.code.clone())).await);
            }
            inserted?;
            for p in &input.packages {
                sqlx::query!("insert into user_role_right (role_id, package_code) values ($1, $2) on conflict do nothing", id, p).execute(uow.conn()).await?;
            }
            for (r, a) in &input.rights {
                sqlx::query!("insert into user_role_right (role_id, resource_id, action) values ($1, $2, $3) on conflict do nothing", id, r, a.trim())
                    .execute(uow.conn())
                    .await?;
            }
            for parent in inherits {
                sqlx::query!("insert into user_role_inherits (role_id, inherits_id) values ($1, $2) on conflict do nothing", id, parent)
                    .execute(uow.conn())
                    .await?;
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
        let known = sqlx::query_scalar!(r#"select exists(select 1 from access_package where code = $1) as "x!""#, p).fetch_one(&mut *conn).await?;
        if !known {
            return Ok(Err(RoleError::UnknownPackage(p.clone())));
        }
    }
    for (r, _) in &input.rights {
        let known = sqlx::query_scalar!(r#"select exists(select 1 from resource where id = $1) as "x!""#, r).fetch_one(&mut *conn).await?;
        if !known {
            return Ok(Err(RoleError::UnknownResource(r.clone())));
        }
    }
    let mut ids = Vec::new();
    for code in &input.inherits {
        let Some(role) = role_by_code(&mut *conn, code).await? else {
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
    let (Some(role), Some(parent)) = (role_by_code(&mut conn, role_code).await?, role_by_code(&mut conn, inherits_code).await?) else {
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
    sqlx::query("lock table user_role_inherits in share row exclusive mode").execute(uow.conn()).await?;
    let refusal = if !available_to(uow.conn(), &parent, owner).await? {
        Some(RoleError::NotAvailable(parent.code.clone()))
    } else if let Some(cycle) = inheritance_cycle(&inheritance(uow.conn()).await?, role.id, parent.id) {
        let mut codes = Vec::new();
        for id in cycle {
            codes.push(sqlx::query_scalar!("select code from user_role where id = $1", id).fetch_one(uow.conn()).await?);
        }
        Some(RoleError::InheritanceCycle(codes))
    } else {
        None
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, e).await);
    }
    let added = sqlx::query!("insert into user_role_inherits (role_id, inherits_id) values ($1, $2) on conflict do nothing", role.id, parent.id)
        .execute(uow.conn())
        .await?;
    if added.rows_affected() == 0 {
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
    let role = role_by_code(&mut conn, role_code).await?;
    let with_exists =
        sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and kind = 'organisation' and status = 'active') as "x!""#, with.0)
            .fetch_one(&mut *conn)
            .await?;
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
    sqlx::query!("insert into user_role_shared_with (role_id, party_id) values ($1, $2) on conflict do nothing", role.id, with.0).execute(uow.conn()).await?;
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
    let (a, b) = (role_by_code(&mut conn, role_a).await?, role_by_code(&mut conn, role_b).await?);
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
    let inserted = sqlx::query!(
        "insert into sod_rule (id, role_a, role_b, description, created_by) values ($1, $2, $3, $4, $5)",
        id,
        a.id,
        b.id,
        description.trim(),
        ctx.person.0
    )
    .execute(uow.conn())
    .await;
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
            sqlx::query!(
                "insert into user_role_assignment (id, role_id, subject_id, assigned_in, assigned_by, valid_from, valid_to,
                     attestation_kind, attestation_issuer, attestation_reference)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                id,
                role.id,
                input.subject.0,
                in_party.0,
                ctx.person.0,
                input.valid_from.unwrap_or(now),
                input.valid_to,
                input.attestation.kind.as_str(),
                input.attestation.issuer.trim(),
                input.attestation.reference.trim(),
            )
            .execute(uow.conn())
            .await?;
            for p in &parties {
                sqlx::query!("insert into user_role_assignment_party (assignment_id, party_id) values ($1, $2)", id, p.0).execute(uow.conn()).await?;
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
    let role = role_by_code(&mut *conn, &input.role_code).await?;
    let mut parties: Vec<PartyId> = if input.restricted_to.is_empty() { vec![in_party] } else { input.restricted_to.clone() };
    parties.sort_unstable();
    parties.dedup();
    if parties.len() > 50 {
        return Ok(Err(RoleError::Invalid("restricted_to: an assignment may be restricted to at most 50 parties".into())));
    }
    for p in &parties {
        let exists =
            sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, p.0).fetch_one(&mut *conn).await?;
        if !exists {
            return Ok(Err(RoleError::UnknownParty));
        }
        let may_assign = ctx.manages(*p)
            || sqlx::query_scalar!(
                r#"select exists(select 1 from user_role_assign_right r join user_role u on u.id = r.role_id
                                 where u.code = $1 and r.holder_id = $2 and r.for_party = $3 and r.ended_at is null) as "x!""#,
                input.role_code.trim(),
                ctx.person.0,
                p.0
            )
            .fetch_one(&mut *conn)
            .await?;
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
    let subject_exists =
        sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, input.subject.0).fetch_one(&mut *conn).await?;
    if !subject_exists {
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
    sqlx::query!("select pg_advisory_xact_lock(hashtextextended($1::text, 42))", input.subject.0.to_string()).execute(&mut *conn).await?;
    let edges = inheritance(&mut *conn).await?;
    let rules: Vec<SodRule> = sqlx::query!("select id, role_a, role_b from sod_rule")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| SodRule { id: r.id, role_a: r.role_a, role_b: r.role_b })
        .collect();
    let adding = closure(&edges, role.id);
    for p in &parties {
        let held_roles = sqlx::query_scalar!(
            "select a.role_id from user_role_assignment a join user_role_assignment_party ap on ap.assignment_id = a.id
             where a.subject_id = $1 and ap.party_id = $2 and a.ended_at is null
               and (a.valid_to is null or a.valid_to > $3) and ($4::timestamptz is null or a.valid_from < $4)",
            input.subject.0,
            p.0,
            from,
            input.valid_to,
        )
        .fetch_all(&mut *conn)
        .await?;
        let held: HashSet<Uuid> = held_roles.iter().flat_map(|r| closure(&edges, *r)).collect();
        if let Some(rule) = sod_conflict(&held, &adding, &rules) {
            let code = |id: Uuid| sqlx::query_scalar!("select code from user_role where id = $1", id);
            let a = code(rule.role_a).fetch_one(&mut *conn).await?;
            let b = code(rule.role_b).fetch_one(&mut *conn).await?;
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
    let row = sqlx::query!(
        "select a.subject_id from user_role_assignment a
         where a.id = $1 and a.ended_at is null
           and exists(select 1 from user_role_assignment_party ap where ap.assignment_id = a.id and ap.party_id = $2)
         for update",
        assignment,
        party.0
    )
    .fetch_optional(uow.conn())
    .await?;
    // Authorization before existence, so ids cannot be probed.
    let refusal = match &row {
        Some(r) if r.subject_id == ctx.person.0 => None,
        _ if !ctx.manages(party) => Some(RoleError::NotAccessManager),
        None => Some(RoleError::UnknownAssignment),
        Some(_) => None,
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(ctx.refuse(ACTION, assignment.to_string(), e).await);
    }
    let now = ctx.clock.now();
    sqlx::query!(
        "update user_role_assignment set ended_at = $2, ended_by = $3, valid_to = case when valid_to is null or valid_to > $2 then greatest($2, valid_from + interval '1 microsecond') else valid_to end where id = $1",
        assignment,
        now,
        ctx.person.0
    )
    .execute(uow.conn())
    .await?;
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
    let role = role_by_code(uow.conn(), role_code).await?;
    let holder_ok = sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and kind = 'person' and status = 'active') as "x!""#, holder.0)
        .fetch_one(uow.conn())
        .await?;
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
    let inserted = sqlx::query!(
        "insert into user_role_assign_right (id, role_id, holder_id, for_party, granted_by) values ($1, $2, $3, $4, $5)",
        id,
        role.id,
        holder.0,
        for_party.0,
        ctx.person.0
    )
    .execute(uow.conn())
    .await;
    if crate::db::violated(&inserted, "user_role_assign_right_unique_active") {
        drop(uow);
        return Err(ctx.refuse(ACTION, target, RoleError::AlreadyExists).await);
    }
    inserted?;
    uow.audit(AuditEvent::new(ACTION, target, Outcome::Success, serde_json::json!({ "right": id }))).await?;
    ctx.commit(uow).await?;
    Ok(id)
}
