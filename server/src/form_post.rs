//! Forms posted without JavaScript: post, redirect, get.
//!
//! Without JavaScript, a Leptos `ActionForm` is a plain `<form method="post">`
//! to its server function. Leptos' own answer to such a post is a redirect to
//! the referring page that loses a successful result and the fields the
//! person typed, and carries an error in the URL. This layer answers it the
//! way a public service should instead:
//!
//! 1. the function runs as if called by the page's script (`Accept:
//!    application/json`), so its outcome comes back whole;
//! 2. its outcome and the typed fields (secrets left out, see
//!    [`FormFlash::is_secret`]) are kept in the session as a one-time flash;
//! 3. the browser is sent with `303 See Other` to where the function
//!    redirected (a use case that ends on another page), or else back to the
//!    page it came from;
//! 4. when that page is next rendered, [`take`] moves the flash from the
//!    session into the request, where the app's `use_server_action` and
//!    `Typed` read it (see `app::form_flash`).
//!
//! The function's own checks (authorization, validation, audit) are the same
//! on both paths: this layer only changes how the answer travels.

use app::form_flash::FormFlash;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Session key of the flash.
const FLASH_KEY: &str = "form_flash";
/// Largest form body taken (a pasted XACML policy fits with room to spare).
const MAX_FORM_BODY: usize = 2 * 1024 * 1024;
/// Largest server-function answer kept in a flash.
const MAX_RESULT_BODY: usize = 1024 * 1024;
/// Typed values longer than this are not put back (they would bloat the session).
const MAX_KEPT_VALUE: usize = 64 * 1024;

/// Whether a browser sent `req` for a page (as opposed to a script's call).
fn accepts_html(req: &Request) -> bool {
    req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Whether `req` is a form posted by a browser without JavaScript to a server function.
fn is_plain_form_post(req: &Request) -> bool {
    let urlencoded = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    req.method() == Method::POST && req.uri().path().starts_with("/api/") && accepts_html(req) && urlencoded
}

/// The local path (and query) of a same-site URL, or `None` for anything that
/// could send the browser elsewhere.
fn local_target(url: &str) -> Option<String> {
    let rest = if url.starts_with('/') {
        url.to_string()
    } else {
        let parsed = url::Url::parse(url).ok()?;
        match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        }
    };
    (rest.starts_with('/') && !rest.starts_with("//") && !rest.contains('\\')).then_some(rest)
}

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Runs a server function posted as a plain form and answers post/redirect/get.
pub async fn middleware(req: Request, next: Next) -> Response {
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return next.run(req).await;
    };
    let fn_path = req.uri().path().to_string();
    // The referring page is ours: the CSRF layer outside has refused any other site.
    let return_to = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(local_target).unwrap_or_else(|| "/".to_string());

    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BODY).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .filter(|(name, value)| !FormFlash::is_secret(name) && value.len() <= MAX_KEPT_VALUE)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    parts.headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;

    // A use case that ends on another page said so with a redirect; its
    // outcome goes there instead.
    let redirected = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).and_then(local_target);
    let ok = res.status().is_success() || res.status().is_redirection();
    let return_to = redirected.filter(|_| ok).unwrap_or(return_to);
    let body = match axum::body::to_bytes(res.into_body(), MAX_RESULT_BODY).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            tracing::error!(error = %e, path = %fn_path, "server function answer too large for a flash");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let flash = FormFlash { path: fn_path, ok, body, fields, return_to: return_to.clone() };
    if let Err(e) = session.insert(FLASH_KEY, flash).await {
        tracing::error!(error = %e, "cannot keep a form's result in the session");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    see_other(&return_to)
}

/// Moves the flash left for this page from the session into the request, so
/// the page shows it once. Other requests leave it where it is.
pub async fn take(mut req: Request, next: Next) -> Response {
    let is_page = req.method() == Method::GET && !req.uri().path().starts_with("/api/") && accepts_html(&req);
    if is_page {
        if let Some(session) = req.extensions().get::<Session>().cloned() {
            if let Ok(Some(flash)) = session.get::<FormFlash>(FLASH_KEY).await {
                let flash_path = flash.return_to.split('?').next().unwrap_or_default();
                if flash_path == req.uri().path() {
                    let _ = session.remove::<FormFlash>(FLASH_KEY).await;
                    req.extensions_mut().insert(flash);
                }
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_targets_are_followed() {
        assert_eq!(local_target("http://127.0.0.1:3000/tilganger?q=mva").as_deref(), Some("/tilganger?q=mva"));
        assert_eq!(local_target("/roller").as_deref(), Some("/roller"));
        assert_eq!(local_target("//evil.example/x"), None);
        assert_eq!(local_target("/\\evil.example"), None);
        assert_eq!(local_target("not a url"), None);
    }
}
