//! The role model over real HTTP: an access manager creates roles with access
//! rules, forbids two together, assigns them with attestations; the second
//! conflicting assignment is refused; the PDP honours amount limits; every
//! server function refuses callers without the right.

use crate::common::*;
use domain::decisions::policy::attr;
use serde_json::{json, Value};

const KEY: &str = "test-pdp-key-0123456789";
const BJORN: &str = "14928810047"; // DAGL of the bakery: an access manager
const KARI: &str = "12887510170"; // manages Regnskapsappen, not the bakery
const GUNN: &str = "11839110083";
const BAKERY: &str = "310400009";

/// A payment resource whose policy names a package nobody in the demo holds;
/// the roles' single rights do the work (Altinn's single-right fallback).
async fn payment_resource(app: &TestApp) -> sqlx::PgPool {
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    test_support::save_resource(&pool, test_support::demo::SERVICE_OWNER, &test_support::resource("utbetaling", "skatt-naering", &["read"])).await;
    pool
}

async fn create_role(app: &TestApp, code: &str, rights: &str, max_amount: &str) -> reqwest::Response {
    let form = [
        ("code", code),
        ("name_nb", code),
        ("name_nn", ""),
        ("name_en", ""),
        ("description", ""),
        ("packages", ""),
        ("rights", rights),
        ("inherits", ""),
        ("max_amount", max_amount),
        ("first_working_days", ""),
    ];
    app.server_fn("create_user_role", &form).await
}

async fn assign(app: &TestApp, role: &str, nin: &str, surname: &str) -> reqwest::Response {
    let form = [
        ("role", role),
        ("national_id", nin),
        ("surname", surname),
        ("restricted_to", ""),
        ("valid_from", ""),
        ("valid_to", ""),
        ("attestation_kind", "manager_approval"),
        ("attestation_issuer", "Bjørn Hansen"),
        ("attestation_reference", "styresak 12/2026"),
    ];
    app.server_fn("assign_user_role", &form).await
}

fn pays(amount: &str) -> Value {
    json!({"Request": {
        "AccessSubject": [{"Attribute": [{"AttributeId": attr::PERSON_ID, "Value": GUNN}]}],
        "Action": [{"Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": "pay"}]}],
        "Resource": [{"Attribute": [
            {"AttributeId": "urn:altinn:resource", "Value": "utbetaling"},
            {"AttributeId": attr::ORG_NUMBER, "Value": BAKERY},
            {"AttributeId": "urn:fullmakt:amount", "Value": amount}
        ]}]
    }})
}

