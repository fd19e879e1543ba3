//! Claiming a guest account (scenario L1, deliverable 3).
//!
//! The invitation carries a claim link; the link's secret is made when the
//! e-mail is sent (`secret_for`, called by the mail job) and only its SHA-256
//! is kept. A link works once, expires (the institution's policy, 7 days by
//! default), and a newer link ends the older ones. The guest then either
//!
//! * logs in through the OpenID Connect provider, whose `pid` must be the
//!   national identity number the sponsor gave (the login makes the person
//!   the one the account is for, or another person), or,
//! * without a national identity number, asks for a one-time code, sent to
//!   the mobile (through the [`SmsSender`]) or else by e-mail (made when the
//!   mail job sends it), and types it: a wrong code counts, and after the
//!   policy's number of wrong codes the link is dead.
//!
//! In both cases the guest accepts the institution's terms, whose version
//! is recorded, and the account becomes active.
//!
//! Possession of the link is the authorization here: the use cases take a
//! context only to audit and to know the time; the login path also checks
//! that the signed-in person is the guest.

use super::error::GuestError;
use super::lifecycle::AccountState;
use super::service::{policy, record_transition};
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::context::Context;
use crate::notifications::NoticeKind;
use crate::parties::PartyId;
use crate::system_register::Translated;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a one-time code is valid.
pub const CODE_VALIDITY: Duration = Duration::minutes(15);
/// Digits in a one-time code.
pub const CODE_DIGITS: u32 = 6;

/// What sends a text message. The default, [`SmsOutbox`], writes it to the
/// `sms_outbox` table in the claim's own transaction, for a gateway's
/// adapter to drain.
pub trait SmsSender: Sync {
    fn send(&self, conn: &mut PgConnection, to: &str, body: &str, now: OffsetDateTime) -> impl std::future::Future<Output = Result<(), sqlx::Error>> + Send;
}

/// The default SMS sender: the `sms_outbox` table.
pub struct SmsOutbox;

impl SmsSender for SmsOutbox {
    async fn send(&self, conn: &mut PgConnection, to: &str, body: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
        sqlx::query!("insert into sms_outbox (id, to_number, body, created_at) values ($1, $2, $3, $4)", Uuid::now_v7(), to, body, now).execute(conn).await?;
        Ok(())
    }
}

pub(super) fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().as_bytes()).to_vec()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(super) fn new_code() -> String {
    let n = rand::rngs::OsRng.next_u32() % 10u32.pow(CODE_DIGITS);
    format!("{n:0width$}", width = CODE_DIGITS as usize)
}

fn moment(t: OffsetDateTime) -> String {
    let local = t.to_offset(crate::role_model::rules::norwegian_offset(t));
    local.format(time::macros::format_description!("[day].[month].[year] [hour]:[minute]")).unwrap_or_default()
}

/// What an e-mail to a guest carries, made as it is sent: for an invitation
/// (the subject is the account) a new claim link, ending older ones, with
/// when it expires; for a code (the subject is the link) a new one-time
/// code, with when it expires; for an end-of-stay notice the end date.
/// `None` when the e-mail is no longer needed.
pub(crate) async fn secret_for(conn: &mut PgConnection, kind: NoticeKind, subject: Uuid, now: OffsetDateTime) -> Result<Option<(String, String)>, sqlx::Error> {
    match kind {
        NoticeKind::GuestInvitation => Ok(issue_link(conn, subject, now).await?.map(|(token, until)| (token, moment(until)))),
        NoticeKind::GuestCode => {
            let open =
                sqlx::query_scalar!("select exists(select 1 from guest_claim_link where id = $1 and ended_at is null and expires_at > $2)", subject, now)
                    .fetch_one(&mut *conn)
                    .await?
                    .unwrap_or(false);
            if !open {
                return Ok(None);
            }
            let code = new_code();
            store_code(conn, subject, &code, now).await?;
            Ok(Some((code, moment(now + CODE_VALIDITY))))
        }
        NoticeKind::GuestLoginCode => Ok(super::login::code_for(conn, subject, now).await?.map(|(code, until)| (code, moment(until)))),
        NoticeKind::GuestExpiring => {
            let end = sqlx::query_scalar!("select end_date from guest_account where id = $1 and state = 'active'", subject).fetch_optional(&mut *conn).await?;
            Ok(end.map(|d| (d.format(time::macros::format_description!("[day].[month].[year]")).unwrap_or_default(), String::new())))
        }
        _ => Ok(None),
    }
}

