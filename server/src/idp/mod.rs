//! The built-in test identity provider, modelled on ID-porten.
//!
//! A real OpenID Connect provider (discovery, JWKS, authorization code flow with
//! PKCE S256 required, token, userinfo, end-session) served by the same binary
//! under its own path. It exists so that development and tests log in over HTTP
//! exactly as production logs in against ID-porten; it must never be enabled in
//! production, and the server logs a warning at start when it is.
//!
//! Codes, access tokens and provider sessions live in memory: the provider is a
//! single-instance test tool. Signing keys live in PostgreSQL per issuer, so that
//! tokens stay verifiable across restarts.

mod keys;
mod pages;
mod protocol;

use crate::problem::Problem;
use domain::parties::SyntheticIds;
use openidconnect::core::{CoreJsonWebKeySet, CoreRsaPrivateSigningKey};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A relying party registered at the test provider.
#[derive(Debug, Clone)]
pub struct IdpClient {
    pub client_id: String,
    /// Empty when the client authenticates with a key only.
    pub client_secret: String,
    /// Public key (PEM) for private_key_jwt client authentication.
    pub public_key_pem: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
}

/// An authorization request that passed validation and waits for the login form.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub code_challenge: String,
    pub scope: String,
    pub acr_values: String,
    pub ui_locales: String,
}

#[derive(Debug, Clone)]
struct Login {
    pid: String,
    name: Option<String>,
    acr: String,
    sid: String,
}

#[derive(Debug)]
struct PendingCode {
    request: AuthRequest,
    login: Login,
    issued: Instant,
}

#[derive(Debug)]
struct AccessGrant {
    login: Login,
    expires: Instant,
}

/// How long an authorization code may wait for redemption.
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// Lifetime of ID and access tokens.
pub const TOKEN_LIFETIME_SECS: i64 = 120;

pub struct Idp {
    pub issuer: String,
    signing_key: CoreRsaPrivateSigningKey,
    jwks: CoreJsonWebKeySet,
    clients: Vec<IdpClient>,
    codes: Mutex<HashMap<String, PendingCode>>,
    access: Mutex<HashMap<String, AccessGrant>>,
    sessions: Mutex<HashMap<String, String>>,
    /// Client assertion ids seen, with their expiry, so none is accepted twice.
    used_assertions: Mutex<HashMap<String, i64>>,
    pool: PgPool,
    synthetic: SyntheticIds,
}

impl Idp {
    /// Loads (or creates) the signing key for `issuer` and registers `clients`.
    pub async fn new(pool: PgPool, issuer: String, clients: Vec<IdpClient>, synthetic: SyntheticIds) -> anyhow::Result<Arc<Self>> {
        let (signing_key, jwks) = keys::load_or_create(&pool, &issuer).await?;
        tracing::warn!(%issuer, "THE BUILT-IN TEST IDENTITY PROVIDER IS ON. Anyone can log in as anyone. Never enable FULLMAKT_TEST_IDP in production.");
        Ok(Arc::new(Self {
            issuer,
            signing_key,
            jwks,
            clients,
            codes: Mutex::default(),
            access: Mutex::default(),
            sessions: Mutex::default(),
            used_assertions: Mutex::default(),
            pool,
            synthetic,
        }))
    }

    fn client(&self, id: &str) -> Option<&IdpClient> {
        self.clients.iter().find(|c| c.client_id == id)
    }

    /// The routes, relative to the provider's base path (nest them under it).
    pub fn router(self: Arc<Self>) -> axum::Router {
        protocol::router(self)
    }
}

/// An OAuth error answered as JSON (token and userinfo endpoints).
pub(crate) fn oauth_error(status: axum::http::StatusCode, error: &str, description: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (status, axum::Json(serde_json::json!({ "error": error, "error_description": description }))).into_response()
}

/// A problem page for requests that cannot be redirected back (unknown client or redirect URI).
pub(crate) fn refuse(code: &str, detail: &str) -> Problem {
    tracing::info!(code, detail, "test provider refused a request");
    Problem::new(axum::http::StatusCode::BAD_REQUEST, code, "Invalid authorization request").detail(detail)
}
