//! What the portal keeps in a person's server-side session, and the rules for
//! reading it (absolute time-out). The server's login code writes it; server
//! functions read it.

use domain::parties::PartyId;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use tower_sessions::Session;

pub const AUTH_KEY: &str = "auth";
pub const PARTY_KEY: &str = "party";

/// The signed-in person, as established by the OIDC login.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthSession {
    pub person: PartyId,
    pub name: String,
    pub acr: String,
    /// The provider's session id, for logout.
    pub sid: Option<String>,
    /// Kept server-side only, as the `id_token_hint` of RP-initiated logout.
    pub id_token: String,
    /// Unix time of the login, for the absolute time-out.
    pub logged_in_at: i64,
}

/// Everything server functions need from the server, provided as context.
#[derive(Clone)]
pub struct PortalContext {
    pub pool: PgPool,
    pub clock: Arc<dyn domain::Clock>,
    /// The decision engine: every right in the portal is decided by it.
    pub engine: Arc<domain::decisions::live::Engine>,
    /// A session older than this is ended whatever the activity.
    pub absolute_timeout: time::Duration,
    /// The installation's settings of the use cases' rules.
    pub settings: domain::Settings,
}

impl PortalContext {
    /// What use cases share, to build their [`domain::Context`] from.
    pub fn services(&self) -> domain::Services {
        domain::Services { db: self.pool.clone(), clock: self.clock.clone(), engine: self.engine.clone(), settings: self.settings }
    }
}

/// The signed-in person, or `None` when there is no session or it has passed
/// its absolute time-out (in which case the session is ended).
pub async fn current(session: &Session, ctx: &PortalContext) -> Option<AuthSession> {
    signed_in(session, ctx.clock.now(), ctx.absolute_timeout).await
}

/// [`current`] for callers outside the portal's pages (the REST APIs that
/// also accept the portal's session): the same rule, given the time and the
/// absolute time-out.
pub async fn signed_in(session: &Session, now: time::OffsetDateTime, absolute_timeout: time::Duration) -> Option<AuthSession> {
    let auth: AuthSession = session.get(AUTH_KEY).await.ok().flatten()?;
    let age = now.unix_timestamp() - auth.logged_in_at;
    if age >= absolute_timeout.whole_seconds() {
        tracing::info!(person = %auth.person, "session passed its absolute time-out");
        let _ = session.flush().await;
        return None;
    }
    Some(auth)
}

/// The party the person acts for, if they chose one.
pub async fn chosen_party(session: &Session) -> Option<PartyId> {
    session.get(PARTY_KEY).await.ok().flatten()
}

/// A request id for log correlation, from the request's `x-request-id` header.
pub fn request_id() -> Option<String> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|p| p.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
}
