//! The sponsor's use cases: register a short-term guest, list my guests,
//! extend a stay within the maximum, end a guest's account at once. Each is
//! authorized by the sponsorship (`sponsorship`), and every change and every
//! refusal of a person is audited.
//!
//! Three lifecycles (DESIGN.md §4.8): the *identity* is a person party
//! (with or without a national identity number) and its contact points;
//! the *account* is the guest account at the institution, whose every state
//! change is recorded in `guest_account_transition`; the *assignment* (the
//! guest role, while active) follows the account.

use super::error::GuestError;
use super::lifecycle::{self, AccountState, Shown, Transition};
use super::registration::{self, CheckedGuest, GuestForRegister};
use super::schedule::GuestPolicy;
use super::sponsorship::{self, Sponsorship, SHORT_TERM};
use super::username;
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::context::Context;
use crate::parties::{PartyId, SyntheticIds};
use crate::system_register::Translated;
use sqlx::PgConnection;
use std::collections::HashSet;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The longest reason for ending a guest's account.
pub const MAX_REASON: usize = 500;

/// Today in Norway, which decides guests' dates.
pub fn today(now: OffsetDateTime) -> Date {
    now.to_offset(crate::role_model::rules::norwegian_offset(now)).date()
}

/// A registration as a sponsor or the help desk submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    pub guest: GuestForRegister,
    /// The unit's code.
    pub unit: String,
    /// The sponsor the help desk registers for (a person's id); a sponsor
    /// registers for themself and leaves it out.
    pub sponsor: Option<Uuid>,
}

/// What a registration made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub account: Uuid,
    pub name: String,
    pub username: String,
    /// The day the invitation goes out.
    pub invite_on: Date,
}

/// A guest as "my guests" shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub account: Uuid,
    pub name: String,
    pub username: String,
    pub email: Option<String>,
    pub unit: Translated,
    pub sponsor_name: String,
    pub state: AccountState,
    pub shown: Shown,
    pub start: Date,
    pub end: Date,
    /// The latest end date an extension may give.
    pub latest_end: Date,
    /// For an ended account its guest claimed, still within the retention
    /// period: the latest end date a reactivation may give.
    pub reactivate_until: Option<Date>,
}

/// The institution's policy for a guest type, or the defaults.
pub(super) async fn policy(conn: &mut PgConnection, institution: PartyId, guest_type: &str) -> Result<GuestPolicy, sqlx::Error> {
    let row = sqlx::query!(
        "select max_days, invite_days_before, notice_days, claim_link_days, code_attempts, retention_days, username_prefix
         from guest_policy where institution_id = $1 and guest_type = $2",
        institution.0,
        guest_type
    )
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        None => GuestPolicy::default(),
        Some(r) => GuestPolicy {
            max_days: r.max_days.into(),
            invite_days_before: r.invite_days_before.map(i64::from),
            notice_days: r.notice_days.into_iter().map(i64::from).collect(),
            claim_link_days: r.claim_link_days.into(),
            code_attempts: u8::try_from(r.code_attempts).unwrap_or(5),
            retention: time::Duration::days(r.retention_days.into()),
            username_prefix: r.username_prefix,
        },
    })
}

/// The actor's sponsorship at the institution they act for; refused (and,
/// for `audit`, audited) when they are neither a sponsor nor the help desk.
async fn sponsorship_of(ctx: &Context, audit: Option<(&str, &str)>) -> Result<Sponsorship, GuestError> {
    let refuse = |e: GuestError| async move {
        if let Some((action, target)) = audit {
            ctx.audit_refusal(action, target, &e, serde_json::json!({})).await;
        }
        Err(e)
    };
    let (Some(person), Some(institution)) = (ctx.person(), ctx.party()) else {
        return refuse(GuestError::NotSponsor).await;
    };
    let mut conn = ctx.db().acquire().await?;
    match sponsorship::of(&mut conn, person, institution).await? {
        Some(s) if s.any() => Ok(s),
        _ => refuse(GuestError::NotSponsor).await,
    }
}

