//! The institution's rules for its short-term guests, kept by its access
//! managers (`/gjesteregler`): the guest policy (longest stay, when the
//! invitation goes out, the end-of-stay notices, how long a claim link
//! lasts, the wrong codes allowed, how long an ended account is kept, the
//! username prefix) and the terms a guest accepts when claiming, published
//! as numbered versions so that each claim records the version its guest
//! accepted. Reading is for the access managers too; every change and every
//! refused change is audited.
//!
//! A saved policy applies from then on: stays already registered keep
//! their dates, and the lifecycle job applies the new notice days and
//! retention to every account at its next run.

use super::error::GuestError;
use super::schedule::GuestPolicy;
use super::sponsorship::SHORT_TERM;
use crate::audit::{AuditEvent, Outcome};
use crate::authz::Action;
use crate::context::Context;
use crate::system_register::Translated;
use time::{Duration, OffsetDateTime};

/// The longest text of one language of the terms.
pub const MAX_TERMS: usize = 20_000;
/// The most end-of-stay notices a policy may send.
pub const MAX_NOTICES: usize = 5;

/// The policy form as submitted: each field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyForSave {
    pub max_days: String,
    /// Empty: the invitation goes out at once.
    pub invite_days_before: String,
    /// Days before the end, separated by commas or spaces (`14, 7, 1`).
    pub notice_days: String,
    pub claim_link_days: String,
    pub code_attempts: String,
    pub retention_days: String,
    pub username_prefix: String,
}

/// A version of the terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub version: i32,
    pub text: Translated,
    pub published_at: OffsetDateTime,
}

/// The rules as the page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestRules {
    pub policy: GuestPolicy,
    /// The user role an active guest holds, by name.
    pub role: Option<Translated>,
    /// The terms in force (the latest version), if any were published.
    pub terms: Option<Terms>,
}

/// A whole number within `range`, or why not.
fn number(field: &'static str, raw: &str, range: std::ops::RangeInclusive<i64>) -> Result<i64, (&'static str, String)> {
    raw.trim().parse::<i64>().ok().filter(|n| range.contains(n)).ok_or_else(|| (field, format!("a whole number from {} to {}", range.start(), range.end())))
}

