//! The resource registry API and the service pages' server functions over real
//! HTTP: create, read, list, update, delete; XACML import and export with the
//! decision API deciding the same; bad input as problem details; 401, 403 and
//! cross-site refusals, each leaving everything as it was.

use crate::common::*;
use serde_json::{json, Value};

const KEY: &str = "test-pdp-key-0123456789";
const BJORN: &str = "14928810047"; // DAGL of the bakery: manages its access
const KARI: &str = "12887510170"; // nothing for the bakery
const OLA: &str = "03908110020"; // the bakery's accountant's general manager
const BAKERY: &str = "310400009";
const BASE: &str = "/resourceregistry/api/v1/resource";

fn orders(id: &str) -> Value {
    json!({
        "identifier": id,
        "title": {"nb": "Bestilling", "nn": "Bestilling", "en": "Orders"},
        "description": "Bestill brød.",
        "resourceType": "GenericAccessResource",
        "delegable": true,
        "hasCompetentAuthority": {"organization": BAKERY},
        "status": "Completed",
        "policy": {
            "combining": "deny-overrides",
            "rules": [{"id": "order", "effect": "Permit", "actions": ["read", "write"],
                       "subjects": [[{"attribute": "urn:altinn:rolecode", "value": "DAGL", "ignore_case": true}]]}]
        }
    })
}

/// Altinn's layout, for resource `id`: DAGL may read and sign, the access
/// package `regnskapsforer-med-signeringsrettighet` may read; level 3 required.
fn altinn_xml(id: &str, combining: &str) -> String {
    test_support::altinn_xml(id, combining, "accountant", "regnskapsforer-med-signeringsrettighet")
}

/// A same-origin request from the portal's pages, as the browser sends it.
fn portal(app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).header("origin", &app.base)
}

async fn post_json(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    portal(app, reqwest::Method::POST, path).json(body).send().await.unwrap()
}

async fn put_json(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    portal(app, reqwest::Method::PUT, path).json(body).send().await.unwrap()
}

async fn put_xml(app: &TestApp, path: &str, xml: &str) -> reqwest::Response {
    portal(app, reqwest::Method::PUT, path).header("content-type", "application/xml").body(xml.to_string()).send().await.unwrap()
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).send().await.unwrap()
}

async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    res.json().await.unwrap()
}

/// What is stored, read straight from the database.
async fn stored(app: &TestApp) -> Vec<(String, String, Value)> {
    let pool = sqlx::PgPool::connect(&app.db_url).await.unwrap();
    let rows = sqlx::query_as("select id, title_nb, policy from resource order by id").fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

fn decision_request(nin: &str, action: &str, resource: &str) -> Value {
    json!({"Request": {
        "AccessSubject": [{"Attribute": [{"AttributeId": "urn:altinn:person:identifier-no", "Value": nin}]}],
        "Action": [{"Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": action}]}],
        "Resource": [{"Attribute": [{"AttributeId": "urn:altinn:resource", "Value": resource}, {"AttributeId": "urn:altinn:organization:identifier-no", "Value": BAKERY}]}]
    }})
}

async fn decide(app: &TestApp, nin: &str, action: &str, resource: &str) -> String {
    let res = reqwest::Client::new()
        .post(app.url("/authorization/api/v1/authorize"))
        .bearer_auth(KEY)
        .json(&decision_request(nin, action, resource))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    body["Response"][0]["Decision"].as_str().unwrap().to_string()
}

/// The decisions that show what a policy means, for the bakery.
async fn decisions(app: &TestApp, resource: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (who, action) in [(BJORN, "read"), (BJORN, "sign"), (BJORN, "write"), (OLA, "read"), (OLA, "sign"), (KARI, "read")] {
        out.push(format!("{who} {action} {}", decide(app, who, action, resource).await));
    }
    out
}

