//! The grant and revoke use cases.

use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::clock::Clock;
use crate::decisions::{decide, DecisionRequest, Outcome as Decided, Snapshot, SubjectRef};
use crate::parties::PartyId;
use sqlx::PgPool;
use uuid::Uuid;

pub const ACCESS_MANAGEMENT: &str = "fullmakt_access_management";

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("you may not manage access for this party")]
    NotAccessManager,
    #[error("no access package {0}")]
    UnknownPackage(String),
    #[error("the package {0} cannot be given directly")]
    NotAssignable(String),
    #[error("the package {0} is for another kind of party")]
    WrongEntityType(String),
    #[error("you do not hold {0} for this party with the right to pass it on")]
    MayNotPassOn(String),
    #[error("you cannot give access to yourself")]
    SelfAssignment,
    #[error("the recipient does not exist")]
    UnknownRecipient,
    #[error("the recipient already has {0} for this party")]
    AlreadyGranted(String),
    #[error("no such active grant for this party")]
    UnknownGrant,
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for GrantError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Whether the engine lets `person` do `action` on `fullmakt_access_management` for `party`.
pub fn may_manage(snapshot: &Snapshot, person: PartyId, party: PartyId, action: &str) -> bool {
    decide(snapshot, &DecisionRequest { subject: SubjectRef::Party(person.0), action, resource: ACCESS_MANAGEMENT, party: party.0 }).outcome
        == Decided::Permit
}

/// Records a refusal in its own transaction, then returns the error.
async fn refused(pool: &PgPool, clock: &dyn Clock, actor: Actor, action: &str, target: String, err: GrantError) -> GrantError {
    let _ = crate::audit::record(pool, actor, clock, AuditEvent::new(action, target, Outcome::Refused, serde_json::json!({"reason": err.to_string()}))).await;
    err
}

/// `granter` (acting for `party`) gives `recipient` the package `package_code` for `party`.
pub async fn grant_package(
    pool: &PgPool,
    clock: &dyn Clock,
    snapshot: &Snapshot,
    actor: Actor,
    granter: PartyId,
    party: PartyId,
    recipient: PartyId,
    package_code: &str,
) -> Result<Uuid, GrantError> {
    let target = format!("{recipient}:{package_code}");
    let actor = Actor { on_behalf_of: Some(party), ..actor };
    if !may_manage(snapshot, granter, party, "write") {
        return Err(refused(pool, clock, actor, "grant.package", target, GrantError::NotAccessManager).await);
    }
    if recipient == granter {
        return Err(refused(pool, clock, actor, "grant.package", target, GrantError::SelfAssignment).await);
    }
    let mut uow = UnitOfWork::begin(pool, actor.clone(), clock).await?;
    let package = sqlx::query!("select urn, assignable, entity_type from access_package where code = $1", package_code)
        .fetch_optional(uow.conn())
        .await?;
    let party_row = sqlx::query!("select kind, org_form, parent_id from party where id = $1 and status = 'active'", party.0).fetch_optional(uow.conn()).await?;
    let recipient_ok = sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, recipient.0)
        .fetch_one(uow.conn())
        .await?;
    let check = || -> Result<String, GrantError> {
        let p = package.as_ref().ok_or_else(|| GrantError::UnknownPackage(package_code.into()))?;
        if !p.assignable {
            return Err(GrantError::NotAssignable(package_code.into()));
        }
        let kind = party_row.as_ref().map(|r| r.kind.as_str()).unwrap_or_default();
        if p.entity_type != kind {
            return Err(GrantError::WrongEntityType(package_code.into()));
        }
        if !recipient_ok {
            return Err(GrantError::UnknownRecipient);
        }
        Ok(p.urn.clone())
    };
    let urn = match check() {
        Ok(u) => u,
        Err(e) => {
            drop(uow);
            return Err(refused(pool, clock, actor, "grant.package", target, e).await);
        }
    };
    let main_admin = "urn:altinn:accesspackage:hovedadministrator";
    let may_pass_on = sqlx::query_scalar!(
        r#"select (
             exists(select 1 from register_role rr
                    join role_package rp on rp.role_code = rr.role_code and rp.can_delegate
                    join party p on p.id = $2
                    where rr.holder_id = $1 and rr.valid_to is null and rr.for_party_id in (p.id, p.parent_id)
                      and rp.package_urn = $3 and (rp.org_form is null or rp.org_form = p.org_form))
             or exists(select 1 from access_grant g where g.to_subject = $1 and g.from_party = $2 and g.valid_to is null
                       and g.package_code = $5 and $3 <> $4::text)
             or (exists(select 1 from register_role rr
                        join role_package rp on rp.role_code = rr.role_code and rp.has_access and rp.package_urn = $4::text
                        join party p on p.id = $2
                        where rr.holder_id = $1 and rr.valid_to is null and rr.for_party_id in (p.id, p.parent_id))
                 and exists(select 1 from role_package rp where rp.role_code = 'hovedadministrator' and rp.can_delegate and rp.package_urn = $3)
                 and $3 <> $4::text)
           ) as "ok!""#,
        granter.0,
        party.0,
        urn,
        main_admin,
        package_code,
    )
    .fetch_one(uow.conn())
    .await?;
    if !may_pass_on {
        drop(uow);
        return Err(refused(pool, clock, actor, "grant.package", target, GrantError::MayNotPassOn(package_code.into())).await);
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into access_grant (id, from_party, to_subject, to_kind, package_code, granted_by) values ($1, $2, $3, 'party', $4, $5)",
        id,
        party.0,
        recipient.0,
        package_code,
        granter.0
    )
    .execute(uow.conn())
    .await;
    if let Err(sqlx::Error::Database(e)) = &inserted {
        if e.constraint() == Some("access_grant_unique_active_package") {
            drop(uow);
            return Err(refused(pool, clock, actor, "grant.package", target, GrantError::AlreadyGranted(package_code.into())).await);
        }
    }
    inserted?;
    crate::decisions::store::record_change(uow.conn(), "grant").await?;
    uow.audit(AuditEvent::new("grant.package", target, Outcome::Success, serde_json::json!({"grant": id, "package": package_code}))).await?;
    uow.commit().await?;
    Ok(id)
}

