//! Why a use case did not do what was asked: typed, and shared with the
//! browser build (this module needs no database, so it compiles to
//! WebAssembly with the crate's `server` feature off).
//!
//! Each area's error (`GrantError`, `RoleError`, …) converts into a
//! [`Failure`] once, here in the domain; the edges map a `Failure` once each:
//! the REST APIs to problem details, the UI to translated text. A refusal is a
//! [`Refusal`] variant, never a string, so a misspelt code cannot compile.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a form or request body, and what is wrong with it (in English,
/// for logs and APIs; the UI shows its own translated text per field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// `"field: what is wrong"` as the use cases write a single field's
    /// problem; a text that does not start with a field name is about the
    /// form as a whole (`form`).
    pub fn parse(text: &str) -> Self {
        match text.split_once(':') {
            Some((field, message)) if is_field_name(field.trim()) => Self::new(field.trim(), message.trim()),
            _ if is_field_name(text.trim()) => Self::new(text.trim(), ""),
            _ => Self::new("form", text.trim()),
        }
    }
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '[' | ']'))
}

/// Why a use case did not do what was asked, as the edges see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Failure {
    #[error("not signed in")]
    NotSignedIn,
    #[error("no party chosen")]
    NoPartyChosen,
    /// The actor may not do this (decided by `authz`).
    #[error("not allowed")]
    NotAllowed,
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A rule refused it; nothing changed.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// Something broke; the cause is for the log, never for the person.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Failure {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// A short stable code for the failure: a refusal as
    /// [`Refusal::to_wire`] writes it (its code and values), else the kind
    /// (`not_allowed`, `invalid`, `internal`, …), as a job records why an
    /// item failed.
    pub fn refusal_code(&self) -> String {
        match self {
            Self::Refused(r) => r.to_wire(),
            Self::NotSignedIn => "not_signed_in".into(),
            Self::NoPartyChosen => "no_party_chosen".into(),
            Self::NotAllowed => "not_allowed".into(),
            Self::Invalid(_) => "invalid".into(),
            Self::Internal(_) => "internal".into(),
        }
    }
}

#[cfg(feature = "server")]
impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

#[cfg(feature = "server")]
impl From<crate::audit::UnitOfWorkError> for Failure {
    fn from(e: crate::audit::UnitOfWorkError) -> Self {
        Self::Internal(e.to_string())
    }
}

#[cfg(feature = "server")]
impl From<crate::authz::Denied> for Failure {
    fn from(_: crate::authz::Denied) -> Self {
        Self::NotAllowed
    }
}