/// The actor's sponsorship, for the registration form: the units they may
/// choose and whether they register for other sponsors.
pub async fn sponsorship(ctx: &Context) -> Result<Sponsorship, GuestError> {
    sponsorship_of(ctx, None).await
}

/// The sponsors the help desk may register for: each person who sponsors
/// some unit of the institution, with their name.
pub async fn sponsors_to_choose(ctx: &Context) -> Result<Vec<(Uuid, String)>, GuestError> {
    let s = sponsorship_of(ctx, None).await?;
    Ok(sponsors_for(ctx, &s).await?)
}

/// The institution's sponsors (for units), when `s` is the help desk's; none otherwise.
async fn sponsors_for(ctx: &Context, s: &Sponsorship) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    if !s.help_desk {
        return Ok(Vec::new());
    }
    let mut conn = ctx.db().acquire().await?;
    let rows = sqlx::query!(
        r#"select distinct p.id, p.name from user_role_assign_right r join party p on p.id = r.holder_id
           where r.role_id = $1 and r.for_party = $2 and r.unit_id is not null and r.ended_at is null order by p.name, p.id"#,
        s.role,
        s.institution.0
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// What the registration form offers the actor: their units, the sponsors
/// the help desk registers for, the longest stay, and today's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationForm {
    pub sponsorship: Sponsorship,
    pub sponsors: Vec<(Uuid, String)>,
    pub max_days: i64,
    pub today: Date,
}

pub async fn registration_form(ctx: &Context) -> Result<RegistrationForm, GuestError> {
    let sponsorship = sponsorship_of(ctx, None).await?;
    let sponsors = sponsors_for(ctx, &sponsorship).await?;
    let mut conn = ctx.db().acquire().await?;
    let max_days = policy(&mut conn, sponsorship.institution, SHORT_TERM).await?.max_days;
    Ok(RegistrationForm { sponsorship, sponsors, max_days, today: today(ctx.now()) })
}

/// Registers a short-term guest: checks the fields and the sponsor's unit,
/// finds or makes the identity, gives the username, and opens the account
/// as invited.
pub async fn register(ctx: &Context, r: &Registration) -> Result<Registered, GuestError> {
    const AUDIT: &str = "guest.register";
    let target = format!("{} {}", r.guest.given_name.trim(), r.guest.surname.trim()).chars().take(80).collect::<String>();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let unit_code = r.unit.trim();
        let Some(unit) = s.unit(unit_code).cloned() else {
            let mut conn = ctx.db().acquire().await?;
            let exists = unit_code.is_empty()
                || sqlx::query_scalar!("select exists(select 1 from org_unit where institution_id = $1 and code = $2)", s.institution.0, unit_code)
                    .fetch_one(&mut *conn)
                    .await?
                    .unwrap_or(false);
            return Err(if exists && !unit_code.is_empty() {
                GuestError::UnitNotYours(unit_code.to_string())
            } else {
                GuestError::invalid("unit", "choose one of your units")
            });
        };
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let sponsor = match r.sponsor {
            Some(chosen) if s.help_desk && chosen != me.0 => {
                let mut conn = ctx.db().acquire().await?;
                if !sponsorship::sponsors_unit(&mut conn, PartyId(chosen), s.institution, unit.id).await? {
                    return Err(GuestError::SponsorNotForUnit);
                }
                PartyId(chosen)
            }
            _ if s.help_desk && r.sponsor.is_none() => {
                let mut conn = ctx.db().acquire().await?;
                if !sponsorship::sponsors_unit(&mut conn, me, s.institution, unit.id).await? {
                    return Err(GuestError::invalid("sponsor", "choose the sponsor you register the guest for"));
                }
                me
            }
            _ => me,
        };
        let today = today(ctx.now());
        let mut conn = ctx.db().acquire().await?;
        let policy = policy(&mut conn, s.institution, SHORT_TERM).await?;
        drop(conn);
        let guest = registration::check(&r.guest, today, policy.max_days, SyntheticIds::Accept).map_err(GuestError::Invalid)?;
        let base = username::base(&guest.given_name, &guest.surname, &policy.username_prefix).map_err(|e| GuestError::invalid("surname", e.to_string()))?;
        let mut uow = ctx.begin().await?;
        // One registration at a time per institution: usernames are given in order.
        sqlx::query!("select id from party where id = $1 for no key update", s.institution.0).fetch_optional(uow.conn()).await?;
        let person = identity(&mut uow, &guest, ctx.now()).await?;
        let in_force = sqlx::query_scalar!(
            "select exists(select 1 from guest_account where institution_id = $1 and person_id = $2 and state in ('invited', 'active', 'suspended'))",
            s.institution.0,
            person.0
        )
        .fetch_one(uow.conn())
        .await?
        .unwrap_or(false);
        if in_force {
            return Err(GuestError::AlreadyRegistered);
        }
        let username = username_for(&mut uow, s.institution, person, &base, ctx.now()).await?;
        let invite_on = policy.invitation_day(guest.start, today);
        let account = Uuid::now_v7();
        let now = ctx.now();
        sqlx::query!(
            "insert into guest_account (id, institution_id, unit_id, person_id, sponsor_id, registered_by, guest_type, username, state,
                                        start_date, end_date, invite_on, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'invited', $9, $10, $11, $12, $12)",
            account,
            s.institution.0,
            unit.id,
            person.0,
            sponsor.0,
            me.0,
            SHORT_TERM,
            username,
            guest.start,
            guest.end,
            invite_on,
            now
        )
        .execute(uow.conn())
        .await?;
        record_transition(&mut uow, account, None, AccountState::Invited, "registered", Some(me), now).await?;
        if invite_on <= today {
            super::claim::enqueue_invitation(&mut uow, account, now).await?;
        }
        let name = format!("{} {}", guest.given_name, guest.surname);
        let details = serde_json::json!({
            "guest": name, "username": username, "unit": unit.code, "sponsor": sponsor.0,
            "start": guest.start.to_string(), "end": guest.end.to_string(), "invite_on": invite_on.to_string(),
        });
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(Registered { account, name, username, invite_on })
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({ "unit": r.unit.trim() }), done, GuestError::is_store).await
}

