//! The system register against PostgreSQL: a vendor's person or API client
//! registers, reads, changes and deletes systems; others are refused and
//! audited; every change is in the change log; bad input changes nothing.

use domain::authz::Scopes;
use domain::parties::PartyId;
use domain::system_register::{service, ChangeType, SystemForCreate, SystemRegisterError, SystemRight, Translated, Violation};
use domain::Context;
use sqlx::PgPool;
use test_support::demo as nin;

const VENDOR: &str = "310000000"; // Regnskapsappen AS; Kari is its general manager
const SKATT: &str = "urn:altinn:accesspackage:skatt-naering";
const REGNSKAPSFORER_LONN: &str = "urn:altinn:accesspackage:regnskapsforer-lonn";
const CLIENT: &str = "0193aaaa-0000-7000-8000-000000000001";
const OTHER_CLIENT: &str = "0193aaaa-0000-7000-8000-000000000002";

fn text(s: &str) -> Translated {
    Translated { nb: s.into(), nn: s.into(), en: s.into() }
}

fn system(name: &str) -> SystemForCreate {
    SystemForCreate {
        id: format!("{VENDOR}_{name}"),
        vendor: VENDOR.into(),
        name: text("Lønn Pluss"),
        description: text("Lønn for små bedrifter"),
        rights: vec![SystemRight { resource: "fjordby-rapportering".into(), action: Some("read".into()) }],
        packages: vec![SKATT.into()],
        client_ids: vec![CLIENT.into()],
        redirect_urls: vec!["https://lonn.example/kvittering".into()],
        is_visible: true,
    }
}

async fn setup(pool: &PgPool) -> (PartyId, PartyId) {
    test_support::demo_world(pool).await;
    let vendor = test_support::org(pool, VENDOR).await;
    let bakery = test_support::org(pool, "310400009").await;
    for (id, owner) in [(CLIENT, vendor), (OTHER_CLIENT, bakery)] {
        sqlx::query("insert into api_client (client_id, owner_party_id, display_name, created_at) values ($1, $2, 'test', now())")
            .bind(id)
            .bind(owner.0)
            .execute(pool)
            .await
            .unwrap();
    }
    (vendor, bakery)
}

