//! Authorization: the one place that answers "may this actor do this action
//! on this part of Fullmakt for this party?".
//!
//! Fullmakt authorizes itself the way it authorizes everyone else: through
//! the decision engine, on system resources that access packages and roles
//! give rights to (`fullmakt_access_management` for managing who may do what
//! for a party, `fullmakt_client_administration` for a firm's clients). Every
//! use case asks here, reads included, so no adapter decides a right.

use crate::context::{Context, Who};
use crate::decisions::{decide, DecisionRequest, Env, Outcome, Snapshot, SubjectRef};
use crate::parties::PartyId;

/// What an actor may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
}

impl Action {
    /// The action's id in policies.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// The parts of Fullmakt rights are given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemResource {
    /// Who may do what for the party: grants, user roles, system users, API
    /// clients, the party's own resources. Given by the access manager
    /// package (`tilgangsstyrer`) and the main administrator.
    AccessManagement,
    /// An accounting, auditing or business-manager firm's clients.
    ClientAdministration,
    /// The party's API clients and their keys. Decided as access management
    /// for a person; an API client calling with the admin scope manages its
    /// own organisation's.
    ApiClients,
    /// The party's audit trail: its access managers read it, and a person
    /// reads their own.
    AuditTrail,
    /// The systems a vendor organisation has in the system register. Decided
    /// as access management for a person; a vendor's API client needs the
    /// scope `altinn:authentication/systemregister.write` and writes its own
    /// organisation's, or `….admin` and writes any.
    SystemRegister,
    /// The system-user requests a vendor has sent for its systems. Decided as
    /// access management for a person; a vendor's API client needs
    /// `altinn:authentication/systemuser.request.write` to send and withdraw
    /// them and `….read` (or write) to read them, for its own organisation.
    SystemUserRequests,
    /// Looking up any party's system user by client, vendor, owner and
    /// reference, as a token service does (Altinn's
    /// `systemuser/byExternalId`). Only for an API client with
    /// `altinn:maskinporten/systemuser.read`; never for a person.
    SystemUserLookup,
}

impl SystemResource {
    /// The resource's id in the resource registry, for those decided by the engine.
    pub const fn id(self) -> &'static str {
        match self {
            Self::AccessManagement | Self::AuditTrail | Self::ApiClients | Self::SystemRegister | Self::SystemUserRequests | Self::SystemUserLookup => {
                ACCESS_MANAGEMENT
            }
            Self::ClientAdministration => CLIENT_ADMINISTRATION,
        }
    }
}

/// The system resource of access management, as the resource registry names it.
pub const ACCESS_MANAGEMENT: &str = "fullmakt_access_management";
/// The system resource of client administration.
pub const CLIENT_ADMINISTRATION: &str = "fullmakt_client_administration";

/// What an API client's token lets it do in Fullmakt's own APIs: the scopes
/// the token carries that its client still holds, as far as authorization
/// needs to know them. A set of flags, so [`Who`] stays `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub const NONE: Self = Self(0);
    /// Manage the organisation's API clients (`fullmakt:api_clients.admin`).
    pub const API_CLIENTS_ADMIN: Self = Self(1);
    /// Register and change the organisation's own systems.
    pub const SYSTEM_REGISTER_WRITE: Self = Self(2);
    /// Change any vendor's systems (the operator's scope).
    pub const SYSTEM_REGISTER_ADMIN: Self = Self(4);
    /// Ask customers for system users and withdraw the requests.
    pub const REQUEST_WRITE: Self = Self(8);
    /// Read the requests and system users of the organisation's systems.
    pub const REQUEST_READ: Self = Self(16);
    /// Look up any party's system user, as a token service does.
    pub const SYSTEM_USER_LOOKUP: Self = Self(32);

    /// Each flag and the scope that gives it (Altinn's names where Altinn has the API).
    pub const NAMES: [(Self, &'static str); 7] = [
        (Self::API_CLIENTS_ADMIN, "fullmakt:api_clients.admin"),
        // The API-client scope's first, deprecated name.
        (Self::API_CLIENTS_ADMIN, "fullmakt:clients.admin"),
        (Self::SYSTEM_REGISTER_WRITE, "altinn:authentication/systemregister.write"),
        (Self::SYSTEM_REGISTER_ADMIN, "altinn:authentication/systemregister.admin"),
        (Self::REQUEST_WRITE, "altinn:authentication/systemuser.request.write"),
        (Self::REQUEST_READ, "altinn:authentication/systemuser.request.read"),
        (Self::SYSTEM_USER_LOOKUP, "altinn:maskinporten/systemuser.read"),
    ];

    /// The flags the named scopes give; other scopes give none.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        names.into_iter().fold(Self::NONE, |acc, name| Self::NAMES.iter().filter(|(_, n)| *n == name).fold(acc, |a, (f, _)| a.with(*f)))
    }

    /// The scope's name, as a token carries it.
    pub fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(f, _)| *f == self).map_or("", |(_, n)| n)
    }

    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The flags both hold.
    pub const fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub const fn contains(self, other: Self) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }
}

