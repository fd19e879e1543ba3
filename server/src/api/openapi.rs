//! Serves the OpenAPI document at `/api-docs/openapi.json`.
//!
//! The document is written by hand (`docs/api/openapi.json`) and compiled in; a
//! test checks that every path in it is served, and every API route is in it.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

pub const DOCUMENT: &str = include_str!("../../../docs/api/openapi.json");

pub fn router() -> Router<crate::app_state::AppState> {
    Router::new().route("/api-docs/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response() }))
}

#[cfg(test)]
mod tests {
    use super::DOCUMENT;
    use std::collections::BTreeSet;

    /// The document describes exactly what the routers serve: every route is
    /// documented, and every documented operation is served.
    #[test]
    fn the_document_and_the_routers_agree_in_both_directions() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("the document is JSON");
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .expect("a path item")
                    .keys()
                    .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                    .map(move |method| (method.clone(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = crate::api::served().into_iter().map(|(m, p)| (m.to_string(), p)).collect();
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let not_served: Vec<_> = documented.difference(&served).collect();
        assert!(undocumented.is_empty(), "served but not in docs/api/openapi.json: {undocumented:?}");
        assert!(not_served.is_empty(), "documented but not served: {not_served:?}");
        assert!(served.len() >= 20, "the routers were read: {served:?}");
    }
}
