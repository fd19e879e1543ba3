//! A guest claims their account through the invitation's link: the link's
//! page, a one-time code, and the claim itself. Nobody need be signed in:
//! the link is the credential (see `domain::guests::claim`); a guest with a
//! national identity number claims signed in, as themself.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The claim link's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimPageView {
    pub guest_name: String,
    pub institution_name: String,
    pub username: String,
    pub by_login: bool,
    /// The signed-in person's name, if anyone is signed in.
    pub signed_in_as: Option<String>,
    pub code_to: Option<String>,
    pub code_sent: bool,
    /// The terms in force: version and text.
    pub terms: Option<(i32, Texts)>,
}

/// What a claim made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimedView {
    pub username: String,
    pub institution_name: String,
}

/// The use-case context: the signed-in person's, or else the claim link's own.
#[cfg(feature = "ssr")]
async fn context() -> Result<(domain::Context, Option<String>), AppError> {
    let portal = crate::functions::ssr::ctx()?;
    let session = crate::functions::ssr::session().await?;
    let request = crate::session::request_id();
    Ok(match crate::session::current(&session, &portal).await {
        Some(auth) => (portal.services().for_person(auth.person, auth.name.clone(), None, request), Some(auth.name)),
        None => (portal.services().for_operator("claim link"), None),
    })
}

/// The claim link `token`'s page.
#[server(prefix = "/api", endpoint = "claim_page")]
pub async fn claim_page(token: String) -> Result<ClaimPageView, AppError> {
    let (ctx, signed_in_as) = context().await?;
    let c = domain::guests::claim::open(&ctx, &token).await?;
    Ok(ClaimPageView {
        guest_name: c.guest_name,
        institution_name: c.institution_name,
        username: c.username,
        by_login: c.by_login,
        signed_in_as,
        code_to: c.code_to,
        code_sent: c.code_sent,
        terms: c.terms.map(|(v, t)| (v, [t.nb, t.nn, t.en])),
    })
}

/// Sends a one-time code for the link; answers where it went (masked).
#[server(prefix = "/api", endpoint = "send_claim_code")]
pub async fn send_claim_code(#[server(default)] token: String) -> Result<String, AppError> {
    let (ctx, _) = context().await?;
    Ok(domain::guests::claim::send_code(&ctx, &token, &domain::guests::claim::SmsOutbox).await?)
}

/// Claims the account: with the one-time code `one_time_code`, or (`via` = `login`)
/// as the signed-in person; `terms` is the version of the terms accepted.
#[server(prefix = "/api", endpoint = "claim_account")]
pub async fn claim_account(
    #[server(default)] token: String,
    #[server(default)] via: String,
    #[server(default)] one_time_code: String,
    #[server(default)] terms: String,
) -> Result<ClaimedView, AppError> {
    let (ctx, _) = context().await?;
    let terms = terms.trim().parse::<i32>().ok();
    let claimed = if via == "login" {
        domain::guests::claim::claim_with_login(&ctx, &token, terms).await?
    } else {
        domain::guests::claim::claim_with_code(&ctx, &token, &one_time_code, terms).await?
    };
    Ok(ClaimedView { username: claimed.username, institution_name: claimed.institution_name })
}

/// Sends the invitation of a guest again (a new claim link).
#[server(prefix = "/api", endpoint = "resend_invitation")]
pub async fn resend_invitation(#[server(default)] account: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::guests::service::resend_invitation(&ctx, &account).await?)
}
