//! The client-delegation API over real HTTP, with real tokens from `/token`
//! (S1 end to end): the accounting firm's integration (a standard system
//! user holding the client-administrator package) lists the firm's agent
//! system users and the clients available to one, attaches the bakery, and
//! the vendor's system, with its agent system user's token, gets Permit from
//! the PDP for the bakery and not for the other client, on a report and on
//! the client's message inbox (S5). S9: an agent that requires a single
//! right, which the bakery's manager gives the firm in the portal with a
//! plain form. Bad input and a
//! caller without the package are refused with problem details and change
//! nothing.

use crate::common::agents::{firm_agent_requiring_right, firm_system_user, FIRM, LONN, OLA};
use crate::common::tokens::*;
use crate::common::*;
use domain::system_user_requests::SystemUserKind;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const BASE: &str = "/authentication/api/v1/enduser/systemuser";
const READ: &str = "altinn:clientdelegations.read";
const WRITE: &str = "altinn:clientdelegations.write";
const PDP_SCOPE: &str = "altinn:authorization/authorize";
const BAKERY: &str = "310400009";
const FISHING: &str = "310600008";
const HOUSING_COOP: &str = "310500003";
const CLIENT_ADMIN: &str = "urn:altinn:accesspackage:klientadministrator";

/// A token of `client` for the accounting firm's system user of its system.
async fn token(app: &TestApp, client: &ApiClient, scope: &str) -> String {
    let mut c = claims(&client.client_id, &token_issuer(app).await, scope);
    c["authorization_details"] =
        json!([{"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{FIRM}")}}]);
    let (status, body) = post_token(app, &sign(&client.key, Algorithm::ES256, "k1", &c)).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

async fn call(app: &TestApp, method: reqwest::Method, token: &str, path: &str) -> (u16, Value) {
    let res = app.client.request(method, app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn decision(app: &TestApp, token: &str, system_user: Uuid, org: &str) -> String {
    decide(app, token, system_user, org, "lonnsrapport", "read").await
}

async fn decide(app: &TestApp, token: &str, system_user: Uuid, org: &str, resource: &str, action: &str) -> String {
    let request = json!({"Request": {
        "AccessSubject": [{"Attribute": [{"AttributeId": "urn:altinn:systemuser:uuid", "Value": system_user.to_string()}]}],
        "Action": [{"Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": action}]}],
        "Resource": [{"Attribute": [{"AttributeId": "urn:altinn:resource", "Value": resource},
                                    {"AttributeId": "urn:altinn:organization:identifier-no", "Value": org}]}]
    }});
    let res = app.client.post(app.url("/authorization/api/v1/authorize")).bearer_auth(token).json(&request).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    answer["Response"][0]["Decision"].as_str().unwrap().to_string()
}

