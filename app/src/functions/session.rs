//! Who is signed in, and for whom they act.

use super::PartyView;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub name: String,
    pub acr: String,
    pub party: Option<PartyView>,
}

/// The signed-in person and chosen party, or `None` when signed out.
#[server(prefix = "/api", endpoint = "session")]
pub async fn session_info() -> Result<Option<SessionView>, AppError> {
    use super::ssr::*;
    let ctx = ctx()?;
    let session = session().await?;
    let Some(auth) = crate::session::current(&session, &ctx).await else {
        return Ok(None);
    };
    let party = match crate::session::chosen_party(&session).await {
        Some(id) => {
            let use_case = ctx.services().for_person(auth.person, auth.name.clone(), None, crate::session::request_id());
            match domain::authorized_parties::ensure_may_act_for(&use_case, id).await {
                Ok(p) => Some(party_view(p)),
                // The right to act for the party has ended since it was chosen.
                Err(domain::authorized_parties::ActingPartyError::NotAllowed) => None,
                Err(e) => return Err(internal(&e.to_string())),
            }
        }
        None => None,
    };
    Ok(Some(SessionView { name: auth.name, acr: auth.acr, party }))
}