/// Ends an active grant given on behalf of `party`.
pub async fn revoke(pool: &PgPool, clock: &dyn Clock, snapshot: &Snapshot, actor: Actor, person: PartyId, party: PartyId, grant: Uuid) -> Result<(), GrantError> {
    let actor = Actor { on_behalf_of: Some(party), ..actor };
    // The recipient may always give back what they received.
    let mut uow = UnitOfWork::begin(pool, actor.clone(), clock).await?;
    let row = sqlx::query!("select to_subject from access_grant where id = $1 and from_party = $2 and valid_to is null for update", grant, party.0)
        .fetch_optional(uow.conn())
        .await?;
    let Some(row) = row else {
        drop(uow);
        return Err(refused(pool, clock, actor, "grant.revoke", grant.to_string(), GrantError::UnknownGrant).await);
    };
    if row.to_subject != person.0 && !may_manage(snapshot, person, party, "write") {
        drop(uow);
        return Err(refused(pool, clock, actor, "grant.revoke", grant.to_string(), GrantError::NotAccessManager).await);
    }
    sqlx::query!("update access_grant set valid_to = $2 where id = $1", grant, clock.now()).execute(uow.conn()).await?;
    crate::decisions::store::record_change(uow.conn(), "revoke").await?;
    uow.audit(AuditEvent::new("grant.revoke", grant.to_string(), Outcome::Success, serde_json::json!({}))).await?;
    uow.commit().await?;
    Ok(())
}

/// One thing a subject holds for a party, and why, for "who has access".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeldItem {
    /// `package:<code>`, `role:<code>` or `right:<resource>:<action>`.
    pub what: String,
    /// Every chain that gives it (rendered in the reader's language by the UI).
    pub why: Vec<crate::decisions::Reason>,
    /// Set when the item is a direct grant, which can be revoked.
    pub grant: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessHolder {
    pub subject: Uuid,
    pub name: String,
    pub items: Vec<HeldItem>,
}

/// Everyone who holds something for `party`, what and why, by name.
pub fn who_has_access(snapshot: &Snapshot, party: PartyId) -> Vec<AccessHolder> {
    use crate::decisions::Reason;
    let grant_of = |r: &Reason| match r {
        Reason::Grant { grant, .. } => Some(*grant),
        _ => None,
    };
    let mut out: Vec<AccessHolder> = snapshot
        .holders_of(party.0)
        .iter()
        .filter_map(|subject| {
            let facts = snapshot.facts(*subject, party.0)?;
            let mut items: Vec<HeldItem> = Vec::new();
            let mut add = |what: String, r: &Reason| {
                let why = r.clone();
                match items.iter_mut().find(|i| i.what == what) {
                    Some(i) => {
                        if !i.why.contains(&why) {
                            i.why.push(why);
                        }
                        i.grant = i.grant.or(grant_of(r));
                    }
                    None => items.push(HeldItem { what, why: vec![why], grant: grant_of(r) }),
                }
            };
            for (c, r) in &facts.roles {
                add(format!("role:{c}"), r);
            }
            for (c, r) in &facts.packages {
                add(format!("package:{c}"), r);
            }
            for (res, a, r) in &facts.rights {
                add(format!("right:{res}:{a}"), r);
            }
            Some(AccessHolder { subject: *subject, name: snapshot.name_of(*subject), items })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
