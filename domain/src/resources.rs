//! Resources (services) and their policies: the service owner's side.

use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::clock::Clock;
use crate::decisions::policy::{attr, Policy};
use crate::parties::OrgNumber;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceForSave {
    pub id: String,
    pub title_nb: String,
    pub title_nn: String,
    pub title_en: String,
    pub description: String,
    pub resource_type: String,
    pub delegable: bool,
    pub policy: Policy,
}

#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("invalid resource: {0}")]
    Invalid(String),
    #[error("the resource belongs to another service owner")]
    NotOwner,
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for ResourceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Every way `r` is malformed; empty when it may be saved.
pub fn problems(r: &ResourceForSave) -> Vec<String> {
    let mut p = Vec::new();
    let id_ok = (2..=100).contains(&r.id.len())
        && r.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && r.id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !id_ok {
        p.push("id must be 2–100 characters of a–z, 0–9, _ and -".into());
    }
    for (lang, t) in [("nb", &r.title_nb), ("nn", &r.title_nn), ("en", &r.title_en)] {
        if t.trim().is_empty() {
            p.push(format!("title_{lang} is required"));
        }
    }
    if r.policy.rules.is_empty() {
        p.push("the policy has no rules".into());
    }
    let known = [attr::ACCESS_PACKAGE, attr::ROLE_CODE, attr::ORG_NUMBER, attr::PERSON_ID, attr::PARTY_UUID, attr::SYSTEM_USER];
    for rule in &r.policy.rules {
        for m in rule.subjects.iter().flatten() {
            if !known.contains(&m.attribute.as_str()) {
                p.push(format!("rule {}: unknown subject attribute {}", rule.id, m.attribute));
            }
        }
        if rule.actions.iter().any(|a| a.trim().is_empty()) {
            p.push(format!("rule {}: empty action", rule.id));
        }
    }
    p
}

/// Creates or updates a resource owned by `owner`, in one audited transaction
/// that also moves the change feed so every instance sees the new policy.
pub async fn save(pool: &PgPool, clock: &dyn Clock, actor: Actor, owner: &OrgNumber, r: &ResourceForSave) -> Result<(), ResourceError> {
    let problems = problems(r);
    if !problems.is_empty() {
        return Err(ResourceError::Invalid(problems.join("; ")));
    }
    let mut uow = UnitOfWork::begin(pool, actor, clock).await?;
    let existing = sqlx::query_scalar!("select owner_org from resource where id = $1 for update", r.id).fetch_optional(uow.conn()).await?;
    if existing.as_deref().is_some_and(|o| o != owner.as_str()) {
        return Err(ResourceError::NotOwner);
    }
    let mut policy = r.policy.clone();
    policy.resource = r.id.clone();
    let policy_json = serde_json::to_value(&policy).map_err(|e| ResourceError::Invalid(e.to_string()))?;
    sqlx::query!(
        r#"insert into resource (id, owner_org, title_nb, title_nn, title_en, description, resource_type, delegable, policy)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           on conflict (id) do update set title_nb = excluded.title_nb, title_nn = excluded.title_nn, title_en = excluded.title_en,
               description = excluded.description, resource_type = excluded.resource_type, delegable = excluded.delegable,
               policy = excluded.policy, updated_at = now()"#,
        r.id, owner.as_str(), r.title_nb, r.title_nn, r.title_en, r.description, r.resource_type, r.delegable, policy_json
    )
    .execute(uow.conn())
    .await?;
    crate::decisions::store::record_change(uow.conn(), "resource").await?;
    uow.audit(AuditEvent::new(
        if existing.is_some() { "resource.update" } else { "resource.create" },
        r.id.clone(),
        Outcome::Success,
        serde_json::json!({"rules": r.policy.rules.len()}),
    ))
    .await?;
    uow.commit().await?;
    Ok(())
}
