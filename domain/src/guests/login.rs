//! Guests without a national identity number log in with a one-time code
//! sent to their private e-mail address (by text message when they have a
//! mobile), so that they too see their own account on `/meg`; guests with a
//! national identity number log in with ID-porten. It is the pattern of
//! e-mail one-time passcodes for external guests in workforce identity
//! systems, and asks no more of the guest than the claim did.
//!
//! * Only a person with no national identity number who claimed a guest
//!   account that is not deleted may log in so. Anyone else gets the same
//!   answer as a guest and nothing is sent, so the form tells nobody who is
//!   a guest; the refusal is audited.
//! * The code has [`CODE_DIGITS`] digits, lasts [`CODE_VALIDITY`], is kept
//!   only as a hash, works once, and a newer code ends the older one; after
//!   [`MAX_FAILURES`] wrong tries it ends. At most [`MAX_CODES_PER_HOUR`] codes
//!   go to one person in an hour.
//! * What a person so logged in may do is what their guest accounts give:
//!   they hold nothing else, having no national identity number.

use super::claim::{digest, new_code, SmsSender, CODE_DIGITS, CODE_VALIDITY};
use super::error::GuestError;
use crate::audit::{AuditEvent, Outcome};
use crate::context::Context;
use crate::notifications::model::NoticeKind;
use crate::parties::PartyId;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Wrong tries before a code ends.
pub const MAX_FAILURES: i32 = 5;
/// Codes sent to one person in an hour, at most.
pub const MAX_CODES_PER_HOUR: i64 = 5;

const AUDIT_CODE: &str = "guest.login_code";
const AUDIT_LOGIN: &str = "guest.login";

/// A guest who logged in with a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestLogin {
    pub person: PartyId,
    pub name: String,
}

/// A person who may log in with a code: no national identity number, and a
/// claimed guest account not deleted.
struct Guest {
    person: PartyId,
    name: String,
    mobile: Option<String>,
    email: String,
    /// The institution of the newest account, named in the e-mail.
    institution: String,
}

/// The guest the e-mail address belongs to, if they may log in with a code.
async fn guest_by_email(conn: &mut PgConnection, email: &str) -> Result<Option<Guest>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select p.id, p.name, c.mobile as "mobile?", c.email as "email!", i.name as institution
           from person_contact c join party p on p.id = c.person_id
           join guest_account a on a.person_id = p.id join party i on i.id = a.institution_id
           where c.email = $1 and p.national_id is null and a.claimed_at is not null and a.state in ('active', 'suspended', 'deactivated')
           order by a.created_at desc limit 1"#,
        email
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Guest { person: PartyId(r.id), name: r.name, mobile: r.mobile, email: r.email, institution: r.institution }))
}

/// The address as typed, checked and lower case; the same refusal for any
/// malformed one.
fn address(raw: &str) -> Result<String, GuestError> {
    crate::notifications::model::email(raw).map(|e| e.to_lowercase()).ok_or_else(|| GuestError::invalid("email", "a valid e-mail address is required"))
}

/// Sends a login code to the guest the address belongs to. Answers the
/// same whether or not it does (see the module's doc).
pub async fn send_code(ctx: &Context, email: &str, sms: &impl SmsSender) -> Result<(), GuestError> {
    let email = address(email)?;
    let now = ctx.now();
    let mut uow = ctx.begin().await?;
    let Some(guest) = guest_by_email(uow.conn(), &email).await? else {
        drop(uow);
        ctx.audit_refusal(AUDIT_CODE, "login", &"no guest may log in with this address", serde_json::json!({})).await;
        return Ok(());
    };
    // One request at a time per person: the party row is the lock.
    sqlx::query!("select id from party where id = $1 for update", guest.person.0).fetch_one(uow.conn()).await?;
    let recent = sqlx::query_scalar!(
        r#"select count(*) as "n!" from guest_login_code where person_id = $1 and created_at > $2"#,
        guest.person.0,
        now - Duration::hours(1)
    )
    .fetch_one(uow.conn())
    .await?;
    if recent >= MAX_CODES_PER_HOUR {
        drop(uow);
        ctx.audit_refusal(AUDIT_CODE, guest.person.0.to_string(), &"too many codes in an hour", serde_json::json!({})).await;
        return Ok(());
    }
    sqlx::query!("update guest_login_code set ended_at = $2, ended_why = 'replaced' where person_id = $1 and ended_at is null", guest.person.0, now)
        .execute(uow.conn())
        .await?;
    let id = Uuid::now_v7();
    sqlx::query!("insert into guest_login_code (id, person_id, created_at, expires_at) values ($1, $2, $3, $4)", id, guest.person.0, now, now + CODE_VALIDITY)
        .execute(uow.conn())
        .await?;
    let via = match &guest.mobile {
        Some(mobile) => {
            let code = new_code();
            sqlx::query!("update guest_login_code set code_hash = $2 where id = $1", id, digest(&code)).execute(uow.conn()).await?;
            let body = format!("Koden for å logge inn som gjest er {code} / your code to log in as a guest is {code}");
            sms.send(uow.conn(), mobile, &body, now).await?;
            "sms"
        }
        None => {
            // The code is made as the e-mail goes (`code_for`), so no secret waits in the outbox.
            crate::notifications::store::enqueue_to(uow.conn(), guest.person, NoticeKind::GuestLoginCode, id, &guest.institution, &guest.email, now).await?;
            "email"
        }
    };
    uow.audit(AuditEvent::new(AUDIT_CODE, guest.person.0.to_string(), Outcome::Success, serde_json::json!({ "via": via }))).await?;
    ctx.commit(uow).await?;
    Ok(())
}

