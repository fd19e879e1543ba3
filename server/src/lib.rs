//! The Fullmakt server: configuration, start-up, the portal's routes, OIDC login
//! and the built-in test identity provider. `main.rs` only parses the command.
#![forbid(unsafe_code)]
// Handlers answer `Result<_, Response>`: an error is a finished response, and
// boxing it would only move the allocation.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod app_state;
pub mod auth;
pub mod client_assertion;
pub mod config;
pub mod fn_status;
pub mod form_post;
pub mod health;
pub mod idp;
pub mod lang;
pub mod mail;
pub mod oidc;
pub mod problem;
pub mod rate_limit;
pub mod security;
pub mod test_clock;
pub mod token;
pub mod vendor_return;

use app_state::AppState;
use axum::routing::get;
use axum::Router;
use config::Config;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

/// A random URL-safe token of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Loads the built-in catalogue and the demo parties, as the operator.
pub async fn load_demo(services: &domain::Services) -> anyhow::Result<()> {
    let operator = services.for_operator("demo-data");
    domain::catalogue::store::import(&operator, &domain::catalogue::builtin(), "builtin").await?;
    domain::demo::load(&operator).await?;
    Ok(())
}

/// Builds the whole application for `config`, whose `public_url` must already
/// name the address it will be served at.
pub async fn build(config: Config) -> anyhow::Result<Router> {
    let pool = domain::db::connect_and_migrate(&config.database_url, config.db_max_connections).await?;
    // The wall clock, unless tests may move it forward (FULLMAKT_TEST_CLOCK).
    let shifted = config.test_clock.then(|| Arc::new(domain::ShiftedClock::default()));
    let clock: Arc<dyn domain::Clock> = match &shifted {
        Some(c) => c.clone(),
        None => Arc::new(domain::SystemClock),
    };
    let mut services = domain::Services::start(pool.clone(), clock.clone()).await?;
    services.settings = config.settings();
    if config.demo_data {
        load_demo(&services).await?;
    }

    let kek = match config.token_key_encryption_key {
        Some(k) => k,
        None => {
            tracing::warn!("FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY is not set: token signing keys are encrypted with the DEV-ONLY key (development mode)");
            token::DEV_KEY_ENCRYPTION_KEY
        }
    };
    let token_settings = token::Settings {
        issuer: config.token_issuer(),
        base_url: config.public_url.as_str().trim_end_matches('/').to_string(),
        lifetime: time::Duration::seconds(config.token_lifetime_secs),
        alg: token::keys::SigningAlg::parse(&config.token_signing_alg).unwrap_or(token::keys::SigningAlg::Es256),
        audiences: config.token_audiences.clone(),
        rotate_after: time::Duration::days(config.token_key_rotation_days),
    };
    let tokens = token::TokenService::start(pool.clone(), clock.clone(), token_settings, kek).await?;

    // Notices by e-mail, when a mail server is configured (a bad setting stops the start).
    if let Some(url) = &config.smtp_url {
        mail::spawn_job(&services, mail::SmtpSender::new(url, &config.mail_from)?, config.public_url.as_str().to_string());
    }

    // The guests' lifecycle (invitations due, end-of-stay notices,
    // deactivation at the end date, deletion after retention) every minute;
    // several instances share it (domain::guests::jobs).
    tokio::spawn({
        let operator = services.for_operator("guest lifecycle");
        async move {
            let mut every = tokio::time::interval(tokio::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                match domain::guests::jobs::run(&operator).await {
                    Ok(run) if run.invited + run.notices + run.deactivated + run.deleted > 0 => {
                        tracing::info!(invited = run.invited, notices = run.notices, deactivated = run.deactivated, deleted = run.deleted, "guest lifecycle")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "the guest lifecycle job failed"),
                }
            }
        }
    });

    // Requests past their time are marked timed out every few minutes (and
    // each use case that decides one checks its time itself).
    tokio::spawn({
        let operator = services.for_operator("request-timeout");
        async move {
            let mut every = tokio::time::interval(tokio::time::Duration::from_secs(300));
            loop {
                every.tick().await;
                if let Err(e) = domain::system_user_requests::service::time_out_due(&operator, None).await {
                    tracing::error!(error = %e, "timing out system-user requests failed");
                }
            }
        }
    });
    // "Add all clients" jobs run here, not in the browser: a batch at a time
    // while one waits, else a look every second (a job left running by a
    // stopped server is picked up again).
    tokio::spawn({
        let operator = services.for_operator("client-jobs");
        async move {
            loop {
                match domain::clients::bulk::work(&operator).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "adding clients failed; the batch is tried again"),
                }
                tokio::time::sleep(tokio::time::Duration::from_secs(1)).await;
            }
        }
    });
    let moves_clock = shifted.map(|c| test_clock::router(c, services.for_operator("test clock")));
    let engine = services.engine;
    engine.spawn_refresher(pool.clone());

    // The session store writes outside `UnitOfWork`: a session is the
    // browser's state, not a change to anyone's rights, and the logins and
    // logouts that create and end one are audited by the login flow.
    let session_store = PostgresStore::new(pool.clone());
    session_store.migrate().await?;
    tokio::spawn({
        use tower_sessions::ExpiredDeletion;
        let store = session_store.clone();
        async move {
            if let Err(e) = store.continuously_delete_expired(tokio::time::Duration::from_secs(300)).await {
                tracing::error!(error = %e, "expired-session cleanup stopped");
            }
        }
    });
    let https = config.is_https();
    let sessions = SessionManagerLayer::new(session_store)
        .with_name(if https { "__Host-fullmakt_session" } else { "fullmakt_session" })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(config.session_idle_minutes)));

    let base = config.public_url.as_str().trim_end_matches('/').to_string();
    let client_auth = match &config.oidc_client_key {
        Some((pem, kid)) => auth::ClientAuth::PrivateKeyJwt(client_assertion::SigningKey::from_pem(pem, kid)?),
        None => auth::ClientAuth::Secret(config.oidc_client_secret.clone()),
    };
    let provider = Arc::new(auth::Provider::new(config.oidc_issuer.clone(), config.oidc_client_id.clone(), client_auth, &config.public_url)?);
    let idp = if config.test_idp {
        let client = idp::IdpClient {
            client_id: config.oidc_client_id.clone(),
            client_secret: config.oidc_client_secret.clone(),
            public_key_pem: None,
            redirect_uris: vec![provider.redirect_url().to_string()],
            post_logout_redirect_uris: vec![provider.post_logout_url().to_string()],
        };
        Some(idp::Idp::new(pool.clone(), format!("{base}/idp"), vec![client], config.synthetic_ids()).await?)
    } else {
        None
    };

    let leptos_options = LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "portal".into()))
        .site_root(config.site_root.clone())
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(config.addr)
        .build();
    let issuer_origin = url::Url::parse(&config.oidc_issuer).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    // Shared, not cloned per request: the headers middleware runs on every response.
    let security = Arc::new(security::SecurityConfig::new(config.origin(), https, issuer_origin.clone()));
    let config = Arc::new(config);
    let rate_limiter = Arc::new(rate_limit::RateLimiter::new(config.rate_limit_per_minute));
    let state = AppState {
        leptos_options: leptos_options.clone(),
        pool: pool.clone(),
        config: config.clone(),
        provider,
        clock: clock.clone(),
        rate_limiter: rate_limiter.clone(),
        engine,
    };
    let portal_ctx = app::session::PortalContext {
        pool: pool.clone(),
        engine: state.engine.clone(),
        clock,
        absolute_timeout: time::Duration::hours(config.session_absolute_hours),
        settings: config.settings(),
    };

    let routes = route_list();
    let leptos_context = move || {
        provide_context(portal_ctx.clone());
        // leptos_axum made a fresh nonce for this response; allow exactly it.
        if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
            if let Ok(v) = http::HeaderValue::from_str(&security::page_csp(&nonce, &issuer_origin)) {
                res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
            }
        }
    };
    let mut router = Router::new()
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), {
            let o = leptos_options.clone();
            move || app::shell(o.clone())
        })
        .merge(auth::router())
        // Authenticated by the session cookie, so inside the session and CSRF layers.
        .merge(api::resources::routes().into_router())
        .route("/lang/{code}", get(lang::switch))
        .route("/systembrukere/foresporsel/{id}/videre", get(vendor_return::after_decision))
        .route("/systembrukere/endring/{id}/videre", get(vendor_return::after_change_decision))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(leptos_context, app::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::deep_link::middleware))
        .layer(axum::middleware::from_fn(fn_status::middleware))
        // Forms posted without JavaScript: post, redirect, get (inside the session layer).
        .layer(axum::middleware::from_fn(form_post::middleware))
        .layer(axum::middleware::from_fn(form_post::take));
    if let Some(idp) = idp {
        router = router.nest_service("/idp", idp.router());
    }
    // Pages, login and the test provider use sessions and CSRF checks. The APIs
    // authenticate each call otherwise and take no cookies, so they skip those
    // layers, which keeps the decision path short.
    // Login and the test provider are rate limited per address, and /token
    // per address with its own, larger budget; the decision APIs, which answer
    // tens of thousands a second, skip the layer.
    let limited = axum::middleware::from_fn_with_state(rate_limiter, rate_limit::middleware);
    let token_limited =
        axum::middleware::from_fn_with_state(Arc::new(rate_limit::RateLimiter::new(config.token_rate_limit_per_minute)), rate_limit::middleware);
    let portal = router.layer(sessions).layer(axum::middleware::from_fn_with_state(security.clone(), security::csrf)).layer(limited);
    let apis = Router::new()
        .merge(health::routes().into_router())
        .merge(api::pdp::routes().into_router())
        .merge(api::authorized_parties::routes().into_router())
        .merge(api::api_clients::routes().into_router())
        .merge(api::system_register::routes().into_router())
        .merge(api::system_user_requests::routes().into_router())
        .merge(api::system_users::routes().into_router())
        .merge(api::change_requests::routes().into_router())
        .merge(api::client_delegations::routes().into_router())
        // The exchange issues tokens too: it shares /token's budget.
        .merge(api::token_exchange::routes().into_router().layer(token_limited.clone()))
        .merge(api::openapi::router())
        // Unknown paths under the API prefixes: a 404 problem, not the portal's page.
        .merge(api::not_found_router())
        .merge(token::router(tokens.clone()).layer(token_limited))
        .layer(axum::Extension(tokens));
    let apis = match moves_clock {
        Some(r) => {
            tracing::warn!("FULLMAKT_TEST_CLOCK is on: POST /test/clock moves this server's clock forward (tests only)");
            apis.merge(r)
        }
        None => apis,
    };
    let router = portal
        .merge(apis)
        .layer(axum::middleware::from_fn_with_state(security, security::headers))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(security::MakeRequestId::default()))
        .with_state(state);
    Ok(router)
}

/// The portal's routes, worked out once per process.
///
/// Leptos works them out by rendering the app with resource loading
/// suppressed through a process-wide flag (`leptos_server`'s
/// `SuppressResourceLoad`); a resource first polled by a page render on any
/// other thread while that flag is up waits forever (leptos-rs/leptos
/// #4773). With one server per process that cannot happen, since the routes
/// are worked out before it serves; but a process that starts a second
/// server while the first serves (the server's tests) saw page responses
/// stall now and then. Working the list out once, before any server of the
/// process serves, closes that window.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// Serves `config` on `listener`, with the public URL taken from the listener's
/// address when none was configured. Returns when the server stops.
pub async fn serve(listener: tokio::net::TcpListener, mut config: Config) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    if config.public_url.port() == Some(0) {
        config.public_url = url::Url::parse(&format!("http://{addr}"))?;
        if config.test_idp {
            config.oidc_issuer = format!("http://{addr}/idp");
        }
    }
    config.addr = addr;
    let router = build(config).await?;
    tracing::info!(%addr, "serving");
    // Without TCP_NODELAY, a streamed page's last chunk waits for the client's
    // delayed ACK (about 40 ms per response, measured with wrk).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
