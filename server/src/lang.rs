//! The language switch: remembers the choice in a cookie and goes back.

use app::i18n::{Locale, LANG_COOKIE};
use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Back {
    #[serde(rename = "return")]
    return_to: Option<String>,
}

pub async fn switch(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(locale) = Locale::parse(&code) else {
        return crate::problem::Problem::new(StatusCode::NOT_FOUND, "unknown_language", "Unknown language").detail("Choose nb, nn or en.").into_response();
    };
    let mut res = Redirect::to(&crate::auth::safe_return_path(back.return_to.as_deref())).into_response();
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.code());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
