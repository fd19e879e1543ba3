//! System users over real HTTP. The vendor reads the system users of its
//! systems (`systemuser/vendor/bysystem`, `…/byquery`) and a token service
//! looks one up (`systemuser/byExternalId`), each with its own scope and
//! problem details for bad input. In the portal the access manager sees a
//! system user whole in the first HTML (with its chart), deletes it with a
//! plain form after a confirmation page, and makes one of a visible system;
//! a person without the right is refused by every server function.

use crate::common::tokens::*;
use crate::common::*;
use domain::system_register::{SystemForCreate, SystemRight};
use serde_json::Value;
use sqlx::PgPool;

const BASE: &str = "/authentication/api/v1/systemuser";
const SYSTEM_WRITE: &str = "altinn:authentication/systemregister.write";
const READ: &str = "altinn:authentication/systemuser.request.read";
const WRITE: &str = "altinn:authentication/systemuser.request.write";
const LOOKUP: &str = "altinn:maskinporten/systemuser.read";
const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const BJORN: &str = "14928810047"; // general manager of the bakery
const GUNN: &str = "11839110083"; // holds nothing
/// The demo data's system user of the bakery, of the demo vendor's system.
const DEMO_USER: &str = "01930000-0000-7000-8000-000000000001";

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn in_force(pool: &PgPool, id: &str) -> bool {
    sqlx::query_scalar("select deleted_at is null from system_user where id = $1::uuid").bind(id).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn a_vendor_reads_its_system_users_and_a_token_service_looks_one_up_each_with_its_scope() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let vendor = ApiClient::register(&pool, VENDOR, &[SYSTEM_WRITE, READ]).await;
    let register = vendor.token(&app, SYSTEM_WRITE).await;
    let read = vendor.token(&app, READ).await;

    let (status, page) = get(&app, &register, &format!("{BASE}/vendor/bysystem/310000000_demo")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"][0]["id"], DEMO_USER);
    assert_eq!((page["data"][0]["reporteeOrgNo"].as_str(), page["data"][0]["productName"].as_str()), (Some(BAKERY), Some("310000000_demo")));
    assert_eq!(page["links"]["next"], Value::Null);
    let (status, p) = get(&app, &register, &format!("{BASE}/vendor/bysystem/310000000_demo?token=nonsense")).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("invalid_token")));
    let (status, p) = get(&app, &register, &format!("{BASE}/vendor/bysystem/310000000_unknown")).await;
    assert_eq!((status, p["code"].as_str()), (404, Some("AUTH-00011")));
    assert_eq!(get(&app, &read, &format!("{BASE}/vendor/bysystem/310000000_demo")).await.0, 403, "needs the register's scope");

    let (status, one) = get(&app, &read, &format!("{BASE}/vendor/byquery?system-id=310000000_demo&orgno={BAKERY}")).await;
    assert_eq!((status, one["id"].as_str(), one["externalRef"].as_str()), (200, Some(DEMO_USER), Some(BAKERY)), "{one}");
    let (status, p) = get(&app, &read, &format!("{BASE}/vendor/byquery?system-id=310000000_demo")).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("missing_parameter")), "{p}");
    let (status, p) = get(&app, &read, &format!("{BASE}/vendor/byquery?system-id=310000000_demo&orgno={BAKERY}&external-ref=other")).await;
    assert_eq!((status, p["code"].as_str()), (404, Some("system_user_not_found")));

    let client_id = domain::demo::VENDOR_CLIENT.0;
    let lookup_path = format!("{BASE}/byExternalId?clientId={client_id}&systemProviderOrgNo={VENDOR}&systemUserOwnerOrgNo={BAKERY}");
    assert_eq!(get(&app, &read, &lookup_path).await.0, 403, "a vendor's scope does not look up");
    let token_service = ApiClient::register(&pool, "310600008", &[LOOKUP]).await;
    let lookup = token_service.token(&app, LOOKUP).await;
    let (status, found) = get(&app, &lookup, &lookup_path).await;
    assert_eq!((status, found["id"].as_str(), found["supplierOrgno"].as_str()), (200, Some(DEMO_USER), Some(VENDOR)), "{found}");
    let (status, p) = get(&app, &lookup, &format!("{BASE}/byExternalId?clientId={client_id}&systemProviderOrgNo={VENDOR}")).await;
    assert_eq!((status, p["code"].as_str()), (400, Some("missing_parameter")));
    assert_eq!(get(&app, &lookup, &format!("{lookup_path}&externalRef=another")).await.0, 404);
    assert_eq!(get(&app, "not-a-token", &lookup_path).await.0, 401);
}

