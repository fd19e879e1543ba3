//! Why a guest or sponsor use case refused, typed; converted once into the
//! domain's [`Failure`](crate::error::Failure).

/// A refused guest or sponsor use case.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    /// Neither a sponsor nor the help desk at the chosen institution.
    #[error("only the institution's sponsors and help desk register guests")]
    NotSponsor,
    /// Only the institution's access managers appoint sponsors.
    #[error("only the institution's access managers appoint sponsors")]
    NotAccessManager,
    /// The institution has no guest role, so nobody can sponsor a guest there.
    #[error("the institution has no guest role")]
    NoGuestRole,
    /// Fields that are wrong: each field and why.
    #[error("invalid: {}", .0.iter().map(|(f, w)| format!("{f}: {w}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(&'static str, String)>),
    /// The unit (its code) is the institution's, but not one the sponsor sponsors for.
    #[error("you are not a sponsor for unit {0}")]
    UnitNotYours(String),
    /// The help desk named a person who is not a sponsor for the unit.
    #[error("the person chosen is not a sponsor for the unit")]
    SponsorNotForUnit,
    /// The e-mail address belongs to another identity.
    #[error("the e-mail address belongs to another person")]
    EmailTaken,
    /// The mobile number belongs to another identity.
    #[error("the mobile number belongs to another person")]
    MobileTaken,
    /// The person has an account at the institution in force already.
    #[error("the person is registered as a guest already")]
    AlreadyRegistered,
    /// No guest account by that id that the actor may see.
    #[error("no such guest")]
    NotFound,
    /// The account has ended (or was never claimable): it cannot be changed so.
    #[error("the guest's account is not in force")]
    NotInForce,
    /// Only an active account can be suspended.
    #[error("only an active account can be suspended")]
    NotActive,
    /// Only a suspended account can be resumed.
    #[error("only a suspended account can be resumed")]
    NotSuspended,
    /// Only an account that ended (deactivated), within the retention
    /// period, can be reactivated.
    #[error("only an ended account, not yet deleted, can be reactivated")]
    NotEnded,
    /// The guest never claimed the account: it is registered anew instead.
    #[error("the guest never claimed the account; register the guest again")]
    NeverClaimed,
    /// The person holds the sponsorship already.
    #[error("the person is a sponsor there already")]
    AlreadySponsor,
    /// No sponsorship in force by that id.
    #[error("no such sponsor")]
    SponsorNotFound,
    /// The claim link is unknown, used, replaced, expired, or its account is no longer invited.
    #[error("the link is not valid (used, replaced or expired)")]
    LinkNotValid,
    /// The guest has a national identity number: they claim by logging in.
    #[error("log in to claim this account")]
    LoginRequired,
    /// The signed-in person is not the guest the account is for.
    #[error("the account is for another person")]
    WrongPerson,
    /// Too many wrong one-time codes: the link is dead.
    #[error("too many wrong codes; ask the sponsor for a new invitation")]
    TooManyAttempts,
    /// Too many wrong login codes: that code has ended; the guest asks for a new one.
    #[error("too many wrong codes; ask for a new code")]
    LoginCodeEnded,
    /// No person with that national identity number and surname.
    #[error("no person with that national identity number and surname")]
    NoSuchPerson,
    #[error(transparent)]
    Store(#[from] crate::audit::UnitOfWorkError),
}

impl GuestError {
    /// The store failed: no refusal, nothing to audit.
    pub fn is_store(&self) -> bool {
        matches!(self, Self::Store(_))
    }

    pub(crate) fn invalid(field: &'static str, why: impl Into<String>) -> Self {
        Self::Invalid(vec![(field, why.into())])
    }
}

impl From<sqlx::Error> for GuestError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<GuestError> for crate::error::Failure {
    fn from(e: GuestError) -> Self {
        use crate::error::{Failure, FieldError, Refusal};
        match e {
            GuestError::NotSponsor | GuestError::NotAccessManager => Failure::NotAllowed,
            GuestError::NoGuestRole => Failure::Refused(Refusal::GuestNoGuestRole),
            GuestError::Invalid(fields) => Failure::Invalid(fields.into_iter().map(|(f, w)| FieldError::new(f, w)).collect()),
            GuestError::UnitNotYours(unit) => Failure::Refused(Refusal::GuestUnitNotYours(unit)),
            GuestError::SponsorNotForUnit => Failure::Refused(Refusal::GuestSponsorNotForUnit),
            GuestError::EmailTaken => Failure::Refused(Refusal::GuestEmailTaken),
            GuestError::MobileTaken => Failure::Refused(Refusal::GuestMobileTaken),
            GuestError::AlreadyRegistered => Failure::Refused(Refusal::GuestAlreadyRegistered),
            GuestError::NotFound => Failure::Refused(Refusal::GuestNotFound),
            GuestError::NotInForce => Failure::Refused(Refusal::GuestNotInForce),
            GuestError::NotActive => Failure::Refused(Refusal::GuestNotActive),
            GuestError::NotSuspended => Failure::Refused(Refusal::GuestNotSuspended),
            GuestError::NotEnded => Failure::Refused(Refusal::GuestNotEnded),
            GuestError::NeverClaimed => Failure::Refused(Refusal::GuestNeverClaimed),
            GuestError::AlreadySponsor => Failure::Refused(Refusal::AlreadySponsor),
            GuestError::SponsorNotFound => Failure::Refused(Refusal::SponsorNotFound),
            GuestError::NoSuchPerson => Failure::Refused(Refusal::NoSuchPerson),
            GuestError::LinkNotValid => Failure::Refused(Refusal::GuestLinkNotValid),
            GuestError::LoginRequired => Failure::Refused(Refusal::GuestLoginRequired),
            GuestError::WrongPerson => Failure::Refused(Refusal::GuestWrongPerson),
            GuestError::TooManyAttempts => Failure::Refused(Refusal::GuestTooManyAttempts),
            GuestError::LoginCodeEnded => Failure::Refused(Refusal::GuestLoginCodeEnded),
            GuestError::Store(e) => e.into(),
        }
    }
}