async fn live_delegations(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from client_delegation where ended_at is null").fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn a_firms_integration_attaches_a_client_and_the_agent_system_user_is_permitted_for_it_alone() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    test_support::save_resource(&pool, "310700002", &test_support::resource("lonnsrapport", "regnskapsforer-lonn", &["read"])).await;
    // S5: a message inbox whose `read` the package covers (and not `write`).
    test_support::save_resource(&pool, "310700002", &test_support::resource("innboks", "regnskapsforer-lonn", &["read"])).await;
    let integration = ApiClient::register(&pool, "310000000", &[READ, WRITE]).await;
    let vendor_system = ApiClient::register(&pool, "310000000", &[PDP_SCOPE]).await;
    let admin = firm_system_user(&pool, "klientadm", CLIENT_ADMIN, Some(&integration.client_id), SystemUserKind::Standard).await;
    let agent = firm_system_user(&pool, "regnskap", LONN, Some(&vendor_system.client_id), SystemUserKind::Agent).await;
    let bakery = test_support::org(&pool, BAKERY).await.0;
    let fishing = test_support::org(&pool, FISHING).await.0;
    let rw = token(&app, &integration, &format!("{READ} {WRITE}")).await;

    let (status, agents) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/agents")).await;
    assert_eq!(status, 200, "{agents}");
    assert_eq!((agents[0]["id"].as_str(), agents[0]["userType"].as_str()), (Some(agent.to_string().as_str()), Some("agent")), "{agents}");
    assert_eq!(agents[0]["accessPackages"], json!([{"urn": LONN}]));
    assert_eq!(agents.as_array().unwrap().len(), 1, "the standard system user is not an agent");

    let (status, available) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/clients/available?agent={agent}")).await;
    assert_eq!(status, 200, "{available}");
    let names: Vec<&str> = available["data"].as_array().unwrap().iter().map(|c| c["clientOrganizationName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bakeri Hansen AS", "Kystfisk AS"]);
    assert_eq!(available["systemUserInformation"], json!({"systemUserId": agent, "systemUserOwnerOrg": FIRM}));
    assert_eq!(available["links"]["next"], Value::Null);

    let agent_token = token(&app, &vendor_system, PDP_SCOPE).await;
    assert_ne!(decision(&app, &agent_token, agent, BAKERY).await, "Permit", "no client yet");
    let (status, body) = call(&app, reqwest::Method::POST, &rw, &format!("{BASE}/clients?agent={agent}&client={bakery}")).await;
    assert_eq!((status, body), (200, json!({"agent": agent, "client": bakery})));
    assert_eq!(decision(&app, &agent_token, agent, BAKERY).await, "Permit");
    assert_ne!(decision(&app, &agent_token, agent, FISHING).await, "Permit", "a client not attached");
    assert_eq!(decide(&app, &agent_token, agent, BAKERY, "innboks", "read").await, "Permit", "S5: it reads the client's messages");
    assert_ne!(decide(&app, &agent_token, agent, BAKERY, "innboks", "write").await, "Permit", "but the package gives no more");
    let (_, attached) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/clients?agent={agent}")).await;
    assert_eq!(attached["data"][0]["clientId"], json!(bakery));
    let (_, available) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/clients/available?agent={agent}")).await;
    assert_eq!(available["data"][0]["clientId"], json!(fishing), "an attached client is no longer available");

    // Bad input: refused with a reason, nothing changes.
    let coop = test_support::org(&pool, HOUSING_COOP).await.0;
    let firm = test_support::org(&pool, FIRM).await.0;
    for (path, status, code) in [
        (format!("{BASE}/clients?agent={agent}&client={bakery}"), 409, "client_already_attached"),
        (format!("{BASE}/clients?client={bakery}"), 400, "AUTH.VLD-00016"),
        (format!("{BASE}/clients?agent={agent}"), 400, "AUTH.VLD-00016"),
        (format!("{BASE}/clients?agent=nonsense&client={bakery}"), 400, "AUTH.VLD-00016"),
        (format!("{BASE}/clients?agent={admin}&client={bakery}"), 400, "AUTH.VLD-00015"),
        (format!("{BASE}/clients?agent={}&client={bakery}", Uuid::now_v7()), 404, "AUTH-00054"),
        (format!("{BASE}/clients?agent={agent}&client={coop}"), 404, "AUTH-00079"),
        (format!("{BASE}/clients?agent={agent}&client={firm}"), 400, "AUTH-00080"),
    ] {
        let (got, problem) = call(&app, reqwest::Method::POST, &rw, &path).await;
        assert_eq!((got, problem["code"].as_str()), (status, Some(code)), "{path}: {problem}");
    }
    assert_eq!(live_delegations(&pool).await, 1);

    let read_only = token(&app, &integration, READ).await;
    let (status, _) = call(&app, reqwest::Method::DELETE, &read_only, &format!("{BASE}/clients?agent={agent}&client={bakery}")).await;
    assert_eq!(status, 403, "removing takes the write scope");
    let (status, _) = call(&app, reqwest::Method::DELETE, &rw, &format!("{BASE}/clients?agent={agent}&client={bakery}")).await;
    assert_eq!(status, 200);
    let (status, problem) = call(&app, reqwest::Method::DELETE, &rw, &format!("{BASE}/clients?agent={agent}&client={bakery}")).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("client_not_attached")), "removing twice");
    assert_ne!(decision(&app, &agent_token, agent, BAKERY).await, "Permit", "removed");
    assert_eq!(live_delegations(&pool).await, 0);
}

#[tokio::test]
async fn callers_without_a_system_user_the_scope_or_the_package_are_refused() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let integration = ApiClient::register(&pool, "310000000", &[READ, WRITE]).await;
    let vendor_system = ApiClient::register(&pool, "310000000", &[PDP_SCOPE]).await;
    let admin = firm_system_user(&pool, "klientadm", CLIENT_ADMIN, Some(&integration.client_id), SystemUserKind::Standard).await;
    let agent = firm_system_user(&pool, "regnskap", LONN, Some(&vendor_system.client_id), SystemUserKind::Agent).await;
    let bakery = test_support::org(&pool, BAKERY).await.0;
    let attach = format!("{BASE}/clients?agent={agent}&client={bakery}");

    assert_eq!(call(&app, reqwest::Method::GET, "nonsense", &format!("{BASE}/agents")).await.0, 401);
    let plain = integration.token(&app, READ).await;
    let (status, problem) = call(&app, reqwest::Method::GET, &plain, &format!("{BASE}/agents")).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("not_a_system_user")));
    let other_scope = token(&app, &vendor_system, PDP_SCOPE).await;
    assert_eq!(call(&app, reqwest::Method::POST, &other_scope, &attach).await.0, 403, "the agent's own token lacks the scope");

    // The integration's system user loses the client-administrator package.
    let services = test_support::services(&pool).await;
    let firm = test_support::org(&pool, FIRM).await;
    let ola = test_support::acting(&services, test_support::person(&pool, OLA).await, firm);
    let grant: Uuid = sqlx::query_scalar("select id from access_grant where to_subject = $1 and valid_to is null").bind(admin).fetch_one(&pool).await.unwrap();
    domain::grants::service::revoke(&ola, grant).await.unwrap();
    let rw = token(&app, &integration, &format!("{READ} {WRITE}")).await;
    let mut refused = 0;
    for (method, path) in [
        (reqwest::Method::GET, format!("{BASE}/agents")),
        (reqwest::Method::GET, format!("{BASE}/clients/available?agent={agent}")),
        (reqwest::Method::GET, format!("{BASE}/clients?agent={agent}")),
        (reqwest::Method::POST, attach.clone()),
        (reqwest::Method::DELETE, attach.clone()),
    ] {
        let (status, problem) = call(&app, method.clone(), &rw, &path).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "{method} {path}: {problem}");
        refused += 1;
    }
    assert_eq!(refused, 5);
    assert_eq!(live_delegations(&pool).await, 0);
    let audited: i64 = sqlx::query_scalar("select count(*) from audit_event where action in ('client.attach', 'client.detach') and outcome = 'refused'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited, 2, "the refused changes are audited");
}

