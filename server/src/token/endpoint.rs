//! `POST /token` (RFC 7523 JWT-bearer grant, Maskinporten's shape), `GET /jwks`
//! and `GET /.well-known/oauth-authorization-server` (RFC 8414).
//!
//! A refused request gets an RFC 6749 §5.2 error with an `error_description`
//! saying what to fix, and nothing is issued. Only facts about issued tokens are
//! recorded (`token_issued`), never the token.

use super::{jws, TokenService};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::tokens::rules::{self, ClaimsCheck, TokenError};
use domain::tokens::store::{self, Spent};
use domain::tokens::{ClientKeyForGrant, IssuedToken, SystemUserLink, SystemUserRequest, TokenWrite, ISO6523_AUTHORITY, JWT_BEARER_GRANT, SYSTEM_USER_DETAILS};
use serde_json::{json, Value};
use std::sync::Arc;

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

fn error_response(e: &TokenError) -> Response {
    no_store((StatusCode::BAD_REQUEST, Json(json!({"error": e.code(), "error_description": e.to_string()}))).into_response())
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "token endpoint failed");
    no_store((StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "server_error", "error_description": "internal error; try again"}))).into_response())
}

fn invalid_request(m: &str) -> TokenError {
    TokenError::InvalidRequest(m.into())
}

/// Reads the form body; a parameter given twice is an error (RFC 6749 §3.2).
fn form(headers: &HeaderMap, body: &[u8]) -> Result<std::collections::HashMap<String, String>, TokenError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(invalid_request("send the request as application/x-www-form-urlencoded"));
    }
    let mut out = std::collections::HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(TokenError::InvalidRequest(format!("the parameter {k} is given more than once")));
        }
    }
    Ok(out)
}

pub async fn token(State(svc): State<Arc<TokenService>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let mut used_cache = false;
    let mut outcome = issue(&svc, &headers, &body, true, &mut used_cache).await;
    // Decide again from the database when the cache may have misled: the
    // write found it stale, or a scope was refused on cached scopes (a scope
    // may have been added since). Other refusals do not rest on what can
    // change, and are not worth a second pass to whoever sends them.
    if matches!(&outcome, Ok(Grant::Stale)) || (used_cache && matches!(&outcome, Ok(Grant::Refused(TokenError::InvalidScope(_))))) {
        outcome = issue(&svc, &headers, &body, false, &mut used_cache).await;
    }
    let refusal = match outcome {
        Ok(Grant::Issued(body)) => return no_store(Json(body).into_response()),
        Ok(Grant::Refused(e)) => e,
        // Changed again while it was decided afresh.
        Ok(Grant::Stale) => TokenError::InvalidClient("the client's registration or its system user changed during the request; try again".into()),
        Err(e) => return internal(e),
    };
    tracing::info!(error = refusal.code(), description = %refusal, "token request refused");
    error_response(&refusal)
}

/// How one pass over a grant ended.
enum Grant {
    Issued(Value),
    Refused(TokenError),
    /// The write found the client's key, scopes or system user changed since
    /// they were cached; nothing was issued or spent.
    Stale,
}

impl From<TokenError> for Grant {
    fn from(e: TokenError) -> Self {
        Self::Refused(e)
    }
}

/// Returns early from [`issue`] with a refusal.
macro_rules! refuse_on_err {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Grant::Refused(e)),
        }
    };
}

/// The client's key for `kid`, from the cache when `cached`, else from the
/// database; `used_cache` is set when the cache answered.
async fn client_key(svc: &TokenService, client_id: &str, kid: &str, cached: bool, used_cache: &mut bool) -> anyhow::Result<Option<Arc<ClientKeyForGrant>>> {
    if cached {
        if let Some(key) = svc.grants.key(client_id, kid) {
            *used_cache = true;
            return Ok(Some(key));
        }
    }
    let key = store::key_for_grant(&svc.pool, client_id, kid).await?.map(Arc::new);
    svc.grants.remember_key(client_id, kid, key.clone());
    Ok(key)
}

