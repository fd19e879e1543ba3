//! The grant and revoke use cases.

use crate::audit::{AuditEvent, Outcome, UnitOfWorkError};
use crate::authorized_parties::authorized_parties;
use crate::authz::{Action, Denied, SystemResource};
use crate::context::Context;
use crate::decisions::store::{record_change, Change};
use crate::decisions::{decide, DecisionRequest, Env, Facts, Outcome as DecisionOutcome, Reason, Snapshot, SubjectRef};
use crate::parties::PartyId;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("you may not manage access for this party")]
    NotAccessManager,
    /// Invalid input: the form field it is about, a colon, then what is wrong.
    #[error("{0}")]
    Invalid(String),
    #[error("no access package was chosen")]
    NoPackage,
    #[error("no person with that national identity number and surname")]
    NoSuchPerson,
    #[error("no active organisation with that number")]
    NoSuchOrganisation,
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
    #[error("a party cannot be given access to itself")]
    RecipientIsParty,
    #[error("the recipient does not exist")]
    UnknownRecipient,
    #[error("the system user does not belong to this party, or is deleted")]
    ForeignSystemUser,
    #[error("an agent system user gets access through client delegation, not direct grants")]
    AgentSystemUser,
    #[error("the recipient already has {0} for this party")]
    AlreadyGranted(String),
    /// No delegable resource by that id whose policy names the action.
    #[error("no delegable resource with the action {0}")]
    UnknownRight(String),
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

impl From<Denied> for GrantError {
    fn from(_: Denied) -> Self {
        Self::NotAccessManager
    }
}

impl From<GrantError> for crate::error::Failure {
    fn from(e: GrantError) -> Self {
        use crate::error::{Failure, FieldError, Refusal};
        Failure::Refused(match e {
            GrantError::NotAccessManager => return Failure::NotAllowed,
            GrantError::Invalid(text) => return Failure::Invalid(vec![FieldError::parse(&text)]),
            GrantError::Store(e) => return e.into(),
            GrantError::NoPackage => Refusal::NoPackage,
            GrantError::NoSuchPerson => Refusal::NoSuchPerson,
            GrantError::NoSuchOrganisation => Refusal::NoSuchOrganisation,
            GrantError::UnknownPackage(_) => Refusal::UnknownPackage,
            GrantError::NotAssignable(_) => Refusal::NotAssignable,
            GrantError::WrongEntityType(_) => Refusal::WrongEntityType,
            GrantError::MayNotPassOn(_) => Refusal::MayNotPassOn,
            GrantError::SelfAssignment => Refusal::SelfAssignment,
            GrantError::RecipientIsParty => Refusal::RecipientIsParty,
            GrantError::UnknownRecipient => Refusal::UnknownRecipient,
            GrantError::ForeignSystemUser => Refusal::ForeignSystemUser,
            GrantError::AgentSystemUser => Refusal::AgentSystemUser,
            GrantError::AlreadyGranted(_) => Refusal::AlreadyGranted,
            GrantError::UnknownRight(_) => Refusal::ResourceNotFound,
            GrantError::UnknownGrant => Refusal::UnknownGrant,
        })
    }
}

impl GrantError {
    /// Whether the refusal is about the recipient rather than the package, so
    /// that giving the other packages of the same request would fail alike.
    pub fn is_about_recipient(&self) -> bool {
        matches!(self, Self::SelfAssignment | Self::RecipientIsParty | Self::UnknownRecipient | Self::ForeignSystemUser | Self::AgentSystemUser)
    }
}

/// Who receives a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A person or an organisation.
    Party(PartyId),
    /// A standard system user of the party itself: the party lets a system
    /// it uses act for it (Altinn's system users). Agent system users get
    /// access through client delegation instead.
    SystemUser(Uuid),
}

impl Recipient {
    fn id(self) -> Uuid {
        match self {
            Self::Party(p) => p.0,
            Self::SystemUser(id) => id,
        }
    }
}

/// The party acted for, and the person acting, if the person may give
/// access for the party (write on access management).
fn granter_and_party(ctx: &Context) -> Result<(PartyId, PartyId), Denied> {
    let party = ctx.authorize_for_party(Action::Write, SystemResource::AccessManagement)?;
    let granter = ctx.person().ok_or(Denied)?;
    Ok((granter, party))
}