/// S9 over real HTTP: the firm's agent system user requires a single right
/// (read on the university's reporting service); no client gives it, so
/// none is available; the bakery's manager gives the firm exactly that
/// right with the portal's plain form (a bad organisation number first,
/// refused next to its field, nothing given); then the bakery is available,
/// the firm's integration attaches it, and the PDP permits the agent that
/// action for the bakery, and neither another action nor another client.
#[tokio::test]
async fn s9_a_client_gives_the_firm_a_single_right_and_the_firms_agent_acts_on_it() {
    const RESOURCE: &str = "fjordby-rapportering";
    const RIGHT_PAGE: &str = "/tilganger/enkeltrettighet";
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let integration = ApiClient::register(&pool, "310000000", &[READ, WRITE]).await;
    let vendor_system = ApiClient::register(&pool, "310000000", &[PDP_SCOPE]).await;
    firm_system_user(&pool, "klientadm", CLIENT_ADMIN, Some(&integration.client_id), SystemUserKind::Standard).await;
    let agent = firm_agent_requiring_right(&pool, "rettighet", RESOURCE, Some(&vendor_system.client_id)).await;
    let bakery = test_support::org(&pool, BAKERY).await.0;
    let rw = token(&app, &integration, &format!("{READ} {WRITE}")).await;

    let (_, agents) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/agents")).await;
    assert_eq!(agents[0]["accessPackages"], json!([]), "{agents}");
    assert_eq!(agents[0]["rights"], json!([{"action": "read", "resource": [{"id": "urn:altinn:resource", "value": RESOURCE}]}]), "{agents}");
    let (_, available) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/clients/available?agent={agent}")).await;
    assert_eq!(available["data"], json!([]), "no client has given the firm the right");

    app.act_for("14928810047", "Bakeri Hansen AS").await;
    let (status, html) = app.page(RIGHT_PAGE).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"fjordby-rapportering:read\"") && html.contains("Rapportering til Universitetet i Fjordby (lese)"), "{html}");
    assert!(!html.contains("Laster"), "whole in the first response");
    let rights = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from access_grant where resource_id is not null and to_kind = 'party'").fetch_one(&pool).await.unwrap()
    };
    let before = rights().await;
    let form =
        |org: &'static str| [("kind", "organisation"), ("org_number", org), ("national_id", ""), ("surname", ""), ("right", "fjordby-rapportering:read")];
    let res = app.post_form("give_right", RIGHT_PAGE, &form("12")).await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.page(RIGHT_PAGE).await;
    assert!(html.contains("id=\"right-orgno\"") && html.contains("aria-invalid=\"true\""), "the field is marked: {html}");
    assert_eq!(rights().await, before, "nothing given");
    let res = app.post_form("give_right", RIGHT_PAGE, &form(FIRM)).await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.page(RIGHT_PAGE).await;
    assert!(html.contains("Gitt til Tall og Tro Regnskap AS: Rapportering til Universitetet i Fjordby (lese)."), "{html}");

    let (_, available) = call(&app, reqwest::Method::GET, &rw, &format!("{BASE}/clients/available?agent={agent}")).await;
    assert_eq!(available["data"][0]["clientId"], json!(bakery), "{available}");
    let agent_token = token(&app, &vendor_system, PDP_SCOPE).await;
    assert_ne!(decide(&app, &agent_token, agent, BAKERY, RESOURCE, "read").await, "Permit", "not before it is attached");
    let (status, _) = call(&app, reqwest::Method::POST, &rw, &format!("{BASE}/clients?agent={agent}&client={bakery}")).await;
    assert_eq!(status, 200);
    assert_eq!(decide(&app, &agent_token, agent, BAKERY, RESOURCE, "read").await, "Permit");
    assert_ne!(decide(&app, &agent_token, agent, BAKERY, RESOURCE, "write").await, "Permit", "exactly the action given");
    assert_ne!(decide(&app, &agent_token, agent, FISHING, RESOURCE, "read").await, "Permit", "another client");
}
