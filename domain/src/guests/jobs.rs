//! The guest lifecycle job (scenario L1, deliverable 5), run by the
//! installation on the injectable clock:
//!
//! * an invitation whose day has come goes out (registration sends the
//!   ones due at once);
//! * end-of-stay notices at T−14, T−7 and T−1 days (the policy's, at most 90),
//!   each once: recorded in `guest_account_notice` in the transaction that
//!   enqueues the e-mail to the guest and the notice to the sponsor (who
//!   also sees the account as expiring in "my guests");
//! * an account whose end date has come is deactivated (rule `end date`);
//! * a deactivated account is deleted after the policy's retention period.
//!
//! It walks the accounts in pages ordered by id, each page in its own
//! transaction that locks its rows `FOR UPDATE SKIP LOCKED`: several
//! instances share the work and never do one thing twice; a crash loses at
//! most a page's uncommitted work, which the next run does again. Every
//! transition and every run with work is audited.

use super::error::GuestError;
use super::lifecycle::{self, AccountState, Transition};
use super::schedule::GuestPolicy;
use super::service::{policy, record_transition, today};
use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork};
use crate::context::Context;
use crate::notifications::NoticeKind;
use crate::parties::PartyId;
use std::collections::HashMap;
use uuid::Uuid;

/// Accounts one transaction takes.
const PAGE: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleRun {
    pub invited: usize,
    pub notices: usize,
    pub deactivated: usize,
    pub deleted: usize,
}

impl LifecycleRun {
    fn any(&self) -> bool {
        self.invited + self.notices + self.deactivated + self.deleted > 0
    }
}