/// The actor, acting for the party they chose, gives `recipient` the access
/// package `package_code` for that party; the engine sees it before this returns.
pub async fn grant_package_to(ctx: &Context, recipient: Recipient, package_code: &str) -> Result<Uuid, GrantError> {
    let given = grant_one(ctx, recipient, package_code).await;
    if given.is_ok() {
        ctx.engine_sees_changes().await;
    }
    given
}

/// Gives one package, without bringing the engine up to date (the caller does).
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub(super) async fn grant_one(ctx: &Context, recipient: Recipient, package_code: &str) -> Result<Uuid, GrantError> {
    let target = format!("{}:{package_code}", recipient.id());
    let refuse = |err: GrantError| async {
        ctx.audit_refusal("grant.package", target.clone(), &err, serde_json::json!({})).await;
        err
    };
    let (granter, party) = match granter_and_party(ctx) {
        Ok(p) => p,
        Err(denied) => return Err(refuse(denied.into()).await),
    };
    if recipient == Recipient::Party(granter) {
        return Err(refuse(GrantError::SelfAssignment).await);
    }
    // The table refuses it too (`access_grant_not_self`); saying so here gives a reason instead of a 500.
    if recipient == Recipient::Party(party) {
        return Err(refuse(GrantError::RecipientIsParty).await);
    }
    let mut uow = ctx.begin().await?;
    let package = sqlx::query!("select urn, assignable, entity_type from access_package where code = $1", package_code).fetch_optional(uow.conn()).await?;
    let party_row = sqlx::query!("select kind, org_form, parent_id from party where id = $1 and status = 'active'", party.0).fetch_optional(uow.conn()).await?;
    let recipient_check = match recipient {
        Recipient::Party(r) => sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, r.0)
            .fetch_one(uow.conn())
            .await?
            .then_some(())
            .ok_or(GrantError::UnknownRecipient),
        Recipient::SystemUser(id) => {
            let row = sqlx::query!(
                "select su.party_id, su.user_type from system_user su join system_register sr on sr.system_id = su.system_id
                 where su.id = $1 and su.deleted_at is null and not sr.is_deleted",
                id
            )
            .fetch_optional(uow.conn())
            .await?;
            match row {
                Some(r) if r.party_id != party.0 => Err(GrantError::ForeignSystemUser),
                Some(r) if r.user_type == "agent" => Err(GrantError::AgentSystemUser),
                Some(_) => Ok(()),
                None => Err(GrantError::ForeignSystemUser),
            }
        }
    };
    let check = || -> Result<String, GrantError> {
        let p = package.as_ref().ok_or_else(|| GrantError::UnknownPackage(package_code.into()))?;
        if !p.assignable {
            return Err(GrantError::NotAssignable(package_code.into()));
        }
        let kind = party_row.as_ref().map(|r| r.kind.as_str()).unwrap_or_default();
        if p.entity_type != kind {
            return Err(GrantError::WrongEntityType(package_code.into()));
        }
        recipient_check?;
        Ok(p.urn.clone())
    };
    let urn = match check() {
        Ok(u) => u,
        Err(e) => {
            drop(uow);
            return Err(refuse(e).await);
        }
    };
    let may_pass_on = super::store::may_pass_on(uow.conn(), granter, party, &urn, package_code).await?;
    if !may_pass_on {
        drop(uow);
        return Err(refuse(GrantError::MayNotPassOn(package_code.into())).await);
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into access_grant (id, from_party, to_subject, to_kind, package_code, granted_by) values ($1, $2, $3, $4, $5, $6)",
        id,
        party.0,
        recipient.id(),
        match recipient {
            Recipient::Party(_) => "party",
            Recipient::SystemUser(_) => "system_user",
        },
        package_code,
        granter.0
    )
    .execute(uow.conn())
    .await;
    if crate::db::violated(&inserted, "access_grant_unique_active_package") {
        drop(uow);
        return Err(refuse(GrantError::AlreadyGranted(package_code.into())).await);
    }
    inserted?;
    record_change(uow.conn(), Change::Grant(id)).await?;
    uow.audit(AuditEvent::new("grant.package", target, Outcome::Success, serde_json::json!({"grant": id, "package": package_code}))).await?;
    uow.commit().await?;
    Ok(id)
}

