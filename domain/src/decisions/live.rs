//! Keeps this instance's decision snapshot current: a full rebuild at start,
//! then a rebuild whenever the change feed moves, learned from PostgreSQL
//! `LISTEN` (immediately) or, should a notification be lost, from polling the
//! feed's position every second; and when a grant or role assignment starts
//! or ends by its validity period. Decisions read the current snapshot without
//! waiting for a rebuild.

use super::store::{current_version, load_snapshot, CHANGES_CHANNEL};
use super::Snapshot;
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub struct Engine {
    current: RwLock<Arc<Snapshot>>,
}

impl Engine {
    pub async fn load(pool: &PgPool) -> Result<Arc<Self>, sqlx::Error> {
        let started = std::time::Instant::now();
        let snapshot = load_snapshot(pool).await?;
        let (parties, facts, policies) = snapshot.counts();
        tracing::info!(version = snapshot.version, parties, facts, policies, ms = started.elapsed().as_millis() as u64, "decision snapshot built");
        Ok(Arc::new(Self { current: RwLock::new(Arc::new(snapshot)) }))
    }

    /// An engine over a fixed snapshot (tests, benchmarks).
    pub fn fixed(snapshot: Snapshot) -> Arc<Self> {
        Arc::new(Self { current: RwLock::new(Arc::new(snapshot)) })
    }

    /// Rebuilds now, if the feed moved; for callers that must see their own change.
    pub async fn refresh_now(&self, pool: &PgPool) {
        self.refresh(pool).await
    }

    /// The snapshot to decide from; cheap (one reference-count increment).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn refresh(&self, pool: &PgPool) {
        let current = self.snapshot();
        let have = current.version;
        // A grant or assignment that starts or ends on its own changes
        // decisions without a feed entry: rebuild at its boundary too.
        let stale = current.is_stale_at(time::OffsetDateTime::now_utc());
        drop(current);
        match current_version(pool).await {
            Ok(v) if v > have || stale => match load_snapshot(pool).await {
                Ok(s) => {
                    // Two rebuilds may overlap (the refresher and a caller's
                    // refresh_now); an older one finishing last must not
                    // replace a newer one.
                    let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
                    if s.version >= current.version {
                        tracing::debug!(from = current.version, to = s.version, "decision snapshot refreshed");
                        *current = Arc::new(s);
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot rebuild the decision snapshot; keeping the old one"),
            },
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the change feed"),
        }
    }

    /// Runs until the process ends.
    pub fn spawn_refresher(self: &Arc<Self>, pool: PgPool) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for changes; polling");
                        engine.refresh(&pool).await;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANGES_CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed; polling");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                // Catch up on anything committed before LISTEN took effect.
                engine.refresh(&pool).await;
                loop {
                    match tokio::time::timeout(Duration::from_secs(1), listener.recv()).await {
                        Ok(Ok(_)) | Err(_) => engine.refresh(&pool).await,
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "change listener lost; reconnecting");
                            break;
                        }
                    }
                }
            }
        });
    }
}
