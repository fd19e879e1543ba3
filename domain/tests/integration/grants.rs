//! Direct grants against PostgreSQL: the rules of who may give what, and that a
//! grant and its revocation reach the decision engine.

use domain::clock::SystemClock;
use domain::decisions::store::load_snapshot;
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::grants::{grant_package_to, revoke, GrantError, Recipient};
use domain::parties::{OrgNumber, PartyId};
use domain::resources::{save, ResourceError, ResourceForSave};
use sqlx::PgPool;
use test_support::{acting, demo, demo_world, org, person, resource, save_resource, services};

async fn setup(pool: &PgPool) {
    demo_world(pool).await;
    save_resource(pool, demo::SERVICE_OWNER, &vat_resource()).await;
}

fn vat_resource() -> ResourceForSave {
    resource("mva-melding", "merverdiavgift", &["read", "write"])
}

async fn permits(pool: &PgPool, subject: PartyId, party: PartyId) -> Outcome {
    let s = load_snapshot(pool).await.unwrap();
    decide(&s, &DecisionRequest { subject: SubjectRef::Party(subject.0), action: "read", resource: "mva-melding", party: party.0, env: Env::now() }).outcome
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_granted_package_permits_until_revoked(pool: PgPool) {
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await;
    let gunn = person(&pool, "11839110083").await;
    assert_eq!(permits(&pool, gunn, bakery).await, Outcome::NotApplicable);
    let sv = services(&pool).await;
    let id = grant_package_to(&acting(&sv, bjorn, bakery), Recipient::Party(gunn), "merverdiavgift").await.unwrap();
    assert_eq!(permits(&pool, gunn, bakery).await, Outcome::Permit);
    revoke(&acting(&sv, bjorn, bakery), id).await.unwrap();
    assert_eq!(permits(&pool, gunn, bakery).await, Outcome::NotApplicable);
    let audited: Vec<String> =
        sqlx::query_scalar("select action from audit_event where action like 'grant.%' and outcome = 'success' order by occurred_at, id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(audited, ["grant.package", "grant.revoke"]);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn grants_that_break_a_rule_are_refused_and_change_nothing(pool: PgPool) {
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await;
    let kari = person(&pool, "12887510170").await;
    let gunn = person(&pool, "11839110083").await;
    let sv = services(&pool).await;
    let g = |granter, recipient, package: &'static str| {
        let sv = &sv;
        async move { grant_package_to(&acting(sv, granter, bakery), Recipient::Party(recipient), package).await }
    };
    assert!(matches!(g(kari, gunn, "merverdiavgift").await, Err(GrantError::NotAccessManager)));
    assert!(matches!(g(bjorn, bjorn, "merverdiavgift").await, Err(GrantError::SelfAssignment)));
    assert!(matches!(g(bjorn, gunn, "regnskapsforer-med-signeringsrettighet").await, Err(GrantError::NotAssignable(_))));
    assert!(matches!(g(bjorn, gunn, "no-such-package").await, Err(GrantError::UnknownPackage(_))));
    assert!(matches!(g(bjorn, PartyId(uuid::Uuid::now_v7()), "merverdiavgift").await, Err(GrantError::UnknownRecipient)));
    let grants: i64 = sqlx::query_scalar("select count(*) from access_grant").fetch_one(&pool).await.unwrap();
    assert_eq!(grants, 0, "nothing was granted");
    let refusals: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'grant.package' and outcome = 'refused'").fetch_one(&pool).await.unwrap();
    assert_eq!(refusals, 5, "every refusal is audited");

    g(bjorn, gunn, "merverdiavgift").await.unwrap();
    assert!(matches!(g(bjorn, gunn, "merverdiavgift").await, Err(GrantError::AlreadyGranted(_))));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_access_manager_may_pass_on_only_what_they_hold(pool: PgPool) {
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await;
    let gunn = person(&pool, "11839110083").await;
    let sara = person(&pool, "24818910181").await;
    let sv = services(&pool).await;
    grant_package_to(&acting(&sv, bjorn, bakery), Recipient::Party(gunn), "tilgangsstyrer").await.unwrap();
    grant_package_to(&acting(&sv, bjorn, bakery), Recipient::Party(gunn), "merverdiavgift").await.unwrap();
    // Gunn now manages access for the bakery and holds merverdiavgift, but not skatt-naering.
    grant_package_to(&acting(&sv, gunn, bakery), Recipient::Party(sara), "merverdiavgift").await.unwrap();
    let err = grant_package_to(&acting(&sv, gunn, bakery), Recipient::Party(sara), "skatt-naering").await.unwrap_err();
    assert!(matches!(err, GrantError::MayNotPassOn(_)), "{err:?}");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_resource_belongs_to_its_owner_and_must_be_well_formed(pool: PgPool) {
    setup(&pool).await;
    let other = OrgNumber::try_from("991825827").unwrap();
    let err = save(&test_support::operator(&pool).await, &other, &vat_resource()).await.unwrap_err();
    assert!(matches!(err, ResourceError::NotOwner));
    let mut bad = vat_resource();
    bad.id = "Bad Id".into();
    bad.policy.rules.clear();
    let err = save(&test_support::operator(&pool).await, &other, &bad).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("id must be") && msg.contains("no rules"), "{msg}");
}

/// The live engine applies grants and revocations in place (the feed names
/// the grant), and the result decides as a full rebuild does; a change the
/// feed cannot name in place makes it rebuild.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_live_engine_applies_grants_in_place_and_rebuilds_for_other_changes(pool: PgPool) {
    use domain::decisions::live::Engine;
    use domain::decisions::store::changes_since;
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let bjorn = person(&pool, "14928810047").await;
    let gunn = person(&pool, "11839110083").await;
    let engine = Engine::load(&pool).await.unwrap();
    let sv = domain::Services { db: pool.clone(), clock: std::sync::Arc::new(SystemClock), engine: engine.clone(), settings: domain::Settings::default() };
    let before = engine.snapshot();
    let ask = |party: PartyId| {
        let s = engine.snapshot();
        decide(&s, &DecisionRequest { subject: SubjectRef::Party(gunn.0), action: "read", resource: "mva-melding", party: party.0, env: Env::now() }).outcome
    };

    let id = grant_package_to(&acting(&sv, bjorn, bakery), Recipient::Party(gunn), "merverdiavgift").await.unwrap();
    let batch = changes_since(&pool, before.version, 100).await.unwrap().expect("a grant is applied in place");
    assert_eq!(batch.grants.len(), 1);
    assert!(batch.grants[0].id == id && batch.grants[0].in_force);
    // Read-your-writes: the use case brought the engine up to date before returning.
    assert_eq!(engine.snapshot().version, batch.version);
    assert_eq!(ask(bakery), Outcome::Permit);

    revoke(&acting(&sv, bjorn, bakery), id).await.unwrap();
    assert_eq!(ask(bakery), Outcome::NotApplicable);
    let batch = changes_since(&pool, before.version, 100).await.unwrap().expect("in place");
    assert!(!batch.grants[0].in_force, "one entry per grant, as it stands now");
    let rebuilt = load_snapshot(&pool).await.unwrap();
    assert_eq!(rebuilt.facts(gunn.0, bakery.0), engine.snapshot().facts(gunn.0, bakery.0));
    assert_eq!(rebuilt.parties_of(gunn.0), engine.snapshot().parties_of(gunn.0));

    // A register import cannot be applied in place.
    let version = engine.snapshot().version;
    let mut tx = pool.begin().await.unwrap();
    domain::decisions::store::record_change(&mut tx, domain::decisions::store::Change::Rebuild("register-import")).await.unwrap();
    tx.commit().await.unwrap();
    assert!(changes_since(&pool, version, 100).await.unwrap().is_none());
    engine.refresh_now(&pool).await;
    assert!(engine.snapshot().version > version, "rebuilt whole");
    // Nor can more changes than the limit.
    assert!(changes_since(&pool, 0, 1).await.unwrap().is_none());
}

/// A system register entry and a system user of `party`, as the system
/// register (a later issue) will make them.
async fn system_user(pool: &PgPool, party: PartyId, user_type: &str, title: &str) -> uuid::Uuid {
    sqlx::query(
        "insert into system_register (system_id, vendor_org_number, name_nb) values ('310100005_lonn', '310100005', 'Lønn Pluss') on conflict do nothing",
    )
    .execute(pool)
    .await
    .unwrap();
    let id = uuid::Uuid::now_v7();
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref, user_type, integration_title) values ($1, '310100005_lonn', $2, $3, $4, $5)")
        .bind(id)
        .bind(party.0)
        .bind(id.to_string())
        .bind(user_type)
        .bind(title)
        .execute(pool)
        .await
        .unwrap();
    id
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_party_gives_its_own_system_user_a_package_and_no_one_elses(pool: PgPool) {
    use domain::grants::system_users_of;
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let kystfisk = org(&pool, "310600008").await;
    let bjorn = person(&pool, "14928810047").await;
    let ours = system_user(&pool, bakery, "standard", "Lønn for bakeriet").await;
    let agent = system_user(&pool, bakery, "agent", "").await;
    let theirs = system_user(&pool, kystfisk, "standard", "").await;
    let demo = (uuid::Uuid::from_u128(domain::demo::SYSTEM_USER.0), domain::demo::SYSTEM_USER.2.to_string());
    let sv = services(&pool).await;
    assert_eq!(system_users_of(&acting(&sv, bjorn, bakery)).await.unwrap(), [(ours, "Lønn for bakeriet".to_string()), demo], "agents are not listed");

    let snapshot = load_snapshot(&pool).await.unwrap();
    let grants_before: i64 = sqlx::query_scalar("select count(*) from access_grant").fetch_one(&pool).await.unwrap();
    for (su, expected) in [(theirs, "ForeignSystemUser"), (agent, "AgentSystemUser"), (uuid::Uuid::now_v7(), "ForeignSystemUser")] {
        let err = grant_package_to(&acting(&sv, bjorn, bakery), Recipient::SystemUser(su), "merverdiavgift").await.unwrap_err();
        assert_eq!(format!("{err:?}"), expected);
    }
    let grants_after: i64 = sqlx::query_scalar("select count(*) from access_grant").fetch_one(&pool).await.unwrap();
    assert_eq!(grants_before, grants_after, "refusals change nothing");
    let refusals: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'grant.package' and outcome = 'refused'").fetch_one(&pool).await.unwrap();
    assert_eq!(refusals, 3);

    let ask = |s: &domain::decisions::Snapshot| {
        decide(s, &DecisionRequest { subject: SubjectRef::SystemUser(ours), action: "read", resource: "mva-melding", party: bakery.0, env: Env::now() }).outcome
    };
    assert_eq!(ask(&snapshot), Outcome::NotApplicable);
    grant_package_to(&acting(&sv, bjorn, bakery), Recipient::SystemUser(ours), "merverdiavgift").await.unwrap();
    let snapshot = load_snapshot(&pool).await.unwrap();
    assert_eq!(ask(&snapshot), Outcome::Permit);
    let holders = domain::grants::who_has_access(&acting(&sv, bjorn, bakery)).unwrap();
    assert!(holders.iter().any(|h| h.name == "Lønn for bakeriet" && h.items.iter().any(|i| i.what == "package:merverdiavgift")), "{holders:?}");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn who_has_access_and_giving_are_refused_in_the_domain_to_those_who_do_not_manage_access(pool: PgPool) {
    use domain::grants::{assignable_packages, give, system_users_of, who_has_access, RecipientQuery};
    setup(&pool).await;
    let sv = services(&pool).await;
    let bakery = org(&pool, demo::BAKERY).await;
    let kari = person(&pool, demo::KARI).await;
    let bjorn = person(&pool, demo::BJORN).await;
    let outsider = acting(&sv, kari, bakery);
    assert!(matches!(who_has_access(&outsider), Err(GrantError::NotAccessManager)));
    assert!(matches!(assignable_packages(&outsider).await, Err(GrantError::NotAccessManager)));
    assert!(matches!(system_users_of(&outsider).await, Err(GrantError::NotAccessManager)));
    let gunn = RecipientQuery::Person { national_id: demo::GUNN.into(), surname: "Gjest".into() };
    assert!(matches!(give(&outsider, &gunn, &["merverdiavgift".into()]).await, Err(GrantError::NotAccessManager)));
    // Without a chosen party there is nobody to manage access for.
    let nowhere = sv.for_person(bjorn, "Bjørn", None, None);
    assert!(matches!(who_has_access(&nowhere), Err(GrantError::NotAccessManager)));
    let grants: i64 = sqlx::query_scalar("select count(*) from access_grant").fetch_one(&pool).await.unwrap();
    assert_eq!(grants, 0);

    // The access manager sees the holders and gives, per package.
    let manager = acting(&sv, bjorn, bakery);
    assert!(who_has_access(&manager).unwrap().iter().any(|h| h.name == "Bjørn Hansen"));
    let given = give(&manager, &gunn, &["merverdiavgift".into(), " merverdiavgift".into(), "no-such-package".into()]).await.unwrap();
    assert_eq!(given.recipient, "Gunn Gjest");
    let outcomes: Vec<(&str, bool)> = given.outcomes.iter().map(|o| (o.code.as_str(), o.refused.is_none())).collect();
    assert_eq!(outcomes, [("merverdiavgift", true), ("no-such-package", false)], "each package once, refusals per package");
    assert!(who_has_access(&manager).unwrap().iter().any(|h| h.name == "Gunn Gjest"), "read-your-writes");
    // A person is found only by number and surname together.
    let wrong_surname = RecipientQuery::Person { national_id: demo::GUNN.into(), surname: "Hansen".into() };
    assert!(matches!(give(&manager, &wrong_surname, &["merverdiavgift".into()]).await, Err(GrantError::NoSuchPerson)));
    let bad_number = RecipientQuery::Person { national_id: "123".into(), surname: "Gjest".into() };
    assert!(matches!(give(&manager, &bad_number, &["merverdiavgift".into()]).await, Err(GrantError::Invalid(f)) if f.starts_with("national_id:")));
}