/// The identity the registration is for: the person with the national
/// identity number given, or else the one the e-mail address belongs to
/// when the names match, or else a new one. The e-mail and the mobile must
/// not belong to anyone else.
async fn identity(uow: &mut UnitOfWork, g: &CheckedGuest, now: OffsetDateTime) -> Result<PartyId, GuestError> {
    let email = g.email.to_lowercase();
    let by_email = sqlx::query!("select c.person_id, c.given_name, c.surname from person_contact c where c.email = $1 for update", email)
        .fetch_optional(uow.conn())
        .await?;
    let by_mobile = match &g.mobile {
        Some(m) => sqlx::query_scalar!("select person_id from person_contact where mobile = $1 for update", m).fetch_optional(uow.conn()).await?,
        None => None,
    };
    let by_nin = match &g.national_id {
        Some(n) => crate::parties::store::find_by_national_id(uow.conn(), n).await?.map(|p| p.id),
        None => None,
    };
    let same_name = |given: &str, surname: &str| given.to_lowercase() == g.given_name.to_lowercase() && surname.to_lowercase() == g.surname.to_lowercase();
    let existing = match (by_nin, &by_email) {
        (Some(p), _) => Some(p),
        (None, Some(e)) if same_name(&e.given_name, &e.surname) && g.national_id.is_none() => Some(PartyId(e.person_id)),
        _ => None,
    };
    if by_email.as_ref().is_some_and(|e| Some(PartyId(e.person_id)) != existing) {
        return Err(GuestError::EmailTaken);
    }
    if by_mobile.is_some_and(|m| Some(PartyId(m)) != existing) {
        return Err(GuestError::MobileTaken);
    }
    let person = match existing {
        Some(p) => p,
        None => {
            let id = PartyId::new();
            sqlx::query!(
                "insert into party (id, kind, name, national_id) values ($1, 'person', $2, $3)",
                id.0,
                format!("{} {}", g.given_name, g.surname),
                g.national_id.as_ref().map(|n| n.as_str())
            )
            .execute(uow.conn())
            .await?;
            id
        }
    };
    sqlx::query!(
        "insert into person_contact (person_id, given_name, surname, email, mobile, updated_at) values ($1, $2, $3, $4, $5, $6)
         on conflict (person_id) do update set email = excluded.email, mobile = coalesce(excluded.mobile, person_contact.mobile), updated_at = excluded.updated_at",
        person.0,
        g.given_name,
        g.surname,
        email,
        g.mobile,
        now
    )
    .execute(uow.conn())
    .await?;
    Ok(person)
}

