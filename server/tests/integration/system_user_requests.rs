//! System-user requests, the vendor API, over real HTTP with real tokens:
//! a vendor sends a request (201, Location, confirmUrl), a repeat answers
//! with it (200), reads it by id, reference and system, withdraws it (202);
//! read-only tokens, other vendors and requests the system cannot give are
//! refused with Altinn's problem codes; the agent variant for an
//! accounting firm, and its approval page.

use crate::common::tokens::*;
use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const REGISTER: &str = "/authentication/api/v1/systemregister/vendor";
const BASE: &str = "/authentication/api/v1/systemuser/request/vendor";
const SYSTEM_WRITE: &str = "altinn:authentication/systemregister.write";
const WRITE: &str = "altinn:authentication/systemuser.request.write";
const READ: &str = "altinn:authentication/systemuser.request.read";
const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<&Value>) -> (u16, Value, Option<String>) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), location)
}

fn request() -> Value {
    json!({
        "systemId": "310000000_lonn", "partyOrgNo": BAKERY,
        "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "fjordby-rapportering"}]}],
        "accessPackages": [{"urn": "urn:altinn:accesspackage:skatt-naering"}],
        "redirectUrl": "https://lonn.example/kvittering?state=abc"
    })
}

/// A running portal, its pool, and the vendor's client with the register
/// and request scopes, with the system `310000000_lonn` registered.
async fn setup() -> (TestApp, PgPool, ApiClient) {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let vendor = ApiClient::register(&pool, VENDOR, &[SYSTEM_WRITE, WRITE, READ]).await;
    let token = vendor.token(&app, SYSTEM_WRITE).await;
    let system = json!({
        "id": "310000000_lonn", "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:310000000"},
        "name": {"nb": "Lønn", "nn": "Løn", "en": "Payroll"}, "description": {"nb": "a", "nn": "b", "en": "c"},
        "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "fjordby-rapportering"}]}],
        "accessPackages": [{"urn": "urn:altinn:accesspackage:skatt-naering"}, {"urn": "urn:altinn:accesspackage:regnskapsforer-lonn"}],
        "allowedRedirectUrls": ["https://lonn.example/kvittering"], "isVisible": false
    });
    assert_eq!(call(&app, &token, Method::POST, REGISTER, Some(&system)).await.0, 200);
    (app, pool, vendor)
}

#[tokio::test]
async fn a_vendor_sends_a_request_follows_it_and_withdraws_it() {
    let (app, _pool, vendor) = setup().await;
    let token = vendor.token(&app, WRITE).await;
    let (status, sent, location) = call(&app, &token, Method::POST, BASE, Some(&request())).await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_string();
    assert_eq!(location.as_deref(), Some(format!("{BASE}/{id}").as_str()));
    assert_eq!((sent["status"].as_str(), sent["externalRef"].as_str(), sent["timedOut"].as_bool()), (Some("New"), Some(BAKERY), Some(false)));
    assert_eq!(sent["confirmUrl"], app.url(&format!("/systembrukere/foresporsel/{id}?party={BAKERY}")));
    assert_eq!(sent["integrationTitle"], "Lønn");

    let (status, again, _) = call(&app, &token, Method::POST, BASE, Some(&request())).await;
    assert_eq!((status, again["id"].as_str()), (200, Some(id.as_str())), "a repeat answers with the same request and its confirmUrl");
    assert_eq!(again["confirmUrl"], sent["confirmUrl"]);

    let read = vendor.token(&app, READ).await;
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/{id}"), None).await.1["id"], id.as_str());
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/byexternalref/310000000_lonn/{BAKERY}/{BAKERY}"), None).await.1["id"], id.as_str());
    let (status, page, _) = call(&app, &read, Method::GET, &format!("{BASE}/bysystem/310000000_lonn"), None).await;
    assert_eq!((status, page["data"][0]["id"].as_str(), &page["links"]["next"]), (200, Some(id.as_str()), &Value::Null));

    let (status, refused, _) = call(&app, &read, Method::DELETE, &format!("{BASE}/{id}"), None).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("insufficient_scope")), "a read token does not withdraw");
    assert_eq!(call(&app, &token, Method::DELETE, &format!("{BASE}/{id}"), None).await.0, 202);
    let (status, gone, _) = call(&app, &read, Method::GET, &format!("{BASE}/{id}"), None).await;
    assert_eq!((status, gone["code"].as_str()), (404, Some("AUTH-00010")));
    assert_eq!(call(&app, &token, Method::POST, BASE, Some(&request())).await.0, 201, "the vendor may ask again");
}

