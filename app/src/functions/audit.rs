//! The audit trail of the party acted for.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub request_id: String,
}

/// The chosen party's audit trail, newest first; access managers only.
#[server(prefix = "/api", endpoint = "audit_trail")]
pub async fn audit_trail(action: Option<String>, actor: Option<String>, outcome: Option<String>) -> Result<Vec<AuditRow>, AppError> {
    use super::ssr::{internal, party_context};
    use domain::audit_trail::{trail, AuditTrailError};
    let ctx = party_context().await?;
    if let Some(o) = outcome.as_deref().filter(|o| !o.is_empty()) {
        if !["success", "refused", "failed"].contains(&o) {
            return Err(AppError::invalid("outcome", "success, refused or failed"));
        }
    }
    let filter = domain::audit::AuditFilter { action, actor, outcome, limit: Some(200) };
    let rows = match trail(&ctx, &filter).await {
        Ok(rows) => rows,
        Err(AuditTrailError::NotAccessManager) => return Err(AppError::NotAllowed),
        Err(e) => return Err(internal(&e.to_string())),
    };
    let fmt = time::macros::format_description!("[day].[month].[year] [hour]:[minute]:[second] UTC");
    let snapshot = ctx.snapshot();
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            occurred_at: r.occurred_at.format(&fmt).unwrap_or_default(),
            actor: r.actor_label,
            action: r.action,
            // A guest account is named by the guest the record names.
            target: readable_target(&r.target, |id| snapshot.name(id).or_else(|| r.details.get("guest")?.as_str().map(str::to_string))),
            outcome: r.outcome,
            request_id: r.request_id.unwrap_or_default(),
        })
        .collect())
}

/// A target as people read it: each part (`party:package`, `client:key`) that is
/// the id of a party or system user (or of what `name_of` otherwise names)
/// becomes its name; other parts (codes, key ids, ids of things that no
/// longer exist) stay as they are.
#[cfg(feature = "ssr")]
pub(crate) fn readable_target(target: &str, name_of: impl Fn(uuid::Uuid) -> Option<String>) -> String {
    target.split(':').map(|part| uuid::Uuid::parse_str(part).ok().and_then(&name_of).unwrap_or_else(|| part.to_string())).collect::<Vec<_>>().join(": ")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn party_ids_in_a_target_are_named_and_the_rest_is_kept() {
        let ola = uuid::Uuid::now_v7();
        let gone = uuid::Uuid::now_v7();
        let name = |id: uuid::Uuid| (id == ola).then(|| "Ola Tallesen".to_string());
        assert_eq!(readable_target(&format!("{ola}:merverdiavgift"), name), "Ola Tallesen: merverdiavgift");
        assert_eq!(readable_target(&gone.to_string(), name), gone.to_string(), "an unknown id stays");
        assert_eq!(readable_target("nojs-355795", name), "nojs-355795");
        assert_eq!(readable_target("", name), "");
    }
}