/// A new code for the login code `id` as its e-mail goes, with when it
/// expires; `None` when the code has ended or expired meanwhile.
pub(crate) async fn code_for(conn: &mut PgConnection, id: Uuid, now: OffsetDateTime) -> Result<Option<(String, OffsetDateTime)>, sqlx::Error> {
    let code = new_code();
    let expires = sqlx::query_scalar!(
        "update guest_login_code set code_hash = $2 where id = $1 and ended_at is null and expires_at > $3 returning expires_at",
        id,
        digest(&code),
        now
    )
    .fetch_optional(conn)
    .await?;
    Ok(expires.map(|until| (code, until)))
}

/// Logs the guest the address belongs to in with `code`. A wrong code is
/// refused at the field; the [`MAX_FAILURES`]th ends the code. Every refusal
/// is audited.
pub async fn log_in(ctx: &Context, email: &str, code: &str) -> Result<GuestLogin, GuestError> {
    // A wrong code is counted, and its refusal audited, in its own transaction.
    let mut audited = false;
    let done = async {
        let email = address(email)?;
        let wrong = || GuestError::invalid("one_time_code", "wrong or expired code");
        if code.trim().len() != CODE_DIGITS as usize || !code.trim().bytes().all(|b| b.is_ascii_digit()) {
            return Err(wrong());
        }
        let now = ctx.now();
        let mut uow = ctx.begin().await?;
        let guest = guest_by_email(uow.conn(), &email).await?.ok_or_else(wrong)?;
        let open = sqlx::query!(
            r#"select id, code_hash as "code_hash!", failures from guest_login_code
               where person_id = $1 and ended_at is null and expires_at > $2 and code_hash is not null for update"#,
            guest.person.0,
            now
        )
        .fetch_optional(uow.conn())
        .await?
        .ok_or_else(wrong)?;
        if open.code_hash != digest(code) {
            let failures = open.failures + 1;
            let ended = failures >= MAX_FAILURES;
            sqlx::query!(
                "update guest_login_code set failures = $2, ended_at = case when $3 then $4::timestamptz end, ended_why = case when $3 then 'attempts' end where id = $1",
                open.id,
                failures,
                ended,
                now
            )
            .execute(uow.conn())
            .await?;
            let refusal = if ended { GuestError::LoginCodeEnded } else { wrong() };
            let details = serde_json::json!({ "reason": refusal.to_string(), "failures": failures });
            uow.audit(AuditEvent::new(AUDIT_LOGIN, guest.person.0.to_string(), Outcome::Refused, details)).await?;
            ctx.commit(uow).await?;
            audited = true;
            return Err(refusal);
        }
        sqlx::query!("update guest_login_code set ended_at = $2, ended_why = 'used' where id = $1", open.id, now).execute(uow.conn()).await?;
        uow.audit(AuditEvent::new(AUDIT_LOGIN, guest.person.0.to_string(), Outcome::Success, serde_json::json!({ "guest": guest.name }))).await?;
        ctx.commit(uow).await?;
        Ok(GuestLogin { person: guest.person, name: guest.name })
    }
    .await;
    ctx.audit_if_refused(AUDIT_LOGIN, "login", serde_json::json!({}), done, |e| audited || e.is_store()).await
}