#[tokio::test]
async fn bad_requests_and_other_vendors_get_altinns_codes_and_nothing_is_stored() {
    let (app, pool, vendor) = setup().await;
    let token = vendor.token(&app, WRITE).await;
    let (_, sent, _) = call(&app, &token, Method::POST, BASE, Some(&request())).await;
    let id = sent["id"].as_str().unwrap().to_string();
    let stored = || async { sqlx::query_scalar::<_, i64>("select count(*) from system_user_request").fetch_one(&pool).await.unwrap() };
    let before = stored().await;

    let with = |f: fn(&mut Value)| {
        let mut b = request();
        b["externalRef"] = json!("another");
        f(&mut b);
        b
    };
    for (code, status, body) in [
        ("AUTH-00000", 400, with(|b| b["partyOrgNo"] = json!("310400001"))),
        ("AUTH-00001", 400, with(|b| b["rights"][0]["resource"][0]["value"] = json!("annet"))),
        ("AUTH-00011", 404, with(|b| b["systemId"] = json!("310000000_finnes-ikke"))),
        ("AUTH-00021", 400, with(|b| b["redirectUrl"] = json!("https://evil.example/"))),
        ("AUTH-00059", 400, with(|b| (b["rights"], b["accessPackages"]) = (json!([]), json!([])))),
        ("AUTH-00063", 400, with(|b| b["accessPackages"] = json!([{"urn": "urn:altinn:accesspackage:merverdiavgift"}]))),
        ("AUTH-00064", 400, with(|b| b["accessPackages"] = json!([{"urn": "urn:altinn:accesspackage:regnskapsforer-lonn"}]))),
        ("AUTH.VLD-00009", 400, with(|b| b["rights"][0]["resource"][0]["id"] = json!("urn:altinn:app"))),
    ] {
        let (s, p, _) = call(&app, &token, Method::POST, BASE, Some(&body)).await;
        assert_eq!((s, p["code"].as_str()), (status, Some(code)), "{p}");
    }
    let (s, p, _) = call(&app, &token, Method::POST, BASE, Some(&json!({"systemId": 1}))).await;
    assert_eq!((s, p["code"].as_str()), (422, Some("invalid_body")));
    let (s, p, _) = call(&app, &token, Method::GET, &format!("{BASE}/not-a-uuid"), None).await;
    assert_eq!((s, p["code"].as_str()), (404, Some("AUTH-00010")));
    let (s, p, _) = call(&app, &token, Method::GET, &format!("{BASE}/bysystem/310000000_lonn?token=x"), None).await;
    assert_eq!((s, p["code"].as_str()), (400, Some("invalid_token")));

    // The bakery's client with the same scopes sees nothing of the vendor's.
    let other = ApiClient::register(&pool, BAKERY, &[WRITE, READ]).await;
    let other_token = other.token(&app, WRITE).await;
    for (method, path) in
        [(Method::GET, format!("{BASE}/{id}")), (Method::DELETE, format!("{BASE}/{id}")), (Method::GET, format!("{BASE}/bysystem/310000000_lonn"))]
    {
        let (s, p, _) = call(&app, &other_token, method.clone(), &path, None).await;
        assert_eq!(s, 404, "{method} {path}: {p}");
    }
    let (s, p, _) = call(&app, &other_token, Method::POST, BASE, Some(&request())).await;
    assert_eq!((s, p["code"].as_str()), (404, Some("AUTH-00011")));
    assert_eq!(stored().await, before, "nothing stored");
    assert_eq!(call(&app, &token, Method::GET, &format!("{BASE}/{id}"), None).await.1["status"], "New", "nothing changed");
}

