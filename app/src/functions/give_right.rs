//! "Give a single right" for the chosen party: the rights the person may
//! give, and giving one to a person or an organisation. Thin adapters over
//! `domain::grants::{rights_to_give, give_right}`, which decide who may.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A right the person may give, as the form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightOptionView {
    /// What the form sends: `<resource>:<action>`.
    pub value: String,
    pub title: Texts,
    pub action: String,
}

/// What was given, for the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightGivenView {
    pub recipient: String,
    pub right: String,
}

/// The single rights the person may give for the chosen party.
#[server(prefix = "/api", endpoint = "rights_to_give")]
pub async fn rights_to_give() -> Result<Vec<RightOptionView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::grants::rights_to_give(&ctx)
        .await?
        .into_iter()
        .map(|r| RightOptionView { value: r.value(), title: [r.title.nb, r.title.nn, r.title.en], action: r.action })
        .collect())
}

/// Gives a person (`kind` "person": `national_id` and `surname`) or an
/// organisation (`kind` "organisation": `org_number`) the single right
/// `right` (`<resource>:<action>`) for the chosen party.
#[server(prefix = "/api", endpoint = "give_right")]
pub async fn give_right(
    #[server(default)] kind: String,
    #[server(default)] national_id: String,
    #[server(default)] surname: String,
    #[server(default)] org_number: String,
    #[server(default)] right: String,
) -> Result<RightGivenView, AppError> {
    use domain::grants::RecipientQuery;
    let ctx = crate::functions::ssr::party_context().await?;
    let recipient = match kind.trim() {
        "" | "person" => RecipientQuery::Person { national_id, surname },
        "organisation" => RecipientQuery::Organisation { org_number },
        _ => return Err(AppError::invalid("kind", "choose a person or an organisation")),
    };
    let given = domain::grants::give_right(&ctx, &recipient, &right).await?;
    Ok(RightGivenView { recipient: given.recipient, right: right.trim().to_string() })
}
