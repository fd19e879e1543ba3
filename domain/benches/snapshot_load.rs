//! Snapshot load from PostgreSQL at population scale (issue 3 figures): the
//! generated population of `population.rs` is written with COPY into a
//! scratch database, then `load_snapshot` — the function every server
//! instance runs at start and on each change — is timed, with resident
//! memory. Then times one change committed → a snapshot rebuilt whole (what
//! changes other than grants and policies cost), and revocations committed →
//! applied in place by a listening engine, as on every server instance.
//! Asserts nothing.
//!
//! Run: `cargo bench -p domain --bench snapshot_load` with `DATABASE_URL`
//! naming a PostgreSQL server (the database `fullmakt_bench_load` is dropped
//! and created). SEED and SCALE as in the decisions bench.

#[path = "population.rs"]
mod population;

use domain::clock::SystemClock;
use domain::decisions::live::Engine;
use domain::decisions::store::{load_snapshot, record_change, Change};
use population::{rss_mib, Delegated, Population, ROLE_PACKAGES};
use sqlx::{Connection, PgConnection, PgPool};
use std::fmt::Write as _;
use std::time::Instant;

const DB: &str = "fullmakt_bench_load";

/// Streams CSV rows into `copy_sql` in chunks.
async fn copy(conn: &mut PgConnection, copy_sql: &str, rows: impl Iterator<Item = String>) -> sqlx::Result<u64> {
    let mut copy = conn.copy_in_raw(copy_sql).await?;
    let mut chunk = String::with_capacity(1 << 20);
    for row in rows {
        chunk.push_str(&row);
        chunk.push('\n');
        if chunk.len() > (1 << 20) - 512 {
            copy.send(chunk.as_bytes()).await?;
            chunk.clear();
        }
    }
    copy.send(chunk.as_bytes()).await?;
    copy.finish().await
}

