//! The guest lifecycle job at scale (issue 15 figures): 100,000 guests and
//! identities at the demo university, 5,000 of them with something due
//! (2,000 deactivations at the end date, 2,000 T−7 notices, 1,000 deletions
//! after retention), the rest active and ending within the notice window's
//! reach but with nothing due. Two instances run the job at once; the bench
//! prints the time and what each did, and counts in the database that
//! nothing was done twice.
//!
//! Run: `cargo bench -p domain --bench guest_lifecycle` with `DATABASE_URL`
//! naming a PostgreSQL server (the database `fullmakt_bench_guests` is
//! dropped and created). GUESTS sets the number of guests (default 100,000).

use domain::clock::FixedClock;
use sqlx::{Connection, PgConnection};
use std::sync::Arc;
use std::time::Instant;
use time::macros::datetime;

const DB: &str = "fullmakt_bench_guests";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let base = server.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(server.clone());
    let guests: i64 = std::env::var("GUESTS").ok().and_then(|g| g.parse().ok()).unwrap_or(100_000);
    let mut admin = PgConnection::connect(&format!("{base}/postgres")).await?;
    sqlx::query(&format!("drop database if exists {DB} with (force)")).execute(&mut admin).await?;
    sqlx::query(&format!("create database {DB}")).execute(&mut admin).await?;
    let pool = domain::db::connect_and_migrate(&format!("{base}/{DB}"), 6).await?;
    test_support::demo_world(&pool).await;

    // Today is 5 December 2026 in Norway; dates below are relative to it.
    let now = datetime!(2026-12-05 09:00 UTC);
    let t = Instant::now();
    // Guest i: 0..2000 end today (deactivate); 2000..4000 end in 7 days with T−14 sent (T−7 due);
    // 4000..5000 deactivated 200 days ago (delete); the rest active, ending in 20 to 79 days.
    sqlx::query(
        r#"with u as (select id as unit, institution_id as inst from org_unit where code = 'NAT'),
                s as (select id as sponsor from party where national_id = '24818910181'),
                g as (select i, gen_random_uuid() as person, gen_random_uuid() as account from generate_series(0, $1 - 1) i),
                p as (insert into party (id, kind, name) select person, 'person', 'Gjest ' || i from g returning id),
                c as (insert into person_contact (person_id, given_name, surname, email, updated_at)
                      select person, 'Gjest', 'Nr' || i, 'gjest' || i || '@example.org', $2 from g),
                n as (insert into person_username (institution_id, username, person_id, created_at)
                      select u.inst, 'bench' || i, person, $2 from g, u)
           select count(*) from g"#,
    )
    .bind(guests)
    .bind(now)
    .execute(&pool)
    .await?;
    sqlx::query(
        r#"insert into guest_account (id, institution_id, unit_id, person_id, sponsor_id, registered_by, guest_type, username, state,
                                      start_date, end_date, invite_on, invited_at, claimed_at, deactivated_at, created_at, updated_at)
           select gen_random_uuid(), u.institution_id, u.id, pu.person_id, s.id, s.id, 'short-term', pu.username,
                  case when i >= 4000 and i < 5000 then 'deactivated' else 'active' end,
                  case when i >= 4000 and i < 5000 then date '2026-05-01' else date '2026-11-20' end,
                  case when i < 2000 then date '2026-12-05' when i < 4000 then date '2026-12-12'
                       when i < 5000 then date '2026-05-19' else date '2026-12-25' + (i % 60) end,
                  date '2026-11-20', $1, $1,
                  case when i >= 4000 and i < 5000 then $1 - interval '200 days' end, $1, $1
           from (select substr(username, 6)::int as i, person_id, username from person_username where username like 'bench%') pu,
                org_unit u, party s
           where u.code = 'NAT' and s.national_id = '24818910181'"#,
    )
    .bind(now)
    .execute(&pool)
    .await?;
    sqlx::query(
        "insert into guest_account_notice (account_id, days_before, sent_at)
         select id, 14, $1 from guest_account where end_date = date '2026-12-12'",
    )
    .bind(now)
    .execute(&pool)
    .await?;
    sqlx::query("analyze").execute(&pool).await?;
    println!("{guests} guests written in {:.1} s", t.elapsed().as_secs_f64());

    let clock = Arc::new(FixedClock::at(now));
    let services = domain::Services::start(pool.clone(), clock).await?;
    let (one, two) = (services.for_operator("lifecycle 1"), services.for_operator("lifecycle 2"));
    let t = Instant::now();
    let (a, b) = tokio::join!(domain::guests::jobs::run(&one), domain::guests::jobs::run(&two));
    let elapsed = t.elapsed().as_secs_f64();
    let (a, b) = (a?, b?);
    println!("two instances at once: {elapsed:.2} s");
    for (name, r) in [("instance 1", a), ("instance 2", b)] {
        println!("  {name}: {} deactivated, {} notices, {} deleted, {} invited", r.deactivated, r.notices, r.deleted, r.invited);
    }
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await }
    };
    println!(
        "in the database: {} deactivations, {} T-7 notices, {} deletions, {} transitions, {} e-mails queued",
        count("select count(*) from guest_account_transition where rule = 'lifecycle' and to_state = 'deactivated'").await?,
        count("select count(*) from guest_account_notice where days_before = 7").await?,
        count("select count(*) from guest_account_transition where to_state = 'deleted'").await?,
        count("select count(*) from guest_account_transition").await?,
        count("select count(*) from notification where kind = 'guest.expiring'").await?,
    );
    let t = Instant::now();
    let again = domain::guests::jobs::run(&one).await?;
    println!("a third run right after: {:.2} s, {} things done", t.elapsed().as_secs_f64(), again.deactivated + again.notices + again.deleted + again.invited);
    pool.close().await;
    sqlx::query(&format!("drop database if exists {DB} with (force)")).execute(&mut admin).await?;
    Ok(())
}