#[tokio::test]
async fn an_access_manager_creates_reads_lists_updates_and_deletes_a_resource() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    let res = post_json(&app, BASE, &orders("bakeri-bestilling")).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    assert_eq!(res.headers()["location"], format!("{BASE}/bakeri-bestilling"));
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["hasCompetentAuthority"]["organization"], BAKERY);
    assert_eq!(created["policy"]["rules"][0]["id"], "order");
    assert_eq!(decide(&app, BJORN, "write", "bakeri-bestilling").await, "Permit", "the engine sees it at once");

    let one: Value = get(&app, &format!("{BASE}/bakeri-bestilling")).await.json().await.unwrap();
    assert_eq!(one["title"]["en"], "Orders");
    let listed: Value = get(&app, &format!("{BASE}?owner={BAKERY}")).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().iter().map(|r| r["identifier"].as_str().unwrap()).collect::<Vec<_>>(), ["bakeri-bestilling"]);
    assert!(listed[0].get("policy").is_none(), "lists carry no policies");
    let all: Value = get(&app, BASE).await.json().await.unwrap();
    assert!(all.as_array().unwrap().iter().any(|r| r["identifier"] == "fullmakt_access_management"));

    // Without a policy the stored one is kept.
    let mut changed = orders("bakeri-bestilling");
    changed["title"]["en"] = json!("Bread orders");
    changed.as_object_mut().unwrap().remove("policy");
    let res = put_json(&app, &format!("{BASE}/bakeri-bestilling"), &changed).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let one: Value = get(&app, &format!("{BASE}/bakeri-bestilling")).await.json().await.unwrap();
    assert_eq!(one["title"]["en"], "Bread orders");
    assert_eq!(one["policy"]["rules"][0]["id"], "order");

    let res = portal(&app, reqwest::Method::DELETE, &format!("{BASE}/bakeri-bestilling")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    problem(get(&app, &format!("{BASE}/bakeri-bestilling")).await, 404).await;
    assert_eq!(decide(&app, BJORN, "write", "bakeri-bestilling").await, "Indeterminate", "no policy, no permit");
}

#[tokio::test]
async fn an_imported_xml_policy_exports_the_same_and_the_pdp_decides_the_same() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    assert_eq!(post_json(&app, BASE, &orders("bakeri-bestilling")).await.status(), 201);
    let path = format!("{BASE}/bakeri-bestilling/policy");
    let res = put_xml(&app, &path, &altinn_xml("bakeri-bestilling", "deny-overrides")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let imported = decisions(&app, "bakeri-bestilling").await;
    assert_eq!(
        imported,
        [
            format!("{BJORN} read Permit"),
            format!("{BJORN} sign Permit"),
            format!("{BJORN} write NotApplicable"),
            format!("{OLA} read Permit"),
            format!("{OLA} sign NotApplicable"),
            format!("{KARI} read NotApplicable"),
        ]
    );

    let res = get(&app, &path).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/xml"));
    let exported = res.text().await.unwrap();
    let before = stored(&app).await;
    let res = put_xml(&app, &path, &exported).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(stored(&app).await, before, "export, then import, stores the same policy");
    assert_eq!(decisions(&app, "bakeri-bestilling").await, imported, "and the engine decides the same");
    assert_eq!(get(&app, &path).await.text().await.unwrap(), exported);

    // The typed policy as JSON replaces it too.
    let typed = json!({"combining": "first-applicable", "rules": [{"id": "x", "effect": "Permit", "actions": ["write"], "subjects": [[{"attribute": "urn:altinn:rolecode", "value": "DAGL", "ignore_case": true}]]}]});
    let res = portal(&app, reqwest::Method::PUT, &path).json(&typed).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(decide(&app, BJORN, "write", "bakeri-bestilling").await, "Permit");
}

