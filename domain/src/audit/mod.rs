//! The audit trail: an append-only record of every state change.
//!
//! State changes go through [`UnitOfWork`], which cannot be committed unless an
//! audit record was written in the same transaction; so a change without a
//! record of it cannot reach the database.

mod store;
mod unit_of_work;

pub use store::{list_for_party, AuditFilter, AuditRecord};
pub use unit_of_work::{record, UnitOfWork, UnitOfWorkError};

use crate::parties::PartyId;
use serde::{Deserialize, Serialize};

/// Who did it, on behalf of whom, in which request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The person (or system) that acted; `None` for the system itself (imports, jobs).
    pub party: Option<PartyId>,
    /// A readable label: a person's name, `system`, or the command that ran.
    pub label: String,
    /// The party acted for.
    pub on_behalf_of: Option<PartyId>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system(label: impl Into<String>) -> Self {
        Self { party: None, label: label.into(), on_behalf_of: None, request_id: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Refused,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

/// One thing that happened. `details` must never hold tokens, secrets or codes;
/// [`AuditEvent::new`] strips keys that look like they do.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub action: String,
    pub target: String,
    pub outcome: Outcome,
    pub details: serde_json::Value,
}

const SECRET_KEYS: [&str; 8] = ["token", "secret", "code", "password", "assertion", "verifier", "nonce", "cookie"];

impl AuditEvent {
    pub fn new(action: impl Into<String>, target: impl Into<String>, outcome: Outcome, details: serde_json::Value) -> Self {
        Self { action: action.into(), target: target.into(), outcome, details: redact(details) }
    }
}

/// Removes every object member whose key names a secret, at any depth.
fn redact(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(k, _)| {
                    let k = k.to_lowercase();
                    !SECRET_KEYS.iter().any(|s| k.contains(s))
                })
                .map(|(k, v)| (k, redact(v)))
                .collect(),
        ),
        serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_details() {
        let e = AuditEvent::new(
            "login",
            "x",
            Outcome::Success,
            serde_json::json!({"acr": "high", "id_token": "eyJ", "nested": {"client_secret": "s", "sid": "1"}, "list": [{"Code": "c"}]}),
        );
        assert_eq!(e.details, serde_json::json!({"acr": "high", "nested": {"sid": "1"}, "list": [{}]}));
    }
}
