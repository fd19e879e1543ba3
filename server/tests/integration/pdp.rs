//! The decision API over real HTTP: scenarios, explanations, multi-requests,
//! bad input, the change feed across instances, and authorized parties.

use crate::common::*;
use domain::decisions::policy::{attr, Obligation, Rule};
use domain::grants::Recipient;
use domain::parties::PartyId;
use serde_json::{json, Value};

const KEY: &str = "test-pdp-key-0123456789";
const BJORN: &str = "14928810047";
const GUNN: &str = "11839110083";
const KARI: &str = "12887510170";
const BAKERY: &str = "310400009";
const KYSTFISK: &str = "310600008";
const FIRM: &str = "310100005";

async fn with_resources(app: &TestApp) -> sqlx::PgPool {
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let mut resource = test_support::resource("mva-melding", "merverdiavgift", &["read", "write"]);
    resource.policy.rules = vec![
        Rule::permit_package("vat", "merverdiavgift", &["read", "write"]),
        Rule::permit_package("accountant", "regnskapsforer-med-signeringsrettighet", &["read", "write", "sign"]),
    ];
    resource.policy.obligations = vec![Obligation::minimum_authentication_level(3)];
    test_support::save_resource(&pool, test_support::demo::SERVICE_OWNER, &resource).await;
    pool
}

fn single(subject_attr: &str, subject: &str, action: &str, resource: &str, party_attr: &str, party: &str) -> Value {
    json!({"Request": {
        "AccessSubject": [{"Attribute": [{"AttributeId": subject_attr, "Value": subject}]}],
        "Action": [{"Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": action}]}],
        "Resource": [{"Attribute": [{"AttributeId": "urn:altinn:resource", "Value": resource}, {"AttributeId": party_attr, "Value": party, "IncludeInResult": true}]}]
    }})
}

fn person_asks(nin: &str, action: &str, org: &str) -> Value {
    single(attr::PERSON_ID, nin, action, "mva-melding", attr::ORG_NUMBER, org)
}

