//! Configuration from environment variables. `server --help` prints this table.

use std::net::SocketAddr;

/// One documented setting: its variable, default and meaning.
pub struct Setting {
    pub var: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting { var: "FULLMAKT_ADDR", default: "127.0.0.1:3000", meaning: "address and port to listen on" },
    Setting { var: "FULLMAKT_PUBLIC_URL", default: "http://<FULLMAKT_ADDR>", meaning: "the URL people reach the portal at; https turns on Secure/__Host- cookies and HSTS" },
    Setting { var: "DATABASE_URL", default: "postgres://postgres@127.0.0.1:5432/fullmakt", meaning: "PostgreSQL; the database is created if missing and migrated at start" },
    Setting { var: "FULLMAKT_DB_MAX_CONNECTIONS", default: "10", meaning: "size of the database pool" },
    Setting { var: "FULLMAKT_LOG_FORMAT", default: "text", meaning: "log format: text or json (filter with RUST_LOG)" },
    Setting { var: "FULLMAKT_TEST_IDP", default: "false", meaning: "serve the built-in test identity provider under /idp (never in production)" },
    Setting { var: "FULLMAKT_TEST_CLOCK", default: "false", meaning: "let tests move the server's clock forward with POST /test/clock (only with FULLMAKT_TEST_IDP; never in production)" },
    Setting { var: "FULLMAKT_OIDC_ISSUER", default: "<FULLMAKT_PUBLIC_URL>/idp when FULLMAKT_TEST_IDP is on", meaning: "issuer URL of the OpenID Connect provider people log in with" },
    Setting { var: "FULLMAKT_OIDC_CLIENT_ID", default: "fullmakt-portal", meaning: "the portal's client id at the provider" },
    Setting { var: "FULLMAKT_OIDC_CLIENT_SECRET", default: "(random when the test provider is on)", meaning: "the portal's client secret at the provider" },
    Setting { var: "FULLMAKT_OIDC_CLIENT_KEY_FILE", default: "(none)", meaning: "PEM private key (RSA or P-256); when set, the portal authenticates to the provider with private_key_jwt instead of the secret" },
    Setting { var: "FULLMAKT_OIDC_CLIENT_KEY_ID", default: "fullmakt-portal-key", meaning: "kid of that key, as registered at the provider" },
    Setting { var: "FULLMAKT_OIDC_SCOPES", default: "openid profile", meaning: "scopes asked for at login" },
    Setting { var: "FULLMAKT_OIDC_ACR", default: "idporten-loa-substantial", meaning: "acr_values asked for at login" },
    Setting { var: "FULLMAKT_SESSION_IDLE_MINUTES", default: "30", meaning: "a session without activity for this long ends" },
    Setting { var: "FULLMAKT_SESSION_ABSOLUTE_HOURS", default: "8", meaning: "a session ends this long after login, whatever the activity" },
    Setting { var: "FULLMAKT_ALLOW_SYNTHETIC_IDS", default: "false (true with the test provider)", meaning: "accept synthetic test national identity numbers (month + 80)" },
    Setting { var: "FULLMAKT_RATE_LIMIT_PER_MINUTE", default: "120", meaning: "requests per minute per client address to login, the test provider and guests' claim links" },
    Setting { var: "FULLMAKT_TOKEN_RATE_LIMIT_PER_MINUTE", default: "6000", meaning: "requests per minute per client address to /token (a vendor fetches tokens for all its customers from one address)" },
    Setting { var: "FULLMAKT_DEMO_DATA", default: "false", meaning: "load the built-in catalogue and demo parties at start" },
    Setting { var: "FULLMAKT_PDP_API_KEYS", default: "(none)", meaning: "DEPRECATED: comma-separated API keys accepted as Bearer tokens by the PDP APIs besides tokens from /token with the scope altinn:authorization/authorize" },
    Setting { var: "FULLMAKT_TOKEN_ISSUER", default: "<FULLMAKT_PUBLIC_URL>/", meaning: "issuer identifier of the token service: iss of issued tokens, and the aud client assertions must name" },
    Setting { var: "FULLMAKT_TOKEN_LIFETIME_SECONDS", default: "120", meaning: "lifetime of tokens issued by /token (30 to 3600)" },
    Setting { var: "FULLMAKT_TOKEN_SIGNING_ALG", default: "ES256", meaning: "algorithm of issued tokens: ES256, EdDSA or RS256 (RS256 is about 20x slower to sign)" },
    Setting { var: "FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY", default: "(required unless FULLMAKT_TEST_IDP=true, which uses a dev-only key)", meaning: "base64 of 32 random bytes: AES-256-GCM key that encrypts the token signing keys in the database" },
    Setting { var: "FULLMAKT_TOKEN_KEY_ROTATION_DAYS", default: "30", meaning: "a token signing key is replaced after this many days (the old one stays published until its tokens expire)" },
    Setting { var: "FULLMAKT_TOKEN_AUDIENCES", default: "(none)", meaning: "space-separated aud values Fullmakt's APIs accept in a token; a token without aud is always accepted" },
    Setting { var: "FULLMAKT_EXCHANGE_CLIENT_IDS", default: "(none: the exchange is off)", meaning: "space-separated client ids at the OpenID Connect provider (integrations', not the portal's) whose ID tokens GET /authentication/api/v1/exchange/id-porten exchanges for a person's token" },
    Setting { var: "FULLMAKT_REQUEST_TIMEOUT_DAYS", default: "30", meaning: "a system-user request not decided within this many days times out (1 to 365)" },
    Setting { var: "FULLMAKT_SMTP_URL", default: "(none: notices are shown in the portal only)", meaning: "mail server for notices, as smtp://host:port (plain, for a relay on loopback) or smtps://user:pass@host (TLS)" },
    Setting { var: "FULLMAKT_MAIL_FROM", default: "Fullmakt <noreply@localhost>", meaning: "the sender of notices by e-mail" },
    Setting { var: "LEPTOS_SITE_ROOT", default: "target/site", meaning: "where the built site (WASM, CSS, assets) is served from" },
];

