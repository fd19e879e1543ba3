//! Guests without a national identity number log in with a one-time code
//! (`/gjest-innlogging`). Thin adapters over `domain::guests::login`, which
//! decides who may; a successful login starts the portal session as any
//! login does (a new session id, the login audited by the use case).

use crate::error::AppError;
use leptos::prelude::*;

/// The login's strength as the session records it (shown nowhere as a level
/// of ID-porten, and worth no more than the claim by code it follows).
pub const GUEST_CODE_ACR: &str = "fullmakt-guest-code";

/// Sends a login code to the guest the address belongs to; answers the same
/// whether or not one went.
#[server(prefix = "/api", endpoint = "send_guest_login_code")]
pub async fn send_guest_login_code(#[server(default)] email: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::ctx()?.services().for_operator("guest login");
    Ok(domain::guests::login::send_code(&ctx, &email, &domain::guests::claim::SmsOutbox).await?)
}

/// Logs the guest in with the code, then sends them to their own page.
#[server(prefix = "/api", endpoint = "guest_log_in")]
pub async fn guest_log_in(#[server(default)] email: String, #[server(default)] one_time_code: String) -> Result<(), AppError> {
    use crate::functions::ssr::{ctx, internal, session};
    let portal = ctx()?;
    let services = portal.services();
    let login = domain::guests::login::log_in(&services.for_operator("guest login"), &email, &one_time_code).await?;
    let session = session().await?;
    // A new session id at login defeats session fixation.
    session.cycle_id().await.map_err(|e| internal(&e.to_string()))?;
    let auth = crate::session::AuthSession {
        person: login.person,
        name: login.name,
        acr: GUEST_CODE_ACR.to_string(),
        sid: None,
        id_token: String::new(),
        logged_in_at: portal.clock.now().unix_timestamp(),
    };
    session.insert(crate::session::AUTH_KEY, &auth).await.map_err(|e| internal(&e.to_string()))?;
    let _ = session.remove::<domain::parties::PartyId>(crate::session::PARTY_KEY).await;
    leptos_axum::redirect("/meg");
    Ok(())
}
