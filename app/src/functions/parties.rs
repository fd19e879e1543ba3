//! "Velg aktør": list and choose the party to act for.

use super::PartyView;
use crate::error::AppError;
use leptos::prelude::*;

/// The parties the signed-in person may act for, filtered by `search`.
#[server(prefix = "/api", endpoint = "parties")]
pub async fn list_parties(search: Option<String>) -> Result<Vec<PartyView>, AppError> {
    use super::ssr::*;
    let ctx = use_case_context().await?;
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(AppError::invalid("search", "at most 100 characters"));
    }
    let list = domain::authorized_parties::acting_parties(&ctx, search.as_deref()).await.map_err(|e| internal(&e.to_string()))?;
    Ok(list.into_iter().map(party_view).collect())
}

/// Chooses the party to act for; audited, refused when not allowed.
#[server(prefix = "/api", endpoint = "choose_party")]
pub async fn choose_party(party: String) -> Result<(), AppError> {
    use super::ssr::*;
    use domain::authorized_parties::{choose_acting_party, ActingPartyError};
    let ctx = use_case_context().await?;
    let session = session().await?;
    let id = uuid::Uuid::parse_str(party.trim()).map_err(|_| AppError::invalid("party", "not a party id"))?;
    let party = domain::parties::PartyId(id);
    match choose_acting_party(&ctx, party).await {
        Ok(_) => {}
        Err(ActingPartyError::NotAllowed | ActingPartyError::UnknownPerson) => return Err(AppError::NotAllowed),
        Err(e) => return Err(internal(&e.to_string())),
    }
    session.insert(crate::session::PARTY_KEY, party).await.map_err(|e| internal(&e.to_string()))?;
    leptos_axum::redirect("/");
    Ok(())
}