async fn kari(pool: &PgPool, vendor: PartyId) -> Context {
    test_support::acting(&test_support::services(pool).await, test_support::person(pool, nin::KARI).await, vendor)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_vendors_manager_registers_changes_and_deletes_a_system(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let ctx = kari(&pool, vendor).await;
    let created = service::create(&ctx, &system("lonn")).await.unwrap();
    assert_eq!(created.vendor_name.as_deref(), Some("Regnskapsappen AS"));
    assert_eq!(created.packages[0].code, "skatt-naering");
    assert_eq!(created.rights[0].title.en, "Reporting to the University of Fjordby");
    assert_eq!(service::list(&ctx).await.unwrap().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["310000000_demo", "310000000_lonn"]);

    let mut changed = system("lonn");
    changed.name.en = "Payroll Plus".into();
    changed.redirect_urls.push("https://lonn.example/andre".into());
    assert_eq!(service::update(&ctx, "310000000_lonn", &changed).await.unwrap().name.en, "Payroll Plus");
    let rights = [SystemRight { resource: "fjordby-rapportering".into(), action: None }];
    assert_eq!(service::set_rights(&ctx, "310000000_lonn", &rights).await.unwrap().rights[0].action, None);
    let s = service::set_packages(&ctx, "310000000_lonn", &[SKATT.into(), "urn:altinn:accesspackage:merverdiavgift".into()]).await.unwrap();
    assert_eq!(s.packages.len(), 2);

    service::delete(&ctx, "310000000_lonn").await.unwrap();
    let deleted = service::get(&ctx, "310000000_lonn").await.unwrap();
    assert!(deleted.is_deleted && deleted.client_ids.is_empty(), "deleted, and its client ids are free again");
    assert!(!service::list(&ctx).await.unwrap().iter().any(|s| s.id == "310000000_lonn"));
    assert!(matches!(service::update(&ctx, "310000000_lonn", &changed).await, Err(SystemRegisterError::Deleted)));
    assert!(matches!(service::create(&ctx, &system("lonn")).await, Err(SystemRegisterError::Invalid(v)) if v == [Violation::IdTaken("310000000_lonn".into())]));

    let log: Vec<ChangeType> = service::change_log(&ctx, "310000000_lonn").await.unwrap().iter().map(|e| e.change_type).collect();
    assert_eq!(log, [ChangeType::Create, ChangeType::Update, ChangeType::RightsUpdate, ChangeType::AccessPackageUpdate, ChangeType::Delete]);
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system.%' and outcome = 'success'").await, 5);
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system.%' and outcome = 'refused'").await, 2);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn another_organisations_people_and_clients_are_refused_and_audited(pool: PgPool) {
    let (vendor, bakery) = setup(&pool).await;
    let services = test_support::services(&pool).await;
    service::create(&kari(&pool, vendor).await, &system("lonn")).await.unwrap();
    let bjorn = test_support::acting(&services, test_support::person(&pool, nin::BJORN).await, bakery);
    assert!(matches!(service::create(&bjorn, &system("annet")).await, Err(SystemRegisterError::NotAllowed)));
    assert!(matches!(service::get(&bjorn, "310000000_lonn").await, Err(SystemRegisterError::NotFound)), "not found, not forbidden: ids cannot be probed");
    assert!(matches!(service::delete(&bjorn, "310000000_lonn").await, Err(SystemRegisterError::NotFound)));
    assert!(matches!(service::list(&bjorn).await, Ok(v) if v.is_empty()), "the bakery has no systems");

    let bakery_client = services.for_api_client(OTHER_CLIENT, bakery, Scopes::SYSTEM_REGISTER_WRITE, None);
    assert!(matches!(service::update(&bakery_client, "310000000_lonn", &system("lonn")).await, Err(SystemRegisterError::NotFound)));
    let without_scope = services.for_api_client(CLIENT, vendor, Scopes::API_CLIENTS_ADMIN, None);
    assert!(matches!(service::create(&without_scope, &system("annet")).await, Err(SystemRegisterError::NotAllowed)));
    assert_eq!(count(&pool, "select count(*) from system_register where system_id = '310000000_annet'").await, 0);
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system.%' and outcome = 'refused'").await, 4);

    // The operator's admin scope writes any vendor's systems.
    let admin = services.for_api_client(OTHER_CLIENT, bakery, Scopes::SYSTEM_REGISTER_ADMIN, None);
    service::set_packages(&admin, "310000000_lonn", &[]).await.unwrap();
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_vendors_client_registers_and_the_change_log_names_it(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let client = test_support::services(&pool).await.for_api_client(CLIENT, vendor, Scopes::SYSTEM_REGISTER_WRITE, None);
    service::create(&client, &system("lonn")).await.unwrap();
    let log = service::change_log(&client, "310000000_lonn").await.unwrap();
    assert_eq!(log[0].client_id.as_deref(), Some(CLIENT));
    assert_eq!(log[0].changed_by_org.as_deref(), Some(VENDOR));
    assert_eq!(log[0].changed_data["name"]["nb"], "Lønn Pluss");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn every_broken_rule_is_named_and_nothing_changes(pool: PgPool) {
    let (vendor, _) = setup(&pool).await;
    let ctx = kari(&pool, vendor).await;
    service::create(&ctx, &system("lonn")).await.unwrap();
    let before = count(&pool, "select count(*) from system_change_log").await;

    let mut bad = system("annet");
    bad.name.nn.clear();
    bad.rights.push(SystemRight { resource: "finnes-ikke".into(), action: None });
    bad.rights.push(SystemRight { resource: "fullmakt_access_management".into(), action: None });
    bad.packages.push(REGNSKAPSFORER_LONN.into());
    bad.client_ids.push(OTHER_CLIENT.into());
    bad.redirect_urls.push("http://lonn.example".into());
    let Err(SystemRegisterError::Invalid(v)) = service::create(&ctx, &bad).await else { panic!("refused") };
    for expected in [
        Violation::Name("nn"),
        Violation::RedirectUrl("http://lonn.example".into()),
        Violation::UnknownResource("finnes-ikke".into()),
        Violation::ResourceNotDelegable("fullmakt_access_management".into()),
        Violation::ClientIdInUse(CLIENT.into()),
        Violation::ClientIdNotVendors(OTHER_CLIENT.into()),
        Violation::VisibleWithClientPackages(REGNSKAPSFORER_LONN.into()),
    ] {
        assert!(v.contains(&expected), "{expected:?} in {v:?}");
    }
    let mut other_vendor = system("lonn");
    other_vendor.vendor = "310100005".into();
    other_vendor.id = "310100005_lonn".into();
    assert!(matches!(service::update(&ctx, "310000000_lonn", &other_vendor).await, Err(SystemRegisterError::NotFound)), "the vendor never changes");
    let mut mismatch = system("lonn");
    mismatch.id = "310000000_x".into();
    assert!(matches!(service::update(&ctx, "310000000_lonn", &mismatch).await, Err(SystemRegisterError::Invalid(v)) if v == [Violation::IdMismatch]));
    assert!(matches!(service::set_packages(&ctx, "310000000_lonn", &[REGNSKAPSFORER_LONN.into()]).await, Err(SystemRegisterError::Invalid(_))));
    assert_eq!(count(&pool, "select count(*) from system_change_log").await, before, "nothing changed");
    assert_eq!(count(&pool, "select count(*) from system_register").await, 2);
    // Its own client id is not "in use" when the system is replaced.
    service::update(&ctx, "310000000_lonn", &system("lonn")).await.unwrap();
}
