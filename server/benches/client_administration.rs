//! Client administration with a firm of 10,000 clients (issue 14 figures),
//! against the real server (release build, real PostgreSQL), with the load
//! generator in the same process on the same two cores:
//!
//! 1. the client list page `/klienter/<id>` for a signed-in client
//!    administrator: the first page, a page deep in the list, and a search
//!    (server time to the whole page, which is whole in its first HTML);
//! 2. `GET …/enduser/systemuser/clients/available` with a system user's token;
//! 3. "add all" for a firm of 1,000 clients, end to end (started as the
//!    person does, worked by the server's job, progress read as the page
//!    reads it);
//! 4. PDP decisions for an agent system user on behalf of its clients,
//!    beside decisions for a person through a key role, in the same run on
//!    the same snapshot.
//!
//! Prints figures; asserts nothing. Run: `cargo bench -p server --bench
//! client_administration` (FULLMAKT_TEST_PG names the PostgreSQL server;
//! CLIENTS, ALL_CLIENTS, PAGES and DECISIONS may be set).

use domain::decisions::store::{record_change, Change};
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::system_user_requests::{approval, service as requests, RequestForCreate, SystemUserKind};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::env_or;
use uuid::Uuid;

mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNTING_FIRM: &str = "310100005";
const OLA: &str = "03908110020";
const AUDITING_FIRM: &str = "310200018";
const PER: &str = "21926310140";
const READ: &str = "altinn:clientdelegations.read";

/// `count` new client organisations of `firm`, each with `role` held by the
/// firm, inserted in one statement each; the engine is told to rebuild.
async fn clients_of(pool: &sqlx::PgPool, firm: &str, role: &str, first_number: u32, count: u32) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "insert into party (id, kind, name, org_number, org_form)
         select gen_random_uuid(), 'organisation', format('Klient %s AS', lpad(n::text, 5, '0')), (($1::bigint + n))::text, 'AS'
         from generate_series(1, $2) n",
    )
    .bind(first_number as i64)
    .bind(count as i32)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into register_role (id, role_code, holder_id, for_party_id)
         select gen_random_uuid(), $1, f.id, c.id from party f, party c
         where f.org_number = $2 and c.org_number::bigint between $3::bigint + 1 and $3::bigint + $4",
    )
    .bind(role)
    .bind(firm)
    .bind(first_number as i64)
    .bind(count as i64)
    .execute(&mut *tx)
    .await?;
    record_change(&mut tx, Change::Rebuild("bench")).await?;
    tx.commit().await
}