/// The actor, acting for the party they chose, gives the person or
/// organisation `recipient` a single right: `action` on `resource` for that
/// party. The resource must be delegable and its policy name the action, and
/// the engine must permit the actor the action for the party (one passes on
/// only what one may do). A firm given single rights by a client can act on
/// them through its agent system users (scenario S9). Audited; the engine
/// sees it before this returns.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn grant_right_to(ctx: &Context, recipient: PartyId, resource: &str, action: &str) -> Result<Uuid, GrantError> {
    let label = format!("{resource}:{action}");
    let target = format!("{}:{label}", recipient.0);
    let refuse = |err: GrantError| async {
        ctx.audit_refusal("grant.right", target.clone(), &err, serde_json::json!({})).await;
        err
    };
    let (granter, party) = match granter_and_party(ctx) {
        Ok(p) => p,
        Err(denied) => return Err(refuse(denied.into()).await),
    };
    if recipient == granter {
        return Err(refuse(GrantError::SelfAssignment).await);
    }
    if recipient == party {
        return Err(refuse(GrantError::RecipientIsParty).await);
    }
    let mut uow = ctx.begin().await?;
    let known = crate::resources::store::get(uow.conn(), resource)
        .await?
        .filter(|r| r.delegable)
        .is_some_and(|r| r.policy.rules.iter().any(|rule| rule.actions.iter().any(|a| a == action)));
    let recipient_exists =
        sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, recipient.0).fetch_one(uow.conn()).await?;
    let request = DecisionRequest { subject: SubjectRef::Party(granter.0), action, resource, party: party.0, env: Env::now() };
    let refusal = if !known {
        Some(GrantError::UnknownRight(label.clone()))
    } else if !recipient_exists {
        Some(GrantError::UnknownRecipient)
    } else if decide(&ctx.snapshot(), &request).outcome != DecisionOutcome::Permit {
        Some(GrantError::MayNotPassOn(label.clone()))
    } else {
        None
    };
    if let Some(e) = refusal {
        drop(uow);
        return Err(refuse(e).await);
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        "insert into access_grant (id, from_party, to_subject, to_kind, resource_id, action, granted_by) values ($1, $2, $3, 'party', $4, $5, $6)",
        id,
        party.0,
        recipient.0,
        resource,
        action,
        granter.0
    )
    .execute(uow.conn())
    .await;
    if crate::db::violated(&inserted, "access_grant_unique_active_right") {
        drop(uow);
        return Err(refuse(GrantError::AlreadyGranted(label)).await);
    }
    inserted?;
    record_change(uow.conn(), Change::Grant(id)).await?;
    uow.audit(AuditEvent::new("grant.right", target, Outcome::Success, serde_json::json!({"grant": id, "resource": resource, "action": action}))).await?;
    uow.commit().await?;
    ctx.engine_sees_changes().await;
    Ok(id)
}

/// Ends an active grant given on behalf of the party the actor acts for. The
/// recipient may always give back what they received; otherwise it takes an
/// access manager of the party.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn revoke(ctx: &Context, grant: Uuid) -> Result<(), GrantError> {
    let refuse = |err: GrantError| async {
        ctx.audit_refusal("grant.revoke", grant.to_string(), &err, serde_json::json!({})).await;
        err
    };
    let (Some(person), Some(party)) = (ctx.person(), ctx.party()) else {
        return Err(refuse(GrantError::NotAccessManager).await);
    };
    let mut uow = ctx.begin().await?;
    let row = sqlx::query!("select to_subject from access_grant where id = $1 and from_party = $2 and valid_to is null for update", grant, party.0)
        .fetch_optional(uow.conn())
        .await?;
    let Some(row) = row else {
        drop(uow);
        return Err(refuse(GrantError::UnknownGrant).await);
    };
    if row.to_subject != person.0 && !ctx.may(Action::Write, SystemResource::AccessManagement, party) {
        drop(uow);
        return Err(refuse(GrantError::NotAccessManager).await);
    }
    // The database's clock, as the engine's readers compare with it: a
    // revocation is over by the time any reader can see it.
    sqlx::query!("update access_grant set valid_to = now() where id = $1", grant).execute(uow.conn()).await?;
    record_change(uow.conn(), Change::Grant(grant)).await?;
    // A firm's client delegations that needed the package end with it.
    let cause = crate::clients::cascade::Cause::GrantRevoked(grant);
    let delegations_ended = crate::clients::cascade::end_unsupported(&mut uow, Some(row.to_subject), Some(party.0), cause).await?;
    let details = serde_json::json!({ "client_delegations_ended": delegations_ended });
    uow.audit(AuditEvent::new("grant.revoke", grant.to_string(), Outcome::Success, details)).await?;
    uow.commit().await?;
    ctx.engine_sees_changes().await;
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