/// A new claim link for an invited account, ending the older ones; `None`
/// when the account is no longer invited.
async fn issue_link(conn: &mut PgConnection, account: Uuid, now: OffsetDateTime) -> Result<Option<(String, OffsetDateTime)>, sqlx::Error> {
    let Some(a) =
        sqlx::query!("select state, institution_id, guest_type from guest_account where id = $1 for update", account).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    if a.state != AccountState::Invited.as_str() {
        return Ok(None);
    }
    let policy = policy(&mut *conn, PartyId(a.institution_id), &a.guest_type).await?;
    sqlx::query!("update guest_claim_link set ended_at = $2, ended_why = 'replaced' where account_id = $1 and ended_at is null", account, now)
        .execute(&mut *conn)
        .await?;
    let token = new_token();
    let expires = policy.claim_link_expires(now);
    sqlx::query!(
        "insert into guest_claim_link (id, account_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4, $5)",
        Uuid::now_v7(),
        account,
        digest(&token),
        now,
        expires
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("update guest_account set invited_at = $2, updated_at = $2 where id = $1", account, now).execute(&mut *conn).await?;
    Ok(Some((token, expires)))
}

async fn store_code(conn: &mut PgConnection, link: Uuid, code: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!("update guest_claim_link set code_hash = $2, code_sent_at = $3 where id = $1", link, digest(code), now).execute(conn).await?;
    Ok(())
}

/// Enqueues the invitation e-mail of an account in the caller's transaction,
/// and, when the guest has a mobile, a text message saying where the link
/// went (the link itself is made as the e-mail is sent, so it travels by
/// e-mail only). The text message goes to the `sms_outbox` table, the
/// default [`SmsSender`], in the same transaction.
pub(crate) async fn enqueue_invitation(uow: &mut UnitOfWork, account: Uuid, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    let row = sqlx::query!(
        r#"select a.person_id, i.name as institution, c.email as "email?", c.mobile as "mobile?" from guest_account a
           join party i on i.id = a.institution_id left join person_contact c on c.person_id = a.person_id where a.id = $1"#,
        account
    )
    .fetch_one(uow.conn())
    .await?;
    if let Some(email) = &row.email {
        crate::notifications::store::enqueue_to(uow.conn(), PartyId(row.person_id), NoticeKind::GuestInvitation, account, &row.institution, email, now).await?;
    }
    if let (Some(mobile), Some(email)) = (&row.mobile, &row.email) {
        let (institution, to) = (&row.institution, mask_email(email));
        let body = format!(
            "{institution} har registrert deg som gjest. Lenken for å ta i bruk kontoen er sendt til {to}. \
             {institution} has registered you as a guest. The link to claim your account was sent to {to}."
        );
        SmsOutbox.send(uow.conn(), mobile, &body, now).await?;
    }
    // Marks the invitation as gone out, so that the lifecycle job does not send it again.
    sqlx::query!("update guest_account set invited_at = coalesce(invited_at, $2) where id = $1", account, now).execute(uow.conn()).await?;
    Ok(())
}

/// A claim link as it stands, with what its page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    link: Uuid,
    pub account: Uuid,
    person: PartyId,
    institution: PartyId,
    guest_type: String,
    pub guest_name: String,
    pub institution_name: String,
    pub username: String,
    /// The guest claims by logging in (a national identity number was given).
    pub by_login: bool,
    /// Where a code goes, masked (`+47 ••• •• 567`, `a•••@example.org`).
    pub code_to: Option<String>,
    /// A code was sent and is still valid.
    pub code_sent: bool,
    /// The institution's terms in force: version and text.
    pub terms: Option<(i32, Translated)>,
}

fn mask_mobile(m: &str) -> String {
    let tail: String = m.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
    format!("•••••{tail}")
}

fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

