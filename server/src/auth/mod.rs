//! Portal login as an OpenID Connect relying party, against any standards-
//! compliant provider configured by issuer URL and client credentials.
//!
//! state, nonce and PKCE are kept in the server-side session between the login
//! redirect and the callback, checked once and then removed. The ID token's
//! signature, issuer, audience, expiry and nonce are checked by `openidconnect`.
//! A successful login renews the session id; logout ends the local session and
//! the provider's (RP-initiated logout).

pub mod deep_link;
mod provider;

pub use provider::{ClientAuth, Provider};

use crate::app_state::AppState;
use crate::oidc::IdportenIdTokenClaims;
use app::session::{AuthSession, AUTH_KEY, PARTY_KEY};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::audit::{self, Actor, AuditEvent, Outcome};
use domain::parties::{IdError, NationalId, PartyId};
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, TokenResponse};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const PENDING_KEY: &str = "oidc_pending";

/// What must survive from the login redirect to the callback.
#[derive(Debug, Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    nonce: String,
    pkce_verifier: String,
    return_to: String,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/auth/login", get(login)).route("/auth/callback", get(callback)).route("/auth/logout", post(logout))
}

/// Only local paths may be returned to after login, never another site.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") && !p.contains(['\r', '\n']) => p.to_string(),
        _ => "/".to_string(),
    }
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

async fn login(State(state): State<AppState>, session: Session, Query(q): Query<LoginQuery>) -> Response {
    let client = match state.provider.client().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the identity provider cannot be reached");
            return failed("provider");
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(openidconnect::AuthenticationFlow::<openidconnect::core::CoreResponseType>::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .add_extra_param("acr_values", state.config.oidc_acr.clone());
    for scope in state.config.oidc_scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(openidconnect::Scope::new(scope.clone()));
    }
    let (url, csrf, nonce) = request.url();
    let pending = PendingLogin {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: safe_return_path(q.return_to.as_deref()),
    };
    if let Err(e) = session.insert(PENDING_KEY, pending).await {
        tracing::error!(error = %e, "cannot store the pending login");
        return failed("unknown");
    }
    Redirect::to(url.as_str()).into_response()
}

fn failed(reason: &str) -> Response {
    Redirect::to(&format!("/innlogging-feilet?reason={reason}")).into_response()
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a callback was refused; logged and audited, shown as a reason code.
#[derive(Debug)]
enum Refusal {
    State,
    Provider(String),
    Token(String),
    Person(String),
    /// A synthetic test number, which this installation does not accept
    /// (`FULLMAKT_ALLOW_SYNTHETIC_IDS`): a valid number, so not `Person`.
    Synthetic(String),
}

impl Refusal {
    fn reason(&self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Provider(_) => "provider",
            Self::Token(_) => "token",
            Self::Person(_) => "person",
            Self::Synthetic(_) => "synthetic",
        }
    }

    fn detail(&self) -> &str {
        match self {
            Self::State => "state missing, reused or tampered",
            Self::Provider(d) | Self::Token(d) | Self::Person(d) | Self::Synthetic(d) => d,
        }
    }
}

async fn callback(State(state): State<AppState>, session: Session, headers: axum::http::HeaderMap, Query(q): Query<CallbackQuery>) -> Response {
    let request_id = crate::security::request_id(&headers);
    // Single use: whatever happens next, this pending login is gone.
    let pending: Option<PendingLogin> = session.remove(PENDING_KEY).await.ok().flatten();
    match complete_login(&state, pending, q).await {
        Ok((auth, return_to)) => {
            // A new session id at login defeats session fixation.
            if session.cycle_id().await.is_err() || session.insert(AUTH_KEY, &auth).await.is_err() {
                return failed("unknown");
            }
            let _ = session.remove::<PartyId>(PARTY_KEY).await;
            let actor = Actor { party: Some(auth.person), label: auth.name.clone(), on_behalf_of: Some(auth.person), request_id: request_id.clone() };
            if let Err(e) = audit::record(
                &state.pool,
                actor,
                state.clock.as_ref(),
                AuditEvent::new("login", auth.person.to_string(), Outcome::Success, serde_json::json!({"acr": auth.acr})),
            )
            .await
            {
                tracing::error!(error = %e, "cannot audit a login; ending it");
                let _ = session.flush().await;
                return failed("unknown");
            }
            tracing::info!(person = %auth.person, acr = %auth.acr, "login");
            Redirect::to(&return_to).into_response()
        }
        Err(refusal) => {
            tracing::warn!(?refusal, request_id = request_id.as_deref().unwrap_or("-"), "login refused");
            // A callback that matches no login in progress (a forged or replayed
            // link from another site) leaves the session alone: ending it here
            // would let any page log a person out with a GET.
            if !matches!(refusal, Refusal::State) {
                let _ = session.flush().await;
            }
            let actor = Actor { party: None, label: "anonymous".into(), on_behalf_of: None, request_id };
            let _ = audit::record(
                &state.pool,
                actor,
                state.clock.as_ref(),
                AuditEvent::new("login", "", Outcome::Refused, serde_json::json!({"reason": refusal.reason(), "detail": refusal.detail()})),
            )
            .await;
            failed(refusal.reason())
        }
    }
}

