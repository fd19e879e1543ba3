//! Bearer tokens for Fullmakt's own APIs: validates a token this service issued
//! (signature with one of our published keys, `iss`, `aud`, `exp`, scope) and
//! keeps validated tokens, keyed by the SHA-256 of the token, until they expire,
//! so that a busy caller (the PDP) pays for the signature check once per token.
//!
//! The cache holds only what was decided about a token, never the token.

use super::TokenService;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// What a valid token says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub exp: i64,
    /// `systemuser_id[0]` of a system-user token.
    pub system_user_id: Option<String>,
    /// The person of a person's token (see [`super::person`]): their party id.
    pub person: Option<uuid::Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    #[error("no bearer token")]
    Missing,
    #[error("{0}")]
    Invalid(&'static str),
    #[error("the token lacks the scope {0}")]
    InsufficientScope(String),
}

impl IntoResponse for BearerError {
    /// RFC 6750 §3: 401 with `WWW-Authenticate`, or 403 for a missing scope.
    fn into_response(self) -> Response {
        let (status, challenge) = match &self {
            Self::Missing => (StatusCode::UNAUTHORIZED, "Bearer".to_string()),
            Self::Invalid(d) => (StatusCode::UNAUTHORIZED, format!("Bearer error=\"invalid_token\", error_description=\"{d}\"")),
            Self::InsufficientScope(s) => (StatusCode::FORBIDDEN, format!("Bearer error=\"insufficient_scope\", scope=\"{s}\"")),
        };
        let code = if status == StatusCode::FORBIDDEN { "insufficient_scope" } else { "unauthenticated" };
        let mut res = crate::problem::Problem::new(status, code, "Authentication required").detail(self.to_string()).into_response();
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        res
    }
}

/// The bearer token of a request, if any: exactly what follows `Bearer `. A
/// token has no white space (RFC 6750 §2.1), so credentials with white space
/// in them are not the key, and are refused rather than trimmed into it.
/// (White space at the very end of the header is not part of its value: HTTP
/// parsing removes it before any server sees it.)
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token).filter(|t| !t.is_empty() && !t.contains(|c: char| c.is_ascii_whitespace()))
}

/// Validated tokens by SHA-256, bounded in size.
pub struct Cache {
    max: usize,
    map: RwLock<HashMap<[u8; 32], Arc<Caller>>>,
}

impl Cache {
    pub fn new(max: usize) -> Self {
        Self { max, map: RwLock::default() }
    }

    fn get(&self, key: &[u8; 32], now: i64) -> Option<Arc<Caller>> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|c| c.exp > now).cloned()
    }

    fn put(&self, key: [u8; 32], caller: Arc<Caller>, now: i64) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max {
            map.retain(|_, c| c.exp > now);
            if map.len() >= self.max {
                map.clear();
            }
        }
        map.insert(key, caller);
    }
}

/// The SHA-256 of a token: how a token is remembered without keeping it.
pub(crate) fn hash(token: &str) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

impl TokenService {
    /// Validates `token` (cached until it expires) and checks that it has `scope`.
    pub fn authorize(&self, token: &str, scope: &str) -> Result<Arc<Caller>, BearerError> {
        let now = self.clock.now().unix_timestamp();
        let key = hash(token);
        let caller = match self.cache.get(&key, now) {
            Some(c) => c,
            None => {
                let c = Arc::new(self.validate(token, now)?);
                self.cache.put(key, c.clone(), now);
                c
            }
        };
        if caller.scopes.iter().any(|s| s == scope) {
            Ok(caller)
        } else {
            Err(BearerError::InsufficientScope(scope.to_string()))
        }
    }

    /// Checks a token's signature against our own keys (the key is chosen by
    /// kid among ours, and its algorithm is ours, never the header's choice),
    /// then `iss`, `exp` and `aud`.
    pub fn validate(&self, token: &str, now: i64) -> Result<Caller, BearerError> {
        let parsed = super::jws::parse(token).map_err(|_| BearerError::Invalid("the token is not a valid JWT"))?;
        let kid = parsed.header.get("kid").and_then(Value::as_str).ok_or(BearerError::Invalid("the token has no kid"))?;
        let keys = self.keys();
        let (alg, key) = keys.verifiers.get(kid).ok_or(BearerError::Invalid("the token is not signed by this service"))?;
        if parsed.header.get("alg").and_then(Value::as_str) != Some(alg.as_str()) {
            return Err(BearerError::Invalid("the token's algorithm does not fit its key"));
        }
        if !key.verify(parsed.signing_input.as_bytes(), &parsed.signature) {
            return Err(BearerError::Invalid("the token's signature does not verify"));
        }
        let c = &parsed.claims;
        if c.get("iss").and_then(Value::as_str) != Some(self.settings.issuer.as_str()) {
            return Err(BearerError::Invalid("the token has another issuer"));
        }
        let exp = c.get("exp").and_then(Value::as_i64).ok_or(BearerError::Invalid("the token has no exp"))?;
        if exp <= now {
            return Err(BearerError::Invalid("the token has expired"));
        }
        match c.get("aud") {
            None => {}
            Some(Value::String(a)) if self.settings.audiences.contains(a) => {}
            Some(Value::Array(a)) if a.iter().any(|a| a.as_str().is_some_and(|a| self.settings.audiences.iter().any(|x| x == a))) => {}
            Some(_) => return Err(BearerError::Invalid("the token is meant for another audience")),
        }
        let client_id = c.get("client_id").and_then(Value::as_str).ok_or(BearerError::Invalid("the token has no client_id"))?;
        let scopes = c.get("scope").and_then(Value::as_str).unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        let system_user_id = c.pointer("/authorization_details/0/systemuser_id/0").and_then(Value::as_str).map(str::to_owned);
        let person = match (c.get("pid"), c.get("urn:altinn:party:uuid")) {
            (None, None) => None,
            (Some(_), Some(Value::String(id))) => Some(uuid::Uuid::parse_str(id).map_err(|_| BearerError::Invalid("the token names no person"))?),
            _ => return Err(BearerError::Invalid("the token names no person")),
        };
        Ok(Caller { client_id: client_id.to_string(), scopes, exp, system_user_id, person })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_is_case_insensitive_and_required() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn the_cache_forgets_expired_tokens_and_stays_bounded() {
        let cache = Cache::new(2);
        let caller = |exp| Arc::new(Caller { client_id: "c".into(), scopes: vec![], exp, system_user_id: None, person: None });
        cache.put([1; 32], caller(100), 0);
        assert!(cache.get(&[1; 32], 99).is_some());
        assert!(cache.get(&[1; 32], 100).is_none(), "not past exp");
        cache.put([2; 32], caller(50), 0);
        cache.put([3; 32], caller(200), 60);
        assert!(cache.get(&[2; 32], 0).is_none(), "expired entries go first when full");
        assert!(cache.get(&[1; 32], 60).is_some());
        assert!(cache.map.read().unwrap().len() <= 2);
    }
}