async fn find(conn: &mut PgConnection, token: &str, now: OffsetDateTime, lock: bool) -> Result<Claim, GuestError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(GuestError::LinkNotValid);
    }
    let row = sqlx::query!(
        r#"select l.id, l.expires_at, l.ended_at, l.code_sent_at, a.id as account, a.state, a.person_id, a.institution_id, a.guest_type, a.username,
                  p.name, p.national_id, i.name as institution, c.mobile as "mobile?", c.email as "email?"
           from guest_claim_link l join guest_account a on a.id = l.account_id join party p on p.id = a.person_id
           join party i on i.id = a.institution_id left join person_contact c on c.person_id = a.person_id
           where l.token_hash = $1"#,
        digest(token)
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(GuestError::LinkNotValid)?;
    if row.ended_at.is_some() || row.expires_at <= now || row.state != AccountState::Invited.as_str() {
        return Err(GuestError::LinkNotValid);
    }
    if lock {
        sqlx::query!("select id from guest_claim_link where id = $1 for update", row.id).fetch_one(&mut *conn).await?;
        sqlx::query!("select id from guest_account where id = $1 for update", row.account).fetch_one(&mut *conn).await?;
    }
    let terms =
        sqlx::query!("select version, text_nb, text_nn, text_en from guest_terms where institution_id = $1 order by version desc limit 1", row.institution_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|t| (t.version, Translated { nb: t.text_nb, nn: t.text_nn, en: t.text_en }));
    Ok(Claim {
        link: row.id,
        account: row.account,
        person: PartyId(row.person_id),
        institution: PartyId(row.institution_id),
        guest_type: row.guest_type,
        guest_name: row.name,
        institution_name: row.institution,
        username: row.username,
        by_login: row.national_id.is_some(),
        code_to: row.mobile.as_deref().map(mask_mobile).or(row.email.as_deref().map(mask_email)),
        code_sent: row.code_sent_at.is_some_and(|t| t + CODE_VALIDITY > now),
        terms,
    })
}

/// The claim link's page: whose account, how to claim it, the terms.
pub async fn open(ctx: &Context, token: &str) -> Result<Claim, GuestError> {
    let mut conn = ctx.db().acquire().await?;
    find(&mut conn, token, ctx.now(), false).await
}

/// Sends a one-time code for the link: by text message to the guest's
/// mobile, or else by e-mail (the mail job makes it as it sends). Answers
/// where it went, masked.
pub async fn send_code(ctx: &Context, token: &str, sms: &impl SmsSender) -> Result<String, GuestError> {
    const AUDIT: &str = "guest.code";
    let now = ctx.now();
    let mut uow = ctx.begin().await?;
    let claim = match find(uow.conn(), token, now, true).await {
        Ok(c) if c.by_login => Err(GuestError::LoginRequired),
        other => other,
    };
    let claim = match claim {
        Ok(c) => c,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, "claim link", &e, serde_json::json!({})).await;
            return Err(e);
        }
    };
    let contact =
        sqlx::query!(r#"select mobile as "mobile?", email as "email?" from person_contact where person_id = $1"#, claim.person.0).fetch_one(uow.conn()).await?;
    let via = if let Some(mobile) = contact.mobile {
        let code = new_code();
        store_code(uow.conn(), claim.link, &code, now).await?;
        let body = format!("{}: engangskoden din er {code} / your one-time code is {code}", claim.institution_name);
        sms.send(uow.conn(), &mobile, &body, now).await?;
        "sms"
    } else if let Some(email) = contact.email {
        crate::notifications::store::enqueue_to(uow.conn(), claim.person, NoticeKind::GuestCode, claim.link, &claim.institution_name, &email, now).await?;
        // The code is made as the e-mail goes; until then none is valid.
        sqlx::query!("update guest_claim_link set code_hash = null, code_sent_at = $2 where id = $1", claim.link, now).execute(uow.conn()).await?;
        "email"
    } else {
        return Err(GuestError::LinkNotValid);
    };
    uow.audit(AuditEvent::new(AUDIT, claim.account.to_string(), Outcome::Success, serde_json::json!({ "via": via }))).await?;
    ctx.commit(uow).await?;
    Ok(claim.code_to.unwrap_or_default())
}

/// What a claim made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub username: String,
    pub institution_name: String,
}

fn accepted(claim: &Claim, terms_version: Option<i32>) -> Result<Option<i32>, GuestError> {
    match (&claim.terms, terms_version) {
        (None, _) => Ok(None),
        (Some((v, _)), Some(a)) if *v == a => Ok(Some(a)),
        _ => Err(GuestError::invalid("terms", "accept the terms to claim the account")),
    }
}