async fn complete_login(state: &AppState, pending: Option<PendingLogin>, q: CallbackQuery) -> Result<(AuthSession, String), Refusal> {
    let pending = pending.ok_or(Refusal::State)?;
    let returned = q.state.unwrap_or_default();
    if !crate::security::constant_time_eq(returned.as_bytes(), pending.state.as_bytes()) {
        return Err(Refusal::State);
    }
    if let Some(error) = q.error {
        return Err(Refusal::Provider(error));
    }
    let code = q.code.filter(|c| !c.is_empty()).ok_or_else(|| Refusal::Provider("no code".into()))?;
    let client = state.provider.client().await.map_err(|e| Refusal::Provider(e.to_string()))?;
    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Refusal::Provider(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier));
    let assertion = state.provider.client_assertion(state.clock.now().unix_timestamp()).map_err(|e| Refusal::Token(e.to_string()))?;
    if let Some(assertion) = assertion {
        exchange = exchange.add_extra_param("client_assertion_type", crate::client_assertion::ASSERTION_TYPE).add_extra_param("client_assertion", assertion);
    }
    let response = exchange.request_async(state.provider.http()).await.map_err(|e| Refusal::Token(format!("token request: {e}")))?;
    let id_token = response.id_token().ok_or_else(|| Refusal::Token("no id_token".into()))?;
    let claims: &IdportenIdTokenClaims = id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce)).map_err(|e| Refusal::Token(e.to_string()))?;
    let pid = claims.additional_claims().pid.clone().ok_or_else(|| Refusal::Person("no pid claim".into()))?;
    let nin = NationalId::parse(&pid, state.config.synthetic_ids()).map_err(|e| match e {
        IdError::SyntheticNotAccepted => Refusal::Synthetic(e.to_string()),
        _ => Refusal::Person(e.to_string()),
    })?;
    let acr = claims.auth_context_ref().map(|a| a.to_string()).unwrap_or_default();
    let claimed_name = claims.name().and_then(|n| n.get(None)).map(|n| n.to_string());
    let person = find_or_register(state, &nin, claimed_name).await.map_err(|e| Refusal::Person(e.to_string()))?;
    Ok((
        AuthSession {
            person: person.id,
            name: person.name,
            acr,
            sid: claims.additional_claims().sid.clone(),
            id_token: id_token.to_string(),
            logged_in_at: state.clock.now().unix_timestamp(),
        },
        pending.return_to,
    ))
}

/// The person with this national identity number; registered on first login.
async fn find_or_register(state: &AppState, nin: &NationalId, claimed_name: Option<String>) -> anyhow::Result<domain::parties::Party> {
    let ctx = state.services().for_operator("login");
    Ok(domain::parties::service::find_or_register_person(&ctx, nin, claimed_name).await?)
}

async fn logout(State(state): State<AppState>, session: Session, headers: axum::http::HeaderMap) -> Response {
    let auth: Option<AuthSession> = session.get(AUTH_KEY).await.ok().flatten();
    let party: Option<PartyId> = session.get(PARTY_KEY).await.ok().flatten();
    let _ = session.flush().await;
    let Some(auth) = auth else {
        return Redirect::to("/").into_response();
    };
    let actor = Actor {
        party: Some(auth.person),
        label: auth.name.clone(),
        on_behalf_of: party.or(Some(auth.person)),
        request_id: crate::security::request_id(&headers),
    };
    if let Err(e) =
        audit::record(&state.pool, actor, state.clock.as_ref(), AuditEvent::new("logout", auth.person.to_string(), Outcome::Success, serde_json::json!({})))
            .await
    {
        tracing::error!(error = %e, "cannot audit a logout");
    }
    match state.provider.end_session_url(&auth.id_token).await {
        Some(url) => Redirect::to(url.as_str()).into_response(),
        None => Redirect::to("/").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path(Some("/velg-aktor?party=1")), "/velg-aktor?party=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil", "/a\r\nSet-Cookie: x"] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
