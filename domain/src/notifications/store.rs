//! The notices' tables: `notification`, `notification_address` and the
//! outbox `notification_delivery`. Only this module's use cases, and the use
//! cases that raise a notice (through [`enqueue`]), call these.

use super::model::{Notice, NoticeKind};
use crate::parties::PartyId;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// Writes the notice itself; answers its id, for the e-mails to go with it.
async fn insert_notice(
    conn: &mut PgConnection,
    party: PartyId,
    kind: NoticeKind,
    subject_id: Uuid,
    title: &str,
    now: OffsetDateTime,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "insert into notification (id, party_id, kind, subject_id, title, created_at) values ($1, $2, $3, $4, $5, $6)",
        id,
        party.0,
        kind.as_str(),
        subject_id,
        title,
        now
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// Writes a notice for `party` and an e-mail to each of its addresses, in
/// the caller's transaction: the notice exists if and only if what it is
/// about was committed.
pub async fn enqueue(conn: &mut PgConnection, party: PartyId, kind: NoticeKind, subject_id: Uuid, title: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let id = insert_notice(&mut *conn, party, kind, subject_id, title, now).await?;
    sqlx::query!(
        "insert into notification_delivery (id, notification_id, email, next_attempt_at)
         select gen_random_uuid(), $1, a.email, $2 from notification_address a where a.party_id = $3",
        id,
        now,
        party.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Enqueues a notice to one address of its own (a guest's), not to the
/// party's notice addresses.
pub async fn enqueue_to(
    conn: &mut PgConnection,
    party: PartyId,
    kind: NoticeKind,
    subject_id: Uuid,
    title: &str,
    email: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let id = insert_notice(&mut *conn, party, kind, subject_id, title, now).await?;
    sqlx::query!("insert into notification_delivery (id, notification_id, email, next_attempt_at) values ($1, $2, $3, $4)", Uuid::now_v7(), id, email, now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The party's latest notices, newest first (a guest's own e-mails are not notices).
pub async fn list(conn: &mut PgConnection, party: PartyId, limit: i64) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, kind, subject_id, title, created_at from notification where party_id = $1 and kind not like 'guest.%' order by created_at desc, id desc limit $2",
        party.0,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some(Notice { id: r.id, kind: NoticeKind::parse(&r.kind)?, subject_id: r.subject_id, title: r.title, created_at: r.created_at }))
        .collect())
}

pub async fn addresses(conn: &mut PgConnection, party: PartyId) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!("select email from notification_address where party_id = $1 order by email", party.0).fetch_all(conn).await
}

/// Adds an address; whether it was new.
pub async fn add_address(conn: &mut PgConnection, party: PartyId, email: &str, by: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "insert into notification_address (party_id, email, added_by, added_at) values ($1, $2, $3, $4) on conflict do nothing",
        party.0,
        email,
        by,
        now
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes an address; whether it was there.
pub async fn remove_address(conn: &mut PgConnection, party: PartyId, email: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("delete from notification_address where party_id = $1 and email = $2", party.0, email).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// An e-mail due to be sent, with what its message needs.
pub struct Due {
    pub id: Uuid,
    pub email: String,
    pub attempts: i32,
    pub kind: NoticeKind,
    pub subject_id: Uuid,
    pub title: String,
    pub party_name: String,
    pub party_org: Option<String>,
}

/// Up to `limit` pending e-mails due at `now`, oldest first, locked for this
/// transaction; rows another instance holds are skipped, so two mail jobs
/// never send the same e-mail.
pub async fn due(conn: &mut PgConnection, now: OffsetDateTime, limit: i64) -> Result<Vec<Due>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select d.id, d.email, d.attempts, n.kind, n.subject_id, n.title, p.name as party_name, p.org_number
           from notification_delivery d
           join notification n on n.id = d.notification_id
           join party p on p.id = n.party_id
           where d.status = 'pending' and d.next_attempt_at <= $1
           order by d.next_attempt_at, d.id
           limit $2
           for update of d skip locked"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Due {
                id: r.id,
                email: r.email,
                attempts: r.attempts,
                kind: NoticeKind::parse(&r.kind)?,
                subject_id: r.subject_id,
                title: r.title,
                party_name: r.party_name,
                party_org: r.org_number,
            })
        })
        .collect())
}

pub async fn mark_sent(conn: &mut PgConnection, id: Uuid, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update notification_delivery set status = 'sent', attempts = attempts + 1, sent_at = $2, last_error = null where id = $1", id, now)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Records a failed attempt: tried again at `next`, or failed for good when `next` is `None`.
pub async fn mark_failed(conn: &mut PgConnection, id: Uuid, error: &str, next: Option<OffsetDateTime>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update notification_delivery set attempts = attempts + 1, last_error = $2,
                status = case when $3::timestamptz is null then 'failed' else 'pending' end,
                next_attempt_at = coalesce($3, next_attempt_at)
         where id = $1",
        id,
        error,
        next
    )
    .execute(conn)
    .await
    .map(|_| ())
}
