//! The provider's endpoints.

use super::{oauth_error, refuse, AccessGrant, AuthRequest, Idp, Login, PendingCode, CODE_LIFETIME, TOKEN_LIFETIME_SECS};
use crate::oidc::{IdportenClaims, IdportenIdToken, IdportenIdTokenClaims, ACR_LEVELS};
use crate::security::constant_time_eq;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use domain::parties::{IdError, NationalId};
use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::{
    AccessToken, Audience, AuthenticationContextClass, AuthenticationMethodReference, AuthorizationCode, EndUserName, IssuerUrl, LocalizedClaim, Nonce,
    StandardClaims, SubjectIdentifier,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

pub fn router(idp: Arc<Idp>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize).post(login))
        .route("/token", axum::routing::post(token))
        .route("/userinfo", get(userinfo))
        .route("/endsession", get(end_session))
        .with_state(idp)
}

async fn discovery(State(idp): State<Arc<Idp>>) -> Json<serde_json::Value> {
    let i = &idp.issuer;
    Json(serde_json::json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "end_session_endpoint": format!("{i}/endsession"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "pid", "acr", "amr", "sid", "nonce", "name", "auth_time", "locale"],
        "acr_values_supported": ACR_LEVELS,
        "ui_locales_supported": ["nb", "nn", "en"],
        "frontchannel_logout_supported": false,
    }))
}

async fn jwks(State(idp): State<Arc<Idp>>) -> Json<openidconnect::core::CoreJsonWebKeySet> {
    Json(idp.jwks.clone())
}

#[derive(Debug, Deserialize)]
struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    acr_values: Option<String>,
    ui_locales: Option<String>,
}

/// Redirects an authorization error back to the client, as RFC 6749 §4.1.2.1 says.
fn redirect_error(redirect_uri: &str, state: Option<&str>, error: &str, description: &str) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => return refuse("invalid_redirect_uri", "redirect_uri is not a URL").into_response(),
    };
    url.query_pairs_mut().append_pair("error", error).append_pair("error_description", description);
    if let Some(s) = state {
        url.query_pairs_mut().append_pair("state", s);
    }
    Redirect::to(url.as_str()).into_response()
}

fn validate(idp: &Idp, p: AuthorizeParams) -> Result<AuthRequest, Response> {
    let client_id = p.client_id.unwrap_or_default();
    let Some(client) = idp.client(&client_id) else {
        return Err(refuse("unknown_client", "client_id is not registered at this provider").into_response());
    };
    let redirect_uri = p.redirect_uri.unwrap_or_default();
    if !client.redirect_uris.contains(&redirect_uri) {
        return Err(refuse("invalid_redirect_uri", "redirect_uri is not registered for this client").into_response());
    }
    let state = p.state.filter(|s| !s.is_empty());
    let fail = |error: &str, description: &str| Err(redirect_error(&redirect_uri, state.as_deref(), error, description));
    if p.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is supported");
    }
    let scope = p.scope.unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return fail("invalid_scope", "scope must include openid");
    }
    let Some(state_value) = state.clone() else {
        return fail("invalid_request", "state is required");
    };
    let Some(nonce) = p.nonce.filter(|n| !n.is_empty()) else {
        return fail("invalid_request", "nonce is required");
    };
    if p.code_challenge_method.as_deref() != Some("S256") {
        return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    let code_challenge = p.code_challenge.unwrap_or_default();
    if code_challenge.len() != 43 {
        return fail("invalid_request", "code_challenge must be a base64url SHA-256 digest");
    }
    let acr_values = p.acr_values.unwrap_or_else(|| ACR_LEVELS[0].to_string());
    if !acr_values.split_whitespace().all(|a| ACR_LEVELS.contains(&a)) {
        return fail("invalid_request", "unsupported acr_values");
    }
    Ok(AuthRequest { client_id, redirect_uri, state: state_value, nonce, code_challenge, scope, acr_values, ui_locales: p.ui_locales.unwrap_or_default() })
}

