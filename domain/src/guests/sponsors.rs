//! The institution's access managers appoint sponsors: a person gets the
//! right to assign the institution's guest role for a unit (and the units
//! below it), or, with no unit, for every unit as the help desk. Each
//! appointment and each refusal is audited.

use super::error::GuestError;
use super::sponsorship::{self, SHORT_TERM};
use crate::audit::{AuditEvent, Outcome};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::parties::service::PersonQuery;
use crate::parties::PartyId;
use crate::system_register::Translated;
use uuid::Uuid;

/// A sponsorship in force, as the access managers' list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sponsor {
    pub id: Uuid,
    pub person_name: String,
    /// The unit's code and names; `None` for the help desk.
    pub unit: Option<(String, Translated)>,
}

/// The institution the actor manages access for, or refused (and, for
/// `audit` — the action and its target — audited). Also the check of the
/// rules for guests (`policy`).
pub(super) async fn institution(ctx: &Context, action: Action, audit: Option<(&str, &str)>) -> Result<PartyId, GuestError> {
    match ctx.authorize_for_party(action, SystemResource::AccessManagement) {
        Ok(p) => Ok(p),
        Err(_) => {
            if let Some((what, target)) = audit {
                ctx.audit_refusal(what, target, &GuestError::NotAccessManager, serde_json::json!({})).await;
            }
            Err(GuestError::NotAccessManager)
        }
    }
}

/// The institution's sponsors and help desk, by name.
pub async fn sponsors(ctx: &Context) -> Result<Vec<Sponsor>, GuestError> {
    let institution = institution(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    let Some(role) = sponsorship::guest_role(&mut conn, institution, SHORT_TERM).await? else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query!(
        r#"select r.id, p.name, u.code as "code?", u.name_nb as "nb?", u.name_nn as "nn?", u.name_en as "en?"
           from user_role_assign_right r join party p on p.id = r.holder_id left join org_unit u on u.id = r.unit_id
           where r.role_id = $1 and r.for_party = $2 and r.ended_at is null
           order by p.name, u.code nulls first, r.id"#,
        role,
        institution.0
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Sponsor {
            id: r.id,
            person_name: r.name,
            unit: r.code.map(|c| (c, Translated { nb: r.nb.unwrap_or_default(), nn: r.nn.unwrap_or_default(), en: r.en.unwrap_or_default() })),
        })
        .collect())
}

/// Appoints the person `national_id` + `surname` sponsor for the unit
/// `unit` (its code), or help desk when `unit` is empty.
pub async fn appoint(ctx: &Context, national_id: &str, surname: &str, unit: &str) -> Result<Uuid, GuestError> {
    const AUDIT: &str = "sponsor.appoint";
    let unit = unit.trim();
    let target = if unit.is_empty() { "help desk".to_string() } else { unit.chars().take(40).collect() };
    let institution = institution(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let done = async {
        let query = PersonQuery::parse(national_id, surname).map_err(|e| {
            let f = crate::error::FieldError::parse(&e);
            GuestError::invalid(if f.field == "surname" { "surname" } else { "national_id" }, f.message)
        })?;
        let mut uow = ctx.begin().await?;
        let role = sponsorship::guest_role(uow.conn(), institution, SHORT_TERM).await?.ok_or(GuestError::NoGuestRole)?;
        let person = query.find(uow.conn()).await?.ok_or(GuestError::NoSuchPerson)?;
        let unit_id = if unit.is_empty() {
            None
        } else {
            Some(
                sqlx::query_scalar!("select id from org_unit where institution_id = $1 and code = $2", institution.0, unit)
                    .fetch_optional(uow.conn())
                    .await?
                    .ok_or_else(|| GuestError::invalid("unit", "no such unit"))?,
            )
        };
        let id = Uuid::now_v7();
        let inserted = sqlx::query!(
            "insert into user_role_assign_right (id, role_id, holder_id, for_party, unit_id, granted_by) values ($1, $2, $3, $4, $5, $6)",
            id,
            role,
            person.id.0,
            institution.0,
            unit_id,
            ctx.person().map(|p| p.0)
        )
        .execute(uow.conn())
        .await;
        if crate::db::violated(&inserted, "user_role_assign_right_unique_active") {
            return Err(GuestError::AlreadySponsor);
        }
        inserted?;
        let details = serde_json::json!({ "person": person.name, "unit": (!unit.is_empty()).then_some(unit), "help_desk": unit.is_empty() });
        uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(id)
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}

/// Ends a sponsorship. The sponsor's guests keep their accounts.
pub async fn end(ctx: &Context, sponsorship: &str) -> Result<(), GuestError> {
    const AUDIT: &str = "sponsor.end";
    let target: String = sponsorship.trim().chars().take(40).collect();
    let institution = institution(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let done = async {
        let id = Uuid::parse_str(sponsorship.trim()).map_err(|_| GuestError::SponsorNotFound)?;
        let mut uow = ctx.begin().await?;
        let role = sponsorship::guest_role(uow.conn(), institution, SHORT_TERM).await?.ok_or(GuestError::SponsorNotFound)?;
        let ended = sqlx::query_scalar!(
            r#"update user_role_assign_right r set ended_at = $4 from party p
               where r.id = $1 and r.role_id = $2 and r.for_party = $3 and r.ended_at is null and p.id = r.holder_id
               returning p.name"#,
            id,
            role,
            institution.0,
            ctx.now()
        )
        .fetch_optional(uow.conn())
        .await?
        .ok_or(GuestError::SponsorNotFound)?;
        uow.audit(AuditEvent::new(AUDIT, id.to_string(), Outcome::Success, serde_json::json!({ "person": ended }))).await?;
        ctx.commit(uow).await?;
        Ok(())
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), done, GuestError::is_store).await
}
