//! Starts the real server on 127.0.0.1:0 against its own fresh database, and
//! drives it with a real HTTP client.
#![allow(dead_code)]

use reqwest::redirect::Policy;
use server::config::Config;
use std::net::SocketAddr;

pub mod agents;
pub mod smtp;
pub mod tokens;

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub db_url: String,
    /// A browser-like client: keeps cookies, does not follow redirects (so each hop is checked).
    pub client: reqwest::Client,
}

/// The PostgreSQL server the tests create their databases on.
pub fn server_url() -> String {
    std::env::var("FULLMAKT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A cookie-keeping client that does not follow redirects, as the tests
/// need to see them. Every request gives up after a minute: a response that never ends fails
/// its test with the request named instead of holding the whole run.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).timeout(std::time::Duration::from_secs(60)).build().expect("client")
}

/// Starts a server with the test provider on, demo data loaded, in a new database.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SWEPT.get_or_init(drop_old_test_databases).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let db_url = format!("{}/fullmakt_test_{now}_{}", server_url(), uuid::Uuid::new_v4().simple());
    let mut config = Config::for_tests(&db_url);
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = ready_tx;
        if let Err(e) = server::serve(listener, config).await {
            panic!("server failed: {e:#}");
        }
    });
    drop(ready_rx);
    let base = format!("http://{addr}");
    wait_ready(&base).await;
    TestApp { addr, base, db_url, client: browser() }
}

/// Drops the databases earlier test runs left (named `fullmakt_test_<unix
/// time>_<uuid>`) once they are an hour old: several test apps may share one
/// database within a test, so none can drop its own when it ends, and no test
/// runs for an hour. Best effort: a failure here only leaves them for later.
async fn drop_old_test_databases() {
    let Ok(pool) = sqlx::PgPool::connect(&format!("{}/postgres", server_url())).await else { return };
    let names: Vec<String> =
        sqlx::query_scalar("select datname from pg_database where datname like 'fullmakt\\_test\\_%'").fetch_all(&pool).await.unwrap_or_default();
    let hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    for name in names {
        let created = name.strip_prefix("fullmakt_test_").and_then(|rest| rest.split('_').next()).and_then(|ts| ts.parse::<i64>().ok());
        // Names from before the time stamp was added have no number: old by definition.
        if created.is_none_or(|t| t < hour_ago) {
            let _ = sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&pool).await;
        }
    }
    pool.close().await;
}

/// Waits (bounded) until the server at `base` answers its readiness probe.
pub async fn wait_ready(base: &str) {
    let probe = reqwest::Client::new();
    for _ in 0..200 {
        if probe.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("server at {base} did not become ready");
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resolves a Location header against the server.
    pub fn location(&self, res: &reqwest::Response) -> String {
        let loc = res.headers().get("location").expect("a redirect").to_str().expect("ascii").to_string();
        if loc.starts_with('/') {
            self.url(&loc)
        } else {
            loc
        }
    }

    /// A second browser (its own cookie jar) against the same server.
    pub fn another_browser(&self) -> TestApp {
        TestApp { addr: self.addr, base: self.base.clone(), db_url: self.db_url.clone(), client: browser() }
    }

    /// Calls a server function as the portal's own pages do.
    pub async fn server_fn(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("server fn call")
    }

    /// A page as a browser asks for it: its status and its first HTML.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.client.get(self.url(path)).header("accept", "text/html").send().await.expect("page");
        (res.status().as_u16(), res.text().await.expect("page body"))
    }

    /// Posts a form to a server function as a browser without JavaScript
    /// does, from the page `referer`.
    pub async fn post_form(&self, endpoint: &str, referer: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("origin", &self.base)
            .header("accept", "text/html")
            .header("referer", self.url(referer))
            .form(form)
            .send()
            .await
            .expect("form post")
    }

    /// Logs in through the built-in provider as `pid`; returns the final redirect target.
    pub async fn login(&self, pid: &str) -> String {
        self.login_to("/auth/login", pid).await
    }

    pub async fn login_to(&self, start: &str, pid: &str) -> String {
        let res = self.client.get(self.url(start)).send().await.unwrap();
        assert_eq!(res.status(), 303, "login redirects to the provider");
        let authorize = self.location(&res);
        let page = self.client.get(&authorize).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let res = self.submit_login(&authorize, pid).await;
        assert_eq!(res.status(), 303, "the provider redirects back with a code");
        let callback = self.location(&res);
        assert!(callback.contains("/auth/callback?"), "{callback}");
        let res = self.client.get(&callback).send().await.unwrap();
        assert_eq!(res.status(), 303);
        self.location(&res)
    }

    /// Submits the provider's login form for the authorization request in `authorize_url`.
    pub async fn submit_login(&self, authorize_url: &str, pid: &str) -> reqwest::Response {
        let url = url::Url::parse(authorize_url).unwrap();
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("pid".into(), pid.into()));
        self.client.post(authorize_url).header("origin", &self.base).form(&form).send().await.unwrap()
    }

    /// Logs in as `pid` and chooses `party_name` as the party to act for.
    pub async fn act_for(&self, pid: &str, party_name: &str) {
        self.login(pid).await;
        let parties: serde_json::Value = self.server_fn("parties", &[("search", "")]).await.json().await.unwrap();
        let party = parties.as_array().unwrap().iter().find(|p| p["name"] == party_name).unwrap_or_else(|| panic!("may act for {party_name}: {parties}"))["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(self.server_fn("choose_party", &[("party", &party)]).await.status().is_success());
    }

    pub async fn session(&self) -> serde_json::Value {
        let res = self.server_fn("session", &[]).await;
        assert!(res.status().is_success(), "{}", res.status());
        res.json().await.unwrap()
    }
}
