//! The token service over real HTTP: a vendor with its own key pair registers
//! a client, gets plain and system-user tokens, checks them with jsonwebtoken
//! against /jwks and calls the PDP with them; and every bad assertion is
//! refused with the right RFC 6749 error while nothing is issued.

use crate::common::tokens::*;
use crate::common::*;
use domain::parties::PartyId;
use domain::tokens::service::{self, ApiClientError};
use domain::tokens::{ApiClientForCreate, KeyForCreate};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};
use sqlx::PgPool;

const KARI: &str = "12887510170"; // general manager of the software vendor Regnskapsappen AS
const BJORN: &str = "14928810047"; // general manager of the bakery
const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";
const PDP_SCOPE: &str = "altinn:authorization/authorize";
const VENDOR_SCOPE: &str = "regnskapsappen:ledger.read";

struct Vendor {
    client_id: String,
    rsa_private: EncodingKey,
    /// Another key pair's private key, never registered.
    stranger: EncodingKey,
    rsa_public_pem: String,
    ec_private: EncodingKey,
}

fn rsa_pair() -> (EncodingKey, String) {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let private = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let public = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    (EncodingKey::from_rsa_pem(private.as_bytes()).unwrap(), public)
}

async fn party(pool: &PgPool, number: &str) -> PartyId {
    let id: uuid::Uuid = sqlx::query_scalar("select id from party where org_number = $1 or national_id = $1").bind(number).fetch_one(pool).await.unwrap();
    PartyId(id)
}

/// `p`'s use-case context, named `label` in the audit trail.
async fn as_person(pool: &sqlx::PgPool, label: &str, p: PartyId) -> domain::Context {
    test_support::services(pool).await.for_person(p, label, None, None)
}

/// The installation's use-case context (a command or a test's set-up).
async fn operator(pool: &sqlx::PgPool) -> domain::Context {
    test_support::services(pool).await.for_operator("test")
}

/// Kari registers a client for her company with an RSA key (PEM) and a P-256
/// key (JWK); the operator adds the PDP scope, which she cannot give herself.
async fn vendor(pool: &PgPool) -> Vendor {
    let kari = party(pool, KARI).await;
    let owner = party(pool, VENDOR).await;
    let input = ApiClientForCreate { display_name: "Regnskapsappen produksjon".into(), scopes: vec![VENDOR_SCOPE.into(), PDP_SCOPE.into()] };
    let refused = service::register_api_client(&as_person(pool, "Kari", kari).await, owner, &input).await;
    assert!(matches!(refused, Err(ApiClientError::RestrictedScope(s)) if s == PDP_SCOPE));
    let input = ApiClientForCreate { scopes: vec![VENDOR_SCOPE.into()], ..input };
    let client = service::register_api_client(&as_person(pool, "Kari", kari).await, owner, &input).await.unwrap();
    assert_eq!(client.client_id.len(), 36, "a UUID");
    let (rsa_private, rsa_public_pem) = rsa_pair();
    let key = KeyForCreate { kid: Some("rsa-1".into()), key: rsa_public_pem.clone(), expires_at: None };
    service::add_key(&as_person(pool, "Kari", kari).await, &client.client_id, &key).await.unwrap();
    let (ec_private, ec_jwk) = ec_pair("ec-1");
    let key = KeyForCreate { kid: None, key: ec_jwk, expires_at: None };
    service::add_key(&as_person(pool, "Kari", kari).await, &client.client_id, &key).await.unwrap();
    service::set_scopes(&operator(pool).await, &client.client_id, &[VENDOR_SCOPE.into(), PDP_SCOPE.into()]).await.unwrap();
    let (stranger, _) = rsa_pair();
    Vendor { client_id: client.client_id, rsa_private, stranger, rsa_public_pem, ec_private }
}

/// The system `310000000_regnskap` with `client_ids`, and the bakery's system user for it.
async fn system_with_user(pool: &PgPool, system: &str, client_ids: &[&str], external_ref: &str) -> uuid::Uuid {
    let ids: Vec<String> = client_ids.iter().map(|s| s.to_string()).collect();
    sqlx::query("insert into system_register (system_id, vendor_org_number, name_nb, client_ids) values ($1, $2, $1, $3)")
        .bind(system)
        .bind(VENDOR)
        .bind(&ids)
        .execute(pool)
        .await
        .unwrap();
    let id = uuid::Uuid::now_v7();
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select $1, $2, id, $3 from party where org_number = $4")
        .bind(id)
        .bind(system)
        .bind(external_ref)
        .bind(BAKERY)
        .execute(pool)
        .await
        .unwrap();
    id
}

/// A running portal, a pool on its database, the vendor's client and the
/// bakery's system user of the system `310000000_regnskap` that lists it.
async fn vendor_with_system_user() -> (TestApp, PgPool, Vendor, uuid::Uuid) {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let v = vendor(&pool).await;
    let system_user = system_with_user(&pool, "310000000_regnskap", &[&v.client_id], BAKERY).await;
    (app, pool, v, system_user)
}

