//! Token issuance over loopback HTTP (issue 4 figures): the real server
//! (release build, real PostgreSQL) answers `POST /token` with system-user
//! tokens for RS256-signed assertions, each with its own jti, so every
//! request verifies a signature, writes the replay store, looks up the
//! system user, signs an ES256 token and records the issue. The load
//! generator runs in the same process on the same two cores, as wrk would.
//! Requests that arrive together share one commit (the endpoint's group commit).
//! Prints tokens/s and latency percentiles; asserts nothing.
//!
//! Run: `cargo bench -p server --bench token_issuance` (FULLMAKT_TEST_PG names
//! the PostgreSQL server; TOKENS and CONCURRENCY may be set).

use domain::clock::SystemClock;
use domain::tokens::service;
use domain::tokens::{ApiClientForCreate, KeyForCreate};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use support::env_or;

mod support;

/// The server binary's allocator (see `server/src/main.rs`), so that the
/// in-process server is measured as it runs in production.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const SCOPE: &str = "altinn:authorization/authorize";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn rsa_pair() -> (EncodingKey, String) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("rsa key");
    let private = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).expect("pem");
    let public = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).expect("pem");
    (EncodingKey::from_rsa_pem(private.as_bytes()).expect("key"), public)
}

/// `n` assertions with unique jti, signed on every core.
fn assertions(key: &EncodingKey, client_id: &str, aud: &str, n: usize) -> Vec<String> {
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(2);
    std::thread::scope(|s| {
        let parts: Vec<_> = (0..cores)
            .map(|c| {
                s.spawn(move || {
                    (c..n)
                        .step_by(cores)
                        .map(|_| {
                            let now = time::OffsetDateTime::now_utc().unix_timestamp();
                            let claims = json!({
                                "iss": client_id, "aud": aud, "iat": now, "exp": now + 110,
                                "jti": uuid::Uuid::new_v4().to_string(), "scope": SCOPE,
                                "authorization_details": [{"type": "urn:altinn:systemuser",
                                    "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{BAKERY}")}}],
                            });
                            let mut h = Header::new(Algorithm::RS256);
                            h.kid = Some("bench-1".into());
                            jsonwebtoken::encode(&h, &claims, key).expect("sign")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_default()).collect()
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, db_url, http) = support::serve_on_fresh_database("fullmakt_bench_token").await?;

    // A vendor client with an RSA key, the system, and the bakery's system user.
    let pool = domain::db::connect_and_migrate(&db_url, 2).await?;
    let ctx = domain::Services {
        db: pool.clone(),
        clock: Arc::new(SystemClock),
        engine: domain::decisions::live::Engine::load(&pool).await?,
        settings: domain::Settings::default(),
    }
    .for_operator("bench");
    let owner: uuid::Uuid = sqlx::query_scalar("select id from party where org_number = $1").bind(VENDOR).fetch_one(&pool).await?;
    let input = ApiClientForCreate { display_name: "bench".into(), scopes: vec![SCOPE.into()] };
    let client = service::register_api_client(&ctx, domain::parties::PartyId(owner), &input).await?;
    let (private, public) = rsa_pair();
    let key = KeyForCreate { kid: Some("bench-1".into()), key: public, expires_at: None };
    service::add_key(&ctx, &client.client_id, &key).await?;
    sqlx::query("insert into system_register (system_id, vendor_org_number, name_nb, client_ids) values ('310000000_bench', $1, 'bench', $2)")
        .bind(VENDOR)
        .bind(vec![client.client_id.clone()])
        .execute(&pool)
        .await?;
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select $1, '310000000_bench', id, $2 from party where org_number = $2")
        .bind(uuid::Uuid::now_v7())
        .bind(BAKERY)
        .execute(&pool)
        .await?;
    let meta: Value = http.get(format!("{base}/.well-known/oauth-authorization-server")).send().await?.json().await?;
    let issuer = meta["issuer"].as_str().unwrap_or_default().to_string();

    let total = env_or("TOKENS", 20_000);
    let concurrency = env_or("CONCURRENCY", 32);
    let warmup = (total / 10).min(2_000);
    let signed = Instant::now();
    let all = assertions(&private, &client.client_id, &issuer, total + warmup);
    println!("{} RS256 assertions signed in {:.1} s (not measured)", all.len(), signed.elapsed().as_secs_f64());
    let (warm, measured) = all.split_at(warmup);

    let url = format!("{base}/token");
    let send = {
        let http = http.clone();
        move |assertion: String| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                match http.post(&url).form(&[("grant_type", JWT_BEARER), ("assertion", assertion.as_str())]).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };
    let warm_errors = support::load(warm.to_vec(), concurrency, send.clone()).await.errors;
    let run = support::load(measured.to_vec(), concurrency, send).await;
    let issued: i64 = sqlx::query_scalar("select count(*) from token_issued").fetch_one(&pool).await?;
    println!(
        "POST /token, system-user tokens, {} requests at concurrency {concurrency}: {:.0} tokens/s; p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms; {} errors ({} in warm-up); {issued} tokens recorded",
        run.latencies.len(),
        run.rate(),
        run.ms(0.5),
        run.ms(0.99),
        run.ms(0.999),
        run.errors,
        warm_errors
    );
    drop(pool);
    Ok(())
}
