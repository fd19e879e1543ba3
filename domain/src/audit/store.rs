//! Reading and writing audit rows.

use super::{Actor, AuditEvent};
use crate::parties::PartyId;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;

pub(super) async fn insert(conn: &mut PgConnection, actor: &Actor, event: &AuditEvent, at: OffsetDateTime) -> Result<uuid::Uuid, sqlx::Error> {
    let id = uuid::Uuid::now_v7();
    sqlx::query!(
        r#"insert into audit_event (id, occurred_at, request_id, actor_party_id, actor_label, on_behalf_of_id, action, target, outcome, details)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#,
        id,
        at,
        actor.request_id,
        actor.party.map(|p| p.0),
        actor.label,
        actor.on_behalf_of.map(|p| p.0),
        event.action,
        event.target,
        event.outcome.as_str(),
        event.details,
    )
    .execute(conn)
    .await?;
    Ok(id)
}

/// An audit row as shown to a party's access managers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub request_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub details: serde_json::Value,
}

/// Filters for a party's audit trail; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub outcome: Option<String>,
    pub limit: Option<i64>,
}

/// The audit trail of `party`, newest first.
pub async fn list_for_party(conn: &mut PgConnection, party: PartyId, filter: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let nonempty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    sqlx::query_as!(
        AuditRecord,
        r#"select id, occurred_at, request_id, actor_label, action, target, outcome, details
           from audit_event
           where on_behalf_of_id = $1
             and ($2::text is null or action ilike '%' || $2 || '%')
             and ($3::text is null or actor_label ilike '%' || $3 || '%')
             and ($4::text is null or outcome = $4)
           order by occurred_at desc, id desc
           limit $5"#,
        party.0,
        nonempty(&filter.action),
        nonempty(&filter.actor),
        nonempty(&filter.outcome),
        filter.limit.unwrap_or(200).clamp(1, 1000),
    )
    .fetch_all(conn)
    .await
}
