//! The service owner's resource use cases against PostgreSQL: who may create,
//! change, delete, import and export, what is refused (audited, nothing
//! changed), and that the engine decides with what was saved.

use domain::decisions::policy::{attr, Effect, Match, Obligation, Policy, Rule};
use domain::decisions::store::load_snapshot;
use domain::decisions::xacml_xml::XmlPolicyError;
use domain::decisions::{decide, DecisionRequest, Env, Outcome, Snapshot, SubjectRef};
use domain::parties::{OrgNumber, PartyId};
use domain::resources::{self, ResourceError, ResourceForSave};
use sqlx::PgPool;

const BAKERY: &str = "310400009";
const BJORN: &str = "14928810047"; // DAGL of the bakery: manages its access
const KARI: &str = "12887510170"; // runs another company; nothing for the bakery
const GUNN: &str = "11839110083";

use test_support::{demo_world as setup, org, person};

/// The use-case context of `who`, or of the installation itself.
async fn ctx(pool: &PgPool, who: Option<PartyId>) -> domain::Context {
    let sv = test_support::services(pool).await;
    match who {
        Some(p) => sv.for_person(p, p.to_string(), None, None),
        None => sv.for_operator("test"),
    }
}

fn orders() -> ResourceForSave {
    ResourceForSave {
        id: "bakeri-bestilling".into(),
        title_nb: "Bestilling".into(),
        title_nn: "Bestilling".into(),
        title_en: "Orders".into(),
        description: "Bestill brød.".into(),
        resource_type: "GenericAccessResource".into(),
        delegable: true,
        policy: Policy::deny_overrides(vec![Rule {
            id: "order".into(),
            effect: Effect::Permit,
            subjects: vec![vec![Match { attribute: attr::PERSON_ID.into(), value: GUNN.into(), ignore_case: false }]],
            actions: vec!["read".into(), "write".into()],
            description: String::new(),
        }]),
    }
}

/// Altinn's layout, for resource `id`: DAGL may read and sign, the access
/// package `merverdiavgift` may read; level 3 required.
fn altinn_xml(id: &str, combining: &str) -> String {
    test_support::altinn_xml(id, combining, "vat", "merverdiavgift")
}

