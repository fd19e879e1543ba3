//! System-user requests over loopback HTTP (issue 13 figures), against the
//! real server (release build, real PostgreSQL), with the load generator in
//! the same process on the same two cores:
//!
//! 1. the vendor's `POST /authentication/api/v1/systemuser/request/vendor`
//!    with a bearer token from `/token`, each request for its own external
//!    reference, so each is checked whole and stored;
//! 2. the customer's approval page for a request naming 20 access packages
//!    and 20 single rights, rendered for a signed-in access manager (the
//!    server's time to the whole page: the page is whole in its first HTML).
//!
//! Prints throughput and latency percentiles; asserts nothing.
//!
//! Run: `cargo bench -p server --bench system_user_requests` (FULLMAKT_TEST_PG
//! names the PostgreSQL server; REQUESTS, CONCURRENCY and PAGES may be set).

use domain::authz::Scopes;
use domain::system_register::{SystemForCreate, SystemRight, Translated};
use domain::system_user_requests::RequestForCreate;
use serde_json::{json, Value};
use std::sync::Arc;
use support::env_or;

mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const BJORN: &str = "14928810047";
const SYSTEM: &str = "310000000_bench";
const WRITE: &str = "altinn:authentication/systemuser.request.write";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, db_url, http) = support::serve_on_fresh_database("fullmakt_bench_requests").await?;

    // The full catalogue (for 20 assignable packages), 20 resources, and a
    // system that offers them all.
    let pool = domain::db::connect_and_migrate(&db_url, 4).await?;
    let services = domain::Services::start(pool.clone(), Arc::new(domain::SystemClock)).await?;
    let operator = services.for_operator("bench");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/altinn/access-packages");
    domain::catalogue::store::import(&operator, &domain::catalogue::from_altinn_dir(std::path::Path::new(dir))?, "bench").await?;
    let packages: Vec<String> = sqlx::query_scalar(
        "select urn from access_package where assignable and entity_type = 'organisation' and urn <> 'urn:altinn:accesspackage:hovedadministrator' order by code limit 20",
    )
    .fetch_all(&pool)
    .await?;
    let mut rights = Vec::new();
    for i in 0..20 {
        let id = format!("bench-tjeneste-{i:02}");
        domain::resources::save(&operator, &domain::parties::OrgNumber::try_from("974760673")?, &test_support::resource(&id, "daglig-leder", &["read"]))
            .await?;
        rights.push(SystemRight { resource: id, action: Some("read".into()) });
    }
    let text = |s: &str| Translated { nb: s.into(), nn: s.into(), en: s.into() };
    let system = SystemForCreate {
        id: SYSTEM.into(),
        vendor: VENDOR.into(),
        name: text("Bench"),
        description: text("Bench"),
        rights: rights.clone(),
        packages: packages.clone(),
        client_ids: vec![],
        redirect_urls: vec![],
        is_visible: true,
    };
    domain::system_register::service::create(&operator, &system).await?;

    // 1. Create-request throughput with a vendor token from /token.
    let vendor = domain::parties::PartyId(sqlx::query_scalar("select id from party where org_number = $1").bind(VENDOR).fetch_one(&pool).await?);
    let client = domain::tokens::service::register_api_client(
        &operator,
        vendor,
        &domain::tokens::ApiClientForCreate { display_name: "bench".into(), scopes: vec![WRITE.into()] },
    )
    .await?;
    let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/regnskapsappen-demo-key.pub.pem"))?;
    domain::tokens::service::add_key(&operator, &client.client_id, &domain::tokens::KeyForCreate { kid: Some("bench-1".into()), key: pem, expires_at: None })
        .await?;
    let private = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/regnskapsappen-demo-key.pem"))?;
    let key = server::client_assertion::SigningKey::from_pem(&private, "bench-1")?;
    let meta: Value = http.get(format!("{base}/.well-known/oauth-authorization-server")).send().await?.json().await?;
    let grant =
        key.grant(&client.client_id, meta["issuer"].as_str().unwrap_or_default(), WRITE, None, None, time::OffsetDateTime::now_utc().unix_timestamp())?;
    let answer: Value = http
        .post(format!("{base}/token"))
        .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", grant.as_str())])
        .send()
        .await?
        .json()
        .await?;
    let token = answer["access_token"].as_str().ok_or("no token")?.to_string();

    let total = env_or("REQUESTS", 5_000);
    let concurrency = env_or("CONCURRENCY", 32);
    let body = move |i: usize| {
        json!({"systemId": SYSTEM, "partyOrgNo": BAKERY, "externalRef": format!("kunde-{i}"),
               "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "bench-tjeneste-00"}], "action": "read"}]})
    };
    let url = format!("{base}/authentication/api/v1/systemuser/request/vendor");
    let send = {
        let http = http.clone();
        move |i: usize| {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            async move {
                match http.post(&url).bearer_auth(&token).json(&body(i)).send().await {
                    Ok(r) => r.status().as_u16() == 201 && r.bytes().await.is_ok(),
                    Err(_) => false,
                }
            }
        }
    };
    let warmup = (total / 10).max(100);
    let warm_errors = support::load((0..warmup).collect(), concurrency, send.clone()).await.errors;
    let run = support::load((warmup..warmup + total).collect(), concurrency, send).await;
    println!(
        "POST …/systemuser/request/vendor, {} new requests at concurrency {concurrency}: {:.0} requests/s; p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms; {} errors ({warm_errors} in warm-up)",
        run.latencies.len(),
        run.rate(),
        run.ms(0.5),
        run.ms(0.99),
        run.ms(0.999),
        run.errors
    );

    // 2. The approval page for a request naming 20 packages and 20 rights.
    let request =
        RequestForCreate { system_id: SYSTEM.into(), party_org_no: BAKERY.into(), external_ref: Some("stor".into()), rights, packages, ..Default::default() };
    let id = domain::system_user_requests::service::send(&services.for_api_client("bench", vendor, Scopes::REQUEST_WRITE, None), &request).await?.request.id;
    let browser = support::signed_in(&base, BJORN).await?;
    let page = format!("{base}/systembrukere/foresporsel/{id}?party={BAKERY}");
    let first = browser.get(&page).header("accept", "text/html").send().await?.text().await?;
    let items = first.matches("<li class=\"rounded border").count();
    if items == 0 {
        let start = first.find("<main").unwrap_or(0);
        eprintln!("the page shows no item: {}", &first[start..(start + 1500).min(first.len())]);
    }
    let page = format!("{base}/systembrukere/foresporsel/{id}");
    let rounds = env_or("PAGES", 500);
    let run = support::get_one_at_a_time(&browser, &page, rounds).await?;
    println!(
        "GET /systembrukere/foresporsel/<id> (20 packages, 20 rights, {items} items rendered), {rounds} pages one at a time: median {:.2} ms, p99 {:.2} ms; {:.0} pages/s",
        run.ms(0.5),
        run.ms(0.99),
        run.rate()
    );
    drop(pool);
    Ok(())
}