fn system_user_details(org: &str, external_ref: Option<&str>) -> Value {
    let mut d = json!({"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{org}")}});
    if let Some(r) = external_ref {
        d["externalRef"] = json!(r);
    }
    json!([d])
}

async fn issued(pool: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from token_issued").fetch_one(pool).await.unwrap()
}

async fn issuer(app: &TestApp) -> String {
    let meta: Value = app.client.get(app.url("/.well-known/oauth-authorization-server")).send().await.unwrap().json().await.unwrap();
    assert_eq!(meta["token_endpoint"], app.url("/token"));
    assert_eq!(meta["jwks_uri"], app.url("/jwks"));
    assert_eq!(meta["grant_types_supported"], json!([JWT_BEARER]));
    meta["issuer"].as_str().unwrap().to_string()
}

/// Validates `token` the way an API provider would: jsonwebtoken, keys from /jwks.
async fn validate_with_jwks(app: &TestApp, token: &str, issuer: &str) -> Value {
    let jwks: jsonwebtoken::jwk::JwkSet = app.client.get(app.url("/jwks")).send().await.unwrap().json().await.unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256, "ES256 by default");
    let jwk = jwks.find(header.kid.as_deref().unwrap()).expect("the signing key is published");
    let mut v = Validation::new(Algorithm::ES256);
    v.set_issuer(&[issuer]);
    v.validate_aud = false;
    v.set_required_spec_claims(&["exp", "iat", "iss"]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v).unwrap().claims
}

fn pdp_request(system_user: &str) -> Value {
    json!({"Request": {
        "AccessSubject": [{"Attribute": [{"AttributeId": "urn:altinn:systemuser:uuid", "Value": system_user}]}],
        "Action": [{"Attribute": [{"AttributeId": "urn:oasis:names:tc:xacml:1.0:action:action-id", "Value": "read"}]}],
        "Resource": [{"Attribute": [{"AttributeId": "urn:altinn:resource", "Value": "fullmakt_access_management"},
                                    {"AttributeId": "urn:altinn:organization:identifier-no", "Value": BAKERY}]}]
    }})
}