async fn write_population(pool: &PgPool, pop: &Population) -> sqlx::Result<()> {
    let mut conn = pool.acquire().await?;
    // The bench's own role → package mapping, so both benches decide from the same facts.
    sqlx::query("delete from role_package").execute(&mut *conn).await?;
    for (role, key, packages, form) in ROLE_PACKAGES {
        sqlx::query("update role set is_key_role = $2 where code = $1").bind(role).bind(key).execute(&mut *conn).await?;
        for p in packages {
            sqlx::query(
                "insert into role_package (id, role_code, package_urn, org_form, has_access, can_delegate, can_assign)
                 select gen_random_uuid(), $1, urn, $2, true, false, false from access_package where code = $3",
            )
            .bind(role)
            .bind(form)
            .bind(p)
            .execute(&mut *conn)
            .await?;
        }
    }
    copy(
        &mut conn,
        "copy party (id, kind, name, org_number, org_form, national_id) from stdin (format csv)",
        pop.orgs
            .iter()
            .enumerate()
            .map(|(i, id)| format!("{id},organisation,Org {i},{},{},", Population::org_number(i), Population::org_form(i)))
            .chain(pop.persons.iter().enumerate().map(|(i, id)| format!("{id},person,Person {i},,,{}", Population::national_id(i)))),
    )
    .await?;
    copy(
        &mut conn,
        "copy register_role (id, role_code, holder_id, for_party_id) from stdin (format csv)",
        pop.register_roles.iter().map(|(holder, org, _, code)| format!("{},{code},{holder},{org}", uuid::Uuid::now_v7())),
    )
    .await?;
    copy(
        &mut conn,
        "copy resource (id, owner_org, title_nb, title_nn, title_en, policy) from stdin (format csv, quote '\"')",
        (0..pop.resources.len()).map(|i| {
            let policy = serde_json::to_string(&pop.policy(i)).unwrap_or_default().replace('"', "\"\"");
            format!("{},974760673,R{i},R{i},R{i},\"{policy}\"", pop.resources[i])
        }),
    )
    .await?;
    copy(
        &mut conn,
        "copy access_grant (id, from_party, to_subject, to_kind, package_code, resource_id, action) from stdin (format csv)",
        pop.grants.iter().map(|g| {
            let kind = if g.to_system_user { "system_user" } else { "party" };
            let mut row = format!("{},{},{},{kind},", uuid::Uuid::now_v7(), g.from, g.to);
            match g.what {
                Delegated::Package(p) => {
                    let _ = write!(row, "{p},,");
                }
                Delegated::Right(r, a) => {
                    let _ = write!(row, ",{},{a}", pop.resources[r]);
                }
            }
            row
        }),
    )
    .await?;
    sqlx::query("analyze").execute(&mut *conn).await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let base = server.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(server.clone());
    let mut admin = PgConnection::connect(&format!("{base}/postgres")).await?;
    sqlx::query(&format!("drop database if exists {DB} with (force)")).execute(&mut admin).await?;
    sqlx::query(&format!("create database {DB}")).execute(&mut admin).await?;
    let pool = domain::db::connect_and_migrate(&format!("{base}/{DB}"), 4).await?;
    let operator = domain::Services::start(pool.clone(), std::sync::Arc::new(SystemClock)).await?.for_operator("bench");
    domain::catalogue::store::import(&operator, &domain::catalogue::builtin(), "builtin").await?;

    let pop = Population::from_env();
    println!("population: {}", pop.describe());
    let t = Instant::now();
    write_population(&pool, &pop).await?;
    println!("written with COPY in {:.1} s", t.elapsed().as_secs_f64());
    drop(pop);

    let rss_before = rss_mib();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        drop(last.take()); // free the previous snapshot first, so RSS shows one
        let t = Instant::now();
        let s = load_snapshot(&pool).await?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(s);
    }
    let rss_after = rss_mib();
    let (parties, facts, policies) = last.as_ref().map(|s| s.counts()).unwrap_or_default();
    println!("snapshot: {parties} parties, {facts} (subject, party) pairs, {policies} policies");
    println!(
        "load_snapshot from PostgreSQL: {:.2} s, {:.2} s, {:.2} s; resident memory {:.0} MiB (+{:.0} MiB for the snapshot)",
        times[0],
        times[1],
        times[2],
        rss_after,
        rss_after - rss_before
    );

    // One grant committed, then rebuilt whole: what any other change costs.
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("update access_grant set valid_to = now() where id = (select id from access_grant where valid_to is null limit 1)").execute(&mut *tx).await?;
    record_change(&mut tx, Change::Rebuild("bench")).await?;
    tx.commit().await?;
    drop(last);
    let rebuilt = load_snapshot(&pool).await?;
    println!("one change committed → rebuilt snapshot: {:.2} s (full rebuild)", t.elapsed().as_secs_f64());

    // Revocations as a server instance sees them: its refresher hears the
    // notification and applies the change in place. Timed from just before
    // the commit to the moment the instance's snapshot no longer has the grant.
    let engine = Engine::fixed(rebuilt);
    engine.spawn_refresher(pool.clone());
    tokio::time::sleep(std::time::Duration::from_millis(200)).await; // let LISTEN take effect
    let mut lags = Vec::new();
    for offset in 0..20i64 {
        let (id, to, party): (uuid::Uuid, uuid::Uuid, uuid::Uuid) =
            sqlx::query_as("select id, to_subject, from_party from access_grant where valid_to is null order by id offset $1 limit 1")
                .bind(offset * 1000)
                .fetch_one(&pool)
                .await?;
        let t = Instant::now();
        let mut tx = pool.begin().await?;
        sqlx::query("update access_grant set valid_to = now() where id = $1").bind(id).execute(&mut *tx).await?;
        record_change(&mut tx, Change::Grant(id)).await?;
        tx.commit().await?;
        loop {
            let from_grant = |r: &domain::decisions::Reason| r.root_grant() == Some(id);
            let holds = |f: &domain::decisions::Facts| f.packages.iter().any(|(_, r)| from_grant(r)) || f.rights.iter().any(|(_, _, r)| from_grant(r));
            if !engine.snapshot().facts(to, party).is_some_and(holds) {
                break;
            }
            if t.elapsed().as_secs() > 30 {
                return Err("a revocation did not reach the engine in 30 s".into());
            }
            tokio::time::sleep(std::time::Duration::from_micros(200)).await;
        }
        lags.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lags.sort_by(f64::total_cmp);
    println!(
        "revocation committed → applied in place by a listening engine (20 revocations): median {:.1} ms, max {:.1} ms; resident memory {:.0} MiB",
        lags[lags.len() / 2],
        lags[lags.len() - 1],
        rss_mib()
    );
    drop(pool);
    sqlx::query(&format!("drop database if exists {DB} with (force)")).execute(&mut admin).await?;
    Ok(())
}