async fn ask(app: &TestApp, body: &Value, path: &str) -> Value {
    let res = reqwest::Client::new().post(app.url(path)).bearer_auth(KEY).json(body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn decision(app: &TestApp, body: &Value) -> String {
    ask(app, body, "/authorization/api/v1/authorize").await["Response"][0]["Decision"].as_str().unwrap().to_string()
}

/// Waits (bounded) until the instance's snapshot includes the latest change.
async fn eventually(app: &TestApp, body: &Value, expected: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        if decision(app, body).await == expected {
            return started.elapsed();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{expected} never came");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_general_manager_is_permitted_with_obligation_and_explanation() {
    let app = spawn_app().await;
    with_resources(&app).await;
    let body = person_asks(BJORN, "write", BAKERY);
    eventually(&app, &body, "Permit").await;
    let r = ask(&app, &body, "/authorization/api/v1/authorize?explain=true").await;
    let result = &r["Response"][0];
    assert_eq!(result["Status"]["StatusCode"]["Value"], "urn:oasis:names:tc:xacml:1.0:status:ok");
    assert_eq!(result["Obligations"][0]["AttributeAssignment"][0]["Value"], "3");
    assert_eq!(result["Category"][0]["Attribute"][0]["Value"], BAKERY, "IncludeInResult attributes are echoed");
    let text = result["Explanation"]["Text"].as_str().unwrap();
    assert!(text.contains("merverdiavgift ← register role DAGL"), "{text}");
    assert_eq!(decision(&app, &person_asks(BJORN, "sign", BAKERY)).await, "NotApplicable");
    assert_eq!(decision(&app, &person_asks(KARI, "write", BAKERY)).await, "NotApplicable");
}

#[tokio::test]
async fn an_accountant_is_permitted_for_the_client_only() {
    let app = spawn_app().await;
    with_resources(&app).await;
    let for_client = single(attr::ORG_NUMBER, FIRM, "sign", "mva-melding", attr::ORG_NUMBER, BAKERY);
    eventually(&app, &for_client, "Permit").await;
    // Kystfisk is the firm's other REGN client.
    assert_eq!(decision(&app, &single(attr::ORG_NUMBER, FIRM, "sign", "mva-melding", attr::ORG_NUMBER, KYSTFISK)).await, "Permit");
    // Not a client: the software vendor.
    assert_eq!(decision(&app, &single(attr::ORG_NUMBER, FIRM, "sign", "mva-melding", attr::ORG_NUMBER, "310000000")).await, "NotApplicable");
    // The firm's general manager acts through the key role.
    let r = ask(&app, &single(attr::PERSON_ID, "03908110020", "sign", "mva-melding", attr::ORG_NUMBER, BAKERY), "/authorization/api/v1/decision?explain=true")
        .await;
    assert_eq!(r["Response"][0]["Decision"], "Permit");
    assert!(r["Response"][0]["Explanation"]["Text"].as_str().unwrap().contains("key role DAGL"));
}

#[tokio::test]
async fn a_revocation_is_honoured_by_another_instance_within_a_second() {
    let a = spawn_app().await;
    let pool = with_resources(&a).await;
    let b = spawn_with(|c| c.database_url = a.db_url.clone()).await;
    let bakery = PartyId(uuid_of(&pool, "org_number", BAKERY).await);
    let bjorn = PartyId(uuid_of(&pool, "national_id", BJORN).await);
    let gunn = PartyId(uuid_of(&pool, "national_id", GUNN).await);
    let body = person_asks(GUNN, "read", BAKERY);
    eventually(&b, &person_asks(BJORN, "read", BAKERY), "Permit").await;
    assert_eq!(decision(&b, &body).await, "NotApplicable");

    // Bjørn, on a third "instance" of the use cases, gives and takes back.
    let bjorn = test_support::acting(&test_support::services(&pool).await, bjorn, bakery);
    let grant = domain::grants::grant_package_to(&bjorn, Recipient::Party(gunn), "merverdiavgift").await.unwrap();
    let granted_after = eventually(&b, &body, "Permit").await;
    domain::grants::revoke(&bjorn, grant).await.unwrap();
    let revoked_after = eventually(&b, &body, "NotApplicable").await;
    eprintln!("grant seen by the other instance after {granted_after:?}, revocation after {revoked_after:?}");
    assert!(revoked_after < std::time::Duration::from_secs(1), "{revoked_after:?}");
}

async fn uuid_of(pool: &sqlx::PgPool, column: &str, value: &str) -> uuid::Uuid {
    sqlx::query_scalar(&format!("select id from party where {column} = $1")).bind(value).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn multi_requests_answer_in_reference_order() {
    let app = spawn_app().await;
    with_resources(&app).await;
    eventually(&app, &person_asks(BJORN, "read", BAKERY), "Permit").await;
    let body = json!({"Request": {
        "AccessSubject": [{"Id": "s1", "Attribute": [{"AttributeId": attr::PERSON_ID, "Value": BJORN}]}],
        "Action": [{"Id": "a1", "Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": "read"}]}],
        "Resource": [
            {"Id": "r1", "Attribute": [{"AttributeId": "urn:altinn:resource", "Value": "mva-melding"}, {"AttributeId": attr::ORG_NUMBER, "Value": BAKERY}]},
            {"Id": "r2", "Attribute": [{"AttributeId": "urn:altinn:resource", "Value": "mva-melding"}, {"AttributeId": attr::ORG_NUMBER, "Value": KYSTFISK}]}
        ],
        "MultiRequests": {"RequestReference": [{"ReferenceId": ["s1", "a1", "r2"]}, {"ReferenceId": ["s1", "a1", "r1"]}]}
    }});
    let r = ask(&app, &body, "/authorization/api/v1/authorize").await;
    let decisions: Vec<&str> = r["Response"].as_array().unwrap().iter().map(|x| x["Decision"].as_str().unwrap()).collect();
    assert_eq!(decisions, ["NotApplicable", "Permit"]);
}

#[tokio::test]
async fn bad_requests_are_indeterminate_with_a_status_never_permit() {
    let app = spawn_app().await;
    with_resources(&app).await;
    eventually(&app, &person_asks(BJORN, "read", BAKERY), "Permit").await;
    let status = |r: &Value| {
        (
            r["Response"][0]["Decision"].as_str().unwrap().to_string(),
            r["Response"][0]["Status"]["StatusCode"]["Value"].as_str().unwrap().rsplit(':').next().unwrap().to_string(),
        )
    };
    let client = reqwest::Client::new();
    let raw = client
        .post(app.url("/authorization/api/v1/authorize"))
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(status(&raw.json().await.unwrap()), ("Indeterminate".into(), "syntax-error".into()));
    let cases = vec![
        (json!({"Request": {"Bogus": []}}), "missing-attribute"),
        (json!({"Request": {"Category": [{"CategoryId": "urn:unknown", "Attribute": []}]}}), "syntax-error"),
        (single("urn:altinn:foo", "x", "read", "mva-melding", attr::ORG_NUMBER, BAKERY), "missing-attribute"),
        (single(attr::PERSON_ID, BJORN, "read", "no-such-resource", attr::ORG_NUMBER, BAKERY), "processing-error"),
        (single(attr::PERSON_ID, BJORN, "read", "mva-melding", attr::ORG_NUMBER, "999999999"), "processing-error"),
        (single(attr::PERSON_ID, "01010112345", "read", "mva-melding", attr::ORG_NUMBER, BAKERY), "processing-error"),
    ];
    for (body, expected) in cases {
        let r = ask(&app, &body, "/authorization/api/v1/authorize").await;
        assert_eq!(status(&r), ("Indeterminate".into(), expected.into()), "{body}");
    }
    // Two subjects where one is allowed, and a system user that is not alone.
    let mut two = person_asks(BJORN, "read", BAKERY);
    two["Request"]["AccessSubject"][0]["Attribute"].as_array_mut().unwrap().push(json!({"AttributeId": attr::ORG_NUMBER, "Value": FIRM}));
    assert_eq!(status(&ask(&app, &two, "/authorization/api/v1/authorize").await), ("Indeterminate".into(), "processing-error".into()));
    let mut su = single(attr::SYSTEM_USER, &uuid::Uuid::now_v7().to_string(), "read", "mva-melding", attr::ORG_NUMBER, BAKERY);
    su["Request"]["AccessSubject"][0]["Attribute"].as_array_mut().unwrap().push(json!({"AttributeId": attr::PERSON_ID, "Value": BJORN}));
    let r = ask(&app, &su, "/authorization/api/v1/authorize").await;
    assert_eq!(status(&r), ("Indeterminate".into(), "processing-error".into()));
    assert!(r["Response"][0]["Status"]["StatusMessage"].as_str().unwrap().contains("only subject attribute"));
    // Missing action.
    let mut no_action = person_asks(BJORN, "read", BAKERY);
    no_action["Request"]["Action"][0]["Attribute"] = json!([{"AttributeId": "urn:other", "Value": "x"}]);
    assert_eq!(status(&ask(&app, &no_action, "/authorization/api/v1/authorize").await), ("Indeterminate".into(), "missing-attribute".into()));
}

#[tokio::test]
async fn a_request_naming_a_property_twice_is_a_syntax_error_never_permit() {
    let app = spawn_app().await;
    with_resources(&app).await;
    let bjorn = person_asks(BJORN, "write", BAKERY);
    let kari = person_asks(KARI, "write", BAKERY);
    eventually(&app, &bjorn, "Permit").await;
    assert_eq!(decision(&app, &kari).await, "NotApplicable");
    // serde_json writes members in name order: AttributeId before Value.
    let kari_text = kari.to_string();
    let kari_value = format!(r#""Value":"{KARI}""#);
    assert!(kari_text.contains(&kari_value), "{kari_text}");
    let twice = |second: &str| kari_text.replacen(&kari_value, &format!(r#"{kari_value},{second}"#), 1);
    let cases = [
        // The last Value would be Bjørn's, who is permitted.
        (twice(&format!(r#""Value":"{BJORN}""#)), "\"Value\""),
        // A capitalised name would win over another case variant, whatever the order.
        (twice(&format!(r#""value":"{BJORN}""#)), "\"value\""),
        (twice(r#""attributeId":"urn:altinn:organization:identifier-no""#), "\"attributeId\""),
        (
            kari_text.replacen(r#""AccessSubject":["#, &format!(r#""AccessSubject":{},"AccessSubject":["#, bjorn["Request"]["AccessSubject"]), 1),
            "\"AccessSubject\"",
        ),
        // A second top-level Request.
        (format!(r#"{{"Request":{},"Request":{}}}"#, kari["Request"], bjorn["Request"]), "\"Request\""),
        (format!(r#"{{"request":{},"Request":{}}}"#, bjorn["Request"], kari["Request"]), "\"request\""),
    ];
    for (body, named) in cases {
        for path in ["/authorization/api/v1/authorize", "/authorization/api/v1/decision"] {
            let res =
                reqwest::Client::new().post(app.url(path)).bearer_auth(KEY).header("content-type", "application/json").body(body.clone()).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let r: Value = res.json().await.unwrap();
            let results = r["Response"].as_array().unwrap();
            assert_eq!(results.len(), 1, "{body}: {r}");
            assert_eq!(results[0]["Decision"], "Indeterminate", "{body}: {r}");
            assert_eq!(results[0]["Status"]["StatusCode"]["Value"], "urn:oasis:names:tc:xacml:1.0:status:syntax-error", "{body}");
            let message = results[0]["Status"]["StatusMessage"].as_str().unwrap();
            assert!(message.contains("duplicate key") && message.contains(named), "{body}: {message}");
        }
    }
}

#[tokio::test]
async fn callers_must_authenticate_and_send_json() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let body = person_asks(BJORN, "read", BAKERY);
    let res = client.post(app.url("/authorization/api/v1/authorize")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = client.post(app.url("/authorization/api/v1/authorize")).bearer_auth("wrong-key-wrong-key").json(&body).send().await.unwrap();
    assert_eq!(res.status(), 401);
    // The key is compared exactly: with white space inside the credentials it is
    // not the key. (White space at the very end of a header is not part of its
    // value, so HTTP itself removes it before any server sees it.)
    for almost in [format!("Bearer  {KEY}"), format!("Bearer \t{KEY}")] {
        let res = client.post(app.url("/authorization/api/v1/authorize")).header("authorization", &almost).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 401, "{almost:?}");
    }
    let res = client.post(app.url("/authorization/api/v1/authorize")).bearer_auth(KEY).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200, "the exact key is accepted");
    let res = client.post(app.url("/authorization/api/v1/authorize")).bearer_auth(KEY).header("content-type", "text/plain").body("x").send().await.unwrap();
    assert_eq!(res.status(), 415);
    let res = client.get(app.url("/accessmanagement/api/v1/authorizedparties?subject=14928810047")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn authorized_parties_answers_for_whom_a_subject_may_act() {
    let app = spawn_app().await;
    with_resources(&app).await;
    eventually(&app, &person_asks(BJORN, "read", BAKERY), "Permit").await;
    let client = reqwest::Client::new();
    let get = |q: String| {
        let client = client.clone();
        let url = app.url(&format!("/accessmanagement/api/v1/authorizedparties?{q}"));
        async move { client.get(url).bearer_auth(KEY).send().await.unwrap() }
    };
    let all: Value = get("subject=03908110020".into()).await.json().await.unwrap();
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ola Tallesen", "Bakeri Hansen AS", "Kystfisk AS", "Tall og Tro Regnskap AS"]);
    let signing: Value = get("subject=03908110020&resource=mva-melding&action=sign".into()).await.json().await.unwrap();
    let names: Vec<&str> = signing["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bakeri Hansen AS", "Kystfisk AS"]);
    let paged: Value = get("subject=03908110020&page=2&pageSize=3".into()).await.json().await.unwrap();
    assert_eq!(paged["totalCount"], 4);
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(get("subject=00000000000".into()).await.status(), 404);
    assert_eq!(get("subject=03908110020&resource=mva-melding".into()).await.status(), 400);
    assert_eq!(get("subject=03908110020&pageSize=0".into()).await.status(), 400);
    assert_eq!(get("subject=03908110020&resource=nope&action=read".into()).await.status(), 404);
}

#[tokio::test]
async fn the_openapi_document_describes_the_served_apis() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(app.url("/api-docs/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    // That the document and the routers agree, method by method, is the unit
    // test `api::openapi::tests`; here the live server answers every path.
    // Every documented path is served (never the HTML not-found page).
    let client = reqwest::Client::new();
    for path in paths {
        let methods = doc["paths"][path.as_str()].as_object().unwrap();
        let res = if methods.contains_key("post") {
            client.post(app.url(path)).bearer_auth(KEY).json(&json!({})).send().await.unwrap()
        } else {
            client.get(app.url(path)).bearer_auth(KEY).send().await.unwrap()
        };
        assert_ne!(res.status(), 404, "{path} is served");
        assert!(!res.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path} answers as an API");
    }
}
