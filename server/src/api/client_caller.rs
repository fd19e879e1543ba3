//! The caller of an API that an organisation's software calls with a token
//! from `/token`: the token is checked (signature, issuer, expiry), it must
//! carry one of the scopes the API accepts, and the client must still exist
//! and still hold that scope, so that taking a scope away stops the client's
//! tokens at once. The result is the use-case context of the client acting
//! for its organisation, with the scopes authorization needs
//! (`domain::authz::Scopes`); what the client may then do is the domain's
//! decision.

use crate::app_state::AppState;
use crate::problem::Problem;
use crate::token::bearer::{bearer, BearerError};
use crate::token::TokenService;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::authz::Scopes;
use domain::parties::PartyId;

/// An API client calling for its organisation.
pub struct ClientCaller {
    pub owner: PartyId,
    pub scopes: Scopes,
    pub ctx: domain::Context,
}

/// Authenticates the bearer token of `headers` for an API that accepts any
/// of `accepted` (flags of [`Scopes`]).
pub async fn client_caller(state: &AppState, tokens: &TokenService, headers: &HeaderMap, accepted: &[Scopes]) -> Result<ClientCaller, Response> {
    let Some(token) = bearer(headers) else {
        return Err(BearerError::Missing.into_response());
    };
    // The scope named in a refusal is the first the API accepts.
    let first = accepted.first().map_or("", |s| s.name());
    let names = Scopes::NAMES.iter().filter(|(flag, _)| accepted.contains(flag)).map(|(_, name)| *name);
    let mut caller = Err(BearerError::InsufficientScope(first.into()));
    for name in names {
        match tokens.authorize(token, name) {
            Ok(c) => {
                caller = Ok(c);
                break;
            }
            Err(BearerError::InsufficientScope(_)) => {}
            Err(e) => {
                caller = Err(e);
                break;
            }
        }
    }
    let c = caller.map_err(IntoResponse::into_response)?;
    if c.person.is_some() {
        return Err(Problem::new(StatusCode::FORBIDDEN, "not_an_api_client", "An organisation's token is required")
            .detail("A person's token is for the client-delegation API only.")
            .into_response());
    }
    let request_id = crate::security::request_id(headers);
    match domain::tokens::service::client_owner(&state.pool, &c.client_id).await {
        Ok(Some((owner, held))) => {
            let scopes = Scopes::from_names(c.scopes.iter().map(String::as_str)).and(Scopes::from_names(held.iter().map(String::as_str)));
            if !accepted.iter().any(|s| scopes.contains(*s)) {
                return Err(BearerError::InsufficientScope(first.into()).into_response());
            }
            Ok(ClientCaller { owner, scopes, ctx: state.services().for_api_client(&c.client_id, owner, scopes, request_id) })
        }
        // The token is valid but its client was deleted since.
        Ok(None) => Err(Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
            .detail("The client this token was issued to no longer exists.")
            .into_response()),
        Err(e) => Err(Problem::internal(request_id.as_deref().unwrap_or("-"), &e).into_response()),
    }
}