/// Prints the `--help` text.
pub fn help() -> String {
    let mut out = String::from(
        "fullmakt server — access-management portal\n\n\
         USAGE:\n  server [serve]                   serve the portal (default)\n  \
         server import-catalogue [DIR]    import an access-package catalogue in Altinn's format (default data/altinn/access-packages)\n  \
         server import-register <FILE>    import an Entity-Register feed (JSON or CSV), as a diff\n  \
         server load-demo                 load the built-in catalogue and demo parties\n  \
         server grant-scopes <CLIENT> <SCOPE>...  give an API client scopes only the operator gives (audited)\n  \
         server revoke-scopes <CLIENT> <SCOPE>... take scopes away from an API client (audited)\n  \
         server token-grant <CLIENT> <KEY.pem> <KID> <SCOPE> [<ORG> [<REF>]]  print a signed grant for /token\n  \
         server --help                    this text\n\nENVIRONMENT:\n",
    );
    for s in SETTINGS {
        out.push_str(&format!("  {:<32} {}\n  {:<32} default: {}\n", s.var, s.meaning, "", s.default));
    }
    out
}

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub public_url: url::Url,
    pub database_url: String,
    pub db_max_connections: u32,
    pub log_json: bool,
    pub test_idp: bool,
    /// The clock can be moved forward over HTTP (end-to-end tests of rules that take days).
    pub test_clock: bool,
    pub oidc_issuer: String,
    pub oidc_client_id: String,
    pub oidc_client_secret: String,
    /// PEM private key and kid for private_key_jwt client authentication.
    pub oidc_client_key: Option<(String, String)>,
    pub oidc_scopes: Vec<String>,
    pub oidc_acr: String,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub allow_synthetic_ids: bool,
    pub rate_limit_per_minute: u32,
    /// The per-address budget of `/token`, apart from login's: one vendor
    /// fetches tokens for all its customers from one address.
    pub token_rate_limit_per_minute: u32,
    /// Days a customer has to decide a system-user request.
    pub request_timeout_days: i64,
    /// The mail server notices are e-mailed through; `None`: portal only.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub demo_data: bool,
    pub site_root: String,
    pub pdp_api_keys: Vec<String>,
    /// `None`: the public URL.
    pub token_issuer: Option<String>,
    pub token_lifetime_secs: i64,
    pub token_signing_alg: String,
    /// `None` only in development mode (test provider on): the dev-only key is used.
    pub token_key_encryption_key: Option<[u8; 32]>,
    pub token_key_rotation_days: i64,
    pub token_audiences: Vec<String>,
    /// Client ids at the provider whose ID tokens may be exchanged for a
    /// person's token (the audience an ID token must name); none: the
    /// exchange is off.
    pub exchange_client_ids: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        Some(v) => v.parse().map_err(|e| ConfigError { var: name, problem: format!("= {v:?} is invalid: {e}") }),
        None => Ok(default),
    }
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(ConfigError { var: name, problem: format!("= {v:?} must be true or false") }),
    }
}

