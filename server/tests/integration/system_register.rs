//! The system register's vendor API over real HTTP with real tokens from
//! `/token`: a vendor registers, reads, changes and deletes its system (and
//! system-user tokens stop at once); other vendors, tokens without the scope
//! and bad bodies are refused with Altinn's problem codes and change nothing.

use crate::common::tokens::*;
use crate::common::*;
use jsonwebtoken::Algorithm;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const BASE: &str = "/authentication/api/v1/systemregister/vendor";
const WRITE: &str = "altinn:authentication/systemregister.write";
const VENDOR_SCOPE: &str = "regnskapsappen:ledger.read";
const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";

fn body(client_id: &str) -> Value {
    json!({
        "id": "310000000_lonn",
        "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:310000000"},
        "name": {"nb": "Lønn Pluss", "nn": "Løn Pluss", "en": "Payroll Plus"},
        "description": {"nb": "Lønn for små bedrifter", "nn": "Løn for små verksemder", "en": "Payroll for small businesses"},
        "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "fjordby-rapportering"}]}],
        "accessPackages": [{"urn": "urn:altinn:accesspackage:skatt-naering"}],
        "clientId": [client_id],
        "allowedRedirectUrls": ["https://lonn.example/kvittering"],
        "isVisible": true
    })
}

struct Api<'a> {
    app: &'a TestApp,
    token: String,
}

impl Api<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.app.client.request(method, self.app.url(&format!("{BASE}{path}"))).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// A change that breaks one rule of a good body.
type Change = Box<dyn Fn(&mut Value)>;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn codes(problem: &Value) -> Vec<String> {
    problem["validationErrors"].as_array().unwrap_or(&vec![]).iter().map(|e| e["code"].as_str().unwrap().to_string()).collect()
}

async fn setup() -> (TestApp, PgPool, ApiClient) {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let vendor = ApiClient::register(&pool, VENDOR, &[WRITE, VENDOR_SCOPE]).await;
    (app, pool, vendor)
}

#[tokio::test]
async fn a_vendor_registers_changes_and_deletes_its_system_and_tokens_stop() {
    let (app, pool, vendor) = setup().await;
    let api = Api { app: &app, token: vendor.token(&app, WRITE).await };

    let (status, id) = api.call(Method::POST, "", Some(&body(&vendor.client_id))).await;
    assert_eq!(status, 200, "{id}");
    assert_eq!(id.as_str().unwrap().len(), 36, "the register's internal id, as Altinn answers");

    let (status, listed) = api.call(Method::GET, "", None).await;
    assert_eq!(status, 200);
    let lonn = listed.as_array().unwrap().iter().find(|s| s["systemId"] == "310000000_lonn").expect("listed");
    assert_eq!(lonn["systemVendorOrgName"], "Regnskapsappen AS");

    let (status, system) = api.call(Method::GET, "/310000000_lonn", None).await;
    assert_eq!(status, 200);
    assert_eq!(system["vendor"]["ID"], "0192:310000000");
    assert_eq!(system["clientId"], json!([vendor.client_id]));
    assert_eq!(system["rights"][0]["resource"][0]["value"], "fjordby-rapportering");
    assert_eq!(system["isDeleted"], false);

    let mut changed = body(&vendor.client_id);
    changed["name"]["en"] = json!("Payroll Plus 2");
    assert_eq!(api.call(Method::PUT, "/310000000_lonn", Some(&changed)).await, (200, json!({"succeeded": true})));
    let rights = json!([{"action": "read", "resource": [{"id": "urn:altinn:resource", "value": "fjordby-rapportering"}]}]);
    assert_eq!(api.call(Method::PUT, "/310000000_lonn/rights", Some(&rights)).await.0, 200);
    let packages = json!([{"urn": "urn:altinn:accesspackage:merverdiavgift"}]);
    assert_eq!(api.call(Method::PUT, "/310000000_lonn/accesspackages", Some(&packages)).await.0, 200);
    let (_, system) = api.call(Method::GET, "/310000000_lonn", None).await;
    assert_eq!(
        (system["name"]["en"].as_str(), system["accessPackages"][0]["urn"].as_str()),
        (Some("Payroll Plus 2"), Some("urn:altinn:accesspackage:merverdiavgift"))
    );

    // The bakery has a system user of the system: the vendor gets tokens for it ...
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select gen_random_uuid(), '310000000_lonn', id, org_number from party where org_number = $1")
        .bind(BAKERY)
        .execute(&pool)
        .await
        .unwrap();
    let iss = token_issuer(&app).await;
    let mut grant = claims(&vendor.client_id, &iss, VENDOR_SCOPE);
    grant["authorization_details"] =
        json!([{"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{BAKERY}")}}]);
    assert_eq!(post_token(&app, &sign(&vendor.key, Algorithm::ES256, "k1", &grant)).await.0, 200);

    // ... until the system is deleted.
    assert_eq!(api.call(Method::DELETE, "/310000000_lonn", None).await.0, 200);
    grant["jti"] = json!(uuid::Uuid::new_v4().to_string());
    let (status, refused) = post_token(&app, &sign(&vendor.key, Algorithm::ES256, "k1", &grant)).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_altinn_customer_configuration")));
    let (_, system) = api.call(Method::GET, "/310000000_lonn", None).await;
    assert_eq!(system["isDeleted"], true);
    let (status, refused) = api.call(Method::PUT, "/310000000_lonn", Some(&changed)).await;
    assert_eq!((status, refused["code"].as_str()), (400, Some("system_deleted")));

    let (status, log) = api.call(Method::GET, "/310000000_lonn/changelog", None).await;
    assert_eq!(status, 200);
    let types: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["changeType"].as_str().unwrap()).collect();
    assert_eq!(types, ["create", "update", "rightsupdate", "accesspackageupdate", "delete"]);
    assert_eq!(log[0]["clientId"], vendor.client_id.as_str());
    assert_eq!(log[0]["changedByOrgNumber"], VENDOR);
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system.%' and outcome = 'success'").await, 5);
}