#[tokio::test]
async fn a_vendor_gets_system_user_tokens_and_calls_the_pdp_with_them() {
    let (app, pool, v, system_user) = vendor_with_system_user().await;
    let iss = issuer(&app).await;

    // A plain token, RS256 assertion.
    let (status, body) = post_token(&app, &sign(&v.rsa_private, Algorithm::RS256, "rsa-1", &claims(&v.client_id, &iss, VENDOR_SCOPE))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 120);
    let plain = validate_with_jwks(&app, body["access_token"].as_str().unwrap(), &iss).await;
    assert_eq!(plain["client_id"], v.client_id);
    assert_eq!(plain["scope"], VENDOR_SCOPE);
    assert_eq!(plain["consumer"], json!({"authority": "iso6523-actorid-upis", "ID": "0192:310000000"}));
    assert!(plain.get("authorization_details").is_none());
    assert!(plain["exp"].as_i64().unwrap() - plain["iat"].as_i64().unwrap() == 120);

    // A system-user token, ES256 assertion, externalRef defaulting to the org number.
    let mut c = claims(&v.client_id, &iss, &format!("{PDP_SCOPE} {VENDOR_SCOPE}"));
    c["authorization_details"] = system_user_details(BAKERY, None);
    c["resource"] = json!("https://api.regnskapsappen.example");
    let (status, body) = post_token(&app, &sign(&v.ec_private, Algorithm::ES256, "ec-1", &c)).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    let su = validate_with_jwks(&app, &token, &iss).await;
    assert_eq!(
        su["authorization_details"],
        json!([{"type": "urn:altinn:systemuser", "systemuser_id": [system_user.to_string()],
                "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:310400009"},
                "system_id": "310000000_regnskap", "externalRef": BAKERY}])
    );
    assert_eq!(su["supplier"], json!({"authority": "iso6523-actorid-upis", "ID": "0192:310000000"}));
    assert_eq!(su["aud"], "https://api.regnskapsappen.example");

    // The PDP takes a token with its scope (and no audience restriction).
    let mut c = claims(&v.client_id, &iss, PDP_SCOPE);
    c["authorization_details"] = system_user_details(BAKERY, Some(BAKERY));
    let (_, body) = post_token(&app, &sign(&v.rsa_private, Algorithm::RS256, "rsa-1", &c)).await;
    let pdp_token = body["access_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        // Twice: the second answer comes through the validated-token cache.
        let res = app
            .client
            .post(app.url("/authorization/api/v1/authorize"))
            .bearer_auth(&pdp_token)
            .json(&pdp_request(&system_user.to_string()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let answer: Value = res.json().await.unwrap();
        assert!(answer["Response"][0]["Decision"].is_string(), "{answer}");
    }
    // A token meant for another audience, one without the scope, and a forged one are refused.
    let res = app.client.post(app.url("/authorization/api/v1/authorize")).bearer_auth(&token).json(&pdp_request("x")).send().await.unwrap();
    assert_eq!(res.status(), 401, "aud of another API");
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let (_, body) = post_token(&app, &sign(&v.rsa_private, Algorithm::RS256, "rsa-1", &claims(&v.client_id, &iss, VENDOR_SCOPE))).await;
    let res = app
        .client
        .post(app.url("/authorization/api/v1/authorize"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .json(&pdp_request("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no PDP scope");
    let mut parts: Vec<&str> = pdp_token.split('.').collect();
    let forged_claims = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut c: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        c["scope"] = json!(format!("{PDP_SCOPE} x"));
        b64.encode(c.to_string())
    };
    parts[1] = &forged_claims;
    let res = app.client.post(app.url("/authorization/api/v1/authorize")).bearer_auth(parts.join(".")).json(&pdp_request("x")).send().await.unwrap();
    assert_eq!(res.status(), 401, "tampered token");
    // The deprecated API key still works.
    let res = app.client.post(app.url("/authorization/api/v1/authorize")).bearer_auth("test-pdp-key-0123456789").json(&pdp_request("x")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // The customer sees last use and a count per system user; the vendor does
    // not see the customer's; the key's last use is noted.
    let (bjorn, bakery) = (party(&pool, BJORN).await, party(&pool, BAKERY).await);
    let now = time::OffsetDateTime::now_utc();
    let sv = test_support::services(&pool).await;
    let seen = domain::system_users::overview(&test_support::acting(&sv, bjorn, bakery)).await.unwrap();
    let ours = seen.iter().find(|s| s.id == system_user).expect("the bakery sees its system user");
    assert_eq!((ours.recent_tokens, ours.system_id.as_str(), ours.kind.as_str()), (2, "310000000_regnskap", "standard"));
    assert!(ours.last_used_at.is_some_and(|t| (now - t).whole_minutes() < 5));
    let month_later = test_support::services_with_clock(&pool, std::sync::Arc::new(domain::clock::FixedClock::at(now + time::Duration::days(31)))).await;
    let later = domain::system_users::overview(&test_support::acting(&month_later, bjorn, bakery)).await.unwrap();
    assert_eq!(later.iter().find(|s| s.id == system_user).map(|s| s.recent_tokens), Some(0), "the count covers 30 days");
    let refused = domain::system_users::overview(&test_support::acting(&sv, party(&pool, KARI).await, bakery)).await;
    assert!(matches!(refused, Err(domain::system_users::SystemUserError::NotAccessManager)), "{refused:?}");
    let kari = party(&pool, KARI).await;
    let clients = service::list_api_clients(&as_person(&pool, "Kari", kari).await, party(&pool, VENDOR).await).await.unwrap();
    let ours = clients.iter().find(|c| c.client_id == v.client_id).expect("the vendor's client, beside the demo client");
    assert!(ours.keys.iter().all(|k| k.last_used_at.is_some()), "{:?}", ours.keys);
    // Nothing in the record is a token.
    let leaked: i64 = sqlx::query_scalar("select count(*) from token_issued where jti like 'ey%' or scope like '%.%.%'").fetch_one(&pool).await.unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn bad_assertions_are_refused_with_the_right_error_and_nothing_is_issued() {
    let (app, pool, v, _) = vendor_with_system_user().await;
    let iss = issuer(&app).await;
    let before = issued(&pool).await;
    let now = now();
    let good = || claims(&v.client_id, &iss, VENDOR_SCOPE);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = good();
        f(&mut c);
        c
    };
    let rs = |c: &Value| sign(&v.rsa_private, Algorithm::RS256, "rsa-1", c);

    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "expired",
            rs(&with(&|c| {
                c["iat"] = json!(now - 200);
                c["exp"] = json!(now - 100);
            })),
            "invalid_grant",
            "expired",
        ),
        (
            "future-dated",
            rs(&with(&|c| {
                c["iat"] = json!(now + 60);
                c["exp"] = json!(now + 120);
            })),
            "invalid_grant",
            "future",
        ),
        (
            "jti with a control character",
            rs(&with(&|c| {
                c["jti"] = json!("j\u{0}1");
            })),
            "invalid_grant",
            "control characters",
        ),
        (
            "over-long-lived",
            rs(&with(&|c| {
                c["exp"] = json!(now + 300);
            })),
            "invalid_grant",
            "at most 120",
        ),
        (
            "wrong audience",
            rs(&with(&|c| {
                c["aud"] = json!("https://maskinporten.no/");
            })),
            "invalid_grant",
            "aud",
        ),
        (
            "unknown claim",
            rs(&with(&|c| {
                c["is_admin"] = json!(true);
            })),
            "invalid_grant",
            "unknown claim",
        ),
        (
            "exp as a string",
            rs(&with(&|c| {
                c["exp"] = json!((now + 60).to_string());
            })),
            "invalid_grant",
            "whole number",
        ),
        (
            "no jti",
            rs(&with(&|c| {
                c.as_object_mut().unwrap().remove("jti");
            })),
            "invalid_grant",
            "jti",
        ),
        (
            "iss of another client",
            rs(&with(&|c| {
                c["iss"] = json!(uuid::Uuid::new_v4().to_string());
            })),
            "invalid_client",
            "unknown client",
        ),
        ("wrongly signed", sign(&v.stranger, Algorithm::RS256, "rsa-1", &good()), "invalid_grant", "signature"),
        ("unknown key", sign(&v.rsa_private, Algorithm::RS256, "rsa-9", &good()), "invalid_client", "no key with kid"),
        ("EC key named for RS256", sign(&v.rsa_private, Algorithm::RS256, "ec-1", &good()), "invalid_grant", "EC key"),
        (
            "HS256 with the public key as secret",
            sign(&EncodingKey::from_secret(v.rsa_public_pem.as_bytes()), Algorithm::HS256, "rsa-1", &good()),
            "invalid_grant",
            "not accepted",
        ),
        ("alg none", format!("{}.{}.", b64_header("none", "rsa-1"), b64_json(&good())), "invalid_grant", "not accepted"),
        ("PS256", sign(&v.rsa_private, Algorithm::PS256, "rsa-1", &good()), "invalid_grant", "not accepted"),
        (
            "no kid",
            {
                let h = Header::new(Algorithm::RS256);
                jsonwebtoken::encode(&h, &good(), &v.rsa_private).unwrap()
            },
            "invalid_client",
            "kid",
        ),
        (
            "scope not granted",
            rs(&with(&|c| {
                c["scope"] = json!("skatteetaten:mva");
            })),
            "invalid_scope",
            "skatteetaten:mva",
        ),
        (
            "no scope",
            rs(&with(&|c| {
                c.as_object_mut().unwrap().remove("scope");
            })),
            "invalid_scope",
            "scope",
        ),
        ("not a JWT", "not-a-jwt".into(), "invalid_request", "not a valid JWT"),
        (
            "org without a system user",
            rs(&with(&|c| {
                c["authorization_details"] = system_user_details("310600008", None);
            })),
            "invalid_altinn_customer_configuration",
            "0192:310600008",
        ),
        (
            "wrong external ref",
            rs(&with(&|c| {
                c["authorization_details"] = system_user_details(BAKERY, Some("other-ref"));
            })),
            "invalid_altinn_customer_configuration",
            "other-ref",
        ),
        (
            "malformed org",
            rs(&with(&|c| {
                c["authorization_details"] = system_user_details("123", None);
            })),
            "invalid_request",
            "systemuser_org",
        ),
    ];
    for (name, assertion, code, hint) in &cases {
        let (status, body) = post_token(&app, assertion).await;
        assert_eq!(status, 400, "{name}: {body}");
        assert_eq!(body["error"], *code, "{name}: {body}");
        let d = body["error_description"].as_str().unwrap_or_default();
        assert!(d.contains(hint), "{name}: {d:?} should mention {hint:?}");
    }

    // Replay: the same assertion twice.
    let once = rs(&good());
    assert_eq!(post_token(&app, &once).await.0, 200);
    let (status, body) = post_token(&app, &once).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("jti"));
    assert_eq!(issued(&pool).await, before + 1, "only the first of the replayed pair was issued");

    // Form-level errors.
    let res = app.client.post(app.url("/token")).form(&[("grant_type", "client_credentials"), ("assertion", &once)]).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    let res = app.client.post(app.url("/token")).form(&[("grant_type", JWT_BEARER)]).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
    let res = app.client.post(app.url("/token")).json(&json!({"grant_type": JWT_BEARER, "assertion": once})).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request");
    let body = format!("grant_type={JWT_BEARER}&grant_type={JWT_BEARER}&assertion={once}");
    let res = app.client.post(app.url("/token")).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_request", "a repeated parameter");

    // A revoked key stops working at once; an expired one too. Both keys have
    // just been used, so the endpoint's cache holds them as valid: the write
    // that spends the jti must see the change and the refusal name it.
    assert_eq!(post_token(&app, &sign(&v.ec_private, Algorithm::ES256, "ec-1", &good())).await.0, 200);
    let kari = party(&pool, KARI).await;
    service::revoke_key(&as_person(&pool, "Kari", kari).await, &v.client_id, "ec-1").await.unwrap();
    // The change is audited for the client's owner, though the actor named no party.
    let for_party: Option<uuid::Uuid> = sqlx::query_scalar(
        "select on_behalf_of_id from audit_event where action = 'api_client.key.revoke' and outcome = 'success' order by occurred_at desc limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(for_party, Some(party(&pool, VENDOR).await.0));
    let (status, body) = post_token(&app, &sign(&v.ec_private, Algorithm::ES256, "ec-1", &good())).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("revoked"));
    sqlx::query("update api_client_key set expires_at = now() - interval '1 second' where kid = 'rsa-1'").execute(&pool).await.unwrap();
    let (_, body) = post_token(&app, &rs(&good())).await;
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].as_str().unwrap().contains("expired"), "{body}");

    assert_eq!(issued(&pool).await, before + 2, "nothing else was issued");
}