#[tokio::test]
async fn the_access_manager_sees_a_system_user_whole_and_deletes_it_with_plain_forms() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.login(BJORN).await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;

    let (status, html) = app.page("/systembrukere").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/systembrukere/{DEMO_USER}\"")), "each links to its page");
    let (status, html) = app.page(&format!("/systembrukere/{DEMO_USER}")).await;
    assert_eq!(status, 200);
    for expected in ["Regnskapsappen for Bakeri Hansen", "Tokener per dag, siste 30 dager", "data-chart=\"usage\"", "Slett systembruker"] {
        assert!(html.contains(expected), "{expected} in the first HTML");
    }
    assert_eq!(html.matches("<rect").count(), 30, "a bar per day");
    let (_, html) = app.page(&format!("/systembrukere/{DEMO_USER}/slett")).await;
    assert!(html.contains("Er du sikker på at du vil slette systembrukeren «Regnskapsappen for Bakeri Hansen»?"));
    assert!(html.contains("action=\"/api/delete_system_user\""), "a plain form");

    let res = app.post_form("delete_system_user", &format!("/systembrukere/{DEMO_USER}/slett"), &[("id", DEMO_USER)]).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url("/systembrukere")));
    let (_, html) = app.page("/systembrukere").await;
    assert!(html.contains("Systembrukeren er slettet"), "the banner");
    assert!(!in_force(&pool, DEMO_USER).await);
    let res = app.post_form("delete_system_user", &format!("/systembrukere/{DEMO_USER}/slett"), &[("id", DEMO_USER)]).await;
    let (_, html) = app.page(&app.location(&res).replace(&app.base, "")).await;
    assert!(html.contains("Fant ingen slik systembruker"), "not twice, said next to the form");
}

#[tokio::test]
async fn the_access_manager_makes_a_system_user_of_a_visible_system() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let operator = test_support::operator(&pool).await;
    let system = SystemForCreate { is_visible: true, ..test_support::system("timer", "Timeføring") };
    domain::system_register::service::create(&operator, &system).await.unwrap();

    let (_, html) = app.page("/systembrukere/ny").await;
    assert!(html.contains("<select id=\"system\" name=\"system\""), "a plain GET form to choose");
    let (_, html) = app.page("/systembrukere/ny?system=310000000_timer").await;
    assert!(html.contains("Rapportering til Universitetet i Fjordby (lese)"), "what it will hold");
    let res = app.post_form("create_own_system_user", "/systembrukere/ny?system=310000000_timer", &[("system", "310000000_timer"), ("title", "")]).await;
    assert_eq!(res.status(), 303);
    let location = app.location(&res);
    let id = location.rsplit('/').next().unwrap().to_string();
    assert!(in_force(&pool, &id).await, "{location}");
    let (_, html) = app.page(&format!("/systembrukere/{id}")).await;
    assert!(html.contains("<h1 class=\"mt-2 text-2xl font-bold\">Timeføring</h1>"), "named after the system");

    let res = app.post_form("create_own_system_user", "/systembrukere/ny?system=310000000_timer", &[("system", "310000000_timer"), ("title", "")]).await;
    let (_, html) = app.page(&app.location(&res).replace(&app.base, "")).await;
    assert!(html.contains("Aktøren har allerede en systembruker for dette systemet"), "the refusal on the page it came from");
}

#[tokio::test]
async fn a_person_without_the_right_is_refused_by_every_system_user_function() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    app.login(GUNN).await;
    for (endpoint, form) in [
        ("system_user_overview", vec![]),
        ("system_user_detail", vec![("id", DEMO_USER)]),
        ("delete_system_user", vec![("id", DEMO_USER)]),
        ("visible_systems", vec![]),
        ("create_own_system_user", vec![("system", "310000000_demo"), ("title", "")]),
    ] {
        let res = app.server_fn(endpoint, &form).await;
        assert!(res.status().is_client_error(), "{endpoint}: {}", res.status());
    }
    assert!(in_force(&pool, DEMO_USER).await, "nothing changed");
    let made: i64 = sqlx::query_scalar("select count(*) from system_user").fetch_one(&pool).await.unwrap();
    assert_eq!(made, 1);
}