async fn decide(app: &TestApp, body: &Value) -> Value {
    let res = reqwest::Client::new().post(app.url("/authorization/api/v1/authorize?explain=true")).bearer_auth(KEY).json(body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["Response"][0].clone()
}

async fn count(pool: &sqlx::PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn segregation_of_duties_refuses_the_second_conflicting_assignment() {
    let app = spawn_app().await;
    let pool = payment_resource(&app).await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    assert_eq!(create_role(&app, "payer", "utbetaling:pay", "10 000").await.status(), 200);
    assert_eq!(create_role(&app, "approver", "utbetaling:approve", "").await.status(), 200);
    let sod = app.server_fn("add_sod_rule", &[("role_a", "payer"), ("role_b", "approver"), ("description", "fire øyne på utbetalinger")]).await;
    assert_eq!(sod.status(), 200);

    assert_eq!(assign(&app, "payer", GUNN, "Gjest").await.status(), 200);
    let second = assign(&app, "approver", GUNN, "Gjest").await;
    assert_eq!(second.status(), 409);
    assert_eq!(second.json::<Value>().await.unwrap(), json!({"Refused": "role.sod|payer|approver"}));
    assert_eq!(
        count(&pool, "select count(*) from user_role_assignment where role_id not in (select id from user_role where code like 'fjordby-%')").await,
        1,
        "the refusal changed nothing"
    );
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'user_role.assign' and outcome = 'refused'").await, 1);

    // What the page shows: the roles, the one assignment with its attestation, the rule.
    let overview: Value = app.server_fn("user_roles_overview", &[]).await.json().await.unwrap();
    assert_eq!(overview["roles"].as_array().unwrap().len(), 2);
    let a = &overview["assignments"][0];
    assert_eq!((a["role"].as_str(), a["subject"].as_str(), a["attestation_kind"].as_str()), (Some("payer"), Some("Gunn Gjest"), Some("manager_approval")));
    assert_eq!(a["attestation_reference"], "styresak 12/2026");
    assert_eq!(overview["sod_rules"][0]["role_a"], "payer");

    // The PDP: the payer pays up to the limit, and an explanation names the role.
    let permit = decide(&app, &pays("9999.99")).await;
    assert_eq!(permit["Decision"], "Permit", "{permit}");
    assert!(permit["Explanation"]["Text"].as_str().unwrap().contains("user role payer"), "{permit}");
    let over = decide(&app, &pays("10000,01")).await;
    assert_eq!(over["Decision"], "Deny");
    assert!(over["Explanation"]["Text"].as_str().unwrap().contains("allows amounts up to 10\u{a0}000,00"), "{over}");
    let bad = decide(&app, &pays("ten thousand")).await;
    assert_eq!(bad["Decision"], "Indeterminate");
    assert_eq!(bad["Status"]["StatusCode"]["Value"], "urn:oasis:names:tc:xacml:1.0:status:processing-error");

    // Ending the assignment takes the right away.
    let id = a["id"].as_str().unwrap().to_string();
    assert_eq!(app.server_fn("end_user_role_assignment", &[("assignment", &id)]).await.status(), 200);
    assert_eq!(decide(&app, &pays("1")).await["Decision"], "NotApplicable");
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_changes_nothing() {
    let app = spawn_app().await;
    let pool = payment_resource(&app).await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    assert_eq!(create_role(&app, "Not A Code", "", "").await.status(), 422);
    assert_eq!(create_role(&app, "payer", "utbetaling-pay", "").await.status(), 422, "a right without an action");
    assert_eq!(create_role(&app, "payer", "", "-5").await.status(), 422);
    let unknown = create_role(&app, "payer", "nowhere:pay", "").await;
    assert_eq!(unknown.status(), 409);
    assert_eq!(unknown.json::<Value>().await.unwrap(), json!({"Refused": "role.unknown_resource|nowhere"}));
    assert_eq!(create_role(&app, "payer", "utbetaling:pay", "").await.status(), 200);
    assert_eq!(create_role(&app, "payer", "utbetaling:pay", "").await.status(), 409, "the code is taken");
    assert_eq!(assign(&app, "payer", "12345678901", "Gjest").await.status(), 422, "not a national identity number");
    assert_eq!(assign(&app, "payer", GUNN, "Feil").await.status(), 409, "the surname does not match");
    assert_eq!(assign(&app, "payer", BJORN, "Hansen").await.status(), 409, "self-assignment");
    let bad_date = [
        ("role", "payer"),
        ("national_id", GUNN),
        ("surname", "Gjest"),
        ("restricted_to", ""),
        ("valid_from", "31.12.2026"),
        ("valid_to", ""),
        ("attestation_kind", "consent"),
        ("attestation_issuer", "x"),
        ("attestation_reference", ""),
    ];
    assert_eq!(app.server_fn("assign_user_role", &bad_date).await.status(), 422);
    assert_eq!(app.server_fn("end_user_role_assignment", &[("assignment", "not-a-uuid")]).await.status(), 422);
    // The demo university's own roles (its employee and guest roles, `fjordby-*`) are left out.
    assert_eq!(count(&pool, "select count(*) from user_role_assignment where role_id not in (select id from user_role where code like 'fjordby-%')").await, 0);
    assert_eq!(count(&pool, "select count(*) from user_role where code not like 'fjordby-%'").await, 1);
}

#[tokio::test]
async fn every_role_function_refuses_a_caller_without_the_right() {
    let app = spawn_app().await;
    let pool = payment_resource(&app).await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    assert_eq!(create_role(&app, "payer", "utbetaling:pay", "").await.status(), 200);
    assert_eq!(assign(&app, "payer", GUNN, "Gjest").await.status(), 200);
    let overview: Value = app.server_fn("user_roles_overview", &[]).await.json().await.unwrap();
    let assignment = overview["assignments"][0]["id"].as_str().unwrap().to_string();

    // Not signed in.
    let stranger = app.another_browser();
    assert_eq!(stranger.server_fn("user_roles_overview", &[]).await.status(), 401);
    assert_eq!(create_role(&stranger, "x1", "utbetaling:pay", "").await.status(), 401);
    assert_eq!(assign(&stranger, "payer", KARI, "Nordmann").await.status(), 401);
    assert_eq!(stranger.server_fn("end_user_role_assignment", &[("assignment", &assignment)]).await.status(), 401);
    assert_eq!(stranger.server_fn("add_sod_rule", &[("role_a", "payer"), ("role_b", "x"), ("description", "")]).await.status(), 401);

    // Signed in, acting for herself: she manages nobody's access there.
    app.act_for(KARI, "Kari Nordmann").await;
    assert_eq!(app.server_fn("user_roles_overview", &[]).await.status(), 403);
    assert_eq!(create_role(&app, "kari-role", "utbetaling:pay", "").await.status(), 403);
    assert_eq!(assign(&app, "payer", GUNN, "Gjest").await.status(), 403);
    assert_eq!(app.server_fn("end_user_role_assignment", &[("assignment", &assignment)]).await.status(), 403);
    let sod = app.server_fn("add_sod_rule", &[("role_a", "payer"), ("role_b", "kari-role"), ("description", "")]).await;
    assert_eq!(sod.status(), 403);
    // Acting for the organisation she does manage, the bakery's things are still out of reach.
    app.act_for(KARI, "Regnskapsappen AS").await;
    assert_eq!(assign(&app, "payer", GUNN, "Gjest").await.status(), 409, "the bakery's role is not available here");
    assert_eq!(app.server_fn("end_user_role_assignment", &[("assignment", &assignment)]).await.status(), 409, "not an assignment for this party");
    assert_eq!(
        count(
            &pool,
            "select count(*) from user_role_assignment where ended_at is null and role_id not in (select id from user_role where code like 'fjordby-%')"
        )
        .await,
        1,
        "nothing changed"
    );
    assert_eq!(count(&pool, "select count(*) from user_role where code not like 'fjordby-%'").await, 1);
}
