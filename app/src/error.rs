//! The one error type of the server functions, and its translation into text.

use crate::i18n::Locale;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What can go wrong in a server function, in terms a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("no party chosen")]
    NoPartyChosen,
    #[error("not allowed")]
    NotAllowed,
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A rule refused the change; the code names a translation key.
    #[error("refused: {0}")]
    Refused(String),
    /// Details are in the server log under this request id; never shown.
    #[error("internal error (request {0})")]
    Internal(String),
    #[error("request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

impl AppError {
    /// The form field an [`AppError::Invalid`] is about: the name before its
    /// first `:` (`"national_id: …"`), or the whole detail when it is a name.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(detail) => {
                let f = detail.split(':').next().unwrap_or_default().trim();
                (!f.is_empty() && f.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')).then_some(f)
            }
            _ => None,
        }
    }

    /// The message shown to the person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::NotSignedIn => locale.t("error.not_signed_in").to_string(),
            Self::NoPartyChosen => locale.t("error.no_party").to_string(),
            Self::NotAllowed => locale.t("error.not_allowed").to_string(),
            Self::Invalid(detail) => match invalid_key(detail) {
                Some(key) => locale.t(key).to_string(),
                // The field's name is for the form; the person reads what is wrong.
                None => format!("{} {}", locale.t("error.invalid"), detail.split_once(": ").map_or(detail.as_str(), |(_, d)| d)),
            },
            Self::Refused(code) => {
                // `role.sod|payer|approver`: a code, then the values its message names.
                let mut parts = code.split('|');
                let mut text = locale.t(refusal_key(parts.next().unwrap_or_default())).to_string();
                for (i, value) in parts.enumerate() {
                    text = text.replace(&format!("{{{i}}}"), value);
                }
                text
            }
            Self::Internal(request_id) => format!("{} ({request_id})", locale.t("error.internal")),
            Self::Transport(_) => locale.t("error.transport").to_string(),
        }
    }
}

/// A readable message for an invalid field the person typed, where there is one.
fn invalid_key(detail: &str) -> Option<&'static str> {
    match detail.split(':').next() {
        Some("org_number") => Some("invalid.org_number"),
        Some("national_id") => Some("invalid.national_id"),
        Some("surname") => Some("invalid.surname"),
        Some("system_user") => Some("invalid.system_user"),
        Some("display_name") => Some("invalid.display_name"),
        Some("expires_on") => Some("invalid.date"),
        Some("code") => Some("invalid.role_code"),
        Some("name_nb") => Some("invalid.role_name"),
        Some("valid_to") => Some("invalid.valid_to"),
        Some("attestation_issuer") => Some("invalid.attestation_issuer"),
        Some("restricted_to") => Some("invalid.restricted_to"),
        Some("role_b") => Some("invalid.sod_same_role"),
        _ => None,
    }
}

/// The translation key of a refusal code (a closed list, so keys stay static).
pub fn refusal_key(code: &str) -> &'static str {
    match code {
        "grant.unknown_package" => "refused.unknown_package",
        "grant.not_assignable" => "refused.not_assignable",
        "grant.wrong_entity_type" => "refused.wrong_entity_type",
        "grant.may_not_pass_on" => "refused.may_not_pass_on",
        "grant.self" => "refused.self",
        "grant.to_party" => "refused.to_party",
        "grant.unknown_recipient" | "grant.no_such_person" => "refused.no_such_person",
        "grant.no_such_organisation" => "refused.no_such_organisation",
        "grant.foreign_system_user" => "refused.foreign_system_user",
        "grant.agent_system_user" => "refused.agent_system_user",
        "grant.no_package" => "refused.no_package",
        "grant.already" => "refused.already",
        "grant.unknown_grant" => "refused.unknown_grant",
        "role.code_taken" => "refused.role_code_taken",
        "role.unknown" => "refused.role_unknown",
        "role.not_available" => "refused.role_not_available",
        "role.unknown_package" => "refused.role_unknown_package",
        "role.unknown_resource" => "refused.role_unknown_resource",
        "role.unknown_party" => "refused.role_unknown_party",
        "role.self" => "refused.role_self",
        "role.cycle" => "refused.role_cycle",
        "role.sod" => "refused.role_sod",
        "role.exists" => "refused.role_exists",
        "role.unknown_assignment" => "refused.role_unknown_assignment",
        "client.bad_scope" => "refused.client_bad_scope",
        "client.restricted_scope" => "refused.client_restricted_scope",
        "client.unknown" => "refused.client_unknown",
        "client.key_private" => "refused.client_key_private",
        "client.key_unreadable" => "refused.client_key_unreadable",
        "client.key_unsupported" => "refused.client_key_unsupported",
        "client.key_too_short" => "refused.client_key_too_short",
        "client.key_kid" => "refused.client_key_kid",
        "client.kid_taken" => "refused.client_kid_taken",
        "client.unknown_key" => "refused.client_unknown_key",
        "client.expiry_past" => "refused.client_expiry_past",
        _ => "refused.other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_input_names_its_field() {
        assert_eq!(AppError::Invalid("national_id: too short".into()).field(), Some("national_id"));
        assert_eq!(AppError::Invalid("surname".into()).field(), Some("surname"));
        assert_eq!(AppError::Invalid("resources:id\tbad".into()).field(), Some("resources"));
        assert_eq!(AppError::Invalid("Not a field".into()).field(), None);
        assert_eq!(AppError::NotAllowed.field(), None);
    }

    #[test]
    fn refusals_name_the_values_they_are_about() {
        let e = AppError::Refused("role.sod|payer|approver".into());
        assert_eq!(e.message(Locale::En), "Segregation of duties: the roles payer and approver may not be held by one person for the same party.");
        assert!(e.message(Locale::Nb).contains("rollene payer og approver"));
        assert_eq!(AppError::Refused("role.self".into()).message(Locale::En), "You cannot assign a role to yourself.");
        assert_eq!(AppError::Refused("nonsense|x".into()).message(Locale::En), Locale::En.t("refused.other"));
    }
}
