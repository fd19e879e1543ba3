//! "What I can do for others": every party the signed-in person holds
//! something for, other than themselves, with what and why. Needs no chosen
//! party; the answer is the engine's (`domain::grants::what_i_can_do_for_others`).

use super::access::ItemView;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A party the person may act for, and what they hold for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherParty {
    pub name: String,
    pub org_number: Option<String>,
    pub items: Vec<ItemView>,
}

/// The parties the signed-in person holds something for, by name.
#[server(prefix = "/api", endpoint = "what_i_can_do_for_others")]
pub async fn what_i_can_do_for_others() -> Result<Vec<OtherParty>, AppError> {
    let ctx = crate::functions::ssr::use_case_context().await?;
    let others = domain::grants::what_i_can_do_for_others(&ctx).map_err(|_| AppError::NotSignedIn)?;
    let snapshot = ctx.snapshot();
    let names = super::access::item_names(&ctx, others.iter().flat_map(|p| &p.items)).await?;
    Ok(others
        .into_iter()
        .map(|p| OtherParty {
            name: p.name,
            org_number: p.org_number,
            // Revoking happens on the party's own "who has access" page.
            items: p.items.into_iter().map(|i| super::access::item_view(&snapshot, &names, i, false)).collect(),
        })
        .collect())
}