#[tokio::test]
async fn a_vendor_asks_to_change_a_system_user_and_the_access_manager_approves_it_in_the_portal() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    const PACKAGE: &str = "urn:altinn:accesspackage:regnskap-okonomi-rapport";
    let operator = test_support::operator(&pool).await;
    let demo = domain::system_register::service::set_packages(&operator, "310000000_demo", &[PACKAGE.into()]).await.unwrap();
    let with_return = SystemForCreate {
        id: demo.id.clone(),
        vendor: demo.vendor.clone(),
        name: demo.name.clone(),
        description: demo.description.clone(),
        rights: demo.rights.iter().map(|r| SystemRight { resource: r.resource.clone(), action: r.action.clone() }).collect(),
        packages: vec![PACKAGE.into()],
        client_ids: demo.client_ids.clone(),
        redirect_urls: vec!["https://regnskapsappen.example/ferdig".into()],
        is_visible: demo.is_visible,
    };
    domain::system_register::service::update(&operator, &demo.id, &with_return).await.unwrap();
    let vendor = ApiClient::register(&pool, VENDOR, &[WRITE, READ, SYSTEM_WRITE]).await;
    let token = vendor.token(&app, WRITE).await;
    let base = "/authentication/api/v1/systemuser/changerequest/vendor";
    let body = serde_json::json!({ "requiredAccessPackages": [{ "urn": PACKAGE }], "redirectUrl": "https://regnskapsappen.example/ferdig?ref=change" });
    let post = |query: String| app.client.post(app.url(&format!("{base}{query}"))).bearer_auth(&token).json(&body).send();

    let res = post(format!("?system-user-id={DEMO_USER}")).await.unwrap();
    assert_eq!(res.status(), 400, "the correlation id is required");
    let correlation = uuid::Uuid::now_v7();
    let res = post(format!("?correlation-id={correlation}&system-user-id={DEMO_USER}")).await.unwrap();
    assert_eq!(res.status(), 201);
    let sent: Value = res.json().await.unwrap();
    assert_eq!((sent["status"].as_str(), sent["requiredAccessPackages"][0]["urn"].as_str()), (Some("New"), Some(PACKAGE)), "{sent}");
    assert_eq!(sent["confirmUrl"], app.url(&format!("/systembrukere/endring/{correlation}?party={BAKERY}")));
    let res = post(format!("?correlation-id={correlation}&system-user-id={DEMO_USER}")).await.unwrap();
    assert_eq!(res.status(), 200, "a repeat answers with it");

    // The vendor finds it by system (paged) and by the system user's reference, with the read scope.
    let reader = vendor.token(&app, READ).await;
    let (status, listed) = get(&app, &reader, &format!("{base}/bysystem/310000000_demo")).await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&str> = listed["data"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!((ids, &listed["links"]["next"]), (vec![correlation.to_string().as_str()], &Value::Null));
    let (status, _) = get(&app, &reader, &format!("{base}/bysystem/310000000_demo?token=not-a-uuid")).await;
    assert_eq!(status, 400, "a page token that is not ours");
    let external_ref: String = sqlx::query_scalar("select external_ref from system_user where id = $1::uuid").bind(DEMO_USER).fetch_one(&pool).await.unwrap();
    let (status, found) = get(&app, &reader, &format!("{base}/byexternalref/310000000_demo/{BAKERY}/{external_ref}")).await;
    assert_eq!((status, found["id"].as_str()), (200, Some(correlation.to_string().as_str())), "{found}");
    let (status, _) = get(&app, &reader, &format!("{base}/byexternalref/310000000_demo/{BAKERY}/no-such-ref")).await;
    assert_eq!(status, 404);
    let other = ApiClient::register(&pool, BAKERY, &[READ]).await;
    let theirs = other.token(&app, READ).await;
    let (status, refused) = get(&app, &theirs, &format!("{base}/bysystem/310000000_demo")).await;
    assert_eq!((status, refused["code"].as_str()), (404, Some("AUTH-00011")), "another organisation's system: {refused}");
    let (status, _) = get(&app, &theirs, &format!("{base}/byexternalref/310000000_demo/{BAKERY}/{external_ref}")).await;
    assert_eq!(status, 404, "another organisation's change");
    let (status, _) = get(&app, &vendor.token(&app, SYSTEM_WRITE).await, &format!("{base}/bysystem/310000000_demo")).await;
    assert_eq!(status, 403, "a token without the scope");

    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let (_, list) = app.page("/systembrukere").await;
    assert!(list.contains(&format!("href=\"/systembrukere/endring/{correlation}\"")), "the waiting change is in the access manager's list");
    let (status, html) = app.page(&format!("/systembrukere/endring/{correlation}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Legges til") && html.contains("Regnskap og økonomirapportering"), "whole in the first HTML");
    let res = app.client.get(app.url(&format!("/systembrukere/endring/{correlation}/videre"))).send().await.unwrap();
    assert_eq!(app.location(&res), app.url(&format!("/systembrukere/endring/{correlation}")), "not on to the vendor before a decision");
    let res = app.post_form("approve_system_user_change", &format!("/systembrukere/endring/{correlation}"), &[("id", &correlation.to_string())]).await;
    assert_eq!((res.status().as_u16(), app.location(&res)), (303, app.url(&format!("/systembrukere/endring/{correlation}/videre"))));
    let (_, html) = app.page(&format!("/systembrukere/endring/{correlation}/videre")).await;
    assert!(html.contains("content=\"0;url=https://regnskapsappen.example/ferdig?ref=change\""), "on to the vendor's page: {html}");
    let (_, html) = app.page(&format!("/systembrukere/endring/{correlation}")).await;
    assert!(html.contains("Endringen er godkjent"), "the banner");
    let held: i64 =
        sqlx::query_scalar("select count(*) from access_grant where to_subject = $1::uuid and package_code = 'regnskap-okonomi-rapport' and valid_to is null")
            .bind(DEMO_USER)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(held, 1);
    let (_, read) = get(&app, &vendor.token(&app, WRITE).await, &format!("{base}/{correlation}")).await;
    assert_eq!(read["status"], "Accepted", "the vendor learns it");
    let (_, list) = app.page("/systembrukere").await;
    assert!(!list.contains(&format!("/systembrukere/endring/{correlation}")), "a decided change waits no more");

    app.login(GUNN).await;
    for endpoint in ["system_user_change", "approve_system_user_change", "reject_system_user_change"] {
        let res = app.server_fn(endpoint, &[("id", &correlation.to_string())]).await;
        assert!(res.status().is_client_error(), "{endpoint}: {}", res.status());
    }
}
