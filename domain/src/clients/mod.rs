//! Client administration: an accounting, auditing or business-manager firm
//! attaches its clients to its agent system users.
//!
//! A client is a party that gives the firm packages, because the register
//! says the firm is its accountant, auditor or business manager (REGN, REVI,
//! FFØR, with the role's organisation-form condition), or because the client
//! granted the firm packages directly. A client is *offered* for an agent
//! system user when it gives the firm every package that system user
//! requires; attaching it records a client delegation, which the decision
//! engine turns into those packages for the system user on behalf of the
//! client, for as long as the client gives them (see [`cascade`]).
//!
//! A firm can pass a client's packages on to a person as well ([`persons`]),
//! by the same rules and with the same cascades.
//!
//! The client's own side, which firms act for it and how, is
//! [`relationships`], for the client's access managers.
//!
//! Every use case of the firm's side is for the firm's client administrators (the package
//! `klientadministrator`, or the main administrator), decided by the engine
//! on the system resource `fullmakt_client_administration`.

pub mod bulk;
pub mod cascade;
pub mod model;
pub mod persons;
pub mod relationships;
mod service;
pub mod store;

pub use model::{After, Agent, BulkFailure, BulkJob, ClientPage, ClientRow, Given, Need, PackageName, Requirement, Show, Via};
pub use service::{agent, agents, attach, clients, detach, Attached, PAGE_SIZE};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("you are not a client administrator of this organisation")]
    NotClientAdministrator,
    /// The client's side is for the client's access managers.
    #[error("only the organisation's access managers see who acts for it")]
    NotAccessManager,
    /// No agent system user of the firm by that id.
    #[error("no such agent system user")]
    AgentNotFound,
    /// The system user is the firm's, but a standard one: clients attach to agents only.
    #[error("the system user is not an agent system user")]
    NotAnAgent,
    /// The party is not a client of the firm at all (another firm's, say).
    #[error("not a client of this organisation")]
    ClientNotFound,
    /// The client does not give the firm every package the agent requires.
    #[error("the client does not give the organisation every package the system user requires; missing: {}", .0.join(", "))]
    MissingPackages(Vec<String>),
    /// A field of the request is malformed (the field, then why).
    #[error("{field}: {why}", field = .0, why = .1)]
    Invalid(&'static str, String),
    /// No person with that national identity number and surname.
    #[error("no person with that national identity number and surname")]
    NoSuchPerson,
    /// The person holds no role and no access for the firm: a client's
    /// packages go only to the firm's own people.
    #[error("the person holds no role or access for this organisation; give them a role or an access package first")]
    NotOfTheFirm,
    /// Packages (codes) the client does not give the firm, or that may not
    /// be passed on to agents.
    #[error("the client does not give the organisation these packages to pass on: {}", .0.join(", "))]
    NotPassable(Vec<String>),
    /// No client delegation to a person of the firm in force by that id.
    #[error("no such client delegation to a person (perhaps removed already)")]
    PersonDelegationNotFound,
    /// The person holds every chosen package for the client already.
    #[error("the person has these packages for the client already")]
    AlreadyGiven,
    #[error("the client is attached already")]
    AlreadyAttached,
    #[error("the client is not attached")]
    NotAttached,
    /// An "add all" job is running for the system user already.
    #[error("clients are being added already")]
    JobRunning,
    #[error("no such job")]
    JobNotFound,
    #[error(transparent)]
    Store(#[from] crate::audit::UnitOfWorkError),
}

impl From<sqlx::Error> for ClientError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<ClientError> for crate::error::Failure {
    fn from(e: ClientError) -> Self {
        use crate::error::{Failure, Refusal};
        match e {
            ClientError::NotClientAdministrator | ClientError::NotAccessManager => Failure::NotAllowed,
            ClientError::AgentNotFound => Failure::Refused(Refusal::AgentNotFound),
            ClientError::NotAnAgent => Failure::Refused(Refusal::NotAnAgent),
            ClientError::ClientNotFound => Failure::Refused(Refusal::ClientNotFound),
            ClientError::MissingPackages(p) => Failure::Refused(Refusal::ClientMissingPackages(p.join(", "))),
            ClientError::AlreadyAttached => Failure::Refused(Refusal::ClientAlreadyAttached),
            ClientError::Invalid(field, why) => Failure::invalid(field, why),
            ClientError::NotPassable(p) => Failure::Refused(Refusal::ClientNotPassable(p.join(", "))),
            ClientError::PersonDelegationNotFound => Failure::Refused(Refusal::ClientPersonNotGiven),
            ClientError::NoSuchPerson => Failure::Refused(Refusal::NoSuchPerson),
            ClientError::NotOfTheFirm => Failure::Refused(Refusal::ClientNotOfTheFirm),
            ClientError::AlreadyGiven => Failure::Refused(Refusal::ClientAlreadyGiven),
            ClientError::NotAttached => Failure::Refused(Refusal::ClientNotAttached),
            ClientError::JobRunning => Failure::Refused(Refusal::ClientJobRunning),
            ClientError::JobNotFound => Failure::Refused(Refusal::ClientJobNotFound),
            ClientError::Store(e) => e.into(),
        }
    }
}