/// What one subject holds for one party, one item per role, package or right,
/// with every reason that gives it.
fn held_items(facts: &Facts) -> Vec<HeldItem> {
    let grant_of = |r: &Reason| match r {
        Reason::Grant { grant, .. } => Some(*grant),
        _ => None,
    };
    let mut items: Vec<HeldItem> = Vec::new();
    let mut add = |what: String, r: &Reason| match items.iter_mut().find(|i| i.what == what) {
        Some(i) => {
            if !i.why.contains(r) {
                i.why.push(r.clone());
            }
            i.grant = i.grant.or(grant_of(r));
        }
        None => items.push(HeldItem { what, why: vec![r.clone()], grant: grant_of(r) }),
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
    items
}

/// Everyone who holds something for the party the actor acts for, what and
/// why, by name; for those who may read the party's access management.
pub fn who_has_access(ctx: &Context) -> Result<Vec<AccessHolder>, GrantError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement)?;
    Ok(holders(&ctx.snapshot(), party))
}

/// Everyone who holds something for `party` in `snapshot`.
pub(crate) fn holders(snapshot: &Snapshot, party: PartyId) -> Vec<AccessHolder> {
    let mut out: Vec<AccessHolder> = snapshot
        .holders_of(party.0)
        .iter()
        .filter_map(|subject| {
            let facts = snapshot.facts(*subject, party.0)?;
            Some(AccessHolder { subject: *subject, name: snapshot.name_of(*subject), items: held_items(facts) })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A party someone may act for, and what they hold for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeldFor {
    pub party: Uuid,
    pub name: String,
    /// Set for organisations.
    pub org_number: Option<String>,
    pub items: Vec<HeldItem>,
}

/// "What I can do for others": every party other than the signed-in person
/// that they hold something for, by name, with what and why. The mirror
/// image of [`who_has_access`], read from the same snapshot. Everyone may
/// read their own.
pub fn what_i_can_do_for_others(ctx: &Context) -> Result<Vec<HeldFor>, GrantError> {
    let person = ctx.person().ok_or(GrantError::NotAccessManager)?;
    Ok(held_for_others(&ctx.snapshot(), person))
}

/// What `person` holds for others in `snapshot`.
pub(crate) fn held_for_others(snapshot: &Snapshot, person: PartyId) -> Vec<HeldFor> {
    // The same parties, in the same order, as the party chooser and the authorized-parties API.
    authorized_parties(snapshot, SubjectRef::Party(person.0), None)
        .into_iter()
        .filter(|p| !p.is_self)
        .filter_map(|p| {
            let items = held_items(snapshot.facts(person.0, p.party.id)?);
            (!items.is_empty()).then_some(HeldFor { party: p.party.id, name: p.party.name, org_number: p.party.org_number, items })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::snapshot::{RolePackageRule, SnapshotBuilder};

    struct World {
        snapshot: Snapshot,
        ola: Uuid,
        gunn: Uuid,
        bjorn: Uuid,
        firm: Uuid,
        bakery: Uuid,
        branch: Uuid,
        fishing: Uuid,
        grant: Uuid,
    }

    /// The demo scenario: Ola runs an accounting firm that keeps the books of a
    /// bakery (with a branch) and a fishing company; the bakery's manager also
    /// gave Ola a package directly.
    fn world() -> World {
        let mut b = SnapshotBuilder::new(1);
        let firm = b.organisation("Tall og Tro Regnskap AS", "310100005", "AS", None);
        let bakery = b.organisation("Bakeri Hansen AS", "310400009", "AS", None);
        let branch = b.organisation("Bakeri Hansen avd. Sentrum", "310410003", "AS", Some(bakery));
        let fishing = b.organisation("Kystfisk AS", "310600008", "AS", None);
        let ola = b.person("Ola Tallesen", "03908110020");
        let bjorn = b.person("Bjørn Hansen", "14928810047");
        let gunn = b.person("Gunn Gjest", "11839110083");
        b.role("daglig-leder", true);
        b.role("regnskapsforer", false);
        b.role_package("daglig-leder", RolePackageRule { package: "merverdiavgift".into(), org_form: None, has_access: true });
        b.role_package("regnskapsforer", RolePackageRule { package: "regnskapsforer-lonn".into(), org_form: None, has_access: true });
        b.register_role(ola, firm, "DAGL", "daglig-leder");
        b.register_role(bjorn, bakery, "DAGL", "daglig-leder");
        b.register_role(firm, bakery, "REGN", "regnskapsforer");
        b.register_role(firm, fishing, "REGN", "regnskapsforer");
        let grant = Uuid::now_v7();
        b.granted_package(ola, bakery, "skatt-naering", grant, Some(bjorn));
        World { snapshot: b.build(), ola, gunn, bjorn, firm, bakery, branch, fishing, grant }
    }

    fn item<'a>(held: &'a HeldFor, what: &str) -> &'a HeldItem {
        held.items.iter().find(|i| i.what == what).unwrap_or_else(|| panic!("{} holds no {what}: {:?}", held.name, held.items))
    }

    #[test]
    fn others_lists_every_party_but_oneself_by_name() {
        let w = world();
        let others = held_for_others(&w.snapshot, PartyId(w.ola));
        let names: Vec<&str> = others.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["Bakeri Hansen AS", "Bakeri Hansen avd. Sentrum", "Kystfisk AS", "Tall og Tro Regnskap AS"]);
        assert!(others.iter().all(|h| h.party != w.ola));
        assert_eq!(others[2].party, w.fishing);
        assert_eq!(others[2].org_number.as_deref(), Some("310600008"));
    }

    #[test]
    fn others_says_why_role_key_role_grant_and_main_unit() {
        let w = world();
        let others = held_for_others(&w.snapshot, PartyId(w.ola));
        let firm = others.iter().find(|h| h.party == w.firm).unwrap();
        assert!(matches!(&item(firm, "role:DAGL").why[..], [Reason::RegisterRole { role }] if &**role == "DAGL"));
        assert!(item(firm, "role:DAGL").grant.is_none());

        let bakery = others.iter().find(|h| h.party == w.bakery).unwrap();
        let lonn = item(bakery, "package:regnskapsforer-lonn");
        assert!(
            matches!(&lonn.why[..], [Reason::KeyRole { role, organisation, inner }]
                if &**role == "DAGL" && *organisation == w.firm && matches!(**inner, Reason::RolePackage { .. })),
            "{:?}",
            lonn.why
        );
        let granted = item(bakery, "package:skatt-naering");
        assert_eq!(granted.grant, Some(w.grant));
        assert!(matches!(granted.why[..], [Reason::Grant { granted_by: Some(by), .. }] if by == w.bjorn));

        let branch = others.iter().find(|h| h.party == w.branch).unwrap();
        let inherited = item(branch, "package:skatt-naering");
        assert!(matches!(&inherited.why[..], [Reason::MainUnit { main_unit, .. }] if *main_unit == w.bakery));
        assert!(branch.items.iter().all(|i| !i.what.starts_with("role:REGN")), "a key role passes on packages, not the role");
    }

    #[test]
    fn someone_who_holds_nothing_for_others_gets_an_empty_list() {
        let w = world();
        assert!(held_for_others(&w.snapshot, PartyId(w.gunn)).is_empty());
        assert!(held_for_others(&w.snapshot, PartyId(Uuid::now_v7())).is_empty());
    }

    #[test]
    fn others_and_who_has_access_are_mirror_images() {
        let w = world();
        for held in held_for_others(&w.snapshot, PartyId(w.ola)) {
            let holders = holders(&w.snapshot, PartyId(held.party));
            let ola = holders.iter().find(|h| h.subject == w.ola).expect("Ola is listed as a holder");
            assert_eq!(ola.items, held.items, "{}", held.name);
        }
    }
}