/// The actor may not do what they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("you may not do this for this party")]
pub struct Denied;

/// Whether the engine lets `person` do `action` on `resource` for `party`.
/// Everyone may read their own audit trail.
pub fn permits(snapshot: &Snapshot, person: PartyId, action: Action, resource: SystemResource, party: PartyId) -> bool {
    if resource == SystemResource::AuditTrail && action == Action::Read && person == party {
        return true;
    }
    engine_permits(snapshot, SubjectRef::Party(person.0), action, resource, party)
}

/// The one question to the engine for every subject, a person or a system
/// user (which may administer its owner's clients when it holds the
/// client-administrator package for the owner, say).
fn engine_permits(snapshot: &Snapshot, subject: SubjectRef, action: Action, resource: SystemResource, party: PartyId) -> bool {
    let request = DecisionRequest { subject, action: action.id(), resource: resource.id(), party: party.0, env: Env::now() };
    decide(snapshot, &request).outcome == Outcome::Permit
}

/// What an API client may do with its token's scopes: manage its own
/// organisation's API clients and systems, send and read its system-user
/// requests; with the register's admin scope, change any vendor's systems.
fn api_client_may(owner: PartyId, scopes: Scopes, action: Action, resource: SystemResource, party: PartyId) -> bool {
    let own = owner == party;
    match resource {
        SystemResource::ApiClients => own && scopes.contains(Scopes::API_CLIENTS_ADMIN),
        SystemResource::SystemRegister => scopes.contains(Scopes::SYSTEM_REGISTER_ADMIN) || own && scopes.contains(Scopes::SYSTEM_REGISTER_WRITE),
        SystemResource::SystemUserRequests => {
            own && (scopes.contains(Scopes::REQUEST_WRITE) || action == Action::Read && scopes.contains(Scopes::REQUEST_READ))
        }
        SystemResource::SystemUserLookup => action == Action::Read && scopes.contains(Scopes::SYSTEM_USER_LOOKUP),
        SystemResource::AccessManagement | SystemResource::ClientAdministration | SystemResource::AuditTrail => false,
    }
}

impl Context {
    /// Whether the actor may do `action` on `resource` for `party`. The
    /// installation itself (a command or a job) may do anything; an API client
    /// only manage its own organisation's API clients.
    pub fn may(&self, action: Action, resource: SystemResource, party: PartyId) -> bool {
        match self.who() {
            Who::Installation => true,
            Who::ApiClient { owner, scopes } => api_client_may(owner, scopes, action, resource, party),
            Who::SystemUser { id, .. } => {
                resource == SystemResource::ClientAdministration && engine_permits(&self.snapshot(), SubjectRef::SystemUser(id), action, resource, party)
            }
            Who::Person(_) if resource == SystemResource::SystemUserLookup => false,
            Who::Person(person) => permits(&self.snapshot(), person, action, resource, party),
        }
    }

    /// [`Context::may`] as a result, for `?`.
    pub fn authorize(&self, action: Action, resource: SystemResource, party: PartyId) -> Result<(), Denied> {
        if self.may(action, resource, party) {
            Ok(())
        } else {
            Err(Denied)
        }
    }

