//! What an active guest may use (deliverable 6): the institution's guest
//! role (its guest policy's `role_id`), held as a user-role assignment in the
//! institution from the claim until the account ends. The assignment is made
//! and ended in the account's own transaction, and the change is recorded for
//! the decision engine, so the PDP and the authorized-parties answers follow
//! within a second on every instance.

use crate::audit::UnitOfWork;
use crate::decisions::store::{record_change, Change};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The first moment without access: the end date's midnight in Norway.
fn until(end: Date, now: OffsetDateTime) -> OffsetDateTime {
    end.midnight().assume_offset(crate::role_model::rules::norwegian_offset(now))
}

/// The first moment with access: the start date's midnight in Norway, or
/// `now` when that has passed.
fn from(start: Date, now: OffsetDateTime) -> OffsetDateTime {
    until(start, now).max(now)
}

/// Gives the account's person the guest role, if the institution has one,
/// from its start date (or now, when that has passed) to its end date.
pub(super) async fn give(uow: &mut UnitOfWork, account: Uuid, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let Some(a) = sqlx::query!(
        r#"select a.person_id, a.institution_id, a.sponsor_id, a.start_date, a.end_date, sp.name as sponsor, g.role_id as "role_id?"
           from guest_account a join party sp on sp.id = a.sponsor_id
           left join guest_policy g on g.institution_id = a.institution_id and g.guest_type = a.guest_type
           where a.id = $1"#,
        account
    )
    .fetch_optional(uow.conn())
    .await?
    else {
        return Ok(());
    };
    let Some(role) = a.role_id else { return Ok(()) };
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into user_role_assignment (id, role_id, subject_id, assigned_in, assigned_by, valid_from, valid_to,
                                           attestation_kind, attestation_issuer, attestation_reference)
         values ($1, $2, $3, $4, $5, $6, $7, 'manager_approval', $8, $9)",
        id,
        role,
        a.person_id,
        a.institution_id,
        a.sponsor_id,
        from(a.start_date, now),
        until(a.end_date, now),
        a.sponsor,
        format!("guest account {account}")
    )
    .execute(uow.conn())
    .await?;
    sqlx::query!("insert into user_role_assignment_party (assignment_id, party_id) values ($1, $2)", id, a.institution_id).execute(uow.conn()).await?;
    sqlx::query!("update guest_account set role_assignment_id = $2 where id = $1", account, id).execute(uow.conn()).await?;
    record_change(uow.conn(), Change::Rebuild("guest.access")).await?;
    Ok(())
}

/// Ends the account's guest role, if it holds it.
pub(super) async fn take(uow: &mut UnitOfWork, account: Uuid, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let ended = sqlx::query!(
        "update user_role_assignment set ended_at = $2 where ended_at is null and id = (select role_assignment_id from guest_account where id = $1)",
        account,
        now
    )
    .execute(uow.conn())
    .await?
    .rows_affected();
    if ended > 0 {
        record_change(uow.conn(), Change::Rebuild("guest.access")).await?;
    }
    Ok(())
}

/// Moves the end of the account's guest role to its new end date.
pub(super) async fn extend(uow: &mut UnitOfWork, account: Uuid, end: Date, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let changed = sqlx::query!(
        "update user_role_assignment set valid_to = $2 where ended_at is null and id = (select role_assignment_id from guest_account where id = $1)",
        account,
        until(end, now)
    )
    .execute(uow.conn())
    .await?
    .rows_affected();
    if changed > 0 {
        record_change(uow.conn(), Change::Rebuild("guest.access")).await?;
    }
    Ok(())
}
