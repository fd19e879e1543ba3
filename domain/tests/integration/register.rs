//! Entity-Register feed import against PostgreSQL: diff, idempotence, the
//! engine seeing ended roles, and bad feeds changing nothing.

use domain::decisions::store::load_snapshot;
use domain::parties::SyntheticIds;
use domain::register::{import, parse_csv, parse_json, ImportError};
use sqlx::PgPool;

async fn setup(pool: &PgPool) {
    test_support::demo_world(pool).await;
}

const FEED: &str = r#"{
  "organisations": [
    {"orgNumber": "310400009", "name": "Bakeri Hansen AS", "orgForm": "AS"},
    {"orgNumber": "311000004", "name": "Nytt Firma AS", "orgForm": "AS"}
  ],
  "persons": [{"nationalId": "14928810047", "name": "Bjørn Hansen"}, {"nationalId": "17876810190", "name": "Nora Ny"}],
  "roles": [
    {"role": "DAGL", "holder": "14928810047", "for": "310400009"},
    {"role": "DAGL", "holder": "17876810190", "for": "311000004"}
  ]
}"#;

async fn count(pool: &PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_feed_is_applied_as_a_diff_and_twice_changes_nothing(pool: PgPool) {
    setup(&pool).await;
    let feed = parse_json(FEED, SyntheticIds::Accept).unwrap();
    let mut seen = Vec::new();
    let first = import(&test_support::operator(&pool).await, &feed, "feed-1.json", &mut |d, t| seen.push((d, t))).await.unwrap();
    assert_eq!(first.parties_added, 2, "{first:?}"); // Nytt Firma AS and Nora Ny
    assert_eq!(first.roles_added, 1);
    // Every demo role except Bjørn's DAGL is gone from the feed, so it ends.
    assert_eq!(first.roles_ended, domain::demo::REGISTER_ROLES.len() - 1);
    assert_eq!(seen.last(), Some(&(6, 6)), "progress reaches the total");

    let changes = count(&pool, "select count(*) from change_log").await;
    let second = import(&test_support::operator(&pool).await, &feed, "feed-1.json", &mut |_, _| {}).await.unwrap();
    assert_eq!((second.parties_added, second.parties_changed, second.roles_added, second.roles_ended), (0, 0, 0, 0));
    assert_eq!(count(&pool, "select count(*) from change_log").await, changes, "no change, no feed entry");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'register.import'").await, 2);

    // The engine sees it: the accounting firm is no longer the bakery's accountant.
    let s = load_snapshot(&pool).await.unwrap();
    let bakery = s.party_by_org_number("310400009").unwrap().id;
    let firm = s.party_by_org_number("310100005").unwrap().id;
    assert!(s.facts(firm, bakery).is_none());
    let bjorn = s.party_by_national_id("14928810047").unwrap().id;
    assert!(s.facts(bjorn, bakery).is_some());
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_bad_feed_changes_nothing(pool: PgPool) {
    setup(&pool).await;
    let roles_before = count(&pool, "select count(*) from register_role where valid_to is null").await;
    let unknown_role = FEED.replace(r#""role": "DAGL", "holder": "17876810190""#, r#""role": "XYZ", "holder": "17876810190""#);
    let feed = parse_json(&unknown_role, SyntheticIds::Accept).unwrap();
    let err = import(&test_support::operator(&pool).await, &feed, "bad.json", &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, ImportError::UnknownRole(ref r) if r == "XYZ"), "{err}");
    let unknown_holder = "record,identifier,name,org_form,parent,role,for\nrole,310900001,,,,REGN,310400009\nrole,03908110029,,,,DAGL,310400009\n";
    assert!(parse_csv(unknown_holder, SyntheticIds::Accept).is_err(), "an invalid national id is refused at parsing");
    let missing = "record,identifier,name,org_form,parent,role,for\nrole,17876810190,,,,DAGL,310400009\n";
    let feed = parse_csv(missing, SyntheticIds::Accept).unwrap();
    let err = import(&test_support::operator(&pool).await, &feed, "missing.csv", &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, ImportError::UnknownParty(_)), "{err}");
    assert_eq!(count(&pool, "select count(*) from register_role where valid_to is null").await, roles_before);
    assert_eq!(count(&pool, "select count(*) from party where national_id = '17876810190'").await, 0, "nothing was written");
}

/// The register, the catalogue, demo data and system-owned resources are the
/// operator's: a person (here the bakery's own manager) is refused by each
/// use case, and nothing changes.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn only_the_operator_imports_or_loads(pool: PgPool) {
    setup(&pool).await;
    let bjorn = test_support::person(&pool, test_support::demo::BJORN).await;
    let bakery = test_support::org(&pool, "310400009").await;
    let person = test_support::acting(&test_support::services(&pool).await, bjorn, bakery);
    let parties = count(&pool, "select count(*) from party").await;
    let changes = count(&pool, "select count(*) from change_log").await;

    let feed = parse_json(FEED, SyntheticIds::Accept).unwrap();
    let err = import(&person, &feed, "feed.json", &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, ImportError::Denied(_)), "{err}");
    let err = domain::catalogue::store::import(&person, &domain::catalogue::builtin(), "builtin").await.unwrap_err();
    assert!(matches!(err, domain::error::Failure::NotAllowed), "{err}");
    let err = domain::demo::load(&person).await.unwrap_err();
    assert!(matches!(err, domain::demo::DemoError::Denied(_)), "{err}");
    let owner = domain::parties::OrgNumber::try_from("310400009").unwrap();
    let err = domain::resources::save(&person, &owner, &test_support::resource("bakeri-ny", "merverdiavgift", &["read"])).await.unwrap_err();
    assert!(matches!(err, domain::resources::ResourceError::NotAccessManager), "{err}");

    assert_eq!(count(&pool, "select count(*) from party").await, parties);
    assert_eq!(count(&pool, "select count(*) from change_log").await, changes, "nothing changed");
}
