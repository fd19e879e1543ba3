//! A person's token for the client-delegation API, over real HTTP: the test
//! logs a person in at the built-in OpenID Connect provider as a relying
//! party would (authorization code with PKCE), exchanges the ID token at
//! `GET /authentication/api/v1/exchange/id-porten` for a token of ours, and
//! calls the client-delegation API with it. The accounting firm's general
//! manager (who holds the client-administrator package) attaches and
//! removes a client; a person without the package is refused on every
//! endpoint, audited, and nothing changes; bad tokens and scopes are
//! refused with problem details and issue nothing.

use crate::common::agents::{firm_system_user, FIRM, LONN, OLA};
use crate::common::*;
use base64::Engine;
use domain::system_user_requests::SystemUserKind;
use serde_json::{json, Value};
use sha2::Digest;
use sqlx::PgPool;
use uuid::Uuid;

const EXCHANGE: &str = "/authentication/api/v1/exchange/id-porten";
const BASE: &str = "/authentication/api/v1/enduser/systemuser";
const GUNN: &str = "11839110083"; // holds nothing for the firm
const BAKERY: &str = "310400009";
const SECRET: &str = "the-portal-secret-for-this-test-0123";

/// An ID token of the built-in provider for `pid`, fetched as the portal's
/// client would: its own state, nonce and PKCE pair, the login form, and
/// the code exchanged at the provider's token endpoint with the secret.
async fn id_token(app: &TestApp, pid: &str) -> String {
    // The portal's own login shows where the provider sends the code back.
    let res = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let portal_request = url::Url::parse(&app.location(&res)).unwrap();
    let redirect_uri = portal_request.query_pairs().find(|(k, _)| k == "redirect_uri").unwrap().1.into_owned();
    let verifier = "a-code-verifier-of-this-test-that-is-long-enough-0123456789";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let mut authorize = url::Url::parse(&app.url("/idp/authorize")).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", "fullmakt-portal")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile")
        .append_pair("state", "test-state")
        .append_pair("nonce", "test-nonce")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let res = app.submit_login(authorize.as_str(), pid).await;
    assert_eq!(res.status(), 303, "the provider sends the code back");
    let back = url::Url::parse(&app.location(&res)).unwrap();
    let code = back.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let res = app
        .client
        .post(app.url("/idp/token"))
        .basic_auth("fullmakt-portal", Some(SECRET))
        .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri), ("code_verifier", verifier)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["id_token"].as_str().expect("an ID token").to_string()
}

/// A server whose portal client has the test's secret, exchanging the ID
/// tokens of `client`, asking for `acr` at login when given.
async fn app_exchanging(client: &'static str, acr: Option<&'static str>) -> TestApp {
    spawn_with(|c| {
        c.oidc_client_secret = SECRET.into();
        c.exchange_client_ids = vec![client.into()];
        if let Some(acr) = acr {
            c.oidc_acr = acr.into();
        }
    })
    .await
}

/// Exchanges `bearer` (with `query`); the status and the body as text.
async fn exchange(app: &TestApp, bearer: Option<&str>, query: &str) -> (u16, String) {
    let mut req = app.client.get(app.url(&format!("{EXCHANGE}{query}")));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn call(app: &TestApp, method: reqwest::Method, token: &str, path: &str) -> (u16, Value) {
    let res = app.client.request(method, app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn a_client_administrator_exchanges_an_id_token_and_attaches_a_client_with_it() {
    let app = app_exchanging("fullmakt-portal", None).await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let agent = firm_system_user(&pool, "regnskap", LONN, None, SystemUserKind::Agent).await;
    let bakery = test_support::org(&pool, BAKERY).await.0;
    let ola = test_support::person(&pool, OLA).await.0;

    let (status, token) = exchange(&app, Some(&id_token(&app, OLA).await), "").await;
    assert_eq!(status, 200, "{token}");
    let c = claims(&token);
    assert_eq!((c["pid"].as_str(), c["urn:altinn:party:uuid"].as_str()), (Some(OLA), Some(ola.to_string().as_str())), "{c}");
    assert_eq!(c["scope"], "altinn:clientdelegations.read altinn:clientdelegations.write");
    assert_eq!(c["client_id"], "fullmakt-portal");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'token.exchange' and outcome = 'success'").await, 1);

    let (status, agents) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/agents?party={FIRM}")).await;
    assert_eq!(status, 200, "{agents}");
    assert_eq!(agents[0]["id"], json!(agent));
    assert_eq!(agents[0]["partyOrgNo"], FIRM);
    let (status, problem) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/agents")).await;
    assert_eq!((status, problem["code"].as_str()), (400, Some("AUTH.VLD-00016")), "a person names the firm: {problem}");
    let (status, problem) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/agents?party=999999999")).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("party_not_found")));
    let (status, problem) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/clients?agent={}", Uuid::now_v7())).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("AUTH-00054")), "an unknown agent names no firm: {problem}");
    let (status, problem) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/clients?agent=nonsense")).await;
    assert_eq!((status, problem["code"].as_str()), (400, Some("AUTH.VLD-00016")));
    let (status, problem) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/clients?agent={agent}&party=310200018")).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "another firm, where Ola administers nothing: {problem}");

    let (status, available) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/clients/available?agent={agent}")).await;
    assert_eq!(status, 200, "{available}");
    assert_eq!(available["data"][0]["clientOrganizationName"], "Bakeri Hansen AS");
    let attach = format!("{BASE}/clients?agent={agent}&client={bakery}");
    let (status, body) = call(&app, reqwest::Method::POST, &token, &attach).await;
    assert_eq!((status, body), (200, json!({"agent": agent, "client": bakery})));
    let by: Option<Uuid> =
        sqlx::query_scalar("select actor_party_id from audit_event where action = 'client.attach' and outcome = 'success'").fetch_one(&pool).await.unwrap();
    assert_eq!(by, Some(ola), "the audit trail names the person");
    let (status, attached) = call(&app, reqwest::Method::GET, &token, &format!("{BASE}/clients?agent={agent}&party={FIRM}")).await;
    assert_eq!((status, attached["data"][0]["clientId"].clone()), (200, json!(bakery)));
    let (status, _) = call(&app, reqwest::Method::DELETE, &token, &attach).await;
    assert_eq!(status, 200);
    let (status, problem) = call(&app, reqwest::Method::DELETE, &token, &attach).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("client_not_attached")), "removing twice");

    // A read-only token reads and does not change.
    let (status, read_only) = exchange(&app, Some(&id_token(&app, OLA).await), "?scope=altinn:clientdelegations.read").await;
    assert_eq!(status, 200);
    assert_eq!(claims(&read_only)["scope"], "altinn:clientdelegations.read");
    assert_eq!(call(&app, reqwest::Method::GET, &read_only, &format!("{BASE}/agents?party={FIRM}")).await.0, 200);
    assert_eq!(call(&app, reqwest::Method::POST, &read_only, &attach).await.0, 403);

    // A person's token opens no other API.
    for path in ["/authentication/api/v1/systemuser/vendor/bysystem/310000000_regnskap", "/apiclients/api/v1/clients"] {
        let (status, problem) = call(&app, reqwest::Method::GET, &token, path).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("insufficient_scope")), "{path}: {problem}");
    }
    assert_eq!(count(&pool, "select count(*) from client_delegation where ended_at is null").await, 0);
}