/// The key-encryption key: base64 (standard or URL-safe) of exactly 32 bytes.
fn decode_kek(v: &str) -> Result<[u8; 32], ConfigError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')))
        .map_err(|_| ConfigError { var: "FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY", problem: "is not base64".into() })?;
    bytes.try_into().map_err(|_| ConfigError { var: "FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY", problem: "must decode to exactly 32 bytes".into() })
}

impl Config {
    /// Reads every setting from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        // cargo-leptos passes its site address as LEPTOS_SITE_ADDR; ours wins when set.
        let default_addr = var("LEPTOS_SITE_ADDR").and_then(|a| a.parse().ok()).unwrap_or_else(|| "127.0.0.1:3000".parse().expect("literal"));
        let addr: SocketAddr = parse("FULLMAKT_ADDR", default_addr)?;
        let public_url = match var("FULLMAKT_PUBLIC_URL") {
            Some(u) => url::Url::parse(&u).map_err(|e| ConfigError { var: "FULLMAKT_PUBLIC_URL", problem: format!("= {u:?}: {e}") })?,
            None => url::Url::parse(&format!("http://{addr}")).expect("socket address makes a URL"),
        };
        let test_idp = flag("FULLMAKT_TEST_IDP", false)?;
        let issuer_default = format!("{}/idp", public_url.as_str().trim_end_matches('/'));
        let oidc_issuer = match var("FULLMAKT_OIDC_ISSUER") {
            Some(i) => i,
            None if test_idp => issuer_default,
            None => return Err(ConfigError { var: "FULLMAKT_OIDC_ISSUER", problem: "is required unless FULLMAKT_TEST_IDP=true".into() }),
        };
        let oidc_client_key = match var("FULLMAKT_OIDC_CLIENT_KEY_FILE") {
            Some(path) => {
                let pem = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError { var: "FULLMAKT_OIDC_CLIENT_KEY_FILE", problem: format!("= {path:?} cannot be read: {e}") })?;
                crate::client_assertion::SigningKey::from_pem(&pem, "check")
                    .map_err(|e| ConfigError { var: "FULLMAKT_OIDC_CLIENT_KEY_FILE", problem: format!("= {path:?}: {e}") })?;
                Some((pem, var("FULLMAKT_OIDC_CLIENT_KEY_ID").unwrap_or_else(|| "fullmakt-portal-key".into())))
            }
            None => None,
        };
        let oidc_client_secret = match var("FULLMAKT_OIDC_CLIENT_SECRET") {
            Some(s) => s,
            None if test_idp => crate::random_token(32),
            None if oidc_client_key.is_some() => String::new(),
            None => {
                return Err(ConfigError {
                    var: "FULLMAKT_OIDC_CLIENT_SECRET",
                    problem: "is required unless FULLMAKT_TEST_IDP=true or FULLMAKT_OIDC_CLIENT_KEY_FILE is set".into(),
                })
            }
        };
        let cfg = Self {
            addr,
            public_url,
            database_url: var("DATABASE_URL").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/fullmakt".into()),
            db_max_connections: parse("FULLMAKT_DB_MAX_CONNECTIONS", 10)?,
            log_json: match var("FULLMAKT_LOG_FORMAT").as_deref() {
                None | Some("text") => false,
                Some("json") => true,
                Some(v) => return Err(ConfigError { var: "FULLMAKT_LOG_FORMAT", problem: format!("= {v:?} must be text or json") }),
            },
            test_idp,
            test_clock: flag("FULLMAKT_TEST_CLOCK", false)?,
            oidc_issuer,
            oidc_client_id: var("FULLMAKT_OIDC_CLIENT_ID").unwrap_or_else(|| "fullmakt-portal".into()),
            oidc_client_secret,
            oidc_client_key,
            oidc_scopes: var("FULLMAKT_OIDC_SCOPES").unwrap_or_else(|| "openid profile".into()).split_whitespace().map(str::to_owned).collect(),
            oidc_acr: var("FULLMAKT_OIDC_ACR").unwrap_or_else(|| "idporten-loa-substantial".into()),
            session_idle_minutes: parse("FULLMAKT_SESSION_IDLE_MINUTES", 30)?,
            session_absolute_hours: parse("FULLMAKT_SESSION_ABSOLUTE_HOURS", 8)?,
            allow_synthetic_ids: flag("FULLMAKT_ALLOW_SYNTHETIC_IDS", test_idp)?,
            rate_limit_per_minute: parse("FULLMAKT_RATE_LIMIT_PER_MINUTE", 120)?,
            token_rate_limit_per_minute: parse("FULLMAKT_TOKEN_RATE_LIMIT_PER_MINUTE", 6000)?,
            request_timeout_days: parse("FULLMAKT_REQUEST_TIMEOUT_DAYS", 30)?,
            smtp_url: var("FULLMAKT_SMTP_URL"),
            mail_from: var("FULLMAKT_MAIL_FROM").unwrap_or_else(|| "Fullmakt <noreply@localhost>".into()),
            demo_data: flag("FULLMAKT_DEMO_DATA", false)?,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            pdp_api_keys: var("FULLMAKT_PDP_API_KEYS")
                .map(|v| v.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect())
                .unwrap_or_default(),
            token_issuer: var("FULLMAKT_TOKEN_ISSUER"),
            token_lifetime_secs: parse("FULLMAKT_TOKEN_LIFETIME_SECONDS", 120)?,
            token_signing_alg: var("FULLMAKT_TOKEN_SIGNING_ALG").unwrap_or_else(|| "ES256".into()),
            token_key_encryption_key: match var("FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY") {
                None => None,
                Some(v) => Some(decode_kek(&v)?),
            },
            token_key_rotation_days: parse("FULLMAKT_TOKEN_KEY_ROTATION_DAYS", 30)?,
            token_audiences: var("FULLMAKT_TOKEN_AUDIENCES").map(|v| v.split_whitespace().map(str::to_owned).collect()).unwrap_or_default(),
            exchange_client_ids: var("FULLMAKT_EXCHANGE_CLIENT_IDS").map(|v| v.split_whitespace().map(str::to_owned).collect()).unwrap_or_default(),
        };
        if !(30..=3600).contains(&cfg.token_lifetime_secs) {
            return Err(ConfigError { var: "FULLMAKT_TOKEN_LIFETIME_SECONDS", problem: "must be between 30 and 3600".into() });
        }
        if !["ES256", "EdDSA", "RS256"].contains(&cfg.token_signing_alg.as_str()) {
            return Err(ConfigError { var: "FULLMAKT_TOKEN_SIGNING_ALG", problem: format!("= {:?} must be ES256, EdDSA or RS256", cfg.token_signing_alg) });
        }
        if cfg.token_key_rotation_days < 1 {
            return Err(ConfigError { var: "FULLMAKT_TOKEN_KEY_ROTATION_DAYS", problem: "must be at least 1".into() });
        }
        if cfg.token_key_encryption_key.is_none() && !cfg.test_idp {
            return Err(ConfigError {
                var: "FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY",
                problem: "is required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) unless FULLMAKT_TEST_IDP=true".into(),
            });
        }
        if cfg.test_clock && !cfg.test_idp {
            return Err(ConfigError { var: "FULLMAKT_TEST_CLOCK", problem: "may be on only with FULLMAKT_TEST_IDP=true (both are for tests)".into() });
        }
        if cfg.pdp_api_keys.iter().any(|k| k.len() < 16) {
            return Err(ConfigError { var: "FULLMAKT_PDP_API_KEYS", problem: "each key must be at least 16 characters".into() });
        }
        if !(1..=365).contains(&cfg.request_timeout_days) {
            return Err(ConfigError { var: "FULLMAKT_REQUEST_TIMEOUT_DAYS", problem: "must be between 1 and 365".into() });
        }
        if cfg.session_idle_minutes <= 0 || cfg.session_absolute_hours <= 0 {
            return Err(ConfigError { var: "FULLMAKT_SESSION_*", problem: "must be positive".into() });
        }
        Ok(cfg)
    }

    /// Whether the portal is reached over TLS, which decides cookie and HSTS settings.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The portal's own origin, e.g. `http://127.0.0.1:3000`, for Origin checks.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// The token service's issuer identifier (`FULLMAKT_TOKEN_ISSUER`, else the public URL).
    pub fn token_issuer(&self) -> String {
        self.token_issuer.clone().unwrap_or_else(|| self.public_url.as_str().to_string())
    }

    /// The use cases' settings.
    pub fn settings(&self) -> domain::Settings {
        domain::Settings { request_timeout: time::Duration::days(self.request_timeout_days) }
    }

    pub fn synthetic_ids(&self) -> domain::parties::SyntheticIds {
        if self.allow_synthetic_ids {
            domain::parties::SyntheticIds::Accept
        } else {
            domain::parties::SyntheticIds::Refuse
        }
    }

    /// A configuration for tests: test provider on, listening address chosen later.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            addr: "127.0.0.1:0".parse().expect("literal"),
            public_url: url::Url::parse("http://127.0.0.1:0").expect("literal"),
            database_url: database_url.to_string(),
            db_max_connections: 5,
            log_json: false,
            test_idp: true,
            test_clock: false,
            oidc_issuer: String::new(),
            oidc_client_id: "fullmakt-portal".into(),
            oidc_client_secret: crate::random_token(32),
            oidc_client_key: None,
            oidc_scopes: vec!["openid".into(), "profile".into()],
            oidc_acr: "idporten-loa-substantial".into(),
            session_idle_minutes: 30,
            session_absolute_hours: 8,
            allow_synthetic_ids: true,
            rate_limit_per_minute: 10_000,
            token_rate_limit_per_minute: 10_000,
            request_timeout_days: 30,
            smtp_url: None,
            mail_from: "Fullmakt <noreply@localhost>".into(),
            demo_data: true,
            site_root: "target/site".into(),
            pdp_api_keys: vec!["test-pdp-key-0123456789".into()],
            token_issuer: None,
            token_lifetime_secs: 120,
            token_signing_alg: "ES256".into(),
            token_key_encryption_key: None,
            token_key_rotation_days: 30,
            token_audiences: Vec::new(),
            exchange_client_ids: Vec::new(),
        }
    }
}