#[tokio::test]
async fn bad_input_is_a_problem_with_a_code_and_changes_nothing() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    assert_eq!(post_json(&app, BASE, &orders("bakeri-bestilling")).await.status(), 201);
    let before = stored(&app).await;
    let one = format!("{BASE}/bakeri-bestilling");
    let policy = format!("{one}/policy");

    let res = portal(&app, reqwest::Method::POST, BASE).header("content-type", "application/json").body("{\"identifier\": ").send().await.unwrap();
    assert_eq!(problem(res, 400).await["code"], "malformed_json");
    let res = portal(&app, reqwest::Method::PUT, &one).header("content-type", "application/json").body("{\"title\": {\"nb\": \"x\"").send().await.unwrap();
    assert_eq!(problem(res, 400).await["code"], "malformed_json");
    let mut bad_id = orders("Bakeri Bestilling");
    bad_id["title"]["nn"] = json!("");
    let p = problem(post_json(&app, BASE, &bad_id).await, 422).await;
    assert_eq!(p["code"], "invalid_resource");
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["id", "title_nn"], "{p}");
    assert!(p["detail"].as_str().unwrap().contains("id must be"), "{p}");
    let p = problem(put_json(&app, &format!("{BASE}/Bad%20Id"), &orders("Bad Id")).await, 400).await;
    assert_eq!(p["code"], "invalid_id");

    let doctype =
        format!("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n{}", altinn_xml("bakeri-bestilling", "deny-overrides").split_once('\n').unwrap().1);
    assert_eq!(problem(put_xml(&app, &policy, &doctype).await, 400).await["code"], "xml_doctype");
    let p = problem(put_xml(&app, &policy, &altinn_xml("bakeri-bestilling", "only-one-applicable")).await, 422).await;
    assert_eq!(p["code"], "unsupported_policy");
    assert!(p["detail"].as_str().unwrap().contains("only-one-applicable"), "{p}");
    assert_eq!(problem(put_xml(&app, &policy, "<xacml:Policy").await, 400).await["code"], "malformed_xml");
    let mut unknown = orders("bakeri-bestilling");
    unknown["policy"]["combining"] = json!("only-one-applicable");
    let p = problem(put_json(&app, &one, &unknown).await, 422).await;
    assert_eq!(p["code"], "invalid_body");
    assert!(p["detail"].as_str().unwrap().contains("only-one-applicable"), "{p}");
    let res = portal(&app, reqwest::Method::PUT, &policy).header("content-type", "text/plain").body("x").send().await.unwrap();
    assert_eq!(problem(res, 415).await["code"], "unsupported_media_type");
    assert_eq!(problem(post_json(&app, BASE, &orders("bakeri-bestilling")).await, 409).await["code"], "already_exists");
    let mut moved = orders("bakeri-bestilling");
    moved["hasCompetentAuthority"]["organization"] = json!("310600008");
    assert_eq!(problem(put_json(&app, &one, &moved).await, 422).await["code"], "owner_cannot_change");
    let mut own = orders("fullmakt_access_management");
    own.as_object_mut().unwrap().remove("hasCompetentAuthority");
    assert_eq!(problem(put_json(&app, &format!("{BASE}/fullmakt_access_management"), &own).await, 403).await["code"], "system_resource");
    assert_eq!(problem(put_json(&app, &format!("{BASE}/finnes-ikke"), &orders("finnes-ikke")).await, 404).await["code"], "unknown_resource");

    assert_eq!(stored(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn someone_who_does_not_manage_the_owner_gets_403_and_nothing_changes() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    assert_eq!(post_json(&app, BASE, &orders("bakeri-bestilling")).await.status(), 201);
    let before = stored(&app).await;
    let kari = app.another_browser();
    kari.login(KARI).await;
    let one = format!("{BASE}/bakeri-bestilling");

    let p = problem(post_json(&kari, BASE, &orders("kari-sin")).await, 403).await;
    assert_eq!(p["code"], "not_access_manager");
    let mut changed = orders("bakeri-bestilling");
    changed["title"]["nb"] = json!("Kapret");
    assert_eq!(problem(put_json(&kari, &one, &changed).await, 403).await["code"], "not_access_manager");
    assert_eq!(
        problem(put_xml(&kari, &format!("{one}/policy"), &altinn_xml("bakeri-bestilling", "deny-overrides")).await, 403).await["code"],
        "not_access_manager"
    );
    let res = portal(&kari, reqwest::Method::DELETE, &one).send().await.unwrap();
    assert_eq!(problem(res, 403).await["code"], "not_access_manager");
    problem(get(&kari, &one).await, 403).await;
    problem(get(&kari, &format!("{one}/policy")).await, 403).await;

    assert_eq!(stored(&app).await, before, "nothing changed");
    let pool = sqlx::PgPool::connect(&app.db_url).await.unwrap();
    let refused: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action like 'resource.%' and outcome = 'refused'").fetch_one(&pool).await.unwrap();
    assert_eq!(refused, 4, "each refused change is audited");
}

#[tokio::test]
async fn without_a_session_the_api_answers_401() {
    let app = spawn_app().await;
    for res in [
        get(&app, BASE).await,
        get(&app, &format!("{BASE}/fjordby-rapportering")).await,
        get(&app, &format!("{BASE}/fjordby-rapportering/policy")).await,
        post_json(&app, BASE, &orders("bakeri-bestilling")).await,
        portal(&app, reqwest::Method::DELETE, &format!("{BASE}/fjordby-rapportering")).send().await.unwrap(),
    ] {
        assert_eq!(problem(res, 401).await["code"], "unauthenticated");
    }
    assert!(stored(&app).await.iter().any(|(id, ..)| id == "fjordby-rapportering"));
}

#[tokio::test]
async fn a_cross_site_request_with_the_session_cookie_is_refused() {
    let app = spawn_app().await;
    app.login(BJORN).await;
    let before = stored(&app).await;
    let from_elsewhere = app.client.post(app.url(BASE)).header("origin", "https://evil.example").json(&orders("bakeri-bestilling")).send().await.unwrap();
    assert_eq!(problem(from_elsewhere, 403).await["code"], "csrf");
    let cross_site = app.client.post(app.url(BASE)).header("sec-fetch-site", "cross-site").json(&orders("bakeri-bestilling")).send().await.unwrap();
    assert_eq!(problem(cross_site, 403).await["code"], "csrf");
    let no_origin = app.client.delete(app.url(&format!("{BASE}/fjordby-rapportering"))).send().await.unwrap();
    assert_eq!(problem(no_origin, 403).await["code"], "csrf");
    assert_eq!(stored(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn the_openapi_document_describes_the_resource_api() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api-docs/openapi.json")).await.unwrap().json().await.unwrap();
    let methods = |path: &str| doc["paths"][path].as_object().map(|m| m.keys().filter(|k| *k != "parameters").cloned().collect::<Vec<_>>()).unwrap_or_default();
    assert_eq!(methods(BASE), ["get", "post"]);
    assert_eq!(methods(&format!("{BASE}/{{id}}")), ["delete", "get", "put"]);
    assert_eq!(methods(&format!("{BASE}/{{id}}/policy")), ["get", "put"]);
}

// ---- The service pages' server functions --------------------------------

fn new_service(id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.into()),
        ("title_nb", "Bestilling".into()),
        ("title_nn", "Bestilling".into()),
        ("title_en", "Orders".into()),
        ("description", String::new()),
        ("resource_type", "GenericAccessResource".into()),
        ("delegable", "on".into()),
        ("combining", "deny-overrides".into()),
        ("auth_level", "3".into()),
        ("effect", "Permit".into()),
        ("actions", "read, write".into()),
        ("packages[]", "merverdiavgift".into()),
        ("roles", "".into()),
        ("parties", "11839110083".into()),
    ]
}

async fn call(app: &TestApp, endpoint: &str, form: &[(&str, String)]) -> reqwest::Response {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.server_fn(endpoint, &form).await
}

#[tokio::test]
async fn an_access_manager_creates_edits_and_deletes_a_service_through_the_pages() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let list: Value = app.server_fn("services", &[]).await.json().await.unwrap();
    assert_eq!(list["may_manage"], true);
    assert_eq!(list["services"], json!([]), "the bakery owns nothing yet");

    let res = call(&app, "create_service", &new_service("bakeri-bestilling")).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.text().await.unwrap());
    let list: Value = app.server_fn("services", &[]).await.json().await.unwrap();
    assert_eq!(list["services"][0]["id"], "bakeri-bestilling");
    let one: Value = app.server_fn("service", &[("id", "bakeri-bestilling")]).await.json().await.unwrap();
    assert_eq!(one["auth_level"], "3");
    assert_eq!(one["rules"][0]["packages"], json!(["merverdiavgift"]));
    assert_eq!(one["rules"][0]["parties"], json!(["11839110083"]));
    assert_eq!(decide(&app, "11839110083", "write", "bakeri-bestilling").await, "Permit");

    let rule = [("service", "bakeri-bestilling"), ("rule", ""), ("effect", "Deny"), ("actions", "write"), ("roles", "dagl"), ("parties", "")];
    assert!(app.server_fn("save_service_rule", &rule).await.status().is_success());
    let one: Value = app.server_fn("service", &[("id", "bakeri-bestilling")]).await.json().await.unwrap();
    assert_eq!(one["rules"][1]["id"], "rule-2");
    assert_eq!(one["rules"][1]["roles"], json!(["DAGL"]));
    assert_eq!(decide(&app, BJORN, "write", "bakeri-bestilling").await, "Deny");
    assert!(app.server_fn("delete_service_rule", &[("service", "bakeri-bestilling"), ("rule", "rule-2")]).await.status().is_success());

    let details = [
        ("id", "bakeri-bestilling"),
        ("title_nb", "Brødbestilling"),
        ("title_nn", "Brødbestilling"),
        ("title_en", "Bread orders"),
        ("description", ""),
        ("resource_type", "GenericAccessResource"),
        ("combining", "permit-overrides"),
        ("auth_level", ""),
    ];
    assert!(app.server_fn("update_service", &details).await.status().is_success());
    let one: Value = app.server_fn("service", &[("id", "bakeri-bestilling")]).await.json().await.unwrap();
    assert_eq!(
        (one["title"][2].as_str(), one["combining"].as_str(), one["delegable"].as_bool()),
        (Some("Bread orders"), Some("permit-overrides"), Some(false))
    );
    assert!(one["auth_level"].is_null());

    let xml = altinn_xml("bakeri-bestilling", "deny-overrides");
    assert!(app.server_fn("import_service_policy", &[("service", "bakeri-bestilling"), ("xml", &xml)]).await.status().is_success());
    assert_eq!(decide(&app, OLA, "read", "bakeri-bestilling").await, "Permit");

    assert!(app.server_fn("delete_service", &[("service", "bakeri-bestilling")]).await.status().is_success());
    let list: Value = app.server_fn("services", &[]).await.json().await.unwrap();
    assert_eq!(list["services"], json!([]));
}