async fn authorize(State(idp): State<Arc<Idp>>, headers: HeaderMap, Query(p): Query<AuthorizeParams>) -> Response {
    match validate(&idp, p) {
        Ok(req) => {
            let persons = {
                let mut conn = match idp.pool.acquire().await {
                    Ok(c) => c,
                    Err(e) => return Problem_internal(&e),
                };
                domain::parties::store::persons_for_test_login(&mut conn, 50).await.unwrap_or_default()
            };
            Html(super::pages::login_page(&req, &persons, locale(&headers, &req.ui_locales), None)).into_response()
        }
        Err(resp) => resp,
    }
}

#[allow(non_snake_case)]
fn Problem_internal(e: &dyn std::fmt::Display) -> Response {
    crate::problem::Problem::internal("-", e).into_response()
}

fn locale(headers: &HeaderMap, ui_locales: &str) -> app::i18n::Locale {
    ui_locales
        .split_whitespace()
        .find_map(app::i18n::Locale::parse)
        .unwrap_or_else(|| app::i18n::Locale::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok())))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    scope: String,
    #[serde(default)]
    acr_values: String,
    #[serde(default)]
    ui_locales: String,
    /// A demo person picked from the list.
    #[serde(default)]
    pid: String,
    /// A number typed in; wins over the picked one when filled in.
    #[serde(default)]
    pid_manual: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    acr: String,
    #[serde(default)]
    cancel: Option<String>,
}