/// The person's username at the institution: the one they had, or the
/// first free one from `base` (every username ever given counts).
async fn username_for(uow: &mut UnitOfWork, institution: PartyId, person: PartyId, base: &str, now: OffsetDateTime) -> Result<String, sqlx::Error> {
    if let Some(u) = sqlx::query_scalar!("select username from person_username where institution_id = $1 and person_id = $2", institution.0, person.0)
        .fetch_optional(uow.conn())
        .await?
    {
        return Ok(u);
    }
    let taken: HashSet<String> = sqlx::query_scalar!(
        r#"select username from person_username where institution_id = $1 and username like replace(replace($2, '_', '\_'), '%', '\%') || '%'"#,
        institution.0,
        base
    )
    .fetch_all(uow.conn())
    .await?
    .into_iter()
    .collect();
    let name = username::first_free(base, |u| taken.contains(u));
    sqlx::query!("insert into person_username (institution_id, username, person_id, created_at) values ($1, $2, $3, $4)", institution.0, name, person.0, now)
        .execute(uow.conn())
        .await?;
    Ok(name)
}

pub(super) async fn record_transition(
    uow: &mut UnitOfWork,
    account: Uuid,
    from: Option<AccountState>,
    to: AccountState,
    reason: &str,
    actor: Option<PartyId>,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let rule = actor.is_none().then_some("lifecycle");
    sqlx::query!(
        "insert into guest_account_transition (id, account_id, from_state, to_state, reason, actor_id, rule, at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        account,
        from.map(AccountState::as_str),
        to.as_str(),
        reason,
        actor.map(|a| a.0),
        rule,
        at
    )
    .execute(uow.conn())
    .await?;
    Ok(())
}

/// The sponsor's guests at the institution (the help desk's: every guest
/// there), those in force first, each by end date.
pub async fn my_guests(ctx: &Context) -> Result<Vec<Guest>, GuestError> {
    let s = sponsorship_of(ctx, None).await?;
    let me = ctx.person().ok_or(GuestError::NotSponsor)?;
    let mut conn = ctx.db().acquire().await?;
    let policy = policy(&mut conn, s.institution, SHORT_TERM).await?;
    let rows = sqlx::query!(
        r#"select a.id, p.name, a.username, c.email as "email?", u.name_nb, u.name_nn, u.name_en, sp.name as sponsor_name,
                  a.state, a.start_date, a.end_date, a.claimed_at, a.deactivated_at
           from guest_account a
           join party p on p.id = a.person_id
           join party sp on sp.id = a.sponsor_id
           join org_unit u on u.id = a.unit_id
           left join person_contact c on c.person_id = a.person_id
           where a.institution_id = $1 and ($2 or a.sponsor_id = $3) and a.state not in ('deleted', 'archived')
           order by a.state in ('invited', 'active', 'suspended') desc, a.end_date, p.name, a.id
           limit 500"#,
        s.institution.0,
        s.help_desk,
        me.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let now = ctx.now();
    let today = today(now);
    let window = policy.notice_days.iter().copied().max().unwrap_or(0);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let state = AccountState::parse(&r.state)?;
            Some(Guest {
                account: r.id,
                name: r.name,
                username: r.username,
                email: r.email,
                unit: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
                sponsor_name: r.sponsor_name,
                state,
                shown: lifecycle::shown(state, r.end_date, today, window),
                start: r.start_date,
                end: r.end_date,
                latest_end: r.start_date + time::Duration::days(policy.max_days),
                reactivate_until: reactivation(state, r.claimed_at, r.deactivated_at, &policy, now)
                    .is_ok()
                    .then(|| today + time::Duration::days(policy.max_days)),
            })
        })
        .collect())
}