/// The agent variant under `…/vendor/agent`: a request to the accounting
/// firm for client packages only, read back on the agent paths and not on
/// the standard ones, with Altinn's codes for what an agent cannot ask.
#[tokio::test]
async fn a_vendor_asks_an_accounting_firm_for_an_agent_system_user() {
    const FIRM: &str = "310100005";
    let (app, pool, vendor) = setup().await;
    let token = vendor.token(&app, WRITE).await;
    let agent = |f: fn(&mut Value)| {
        let mut b = json!({
            "systemId": "310000000_lonn", "partyOrgNo": FIRM,
            "accessPackages": [{"urn": "urn:altinn:accesspackage:regnskapsforer-lonn"}],
            "redirectUrl": "https://lonn.example/kvittering"
        });
        f(&mut b);
        b
    };
    let (status, sent, location) = call(&app, &token, Method::POST, &format!("{BASE}/agent"), Some(&agent(|_| {}))).await;
    assert_eq!(status, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_string();
    assert_eq!(location.as_deref(), Some(format!("{BASE}/agent/{id}").as_str()));
    assert!(sent.get("rights").is_none(), "Altinn's agent response has no rights: {sent}");
    assert_eq!(sent["confirmUrl"], app.url(&format!("/systembrukere/foresporsel/{id}?party={FIRM}")));

    let read = vendor.token(&app, READ).await;
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/agent/{id}"), None).await.1["id"], id.as_str());
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/{id}"), None).await.0, 404, "not on the standard path");
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/agent/byexternalref/310000000_lonn/{FIRM}/{FIRM}"), None).await.1["id"], id.as_str());
    let (_, page, _) = call(&app, &read, Method::GET, &format!("{BASE}/agent/bysystem/310000000_lonn"), None).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    let (_, page, _) = call(&app, &read, Method::GET, &format!("{BASE}/bysystem/310000000_lonn"), None).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(0), "the standard list has no agent request");

    let before: i64 = sqlx::query_scalar("select count(*) from system_user_request").fetch_one(&pool).await.unwrap();
    for (code, body) in [
        ("AUTH-00058", agent(|b| b["accessPackages"] = json!([]))),
        ("AUTH-00001", agent(|b| b["rights"] = json!([{"resource": [{"id": "urn:altinn:resource", "value": "ukjent-tjeneste"}]}]))),
        ("AUTH-00063", agent(|b| b["accessPackages"] = json!([{"urn": "urn:altinn:accesspackage:merverdiavgift"}]))),
    ] {
        let mut body = body;
        body["externalRef"] = json!("another");
        let (s, p, _) = call(&app, &token, Method::POST, &format!("{BASE}/agent"), Some(&body)).await;
        assert_eq!((s, p["code"].as_str()), (400, Some(code)), "{p}");
    }
    let after: i64 = sqlx::query_scalar("select count(*) from system_user_request").fetch_one(&pool).await.unwrap();
    assert_eq!(after, before, "nothing stored");
    let (s, _, _) = call(&app, &read, Method::POST, &format!("{BASE}/agent"), Some(&agent(|_| {}))).await;
    assert_eq!(s, 403, "a read token does not send");

    // The firm's general manager sees at the confirmUrl that approving gives nothing yet.
    app.act_for("03908110020", "Tall og Tro Regnskap AS").await;
    let (_, list) = app.page("/systembrukere").await;
    assert!(list.contains(&format!("data-request=\"{id}\"")) && list.contains("systembruker for klienter"), "the pending list marks it: {list}");
    let res = app.client.get(app.url(&format!("/systembrukere/foresporsel/{id}"))).header("accept", "text/html").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Systembruker for klienter") && html.contains("opprettes systembrukeren uten tilganger"), "whole in the first HTML: {html}");

    // A standard request for the same customer, system and reference is a
    // conflict, not an answer with the agent request; nothing is stored.
    let standard = json!({
        "systemId": "310000000_lonn", "partyOrgNo": FIRM,
        "accessPackages": [{"urn": "urn:altinn:accesspackage:regnskapsforer-lonn"}]
    });
    let (s, p, _) = call(&app, &token, Method::POST, BASE, Some(&standard)).await;
    assert_eq!((s, p["code"].as_str()), (409, Some("request_other_kind")), "{p}");
    let stored: i64 = sqlx::query_scalar("select count(*) from system_user_request").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, before);
    // Withdrawing answers on the agent path only.
    assert_eq!(call(&app, &token, Method::DELETE, &format!("{BASE}/{id}"), None).await.0, 404, "not on the standard path");
    assert_eq!(call(&app, &read, Method::DELETE, &format!("{BASE}/agent/{id}"), None).await.0, 403, "a read token does not withdraw");
    assert_eq!(call(&app, &token, Method::DELETE, &format!("{BASE}/agent/{id}"), None).await.0, 202);
    assert_eq!(call(&app, &read, Method::GET, &format!("{BASE}/agent/{id}"), None).await.0, 404, "withdrawn");

    // Beyond Altinn (scenario S9): an agent may require a single right the
    // system offers, even alone; the answer then carries its rights.
    let mut with_right = agent(|b| {
        b["rights"] = json!([{"resource": [{"id": "urn:altinn:resource", "value": "fjordby-rapportering"}], "action": "read"}]);
        b["accessPackages"] = json!([]);
    });
    with_right["externalRef"] = json!("rettighet");
    let (s, sent, _) = call(&app, &token, Method::POST, &format!("{BASE}/agent"), Some(&with_right)).await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["rights"][0]["action"], "read", "{sent}");
    assert_eq!(sent["rights"][0]["resource"][0]["value"], "fjordby-rapportering");
}