    /// What the whole installation shares — the catalogue of access
    /// packages, the register of parties and their roles, demo data — is
    /// changed by its operator alone, through a command or a job; never by a
    /// person or an API client through a page or an API.
    pub fn authorize_operator(&self) -> Result<(), Denied> {
        if self.who() == Who::Installation {
            Ok(())
        } else {
            Err(Denied)
        }
    }

    /// The party acted for, if the actor may do `action` on `resource` for
    /// it, or if a person acts for themselves: what is kept per person (the
    /// notices a sponsor is sent, and where they are e-mailed) is theirs.
    pub fn authorize_for_self_or_party(&self, action: Action, resource: SystemResource) -> Result<PartyId, Denied> {
        let party = self.party().ok_or(Denied)?;
        if self.who() == Who::Person(party) {
            return Ok(party);
        }
        self.authorize(action, resource, party)?;
        Ok(party)
    }

    /// The party acted for, if the actor may do `action` on `resource` for it.
    pub fn authorize_for_party(&self, action: Action, resource: SystemResource) -> Result<PartyId, Denied> {
        let party = self.party().ok_or(Denied)?;
        self.authorize(action, resource, party)?;
        Ok(party)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::snapshot::{PartyInfo, SnapshotBuilder};
    use uuid::Uuid;

    #[test]
    fn an_api_client_does_what_its_scopes_say_for_its_own_organisation() {
        let (own, other) = (PartyId(Uuid::from_u128(1)), PartyId(Uuid::from_u128(2)));
        let read = Scopes::from_names(["altinn:authentication/systemuser.request.read"]);
        assert!(api_client_may(own, read, Action::Read, SystemResource::SystemUserRequests, own));
        assert!(!api_client_may(own, read, Action::Write, SystemResource::SystemUserRequests, own), "read is not write");
        assert!(!api_client_may(own, read, Action::Read, SystemResource::SystemUserRequests, other), "another vendor's");
        let write = Scopes::from_names(["altinn:authentication/systemuser.request.write", "altinn:authentication/systemregister.write"]);
        assert!(api_client_may(own, write, Action::Read, SystemResource::SystemUserRequests, own), "write reads too");
        assert!(api_client_may(own, write, Action::Write, SystemResource::SystemRegister, own));
        assert!(!api_client_may(own, write, Action::Write, SystemResource::SystemRegister, other));
        let admin = Scopes::from_names(["altinn:authentication/systemregister.admin"]);
        assert!(api_client_may(own, admin, Action::Write, SystemResource::SystemRegister, other), "the operator's scope");
        assert!(!api_client_may(own, write, Action::Write, SystemResource::AccessManagement, own), "never a person's rights");
        assert_eq!(Scopes::from_names(["fullmakt:clients.admin"]), Scopes::API_CLIENTS_ADMIN, "the deprecated name gives the same");
        assert_eq!(Scopes::from_names(["someone:else"]), Scopes::NONE);
        let lookup = Scopes::from_names(["altinn:maskinporten/systemuser.read"]);
        assert!(api_client_may(own, lookup, Action::Read, SystemResource::SystemUserLookup, other), "a token service looks up any party's");
        assert!(!api_client_may(own, lookup, Action::Write, SystemResource::SystemUserLookup, other), "and changes nothing");
        assert!(!api_client_may(own, write.with(admin), Action::Read, SystemResource::SystemUserLookup, own), "only with its own scope");
    }

    #[test]
    fn a_person_reads_their_own_audit_trail_but_manages_nothing_by_default() {
        let person = Uuid::now_v7();
        let mut b = SnapshotBuilder::new(1);
        b.party(PartyInfo { id: person, name: "Kari".into(), org_number: None, national_id: None, org_form: None, parent: None });
        let s = b.build();
        let me = PartyId(person);
        assert!(permits(&s, me, Action::Read, SystemResource::AuditTrail, me));
        assert!(!permits(&s, me, Action::Write, SystemResource::AuditTrail, me));
        assert!(!permits(&s, me, Action::Read, SystemResource::ClientAdministration, PartyId(Uuid::now_v7())));
        assert!(!permits(&s, me, Action::Read, SystemResource::AuditTrail, PartyId(Uuid::now_v7())));
    }
}