/// An account the actor may change: their own guest's, or any at the
/// institution for the help desk. Locked until the transaction ends.
struct Held {
    state: AccountState,
    start: Date,
    end: Date,
    name: String,
    claimed_at: Option<OffsetDateTime>,
    deactivated_at: Option<OffsetDateTime>,
}

async fn held(uow: &mut UnitOfWork, s: &Sponsorship, me: PartyId, account: Uuid) -> Result<Held, GuestError> {
    let row = sqlx::query!(
        r#"select a.state, a.start_date, a.end_date, a.sponsor_id, a.claimed_at, a.deactivated_at, p.name
           from guest_account a join party p on p.id = a.person_id
           where a.id = $1 and a.institution_id = $2 for update of a"#,
        account,
        s.institution.0
    )
    .fetch_optional(uow.conn())
    .await?;
    match row {
        Some(r) if s.help_desk || r.sponsor_id == me.0 => Ok(Held {
            state: AccountState::parse(&r.state).ok_or(GuestError::NotFound)?,
            start: r.start_date,
            end: r.end_date,
            name: r.name,
            claimed_at: r.claimed_at,
            deactivated_at: r.deactivated_at,
        }),
        _ => Err(GuestError::NotFound),
    }
}

fn account_id(raw: &str) -> Result<Uuid, GuestError> {
    Uuid::parse_str(raw.trim()).map_err(|_| GuestError::NotFound)
}

/// Ends a guest's account at once (the sponsor's exclusion): deactivated
/// now, with the reason recorded.
pub async fn end_now(ctx: &Context, account: &str, reason: &str) -> Result<(), GuestError> {
    const AUDIT: &str = "guest.end";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let reason = checked_reason(reason)?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        let to = lifecycle::next(h.state, Transition::Deactivate).ok_or(GuestError::NotInForce)?;
        let now = ctx.now();
        sqlx::query!("update guest_account set state = $2, deactivated_at = $3, updated_at = $3 where id = $1", account, to.as_str(), now)
            .execute(uow.conn())
            .await?;
        super::access::take(&mut uow, account, now).await?;
        record_transition(&mut uow, account, Some(h.state), to, reason, Some(me), now).await?;
        let details = serde_json::json!({ "guest": h.name, "from": h.state.as_str(), "reason": reason });
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// Suspends a guest's account, the administrative override of its dates:
/// the guest keeps the account, but it gives nothing until it is resumed,
/// whatever the dates say. Only an active account, by its sponsor or the
/// help desk, with a reason. The end date still ends a suspended account.
pub async fn suspend(ctx: &Context, account: &str, reason: &str) -> Result<(), GuestError> {
    const AUDIT: &str = "guest.suspend";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let reason = checked_reason(reason)?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        let to = lifecycle::next(h.state, Transition::Suspend).ok_or(GuestError::NotActive)?;
        let now = ctx.now();
        sqlx::query!("update guest_account set state = $2, updated_at = $3 where id = $1", account, to.as_str(), now).execute(uow.conn()).await?;
        super::access::take(&mut uow, account, now).await?;
        record_transition(&mut uow, account, Some(h.state), to, reason, Some(me), now).await?;
        let details = serde_json::json!({ "guest": h.name, "reason": reason });
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// Resumes a suspended account: active again, holding the guest role until
/// its end date. By its sponsor or the help desk; the transition records
/// that it was resumed.
pub async fn resume(ctx: &Context, account: &str) -> Result<(), GuestError> {
    const AUDIT: &str = "guest.resume";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        let to = lifecycle::next(h.state, Transition::Resume).ok_or(GuestError::NotSuspended)?;
        let now = ctx.now();
        sqlx::query!("update guest_account set state = $2, updated_at = $3 where id = $1", account, to.as_str(), now).execute(uow.conn()).await?;
        super::access::give(&mut uow, account, now).await?;
        record_transition(&mut uow, account, Some(h.state), to, "resumed", Some(me), now).await?;
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, serde_json::json!({ "guest": h.name }))).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// The state an account comes back in when reactivated at `now`, or why it
/// cannot: only an ended account within the retention period
/// (`NotEnded`), and only one its guest claimed (`NeverClaimed`). The one
/// rule for the use case and for "my guests", which offers it.
fn reactivation(
    state: AccountState,
    claimed_at: Option<OffsetDateTime>,
    deactivated_at: Option<OffsetDateTime>,
    policy: &GuestPolicy,
    now: OffsetDateTime,
) -> Result<AccountState, GuestError> {
    let to = lifecycle::next(state, Transition::Reactivate).ok_or(GuestError::NotEnded)?;
    if deactivated_at.is_none_or(|at| policy.deletion_due(at) <= now) {
        return Err(GuestError::NotEnded);
    }
    if claimed_at.is_none() {
        return Err(GuestError::NeverClaimed);
    }
    Ok(to)
}

/// A reason as given, trimmed: required, at most [`MAX_REASON`] characters,
/// no control characters but line breaks.
fn checked_reason(reason: &str) -> Result<&str, GuestError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON || reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Err(GuestError::invalid("reason", format!("say why, in at most {MAX_REASON} characters")));
    }
    Ok(reason)
}

