//! Server functions, one module per area. Each is a thin adapter: read the
//! session and context, call a domain use case, map its error to [`AppError`].
// A server function takes one argument per form field, so that the same
// function answers a form posted without JavaScript.
#![allow(clippy::too_many_arguments)]

pub mod access;
pub mod api_clients;
pub mod audit;
pub mod claim;
pub mod client_persons;
pub mod client_relationships;
pub mod clients;
pub mod give_right;
pub mod guest_login;
pub mod guest_rules;
pub mod guests;
pub mod notices;
pub mod others;
pub mod parties;
pub mod resources;
pub mod session;
pub mod system_user_changes;
pub mod system_user_requests;
pub mod system_users;
pub mod systems;
pub mod units;
pub mod user_roles;

use serde::{Deserialize, Serialize};

/// A party as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    pub org_number: Option<String>,
    pub is_person: bool,
    pub reasons: Vec<String>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::session::{self, AuthSession, PortalContext};
    use leptos::prelude::*;
    use tower_sessions::Session;

    pub fn ctx() -> Result<PortalContext, AppError> {
        use_context::<PortalContext>().ok_or_else(|| internal("portal context missing"))
    }

    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(|e| internal(&e.to_string()))
    }

    /// The signed-in person, or [`AppError::NotSignedIn`].
    pub async fn signed_in() -> Result<(Session, PortalContext, AuthSession), AppError> {
        let ctx = ctx()?;
        let session = session().await?;
        let auth = session::current(&session, &ctx).await.ok_or(AppError::NotSignedIn)?;
        Ok((session, ctx, auth))
    }

    /// Logs `what` with the request id and returns an error that shows only the id.
    pub fn internal(what: &str) -> AppError {
        let id = session::request_id().unwrap_or_else(|| "-".into());
        tracing::error!(request_id = %id, error = %what, "internal error in server function");
        AppError::Internal(id)
    }

    /// The use-case context of the signed-in person, acting for the party
    /// they chose, if they chose one.
    pub async fn use_case_context() -> Result<domain::Context, AppError> {
        let (session, portal, auth) = signed_in().await?;
        let party = session::chosen_party(&session).await;
        Ok(portal.services().for_person(auth.person, auth.name.clone(), party, session::request_id()))
    }

    /// As [`use_case_context`], for a page about the chosen party: without
    /// a chosen party there is nothing to show.
    pub async fn party_context() -> Result<domain::Context, AppError> {
        let ctx = use_case_context().await?;
        ctx.party().ok_or(AppError::NoPartyChosen)?;
        Ok(ctx)
    }

    /// A date typed as `2026-12-31` (an `<input type=date>`), as midnight in UTC.
    pub fn date(field: &str, s: &str) -> Result<Option<time::OffsetDateTime>, AppError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s, &fmt).map(|d| Some(d.midnight().assume_utc())).map_err(|_| AppError::invalid(field, "use the form 2026-12-31"))
    }

    /// A moment as the portal's tables show it: `24.11.2026 08:15 UTC`.
    pub fn moment(t: time::OffsetDateTime) -> String {
        t.format(time::macros::format_description!("[day].[month].[year] [hour]:[minute] UTC")).unwrap_or_default()
    }

    pub fn party_view(p: domain::authorized_parties::ActingParty) -> super::PartyView {
        super::PartyView {
            id: p.party.id.to_string(),
            org_number: p.party.org_number().map(|o| o.to_string()),
            is_person: p.party.kind() == domain::parties::PartyKind::Person,
            name: p.party.name,
            reasons: p.reasons,
        }
    }
}
