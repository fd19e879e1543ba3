//! PostgreSQL-backed tests of the stores and use cases; each test gets its own database.

use domain::audit::{self, Actor, AuditEvent, AuditFilter, Outcome, UnitOfWork, UnitOfWorkError};
use domain::authorized_parties::{acting_parties, choose_acting_party, ensure_may_act_for, ActingPartyError};
use domain::clock::SystemClock;
use domain::parties::{store as parties, NationalId, OrgNumber, SyntheticIds};
use sqlx::PgPool;

/// `who`'s use-case context, acting for nobody yet.
async fn as_person(pool: &PgPool, who: &domain::parties::Party) -> domain::Context {
    test_support::services(pool).await.for_person(who.id, who.name.clone(), None, None)
}

async fn with_demo(pool: &PgPool) {
    test_support::demo_world(pool).await;
}

async fn person(pool: &PgPool, nin: &str) -> domain::parties::Party {
    let mut conn = pool.acquire().await.unwrap();
    parties::find_by_national_id(&mut conn, &NationalId::parse(nin, SyntheticIds::Accept).unwrap()).await.unwrap().expect("person exists")
}

async fn org(pool: &PgPool, org: &str) -> domain::parties::Party {
    let mut conn = pool.acquire().await.unwrap();
    parties::find_by_org_number(&mut conn, &OrgNumber::try_from(org).unwrap()).await.unwrap().expect("org exists")
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn demo_data_loads_twice_without_duplicates(pool: PgPool) {
    with_demo(&pool).await;
    with_demo(&pool).await;
    let count: i64 = sqlx::query_scalar("select count(*) from party").fetch_one(&pool).await.unwrap();
    assert_eq!(count as usize, domain::demo::ORGANISATIONS.len() + domain::demo::PERSONS.len());
    let roles: i64 = sqlx::query_scalar("select count(*) from register_role").fetch_one(&pool).await.unwrap();
    assert_eq!(roles as usize, domain::demo::REGISTER_ROLES.len());
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_person_may_act_for_themselves_and_where_they_hold_a_role(pool: PgPool) {
    with_demo(&pool).await;
    let per = person(&pool, "21926310140").await;
    let ctx = as_person(&pool, &per).await;
    let list = acting_parties(&ctx, None).await.unwrap();
    let names: Vec<_> = list.iter().map(|p| p.party.name.as_str()).collect();
    // Per runs the auditing firm (key role DAGL), which audits the bakery (REVI).
    assert_eq!(names, ["Per Revisorsen", "Bakeri Hansen AS", "Kystfisk AS", "Revisjon Nord AS"]);
    assert_eq!(list[0].reasons, ["SELF"]);
    assert_eq!(list[1].reasons, ["REVI"]);
    assert_eq!(list[2].reasons, ["DAGL", "REVI"]);
    let searched = acting_parties(&ctx, Some("kyst")).await.unwrap();
    assert_eq!(searched.len(), 1);
    let by_number = acting_parties(&ctx, Some("310200")).await.unwrap();
    assert_eq!(by_number[0].party.name, "Revisjon Nord AS");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_main_unit_role_reaches_its_sub_units(pool: PgPool) {
    with_demo(&pool).await;
    let ada = person(&pool, "05858510084").await;
    let names: Vec<_> = acting_parties(&as_person(&pool, &ada).await, None).await.unwrap().into_iter().map(|p| p.party.name).collect();
    assert!(names.contains(&"Fakultet for naturvitenskap".to_string()), "{names:?}");
    assert!(names.contains(&"Universitetet i Fjordby".to_string()), "{names:?}");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn acting_for_a_stranger_is_refused(pool: PgPool) {
    with_demo(&pool).await;
    let kari = person(&pool, "12887510170").await;
    let bakery = org(&pool, "310400009").await;
    let err = ensure_may_act_for(&as_person(&pool, &kari).await, bakery.id).await.unwrap_err();
    assert!(matches!(err, ActingPartyError::NotAllowed), "{err:?}");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_change_without_an_audit_record_is_rolled_back(pool: PgPool) {
    let mut uow = UnitOfWork::begin(&pool, Actor::system("test"), &SystemClock).await.unwrap();
    parties::upsert_organisation(
        uow.conn(),
        &domain::parties::model::OrganisationForCreate {
            org_number: OrgNumber::try_from("310000000").unwrap(),
            name: "Unaudited AS".into(),
            org_form: domain::parties::OrgForm::try_from("AS".to_string()).unwrap(),
            parent: None,
        },
    )
    .await
    .unwrap();
    let err = uow.commit().await.unwrap_err();
    assert!(matches!(err, UnitOfWorkError::NotAudited));
    let count: i64 = sqlx::query_scalar("select count(*) from party").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 0, "the unaudited change must not be committed");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn audit_rows_cannot_be_changed_or_deleted(pool: PgPool) {
    audit::record(&pool, Actor::system("test"), &SystemClock, AuditEvent::new("x", "y", Outcome::Success, serde_json::json!({}))).await.unwrap();
    let upd = sqlx::query("update audit_event set action = 'z'").execute(&pool).await;
    assert!(upd.is_err(), "update must be refused");
    let del = sqlx::query("delete from audit_event").execute(&pool).await;
    assert!(del.is_err(), "delete must be refused");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_party_sees_only_its_own_audit_trail_with_filters(pool: PgPool) {
    with_demo(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let kystfisk = org(&pool, "310600008").await;
    let bjorn = person(&pool, "14928810047").await;
    let actor = |on| Actor { party: Some(bjorn.id), label: "Bjørn Hansen".into(), on_behalf_of: Some(on), request_id: Some("req-1".into()) };
    audit::record(&pool, actor(bakery.id), &SystemClock, AuditEvent::new("party.choose", "bakery", Outcome::Success, serde_json::json!({}))).await.unwrap();
    audit::record(&pool, actor(bakery.id), &SystemClock, AuditEvent::new("login", "bakery", Outcome::Refused, serde_json::json!({}))).await.unwrap();
    audit::record(&pool, actor(kystfisk.id), &SystemClock, AuditEvent::new("party.choose", "kyst", Outcome::Success, serde_json::json!({}))).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let all = audit::list_for_party(&mut conn, bakery.id, &AuditFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.target == "bakery"));
    let refused = audit::list_for_party(&mut conn, bakery.id, &AuditFilter { outcome: Some("refused".into()), ..Default::default() }).await.unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].request_id.as_deref(), Some("req-1"));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn only_access_managers_read_the_audit_trail(pool: PgPool) {
    use domain::audit_trail::{trail, AuditTrailError};
    with_demo(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await; // DAGL of the bakery
    let ola = person(&pool, "03908110020").await; // the bakery's accountant's manager: REGN gives no access-manager package
    let sv = test_support::services(&pool).await;
    assert!(trail(&test_support::acting(&sv, bjorn.id, bakery.id), &AuditFilter::default()).await.is_ok());
    let err = trail(&test_support::acting(&sv, ola.id, bakery.id), &AuditFilter::default()).await.unwrap_err();
    assert!(matches!(err, AuditTrailError::NotAccessManager));
    // A person reads their own trail, and nobody reads without a party.
    assert!(trail(&test_support::acting(&sv, ola.id, ola.id), &AuditFilter::default()).await.is_ok());
    let err = trail(&sv.for_person(bjorn.id, "Bjørn", None, None), &AuditFilter::default()).await.unwrap_err();
    assert!(matches!(err, AuditTrailError::NotAccessManager));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn choosing_a_party_is_audited_both_ways(pool: PgPool) {
    with_demo(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await;
    let kari = person(&pool, "12887510170").await;
    choose_acting_party(&as_person(&pool, &bjorn).await, bakery.id).await.unwrap();
    let refused = choose_acting_party(&as_person(&pool, &kari).await, bakery.id).await.unwrap_err();
    assert!(matches!(refused, ActingPartyError::NotAllowed));
    let rows: Vec<(String, String)> =
        sqlx::query_as("select actor_label, outcome from audit_event where action = 'party.choose' order by occurred_at, id").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, [("Bjørn Hansen".to_string(), "success".to_string()), ("Kari Nordmann".to_string(), "refused".to_string())]);
}

/// The pool pings a connection idle longer than its limit before handing it
/// out, so one the server dropped meanwhile is replaced unseen; without the
/// ping the next statement fails.
#[sqlx::test(migrations = false)]
async fn a_connection_dropped_while_idle_is_replaced_before_anyone_uses_it(_: sqlx::postgres::PgPoolOptions, options: sqlx::postgres::PgConnectOptions) {
    use sqlx::Connection;
    use std::time::Duration;
    async fn drop_the_pools_connection(pool: &PgPool, options: &sqlx::postgres::PgConnectOptions) -> i32 {
        let pid: i32 = sqlx::query_scalar("select pg_backend_pid()").fetch_one(pool).await.unwrap();
        let mut admin = sqlx::PgConnection::connect_with(options).await.unwrap();
        sqlx::query("select pg_terminate_backend($1)").bind(pid).execute(&mut admin).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        pid
    }
    let pinging = domain::db::pool_options(1, Duration::from_millis(50)).connect_with(options.clone()).await.unwrap();
    let dropped = drop_the_pools_connection(&pinging, &options).await;
    let now: i32 = sqlx::query_scalar("select pg_backend_pid()").fetch_one(&pinging).await.expect("a fresh connection");
    assert_ne!(now, dropped);

    let trusting = domain::db::pool_options(1, Duration::from_secs(3600)).connect_with(options.clone()).await.unwrap();
    drop_the_pools_connection(&trusting, &options).await;
    assert!(sqlx::query("select 1").execute(&trusting).await.is_err(), "an unpinged dead connection fails its statement");
}