macro_rules! refusals {
    ($( $(#[$doc:meta])* $variant:ident $( ( $($value:ident),+ ) )? => $code:literal, $key:literal; )+) => {
        /// A rule refused the change. `code` is the stable identifier (the
        /// problem type of the APIs), `key` its translation.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum Refusal {
            $( $(#[$doc])* #[error("{}", $code)] $variant $( ( $( refusal_field!($value) ),+ ) )?, )+
        }

        impl Refusal {
            /// Every code, for tests and for tables that name codes.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            pub fn code(&self) -> &'static str {
                match self { $( Self::$variant $( ( $( refusal_ignore!($value) ),+ ) )? => $code, )+ }
            }

            /// The translation key of the refusal's text.
            pub fn key(&self) -> &'static str {
                match self { $( Self::$variant $( ( $( refusal_ignore!($value) ),+ ) )? => $key, )+ }
            }

            /// The values the text names, in order (`{0}`, `{1}`, …).
            pub fn values(&self) -> Vec<String> {
                match self { $( Self::$variant $( ( $($value),+ ) )? => vec![ $( $( refusal_value!($value, $value) ),+ )? ], )+ }
            }

            fn from_parts(code: &str, values: &[&str]) -> Option<Self> {
                #[allow(unused_mut, unused_variables)]
                let mut next = values.iter().map(|v| v.to_string());
                Some(match code {
                    $( $code => Self::$variant $( ( $( refusal_parse!($value, next) ),+ ) )?, )+
                    _ => return None,
                })
            }
        }
    };
}

macro_rules! refusal_field {
    (path) => { Vec<String> };
    ($other:ident) => { String };
}
macro_rules! refusal_ignore {
    ($v:ident) => {
        _
    };
}
macro_rules! refusal_value {
    (path, $v:ident) => {
        $v.join(" → ")
    };
    ($other:ident, $v:ident) => {
        $v.clone()
    };
}
macro_rules! refusal_parse {
    (path, $next:ident) => {
        $next.next()?.split(" → ").map(str::to_string).collect()
    };
    ($v:ident, $next:ident) => {
        $next.next()?
    };
}

refusals! {
    // Grants. (The package is named by the outcome it belongs to.)
    NoPackage => "grant.no_package", "refused.no_package";
    NoSuchPerson => "grant.no_such_person", "refused.no_such_person";
    NoSuchOrganisation => "grant.no_such_organisation", "refused.no_such_organisation";
    UnknownPackage => "grant.unknown_package", "refused.unknown_package";
    NotAssignable => "grant.not_assignable", "refused.not_assignable";
    WrongEntityType => "grant.wrong_entity_type", "refused.wrong_entity_type";
    MayNotPassOn => "grant.may_not_pass_on", "refused.may_not_pass_on";
    SelfAssignment => "grant.self", "refused.self";
    RecipientIsParty => "grant.to_party", "refused.to_party";
    UnknownRecipient => "grant.unknown_recipient", "refused.no_such_person";
    ForeignSystemUser => "grant.foreign_system_user", "refused.foreign_system_user";
    AgentSystemUser => "grant.agent_system_user", "refused.agent_system_user";
    AlreadyGranted => "grant.already", "refused.already";
    UnknownGrant => "grant.unknown_grant", "refused.unknown_grant";
    // User roles.
    RoleCodeTaken(code) => "role.code_taken", "refused.role_code_taken";
    UnknownRole(code) => "role.unknown", "refused.role_unknown";
    RoleNotAvailable(code) => "role.not_available", "refused.role_not_available";
    RoleUnknownPackage(code) => "role.unknown_package", "refused.role_unknown_package";
    RoleUnknownResource(id) => "role.unknown_resource", "refused.role_unknown_resource";
    RoleUnknownParty => "role.unknown_party", "refused.role_unknown_party";
    RoleSelfAssignment => "role.self", "refused.role_self";
    /// The roles in the cycle, in order.
    InheritanceCycle(path) => "role.cycle", "refused.role_cycle";
    SegregationOfDuties(role_a, role_b) => "role.sod", "refused.role_sod";
    RoleRuleExists => "role.exists", "refused.role_exists";
    UnknownAssignment => "role.unknown_assignment", "refused.role_unknown_assignment";
    // API clients.
    ClientBadScope(scope) => "client.bad_scope", "refused.client_bad_scope";
    ClientRestrictedScope(scope) => "client.restricted_scope", "refused.client_restricted_scope";
    UnknownClient => "client.unknown", "refused.client_unknown";
    KeyPrivate => "client.key_private", "refused.client_key_private";
    KeyUnreadable => "client.key_unreadable", "refused.client_key_unreadable";
    KeyUnsupported => "client.key_unsupported", "refused.client_key_unsupported";
    KeyTooShort => "client.key_too_short", "refused.client_key_too_short";
    KeyKidMismatch => "client.key_kid", "refused.client_key_kid";
    KidTaken(kid) => "client.kid_taken", "refused.client_kid_taken";
    UnknownKey(kid) => "client.unknown_key", "refused.client_unknown_key";
    KeyExpiryPast => "client.expiry_past", "refused.client_expiry_past";
    // Resources.
    ResourceOwnedByAnother => "resources.refused.owned_by_another", "resources.refused.owned_by_another";
    ResourceNotFound => "resources.refused.not_found", "resources.refused.not_found";
    ResourceExists => "resources.refused.already_exists", "resources.refused.already_exists";
    SystemResource => "resources.refused.system", "resources.refused.system";
    ResourceInUse => "resources.refused.in_use", "resources.refused.in_use";
    NotAnOrganisation => "resources.refused.not_an_organisation", "resources.refused.not_an_organisation";
    // The system register.
    SystemNotFound => "system.not_found", "refused.system_not_found";
    SystemDeleted => "system.deleted", "refused.system_deleted";
    // System-user requests.
    RequestNotFound => "request.not_found", "refused.request_not_found";
    RequestSystemUserExists => "request.system_user_exists", "refused.request_system_user_exists";
    RequestInvalid => "request.invalid", "refused.request_invalid";
    RequestAccepted => "request.accepted", "refused.request_accepted";
    RequestRejected => "request.rejected", "refused.request_rejected";
    RequestTimedOut => "request.timed_out", "refused.request_timed_out";
    /// The packages and the rights the approver may not pass on.
    RequestNotDelegable(packages, rights) => "request.not_delegable", "refused.request_not_delegable";
    RequestForwarded => "request.forwarded", "refused.request_forwarded";
    /// The waiting request's id.
    RequestPending(id) => "request.pending", "refused.request_pending";
    // Notices.
    UnknownAddress => "notification.unknown_address", "refused.unknown_address";
    // System users.
    SystemUserNotFound => "system_user.not_found", "refused.system_user_not_found";
    // Client administration.
    AgentNotFound => "client_admin.agent_not_found", "refused.agent_not_found";
    NotAnAgent => "client_admin.not_an_agent", "refused.not_an_agent";
    ClientNotFound => "client_admin.client_not_found", "refused.client_not_found";
    /// The packages the client does not give the firm, by code.
    ClientMissingPackages(packages) => "client_admin.missing_packages", "refused.client_missing_packages";
    ClientAlreadyAttached => "client_admin.already_attached", "refused.client_already_attached";
    ClientAlreadyGiven => "client_admin.already_given", "refused.client_already_given";
    /// The packages, by code.
    ClientNotPassable(packages) => "client_admin.not_passable", "refused.client_not_passable";
    ClientPersonNotGiven => "client_admin.person_not_given", "refused.client_person_not_given";
    ClientNotOfTheFirm => "client_admin.not_of_the_firm", "refused.client_not_of_the_firm";
    ClientNotAttached => "client_admin.not_attached", "refused.client_not_attached";
    ClientJobRunning => "client_admin.job_running", "refused.client_job_running";
    ClientJobNotFound => "client_admin.job_not_found", "refused.client_job_not_found";
    // Organisational units.
    /// The unit's code, then the field that is wrong (`code`, `name_nb`, …).
    UnitInvalid(unit, field) => "org_unit.invalid", "refused.unit_invalid";
    /// The unit's code and the parent's.
    UnitParentNotFound(unit, parent) => "org_unit.parent_not_found", "refused.unit_parent_not_found";
    UnitCycle(unit) => "org_unit.cycle", "refused.unit_cycle";
    /// The line of the import.
    UnitImportLine(line) => "org_unit.import_line", "refused.unit_import_line";
    // Sponsors and guests.
    GuestNoGuestRole => "guest.no_guest_role", "refused.guest_no_guest_role";
    /// The unit's code.
    GuestUnitNotYours(unit) => "guest.unit_not_yours", "refused.guest_unit_not_yours";
    GuestSponsorNotForUnit => "guest.sponsor_not_for_unit", "refused.guest_sponsor_not_for_unit";
    GuestEmailTaken => "guest.email_taken", "refused.guest_email_taken";
    GuestMobileTaken => "guest.mobile_taken", "refused.guest_mobile_taken";
    GuestAlreadyRegistered => "guest.already_registered", "refused.guest_already_registered";
    GuestNotFound => "guest.not_found", "refused.guest_not_found";
    GuestNotInForce => "guest.not_in_force", "refused.guest_not_in_force";
    GuestNotActive => "guest.not_active", "refused.guest_not_active";
    GuestNotSuspended => "guest.not_suspended", "refused.guest_not_suspended";
    GuestNotEnded => "guest.not_ended", "refused.guest_not_ended";
    GuestNeverClaimed => "guest.never_claimed", "refused.guest_never_claimed";
    GuestLinkNotValid => "guest.link_not_valid", "refused.guest_link_not_valid";
    GuestLoginRequired => "guest.login_required", "refused.guest_login_required";
    GuestWrongPerson => "guest.wrong_person", "refused.guest_wrong_person";
    GuestTooManyAttempts => "guest.too_many_attempts", "refused.guest_too_many_attempts";
    GuestLoginCodeEnded => "guest.login_code_ended", "refused.guest_login_code_ended";
    AlreadySponsor => "sponsor.already", "refused.already_sponsor";
    SponsorNotFound => "sponsor.not_found", "refused.sponsor_not_found";
}

impl Refusal {
    /// The refusal as it crosses to the browser: its code, then its values,
    /// separated by `|` (`role.sod|payer|approver`).
    pub fn to_wire(&self) -> String {
        std::iter::once(self.code().to_string()).chain(self.values().into_iter().map(|v| v.replace('|', "/"))).collect::<Vec<_>>().join("|")
    }

    /// The refusal [`Refusal::to_wire`] wrote; `None` for an unknown code or
    /// missing values.
    pub fn from_wire(s: &str) -> Option<Self> {
        let mut parts = s.split('|');
        let code = parts.next()?;
        let values: Vec<&str> = parts.collect();
        Self::from_parts(code, &values)
    }
}

impl Serialize for Refusal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for Refusal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::from_wire(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown refusal {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_code_and_survives_the_wire() {
        let mut codes = Refusal::CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Refusal::CODES.len(), "codes are unique");
        for code in Refusal::CODES {
            let values = ["a", "b", "c"];
            let r = Refusal::from_parts(code, &values).unwrap_or_else(|| panic!("{code} builds"));
            assert_eq!(r.code(), *code);
            assert_eq!(Refusal::from_wire(&r.to_wire()), Some(r.clone()), "{code}");
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(serde_json::from_str::<Refusal>(&json).unwrap(), r);
        }
    }

    #[test]
    fn refusals_carry_the_values_their_text_names() {
        let r = Refusal::SegregationOfDuties("payer".into(), "approver".into());
        assert_eq!(r.to_wire(), "role.sod|payer|approver");
        assert_eq!(r.values(), ["payer", "approver"]);
        let cycle = Refusal::InheritanceCycle(vec!["a".into(), "b".into(), "a".into()]);
        assert_eq!(cycle.to_wire(), "role.cycle|a → b → a");
        assert_eq!(Refusal::from_wire("role.cycle|a → b → a"), Some(cycle));
        assert_eq!(Refusal::from_wire("role.sod|payer"), None, "a value is missing");
        assert_eq!(Refusal::from_wire("grant.nonsense"), None);
        assert!(serde_json::from_str::<Refusal>("\"grant.nonsense\"").is_err());
    }

    #[test]
    fn a_field_error_is_read_from_the_use_cases_text() {
        assert_eq!(FieldError::parse("national_id: too short"), FieldError::new("national_id", "too short"));
        assert_eq!(FieldError::parse("surname"), FieldError::new("surname", ""));
        assert_eq!(FieldError::parse("Not a field: at all"), FieldError::new("form", "Not a field: at all"));
        assert_eq!(Failure::invalid("kind", "x"), Failure::Invalid(vec![FieldError::new("kind", "x")]));
    }
}
