//! What the HTTP benches share: the real server on a fresh database, with the
//! per-address rate limits lifted (one load generator on one address would
//! hit them at once), and a client that keeps many connections.

// Each bench uses a part of this module.
#![allow(dead_code)]

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

/// A browser signed in through the built-in test provider as the person
/// `pid`, keeping its session cookie.
pub async fn signed_in(base: &str, pid: &str) -> Result<reqwest::Client, Box<dyn std::error::Error>> {
    let browser = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::limited(10)).build()?;
    let login = browser.get(format!("{base}/auth/login")).send().await?;
    let authorize = login.url().clone();
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("pid".into(), pid.into()));
    browser.post(authorize.as_str()).header("origin", base).form(&form).send().await?;
    Ok(browser)
}

/// Gets `url` `rounds` times one at a time (after a tenth as many to warm
/// up), as HTML; the run's latencies.
pub async fn get_one_at_a_time(client: &reqwest::Client, url: &str, rounds: usize) -> Result<Run, Box<dyn std::error::Error>> {
    for _ in 0..rounds / 10 {
        client.get(url).header("accept", "text/html").send().await?.bytes().await?;
    }
    let mut latencies = Vec::with_capacity(rounds);
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        client.get(url).header("accept", "text/html").send().await?.bytes().await?;
        latencies.push(t.elapsed());
    }
    Ok(Run { elapsed: started.elapsed(), latencies, errors: 0 })
}

/// What a load run measured: its wall time, each request's latency, and
/// how many requests failed.
pub struct Run {
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    pub errors: usize,
}

impl Run {
    /// Requests per second over the run.
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `q` (0.5, 0.99, …) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        sorted.get(((sorted.len() as f64) * q) as usize).copied().unwrap_or_default().as_secs_f64() * 1000.0
    }
}

/// Sends one request per item from `concurrency` workers that take items
/// off one queue, as wrk would; `send` answers whether the request succeeded.
pub async fn load<T, F, Fut>(items: Vec<T>, concurrency: usize, send: F) -> Run
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let queue = std::sync::Arc::new(std::sync::Mutex::new(items));
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (queue, send) = (queue.clone(), send.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0usize);
                while let Some(item) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    let t = std::time::Instant::now();
                    let ok = send(item).await;
                    latencies.push(t.elapsed());
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for w in workers {
        if let Ok((l, e)) = w.await {
            latencies.extend(l);
            errors += e;
        }
    }
    Run { elapsed: started.elapsed(), latencies, errors }
}