/// The login form was submitted: validate the person and issue a code.
async fn login(State(idp): State<Arc<Idp>>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    // Re-validate everything the form carried: hidden fields can be edited.
    let params = AuthorizeParams {
        client_id: Some(f.client_id.clone()),
        redirect_uri: Some(f.redirect_uri.clone()),
        response_type: Some("code".into()),
        scope: Some(f.scope.clone()),
        state: Some(f.state.clone()),
        nonce: Some(f.nonce.clone()),
        code_challenge: Some(f.code_challenge.clone()),
        code_challenge_method: Some("S256".into()),
        acr_values: Some(f.acr_values.clone()).filter(|a| !a.is_empty()),
        ui_locales: Some(f.ui_locales.clone()),
    };
    let req = match validate(&idp, params) {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    if f.cancel.is_some() {
        return redirect_error(&req.redirect_uri, Some(&req.state), "access_denied", "the person cancelled the login");
    }
    let typed = f.pid_manual.trim();
    let raw = if typed.is_empty() { f.pid.trim() } else { typed };
    let loc = locale(&headers, &req.ui_locales);
    let pid = match NationalId::parse(raw, idp.synthetic) {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(error = %e, "test provider refused an invalid national identity number");
            let persons = match idp.pool.acquire().await {
                Ok(mut c) => domain::parties::store::persons_for_test_login(&mut c, 50).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            // A synthetic test number is a valid number: say why it is refused.
            let message = match e {
                IdError::SyntheticNotAccepted => loc.t("idp.synthetic_not_accepted").to_string(),
                _ => format!("{} {}", loc.t("idp.invalid_nin"), e),
            };
            let page = super::pages::login_page(&req, &persons, loc, Some(&message));
            return (StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response();
        }
    };
    let requested_min = req.acr_values.split_whitespace().next().unwrap_or(ACR_LEVELS[0]);
    let acr = if ACR_LEVELS.contains(&f.acr.as_str()) { f.acr.clone() } else { requested_min.to_string() };
    // The person cannot log in at a lower level than the client asked for.
    let acr = if level(&acr) < level(requested_min) { requested_min.to_string() } else { acr };
    let sid = crate::random_token(16);
    let code = crate::random_token(32);
    let login = Login { pid: pid.as_str().to_string(), name: Some(f.name.trim().to_string()).filter(|n| !n.is_empty()), acr, sid: sid.clone() };
    idp.sessions.lock().unwrap_or_else(|e| e.into_inner()).insert(sid, login.pid.clone());
    let redirect_uri = req.redirect_uri.clone();
    let state = req.state.clone();
    {
        let mut codes = idp.codes.lock().unwrap_or_else(|e| e.into_inner());
        codes.retain(|_, c| c.issued.elapsed() < CODE_LIFETIME);
        codes.insert(code.clone(), PendingCode { request: req, login, issued: Instant::now() });
    }
    let mut url = match url::Url::parse(&redirect_uri) {
        Ok(u) => u,
        Err(_) => return refuse("invalid_redirect_uri", "redirect_uri is not a URL").into_response(),
    };
    url.query_pairs_mut().append_pair("code", &code).append_pair("state", &state).append_pair("iss", &idp.issuer);
    Redirect::to(url.as_str()).into_response()
}

fn level(acr: &str) -> usize {
    ACR_LEVELS.iter().position(|a| *a == acr).unwrap_or(0)
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    client_assertion_type: Option<String>,
    client_assertion: Option<String>,
}

/// Client credentials from HTTP Basic (client_secret_basic) or the form (client_secret_post).
fn client_credentials(headers: &HeaderMap, form: &TokenForm) -> Option<(String, String)> {
    if let Some(basic) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic ")) {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

/// Authenticates the client by private_key_jwt or by secret; returns its id.
fn authenticate_client(idp: &Idp, headers: &HeaderMap, f: &TokenForm) -> Result<String, Response> {
    let unauthorized = |d: &str| Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", d));
    if let Some(kind) = &f.client_assertion_type {
        use crate::client_assertion as ca;
        if kind != ca::ASSERTION_TYPE {
            return unauthorized("unsupported client_assertion_type");
        }
        let Some(assertion) = &f.client_assertion else { return unauthorized("client_assertion is missing") };
        let Some(client_id) = f.client_id.clone().or_else(|| unverified_claim(assertion, "iss")) else {
            return unauthorized("the client is not named");
        };
        let Some(pem) = idp.client(&client_id).and_then(|c| c.public_key_pem.clone()) else {
            return unauthorized("no key is registered for this client");
        };
        let now = chrono::Utc::now().timestamp();
        let token_endpoint = format!("{}/token", idp.issuer);
        let claims = match ca::verify(assertion, &pem, &client_id, &[&idp.issuer, &token_endpoint], now) {
            Ok(c) => c,
            Err(e) => return unauthorized(&e.to_string()),
        };
        let mut used = idp.used_assertions.lock().unwrap_or_else(|e| e.into_inner());
        used.retain(|_, exp| *exp > now - 60);
        if used.insert(claims.jti.clone(), claims.exp).is_some() {
            return unauthorized("the client assertion was already used");
        }
        return Ok(client_id);
    }
    let Some((client_id, secret)) = client_credentials(headers, f) else {
        return unauthorized("client authentication is required");
    };
    let Some(client) = idp.client(&client_id) else { return unauthorized("unknown client") };
    if client.client_secret.is_empty() || !constant_time_eq(client.client_secret.as_bytes(), secret.as_bytes()) {
        return unauthorized("wrong client secret");
    }
    Ok(client_id)
}

async fn token(State(idp): State<Arc<Idp>>, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let bad = |error: &str, d: &str| oauth_error(StatusCode::BAD_REQUEST, error, d);
    let client_id = match authenticate_client(&idp, &headers, &f) {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    if f.grant_type.as_deref() != Some("authorization_code") {
        return bad("unsupported_grant_type", "only authorization_code is supported");
    }
    let Some(code) = f.code else { return bad("invalid_request", "code is required") };
    // Single use: the code is removed whether or not the rest checks out.
    let pending = idp.codes.lock().unwrap_or_else(|e| e.into_inner()).remove(&code);
    let Some(pending) = pending else { return bad("invalid_grant", "unknown, used or expired code") };
    if pending.issued.elapsed() >= CODE_LIFETIME {
        return bad("invalid_grant", "the code has expired");
    }
    if pending.request.client_id != client_id {
        return bad("invalid_grant", "the code was issued to another client");
    }
    if f.redirect_uri.as_deref() != Some(pending.request.redirect_uri.as_str()) {
        return bad("invalid_grant", "redirect_uri does not match the authorization request");
    }
    let verifier = f.code_verifier.unwrap_or_default();
    let verifier_ok = (43..=128).contains(&verifier.len()) && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if !verifier_ok || !constant_time_eq(challenge.as_bytes(), pending.request.code_challenge.as_bytes()) {
        return bad("invalid_grant", "PKCE verification failed");
    }
    let access_token = crate::random_token(32);
    let id_token = match issue_id_token(&idp, &pending, &access_token, &code) {
        Ok(t) => t,
        Err(e) => return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e.to_string()),
    };
    idp.access.lock().unwrap_or_else(|e| e.into_inner()).insert(
        access_token.clone(),
        AccessGrant { login: pending.login.clone(), expires: Instant::now() + std::time::Duration::from_secs(TOKEN_LIFETIME_SECS as u64) },
    );
    let mut res = Json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "id_token": id_token,
        "scope": pending.request.scope,
    }))
    .into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

fn issue_id_token(idp: &Idp, pending: &PendingCode, access_token: &str, code: &str) -> anyhow::Result<String> {
    let now = chrono::Utc::now();
    // ID-porten's `sub` is pairwise per client; derive it so it is stable but not the pid.
    let sub =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(format!("{}|{}", pending.request.client_id, pending.login.pid).as_bytes()));
    let mut standard = StandardClaims::new(SubjectIdentifier::new(sub));
    if let Some(name) = &pending.login.name {
        standard = standard.set_name(Some(LocalizedClaim::from(EndUserName::new(name.clone()))));
    }
    let claims = IdportenIdTokenClaims::new(
        IssuerUrl::new(idp.issuer.clone())?,
        vec![Audience::new(pending.request.client_id.clone())],
        now + chrono::Duration::seconds(TOKEN_LIFETIME_SECS),
        now,
        standard,
        IdportenClaims { pid: Some(pending.login.pid.clone()), sid: Some(pending.login.sid.clone()) },
    )
    .set_nonce(Some(Nonce::new(pending.request.nonce.clone())))
    .set_auth_time(Some(now))
    .set_auth_context_ref(Some(AuthenticationContextClass::new(pending.login.acr.clone())))
    .set_auth_method_refs(Some(vec![AuthenticationMethodReference::new("TestID".into())]));
    let token = IdportenIdToken::new(
        claims,
        &idp.signing_key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&AccessToken::new(access_token.to_string())),
        Some(&AuthorizationCode::new(code.to_string())),
    )?;
    Ok(token.to_string())
}

