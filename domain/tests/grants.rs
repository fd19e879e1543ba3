//! Direct grants against PostgreSQL: the rules of who may give what, and that a
//! grant and its revocation reach the decision engine.

use domain::audit::Actor;
use domain::clock::SystemClock;
use domain::decisions::policy::{attr, Combining, Effect, Match, Policy, Rule};
use domain::decisions::store::load_snapshot;
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::grants::{grant_package, revoke, GrantError};
use domain::parties::{store as parties, NationalId, OrgNumber, PartyId, SyntheticIds};
use domain::resources::{save, ResourceError, ResourceForSave};
use sqlx::PgPool;

async fn setup(pool: &PgPool) {
    domain::catalogue::store::import(pool, Actor::system("test"), &SystemClock, &domain::catalogue::builtin(), "builtin").await.unwrap();
    domain::demo::load(pool, &SystemClock).await.unwrap();
    save(pool, &SystemClock, Actor::system("test"), &OrgNumber::try_from("974760673").unwrap(), &vat_resource()).await.unwrap();
}

fn vat_resource() -> ResourceForSave {
    ResourceForSave {
        id: "mva-melding".into(),
        title_nb: "MVA-melding".into(),
        title_nn: "MVA-melding".into(),
        title_en: "VAT return".into(),
        description: String::new(),
        resource_type: "GenericAccessResource".into(),
        delegable: true,
        policy: Policy {
            resource: String::new(),
            combining: Combining::DenyOverrides,
            rules: vec![Rule {
                id: "vat".into(),
                effect: Effect::Permit,
                subjects: vec![vec![Match { attribute: attr::ACCESS_PACKAGE.into(), value: "merverdiavgift".into(), ignore_case: true }]],
                actions: vec!["read".into(), "write".into()],
                description: String::new(),
            }],
            obligations: vec![],
        },
    }
}

async fn person(pool: &PgPool, nin: &str) -> PartyId {
    let mut c = pool.acquire().await.unwrap();
    parties::find_by_national_id(&mut c, &NationalId::parse(nin, SyntheticIds::Accept).unwrap()).await.unwrap().unwrap().id
}

async fn org(pool: &PgPool, n: &str) -> PartyId {
    let mut c = pool.acquire().await.unwrap();
    parties::find_by_org_number(&mut c, &OrgNumber::try_from(n).unwrap()).await.unwrap().unwrap().id
}

fn actor(p: PartyId) -> Actor {
    Actor { party: Some(p), label: p.to_string(), on_behalf_of: None, request_id: None }
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
    let snapshot = load_snapshot(&pool).await.unwrap();
    let id = grant_package(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, gunn, "merverdiavgift").await.unwrap();
    assert_eq!(permits(&pool, gunn, bakery).await, Outcome::Permit);
    let snapshot = load_snapshot(&pool).await.unwrap();
    revoke(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, id).await.unwrap();
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
    let snapshot = load_snapshot(&pool).await.unwrap();
    let g = |granter, recipient, package: &'static str| {
        let pool = pool.clone();
        let snapshot = &snapshot;
        async move { grant_package(&pool, &SystemClock, snapshot, actor(granter), granter, bakery, recipient, package).await }
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
    let snapshot = load_snapshot(&pool).await.unwrap();
    grant_package(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, gunn, "tilgangsstyrer").await.unwrap();
    grant_package(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, gunn, "merverdiavgift").await.unwrap();
    // Gunn now manages access for the bakery and holds merverdiavgift, but not skatt-naering.
    let snapshot = load_snapshot(&pool).await.unwrap();
    grant_package(&pool, &SystemClock, &snapshot, actor(gunn), gunn, bakery, sara, "merverdiavgift").await.unwrap();
    let err = grant_package(&pool, &SystemClock, &snapshot, actor(gunn), gunn, bakery, sara, "skatt-naering").await.unwrap_err();
    assert!(matches!(err, GrantError::MayNotPassOn(_)), "{err:?}");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_resource_belongs_to_its_owner_and_must_be_well_formed(pool: PgPool) {
    setup(&pool).await;
    let other = OrgNumber::try_from("991825827").unwrap();
    let err = save(&pool, &SystemClock, Actor::system("test"), &other, &vat_resource()).await.unwrap_err();
    assert!(matches!(err, ResourceError::NotOwner));
    let mut bad = vat_resource();
    bad.id = "Bad Id".into();
    bad.policy.rules.clear();
    let err = save(&pool, &SystemClock, Actor::system("test"), &other, &bad).await.unwrap_err();
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
    let before = engine.snapshot();
    let ask = |party: PartyId| {
        let s = engine.snapshot();
        decide(&s, &DecisionRequest { subject: SubjectRef::Party(gunn.0), action: "read", resource: "mva-melding", party: party.0, env: Env::now() }).outcome
    };

    let id = grant_package(&pool, &SystemClock, &before, actor(bjorn), bjorn, bakery, gunn, "merverdiavgift").await.unwrap();
    let batch = changes_since(&pool, before.version, 100).await.unwrap().expect("a grant is applied in place");
    assert_eq!(batch.grants.len(), 1);
    assert!(batch.grants[0].id == id && batch.grants[0].in_force);
    engine.refresh_now(&pool).await;
    assert_eq!(engine.snapshot().version, batch.version);
    assert_eq!(ask(bakery), Outcome::Permit);

    revoke(&pool, &SystemClock, &engine.snapshot(), actor(bjorn), bjorn, bakery, id).await.unwrap();
    engine.refresh_now(&pool).await;
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
    sqlx::query("insert into system_register (system_id, vendor_org_number, name) values ('310100005_lonn', '310100005', 'Lønn Pluss') on conflict do nothing")
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
    use domain::grants::{grant_package_to, system_users_of, Recipient};
    setup(&pool).await;
    let bakery = org(&pool, "310400009").await;
    let kystfisk = org(&pool, "310600008").await;
    let bjorn = person(&pool, "14928810047").await;
    let ours = system_user(&pool, bakery, "standard", "Lønn for bakeriet").await;
    let agent = system_user(&pool, bakery, "agent", "").await;
    let theirs = system_user(&pool, kystfisk, "standard", "").await;
    let demo = (uuid::Uuid::from_u128(domain::demo::SYSTEM_USER.0), domain::demo::SYSTEM_USER.2.to_string());
    assert_eq!(system_users_of(&pool, bakery).await.unwrap(), [(ours, "Lønn for bakeriet".to_string()), demo], "agents are not listed");

    let snapshot = load_snapshot(&pool).await.unwrap();
    let grants_before: i64 = sqlx::query_scalar("select count(*) from access_grant").fetch_one(&pool).await.unwrap();
    for (su, expected) in [(theirs, "ForeignSystemUser"), (agent, "AgentSystemUser"), (uuid::Uuid::now_v7(), "ForeignSystemUser")] {
        let err = grant_package_to(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, Recipient::SystemUser(su), "merverdiavgift").await.unwrap_err();
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
    grant_package_to(&pool, &SystemClock, &snapshot, actor(bjorn), bjorn, bakery, Recipient::SystemUser(ours), "merverdiavgift").await.unwrap();
    let snapshot = load_snapshot(&pool).await.unwrap();
    assert_eq!(ask(&snapshot), Outcome::Permit);
    let holders = domain::grants::who_has_access(&snapshot, bakery);
    assert!(holders.iter().any(|h| h.name == "Lønn for bakeriet" && h.items.iter().any(|i| i.what == "package:merverdiavgift")), "{holders:?}");
}
