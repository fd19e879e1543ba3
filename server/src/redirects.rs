//! Pages that have moved: the old address answers `308 Permanent Redirect` to
//! the new one, with the query string kept (so `?party=<orgno>` deep links
//! and filters still work), for every method.
//!
//! These routes sit outside the session, CSRF and deep-link layers: the move
//! happens first, and the new page then does what the old one did.

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

/// `/klienter` was the API-client page; it is now `/api-klienter`.
///
/// Temporary: the client-administration issue (an accounting firm's *clients*,
/// `docs/glossary.md`) takes `/klienter` over, and this redirect goes then.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/klienter", any(|uri: Uri| async move { moved_to("/api-klienter", &uri) }))
}

/// A permanent redirect to `path`, keeping the request's query string.
fn moved_to(path: &str, uri: &Uri) -> Response {
    let target = match uri.query() {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    };
    // The query of a parsed URI is always a valid header value; fall back to
    // the bare path all the same rather than fail.
    let location = HeaderValue::from_str(&target).unwrap_or_else(|_| HeaderValue::from_str(path).expect("a static path"));
    (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_kept_and_the_target_stays_on_this_site() {
        let res = moved_to("/api-klienter", &"/klienter?party=310400009&x=1".parse().unwrap());
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(res.headers()[header::LOCATION], "/api-klienter?party=310400009&x=1");
        let res = moved_to("/api-klienter", &"/klienter?".parse().unwrap());
        assert_eq!(res.headers()[header::LOCATION], "/api-klienter");
        let res = moved_to("/api-klienter", &"/klienter?//evil.example".parse().unwrap());
        assert_eq!(res.headers()[header::LOCATION], "/api-klienter?//evil.example");
    }
}
