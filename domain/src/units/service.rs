//! The use cases of organisational units: the institution's tree, saving
//! one unit, importing many. For the institution's access managers;
//! every change and every refused change is audited.

use super::rules::{checked, import_order, UnitError, UnitForSave, MAX_IMPORT};
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::parties::PartyId;
use crate::system_register::Translated;
use std::collections::HashMap;
use uuid::Uuid;

/// A unit as the tree shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    pub id: Uuid,
    pub code: String,
    pub name: Translated,
    /// The parent's code.
    pub parent: Option<String>,
    /// 0 at the top.
    pub depth: i32,
}

async fn institution(ctx: &Context, action: Action, audit: Option<(&str, &str)>) -> Result<PartyId, UnitError> {
    match ctx.authorize_for_party(action, SystemResource::AccessManagement) {
        Ok(p) => Ok(p),
        Err(_) => {
            if let Some((what, target)) = audit {
                ctx.audit_refusal(what, target, &UnitError::NotAccessManager, serde_json::json!({})).await;
            }
            Err(UnitError::NotAccessManager)
        }
    }
}

/// The institution's units, each after its parent, siblings by name.
pub async fn units(ctx: &Context) -> Result<Vec<Unit>, UnitError> {
    let institution = institution(ctx, Action::Read, None).await?;
    let mut conn = ctx.db().acquire().await?;
    let rows = sqlx::query!(
        r#"with recursive t as (
               select id, code, name_nb, name_nn, name_en, parent_id, array[lower(name_nb) || '/' || code]::text[] as path, 0 as depth
               from org_unit where institution_id = $1 and parent_id is null
               union all
               select u.id, u.code, u.name_nb, u.name_nn, u.name_en, u.parent_id, t.path || (lower(u.name_nb) || '/' || u.code), t.depth + 1
               from org_unit u join t on u.parent_id = t.id
           )
           select t.id as "id!", t.code as "code!", t.name_nb as "nb!", t.name_nn as "nn!", t.name_en as "en!", p.code as "parent?", t.depth as "depth!"
           from t left join org_unit p on p.id = t.parent_id
           order by t.path"#,
        institution.0
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| Unit { id: r.id, code: r.code, name: Translated { nb: r.nb, nn: r.nn, en: r.en }, parent: r.parent, depth: r.depth }).collect())
}

/// The institution's units now, code → parent's code; locks the institution
/// against another change to its tree until the transaction ends.
async fn tree_for_update(uow: &mut UnitOfWork, institution: PartyId) -> Result<HashMap<String, Option<String>>, sqlx::Error> {
    sqlx::query!("select id from party where id = $1 for no key update", institution.0).fetch_optional(uow.conn()).await?;
    let rows = sqlx::query!(
        r#"select u.code, p.code as "parent?" from org_unit u left join org_unit p on p.id = u.parent_id where u.institution_id = $1"#,
        institution.0
    )
    .fetch_all(uow.conn())
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.parent)).collect())
}

async fn upsert(uow: &mut UnitOfWork, institution: PartyId, u: &UnitForSave, now: time::OffsetDateTime) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "insert into org_unit (id, institution_id, code, name_nb, name_nn, name_en, parent_id, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, (select id from org_unit where institution_id = $2 and code = $7), $8, $8)
         on conflict (institution_id, code) do update
             set name_nb = excluded.name_nb, name_nn = excluded.name_nn, name_en = excluded.name_en,
                 parent_id = excluded.parent_id, updated_at = excluded.updated_at
         returning id",
        Uuid::now_v7(),
        institution.0,
        u.code,
        u.name_nb,
        u.name_nn,
        u.name_en,
        u.parent.as_deref(),
        now
    )
    .fetch_one(uow.conn())
    .await
}

/// Saves one unit (new, or changed by its code): its names and its parent,
/// which must be one of the institution's units and not below it.
pub async fn save(ctx: &Context, unit: &UnitForSave) -> Result<Uuid, UnitError> {
    const AUDIT: &str = "unit.save";
    let target: String = unit.code.trim().chars().take(40).collect();
    let institution = institution(ctx, Action::Write, Some((AUDIT, &target))).await?;
    let saved = async {
        let u = checked(unit)?;
        let mut uow = ctx.begin().await?;
        let tree = tree_for_update(&mut uow, institution).await?;
        import_order(std::slice::from_ref(&u), &tree)?;
        let id = upsert(&mut uow, institution, &u, ctx.now()).await?;
        let details = serde_json::json!({ "name": u.name_nb, "parent": u.parent, "new": !tree.contains_key(&u.code) });
        uow.audit(AuditEvent::new(AUDIT, &u.code, Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok::<_, UnitError>(id)
    }
    .await;
    ctx.audit_if_refused(AUDIT, &target, serde_json::json!({}), saved, UnitError::is_store).await
}

/// Imports units (new ones, and changes to those with the same codes), all
/// or none: every parent must be in the import or the institution, and the
/// tree must stay a tree. Returns how many were saved.
pub async fn import(ctx: &Context, units: &[UnitForSave]) -> Result<usize, UnitError> {
    const AUDIT: &str = "unit.import";
    let institution = institution(ctx, Action::Write, Some((AUDIT, ""))).await?;
    let done = async {
        if units.len() > MAX_IMPORT {
            return Err(UnitError::Invalid { unit: String::new(), field: "units", why: format!("at most {MAX_IMPORT} units in one import") });
        }
        let mut uow = ctx.begin().await?;
        let tree = tree_for_update(&mut uow, institution).await?;
        let ordered = import_order(units, &tree).map_err(UnitError::in_import)?;
        let now = ctx.now();
        for u in &ordered {
            upsert(&mut uow, institution, u, now).await?;
        }
        let added = ordered.iter().filter(|u| !tree.contains_key(&u.code)).count();
        let details = serde_json::json!({ "units": ordered.len(), "added": added, "changed": ordered.len() - added });
        uow.audit(AuditEvent::new(AUDIT, "", Outcome::Success, details)).await?;
        ctx.commit(uow).await?;
        Ok(ordered.len())
    }
    .await;
    ctx.audit_if_refused(AUDIT, "", serde_json::json!({ "units": units.len() }), done, UnitError::is_store).await
}

/// Imports units from the text of an import file (see [`super::rules::parse_import`]):
/// a line that cannot be read is refused, and audited, like any other wrong import.
pub async fn import_file(ctx: &Context, text: &str) -> Result<usize, UnitError> {
    const AUDIT: &str = "unit.import";
    institution(ctx, Action::Write, Some((AUDIT, ""))).await?;
    match super::rules::parse_import(text) {
        Ok(units) => import(ctx, &units).await,
        Err(e) => {
            ctx.audit_refusal(AUDIT, "", &e, serde_json::json!({ "lines": text.lines().count() })).await;
            Err(e)
        }
    }
}