async fn userinfo(State(idp): State<Arc<Idp>>, headers: HeaderMap) -> Response {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "a bearer token is required");
    };
    let access = idp.access.lock().unwrap_or_else(|e| e.into_inner());
    match access.get(token.trim()) {
        Some(grant) if grant.expires > Instant::now() => {
            Json(serde_json::json!({ "sub": grant.login.pid, "pid": grant.login.pid, "name": grant.login.name, "acr": grant.login.acr })).into_response()
        }
        _ => oauth_error(StatusCode::UNAUTHORIZED, "invalid_token", "unknown or expired token"),
    }
}

/// RP-initiated logout: ends the provider session and returns to a registered URI.
async fn end_session(State(idp): State<Arc<Idp>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let loc = locale(&headers, q.get("ui_locales").map(String::as_str).unwrap_or(""));
    let hint_client = q.get("id_token_hint").and_then(|t| unverified_claim(t, "aud"));
    if let Some(sid) = q.get("id_token_hint").and_then(|t| unverified_claim(t, "sid")) {
        idp.sessions.lock().unwrap_or_else(|e| e.into_inner()).remove(&sid);
    }
    let client_id = q.get("client_id").cloned().or(hint_client);
    if let (Some(uri), Some(client)) = (q.get("post_logout_redirect_uri"), client_id.as_deref().and_then(|c| idp.client(c))) {
        if client.post_logout_redirect_uris.contains(uri) {
            let mut url = match url::Url::parse(uri) {
                Ok(u) => u,
                Err(_) => return refuse("invalid_redirect_uri", "post_logout_redirect_uri is not a URL").into_response(),
            };
            if let Some(state) = q.get("state") {
                url.query_pairs_mut().append_pair("state", state);
            }
            return Redirect::to(url.as_str()).into_response();
        }
        return refuse("invalid_redirect_uri", "post_logout_redirect_uri is not registered for this client").into_response();
    }
    Html(super::pages::logged_out_page(loc)).into_response()
}

/// Reads a claim from a JWT without verifying it. Used only to find which
/// session and client an `id_token_hint` names; nothing is granted on it.
fn unverified_claim(jwt: &str, claim: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match &v[claim] {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_owned),
        _ => None,
    }
}
