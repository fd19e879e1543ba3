//! The state shared by every handler.

use crate::auth::Provider;
use crate::config::Config;
use crate::rate_limit::RateLimiter;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub provider: Arc<Provider>,
    pub clock: Arc<dyn domain::Clock>,
    pub rate_limiter: Arc<RateLimiter>,
    pub engine: Arc<domain::decisions::live::Engine>,
}

impl AppState {
    /// What use cases share, to build their [`domain::Context`] from.
    pub fn services(&self) -> domain::Services {
        domain::Services { db: self.pool.clone(), clock: self.clock.clone(), engine: self.engine.clone(), settings: self.config.settings() }
    }
}