fn decision(snapshot: &Snapshot, subject: PartyId, action: &str, resource: &str, party: PartyId) -> Outcome {
    decide(snapshot, &DecisionRequest { subject: SubjectRef::Party(subject.0), action, resource, party: party.0, env: Env::now() }).outcome
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_access_manager_creates_changes_and_deletes_the_owners_resource(pool: PgPool) {
    setup(&pool).await;
    let bjorn = person(&pool, BJORN).await;
    let gunn = person(&pool, GUNN).await;
    let bakery = org(&pool, BAKERY).await;
    let owner = OrgNumber::try_from(BAKERY).unwrap();
    let c = ctx(&pool, Some(bjorn)).await;

    let created = resources::create(&c, &owner, &orders()).await.unwrap();
    assert_eq!(created.owner_org, BAKERY);
    assert_eq!(created.policy.resource, "bakeri-bestilling");
    let listed = resources::list(&ctx(&pool, None).await, Some(&owner)).await.unwrap();
    assert_eq!(listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["bakeri-bestilling"]);
    assert!(resources::list(&ctx(&pool, None).await, None).await.unwrap().len() >= 4, "system and demo resources are listed too");
    assert_eq!(decision(&load_snapshot(&pool).await.unwrap(), gunn, "write", "bakeri-bestilling", bakery), Outcome::Permit);

    let mut changed = orders();
    changed.title_en = "Bread orders".into();
    changed.policy.rules[0].actions = vec!["read".into()];
    resources::update(&c, "bakeri-bestilling", &changed).await.unwrap();
    let got = resources::get(&c, "bakeri-bestilling").await.unwrap();
    assert_eq!(got.title_en, "Bread orders");
    let after = load_snapshot(&pool).await.unwrap();
    assert_eq!(decision(&after, gunn, "write", "bakeri-bestilling", bakery), Outcome::NotApplicable, "the engine sees the new policy");
    assert_eq!(decision(&after, gunn, "read", "bakeri-bestilling", bakery), Outcome::Permit);

    resources::delete(&c, "bakeri-bestilling").await.unwrap();
    assert!(resources::list(&ctx(&pool, None).await, Some(&owner)).await.unwrap().is_empty());
    assert!(matches!(resources::get(&c, "bakeri-bestilling").await, Err(ResourceError::NotFound(_))));
    let audited: Vec<(String, Option<uuid::Uuid>)> = sqlx::query_as(
        "select action, on_behalf_of_id from audit_event where action like 'resource.%' and outcome = 'success' and actor_party_id is not null order by occurred_at, id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [("resource.create".to_string(), Some(bakery.0)), ("resource.update".to_string(), Some(bakery.0)), ("resource.delete".to_string(), Some(bakery.0))]
    );
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn someone_who_does_not_manage_the_owner_is_refused_and_nothing_changes(pool: PgPool) {
    setup(&pool).await;
    let kari = person(&pool, KARI).await;
    let owner = OrgNumber::try_from(BAKERY).unwrap();
    resources::create(&ctx(&pool, None).await, &owner, &orders()).await.unwrap();
    let before = resources::list(&ctx(&pool, None).await, None).await.unwrap();
    let c = ctx(&pool, Some(kari)).await;

    assert!(matches!(resources::create(&c, &owner, &ResourceForSave { id: "kari-sin".into(), ..orders() }).await, Err(ResourceError::NotAccessManager)));
    let mut changed = orders();
    changed.title_nb = "Kapret".into();
    assert!(matches!(resources::update(&c, "bakeri-bestilling", &changed).await, Err(ResourceError::NotAccessManager)));
    assert!(matches!(
        resources::import_policy(&c, "bakeri-bestilling", &altinn_xml("bakeri-bestilling", "deny-overrides")).await,
        Err(ResourceError::NotAccessManager)
    ));
    assert!(matches!(resources::delete(&c, "bakeri-bestilling").await, Err(ResourceError::NotAccessManager)));
    assert!(matches!(resources::get(&c, "bakeri-bestilling").await, Err(ResourceError::NotAccessManager)), "policies can name persons");
    assert!(matches!(resources::export_policy(&c, "bakeri-bestilling").await, Err(ResourceError::NotAccessManager)));
    // The demo service owner is managed by its own general manager, not Kari.
    let demo = domain::demo::demo_resource();
    assert!(matches!(resources::update(&c, &demo.id, &demo).await, Err(ResourceError::NotAccessManager)));

    assert_eq!(resources::list(&ctx(&pool, None).await, None).await.unwrap(), before, "nothing changed");
    let refused = count(&pool, "select count(*) from audit_event where action like 'resource.%' and outcome = 'refused'").await;
    assert_eq!(refused, 5, "every refused change is audited");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_portals_own_resources_are_not_changed_or_deleted_here(pool: PgPool) {
    setup(&pool).await;
    let bjorn = person(&pool, BJORN).await;
    let system = ctx(&pool, None).await;
    let c = ctx(&pool, Some(bjorn)).await;
    let own = resources::get(&system, "fullmakt_access_management").await.unwrap();
    assert!(matches!(resources::update(&c, &own.id, &own.for_save()).await, Err(ResourceError::SystemResource(_))));
    assert!(matches!(resources::delete(&c, &own.id).await, Err(ResourceError::SystemResource(_))));
    assert!(matches!(resources::delete(&system, &own.id).await, Err(ResourceError::SystemResource(_))), "not even by the system");
    let owner = OrgNumber::try_from(BAKERY).unwrap();
    let Err(ResourceError::Invalid(errors)) = resources::create(&c, &owner, &ResourceForSave { id: "fullmakt_mine".into(), ..orders() }).await else {
        panic!("a reserved id is refused");
    };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["id"]);
    assert_eq!(resources::get(&system, "fullmakt_access_management").await.unwrap(), own);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_resource_that_grants_or_roles_refer_to_is_not_deleted(pool: PgPool) {
    setup(&pool).await;
    let bjorn = person(&pool, BJORN).await;
    let gunn = person(&pool, GUNN).await;
    let bakery = org(&pool, BAKERY).await;
    let c = ctx(&pool, Some(bjorn)).await;
    resources::create(&c, &OrgNumber::try_from(BAKERY).unwrap(), &orders()).await.unwrap();
    sqlx::query("insert into access_grant (id, from_party, to_subject, to_kind, resource_id, action, granted_by) values ($1, $2, $3, 'party', 'bakeri-bestilling', 'read', $4)")
        .bind(uuid::Uuid::now_v7())
        .bind(bakery.0)
        .bind(gunn.0)
        .bind(bjorn.0)
        .execute(&pool)
        .await
        .unwrap();
    let err = resources::delete(&c, "bakeri-bestilling").await.unwrap_err();
    assert!(matches!(err, ResourceError::InUse { grants: 1, roles: 0, .. }), "{err:?}");
    assert!(err.to_string().contains("1 grant(s)"), "{err}");
    assert_eq!(resources::list(&ctx(&pool, None).await, Some(&OrgNumber::try_from(BAKERY).unwrap())).await.unwrap().len(), 1);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'resource.delete' and outcome = 'refused'").await, 1);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_imported_xacml_policy_exports_the_same_and_the_engine_decides_with_it(pool: PgPool) {
    setup(&pool).await;
    let bjorn = person(&pool, BJORN).await;
    let kari = person(&pool, KARI).await;
    let bakery = org(&pool, BAKERY).await;
    let c = ctx(&pool, Some(bjorn)).await;
    resources::create(&c, &OrgNumber::try_from(BAKERY).unwrap(), &orders()).await.unwrap();

    let imported = resources::import_policy(&c, "bakeri-bestilling", &altinn_xml("bakeri-bestilling", "deny-overrides")).await.unwrap();
    assert_eq!(imported.policy.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["dagl", "vat"]);
    assert_eq!(imported.policy.obligations, [Obligation::minimum_authentication_level(3)]);
    assert_eq!(imported.title_nb, "Bestilling", "only the policy changes");
    let after = load_snapshot(&pool).await.unwrap();
    assert_eq!(decision(&after, bjorn, "sign", "bakeri-bestilling", bakery), Outcome::Permit);
    assert_eq!(decision(&after, bjorn, "write", "bakeri-bestilling", bakery), Outcome::NotApplicable);
    assert_eq!(decision(&after, kari, "read", "bakeri-bestilling", bakery), Outcome::NotApplicable);

    let xml = resources::export_policy(&c, "bakeri-bestilling").await.unwrap();
    assert!(xml.contains("urn:oasis:names:tc:xacml:3.0:core:schema:wd-17"), "{xml}");
    let again = resources::import_policy(&c, "bakeri-bestilling", &xml).await.unwrap();
    assert_eq!(again.policy, imported.policy, "export, then import, gives the same policy");
    assert_eq!(resources::get(&c, "bakeri-bestilling").await.unwrap().policy, imported.policy);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn bad_input_is_refused_with_a_reason_and_changes_nothing(pool: PgPool) {
    setup(&pool).await;
    let bjorn = person(&pool, BJORN).await;
    let c = ctx(&pool, Some(bjorn)).await;
    let owner = OrgNumber::try_from(BAKERY).unwrap();
    resources::create(&c, &owner, &orders()).await.unwrap();
    let before = resources::get(&c, "bakeri-bestilling").await.unwrap();

    let doctype = format!("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]>{}", &altinn_xml("bakeri-bestilling", "deny-overrides")[38..]);
    assert!(matches!(resources::import_policy(&c, "bakeri-bestilling", &doctype).await, Err(ResourceError::Policy(XmlPolicyError::Doctype))));
    assert!(matches!(
        resources::import_policy(&c, "bakeri-bestilling", &altinn_xml("bakeri-bestilling", "only-one-applicable")).await,
        Err(ResourceError::Policy(XmlPolicyError::UnknownCombining { .. }))
    ));
    assert!(matches!(
        resources::import_policy(&c, "bakeri-bestilling", &altinn_xml("someone-else", "deny-overrides")).await,
        Err(ResourceError::Policy(XmlPolicyError::WrongResource { .. }))
    ));
    assert!(matches!(resources::create(&c, &owner, &orders()).await, Err(ResourceError::AlreadyExists(_))));
    assert!(matches!(resources::update(&c, "nope", &ResourceForSave { id: "nope".into(), ..orders() }).await, Err(ResourceError::NotFound(_))));
    let mut renamed = orders();
    renamed.id = "bakeri-annet".into();
    assert!(matches!(resources::update(&c, "bakeri-bestilling", &renamed).await, Err(ResourceError::Invalid(e)) if e[0].field == "id"));
    let mut bad = orders();
    bad.title_en = String::new();
    bad.policy.rules[0].subjects = vec![vec![Match { attribute: attr::ORG_NUMBER.into(), value: "123".into(), ignore_case: false }]];
    let Err(ResourceError::Invalid(errors)) = resources::update(&c, "bakeri-bestilling", &bad).await else { panic!("invalid input is refused") };
    assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["title_en", "rules[0]"]);

    assert_eq!(resources::get(&c, "bakeri-bestilling").await.unwrap(), before, "nothing changed");
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'resource.%' and outcome = 'refused'").await, 7);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_demo_service_owner_is_managed_by_its_general_manager(pool: PgPool) {
    setup(&pool).await;
    let ada = person(&pool, "05858510084").await;
    let c = ctx(&pool, Some(ada)).await;
    let owner = OrgNumber::try_from(domain::demo::SERVICE_OWNER).unwrap();
    let owned = resources::list(&ctx(&pool, None).await, Some(&owner)).await.unwrap();
    let mut ids: Vec<&str> = owned.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["fjordby-gjestetilgang", "fjordby-rapportering"], "the reporting service and the guests' access the guest role gives");
    let mut changed = owned.iter().find(|r| r.id == "fjordby-rapportering").unwrap().for_save();
    changed.title_en = "Reports".into();
    resources::update(&c, &changed.id, &changed).await.unwrap();
    // Loading the demo again does not overwrite the edit.
    domain::demo::load(&test_support::operator(&pool).await).await.unwrap();
    assert_eq!(resources::get(&c, "fjordby-rapportering").await.unwrap().title_en, "Reports");
}
