//! RFC 7807 problem details: the one shape of every API error.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem with a stable machine-readable `code`.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip)]
    pub retry_after: Option<u64>,
    /// Per-field errors (`{"field", "message"}`), for input a form can show next to its fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<serde_json::Value>,
    /// Altinn's validation errors (`{"code", "detail", "paths"}`), for the
    /// APIs that keep Altinn's shape.
    #[serde(rename = "validationErrors", skip_serializing_if = "Option::is_none")]
    pub validation_errors: Option<serde_json::Value>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str) -> Self {
        Self {
            kind: format!("https://fullmakt.example/problems/{code}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: None,
            code: code.to_string(),
            instance: None,
            retry_after: None,
            errors: None,
            validation_errors: None,
        }
    }

    /// Adds per-field errors.
    pub fn errors(mut self, errors: serde_json::Value) -> Self {
        self.errors = Some(errors);
        self
    }

    /// Adds Altinn's validation errors.
    pub fn validation_errors(mut self, errors: serde_json::Value) -> Self {
        self.validation_errors = Some(errors);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// An internal error: logged with the request id, shown without details.
    pub fn internal(request_id: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(request_id, %error, "internal error");
        let mut p = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error");
        p.instance = Some(format!("urn:fullmakt:request:{request_id}"));
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = retry {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}
