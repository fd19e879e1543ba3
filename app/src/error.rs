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
    /// The message shown to the person, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Self::NotSignedIn => locale.t("error.not_signed_in").to_string(),
            Self::NoPartyChosen => locale.t("error.no_party").to_string(),
            Self::NotAllowed => locale.t("error.not_allowed").to_string(),
            Self::Invalid(detail) => format!("{} {detail}", locale.t("error.invalid")),
            Self::Refused(code) => locale.t(refusal_key(code)).to_string(),
            Self::Internal(request_id) => format!("{} ({request_id})", locale.t("error.internal")),
            Self::Transport(_) => locale.t("error.transport").to_string(),
        }
    }
}

/// The translation key of a refusal code (a closed list, so keys stay static).
fn refusal_key(code: &str) -> &'static str {
    match code {
        "grant.unknown_package" => "refused.unknown_package",
        "grant.not_assignable" => "refused.not_assignable",
        "grant.wrong_entity_type" => "refused.wrong_entity_type",
        "grant.may_not_pass_on" => "refused.may_not_pass_on",
        "grant.self" => "refused.self",
        "grant.unknown_recipient" | "grant.no_such_person" => "refused.no_such_person",
        "grant.already" => "refused.already",
        "grant.unknown_grant" => "refused.unknown_grant",
        _ => "refused.other",
    }
}