#[tokio::test]
async fn a_person_without_the_package_and_bad_tokens_are_refused_and_nothing_changes() {
    let app = app_exchanging("fullmakt-portal", None).await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let agent = firm_system_user(&pool, "regnskap", LONN, None, SystemUserKind::Agent).await;
    let bakery = test_support::org(&pool, BAKERY).await.0;
    let attach = format!("{BASE}/clients?agent={agent}&client={bakery}");

    let (status, gunn) = exchange(&app, Some(&id_token(&app, GUNN).await), "").await;
    assert_eq!(status, 200, "anyone signed in gets a token; it grants nothing by itself");
    for (method, path) in [
        (reqwest::Method::GET, format!("{BASE}/agents?party={FIRM}")),
        (reqwest::Method::GET, format!("{BASE}/clients/available?agent={agent}")),
        (reqwest::Method::GET, format!("{BASE}/clients?agent={agent}")),
        (reqwest::Method::POST, attach.clone()),
        (reqwest::Method::DELETE, attach.clone()),
    ] {
        let (status, problem) = call(&app, method.clone(), &gunn, &path).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "{method} {path}: {problem}");
    }
    assert_eq!(count(&pool, "select count(*) from client_delegation").await, 0);
    assert_eq!(count(&pool, "select count(*) from audit_event where action in ('client.attach', 'client.detach') and outcome = 'refused'").await, 2);

    // Bad tokens and scopes: refused, nothing issued, refusals audited.
    let good = id_token(&app, OLA).await;
    // Gunn's ID token with Ola's pid put in: the signature no longer fits.
    let gunns = id_token(&app, GUNN).await;
    let parts: Vec<&str> = gunns.split('.').collect();
    let mut payload = claims(&gunns);
    payload["pid"] = json!(OLA);
    let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string());
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let (_, ours) = exchange(&app, Some(&good), "").await;
    for (bearer, why) in [
        (None, "no token"),
        (Some("nonsense"), "not a JWT"),
        (Some(tampered.as_str()), "a forged pid"),
        (Some(ours.as_str()), "a token of ours, not the provider's"),
    ] {
        let (status, body) = exchange(&app, bearer, "").await;
        assert_eq!(status, 401, "{why}: {body}");
        assert!(body.contains("unauthenticated"), "{why}: a problem: {body}");
    }
    let (status, body) = exchange(&app, Some(&good), "?scope=altinn:authorization/authorize").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("altinn:authorization/authorize"), "{body}");
    let (status, body) = exchange(&app, Some(&good), "").await;
    assert_eq!(status, 401, "an ID token is exchanged once: {body}");
    assert!(body.contains("exchanged before"), "{body}");
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'token.exchange' and outcome = 'refused'").await, 6);
    assert_eq!(count(&pool, "select count(*) from audit_event where action = 'token.exchange' and outcome = 'success'").await, 2, "Gunn's and the one above");
}

/// An ID token issued to a client whose tokens are not exchanged here is
/// refused, though the provider signed it; so is one from a login at a
/// lower level of assurance than the portal asks for.
#[tokio::test]
async fn an_id_token_for_another_client_is_not_exchanged() {
    let app = app_exchanging("the-vendors-client", None).await;
    let (status, body) = exchange(&app, Some(&id_token(&app, OLA).await), "").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("not exchanged here"), "{body}");

    // A login below the level of assurance the portal asks for is not exchanged either.
    let app = app_exchanging("fullmakt-portal", Some("idporten-loa-high")).await;
    let (status, body) = exchange(&app, Some(&id_token(&app, OLA).await), "").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("level of assurance"), "{body}");
}
