//! The vendor API's paged lists, as Altinn's: a page is asked for by the
//! `token` of the `links.next` URL the page before gave (here the last id of
//! that page), and answered as `{ "links": { "next": URL or null }, "data": [...] }`.

use crate::problem::Problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The query of a paged list.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub token: Option<String>,
}

impl PageQuery {
    /// Where the page starts: after the id the token names, or at the
    /// beginning without one. A token not made here is a `400` problem.
    pub fn after(&self) -> Result<Option<Uuid>, Response> {
        self.token.as_deref().map(Uuid::parse_str).transpose().map_err(|_| {
            Problem::new(StatusCode::BAD_REQUEST, "invalid_token", "Invalid page token").detail("Use the links.next URL as given.").into_response()
        })
    }
}

/// A page as JSON: its `data`, and `links.next` for the list at `path`
/// (under the portal's public URL) after `next_after`, when more follow.
pub fn page<T: Serialize>(public_url: &url::Url, path: &str, next_after: Option<Uuid>, data: Vec<T>) -> Response {
    let next = next_after.map(|after| format!("{}{path}?token={after}", public_url.as_str().trim_end_matches('/')));
    Json(serde_json::json!({ "links": { "next": next }, "data": data })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_an_id_or_refused() {
        let id = Uuid::now_v7();
        assert_eq!(PageQuery { token: Some(id.to_string()) }.after().unwrap(), Some(id));
        assert_eq!(PageQuery { token: None }.after().unwrap(), None);
        assert_eq!(PageQuery { token: Some("x".into()) }.after().unwrap_err().status(), StatusCode::BAD_REQUEST);
    }
}