#[tokio::test]
async fn other_vendors_and_tokens_without_the_scope_are_refused_and_change_nothing() {
    let (app, pool, vendor) = setup().await;
    let api = Api { app: &app, token: vendor.token(&app, WRITE).await };
    assert_eq!(api.call(Method::POST, "", Some(&body(&vendor.client_id))).await.0, 200);
    let before = count(&pool, "select count(*) from system_change_log").await;

    // A token without the scope, and no token.
    let plain = Api { app: &app, token: vendor.token(&app, VENDOR_SCOPE).await };
    let (status, p) = plain.call(Method::GET, "", None).await;
    assert_eq!((status, p["code"].as_str()), (403, Some("insufficient_scope")));
    let res = app.client.get(app.url(BASE)).send().await.unwrap();
    assert_eq!(res.status(), 401);

    // The bakery's client, with the scope, sees nothing of the vendor's and changes nothing.
    let bakery = ApiClient::register(&pool, BAKERY, &[WRITE]).await;
    let other = Api { app: &app, token: bakery.token(&app, WRITE).await };
    for (method, path, b) in [
        (Method::GET, "/310000000_lonn", None),
        (Method::PUT, "/310000000_lonn", Some(body(&vendor.client_id))),
        (Method::PUT, "/310000000_lonn/accesspackages", Some(json!([]))),
        (Method::DELETE, "/310000000_lonn", None),
        (Method::GET, "/310000000_lonn/changelog", None),
    ] {
        let (status, p) = other.call(method.clone(), path, b.as_ref()).await;
        assert_eq!((status, p["code"].as_str()), (404, Some("AUTH-00011")), "{method} {path}");
    }
    let mut theirs = body(&bakery.client_id);
    theirs["id"] = json!("310000000_x");
    let (status, _) = other.call(Method::POST, "", Some(&theirs)).await;
    assert_eq!(status, 403, "a vendor registers only its own systems");
    assert_eq!(other.call(Method::GET, "", None).await, (200, json!([])));

    // Taking the scope away stops the vendor's token at once.
    domain::tokens::service::set_scopes(&test_support::operator(&pool).await, &vendor.client_id, &[VENDOR_SCOPE.into()]).await.unwrap();
    assert_eq!(api.call(Method::DELETE, "/310000000_lonn", None).await.0, 403);
    assert_eq!(count(&pool, "select count(*) from system_change_log").await, before, "nothing changed");
    // The bakery's three refused changes and its refused registration (reads are not audited).
    assert_eq!(count(&pool, "select count(*) from audit_event where action like 'system.%' and outcome = 'refused'").await, 4);
}

