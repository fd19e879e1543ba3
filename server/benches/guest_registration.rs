//! The sponsor's guests page (issue 15 figure: registration page server
//! time), against the real server (release build, real PostgreSQL), with the
//! load generator in the same process on the same two cores:
//!
//! 1. `GET /gjester` for Sara Sponsor acting for the university, with
//!    GUESTS guests already in "my guests" (registered through the use case):
//!    the whole page, form and list, in its first HTML;
//! 2. registering a guest with the page's plain POST form (`/api/register_guest`,
//!    as without JavaScript: validation, username, invitation in the outbox,
//!    audit, then the redirect back), one at a time, each a new person.
//!
//! Prints figures; asserts nothing but that the registrations succeed. Run:
//! `cargo bench -p server --bench guest_registration` (FULLMAKT_TEST_PG names
//! the PostgreSQL server; GUESTS and ROUNDS may be set).

use domain::guests::registration::GuestForRegister;
use domain::guests::service::{register, Registration};
use std::sync::Arc;
use support::env_or;

mod support;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const UNIVERSITY: &str = "310700002";
const SARA: &str = "24818910181";

/// A surname of letters only for guest `n` (usernames are made of letters,
/// and a shared surname would make each new username search longer).
fn surname(n: usize) -> String {
    let mut s = String::from("Gjest");
    let mut n = n;
    loop {
        s.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

fn day(days: i64) -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days)).date()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, db_url, _http) = support::serve_on_fresh_database("fullmakt_bench_guests").await?;
    let pool = domain::db::connect_and_migrate(&db_url, 4).await?;
    let services = domain::Services::start(pool.clone(), Arc::new(domain::SystemClock)).await?;
    let guests = env_or("GUESTS", 500);
    let rounds = env_or("ROUNDS", 200);

    let sara = test_support::acting(&services, test_support::person(&pool, SARA).await, test_support::org(&pool, UNIVERSITY).await);
    let started = std::time::Instant::now();
    for n in 0..guests {
        let guest = GuestForRegister {
            given_name: "Bente".into(),
            surname: surname(n),
            email: format!("bente.{n}@example.org"),
            start: Some(day(2)),
            end: Some(day(20)),
            ..Default::default()
        };
        register(&sara, &Registration { guest, unit: "NAT-KJEM".into(), sponsor: None }).await?;
    }
    println!("{guests} guests registered through the use case in {:.1} s", started.elapsed().as_secs_f64());
    sqlx::query("analyze").execute(&pool).await?;

    // 1. The page, as Sara sees it.
    let browser = support::signed_in(&base, SARA).await?;
    let page = browser.get(format!("{base}/gjester?party={UNIVERSITY}")).header("accept", "text/html").send().await?.text().await?;
    let rows = page.matches("data-guest=").count();
    let run = support::get_one_at_a_time(&browser, &format!("{base}/gjester"), rounds).await?;
    println!(
        "GET /gjester ({rows} guests listed, {} bytes), {rounds} pages one at a time: median {:.2} ms, p99 {:.2} ms",
        page.len(),
        run.ms(0.5),
        run.ms(0.99)
    );

    // 2. Registering with the plain form, one at a time.
    let (start, end) = (day(2).to_string(), day(20).to_string());
    let mut latencies = Vec::with_capacity(rounds);
    for n in guests..guests + rounds {
        let (surname, email) = (surname(n), format!("bente.{n}@example.org"));
        let form = [
            ("unit", "NAT-KJEM"),
            ("given_name", "Bente"),
            ("surname", surname.as_str()),
            ("email", email.as_str()),
            ("national_id", ""),
            ("start", start.as_str()),
            ("end", end.as_str()),
        ];
        let t = std::time::Instant::now();
        let res = browser
            .post(format!("{base}/api/register_guest"))
            .header("origin", &base)
            .header("accept", "text/html")
            .header("referer", format!("{base}/gjester"))
            .form(&form)
            .send()
            .await?;
        res.bytes().await?;
        latencies.push(t.elapsed());
    }
    let registered: i64 = sqlx::query_scalar("select count(*) from guest_account").fetch_one(&pool).await?;
    if registered != (guests + rounds) as i64 {
        return Err(format!("expected {} guests, found {registered}: a registration failed", guests + rounds).into());
    }
    let run = support::Run { elapsed: Default::default(), latencies, errors: 0 };
    println!(
        "POST /api/register_guest (plain form, then the page again as the redirect asks), {rounds} registrations one at a time: median {:.2} ms, p99 {:.2} ms",
        run.ms(0.5),
        run.ms(0.99)
    );
    Ok(())
}
