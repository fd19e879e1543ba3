//! API clients of the chosen organisation (the Maskinporten-style token
//! service): list them with their keys and when each key was last used,
//! register a client, add, rotate (add the new, then revoke the old) and
//! revoke keys. Thin adapters over `domain::tokens::service`, which decides
//! who may and audits every change and refusal.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientView {
    pub client_id: String,
    pub display_name: String,
    pub scopes: Vec<String>,
    pub created: String,
    pub keys: Vec<ApiClientKeyView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientKeyView {
    pub kid: String,
    /// `RSA` or `EC P-256`.
    pub family: String,
    pub created: String,
    pub expires: Option<String>,
    pub revoked: Option<String>,
    pub last_used: Option<String>,
    /// Not revoked and not expired: the token endpoint accepts it.
    pub active: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{ApiClientKeyView, ApiClientView};

    pub fn view(c: domain::tokens::model::ApiClient, now: time::OffsetDateTime) -> ApiClientView {
        use crate::functions::ssr::moment;
        ApiClientView {
            client_id: c.client_id,
            display_name: c.display_name,
            scopes: c.scopes,
            created: moment(c.created_at),
            keys: c
                .keys
                .into_iter()
                .map(|k| ApiClientKeyView {
                    active: k.revoked_at.is_none() && k.expires_at.is_none_or(|e| e > now),
                    kid: k.kid,
                    family: match k.family {
                        domain::tokens::model::KeyFamily::Rsa => "RSA".into(),
                        domain::tokens::model::KeyFamily::Ec => "EC P-256".into(),
                    },
                    created: moment(k.created_at),
                    expires: k.expires_at.map(moment),
                    revoked: k.revoked_at.map(moment),
                    last_used: k.last_used_at.map(moment),
                })
                .collect(),
        }
    }

    /// Scopes typed one per line or separated by spaces or commas.
    pub fn scopes(s: &str) -> Vec<String> {
        s.split([' ', ',', '\n', '\r', '\t']).filter(|t| !t.is_empty()).map(str::to_string).collect()
    }
}

/// The chosen organisation's API clients with their keys.
#[server(prefix = "/api", endpoint = "api_clients")]
pub async fn api_clients() -> Result<Vec<ApiClientView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let list = domain::tokens::service::list_api_clients(&ctx, party).await?;
    let now = ctx.now();
    Ok(list.into_iter().map(|c| ssr::view(c, now)).collect())
}

/// Registers a client for the chosen organisation; the client id is generated.
#[server(prefix = "/api", endpoint = "register_api_client")]
pub async fn register_api_client(display_name: String, #[server(default)] scopes: String) -> Result<String, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let input = domain::tokens::model::ApiClientForCreate { display_name, scopes: ssr::scopes(&scopes) };
    let client = domain::tokens::service::register_api_client(&ctx, party, &input).await?;
    Ok(client.client_id)
}

/// Adds a public key (JWK or PEM) to a client of the chosen organisation.
/// Rotation is adding the new key, then revoking the old one once the
/// integration signs with the new.
#[server(prefix = "/api", endpoint = "add_api_client_key")]
pub async fn add_api_client_key(client_id: String, #[server(default)] kid: String, key: String, #[server(default)] expires_on: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let expires_at = crate::functions::ssr::date("expires_on", &expires_on)?;
    let kid = Some(kid.trim().to_string()).filter(|k| !k.is_empty());
    let input = domain::tokens::model::KeyForCreate { kid, key, expires_at };
    domain::tokens::service::add_key(&ctx, client_id.trim(), &input).await?;
    Ok(())
}

/// Revokes a key of a client of the chosen organisation; tokens are no longer issued for it.
#[server(prefix = "/api", endpoint = "revoke_api_client_key")]
pub async fn revoke_api_client_key(client_id: String, kid: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::tokens::service::revoke_key(&ctx, client_id.trim(), kid.trim()).await?;
    Ok(())
}