/// Requests that arrive together share one write (group commit); a replay
/// sent at the same moment as its original, even in the same batch, must still
/// get no token.
#[tokio::test]
async fn assertions_sent_at_once_and_their_replays_get_one_token_each() {
    let (app, pool, v, _) = vendor_with_system_user().await;
    let iss = issuer(&app).await;
    let before = issued(&pool).await;
    let mut c = claims(&v.client_id, &iss, PDP_SCOPE);
    c["authorization_details"] = system_user_details(BAKERY, None);
    let distinct: Vec<String> = (0..16)
        .map(|_| {
            c["jti"] = json!(uuid::Uuid::new_v4().to_string());
            sign(&v.rsa_private, Algorithm::RS256, "rsa-1", &c)
        })
        .collect();
    let mut requests = tokio::task::JoinSet::new();
    for copy in 0..3 {
        for (n, assertion) in distinct.iter().enumerate() {
            let (client, url, assertion) = (app.client.clone(), app.url("/token"), assertion.clone());
            requests.spawn(async move {
                let res = client.post(url).form(&[("grant_type", JWT_BEARER), ("assertion", assertion.as_str())]).send().await.unwrap();
                let status = res.status().as_u16();
                (n, copy, status, res.json::<Value>().await.unwrap())
            });
        }
    }
    let mut tokens_per_assertion = vec![0; distinct.len()];
    for (n, copy, status, body) in requests.join_all().await {
        match status {
            200 => tokens_per_assertion[n] += 1,
            400 => {
                assert_eq!(body["error"], "invalid_grant", "{body}");
                assert!(body["error_description"].as_str().unwrap().contains("used before"), "{body}");
            }
            other => panic!("assertion {n}, copy {copy}: {other} {body}"),
        }
    }
    assert_eq!(tokens_per_assertion, vec![1; distinct.len()], "exactly one token per assertion");
    assert_eq!(issued(&pool).await - before, distinct.len() as i64);
}

