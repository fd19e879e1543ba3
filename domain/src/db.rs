//! Connecting to PostgreSQL: create the database when it is missing, then migrate.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// The schema, embedded at compile time from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Why the database could not be made ready, with what the operator should do.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL ({url}): {source}")]
    BadUrl { url: String, source: sqlx::Error },
    #[error(
        "cannot reach PostgreSQL at {url}: {source}. Start PostgreSQL or set DATABASE_URL \
         to a reachable server (e.g. postgres://postgres@127.0.0.1:5432/fullmakt)."
    )]
    Unreachable { url: String, source: sqlx::Error },
    #[error("cannot create database {name} at {url}: {source}")]
    CreateFailed { url: String, name: String, source: sqlx::Error },
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The URL with any password replaced, so that it can be logged and shown.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Opens a pool on `url`, creating the database if it does not exist and
/// applying every pending migration.
pub async fn connect_and_migrate(url: &str, max_connections: u32) -> Result<PgPool, DbSetupError> {
    let shown = redact_url(url);
    let options =
        PgConnectOptions::from_str(url).map_err(|source| DbSetupError::BadUrl { url: shown.clone(), source })?.log_statements(tracing::log::LevelFilter::Trace);
    create_database_if_missing(&options, &shown).await?;
    let pool = pool_options(max_connections, PING_WHEN_IDLE_FOR)
        .connect_with(options)
        .await
        .map_err(|source| DbSetupError::Unreachable { url: shown.clone(), source })?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A connection idle longer than this is pinged before it is handed out.
pub const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

/// The pool's settings. sqlx pings every connection before handing it out
/// by default: one extra round trip per acquire, a third of the vendor API's
/// busiest path. Here only a connection idle longer than `ping_when_idle_for`
/// is pinged, since only such a one may have been dropped (a server restart,
/// a firewall that forgets quiet connections); one that fails the ping is
/// closed and another opened, so the request never sees it. A busy
/// connection is used as it is. Idle connections close after ten minutes.
pub fn pool_options(max_connections: u32, ping_when_idle_for: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= ping_when_idle_for {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .idle_timeout(Duration::from_secs(600))
}

async fn create_database_if_missing(options: &PgConnectOptions, shown: &str) -> Result<(), DbSetupError> {
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let maintenance = options.clone().database("postgres");
    let mut conn =
        tokio_timeout(sqlx::PgConnection::connect_with(&maintenance)).await.map_err(|source| DbSetupError::Unreachable { url: shown.to_string(), source })?;
    let exists: bool = sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
        .bind(&name)
        .fetch_one(&mut conn)
        .await
        .map_err(|source| DbSetupError::Unreachable { url: shown.to_string(), source })?;
    if !exists {
        // Identifiers cannot be bound; quote it the PostgreSQL way.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let created = sqlx::query(&format!("create database {quoted}")).execute(&mut conn).await;
        match created {
            Ok(_) => tracing::info!(database = %name, "created database"),
            // Another instance created it at the same moment.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(source) => return Err(DbSetupError::CreateFailed { url: shown.to_string(), name, source }),
        }
    }
    let _ = conn.close().await;
    Ok(())
}

async fn tokio_timeout<T>(fut: impl std::future::Future<Output = Result<T, sqlx::Error>>) -> Result<T, sqlx::Error> {
    match tokio::time::timeout(Duration::from_secs(5), fut).await {
        Ok(r) => r,
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}

/// Whether `result` failed on the database constraint `name`: the one place
/// constraint names are matched, so that a use case can say which rule a
/// write broke (a duplicate, say) instead of failing with a store error.
pub fn violated<T>(result: &Result<T, sqlx::Error>, name: &str) -> bool {
    matches!(result, Err(sqlx::Error::Database(e)) if e.constraint() == Some(name))
}
