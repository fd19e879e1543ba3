//! The role model against PostgreSQL: who may create and assign roles,
//! segregation of duties at assignment, inheritance without cycles,
//! restrictions, attestations, validity, rights to assign, and that the
//! engine honours it all.
// Amounts are in øre, written kroner_øre (50_000_00 is 50,000 kroner).
#![allow(clippy::inconsistent_digit_grouping)]

use domain::clock::FixedClock;
use domain::decisions::store::load_snapshot;
use domain::decisions::{decide, DecisionRequest, Env, Outcome, SubjectRef};
use domain::parties::PartyId;
use domain::user_roles::*;
use sqlx::PgPool;
use test_support::{demo, demo_world, org, person, resource, save_resource};

async fn setup(pool: &PgPool) {
    demo_world(pool).await;
    // The roles' single rights do the work; the policy itself names a package nobody here holds.
    for id in ["invoice", "payment"] {
        save_resource(pool, demo::SERVICE_OWNER, &resource(id, "skatt-naering", &["read"])).await;
    }
}

struct World {
    pool: PgPool,
    sv: domain::Services,
    bakery: PartyId,
    university: PartyId,
    bjorn: PartyId,
    ada: PartyId,
    gunn: PartyId,
    kari: PartyId,
}

async fn world(pool: PgPool) -> World {
    setup(&pool).await;
    World {
        bakery: org(&pool, "310400009").await,
        university: org(&pool, "310700002").await,
        bjorn: person(&pool, "14928810047").await,
        ada: person(&pool, "05858510084").await,
        gunn: person(&pool, "11839110083").await,
        kari: person(&pool, "12887510170").await,
        sv: test_support::services(&pool).await,
        pool,
    }
}

fn ctx(sv: &domain::Services, person: PartyId) -> domain::Context {
    sv.for_person(person, person.to_string(), None, None)
}

fn role(code: &str, rights: &[(&str, &str)], inherits: &[&str], rules: AccessRules) -> RoleForCreate {
    RoleForCreate {
        code: code.into(),
        names: [code.into(), code.into(), code.into()],
        description: String::new(),
        packages: vec![],
        rights: rights.iter().map(|(r, a)| (r.to_string(), a.to_string())).collect(),
        inherits: inherits.iter().map(|s| s.to_string()).collect(),
        rules,
    }
}

fn assignment(code: &str, subject: PartyId) -> AssignmentForCreate {
    AssignmentForCreate {
        role_code: code.into(),
        subject,
        restricted_to: vec![],
        valid_from: None,
        valid_to: None,
        attestation: Attestation { kind: AttestationKind::ManagerApproval, issuer: "Bjørn Hansen".into(), reference: "sak 2026/17".into() },
    }
}

