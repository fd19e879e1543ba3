//! The chosen party's system users, with how much each is used: the
//! customer's view of the integrations that act for it. A thin adapter over
//! `domain::system_users::overview`, which decides who may see it.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserView {
    pub id: String,
    pub name: String,
    pub system_id: String,
    pub system_name: String,
    pub vendor_org_number: String,
    pub vendor_name: Option<String>,
    /// An agent system user (for an accounting firm's clients), not a standard one.
    pub agent: bool,
    pub external_ref: String,
    pub created: String,
    /// Tokens issued for it in the last 30 days.
    pub recent_tokens: i64,
    pub last_used: Option<String>,
}

/// The chosen party's system users in force, by name.
#[server(prefix = "/api", endpoint = "system_user_overview")]
pub async fn system_user_overview() -> Result<Vec<SystemUserView>, AppError> {
    use crate::functions::ssr::{internal, moment, party_context};
    use domain::system_users::SystemUserError;
    let ctx = party_context().await?;
    let list = domain::system_users::overview(&ctx).await.map_err(|e| match e {
        SystemUserError::NotAccessManager => AppError::NotAllowed,
        SystemUserError::Store(e) => internal(&e.to_string()),
    })?;
    Ok(list
        .into_iter()
        .map(|s| SystemUserView {
            id: s.id.to_string(),
            name: s.name,
            system_id: s.system_id,
            system_name: s.system_name,
            vendor_org_number: s.vendor_org_number,
            vendor_name: s.vendor_name,
            agent: s.kind == "agent",
            external_ref: s.external_ref,
            created: moment(s.created_at),
            recent_tokens: s.recent_tokens,
            last_used: s.last_used_at.map(moment),
        })
        .collect())
}
