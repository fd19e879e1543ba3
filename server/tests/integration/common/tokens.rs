//! Tokens from the real `/token`: key pairs, signed client assertions, and an
//! API client of a demo organisation with the scopes a test needs.

use super::TestApp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sqlx::PgPool;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A P-256 key pair: private key for jsonwebtoken, public key as a JWK.
pub fn ec_pair(kid: &str) -> (EncodingKey, String) {
    use base64::Engine;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let p = pair.public_key().as_ref();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwk = json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": b64.encode(&p[1..33]), "y": b64.encode(&p[33..65])});
    (EncodingKey::from_ec_der(pkcs8.as_ref()), jwk.to_string())
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A client assertion's claims: `client_id` asks `aud` for `scope`.
pub fn claims(client_id: &str, aud: &str, scope: &str) -> Value {
    let now = now();
    json!({"iss": client_id, "aud": aud, "iat": now, "exp": now + 60, "jti": uuid::Uuid::new_v4().to_string(), "scope": scope})
}

pub fn sign(key: &EncodingKey, alg: Algorithm, kid: &str, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = Some(kid.into());
    jsonwebtoken::encode(&h, claims, key).unwrap()
}

/// Posts a client assertion to `/token`: the status and the JSON answer.
pub async fn post_token(app: &TestApp, assertion: &str) -> (u16, Value) {
    let res = app.client.post(app.url("/token")).form(&[("grant_type", JWT_BEARER), ("assertion", assertion)]).send().await.unwrap();
    let status = res.status().as_u16();
    if status == 200 {
        assert_eq!(res.headers()["cache-control"], "no-store");
    }
    (status, res.json().await.unwrap())
}

/// The token service's issuer, from its metadata.
pub async fn token_issuer(app: &TestApp) -> String {
    let meta: Value = app.client.get(app.url("/.well-known/oauth-authorization-server")).send().await.unwrap().json().await.unwrap();
    meta["issuer"].as_str().unwrap().to_string()
}

/// An API client of a demo organisation with a P-256 key (`kid` "k1").
pub struct ApiClient {
    pub client_id: String,
    pub key: EncodingKey,
}

impl ApiClient {
    /// Registers a client for the organisation `org` holding `scopes`, as
    /// the operator does (`server grant-scopes`).
    pub async fn register(pool: &PgPool, org: &str, scopes: &[&str]) -> Self {
        let operator = test_support::operator(pool).await;
        let owner = test_support::org(pool, org).await;
        let input = domain::tokens::ApiClientForCreate { display_name: format!("{org} test client"), scopes: vec![] };
        let client = domain::tokens::service::register_api_client(&operator, owner, &input).await.unwrap();
        let (key, jwk) = ec_pair("k1");
        let k = domain::tokens::KeyForCreate { kid: None, key: jwk, expires_at: None };
        domain::tokens::service::add_key(&operator, &client.client_id, &k).await.unwrap();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        domain::tokens::service::set_scopes(&operator, &client.client_id, &scopes).await.unwrap();
        Self { client_id: client.client_id, key }
    }

    /// A token for `scope` (space-separated scopes) from `/token`.
    pub async fn token(&self, app: &TestApp, scope: &str) -> String {
        let iss = token_issuer(app).await;
        let (status, body) = post_token(app, &sign(&self.key, Algorithm::ES256, "k1", &claims(&self.client_id, &iss, scope))).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }
}
