//! Keeps this instance's decision snapshot current: a full build at start,
//! then an update whenever the change feed moves, learned from PostgreSQL
//! `LISTEN` (immediately) or, should a notification be lost, from polling the
//! feed every second. Grant and policy changes are applied to a copy of the
//! snapshot that shares everything they do not touch (milliseconds at a
//! million grants); other changes, and a grant or role assignment starting or
//! ending by its validity period, rebuild it whole. Decisions read the current
//! snapshot without waiting for an update.

use super::store::{changes_since_ahead, load_snapshot_ahead, CHANGES_CHANNEL};
use super::Snapshot;
use crate::clock::{Clock, SystemClock};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// More changes than this since the snapshot's version are cheaper to rebuild from.
const MAX_CHANGES_IN_PLACE: i64 = 2_000;

pub struct Engine {
    current: RwLock<Arc<Snapshot>>,
    /// One update at a time: two overlapping rebuilds would double the peak
    /// memory and do the same work twice.
    updating: tokio::sync::Mutex<()>,
    /// The installation's clock: validity periods are judged at its "now"
    /// (the wall clock, but under the test clock).
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub async fn load(pool: &PgPool) -> Result<Arc<Self>, sqlx::Error> {
        Self::load_on(pool, Arc::new(SystemClock)).await
    }

    /// An engine whose validity periods are judged at `clock`'s "now".
    pub async fn load_on(pool: &PgPool, clock: Arc<dyn Clock>) -> Result<Arc<Self>, sqlx::Error> {
        let started = std::time::Instant::now();
        let snapshot = load_snapshot_ahead(pool, clock.ahead()).await?;
        let (parties, facts, policies) = snapshot.counts();
        tracing::info!(version = snapshot.version, parties, facts, policies, ms = started.elapsed().as_millis() as u64, "decision snapshot built");
        Ok(Arc::new(Self { current: RwLock::new(Arc::new(snapshot)), updating: tokio::sync::Mutex::new(()), clock }))
    }

    /// An engine over a fixed snapshot (tests, benchmarks).
    pub fn fixed(snapshot: Snapshot) -> Arc<Self> {
        Arc::new(Self { current: RwLock::new(Arc::new(snapshot)), updating: tokio::sync::Mutex::new(()), clock: Arc::new(SystemClock) })
    }

    /// Updates now, if the feed moved; for callers that must see their own change.
    pub async fn refresh_now(&self, pool: &PgPool) {
        self.refresh(pool).await
    }

    /// The snapshot to decide from; cheap (one reference-count increment).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn refresh(&self, pool: &PgPool) {
        let _one_at_a_time = self.updating.lock().await;
        let current = self.snapshot();
        // A grant or assignment that starts or ends on its own changes
        // decisions without a feed entry: rebuild at its boundary.
        let ahead = self.clock.ahead();
        let batch = if current.is_stale_at(time::OffsetDateTime::now_utc() + ahead) {
            None
        } else {
            match changes_since_ahead(pool, current.version, MAX_CHANGES_IN_PLACE, ahead).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the change feed");
                    return;
                }
            }
        };
        let next = match batch {
            Some(batch) if batch.version == current.version && batch.is_empty() => return,
            Some(batch) => {
                let next = current.with_changes(&batch);
                tracing::debug!(
                    from = current.version,
                    to = next.version,
                    grants = batch.grants.len(),
                    policies = batch.policies.len(),
                    "decision snapshot updated in place"
                );
                next
            }
            None => match load_snapshot_ahead(pool, ahead).await {
                Ok(s) => {
                    tracing::debug!(from = current.version, to = s.version, "decision snapshot rebuilt");
                    s
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot rebuild the decision snapshot; keeping the old one");
                    return;
                }
            },
        };
        drop(current);
        self.install(next);
    }

    /// Replaces the current snapshot unless it is newer than `next`.
    fn install(&self, next: Snapshot) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if next.version >= current.version {
            *current = Arc::new(next);
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