/// Runs the lifecycle once for every institution. Only the installation runs it.
pub async fn run(ctx: &Context) -> Result<LifecycleRun, GuestError> {
    ctx.authorize_operator().map_err(|_| GuestError::NotAccessManager)?;
    let now = ctx.now();
    let today = today(now);
    let mut total = LifecycleRun::default();
    let mut policies: HashMap<(Uuid, String), GuestPolicy> = HashMap::new();
    let mut after = Uuid::nil();
    loop {
        let mut uow = UnitOfWork::begin(ctx.db(), Actor::system("guest lifecycle"), ctx.clock()).await?;
        // Only accounts with something due: an invitation, an end date come,
        // a notice window open (at most 90 days; narrowed below by the policy),
        // or the retention period over (the policy's, or the default).
        let rows = sqlx::query!(
            r#"select a.id, a.state, a.institution_id, a.guest_type, a.person_id, a.sponsor_id, a.end_date, a.invite_on, a.invited_at,
                      a.deactivated_at, p.name, i.name as institution, c.email as "email?",
                      coalesce(array(select n.days_before from guest_account_notice n where n.account_id = a.id), '{}') as "sent!"
               from guest_account a join party p on p.id = a.person_id join party i on i.id = a.institution_id
               left join person_contact c on c.person_id = a.person_id
               where a.id > $1
                 and ((a.state = 'invited' and a.invited_at is null and a.invite_on <= $2)
                   or (a.state in ('invited', 'active', 'suspended') and a.end_date <= $2 + 90)
                   or (a.state = 'deactivated' and a.deactivated_at + make_interval(days => coalesce(
                         (select g.retention_days from guest_policy g where g.institution_id = a.institution_id and g.guest_type = a.guest_type),
                         $5)) <= $3))
               order by a.id limit $4
               for update of a skip locked"#,
            after,
            today,
            now,
            PAGE,
            i32::try_from(GuestPolicy::default().retention.whole_days()).unwrap_or(183)
        )
        .fetch_all(uow.conn())
        .await?;
        let Some(last) = rows.last().map(|r| r.id) else { break };
        after = last;
        let mut page = LifecycleRun::default();
        for r in rows {
            let Some(state) = AccountState::parse(&r.state) else { continue };
            let key = (r.institution_id, r.guest_type.clone());
            if !policies.contains_key(&key) {
                let p = policy(uow.conn(), PartyId(r.institution_id), &r.guest_type).await?;
                policies.insert(key.clone(), p);
            }
            let policy = &policies[&key];
            let target = r.id.to_string();
            // Each step is in the institution's audit trail.
            uow.acting_for(PartyId(r.institution_id));
            if matches!(state, AccountState::Invited | AccountState::Active | AccountState::Suspended) && super::schedule::ended(r.end_date, today) {
                let to = lifecycle::next(state, Transition::Deactivate).expect("an account in force can be deactivated");
                sqlx::query!("update guest_account set state = $2, deactivated_at = $3, updated_at = $3 where id = $1", r.id, to.as_str(), now)
                    .execute(uow.conn())
                    .await?;
                super::access::take(&mut uow, r.id, now).await?;
                record_transition(&mut uow, r.id, Some(state), to, "the end date came", None, now).await?;
                let details = serde_json::json!({ "guest": r.name, "from": state.as_str(), "rule": "end date", "end": r.end_date.to_string() });
                uow.audit(AuditEvent::new("guest.deactivate", &target, Outcome::Success, details)).await?;
                page.deactivated += 1;
                continue;
            }
            if state == AccountState::Invited && r.invited_at.is_none() && r.invite_on <= today {
                super::claim::enqueue_invitation(&mut uow, r.id, now).await?;
                uow.audit(AuditEvent::new("guest.invite", &target, Outcome::Success, serde_json::json!({ "guest": r.name, "rule": "invitation day" }))).await?;
                page.invited += 1;
            }
            if state == AccountState::Active {
                let sent: Vec<i64> = r.sent.iter().map(|d| i64::from(*d)).collect();
                if let Some(days) = policy.notices_due(r.end_date, today, &sent) {
                    let days_i32 = i32::try_from(days).unwrap_or(i32::MAX);
                    let first = sqlx::query!(
                        "insert into guest_account_notice (account_id, days_before, sent_at) values ($1, $2, $3) on conflict do nothing",
                        r.id,
                        days_i32,
                        now
                    )
                    .execute(uow.conn())
                    .await?
                    .rows_affected()
                        == 1;
                    if first {
                        if let Some(email) = &r.email {
                            crate::notifications::store::enqueue_to(
                                uow.conn(),
                                PartyId(r.person_id),
                                NoticeKind::GuestExpiring,
                                r.id,
                                &r.institution,
                                email,
                                now,
                            )
                            .await?;
                        }
                        // The sponsor is told on their notices page and at the addresses they keep.
                        crate::notifications::store::enqueue(uow.conn(), PartyId(r.sponsor_id), NoticeKind::SponsorGuestExpiring, r.id, &r.name, now).await?;
                        let details = serde_json::json!({ "guest": r.name, "days_before": days, "end": r.end_date.to_string(), "e_mailed": r.email.is_some(), "sponsor_told": true });
                        uow.audit(AuditEvent::new("guest.notice", &target, Outcome::Success, details)).await?;
                        page.notices += 1;
                    }
                }
            }
            if state == AccountState::Deactivated && r.deactivated_at.is_some_and(|at| policy.deletion_due(at) <= now) {
                let to = lifecycle::next(state, Transition::Delete).expect("a deactivated account can be deleted");
                sqlx::query!("update guest_account set state = $2, updated_at = $3 where id = $1", r.id, to.as_str(), now).execute(uow.conn()).await?;
                record_transition(&mut uow, r.id, Some(state), to, "the retention period ended", None, now).await?;
                let details = serde_json::json!({ "guest": r.name, "rule": "retention", "retention_days": policy.retention.whole_days() });
                uow.audit(AuditEvent::new("guest.delete", &target, Outcome::Success, details)).await?;
                page.deleted += 1;
            }
        }
        if page.any() {
            // This instance's engine sees the page at once (others within a second).
            ctx.commit(uow).await?;
            total.invited += page.invited;
            total.notices += page.notices;
            total.deactivated += page.deactivated;
            total.deleted += page.deleted;
        }
    }
    if total.any() {
        let details = serde_json::json!({ "invited": total.invited, "notices": total.notices, "deactivated": total.deactivated, "deleted": total.deleted });
        crate::audit::record(
            ctx.db(),
            Actor::system("guest lifecycle"),
            ctx.clock(),
            AuditEvent::new("guest.lifecycle_run", today.to_string(), Outcome::Success, details),
        )
        .await?;
    }
    Ok(total)
}
