//! The list of a party's system users: which integration, from which
//! vendor, and how much it is used (tokens issued in the last 30 days and
//! when the last one was).

use super::{SystemUserError, USAGE_WINDOW};
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::parties::PartyId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserOverview {
    pub id: Uuid,
    pub name: String,
    pub system_id: String,
    /// The system's name in the register, or its id when it has none.
    pub system_name: String,
    pub vendor_org_number: String,
    /// The vendor's name from the register of parties, when it is there.
    pub vendor_name: Option<String>,
    /// `standard` or `agent`.
    pub kind: String,
    pub external_ref: String,
    pub created_at: OffsetDateTime,
    /// Tokens issued for it in the last [`USAGE_WINDOW`].
    pub recent_tokens: i64,
    pub last_used_at: Option<OffsetDateTime>,
}

/// The system users in force for the party the actor acts for, by name, with
/// their use up to now; for those who may read the party's access management.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn overview(ctx: &Context) -> Result<Vec<SystemUserOverview>, SystemUserError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement).map_err(|_| SystemUserError::NotAccessManager)?;
    read(ctx, party, None).await
}

/// The party's system users in force (or the one named), with their use.
pub(super) async fn read(ctx: &Context, party: PartyId, only: Option<Uuid>) -> Result<Vec<SystemUserOverview>, SystemUserError> {
    let now = ctx.now();
    let rows = sqlx::query!(
        r#"select su.id as "id!", su.display_name as "name!", su.system_id as "system_id!", su.vendor_org_number as "vendor!",
                  coalesce(nullif(sr.name_nb, ''), su.system_id) as "system_name!",
                  (select v.name from party v where v.org_number = su.vendor_org_number and v.status = 'active' limit 1) as vendor_name,
                  su.user_type as "kind!", su.external_ref as "external_ref!", su.created_at as "created_at!",
                  (select count(*) from token_issued t where t.system_user_id = su.id and t.issued_at >= $2) as "recent!",
                  (select max(t.issued_at) from token_issued t where t.system_user_id = su.id) as last_used
           from system_user_in_force su
           join system_register sr on sr.system_id = su.system_id
           where su.party_id = $1 and ($3::uuid is null or su.id = $3)
           order by su.display_name, su.id"#,
        party.0,
        now - USAGE_WINDOW,
        only
    )
    .fetch_all(ctx.db())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SystemUserOverview {
            id: r.id,
            name: r.name,
            system_id: r.system_id,
            system_name: r.system_name,
            vendor_org_number: r.vendor,
            vendor_name: r.vendor_name,
            kind: r.kind,
            external_ref: r.external_ref,
            created_at: r.created_at,
            recent_tokens: r.recent,
            last_used_at: r.last_used,
        })
        .collect())
}