/// A system offering `package` (with the API client `client`, if any) and
/// a system user of it of `kind` for `firm`, approved by its manager.
async fn system_user(
    services: &domain::Services,
    pool: &sqlx::PgPool,
    slug: &str,
    package: &str,
    client: Option<&str>,
    kind: SystemUserKind,
    (firm, manager): (&str, &str),
) -> Result<Uuid, Box<dyn std::error::Error>> {
    let operator = services.for_operator("bench");
    let system = domain::system_register::SystemForCreate {
        packages: vec![format!("urn:altinn:accesspackage:{package}")],
        rights: vec![],
        client_ids: client.map(|c| vec![c.to_string()]).unwrap_or_default(),
        ..test_support::system(slug, slug)
    };
    domain::system_register::service::create(&operator, &system).await?;
    let vendor = services.for_api_client("bench", test_support::org(pool, "310000000").await, domain::authz::Scopes::REQUEST_WRITE, None);
    let request = RequestForCreate {
        kind,
        system_id: format!("310000000_{slug}"),
        party_org_no: firm.into(),
        packages: vec![format!("urn:altinn:accesspackage:{package}")],
        ..Default::default()
    };
    let id = requests::send(&vendor, &request).await?.request.id;
    let approver = test_support::acting(services, test_support::person(pool, manager).await, test_support::org(pool, firm).await);
    approval::approve(&approver, id).await?;
    Ok(id)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, db_url, http) = support::serve_on_fresh_database("fullmakt_bench_clients").await?;
    let pool = domain::db::connect_and_migrate(&db_url, 4).await?;
    let services = domain::Services::start(pool.clone(), Arc::new(domain::SystemClock)).await?;
    let clients = env_or("CLIENTS", 10_000) as u32;
    let all_clients = env_or("ALL_CLIENTS", 1_000) as u32;
    let rounds = env_or("PAGES", 200);
    clients_of(&pool, ACCOUNTING_FIRM, "regnskapsforer", 400_000_000, clients).await?;
    clients_of(&pool, AUDITING_FIRM, "revisor", 500_000_000, all_clients).await?;
    // As autovacuum would soon after an import of this size: without fresh
    // statistics the planner expects one client, not 10,000, and loops.
    sqlx::query("analyze").execute(&pool).await?;

    // The vendor's API client for the firm's own integration, with its key.
    let operator = services.for_operator("bench");
    let vendor = test_support::org(&pool, "310000000").await;
    let api =
        domain::tokens::service::register_api_client(&operator, vendor, &domain::tokens::ApiClientForCreate { display_name: "bench".into(), scopes: vec![] })
            .await?;
    domain::tokens::service::set_scopes(&operator, &api.client_id, &[READ.to_string()]).await?;
    let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/regnskapsappen-demo-key.pub.pem"))?;
    domain::tokens::service::add_key(&operator, &api.client_id, &domain::tokens::KeyForCreate { kid: Some("bench-1".into()), key: pem, expires_at: None })
        .await?;
    let agent = system_user(&services, &pool, "regnskap", "regnskapsforer-lonn", None, SystemUserKind::Agent, (ACCOUNTING_FIRM, OLA)).await?;
    system_user(&services, &pool, "klientadm", "klientadministrator", Some(&api.client_id), SystemUserKind::Standard, (ACCOUNTING_FIRM, OLA)).await?;

    // 1. The client list page.
    let browser = support::signed_in(&base, OLA).await?;
    let first = browser.get(format!("{base}/klienter/{agent}?party={ACCOUNTING_FIRM}")).header("accept", "text/html").send().await?.text().await?;
    let rows = first.matches("data-client=").count();
    let deep: Uuid =
        sqlx::query_scalar("select id from party where org_number = $1").bind((400_000_000 + clients * 9 / 10).to_string()).fetch_one(&pool).await?;
    for (what, path) in [
        ("first page", format!("/klienter/{agent}")),
        ("a page 90 % into the list", format!("/klienter/{agent}?etter={deep}")),
        ("a search (\"klient 0999\")", format!("/klienter/{agent}?sok=klient%200999")),
        ("hide attached", format!("/klienter/{agent}?skjul=1")),
    ] {
        let run = support::get_one_at_a_time(&browser, &format!("{base}{path}"), rounds).await?;
        println!(
            "GET /klienter/<id>, {what} ({clients} clients, {rows} rows a page), {rounds} pages one at a time: median {:.2} ms, p99 {:.2} ms",
            run.ms(0.5),
            run.ms(0.99)
        );
    }

    // 2. The available-clients API with the integration's system-user token.
    let private = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/regnskapsappen-demo-key.pem"))?;
    let key = server::client_assertion::SigningKey::from_pem(&private, "bench-1")?;
    let meta: Value = http.get(format!("{base}/.well-known/oauth-authorization-server")).send().await?.json().await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let grant = key.grant(&api.client_id, meta["issuer"].as_str().unwrap_or_default(), READ, Some(ACCOUNTING_FIRM), None, now)?;
    let answer: Value = http
        .post(format!("{base}/token"))
        .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", grant.as_str())])
        .send()
        .await?
        .json()
        .await?;
    let token = answer["access_token"].as_str().ok_or_else(|| format!("no token: {answer}"))?.to_string();
    let api_client = reqwest::Client::builder()
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse()?);
            h
        })
        .build()?;
    let url = format!("{base}/authentication/api/v1/enduser/systemuser/clients/available?agent={agent}");
    let page: Value = api_client.get(&url).send().await?.json().await?;
    let listed = page["data"].as_array().map_or(0, Vec::len);
    let run = support::get_one_at_a_time(&api_client, &url, rounds).await?;
    println!(
        "GET …/enduser/systemuser/clients/available ({clients} clients, {listed} a page), {rounds} calls one at a time: median {:.2} ms, p99 {:.2} ms",
        run.ms(0.5),
        run.ms(0.99)
    );

    // 3. "Add all" for the auditing firm's clients, worked by the server.
    let auditor = system_user(&services, &pool, "revisjon", "ansvarlig-revisor", None, SystemUserKind::Agent, (AUDITING_FIRM, PER)).await?;
    let per = test_support::acting(&services, test_support::person(&pool, PER).await, test_support::org(&pool, AUDITING_FIRM).await);
    let started = Instant::now();
    let job = domain::clients::bulk::start(&per, auditor).await?;
    let mut samples = Vec::new();
    let done = loop {
        let p = domain::clients::bulk::progress(&per, job).await?;
        if samples.last().is_none_or(|(_, h)| *h != p.handled()) {
            samples.push((started.elapsed(), p.handled()));
        }
        if !p.running {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = started.elapsed();
    let shown: Vec<String> = samples.iter().step_by((samples.len() / 6).max(1)).map(|(t, h)| format!("{h} at {:.1} s", t.as_secs_f64())).collect();
    println!(
        "\"add all\" for {} clients: {} attached, {} failed in {:.1} s end to end ({:.0} clients/s); progress seen {} times: {}",
        done.total,
        done.attached,
        done.failed.len(),
        elapsed.as_secs_f64(),
        done.total as f64 / elapsed.as_secs_f64(),
        samples.len(),
        shown.join(", ")
    );

    // 4. Decisions: the auditing firm's agent system user for its clients,
    //    and the firm's manager for the same clients through his key role.
    let resource = test_support::resource("bench-revisjon", "ansvarlig-revisor", &["read"]);
    domain::resources::save(&operator, &domain::parties::OrgNumber::try_from("974760673")?, &resource).await?;
    let snapshot = domain::decisions::store::load_snapshot(&pool).await?;
    let client_ids: Vec<Uuid> = sqlx::query_scalar("select client_id from client_delegation where agent_system_user_id = $1 and ended_at is null")
        .bind(auditor)
        .fetch_all(&pool)
        .await?;
    let per_id = test_support::person(&pool, PER).await.0;
    let n = env_or("DECISIONS", 1_000_000);
    for (what, subject) in
        [("agent system user, client delegation", SubjectRef::SystemUser(auditor)), ("person, key role (DAGL) of the firm", SubjectRef::Party(per_id))]
    {
        let started = Instant::now();
        let mut permits = 0usize;
        for i in 0..n {
            let request = DecisionRequest { subject, action: "read", resource: "bench-revisjon", party: client_ids[i % client_ids.len()], env: Env::now() };
            if decide(&snapshot, &request).outcome == Outcome::Permit {
                permits += 1;
            }
        }
        let elapsed = started.elapsed();
        println!(
            "decide(), {what}, over {} clients: {n} decisions on one core in {:.2} s, {:.0} decisions/s, {permits} Permit",
            client_ids.len(),
            elapsed.as_secs_f64(),
            n as f64 / elapsed.as_secs_f64()
        );
    }
    drop(pool);
    Ok(())
}