/// The policy a form gives, or every field that is wrong and why. Pure.
pub fn checked(form: &PolicyForSave) -> Result<GuestPolicy, GuestError> {
    let mut wrong = Vec::new();
    let mut take = |r: Result<i64, (&'static str, String)>| r.map_err(|e| wrong.push(e)).ok();
    let max_days = take(number("max_days", &form.max_days, 1..=366));
    let invite_days_before = match form.invite_days_before.trim() {
        "" => Some(None),
        raw => take(number("invite_days_before", raw, 0..=90)).map(Some),
    };
    let claim_link_days = take(number("claim_link_days", &form.claim_link_days, 1..=30));
    let code_attempts = take(number("code_attempts", &form.code_attempts, 1..=10));
    let retention_days = take(number("retention_days", &form.retention_days, 0..=3660));
    let notice_days = notice_days(&form.notice_days, max_days).map_err(|why| wrong.push(("notice_days", why))).ok();
    let prefix = form.username_prefix.trim().to_lowercase();
    let prefix_ok = prefix.len() <= 8 && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !prefix_ok {
        wrong.push(("username_prefix", "at most 8 of a–z, 0–9, '.', '_' and '-'".into()));
    }
    match (max_days, invite_days_before, notice_days, claim_link_days, code_attempts, retention_days) {
        (Some(max_days), Some(invite_days_before), Some(notice_days), Some(claim_link_days), Some(code_attempts), Some(retention)) if wrong.is_empty() => {
            Ok(GuestPolicy {
                max_days,
                invite_days_before,
                notice_days,
                claim_link_days,
                code_attempts: u8::try_from(code_attempts).unwrap_or(5),
                retention: Duration::days(retention),
                username_prefix: prefix,
            })
        }
        _ => Err(GuestError::Invalid(wrong)),
    }
}

/// The end-of-stay notices: distinct days from 1 to 90, at most
/// [`MAX_NOTICES`], each within the longest stay; longest first. None at all
/// is allowed (no notices).
fn notice_days(raw: &str, max_days: Option<i64>) -> Result<Vec<i64>, String> {
    let mut days = Vec::new();
    for part in raw.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        let day = part.parse::<i64>().ok().filter(|d| (1..=90).contains(d)).ok_or("days from 1 to 90, separated by commas")?;
        if days.contains(&day) {
            return Err(format!("{day} is there twice"));
        }
        if max_days.is_some_and(|max| day >= max) {
            return Err(format!("{day} is not within the longest stay"));
        }
        days.push(day);
    }
    if days.len() > MAX_NOTICES {
        return Err(format!("at most {MAX_NOTICES} notices"));
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    Ok(days)
}

/// The institution's rules for short-term guests (the defaults where it has
/// set none), for its access managers.
pub async fn rules(ctx: &Context) -> Result<GuestRules, GuestError> {
    let institution = super::sponsors::institution(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    let policy = super::service::policy(&mut conn, institution, SHORT_TERM).await?;
    let role = sqlx::query!(
        "select r.name_nb, r.name_nn, r.name_en from guest_policy g join user_role r on r.id = g.role_id where g.institution_id = $1 and g.guest_type = $2",
        institution.0,
        SHORT_TERM
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en });
    let terms = sqlx::query!(
        "select version, text_nb, text_nn, text_en, created_at from guest_terms where institution_id = $1 order by version desc limit 1",
        institution.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|t| Terms { version: t.version, text: Translated { nb: t.text_nb, nn: t.text_nn, en: t.text_en }, published_at: t.created_at });
    Ok(GuestRules { policy, role, terms })
}

/// Saves the institution's policy for short-term guests; refused, with
/// each wrong field named, and nothing changed, when a field is wrong.
pub async fn save_policy(ctx: &Context, form: &PolicyForSave) -> Result<(), GuestError> {
    const AUDIT: &str = "guest_policy.save";
    let institution = super::sponsors::institution(ctx, Action::Write, Some((AUDIT, SHORT_TERM))).await?;
    let done = async {
        let p = checked(form)?;
        let mut uow = ctx.begin().await?;
        let notice_days: Vec<i32> = p.notice_days.iter().map(|&d| d as i32).collect();
        sqlx::query!(
            "insert into guest_policy (institution_id, guest_type, max_days, invite_days_before, notice_days, claim_link_days, code_attempts, retention_days, username_prefix)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (institution_id, guest_type) do update
             set max_days = excluded.max_days, invite_days_before = excluded.invite_days_before, notice_days = excluded.notice_days,
                 claim_link_days = excluded.claim_link_days, code_attempts = excluded.code_attempts,
                 retention_days = excluded.retention_days, username_prefix = excluded.username_prefix",
            institution.0,
            SHORT_TERM,
            p.max_days as i32,
            p.invite_days_before.map(|d| d as i32),
            &notice_days,
            p.claim_link_days as i32,
            i32::from(p.code_attempts),
            p.retention.whole_days() as i32,
            p.username_prefix
        )
        .execute(uow.conn())
        .await?;
        let details = serde_json::json!({
            "max_days": p.max_days,
            "invite_days_before": p.invite_days_before,
            "notice_days": p.notice_days,
            "claim_link_days": p.claim_link_days,
            "code_attempts": p.code_attempts,
            "retention_days": p.retention.whole_days(),
            "username_prefix": p.username_prefix,
        });
        uow.audit(AuditEvent::new(AUDIT, SHORT_TERM, Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, SHORT_TERM, serde_json::json!({}), done, GuestError::is_store).await
}

/// One language's text of the terms, trimmed: required, at most
/// [`MAX_TERMS`] characters.
fn terms_text(field: &'static str, raw: &str) -> Result<String, (&'static str, String)> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > MAX_TERMS {
        return Err((field, format!("required, at most {MAX_TERMS} characters")));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// Publishes a new version of the terms (in Bokmål, Nynorsk and English):
/// guests who claim from now on accept it; claims made before keep the
/// version they accepted. Answers the new version's number.
pub async fn publish_terms(ctx: &Context, text: &Translated) -> Result<i32, GuestError> {
    const AUDIT: &str = "guest_terms.publish";
    let institution = super::sponsors::institution(ctx, Action::Write, Some((AUDIT, SHORT_TERM))).await?;
    let done = async {
        let checked = [terms_text("text_nb", &text.nb), terms_text("text_nn", &text.nn), terms_text("text_en", &text.en)];
        let wrong: Vec<_> = checked.iter().filter_map(|r| r.clone().err()).collect();
        let [Ok(nb), Ok(nn), Ok(en)] = checked else { return Err(GuestError::Invalid(wrong)) };
        let mut uow = ctx.begin().await?;
        // One version at a time per institution: the institution's row is the lock.
        sqlx::query!("select id from party where id = $1 for update", institution.0).fetch_one(uow.conn()).await?;
        let version = sqlx::query_scalar!(
            r#"insert into guest_terms (institution_id, version, text_nb, text_nn, text_en, created_at)
               select $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 from guest_terms where institution_id = $1
               returning version"#,
            institution.0,
            nb,
            nn,
            en,
            ctx.now()
        )
        .fetch_one(uow.conn())
        .await?;
        uow.audit(AuditEvent::new(AUDIT, SHORT_TERM, Outcome::Success, serde_json::json!({ "version": version }))).await?;
        ctx.commit(uow).await?;
        Ok(version)
    }
    .await;
    ctx.audit_if_refused(AUDIT, SHORT_TERM, serde_json::json!({}), done, GuestError::is_store).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> PolicyForSave {
        PolicyForSave {
            max_days: "45".into(),
            invite_days_before: "".into(),
            notice_days: "1, 14 7".into(),
            claim_link_days: "7".into(),
            code_attempts: "5".into(),
            retention_days: "183".into(),
            username_prefix: " Ext- ".into(),
        }
    }

    fn wrong(form: PolicyForSave) -> Vec<&'static str> {
        match checked(&form) {
            Err(GuestError::Invalid(fields)) => fields.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn a_good_form_gives_the_policy_with_notices_longest_first() {
        let p = checked(&good()).unwrap();
        assert_eq!(p.max_days, 45);
        assert_eq!(p.invite_days_before, None, "empty: at once");
        assert_eq!(p.notice_days, [14, 7, 1]);
        assert_eq!((p.claim_link_days, p.code_attempts, p.retention.whole_days()), (7, 5, 183));
        assert_eq!(p.username_prefix, "ext-", "trimmed, lower case");
        let p = checked(&PolicyForSave { invite_days_before: "3".into(), notice_days: "".into(), ..good() }).unwrap();
        assert_eq!((p.invite_days_before, p.notice_days), (Some(3), vec![]), "no notices is allowed");
    }

    #[test]
    fn every_wrong_field_is_named() {
        assert_eq!(wrong(PolicyForSave { max_days: "0".into(), ..good() }), ["max_days"]);
        assert_eq!(wrong(PolicyForSave { max_days: "367".into(), ..good() }), ["max_days"]);
        assert_eq!(wrong(PolicyForSave { max_days: "tretti".into(), ..good() }), ["max_days"]);
        assert_eq!(wrong(PolicyForSave { invite_days_before: "91".into(), ..good() }), ["invite_days_before"]);
        assert_eq!(wrong(PolicyForSave { claim_link_days: "31".into(), ..good() }), ["claim_link_days"]);
        assert_eq!(wrong(PolicyForSave { code_attempts: "0".into(), ..good() }), ["code_attempts"]);
        assert_eq!(wrong(PolicyForSave { retention_days: "-1".into(), ..good() }), ["retention_days"]);
        assert_eq!(wrong(PolicyForSave { username_prefix: "gjest/".into(), ..good() }), ["username_prefix"]);
        assert_eq!(wrong(PolicyForSave { username_prefix: "forlangtprefiks".into(), ..good() }), ["username_prefix"]);
        assert_eq!(wrong(PolicyForSave { max_days: "".into(), code_attempts: "11".into(), ..good() }), ["max_days", "code_attempts"], "all at once");
    }

    #[test]
    fn notices_are_distinct_days_within_the_stay() {
        assert_eq!(wrong(PolicyForSave { notice_days: "7, 7".into(), ..good() }), ["notice_days"]);
        assert_eq!(wrong(PolicyForSave { notice_days: "0".into(), ..good() }), ["notice_days"]);
        assert_eq!(wrong(PolicyForSave { notice_days: "14; 7".into(), ..good() }), ["notice_days"]);
        assert_eq!(wrong(PolicyForSave { notice_days: "1 2 3 4 5 6".into(), ..good() }), ["notice_days"], "at most five");
        assert_eq!(wrong(PolicyForSave { max_days: "10".into(), ..good() }), ["notice_days"], "14 days before a 10-day stay");
    }

    #[test]
    fn terms_texts_are_required_and_bounded() {
        assert_eq!(terms_text("text_nb", "  Vilkår\r\nfor gjester "), Ok("Vilkår\nfor gjester".to_string()));
        assert!(terms_text("text_nb", " \n ").is_err());
        assert!(terms_text("text_nb", &"x".repeat(MAX_TERMS + 1)).is_err());
        assert!(terms_text("text_nb", &"x".repeat(MAX_TERMS)).is_ok());
    }
}
