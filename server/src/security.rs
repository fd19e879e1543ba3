//! Request ids, security headers and CSRF protection.

use crate::problem::Problem;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The request's id, set by the request-id layer.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Makes request ids: a random prefix per process and a counter. Unique
/// across instances (64 random bits) without a call to the system's random
/// source on every request, which a UUID v4 costs.
pub struct RequestIds {
    prefix: String,
    next: std::sync::atomic::AtomicU64,
}

impl RequestIds {
    pub fn new() -> Self {
        Self { prefix: format!("{:016x}", rand::random::<u64>()), next: std::sync::atomic::AtomicU64::new(1) }
    }

    pub fn next_id(&self) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{n:x}", self.prefix)
    }
}

impl Default for RequestIds {
    fn default() -> Self {
        Self::new()
    }
}

/// The request-id layer's maker; cloned per connection, so it shares one counter.
#[derive(Clone, Default)]
pub struct MakeRequestId(std::sync::Arc<RequestIds>);

impl tower_http::request_id::MakeRequestId for MakeRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<tower_http::request_id::RequestId> {
        HeaderValue::from_str(&self.0.next_id()).ok().map(tower_http::request_id::RequestId::new)
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the security middlewares need to know.
#[derive(Clone)]
pub struct SecurityConfig {
    pub origin: String,
    pub https: bool,
    /// Origins forms may be submitted to (the identity provider's, for logout).
    pub form_targets: String,
    /// The CSP of every response that sets none (APIs, files): made once, not
    /// per request, as the decision API answers tens of thousands a second.
    default_csp: HeaderValue,
}

impl SecurityConfig {
    pub fn new(origin: String, https: bool, form_targets: String) -> Self {
        let csp =
            format!("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' {form_targets}; frame-ancestors 'none'; base-uri 'none'");
        // An origin is ASCII without control characters; fall back to the
        // strictest policy should configuration ever give something else.
        let default_csp = HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
        Self { origin, https, form_targets, default_csp }
    }
}

/// The CSP of a Leptos page, allowing only scripts with this response's nonce.
pub fn page_csp(nonce: &str, form_targets: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self' {form_targets}"
    )
}

/// Paths inside the CSRF layer that take no cookies and authenticate callers
/// otherwise, so Origin checks do not apply: only the test provider's token
/// endpoint, which the relying party calls server to server with its client
/// credentials. Matched exactly: a path that merely ends in `/token` (say a
/// resource named `token` in the session-authenticated resource registry) is
/// checked like any other.
///
/// The token-authenticated APIs (`/token`, the decision, authorized-parties
/// and client APIs) and unknown paths under the API prefixes
/// ([`crate::api::PREFIXES`]) are served outside this layer altogether.
fn csrf_exempt(path: &str) -> bool {
    path == "/idp/token"
}

/// Refuses state-changing requests that come from another site: `Sec-Fetch-Site`
/// must be same-origin (or none: typed by the user), else `Origin` must be ours.
/// SameSite=Lax cookies are the second line.
pub async fn csrf(State(cfg): State<std::sync::Arc<SecurityConfig>>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !csrf_exempt(req.uri().path()) {
        let h = req.headers();
        let fetch_site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let allowed = match (fetch_site, origin) {
            (Some("same-origin" | "none"), _) => true,
            (Some(_), _) => false,
            (None, Some(o)) => o == cfg.origin,
            (None, None) => false,
        };
        if !allowed {
            tracing::warn!(path = req.uri().path(), ?fetch_site, ?origin, "cross-site request refused");
            return Problem::new(StatusCode::FORBIDDEN, "csrf", "Cross-site request refused")
                .detail("This request did not come from the portal's own pages.")
                .into_response();
        }
    }
    next.run(req).await
}

/// Adds the security headers every response carries, and a strict CSP to any
/// response that did not set its own (Leptos pages set one with their nonce).
pub async fn headers(State(cfg): State<std::sync::Arc<SecurityConfig>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, cfg.default_csp.clone());
    }
    // Pages show who is signed in and what they may do: never kept by a
    // browser or a shared cache (static files and APIs say their own).
    let is_page = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_page && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if cfg.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_unique_and_share_a_prefix() {
        let ids = RequestIds::new();
        let (a, b) = (ids.next_id(), ids.next_id());
        assert_ne!(a, b);
        assert_eq!(a.split('-').next(), b.split('-').next());
        assert_ne!(RequestIds::new().next_id().split('-').next(), a.split('-').next());
    }

    #[test]
    fn only_the_test_providers_token_endpoint_is_exempt_from_csrf_checks() {
        assert!(csrf_exempt("/idp/token"));
        for path in
            ["/resourceregistry/api/v1/resource/token", "/api/token", "/idp/token/", "/x/idp/token", "/auth/logout", "/resourceregistry/api/v1/resource"]
        {
            assert!(!csrf_exempt(path), "{path}");
        }
    }

    #[test]
    fn the_page_csp_carries_the_nonce_and_forbids_framing() {
        let csp = page_csp("abc", "https://idp.example");
        assert!(csp.contains("'nonce-abc'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("form-action 'self' https://idp.example"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