/// A write the database refuses (a jti with NUL, which the endpoint's rules
/// keep out) fails alone: the rest of its batch is written row by row.
#[tokio::test]
async fn a_batch_the_database_refuses_is_written_row_by_row() {
    use domain::tokens::store::Spent;
    use domain::tokens::{IssuedToken, TokenWrite};
    use server::token::group_commit::write_batch;
    let (_app, pool, v, system_user) = vendor_with_system_user().await;
    let write = |jti: &str| {
        let now = time::OffsetDateTime::now_utc();
        TokenWrite {
            assertion_jti: jti.into(),
            assertion_expires_at: now + time::Duration::minutes(3),
            kid: "rsa-1".into(),
            token: IssuedToken {
                id: uuid::Uuid::now_v7(),
                client_id: v.client_id.clone(),
                system_user_id: Some(system_user),
                scope: PDP_SCOPE.into(),
                issued_at: now,
                expires_at: now + time::Duration::minutes(2),
                jti: uuid::Uuid::new_v4().to_string(),
            },
        }
    };
    let before = issued(&pool).await;
    let results = write_batch(&pool, &[write("a"), write("b\u{0}"), write("c"), write("a")]).await;
    assert!(matches!(results.as_slice(), [Ok(Spent::Issued), Err(_), Ok(Spent::Issued), Ok(Spent::Replayed)]), "{results:?}");
    assert_eq!(issued(&pool).await - before, 2);
}

fn b64_json(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// The claims of the access token in a `/token` answer, unverified (the
/// signature is checked against `/jwks` elsewhere in these tests).
fn token_claims(answer: &Value) -> Value {
    use base64::Engine;
    let token = answer["access_token"].as_str().expect("an access token");
    let payload = token.split('.').nth(1).expect("a JWS");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The header jsonwebtoken writes for (alg, kid), base64url-encoded.
fn b64_header(alg: &str, kid: &str) -> String {
    use base64::Engine;
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some(kid.into());
    let mut v = serde_json::to_value(&h).unwrap();
    v["alg"] = json!(alg);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&v).unwrap())
}

