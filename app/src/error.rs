//! The one error type of the server functions, and its translation into text.

use crate::i18n::Locale;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use domain::error::{FieldError, Refusal};

/// What can go wrong in a server function, in terms a person can act on:
/// the domain's [`domain::error::Failure`] as the browser receives it (an
/// internal error reduced to its request id), plus a request that never got
/// an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("no party chosen")]
    NoPartyChosen,
    #[error("not allowed")]
    NotAllowed,
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A rule refused the change; nothing changed.
    #[error("refused: {0}")]
    Refused(Refusal),
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

/// The one mapping of the domain's failures to what the browser receives.
#[cfg(feature = "ssr")]
impl From<domain::error::Failure> for AppError {
    fn from(f: domain::error::Failure) -> Self {
        use domain::error::Failure;
        match f {
            Failure::NotSignedIn => Self::NotSignedIn,
            Failure::NoPartyChosen => Self::NoPartyChosen,
            Failure::NotAllowed => Self::NotAllowed,
            Failure::Invalid(errors) => Self::Invalid(errors),
            Failure::Refused(r) => Self::Refused(r),
            Failure::Internal(cause) => crate::functions::ssr::internal(&cause),
        }
    }
}

/// Each area's error reaches the browser through [`domain::error::Failure`],
/// so server functions use `?`.
#[cfg(feature = "ssr")]
macro_rules! through_failure {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for AppError {
            fn from(e: $error) -> Self {
                domain::error::Failure::from(e).into()
            }
        })+
    };
}

#[cfg(feature = "ssr")]
through_failure!(
    domain::clients::ClientError,
    domain::grants::GrantError,
    domain::user_roles::RoleError,
    domain::resources::ResourceError,
    domain::tokens::service::ApiClientError,
    domain::audit_trail::AuditTrailError,
    domain::authorized_parties::ActingPartyError,
    domain::system_users::SystemUserError,
    domain::system_user_requests::RequestError,
    domain::guests::GuestError,
    domain::units::UnitError,
    sqlx::Error,
);

impl AppError {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The form field an [`AppError::Invalid`] is about (the first, when several are).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors.first().map(|e| e.field.as_str()).filter(|f| *f != "form"),
            _ => None,
        }
    }

    /// The message shown to the person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::NotSignedIn => locale.t("error.not_signed_in").to_string(),
            Self::NoPartyChosen => locale.t("error.no_party").to_string(),
            Self::NotAllowed => locale.t("error.not_allowed").to_string(),
            Self::Invalid(errors) => match errors.first() {
                Some(e) => match invalid_key(&e.field) {
                    Some(key) => locale.t(key).to_string(),
                    None if e.message.is_empty() => locale.t("error.invalid").to_string(),
                    None => format!("{} {}", locale.t("error.invalid"), e.message),
                },
                None => locale.t("error.invalid").to_string(),
            },
            Self::Refused(r) => refusal_text(locale, r),
            Self::Internal(request_id) => format!("{} ({request_id})", locale.t("error.internal")),
            Self::Transport(_) => locale.t("error.transport").to_string(),
        }
    }
}

/// A refusal's text in the reader's language, with the values it names.
pub fn refusal_text(locale: Locale, r: &Refusal) -> String {
    let mut text = locale.t(r.key()).to_string();
    for (i, value) in r.values().iter().enumerate() {
        text = text.replace(&format!("{{{i}}}"), value);
    }
    text
}

/// A readable message for an invalid field the person typed, where there is one.
fn invalid_key(field: &str) -> Option<&'static str> {
    match field {
        "org_number" | "client" => Some("invalid.org_number"),
        "packages" => Some("invalid.packages"),
        "national_id" => Some("invalid.national_id"),
        "surname" => Some("invalid.surname"),
        "system_user" => Some("invalid.system_user"),
        "display_name" => Some("invalid.display_name"),
        "expires_on" => Some("invalid.date"),
        "code" => Some("invalid.role_code"),
        "name_nb" => Some("invalid.role_name"),
        "valid_to" => Some("invalid.valid_to"),
        "attestation_issuer" => Some("invalid.attestation_issuer"),
        "restricted_to" => Some("invalid.restricted_to"),
        "role_b" => Some("invalid.sod_same_role"),
        "email" => Some("invalid.email"),
        "system.id" => Some("invalid.system_id"),
        f if f.starts_with("system.name") => Some("invalid.system_name"),
        f if f.starts_with("system.description") => Some("invalid.system_description"),
        "system.rights" => Some("invalid.system_rights"),
        "system.packages" => Some("invalid.system_packages"),
        "system.client_ids" => Some("invalid.system_client_ids"),
        "system.redirect_urls" => Some("invalid.system_redirect_urls"),
        "system.is_visible" => Some("invalid.system_visible"),
        "given_name" => Some("invalid.given_name"),
        "unit_code" => Some("invalid.unit_code"),
        "unit_name_nb" | "unit_name_nn" | "unit_name_en" => Some("invalid.unit_name"),
        "units" => Some("invalid.unit_import"),
        "mobile" => Some("invalid.mobile"),
        "start" => Some("invalid.guest_start"),
        "end" => Some("invalid.guest_end"),
        "unit" => Some("invalid.unit"),
        "sponsor" => Some("invalid.sponsor"),
        "reason" => Some("invalid.reason"),
        "one_time_code" => Some("invalid.one_time_code"),
        "terms" => Some("invalid.terms"),
        "max_days" | "invite_days_before" | "claim_link_days" | "code_attempts" | "retention_days" => Some("invalid.policy_number"),
        "notice_days" => Some("invalid.notice_days"),
        "username_prefix" => Some("invalid.username_prefix"),
        "text_nb" | "text_nn" | "text_en" => Some("invalid.terms_text"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_input_names_its_field() {
        assert_eq!(AppError::invalid("national_id", "too short").field(), Some("national_id"));
        assert_eq!(AppError::Invalid(vec![FieldError::parse("surname")]).field(), Some("surname"));
        assert_eq!(AppError::Invalid(vec![FieldError::parse("Not a field: at all")]).field(), None);
        assert_eq!(AppError::NotAllowed.field(), None);
        assert_eq!(AppError::invalid("national_id", "x").message(Locale::En), Locale::En.t("invalid.national_id"));
    }

    #[test]
    fn refusals_name_the_values_they_are_about() {
        let e = AppError::Refused(Refusal::SegregationOfDuties("payer".into(), "approver".into()));
        assert_eq!(e.message(Locale::En), "Segregation of duties: the roles payer and approver may not be held by one person for the same party.");
        assert!(e.message(Locale::Nb).contains("rollene payer og approver"));
        assert_eq!(AppError::Refused(Refusal::RoleSelfAssignment).message(Locale::En), "You cannot assign a role to yourself.");
    }

    #[test]
    fn every_refusal_has_a_text_in_every_language() {
        for code in Refusal::CODES {
            let r = Refusal::from_wire(&format!("{code}|a|b|c")).unwrap_or_else(|| panic!("{code}"));
            for locale in [Locale::Nb, Locale::Nn, Locale::En] {
                let text = refusal_text(locale, &r);
                assert_ne!(text, r.key(), "{code} has no text in {locale:?}");
                assert!(!text.contains("{0}") || r.values().is_empty(), "{code} in {locale:?} names its values: {text}");
            }
        }
    }

    #[test]
    fn a_refusal_crosses_to_the_browser_as_its_code_and_values() {
        let e = AppError::Refused(Refusal::ClientRestrictedScope("altinn:authorization/authorize".into()));
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"Refused":"client.restricted_scope|altinn:authorization/authorize"}"#);
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
}
