//! The token service, compatible with Maskinporten: `POST /token` takes an
//! RFC 7523 JWT-bearer grant signed with a client's registered key and issues
//! a signed access token (optionally a system-user token); `GET /jwks` and
//! `GET /.well-known/oauth-authorization-server` publish what verifiers need;
//! [`bearer`] validates the tokens for Fullmakt's own APIs.
//!
//! The rules on claims live in `domain::tokens::rules`; this module does the
//! HTTP, the cryptography (on *ring*, see [`jws`]) and the signing keys.

pub mod bearer;
pub mod endpoint;
pub mod grant_cache;
pub mod group_commit;
pub mod jws;
pub mod keys;
pub mod person;

use axum::Router;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use time::Duration;

/// What the token service is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Issuer identifier: the `iss` of issued tokens and the `aud` assertions must name.
    pub issuer: String,
    /// Where the endpoints are served (the public URL, no trailing slash).
    pub base_url: String,
    /// Lifetime of issued tokens.
    pub lifetime: Duration,
    pub alg: keys::SigningAlg,
    /// Audiences the bearer extractor accepts in a token's `aud` (a token
    /// without `aud` is always accepted; one with another `aud` never).
    pub audiences: Vec<String>,
    /// A signing key is replaced after this long.
    pub rotate_after: Duration,
}

pub struct TokenService {
    pub pool: PgPool,
    pub clock: Arc<dyn domain::Clock>,
    pub settings: Settings,
    kek: keys::Kek,
    keys: RwLock<Arc<keys::KeySet>>,
    cache: bearer::Cache,
    /// Client keys and system-user links, so a token costs one round trip.
    grants: grant_cache::GrantCache,
    /// The jti-and-record write, shared by requests that arrive together.
    writes: group_commit::GroupCommit,
    /// When each (client, kid) was last written as used, to write at most once a minute.
    touched: Mutex<HashMap<(String, String), i64>>,
}

impl TokenService {
    /// Loads (or creates) the signing keys and starts the background work:
    /// key reload and rotation every minute, replay-store purge, and the
    /// group-committing writer.
    pub async fn start(pool: PgPool, clock: Arc<dyn domain::Clock>, settings: Settings, kek: [u8; 32]) -> anyhow::Result<Arc<Self>> {
        let kek = keys::Kek::new(&kek);
        let set = keys::load(&pool, &kek, settings.alg, clock.now(), settings.rotate_after, settings.lifetime).await?;
        let writes = group_commit::GroupCommit::start(pool.clone());
        let svc = Arc::new(Self {
            pool,
            clock,
            settings,
            kek,
            keys: RwLock::new(Arc::new(set)),
            cache: bearer::Cache::new(100_000),
            grants: Default::default(),
            writes,
            touched: Mutex::default(),
        });
        let weak = Arc::downgrade(&svc);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(svc) = weak.upgrade() else { break };
                if let Err(e) = svc.reload().await {
                    tracing::error!(error = %e, "token signing keys could not be reloaded");
                }
                if let Err(e) = domain::tokens::store::purge_jtis(&svc.pool, svc.clock.now()).await {
                    tracing::warn!(error = %e, "replay store purge failed");
                }
            }
        });
        Ok(svc)
    }

    /// Reads the keys again (another instance may have rotated them).
    pub async fn reload(&self) -> anyhow::Result<()> {
        let s = &self.settings;
        let set = keys::load(&self.pool, &self.kek, s.alg, self.clock.now(), s.rotate_after, s.lifetime).await?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
        Ok(())
    }

    pub fn keys(&self) -> Arc<keys::KeySet> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether (client, kid) should be written as used now (once a minute at most).
    fn should_touch(&self, client_id: &str, kid: &str, now: i64) -> bool {
        let mut t = self.touched.lock().unwrap_or_else(|e| e.into_inner());
        if t.len() > 100_000 {
            t.clear();
        }
        match t.get_mut(&(client_id.to_string(), kid.to_string())) {
            Some(last) if now.saturating_sub(*last) < 60 => false,
            Some(last) => {
                *last = now;
                true
            }
            None => {
                t.insert((client_id.to_string(), kid.to_string()), now);
                true
            }
        }
    }
}

/// The dev-only key-encryption key, used when none is configured and the test
/// identity provider (development mode) is on. Never use it in production.
pub const DEV_KEY_ENCRYPTION_KEY: [u8; 32] = *b"fullmakt-DEV-ONLY-not-for-prod!!";

/// `/token`, `/jwks` and the RFC 8414 metadata.
pub fn routes() -> crate::api::routes::ApiRoutes<Arc<TokenService>> {
    crate::api::routes::ApiRoutes::new()
        .post("/token", endpoint::token)
        .get("/jwks", endpoint::jwks)
        .get("/.well-known/oauth-authorization-server", endpoint::metadata)
}

pub fn router<S: Clone + Send + Sync + 'static>(svc: Arc<TokenService>) -> Router<S> {
    routes().with_state(svc).into_router()
}
