//! Use cases of the token service: an organisation's administrator registers
//! API clients, adds, rotates and revokes their keys; the token endpoint finds
//! the system user a token is asked for.
//!
//! Who may manage an organisation's clients is decided by the engine on
//! `fullmakt_access_management` (action `write`), like every access change in the
//! portal. The issue names Altinn's *Maskinporten administrator* package, which
//! the built-in catalogue has; we decide on the system resource anyway so that
//! one check covers every way of managing access (a later issue can add the
//! package to that resource's policy). Every change and refusal is audited.

use super::model::*;
use super::rules::{self, KeyError, TokenError};
use super::store;
use crate::audit::{AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::{Action, SystemResource};
use crate::context::{Context, Who};
use crate::parties::PartyId;
use sqlx::PgPool;
use uuid::Uuid;

/// Who asks for a change, as the scope rules see it: a person (decided by
/// the engine), an organisation's API client calling the client API with the
/// admin scope (its own organisation's clients, nothing else), or the operator
/// (a command or job run by whoever runs the installation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Registrar {
    Person,
    Client,
    Operator,
}

impl Registrar {
    fn of(ctx: &Context) -> Self {
        match ctx.who() {
            Who::Person(_) => Self::Person,
            Who::ApiClient { .. } | Who::SystemUser { .. } => Self::Client,
            Who::Installation => Self::Operator,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiClientError {
    #[error("you may not manage API clients for this organisation")]
    NotAccessManager,
    #[error("the client needs a display name of 1 to 200 characters")]
    NameMissing,
    #[error("{0:?} is not a valid scope")]
    BadScope(String),
    #[error("the scope {0} can only be given by the operator")]
    RestrictedScope(String),
    #[error("no such API client")]
    UnknownClient,
    #[error("the key is refused: {0}")]
    BadKey(#[from] KeyError),
    #[error("the client already has a key with kid {0}")]
    KidTaken(String),
    #[error("the client has no active key with kid {0}")]
    UnknownKey(String),
    #[error("the key's expiry is in the past")]
    ExpiryInPast,
    #[error(transparent)]
    Store(#[from] UnitOfWorkError),
}

impl From<sqlx::Error> for ApiClientError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

impl From<ApiClientError> for crate::error::Failure {
    fn from(e: ApiClientError) -> Self {
        use crate::error::{Failure, Refusal};
        use crate::tokens::rules::KeyError;
        Failure::Refused(match e {
            ApiClientError::NotAccessManager => return Failure::NotAllowed,
            ApiClientError::NameMissing => return Failure::invalid("display_name", e.to_string()),
            ApiClientError::Store(e) => return e.into(),
            ApiClientError::BadScope(s) => Refusal::ClientBadScope(s),
            ApiClientError::RestrictedScope(s) => Refusal::ClientRestrictedScope(s),
            ApiClientError::UnknownClient => Refusal::UnknownClient,
            ApiClientError::BadKey(k) => match k {
                KeyError::PrivateKeyMaterial => Refusal::KeyPrivate,
                KeyError::Unreadable => Refusal::KeyUnreadable,
                KeyError::UnsupportedType | KeyError::BadRsa | KeyError::BadEc | KeyError::WrongUse => Refusal::KeyUnsupported,
                KeyError::RsaTooShort(_) => Refusal::KeyTooShort,
                KeyError::MissingKid | KeyError::KidMismatch => Refusal::KeyKidMismatch,
            },
            ApiClientError::KidTaken(kid) => Refusal::KidTaken(kid),
            ApiClientError::UnknownKey(kid) => Refusal::UnknownKey(kid),
            ApiClientError::ExpiryInPast => Refusal::KeyExpiryPast,
        })
    }
}

/// Records a refusal, on behalf of `owner` when it is known, then returns the error.
async fn refused(ctx: &Context, owner: Option<PartyId>, action: &str, target: &str, err: ApiClientError) -> ApiClientError {
    let ctx = owner.map_or_else(|| ctx.clone(), |o| ctx.acting_for(o));
    ctx.audit_refusal(action, target, &err, serde_json::json!({})).await;
    err
}

/// Whether the actor may change a client of `owner` that now has `scopes`.
/// A client calling the client API may not touch a client holding a scope
/// only the operator gives: its key would open what the operator reserved.
fn may_change_client(ctx: &Context, owner: PartyId, scopes: &[String]) -> Result<(), ApiClientError> {
    if !ctx.may(Action::Write, SystemResource::ApiClients, owner) {
        return Err(ApiClientError::NotAccessManager);
    }
    if Registrar::of(ctx) == Registrar::Client {
        if let Some(s) = scopes.iter().find(|s| rules::is_restricted_scope(s)) {
            return Err(ApiClientError::RestrictedScope(s.clone()));
        }
    }
    Ok(())
}

/// Checks and normalises scopes; persons may not give restricted ones.
fn check_scopes(registrar: Registrar, scopes: &[String]) -> Result<Vec<String>, ApiClientError> {
    let mut out: Vec<String> = Vec::new();
    for s in scopes.iter().map(|s| s.trim()) {
        if !rules::is_scope_token(s) {
            return Err(ApiClientError::BadScope(s.into()));
        }
        if registrar != Registrar::Operator && rules::is_restricted_scope(s) {
            return Err(ApiClientError::RestrictedScope(s.into()));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.into());
        }
    }
    Ok(out)
}

/// Registers a client owned by `owner`, with a generated client id.
#[tracing::instrument(skip_all, fields(actor = ?ctx.who(), party = ?owner, request_id = ctx.request_id()))]
pub async fn register_api_client(ctx: &Context, owner: PartyId, input: &ApiClientForCreate) -> Result<ApiClient, ApiClientError> {
    let registrar = Registrar::of(ctx);
    let name = input.display_name.trim();
    let check = || -> Result<Vec<String>, ApiClientError> {
        if !ctx.may(Action::Write, SystemResource::ApiClients, owner) {
            return Err(ApiClientError::NotAccessManager);
        }
        if name.is_empty() || name.chars().count() > crate::limits::API_CLIENT_NAME {
            return Err(ApiClientError::NameMissing);
        }
        check_scopes(registrar, &input.scopes)
    };
    let scopes = match check() {
        Ok(s) => s,
        Err(e) => return Err(refused(ctx, Some(owner), "api_client.register", "", e).await),
    };
    let client_id = Uuid::new_v4().to_string();
    let now = ctx.now();
    let created_by = ctx.person();
    let mut uow = ctx.acting_for(owner).begin().await?;
    store::insert_client(uow.conn(), &client_id, owner, name, &scopes, created_by, now).await?;
    uow.audit(AuditEvent::new("api_client.register", &client_id, Outcome::Success, serde_json::json!({"name": name, "scopes": scopes}))).await?;
    uow.commit().await?;
    Ok(ApiClient { client_id, owner, display_name: name.into(), scopes, created_at: now, keys: Vec::new() })
}

/// Opens a change to an existing client: locks it, names its owner as the
/// party acted for (in the unit of work and in refusals) and checks that the
/// actor may change it. A refusal is audited and the transaction rolled back.
/// Returns the unit of work and the owner.
async fn begin_client_change(ctx: &Context, client_id: &str, action: &str, target: &str) -> Result<(UnitOfWork, PartyId), ApiClientError> {
    begin_client_change_with_scopes(ctx, client_id, action, target).await.map(|(uow, owner, _)| (uow, owner))
}

/// As [`begin_client_change`], with the scopes the client holds now.
async fn begin_client_change_with_scopes(
    ctx: &Context,
    client_id: &str,
    action: &str,
    target: &str,
) -> Result<(UnitOfWork, PartyId, Vec<String>), ApiClientError> {
    let mut uow = ctx.begin().await?;
    let Some((owner, current)) = store::client_for_update(uow.conn(), client_id).await? else {
        drop(uow);
        return Err(refused(ctx, None, action, target, ApiClientError::UnknownClient).await);
    };
    uow.acting_for(owner);
    if let Err(e) = may_change_client(ctx, owner, &current) {
        drop(uow);
        return Err(refused(ctx, Some(owner), action, target, e).await);
    }
    Ok((uow, owner, current))
}

/// Replaces the scopes a client may ask for.
#[tracing::instrument(skip_all, fields(actor = ?ctx.who(), client_id, request_id = ctx.request_id()))]
pub async fn set_scopes(ctx: &Context, client_id: &str, scopes: &[String]) -> Result<Vec<String>, ApiClientError> {
    let (uow, owner) = begin_client_change(ctx, client_id, "api_client.scopes", client_id).await?;
    write_scopes(ctx, uow, owner, client_id, scopes).await
}

/// Gives a client the scopes `grant` and takes `revoke` away, keeping the
/// rest: how the operator gives a vendor's client what an organisation
/// cannot give itself (`server grant-scopes`, `server revoke-scopes`).
#[tracing::instrument(skip_all, fields(actor = ?ctx.who(), client_id, request_id = ctx.request_id()))]
pub async fn change_scopes(ctx: &Context, client_id: &str, grant: &[String], revoke: &[String]) -> Result<Vec<String>, ApiClientError> {
    let (uow, owner, current) = begin_client_change_with_scopes(ctx, client_id, "api_client.scopes", client_id).await?;
    let kept = current.iter().filter(|s| !revoke.contains(s));
    let added = grant.iter().filter(|g| !current.contains(g));
    let scopes: Vec<String> = kept.chain(added).cloned().collect();
    write_scopes(ctx, uow, owner, client_id, &scopes).await
}

async fn write_scopes(ctx: &Context, mut uow: UnitOfWork, owner: PartyId, client_id: &str, scopes: &[String]) -> Result<Vec<String>, ApiClientError> {
    let scopes = match check_scopes(Registrar::of(ctx), scopes) {
        Ok(s) => s,
        Err(e) => {
            drop(uow);
            return Err(refused(ctx, Some(owner), "api_client.scopes", client_id, e).await);
        }
    };
    store::set_scopes(uow.conn(), client_id, &scopes).await?;
    uow.audit(AuditEvent::new("api_client.scopes", client_id, Outcome::Success, serde_json::json!({"scopes": scopes}))).await?;
    uow.commit().await?;
    Ok(scopes)
}

/// Adds a public key (JWK or PEM) to a client. Rotation is adding the new key,
/// moving the software to it, then revoking the old one.
#[tracing::instrument(skip_all, fields(actor = ?ctx.who(), client_id, request_id = ctx.request_id()))]
pub async fn add_key(ctx: &Context, client_id: &str, input: &KeyForCreate) -> Result<ApiClientKey, ApiClientError> {
    let now = ctx.now();
    let (mut uow, owner) = begin_client_change(ctx, client_id, "api_client.key.add", client_id).await?;
    let check = || -> Result<PublicKey, ApiClientError> {
        if input.expires_at.is_some_and(|e| e <= now) {
            return Err(ApiClientError::ExpiryInPast);
        }
        Ok(rules::parse_public_key(&input.key, input.kid.as_deref())?)
    };
    let key = match check() {
        Ok(k) => k,
        Err(e) => {
            drop(uow);
            return Err(refused(ctx, Some(owner), "api_client.key.add", client_id, e).await);
        }
    };
    let target = format!("{client_id}:{}", key.kid);
    let inserted = store::insert_key(uow.conn(), client_id, &key, input.expires_at, now).await;
    if crate::db::violated(&inserted, "api_client_key_unique") {
        drop(uow);
        return Err(refused(ctx, Some(owner), "api_client.key.add", &target, ApiClientError::KidTaken(key.kid)).await);
    }
    inserted?;
    uow.audit(AuditEvent::new(
        "api_client.key.add",
        &target,
        Outcome::Success,
        serde_json::json!({"kid": key.kid, "family": key.family.as_str(), "expires_at": input.expires_at}),
    ))
    .await?;
    uow.commit().await?;
    Ok(ApiClientKey {
        kid: key.kid,
        family: key.family,
        public_jwk: key.jwk,
        created_at: now,
        expires_at: input.expires_at,
        revoked_at: None,
        last_used_at: None,
    })
}

/// Revokes a key at once: assertions signed with it are refused from now on.
#[tracing::instrument(skip_all, fields(actor = ?ctx.who(), client_id, kid, request_id = ctx.request_id()))]
pub async fn revoke_key(ctx: &Context, client_id: &str, kid: &str) -> Result<(), ApiClientError> {
    let target = format!("{client_id}:{kid}");
    let (mut uow, owner) = begin_client_change(ctx, client_id, "api_client.key.revoke", &target).await?;
    if !store::revoke_key(uow.conn(), client_id, kid, ctx.now()).await? {
        drop(uow);
        return Err(refused(ctx, Some(owner), "api_client.key.revoke", &target, ApiClientError::UnknownKey(kid.into())).await);
    }
    uow.audit(AuditEvent::new("api_client.key.revoke", &target, Outcome::Success, serde_json::json!({"kid": kid}))).await?;
    uow.commit().await?;
    Ok(())
}

/// The clients of `owner`, with their keys (and when each was last used).
pub async fn list_api_clients(ctx: &Context, owner: PartyId) -> Result<Vec<ApiClient>, ApiClientError> {
    if !ctx.may(Action::Read, SystemResource::ApiClients, owner) {
        return Err(ApiClientError::NotAccessManager);
    }
    let mut conn = ctx.db().acquire().await?;
    Ok(store::list_api_clients(&mut conn, owner).await?)
}

/// The organisation a calling client belongs to and the scopes it has now,
/// for the client API: such a caller manages its own organisation's clients
/// while it still has the admin scope.
pub async fn client_owner(pool: &PgPool, client_id: &str) -> Result<Option<(PartyId, Vec<String>)>, sqlx::Error> {
    store::owner_of_client(pool, client_id).await
}

/// The system user a system-user token may be issued for: the client id must
/// belong to a system that is not deleted, and an active system user must exist
/// for (org, that system, external ref). The error says which link is missing.
pub async fn resolve_system_user(pool: &PgPool, client_id: &str, request: &SystemUserRequest) -> Result<SystemUserLink, TokenError> {
    let candidates = store::system_user_candidates(pool, client_id, request.org.as_str(), &request.external_ref).await.map_err(|e| {
        tracing::error!(error = %e, "system-user lookup failed");
        TokenError::CustomerConfiguration("the system user could not be looked up; try again".into())
    })?;
    choose_system_user(client_id, request, &candidates)
}

/// The rule of [`resolve_system_user`], over the rows found.
pub fn choose_system_user(client_id: &str, request: &SystemUserRequest, candidates: &[store::SystemUserCandidate]) -> Result<SystemUserLink, TokenError> {
    let missing = |m: String| Err(TokenError::CustomerConfiguration(m));
    let Some(system) = candidates.iter().find(|c| !c.system_deleted) else {
        return match candidates.first() {
            Some(deleted) => missing(format!("the system {} that client {client_id} belongs to is deleted in the system register", deleted.system_id)),
            None => missing(format!("client {client_id} is not registered to any system in the system register")),
        };
    };
    match system.system_user_id {
        Some(id) => Ok(SystemUserLink { system_user_id: id, system_id: system.system_id.clone(), vendor_org_number: system.vendor_org_number.clone() }),
        None => missing(format!(
            "organisation {} has no active system user for system {} with external reference {:?}; the customer must approve one",
            rules::org_id(request.org.as_str()),
            system.system_id,
            request.external_ref
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::store::SystemUserCandidate;
    use super::*;
    use crate::parties::OrgNumber;

    fn request() -> SystemUserRequest {
        SystemUserRequest { org: OrgNumber::try_from("310400009").unwrap(), external_ref: "310400009".into() }
    }

    fn candidate(deleted: bool, user: Option<Uuid>) -> SystemUserCandidate {
        SystemUserCandidate { system_id: "310000000_app".into(), vendor_org_number: "310000000".into(), system_deleted: deleted, system_user_id: user }
    }

    #[test]
    fn each_missing_link_is_named() {
        let code = |r: Result<SystemUserLink, TokenError>| match r {
            Err(e @ TokenError::CustomerConfiguration(_)) => (e.code(), e.to_string()),
            other => panic!("{other:?}"),
        };
        let (c, m) = code(choose_system_user("c1", &request(), &[]));
        assert_eq!(c, "invalid_altinn_customer_configuration");
        assert!(m.contains("not registered to any system"), "{m}");
        let (_, m) = code(choose_system_user("c1", &request(), &[candidate(true, Some(Uuid::nil()))]));
        assert!(m.contains("is deleted"), "{m}");
        let (_, m) = code(choose_system_user("c1", &request(), &[candidate(false, None)]));
        assert!(m.contains("0192:310400009") && m.contains("310000000_app"), "{m}");
        let id = Uuid::now_v7();
        let ok = choose_system_user("c1", &request(), &[candidate(false, Some(id))]).unwrap();
        assert_eq!(ok.system_user_id, id);
    }

    #[tokio::test]
    async fn a_client_manages_its_own_organisation_only_and_gives_no_restricted_scope() {
        use crate::decisions::live::Engine;
        use crate::decisions::snapshot::SnapshotBuilder;
        let (own, other) = (PartyId(Uuid::from_u128(1)), PartyId(Uuid::from_u128(2)));
        let services = crate::Services {
            db: sqlx::PgPool::connect_lazy("postgres://nobody@127.0.0.1:9/none").unwrap(),
            clock: std::sync::Arc::new(crate::SystemClock),
            engine: Engine::fixed(SnapshotBuilder::new(1).build()),
            settings: crate::Settings::default(),
        };
        let ctx = services.for_api_client("c1", own, crate::authz::Scopes::API_CLIENTS_ADMIN, None);
        assert!(ctx.may(Action::Write, SystemResource::ApiClients, own));
        assert!(!ctx.may(Action::Write, SystemResource::ApiClients, other));
        assert!(!ctx.may(Action::Write, SystemResource::AccessManagement, own), "an API client manages API clients only");
        assert!(may_change_client(&ctx, own, &["fullmakt:clients.admin".into()]).is_err(), "not a client holding a reserved scope");
        assert!(may_change_client(&ctx, own, &["a:b".into()]).is_ok());
        assert!(matches!(check_scopes(Registrar::of(&ctx), &["fullmakt:clients.admin".into()]), Err(ApiClientError::RestrictedScope(_))));
    }

    #[test]
    fn persons_cannot_give_restricted_scopes() {
        let p = Registrar::Person;
        assert!(matches!(check_scopes(p, &["altinn:authorization/authorize".into()]), Err(ApiClientError::RestrictedScope(_))));
        assert!(check_scopes(Registrar::Operator, &["altinn:authorization/authorize".into()]).is_ok());
        assert_eq!(check_scopes(p, &["a:b".into(), " a:b ".into()]).unwrap(), ["a:b"]);
        assert!(matches!(check_scopes(p, &["a b".into()]), Err(ApiClientError::BadScope(_))));
    }
}