#[tokio::test]
async fn system_links_and_client_management_are_checked() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let v = vendor(&pool).await;
    let iss = issuer(&app).await;
    let before = issued(&pool).await;
    let ask = |org: &str| {
        let mut c = claims(&v.client_id, &iss, VENDOR_SCOPE);
        c["authorization_details"] = system_user_details(org, None);
        sign(&v.rsa_private, Algorithm::RS256, "rsa-1", &c)
    };

    // The client is in no system yet.
    let (_, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(body["error"], "invalid_altinn_customer_configuration");
    assert!(body["error_description"].as_str().unwrap().contains("not registered to any system"), "{body}");

    // The bakery approved a system user for system A; our client belongs to system B.
    let user_a = system_with_user(&pool, "310000000_a", &[], BAKERY).await;
    sqlx::query("insert into system_register (system_id, vendor_org_number, client_ids) values ('310000000_b', $1, $2)")
        .bind(VENDOR)
        .bind(vec![v.client_id.clone()])
        .execute(&pool)
        .await
        .unwrap();
    let (_, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(body["error"], "invalid_altinn_customer_configuration");
    assert!(body["error_description"].as_str().unwrap().contains("310000000_b"), "{body}");

    // System B is deleted: no token for any of its system users.
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select $1, '310000000_b', id, $2 from party where org_number = $2")
        .bind(uuid::Uuid::now_v7())
        .bind(BAKERY)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(post_token(&app, &ask(BAKERY)).await.0, 200);

    // From here the client's key and its link to B's system user are cached
    // by the endpoint; each change below must reach the very next request.
    // The client is added to system A too, which comes first: A's system user it is.
    sqlx::query("update system_register set client_ids = $1 where system_id = '310000000_a'").bind(vec![v.client_id.clone()]).execute(&pool).await.unwrap();
    let (status, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(token_claims(&body)["authorization_details"][0]["systemuser_id"], json!([user_a.to_string()]));
    // A's system user is deleted: refused, with no fallback to B while the client is in A.
    sqlx::query("update system_user set deleted_at = now() where id = $1").bind(user_a).execute(&pool).await.unwrap();
    let (_, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(body["error"], "invalid_altinn_customer_configuration", "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("310000000_a"), "{body}");
    // Out of A again: B's system user.
    sqlx::query("update system_register set client_ids = '{}' where system_id = '310000000_a'").execute(&pool).await.unwrap();
    assert_eq!(post_token(&app, &ask(BAKERY)).await.0, 200);
    // A narrowed scope is refused at once; widened again, it works at once.
    let operator = |scopes: Vec<String>| {
        let (pool, client_id) = (pool.clone(), v.client_id.clone());
        async move {
            service::set_scopes(&operator(&pool).await, &client_id, &scopes).await.unwrap();
        }
    };
    operator(vec![PDP_SCOPE.into()]).await;
    let (_, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(body["error"], "invalid_scope", "{body}");
    operator(vec![VENDOR_SCOPE.into(), PDP_SCOPE.into()]).await;
    assert_eq!(post_token(&app, &ask(BAKERY)).await.0, 200);

    sqlx::query("update system_register set is_deleted = true where system_id = '310000000_b'").execute(&pool).await.unwrap();
    let (_, body) = post_token(&app, &ask(BAKERY)).await;
    assert_eq!(body["error"], "invalid_altinn_customer_configuration");
    assert!(body["error_description"].as_str().unwrap().contains("deleted"), "{body}");
    assert_eq!(issued(&pool).await, before + 4);

    // Client management: only the owner's access managers; keys are checked.
    let bjorn = party(&pool, BJORN).await;
    let owner = party(&pool, VENDOR).await;
    let input = ApiClientForCreate { display_name: "Not mine".into(), scopes: vec![] };
    let r = service::register_api_client(&as_person(&pool, "Bjørn", bjorn).await, owner, &input).await;
    assert!(matches!(r, Err(ApiClientError::NotAccessManager)), "{r:?}");
    let key = KeyForCreate { kid: Some("x".into()), key: v.rsa_public_pem.clone(), expires_at: None };
    let r = service::add_key(&as_person(&pool, "Bjørn", bjorn).await, &v.client_id, &key).await;
    assert!(matches!(r, Err(ApiClientError::NotAccessManager)), "{r:?}");
    let refusals: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action like 'api_client.%' and outcome = 'refused'").fetch_one(&pool).await.unwrap();
    assert!(refusals >= 3, "refusals are audited ({refusals})");
    let kari = party(&pool, KARI).await;
    let key = KeyForCreate { kid: Some("rsa-1".into()), key: v.rsa_public_pem.clone(), expires_at: None };
    let r = service::add_key(&as_person(&pool, "Kari", kari).await, &v.client_id, &key).await;
    assert!(matches!(r, Err(ApiClientError::KidTaken(_))), "{r:?}");
    let private = json!({"kty": "EC", "crv": "P-256", "kid": "p", "x": "AA", "y": "AA", "d": "AA"}).to_string();
    let key = KeyForCreate { kid: None, key: private, expires_at: None };
    let r = service::add_key(&as_person(&pool, "Kari", kari).await, &v.client_id, &key).await;
    assert!(matches!(r, Err(ApiClientError::BadKey(domain::tokens::rules::KeyError::PrivateKeyMaterial))), "{r:?}");
    let added: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'api_client.key.add' and outcome = 'success'").fetch_one(&pool).await.unwrap();
    assert_eq!(added, 2);
}

const ADMIN_SCOPE: &str = "fullmakt:api_clients.admin";
const CLIENTS: &str = "/apiclients/api/v1/clients";

/// A token for `client` with `scope`, from `/token`.
async fn token_for(app: &TestApp, key: &EncodingKey, alg: Algorithm, kid: &str, client: &str, scope: &str) -> String {
    let iss = issuer(app).await;
    let (status, body) = post_token(app, &sign(key, alg, kid, &claims(client, &iss, scope))).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// The vendor's own software registers a new client and its key through the
/// client API (with the admin scope, which the operator gave its admin
/// client); the new client then gets a system-user token for the bakery.
#[tokio::test]
async fn a_vendor_registers_a_client_through_the_client_api_and_uses_it() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let v = vendor(&pool).await;
    service::set_scopes(&operator(&pool).await, &v.client_id, &[VENDOR_SCOPE.into(), ADMIN_SCOPE.into()]).await.unwrap();
    let admin = token_for(&app, &v.rsa_private, Algorithm::RS256, "rsa-1", &v.client_id, ADMIN_SCOPE).await;
    let api = |method: reqwest::Method, path: &str, token: &str| app.client.request(method, app.url(&format!("{CLIENTS}{path}"))).bearer_auth(token);

    let res = api(reqwest::Method::POST, "", &admin).json(&json!({"display_name": "Regnskapsappen kunde-API", "scopes": [VENDOR_SCOPE]})).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let new_id = created["client_id"].as_str().unwrap().to_string();
    let (ec_private, ec_jwk) = ec_pair("ny-1");
    let res = api(reqwest::Method::POST, &format!("/{new_id}/keys"), &admin)
        .json(&json!({"key": ec_jwk, "expires_at": "2099-12-31T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let listed: Value = api(reqwest::Method::GET, "", &admin).send().await.unwrap().json().await.unwrap();
    let new = listed.as_array().unwrap().iter().find(|c| c["client_id"] == new_id.as_str()).expect("listed");
    assert_eq!(new["keys"][0]["expires_at"], "2099-12-31T00:00:00Z");

    // The new client gets a system-user token for the bakery.
    system_with_user(&pool, "310000000_kunde", &[&new_id], BAKERY).await;
    let iss = issuer(&app).await;
    let mut c = claims(&new_id, &iss, VENDOR_SCOPE);
    c["authorization_details"] = system_user_details(BAKERY, None);
    let (status, body) = post_token(&app, &sign(&ec_private, Algorithm::ES256, "ny-1", &c)).await;
    assert_eq!(status, 200, "{body}");
    let token = validate_with_jwks(&app, body["access_token"].as_str().unwrap(), &iss).await;
    assert_eq!(token["authorization_details"][0]["system_id"], "310000000_kunde");

    // Revoked over the API, the key gets no more tokens.
    let res = api(reqwest::Method::DELETE, &format!("/{new_id}/keys/ny-1"), &admin).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let mut c = claims(&new_id, &iss, VENDOR_SCOPE);
    c["authorization_details"] = system_user_details(BAKERY, None);
    assert_eq!(post_token(&app, &sign(&ec_private, Algorithm::ES256, "ny-1", &c)).await.0, 400);
}

#[tokio::test]
async fn the_client_api_refuses_callers_without_the_admin_scope_or_for_another_organisation() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let v = vendor(&pool).await;
    // The bakery has a client of its own.
    let bakery = party(&pool, BAKERY).await;
    let theirs =
        service::register_api_client(&operator(&pool).await, bakery, &ApiClientForCreate { display_name: "Kasse".into(), scopes: vec![] }).await.unwrap();
    // And the vendor a second client with no reserved scope.
    let vendor_org = party(&pool, VENDOR).await;
    let plain_client =
        service::register_api_client(&operator(&pool).await, vendor_org, &ApiClientForCreate { display_name: "Plain".into(), scopes: vec![] }).await.unwrap();
    let api = |method: reqwest::Method, path: &str| app.client.request(method, app.url(&format!("{CLIENTS}{path}")));
    let count = || async { sqlx::query_scalar::<_, i64>("select count(*) from api_client").fetch_one(&pool).await.unwrap() };
    let clients_before = count().await;

    // No token: 401; a token without the admin scope: 403.
    assert_eq!(api(reqwest::Method::GET, "").send().await.unwrap().status(), 401);
    let plain = token_for(&app, &v.rsa_private, Algorithm::RS256, "rsa-1", &v.client_id, VENDOR_SCOPE).await;
    let res = api(reqwest::Method::POST, "").bearer_auth(&plain).json(&json!({"display_name": "x"})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    service::set_scopes(&operator(&pool).await, &v.client_id, &[VENDOR_SCOPE.into(), ADMIN_SCOPE.into()]).await.unwrap();
    let admin = token_for(&app, &v.rsa_private, Algorithm::RS256, "rsa-1", &v.client_id, ADMIN_SCOPE).await;
    // Another organisation's client: refused, and it is not listed.
    let (_, jwk) = ec_pair("k");
    let res = api(reqwest::Method::POST, &format!("/{}/keys", theirs.client_id)).bearer_auth(&admin).json(&json!({"key": jwk})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let listed: Value = api(reqwest::Method::GET, "").bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert!(listed.as_array().unwrap().iter().all(|c| c["client_id"] != theirs.client_id.as_str()));
    // Bad bodies and restricted scopes: a problem, nothing changes.
    let cases: [(reqwest::Method, String, &str, u16, &str); 5] = [
        (reqwest::Method::POST, String::new(), "{", 400, "malformed_json"),
        (reqwest::Method::POST, String::new(), r#"{"display_name": "x", "colour": "blue"}"#, 422, "invalid_body"),
        (reqwest::Method::POST, String::new(), r#"{"display_name": "x", "scopes": ["fullmakt:api_clients.admin"]}"#, 403, "restricted_scope"),
        (reqwest::Method::POST, String::new(), r#"{"display_name": "  "}"#, 422, "invalid_name"),
        (reqwest::Method::PUT, format!("/{}/scopes", v.client_id), r#"{"scopes": ["altinn:authorization/authorize"]}"#, 403, "restricted_scope"),
    ];
    for (method, path, body, status, code) in cases {
        let res = api(method, &path).bearer_auth(&admin).header("content-type", "application/json").body(body).send().await.unwrap();
        assert_eq!(res.status(), status, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], code, "{body}: {problem}");
    }
    let res = api(reqwest::Method::POST, "").bearer_auth(&admin).header("content-type", "text/plain").body("x").send().await.unwrap();
    assert_eq!(res.status(), 415);
    let res = api(reqwest::Method::DELETE, &format!("/{}/keys/nope", plain_client.client_id)).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // A client holding a scope only the operator gives (here the calling client
    // itself, with the admin scope) cannot get a key through the client API.
    let res = api(reqwest::Method::POST, &format!("/{}/keys", v.client_id)).bearer_auth(&admin).json(&json!({"key": jwk})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "restricted_scope");
    assert_eq!(count().await, clients_before, "nothing was registered");
    // Taking the admin scope away stops the token at once, before it expires.
    service::set_scopes(&operator(&pool).await, &v.client_id, &[VENDOR_SCOPE.into()]).await.unwrap();
    assert_eq!(api(reqwest::Method::GET, "").bearer_auth(&admin).send().await.unwrap().status(), 403);
    let refused: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action like 'api_client.%' and outcome = 'refused' and actor_label like 'API client %'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(refused >= 3, "refusals are audited with the calling client as actor ({refused})");
}

/// The API's first names, `/clientadmin/…` and `fullmakt:clients.admin`,
/// still work during deprecation: the same answers, each marked deprecated
/// with a link to the same path under `/apiclients/`.
#[tokio::test]
async fn the_first_path_and_scope_of_the_api_client_api_still_answer_marked_deprecated() {
    let app = spawn_app().await;
    let pool = domain::db::connect_and_migrate(&app.db_url, 2).await.unwrap();
    let v = vendor(&pool).await;
    service::set_scopes(&operator(&pool).await, &v.client_id, &[VENDOR_SCOPE.into(), "fullmakt:clients.admin".into()]).await.unwrap();
    let old_scope = token_for(&app, &v.rsa_private, Algorithm::RS256, "rsa-1", &v.client_id, "fullmakt:clients.admin").await;

    let res = app.client.get(app.url("/clientadmin/api/v1/clients")).bearer_auth(&old_scope).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["deprecation"], "@1796342400");
    assert_eq!(res.headers()["link"], r#"</apiclients/api/v1/clients>; rel="successor-version""#);
    let old: Value = res.json().await.unwrap();
    // The old scope is accepted on the new path too, which is not marked.
    let res = app.client.get(app.url(CLIENTS)).bearer_auth(&old_scope).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("deprecation").is_none());
    assert_eq!(res.json::<Value>().await.unwrap(), old, "the same answer on both paths");

    // A refusal on an old path is marked too, and names the new scope.
    let plain = token_for(&app, &v.rsa_private, Algorithm::RS256, "rsa-1", &v.client_id, VENDOR_SCOPE).await;
    let res = app.client.delete(app.url(&format!("/clientadmin/api/v1/clients/{}/keys/rsa-1", v.client_id))).bearer_auth(&plain).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.headers()["link"], format!(r#"</apiclients/api/v1/clients/{}/keys/rsa-1>; rel="successor-version""#, v.client_id));
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains(ADMIN_SCOPE), "{:?}", res.headers());
    // An unknown path under either prefix is a 404 problem.
    let res = app.client.get(app.url("/apiclients/api/v1/nope")).bearer_auth(&old_scope).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}