#[tokio::test]
async fn the_service_forms_report_each_bad_field() {
    let app = spawn_app().await;
    app.act_for(BJORN, "Bakeri Hansen AS").await;
    let mut form = new_service("Bad Id");
    form.retain(|(k, _)| *k != "packages[]");
    for (k, v) in form.iter_mut() {
        match *k {
            "title_en" | "actions" => v.clear(),
            "parties" => *v = "123".into(),
            _ => {}
        }
    }
    let res = call(&app, "create_service", &form).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    let reported: Vec<&str> = body["Invalid"].as_array().expect("field errors").iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["actions", "parties", "id", "title_en"] {
        assert!(reported.contains(&field), "{field} is reported: {body}");
    }
    let xml = format!("<!DOCTYPE x []>{}", altinn_xml("fjordby-rapportering", "deny-overrides"));
    let body = app.server_fn("import_service_policy", &[("service", "fjordby-rapportering"), ("xml", &xml)]).await.text().await.unwrap();
    assert!(body.contains("NotAllowed"), "not the university's manager: {body}");
    assert_eq!(app.server_fn("services", &[]).await.json::<Value>().await.unwrap()["services"], json!([]));
}

#[tokio::test]
async fn every_service_function_refuses_a_caller_without_the_right() {
    let app = spawn_app().await;
    let before = stored(&app).await;
    let rule = [("service", "fjordby-rapportering"), ("rule", "rapportering"), ("effect", "Permit"), ("actions", "read"), ("roles", "DAGL"), ("parties", "")];
    let details = [
        ("id", "fjordby-rapportering"),
        ("title_nb", "x"),
        ("title_nn", "x"),
        ("title_en", "x"),
        ("resource_type", "GenericAccessResource"),
        ("combining", "deny-overrides"),
    ];
    let xml = altinn_xml("fjordby-rapportering", "deny-overrides");
    let create: Vec<(&str, String)> = new_service("kapret");
    let create: Vec<(&str, &str)> = create.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("services", vec![]),
        ("service", vec![("id", "fjordby-rapportering")]),
        ("policy_packages", vec![]),
        ("create_service", create),
        ("update_service", details.to_vec()),
        ("save_service_rule", rule.to_vec()),
        ("delete_service_rule", vec![("service", "fjordby-rapportering"), ("rule", "rapportering")]),
        ("import_service_policy", vec![("service", "fjordby-rapportering"), ("xml", &xml)]),
        ("delete_service", vec![("service", "fjordby-rapportering")]),
    ];
    // Signed out: every function says so.
    for (endpoint, form) in &calls {
        let res = app.server_fn(endpoint, form).await;
        assert_eq!(res.status(), 401, "{endpoint}");
    }
    // Ola acts for the bakery through his firm's accountant role, but manages
    // no access there, nor anything of the university's.
    app.act_for(OLA, "Bakeri Hansen AS").await;
    for (endpoint, form) in &calls {
        let res = app.server_fn(endpoint, form).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        match *endpoint {
            "services" => {
                assert_eq!(status, 200, "{body}");
                assert!(body.contains("\"may_manage\":false"), "{body}");
            }
            "policy_packages" => assert_eq!(status, 200, "the catalogue is public: {body}"),
            _ => assert!(status == 403 && body.contains("NotAllowed"), "{endpoint}: {status} {body}"),
        }
    }
    assert_eq!(stored(&app).await, before, "nothing changed");
}
