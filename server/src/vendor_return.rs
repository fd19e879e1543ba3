//! `GET /systembrukere/foresporsel/{id}/videre` and
//! `GET /systembrukere/endring/{id}/videre`: where the customer's decision
//! on a system-user request or a change request ends. Each sends the
//! browser on to the vendor's own page, which the request named and the
//! system allowed, or else back to the request.
//!
//! The way on is a small page that moves on by itself (`meta refresh`) and
//! has a link to follow, not a redirect: the decision is a form post, and a
//! form post's redirects may only stay on the portal's own origin (the
//! pages' `form-action 'self'`), so a redirect to the vendor would be
//! blocked by the browser.

use crate::app_state::AppState;
use app::i18n::Locale;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::context::Context;
use domain::system_user_requests::RequestError;
use tower_sessions::Session;

/// After a decision on a system-user request.
pub async fn after_decision(state: State<AppState>, session: Session, headers: HeaderMap, Path(id): Path<String>) -> Response {
    onward(state, session, headers, "/systembrukere/foresporsel", id, |ctx, id| async move {
        domain::system_user_requests::approval::after_decision(&ctx, id).await
    })
    .await
}

/// After a decision on a change request.
pub async fn after_change_decision(state: State<AppState>, session: Session, headers: HeaderMap, Path(id): Path<String>) -> Response {
    onward(state, session, headers, "/systembrukere/endring", id, |ctx, id| async move { domain::system_user_requests::change::after_decision(&ctx, id).await })
        .await
}

/// The vendor's page `find` names for the signed-in person, or back to `{base}/{id}`.
async fn onward<F, Fut>(State(state): State<AppState>, session: Session, headers: HeaderMap, base: &str, id: String, find: F) -> Response
where
    F: FnOnce(Context, uuid::Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, RequestError>>,
{
    let back = Redirect::to(&format!("{base}/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()));
    let Ok(id) = uuid::Uuid::parse_str(&id) else { return back.into_response() };
    let Some(auth) = app::session::signed_in(&session, state.clock.now(), time::Duration::hours(state.config.session_absolute_hours)).await else {
        return back.into_response();
    };
    let party = app::session::chosen_party(&session).await;
    let ctx = state.services().for_person(auth.person, auth.name, party, None);
    match find(ctx, id).await {
        Ok(Some(url)) => {
            let locale = Locale::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()));
            ([(header::CACHE_CONTROL, "no-store")], Html(page(locale, &url))).into_response()
        }
        _ => back.into_response(),
    }
}

/// The page that moves on to `url` (checked against the system's allowed
/// URLs when the request was sent, and escaped here).
fn page(locale: Locale, url: &str) -> String {
    let url = html_escape(url);
    let title = locale.t("system_user_requests.returning");
    let link = locale.t("system_user_requests.continue");
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>{title}</title></head>\
         <body><main><h1>{title}</h1><p><a href=\"{url}\">{link}</a></p></main></body></html>",
        lang = locale.code()
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}