/// Claims the account with the one-time code, accepting the terms of
/// version `terms_version`.
pub async fn claim_with_code(ctx: &Context, token: &str, code: &str, terms_version: Option<i32>) -> Result<Claimed, GuestError> {
    const AUDIT: &str = "guest.claim";
    let now = ctx.now();
    let mut uow = ctx.begin().await?;
    let claim = match find(uow.conn(), token, now, true).await.and_then(|c| if c.by_login { Err(GuestError::LoginRequired) } else { Ok(c) }) {
        Ok(c) => c,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, "claim link", &e, serde_json::json!({ "via": "code" })).await;
            return Err(e);
        }
    };
    let refuse = |e: GuestError| async move {
        ctx.audit_refusal(AUDIT, claim.account.to_string(), &e, serde_json::json!({ "via": "code" })).await;
        Err(e)
    };
    let version = match accepted(&claim, terms_version) {
        Ok(v) => v,
        Err(e) => {
            drop(uow);
            return refuse(e).await;
        }
    };
    let stored = sqlx::query!("select code_hash, code_sent_at, code_failures from guest_claim_link where id = $1", claim.link).fetch_one(uow.conn()).await?;
    let fresh = stored.code_sent_at.is_some_and(|t| t + CODE_VALIDITY > now);
    let (Some(hash), true) = (stored.code_hash, fresh) else {
        drop(uow);
        return refuse(GuestError::invalid("one_time_code", "ask for a new code")).await;
    };
    if hash != digest(code) {
        let failures = stored.code_failures + 1;
        let limit = i32::from(policy(uow.conn(), claim.institution, &claim.guest_type).await?.code_attempts);
        let dead = failures >= limit;
        sqlx::query!(
            "update guest_claim_link set code_failures = $2, ended_at = case when $3 then $4 else ended_at end, ended_why = case when $3 then 'attempts' else ended_why end where id = $1",
            claim.link,
            failures,
            dead,
            now
        )
        .execute(uow.conn())
        .await?;
        let e = if dead { GuestError::TooManyAttempts } else { GuestError::invalid("one_time_code", "the code is wrong") };
        uow.audit(AuditEvent::new(
            AUDIT,
            claim.account.to_string(),
            Outcome::Refused,
            serde_json::json!({ "via": "code", "reason": e.to_string(), "failures": failures }),
        ))
        .await?;
        ctx.commit(uow).await?;
        return Err(e);
    }
    activate(ctx, uow, &claim, version, "code", now).await
}

/// Claims the account as the signed-in person, who must be the guest (the
/// login's national identity number is the one the sponsor gave).
pub async fn claim_with_login(ctx: &Context, token: &str, terms_version: Option<i32>) -> Result<Claimed, GuestError> {
    const AUDIT: &str = "guest.claim";
    let now = ctx.now();
    let mut uow = ctx.begin().await?;
    let checked = match find(uow.conn(), token, now, true).await {
        Ok(c) if !c.by_login => Err(GuestError::LinkNotValid),
        Ok(c) if ctx.person() != Some(c.person) => Err(GuestError::WrongPerson),
        Ok(c) => accepted(&c, terms_version).map(|v| (c, v)),
        Err(e) => Err(e),
    };
    match checked {
        Ok((claim, version)) => activate(ctx, uow, &claim, version, "login", now).await,
        Err(e) => {
            drop(uow);
            ctx.audit_refusal(AUDIT, "claim link", &e, serde_json::json!({ "via": "login" })).await;
            Err(e)
        }
    }
}

async fn activate(ctx: &Context, mut uow: UnitOfWork, claim: &Claim, version: Option<i32>, via: &str, now: OffsetDateTime) -> Result<Claimed, GuestError> {
    sqlx::query!("update guest_account set state = 'active', claimed_at = $2, terms_version = $3, updated_at = $2 where id = $1", claim.account, now, version)
        .execute(uow.conn())
        .await?;
    sqlx::query!("update guest_claim_link set ended_at = $2, ended_why = 'claimed' where id = $1", claim.link, now).execute(uow.conn()).await?;
    super::access::give(&mut uow, claim.account, now).await?;
    record_transition(&mut uow, claim.account, Some(AccountState::Invited), AccountState::Active, &format!("claimed ({via})"), Some(claim.person), now).await?;
    // In the institution's audit trail, beside the registration and the job's steps.
    uow.acting_for(claim.institution);
    let details = serde_json::json!({ "guest": claim.guest_name, "via": via, "terms_version": version });
    uow.audit(AuditEvent::new("guest.claim", claim.account.to_string(), Outcome::Success, details)).await?;
    ctx.commit(uow).await?;
    Ok(Claimed { username: claim.username.clone(), institution_name: claim.institution_name.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_kept_only_as_digests() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits, base64url without padding");
        assert_eq!(digest(&a), digest(&format!(" {a} ")), "typed with spaces around");
        assert_ne!(digest(&a), digest(&b));
        let code = new_code();
        assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()), "{code}");
    }

    #[test]
    fn where_a_code_goes_is_masked() {
        assert_eq!(mask_mobile("+4791234567"), "•••••567");
        assert_eq!(mask_email("aase@example.org"), "a•••@example.org");
    }
}