/// Brings back an account that ended, within the retention period, for a
/// new stay from today to `end` (within the institution's maximum): the
/// guest's sponsor or the help desk does it, with a reason. The guest holds
/// the guest role again, and the end-of-stay notices go again for the new
/// end. Only an account its guest claimed comes back (as active); a guest
/// who never claimed is registered anew.
pub async fn reactivate(ctx: &Context, account: &str, end: Option<Date>, reason: &str) -> Result<Date, GuestError> {
    const AUDIT: &str = "guest.reactivate";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let end = end.ok_or_else(|| GuestError::invalid("end", "required"))?;
        let reason = checked_reason(reason)?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        let now = ctx.now();
        let policy = policy(uow.conn(), s.institution, SHORT_TERM).await?;
        let to = reactivation(h.state, h.claimed_at, h.deactivated_at, &policy, now)?;
        let today = today(now);
        if end <= today || (end - today).whole_days() > policy.max_days {
            return Err(GuestError::invalid("end", format!("after today and at most {} days from today", policy.max_days)));
        }
        sqlx::query!(
            "update guest_account set state = $2, start_date = $3, end_date = $4, deactivated_at = null, updated_at = $5 where id = $1",
            account,
            to.as_str(),
            today,
            end,
            now
        )
        .execute(uow.conn())
        .await?;
        // A new stay: its own end-of-stay notices.
        sqlx::query!("delete from guest_account_notice where account_id = $1", account).execute(uow.conn()).await?;
        super::access::give(&mut uow, account, now).await?;
        record_transition(&mut uow, account, Some(h.state), to, reason, Some(me), now).await?;
        let details = serde_json::json!({ "guest": h.name, "end": end.to_string(), "reason": reason });
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(end)
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// Moves a guest's end date later, within the institution's maximum from
/// the start.
pub async fn extend(ctx: &Context, account: &str, end: Option<Date>) -> Result<Date, GuestError> {
    const AUDIT: &str = "guest.extend";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let end = end.ok_or_else(|| GuestError::invalid("end", "required"))?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        if !matches!(h.state, AccountState::Invited | AccountState::Active | AccountState::Suspended) {
            return Err(GuestError::NotInForce);
        }
        let policy = policy(uow.conn(), s.institution, SHORT_TERM).await?;
        if end <= h.end {
            return Err(GuestError::invalid("end", "must be after the present end date"));
        }
        if (end - h.start).whole_days() > policy.max_days {
            return Err(GuestError::invalid("end", format!("at most {} days after the start", policy.max_days)));
        }
        let now = ctx.now();
        sqlx::query!("update guest_account set end_date = $2, updated_at = $3 where id = $1", account, end, now).execute(uow.conn()).await?;
        super::access::extend(&mut uow, account, end, now).await?;
        let details = serde_json::json!({ "guest": h.name, "from": h.end.to_string(), "to": end.to_string() });
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(end)
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// Sends the invitation again, with a new claim link (the older ones end
/// when it goes); only while the account is invited.
pub async fn resend_invitation(ctx: &Context, account: &str) -> Result<(), GuestError> {
    const AUDIT: &str = "guest.invite";
    let target: String = account.trim().chars().take(40).collect();
    let s = sponsorship_of(ctx, Some((AUDIT, &target))).await?;
    let done = async {
        let account = account_id(account)?;
        let me = ctx.person().ok_or(GuestError::NotSponsor)?;
        let mut uow = ctx.begin().await?;
        let h = held(&mut uow, &s, me, account).await?;
        if h.state != AccountState::Invited {
            return Err(GuestError::NotInForce);
        }
        let now = ctx.now();
        super::claim::enqueue_invitation(&mut uow, account, now).await?;
        uow.audit(AuditEvent::new(AUDIT, account.to_string(), Outcome::Success, serde_json::json!({ "guest": h.name, "again": true }))).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// A guest account as its guest sees it on `/meg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyAccount {
    pub institution_name: String,
    pub username: String,
    pub unit: Translated,
    pub sponsor_name: String,
    pub state: AccountState,
    pub shown: Shown,
    pub start: Date,
    pub end: Date,
    /// What the account gives: the guest role's name, then the names of its
    /// access packages and of the services it gives single rights to.
    pub role: Option<Translated>,
    pub access: Vec<Translated>,
    /// Whether the account gives that today ([`lifecycle::valid`]).
    pub in_use: bool,
}

/// The signed-in person's own guest accounts (not deleted), newest first.
/// A person reads only their own.
pub async fn my_accounts(ctx: &Context) -> Result<Vec<MyAccount>, GuestError> {
    let me = ctx.person().ok_or(GuestError::NotFound)?;
    let mut conn = ctx.db().acquire().await?;
    let rows = sqlx::query!(
        r#"select a.id, a.institution_id, a.guest_type, i.name as institution, a.username, u.name_nb, u.name_nn, u.name_en, sp.name as sponsor,
                  a.state, a.start_date, a.end_date, r.name_nb as "role_nb?", r.name_nn as "role_nn?", r.name_en as "role_en?", r.id as "role_id?"
           from guest_account a join party i on i.id = a.institution_id join org_unit u on u.id = a.unit_id join party sp on sp.id = a.sponsor_id
           left join guest_policy g on g.institution_id = a.institution_id and g.guest_type = a.guest_type
           left join user_role r on r.id = g.role_id
           where a.person_id = $1 and a.state not in ('deleted', 'archived')
           order by a.created_at desc"#,
        me.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let today = today(ctx.now());
    let mut out = Vec::new();
    for r in rows {
        let Some(state) = AccountState::parse(&r.state) else { continue };
        let window = policy(&mut conn, PartyId(r.institution_id), &r.guest_type).await?.notice_days.iter().copied().max().unwrap_or(0);
        let access = match r.role_id {
            Some(role) => sqlx::query!(
                r#"select name_nb as "name_nb!", name_nn as "name_nn!", name_en as "name_en!" from (
                       select distinct 0 as kind, p.name_nb, p.name_nn, p.name_en
                       from user_role_right rr join access_package p on p.code = rr.package_code where rr.role_id = $1
                       union
                       select distinct 1, s.title_nb, s.title_nn, s.title_en
                       from user_role_right rr join resource s on s.id = rr.resource_id where rr.role_id = $1) gives
                   order by kind, name_nb"#,
                role
            )
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|p| Translated { nb: p.name_nb, nn: p.name_nn, en: p.name_en })
            .collect(),
            None => Vec::new(),
        };
        out.push(MyAccount {
            institution_name: r.institution,
            username: r.username,
            unit: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
            sponsor_name: r.sponsor,
            state,
            shown: lifecycle::shown(state, r.end_date, today, window),
            start: r.start_date,
            end: r.end_date,
            role: r.role_nb.map(|nb| Translated { nb, nn: r.role_nn.unwrap_or_default(), en: r.role_en.unwrap_or_default() }),
            access,
            in_use: lifecycle::valid(state, r.start_date, r.end_date, today),
        });
    }
    Ok(out)
}