/// The system user a system-user token is asked for, from the cache when `cached`.
async fn system_user(
    svc: &TokenService,
    client_id: &str,
    request: &SystemUserRequest,
    cached: bool,
    used_cache: &mut bool,
) -> Result<SystemUserLink, TokenError> {
    let (org, external_ref) = (request.org.as_str(), request.external_ref.as_str());
    if cached {
        if let Some(link) = svc.grants.link(client_id, org, external_ref) {
            *used_cache = true;
            return Ok(link);
        }
    }
    let link = domain::tokens::service::resolve_system_user(&svc.pool, client_id, request).await;
    svc.grants.remember_link(client_id, org, external_ref, link.as_ref().ok().cloned());
    link
}

/// The grant, checked in order: form, header, client and key, signature,
/// claims, scope, system user, then replay and the client's current state in
/// the one write. Outer error: internal.
async fn issue(svc: &TokenService, headers: &HeaderMap, body: &[u8], cached: bool, used_cache: &mut bool) -> anyhow::Result<Grant> {
    let params = refuse_on_err!(form(headers, body));
    match params.get("grant_type").map(String::as_str) {
        Some(JWT_BEARER_GRANT) => {}
        Some(other) => return Ok(TokenError::UnsupportedGrantType(format!("grant_type {other:?} is not supported; use {JWT_BEARER_GRANT}")).into()),
        None => return Ok(invalid_request("grant_type is missing").into()),
    }
    let Some(assertion) = params.get("assertion") else {
        return Ok(invalid_request("assertion is missing: send the signed JWT grant as the assertion parameter").into());
    };
    let parsed = refuse_on_err!(jws::parse(assertion).map_err(|e| TokenError::InvalidRequest(format!("the assertion is not a valid JWT: {e}"))));
    let header = refuse_on_err!(rules::check_header(&parsed.header));
    let client_id = refuse_on_err!(rules::peek_issuer(&parsed.claims)).to_string();

    let now = svc.clock.now();
    let Some(key) = client_key(svc, &client_id, &header.kid, cached, used_cache).await? else {
        return Ok(Grant::Refused(if store::client_exists(&svc.pool, &client_id).await? {
            TokenError::InvalidClient(format!("client {client_id} has no key with kid {:?}", header.kid))
        } else {
            TokenError::InvalidClient(format!("unknown client {client_id:?}: iss must be the client id of a registered client"))
        }));
    };
    if key.client_deleted {
        return Ok(TokenError::InvalidClient(format!("client {client_id} is deleted")).into());
    }
    if key.revoked_at.is_some() {
        return Ok(TokenError::InvalidClient(format!("the key {:?} of client {client_id} is revoked", key.kid)).into());
    }
    if key.expires_at.is_some_and(|e| e <= now) {
        return Ok(TokenError::InvalidClient(format!("the key {:?} of client {client_id} has expired", key.kid)).into());
    }
    if key.family != header.alg.family() {
        return Ok(TokenError::InvalidGrant(format!("the key {:?} is an {} key; the assertion's alg does not fit it", key.kid, key.family.as_str())).into());
    }
    let alg = parsed.header.get("alg").and_then(Value::as_str).unwrap_or_default();
    let Some(verify_key) = jws::VerifyKey::from_jwk(&key.public_jwk, alg) else {
        return Ok(TokenError::InvalidClient(format!("the key {:?} cannot be used", key.kid)).into());
    };
    if !verify_key.verify(parsed.signing_input.as_bytes(), &parsed.signature) {
        return Ok(TokenError::InvalidGrant(format!("the assertion's signature does not verify with the key {:?}", key.kid)).into());
    }

    let now_s = now.unix_timestamp();
    let assertion = refuse_on_err!(rules::check_claims(&parsed.claims, &ClaimsCheck { issuer: &svc.settings.issuer, client_id: &client_id, now: now_s }));
    refuse_on_err!(rules::check_scopes(&assertion.scopes, &key.scopes));
    let system_user = match &assertion.system_user {
        None => None,
        Some(request) => Some((request, refuse_on_err!(system_user(svc, &client_id, request, cached, used_cache).await))),
    };
    let scope = assertion.scopes.join(" ");
    let lifetime = svc.settings.lifetime.whole_seconds();
    let jti = uuid::Uuid::new_v4().to_string();
    let mut claims = json!({
        "iss": svc.settings.issuer,
        "client_id": client_id,
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "scope": scope,
        "iat": now_s,
        "exp": now_s + lifetime,
        "jti": jti,
    });
    if let Some(owner) = &key.owner_org_number {
        claims["consumer"] = json!({"authority": ISO6523_AUTHORITY, "ID": rules::org_id(owner)});
    }
    match assertion.resource.as_slice() {
        [] => {}
        [one] => claims["aud"] = json!(one),
        many => claims["aud"] = json!(many),
    }
    if let Some((request, link)) = &system_user {
        claims["authorization_details"] = json!([{
            "type": SYSTEM_USER_DETAILS,
            "systemuser_id": [link.system_user_id],
            "systemuser_org": {"authority": ISO6523_AUTHORITY, "ID": rules::org_id(request.org.as_str())},
            "system_id": link.system_id,
            "externalRef": request.external_ref,
        }]);
        claims["supplier"] = json!({"authority": ISO6523_AUTHORITY, "ID": rules::org_id(&link.vendor_org_number)});
    }
    // Last, so that a refused request does not use up the jti; kept until the
    // assertion could not be accepted anyway. The jti is spent, the client's
    // current state checked and the issue recorded in one write, before
    // signing: one round trip and one commit, shared with the requests that
    // arrive at the same time.
    let write = TokenWrite {
        assertion_jti: assertion.jti,
        assertion_expires_at: time::OffsetDateTime::from_unix_timestamp(assertion.exp + rules::CLOCK_SKEW_SECS)?,
        kid: key.kid.clone(),
        token: IssuedToken {
            id: uuid::Uuid::now_v7(),
            client_id: client_id.clone(),
            system_user_id: system_user.as_ref().map(|(_, l)| l.system_user_id),
            scope: scope.clone(),
            issued_at: now,
            expires_at: now + svc.settings.lifetime,
            jti,
        },
    };
    match svc.writes.write(write).await? {
        Spent::Issued => {}
        Spent::Replayed => {
            return Ok(TokenError::InvalidGrant("the assertion's jti has been used before; send a new jti with every assertion".into()).into());
        }
        Spent::Stale => return Ok(Grant::Stale),
    }
    let keys = svc.keys();
    let signer = keys.signer.clone();
    let jwt_header = json!({"alg": signer.alg.as_str(), "typ": "JWT", "kid": signer.kid});
    let Some(token) = jws::encode(&jwt_header, &claims, |m| signer.sign(m)) else {
        anyhow::bail!("signing failed");
    };
    if svc.should_touch(&client_id, &key.kid, now_s) {
        store::touch_key(&svc.pool, &client_id, &key.kid, now).await?;
    }
    Ok(Grant::Issued(json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": scope})))
}

pub async fn jwks(State(svc): State<Arc<TokenService>>) -> Response {
    let mut res = Json(svc.keys().jwks.clone()).into_response();
    // Short, so a rotation reaches verifiers well within the publish-ahead time.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    res
}

pub async fn metadata(State(svc): State<Arc<TokenService>>) -> Response {
    let issuer = svc.settings.issuer.as_str();
    let base = svc.settings.base_url.as_str();
    Json(json!({
        "issuer": issuer,
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "grant_types_supported": [JWT_BEARER_GRANT],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "RS512", "ES256"],
        "authorization_details_types_supported": [SYSTEM_USER_DETAILS],
        "response_types_supported": [],
        "service_documentation": format!("{base}/api-docs/openapi.json"),
    }))
    .into_response()
}
