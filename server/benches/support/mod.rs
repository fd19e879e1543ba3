//! What the HTTP benches share: the real server on a fresh database, with the
//! per-address rate limits lifted (one load generator on one address would
//! hit them at once), and a client that keeps many connections.

use std::time::Duration;

pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server, serving on a free loopback port over the new database
/// `name` (dropped first if it exists) with demo data; its base URL, the
/// database's URL and an HTTP client, once it answers ready.
pub async fn serve_on_fresh_database(name: &str) -> Result<(String, String, reqwest::Client), Box<dyn std::error::Error>> {
    let pg = std::env::var("FULLMAKT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let db_url = format!("{pg}/{name}");
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&format!("{pg}/postgres")).await?;
        sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut admin).await?;
    }
    let mut config = server::config::Config::for_tests(&db_url);
    config.rate_limit_per_minute = u32::MAX;
    config.token_rate_limit_per_minute = u32::MAX;
    config.db_max_connections = env_or("DB_CONNECTIONS", 10) as u32;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = server::serve(listener, config).await {
            eprintln!("server failed: {e:#}");
            std::process::exit(1);
        }
    });
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    for _ in 0..400 {
        if http.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((base, db_url, http))
}