#[tokio::test]
async fn every_rule_is_refused_with_altinns_validation_code() {
    let (app, pool, vendor) = setup().await;
    let api = Api { app: &app, token: vendor.token(&app, WRITE).await };
    assert_eq!(api.call(Method::POST, "", Some(&body(&vendor.client_id))).await.0, 200);
    let systems = count(&pool, "select count(*) from system_register").await;

    let cid = vendor.client_id.clone();
    let cases: Vec<(&str, Change)> = vec![
        ("AUTH.VLD-00000", Box::new(|b| b["vendor"]["ID"] = json!("310000000"))),
        ("AUTH.VLD-00001", Box::new(|b| b["id"] = json!("999999999_lonn2"))),
        ("AUTH.VLD-00002", Box::new(|_| {})),
        ("AUTH.VLD-00003", Box::new(|b| b["rights"][0]["resource"][0]["value"] = json!("finnes-ikke"))),
        ("AUTH.VLD-00005", Box::new(|b| b["allowedRedirectUrls"] = json!(["http://lonn.example/"]))),
        ("AUTH.VLD-00006", Box::new(|b| b["rights"] = json!([b["rights"][0].clone(), b["rights"][0].clone()]))),
        ("AUTH.VLD-00007", Box::new(|b| b["accessPackages"] = json!([b["accessPackages"][0].clone(), b["accessPackages"][0].clone()]))),
        ("AUTH.VLD-00008", Box::new(|b| b["accessPackages"] = json!([{"urn": "urn:altinn:accesspackage:finnes-ikke"}]))),
        ("AUTH.VLD-00009", Box::new(|b| b["rights"][0]["resource"][0]["id"] = json!("urn:altinn:app"))),
        ("AUTH.VLD-00011", Box::new(move |b| b["clientId"] = json!([cid, cid]))),
        ("AUTH.VLD-00013", Box::new(|b| b["id"] = json!("310000000_med mellomrom"))),
        ("AUTH.VLD-00017", Box::new(|b| b["rights"][0]["resource"][0]["value"] = json!("fullmakt_access_management"))),
        ("AUTH.VLD-00018", Box::new(|b| b["accessPackages"] = json!([{"urn": "urn:altinn:accesspackage:regnskapsforer-lonn"}]))),
        ("FULLMAKT.VLD-00001", Box::new(|b| b["name"]["de"] = json!("Lohn"))),
        ("FULLMAKT.VLD-00001", Box::new(|b| b["description"] = json!({"nb": "x"}))),
        ("FULLMAKT.VLD-00002", Box::new(|b| b["clientId"] = json!(["0193aaaa-0000-7000-8000-00000000dead"]))),
    ];
    for (code, change) in cases {
        let mut b = body(&vendor.client_id);
        if code != "AUTH.VLD-00002" {
            // Another system, which cannot use the first one's client id.
            b["id"] = json!("310000000_annen");
            b["clientId"] = json!([]);
        }
        change(&mut b);
        let (status, p) = api.call(Method::POST, "", Some(&b)).await;
        assert_eq!(status, 400, "{code}: {p}");
        assert!(codes(&p).contains(&code.to_string()), "{code} in {p}");
    }
    // The id in the body must be the id in the path; a client id in use by another system.
    let mut b = body(&vendor.client_id);
    b["id"] = json!("310000000_annen");
    let (status, p) = api.call(Method::PUT, "/310000000_lonn", Some(&b)).await;
    assert_eq!((status, codes(&p)), (400, vec!["AUTH.VLD-00012".to_string()]));
    let mut b = body(&vendor.client_id);
    b["id"] = json!("310000000_annen");
    let (_, p) = api.call(Method::POST, "", Some(&b)).await;
    assert_eq!(codes(&p), ["AUTH.VLD-00004"]);

    // Bodies of the wrong shape and media type.
    let (status, p) = api.call(Method::POST, "", Some(&json!({"id": 7}))).await;
    assert_eq!((status, p["code"].as_str()), (422, Some("invalid_body")));
    let res = app.client.post(app.url(BASE)).bearer_auth(&api.token).body("{").header("content-type", "application/json").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = app.client.post(app.url(BASE)).bearer_auth(&api.token).body("id=x").send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(count(&pool, "select count(*) from system_register").await, systems, "nothing registered");
}

/// The demo vendor's client (its key is in `data/demo/`) gets tokens with
/// grants made as `server token-grant` makes them: the vendor scope, and a
/// system-user token for the bakery's system user of the demo system.
#[tokio::test]
async fn the_demo_vendor_signs_grants_with_its_published_key() {
    let app = spawn_app().await;
    let (client, kid) = domain::demo::VENDOR_CLIENT;
    let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo/regnskapsappen-demo-key.pem")).unwrap();
    let key = server::client_assertion::SigningKey::from_pem(&pem, kid).unwrap();
    let iss = token_issuer(&app).await;
    let (status, body) = post_token(&app, &key.grant(client, &iss, WRITE, None, None, now()).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    let api = Api { app: &app, token: body["access_token"].as_str().unwrap().into() };
    let (status, listed) = api.call(Method::GET, "", None).await;
    assert_eq!((status, listed[0]["systemId"].as_str()), (200, Some(domain::demo::SYSTEM.0)));

    let (status, body) = post_token(&app, &key.grant(client, &iss, WRITE, Some(BAKERY), None, now()).unwrap()).await;
    assert_eq!(status, 200, "{body}");
    use base64::Engine;
    let payload = body["access_token"].as_str().unwrap().split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let system_user = uuid::Uuid::from_u128(domain::demo::SYSTEM_USER.0).to_string();
    assert_eq!(claims["authorization_details"][0]["systemuser_id"][0], system_user.as_str(), "{claims}");
}