async fn decide_now(pool: &PgPool, subject: PartyId, action: &str, resource: &str, party: PartyId, amount: Option<Amount>) -> Outcome {
    let s = load_snapshot(pool).await.unwrap();
    let env = Env { amount, ..Env::now() };
    decide(&s, &DecisionRequest { subject: SubjectRef::Party(subject.0), action, resource, party: party.0, env }).outcome
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn segregation_of_duties_refuses_the_second_conflicting_assignment(pool: PgPool) {
    let w = world(pool).await;
    let c = ctx(&w.sv, w.bjorn);
    create_role(&c, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    create_role(&c, w.bakery, &role("approver", &[("invoice", "approve")], &[], AccessRules::default())).await.unwrap();
    create_role(&c, w.bakery, &role("senior-approver", &[], &["approver"], AccessRules::default())).await.unwrap();
    add_sod_rule(&c, "payer", "approver", "four eyes on payments").await.unwrap();

    assign_role(&c, w.bakery, &assignment("payer", w.gunn)).await.unwrap();
    let before = count(&w.pool, "select count(*) from user_role_assignment").await;
    let err = assign_role(&c, w.bakery, &assignment("approver", w.gunn)).await.unwrap_err();
    assert!(matches!(&err, RoleError::SegregationOfDuties(a, b) if a == "payer" && b == "approver"), "{err}");
    // Through inheritance too.
    let err = assign_role(&c, w.bakery, &assignment("senior-approver", w.gunn)).await.unwrap_err();
    assert!(matches!(err, RoleError::SegregationOfDuties(..)), "{err}");
    assert_eq!(count(&w.pool, "select count(*) from user_role_assignment").await, before, "nothing changed");
    let refused = count(&w.pool, "select count(*) from audit_event where action = 'user_role.assign' and outcome = 'refused'").await;
    assert_eq!(refused, 2);

    // Someone else may hold the approver role; the payer still pays.
    assign_role(&c, w.bakery, &assignment("approver", w.kari)).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.bakery, None).await, Outcome::Permit);
    assert_eq!(decide_now(&w.pool, w.kari, "approve", "invoice", w.bakery, None).await, Outcome::Permit);
    assert_eq!(decide_now(&w.pool, w.gunn, "approve", "invoice", w.bakery, None).await, Outcome::NotApplicable);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_rule_added_later_stops_both_roles_at_decision_time(pool: PgPool) {
    let w = world(pool).await;
    let c = ctx(&w.sv, w.bjorn);
    create_role(&c, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    create_role(&c, w.bakery, &role("approver", &[("invoice", "approve")], &[], AccessRules::default())).await.unwrap();
    assign_role(&c, w.bakery, &assignment("payer", w.gunn)).await.unwrap();
    assign_role(&c, w.bakery, &assignment("approver", w.gunn)).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.bakery, None).await, Outcome::Permit);
    add_sod_rule(&c, "approver", "payer", "").await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.bakery, None).await, Outcome::Deny);
    assert_eq!(decide_now(&w.pool, w.gunn, "approve", "invoice", w.bakery, None).await, Outcome::Deny);
    assert!(matches!(add_sod_rule(&c, "payer", "approver", "").await, Err(RoleError::AlreadyExists)));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn inheritance_cycles_are_refused_with_the_path(pool: PgPool) {
    let w = world(pool).await;
    let c = ctx(&w.sv, w.bjorn);
    create_role(&c, w.bakery, &role("employee", &[("invoice", "read")], &[], AccessRules::default())).await.unwrap();
    create_role(&c, w.bakery, &role("baker", &[], &["employee"], AccessRules::default())).await.unwrap();
    create_role(&c, w.bakery, &role("head-baker", &[], &["baker"], AccessRules::default())).await.unwrap();
    let err = add_inheritance(&c, "employee", "head-baker").await.unwrap_err();
    assert_eq!(err.to_string(), "inheriting would make a cycle: employee → head-baker → baker → employee");
    assert_eq!(count(&w.pool, "select count(*) from user_role_inherits").await, 2);
    // Head baker reads invoices through two levels of inheritance.
    assign_role(&c, w.bakery, &assignment("head-baker", w.gunn)).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "read", "invoice", w.bakery, None).await, Outcome::Permit);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn only_access_managers_create_and_assign_and_every_refusal_is_audited(pool: PgPool) {
    let w = world(pool).await;
    let bjorn = ctx(&w.sv, w.bjorn);
    let kari = ctx(&w.sv, w.kari);
    assert!(matches!(create_role(&kari, w.bakery, &role("payer", &[], &[], AccessRules::default())).await, Err(RoleError::NotAccessManager)));
    create_role(&bjorn, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    assert!(matches!(assign_role(&kari, w.bakery, &assignment("payer", w.gunn)).await, Err(RoleError::MayNotAssign(..))));
    assert!(matches!(add_sod_rule(&kari, "payer", "payer", "").await, Err(RoleError::Invalid(_))));
    assert!(matches!(share_role(&kari, "payer", w.university).await, Err(RoleError::NotAccessManager)));
    assert!(matches!(add_inheritance(&kari, "payer", "payer").await, Err(RoleError::NotAccessManager)));
    assert!(matches!(grant_assign_right(&kari, "payer", w.ada, w.bakery).await, Err(RoleError::NotAccessManager)));
    // Bad input from the manager is refused too.
    assert!(matches!(create_role(&bjorn, w.bakery, &role("Bad Code", &[], &[], AccessRules::default())).await, Err(RoleError::Invalid(_))));
    assert!(matches!(create_role(&bjorn, w.bakery, &role("payer", &[], &[], AccessRules::default())).await, Err(RoleError::CodeTaken(_))));
    assert!(matches!(
        create_role(&bjorn, w.bakery, &role("x1", &[("nowhere", "read")], &[], AccessRules::default())).await,
        Err(RoleError::UnknownResource(_))
    ));
    assert!(matches!(assign_role(&bjorn, w.bakery, &assignment("payer", w.bjorn)).await, Err(RoleError::SelfAssignment)));
    assert!(matches!(assign_role(&bjorn, w.bakery, &assignment("ghost", w.gunn)).await, Err(RoleError::UnknownRole(_))));
    let mut no_issuer = assignment("payer", w.gunn);
    no_issuer.attestation.issuer = " ".into();
    assert!(matches!(assign_role(&bjorn, w.bakery, &no_issuer).await, Err(RoleError::Invalid(_))));
    let mut backwards = assignment("payer", w.gunn);
    backwards.valid_to = Some(time::OffsetDateTime::now_utc() - time::Duration::days(1));
    assert!(matches!(assign_role(&bjorn, w.bakery, &backwards).await, Err(RoleError::Invalid(_))));
    // Another organisation cannot use a role that was not shared with it.
    let ada = ctx(&w.sv, w.ada);
    assert!(matches!(assign_role(&ada, w.university, &assignment("payer", w.gunn)).await, Err(RoleError::NotAvailable(_))));

    // The demo university's own roles (its employee and guest roles, `fjordby-*`) are left out.
    assert_eq!(
        count(&w.pool, "select count(*) from user_role_assignment where role_id not in (select id from user_role where code like 'fjordby-%')").await,
        0
    );
    assert_eq!(count(&w.pool, "select count(*) from user_role where code not like 'fjordby-%'").await, 1);
    let refused =
        count(&w.pool, "select count(*) from audit_event where outcome = 'refused' and (action like 'user_role.%' or action like 'sod_rule.%')").await;
    assert_eq!(refused, 14, "one audited refusal per attempt above");
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_assignment_records_its_attestation_restrictions_and_period(pool: PgPool) {
    let w = world(pool).await;
    let c = ctx(&w.sv, w.ada);
    // The university's auditor role, restricted to the faculty and the library (two sub-units).
    let faculty = org(&w.pool, "310800007").await;
    let library = org(&w.pool, "310900001").await;
    create_role(&c, w.university, &role("revision", &[("invoice", "read")], &[], AccessRules::default())).await.unwrap();
    let mut a = assignment("revision", w.gunn);
    a.restricted_to = vec![faculty, library];
    a.valid_to = Some(time::OffsetDateTime::now_utc() + time::Duration::days(30));
    a.attestation = Attestation { kind: AttestationKind::PowerOfAttorney, issuer: "Riksrevisjonen".into(), reference: "RR-2026-88".into() };
    let id = assign_role(&c, w.university, &a).await.unwrap();
    let row: (String, String, String, i64) = sqlx::query_as(
        "select attestation_kind, attestation_issuer, attestation_reference, (select count(*) from user_role_assignment_party where assignment_id = a.id)
         from user_role_assignment a where id = $1",
    )
    .bind(id)
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert_eq!(row, ("power_of_attorney".into(), "Riksrevisjonen".into(), "RR-2026-88".into(), 2));
    assert_eq!(decide_now(&w.pool, w.gunn, "read", "invoice", faculty, None).await, Outcome::Permit);
    assert_eq!(decide_now(&w.pool, w.gunn, "read", "invoice", library, None).await, Outcome::Permit);
    assert_eq!(decide_now(&w.pool, w.gunn, "read", "invoice", w.university, None).await, Outcome::NotApplicable, "restricted: not the university itself");
    let snapshot = load_snapshot(&w.pool).await.unwrap();
    assert!(snapshot.next_boundary.is_some(), "the snapshot knows when the assignment ends");

    // Ending it takes effect at once.
    end_assignment(&c, faculty, id).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "read", "invoice", library, None).await, Outcome::NotApplicable);
    assert!(matches!(end_assignment(&c, faculty, id).await, Err(RoleError::UnknownAssignment)));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn an_assignment_that_has_not_started_gives_nothing_yet(pool: PgPool) {
    let w = world(pool).await;
    let c = ctx(&w.sv, w.bjorn);
    create_role(&c, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    let mut a = assignment("payer", w.gunn);
    let start = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    a.valid_from = Some(start);
    assign_role(&c, w.bakery, &a).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.bakery, None).await, Outcome::NotApplicable);
    let snapshot = load_snapshot(&w.pool).await.unwrap();
    assert!(snapshot.next_boundary.is_some_and(|b| (b - start).abs() < time::Duration::milliseconds(1)));
    assert!(snapshot.is_stale_at(start));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_shared_role_and_a_right_to_assign_work_across_organisations(pool: PgPool) {
    let w = world(pool).await;
    let bjorn = ctx(&w.sv, w.bjorn);
    let ada = ctx(&w.sv, w.ada);
    let limit = AccessRules { max_amount: Some(Amount(50_000_00)), time_window: None };
    create_role(&bjorn, w.bakery, &role("payer", &[("payment", "pay")], &[], limit)).await.unwrap();
    // Role sharing between classifications: the bakery lets the university use its role.
    share_role(&bjorn, "payer", w.university).await.unwrap();
    assign_role(&ada, w.university, &assignment("payer", w.gunn)).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.university, Some(Amount(49_000_00))).await, Outcome::Permit);
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.university, Some(Amount(51_000_00))).await, Outcome::Deny);
    // Ada may not assign the role for the bakery until the bakery lets her.
    let mut for_bakery = assignment("payer", w.kari);
    for_bakery.restricted_to = vec![w.bakery];
    assert!(matches!(assign_role(&ada, w.university, &for_bakery).await, Err(RoleError::MayNotAssign(..))));
    grant_assign_right(&bjorn, "payer", w.ada, w.bakery).await.unwrap();
    assign_role(&ada, w.university, &for_bakery).await.unwrap();
    assert_eq!(decide_now(&w.pool, w.kari, "pay", "payment", w.bakery, Some(Amount(100))).await, Outcome::Permit);
    let audited: Vec<String> =
        sqlx::query_scalar("select action from audit_event where outcome = 'success' and action like 'user_role.%' order by occurred_at, id")
            .fetch_all(&w.pool)
            .await
            .unwrap();
    assert_eq!(audited, ["user_role.create", "user_role.share", "user_role.assign", "user_role.assign_right", "user_role.assign"]);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_clock_of_the_use_case_dates_the_assignment(pool: PgPool) {
    let w = world(pool).await;
    let clock = FixedClock::at(time::macros::datetime!(2026-11-24 09:00 UTC));
    let sv = test_support::services_with_clock(&w.pool, std::sync::Arc::new(clock)).await;
    let c = ctx(&sv, w.bjorn);
    create_role(&c, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    let id = assign_role(&c, w.bakery, &assignment("payer", w.gunn)).await.unwrap();
    let from: time::OffsetDateTime = sqlx::query_scalar("select valid_from from user_role_assignment where id = $1").bind(id).fetch_one(&w.pool).await.unwrap();
    assert_eq!(from, time::macros::datetime!(2026-11-24 09:00 UTC));
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_role_overview_and_assigning_by_number_are_refused_in_the_domain_to_those_who_do_not_manage_access(pool: PgPool) {
    let w = world(pool).await;
    let outsider = w.sv.for_person(w.kari, "Kari", Some(w.bakery), None);
    assert!(matches!(overview(&outsider).await, Err(RoleError::NotAccessManager)));
    let request = |nin: &str, surname: &str| AssignmentRequest {
        role_code: "payer".into(),
        national_id: nin.into(),
        surname: surname.into(),
        restricted_to: vec![],
        valid_from: None,
        valid_to: None,
        attestation: Attestation { kind: AttestationKind::ManagerApproval, issuer: "Bjørn Hansen".into(), reference: String::new() },
    };
    assert!(matches!(assign_role_to_person(&outsider, request("11839110083", "Gjest")).await, Err(RoleError::NotAccessManager)));

    let manager = w.sv.for_person(w.bjorn, "Bjørn", Some(w.bakery), None);
    create_role(&manager, w.bakery, &role("payer", &[("payment", "pay")], &[], AccessRules::default())).await.unwrap();
    assert!(matches!(assign_role_to_person(&manager, request("11839110083", "Hansen")).await, Err(RoleError::NoSuchPerson)));
    assert!(matches!(assign_role_to_person(&manager, request("1183911008", "Gjest")).await, Err(RoleError::Invalid(f)) if f.starts_with("national_id:")));
    assert_eq!(overview(&manager).await.unwrap().assignments.len(), 0, "refusals change nothing");
    assign_role_to_person(&manager, request("11839110083", " gjest ")).await.unwrap();
    let seen = overview(&manager).await.unwrap();
    assert_eq!(seen.assignments.len(), 1);
    assert!(seen.roles.iter().any(|r| r.code == "payer"));
    assert_eq!(decide_now(&w.pool, w.gunn, "pay", "payment", w.bakery, None).await, Outcome::Permit);
}
