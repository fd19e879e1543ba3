//! The one context every use case takes.
//!
//! A use case needs the same things wherever it is called from — a server
//! function, a REST handler, a job or a command: who acts, for which party,
//! the time, the request it belongs to (for the log and the audit trail), the
//! database and the decision engine. [`Services`] holds what an instance
//! shares; each request or job turns it into a [`Context`] for its actor with
//! [`Services::for_person`] or [`Services::for_operator`], and nothing else
//! builds one.

use crate::audit::{Actor, AuditEvent, Outcome, UnitOfWork, UnitOfWorkError};
use crate::authz::Scopes;
use crate::clock::Clock;
use crate::decisions::live::Engine;
use crate::decisions::Snapshot;
use crate::parties::PartyId;
use sqlx::PgPool;
use std::sync::Arc;
use time::OffsetDateTime;

/// What one server instance shares between requests: the database, the clock,
/// the decision engine and the installation's settings. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: PgPool,
    pub clock: Arc<dyn Clock>,
    pub engine: Arc<Engine>,
    pub settings: Settings,
}

/// What an installation decides about its use cases' rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long a customer has to decide a system-user request.
    pub request_timeout: time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self { request_timeout: crate::system_user_requests::rules::DEFAULT_TIMEOUT }
    }
}

impl Services {
    /// The services over `db`, with an engine built from what it holds now.
    /// A server keeps the engine current with [`Engine::spawn_refresher`]; a
    /// command needs no more than the refresh each commit does.
    pub async fn start(db: PgPool, clock: Arc<dyn Clock>) -> Result<Self, sqlx::Error> {
        let engine = Engine::load_on(&db, clock.clone()).await?;
        Ok(Self { db, clock, engine, settings: Settings::default() })
    }

    /// A signed-in person acting for `party` (or for nobody yet), in the
    /// request `request_id`. `name` is how the audit trail names them.
    pub fn for_person(&self, person: PartyId, name: impl Into<String>, party: Option<PartyId>, request_id: Option<String>) -> Context {
        Context {
            services: self.clone(),
            who: Who::Person(person),
            actor: Actor { party: Some(person), label: name.into(), on_behalf_of: party, request_id },
            client_id: None,
        }
    }

    /// An organisation's API client calling an API on its own behalf (its
    /// token's scope was checked at the edge): it acts for its owner, and
    /// [`crate::authz`] lets it manage its owner's API clients and nothing else.
    /// `scopes` are those its token carries that the client still holds.
    pub fn for_api_client(&self, client_id: &str, owner: PartyId, scopes: Scopes, request_id: Option<String>) -> Context {
        Context {
            services: self.clone(),
            who: Who::ApiClient { owner, scopes },
            actor: Actor { party: None, label: format!("API client {client_id}"), on_behalf_of: Some(owner), request_id },
            client_id: Some(client_id.into()),
        }
    }

    /// A system user calling an API with its token (issued to `client_id`),
    /// for its owner.
    pub fn for_system_user(&self, id: uuid::Uuid, client_id: &str, owner: PartyId, request_id: Option<String>) -> Context {
        Context {
            services: self.clone(),
            who: Who::SystemUser { id, owner },
            actor: Actor { party: None, label: format!("system user {id} (client {client_id})"), on_behalf_of: Some(owner), request_id },
            client_id: Some(client_id.into()),
        }
    }

    /// The installation itself: a command an operator runs on the server, or
    /// a scheduled job. It may do anything; `label` names it in the audit
    /// trail (`import-register`, `demo-data`).
    pub fn for_operator(&self, label: impl Into<String>) -> Context {
        Context { services: self.clone(), who: Who::Installation, actor: Actor::system(label), client_id: None }
    }
}

/// Who a use case acts for, as authorization sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A signed-in person; the engine decides their rights.
    Person(PartyId),
    /// An organisation's API client, for its own organisation, with what
    /// its token's scopes let it do.
    ApiClient { owner: PartyId, scopes: Scopes },
    /// An organisation's system user calling with its token (the client
    /// administration API): the engine decides from what the system user
    /// holds, for client administration only.
    SystemUser { id: uuid::Uuid, owner: PartyId },
    /// The installation itself: a command or a job.
    Installation,
}

/// Who acts, for whom, when and where: the one argument of every use case.
#[derive(Clone)]
pub struct Context {
    services: Services,
    who: Who,
    actor: Actor,
    /// The API client that calls, when one does.
    client_id: Option<Arc<str>>,
}

impl Context {
    pub fn db(&self) -> &PgPool {
        &self.services.db
    }

    pub fn clock(&self) -> &dyn Clock {
        self.services.clock.as_ref()
    }

    pub fn now(&self) -> OffsetDateTime {
        self.services.clock.now()
    }

    pub fn settings(&self) -> Settings {
        self.services.settings
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.services.engine
    }

    /// The engine's current state, to decide with.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.services.engine.snapshot()
    }

    /// Who acts, as the audit trail records it.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The person who acts; `None` for an API client or the installation.
    pub fn person(&self) -> Option<PartyId> {
        match self.who {
            Who::Person(p) => Some(p),
            _ => None,
        }
    }

    /// The API client that calls, when one does (for change logs that name it).
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Who acts, as authorization sees it.
    pub fn who(&self) -> Who {
        self.who
    }

    /// The party acted for, once one is chosen. (The audit's `Actor::party`
    /// is who acts; the party a use case is about is whom they act for.)
    #[allow(clippy::misnamed_getters)]
    pub fn party(&self) -> Option<PartyId> {
        self.actor.on_behalf_of
    }

    pub fn request_id(&self) -> Option<&str> {
        self.actor.request_id.as_deref()
    }

    /// The same actor acting for `party`.
    pub fn acting_for(&self, party: PartyId) -> Self {
        Self {
            services: self.services.clone(),
            who: self.who,
            actor: Actor { on_behalf_of: Some(party), ..self.actor.clone() },
            client_id: self.client_id.clone(),
        }
    }

    /// A transaction for one state change and its audit records.
    pub async fn begin(&self) -> Result<UnitOfWork, sqlx::Error> {
        UnitOfWork::begin(&self.services.db, self.actor.clone(), self.clock()).await
    }

    /// Records in the audit trail that `action` on `target` was refused and
    /// why; the refusal itself changes nothing. A failure to write the record
    /// is logged (the refusal stands either way).
    pub async fn audit_refusal(&self, action: &str, target: impl Into<String>, reason: &(dyn std::fmt::Display + Sync), details: serde_json::Value) {
        let mut details = details;
        if let serde_json::Value::Object(map) = &mut details {
            map.insert("reason".into(), reason.to_string().into());
        } else {
            details = serde_json::json!({ "reason": reason.to_string() });
        }
        let event = AuditEvent::new(action, target, Outcome::Refused, details);
        if let Err(e) = crate::audit::record(&self.services.db, self.actor.clone(), self.clock(), event).await {
            tracing::error!(error = %e, action, request_id = self.request_id().unwrap_or("-"), "could not audit a refusal");
        }
    }

    /// `done` as it is, with its error first audited as a refusal of `action`
    /// on `target`, unless `is_store` says the error is the store's failure
    /// (logged, not a refusal).
    pub async fn audit_if_refused<T, E: std::fmt::Display + Sync>(
        &self,
        action: &str,
        target: &str,
        details: serde_json::Value,
        done: Result<T, E>,
        is_store: impl Fn(&E) -> bool,
    ) -> Result<T, E> {
        if let Err(e) = &done {
            if !is_store(e) {
                self.audit_refusal(action, target, e, details).await;
            }
        }
        done
    }

    /// Commits a change and its audit records, then lets this instance's
    /// engine see it before the use case returns (read-your-writes).
    pub async fn commit(&self, uow: UnitOfWork) -> Result<(), UnitOfWorkError> {
        uow.commit().await?;
        self.engine_sees_changes().await;
        Ok(())
    }

    /// Brings this instance's engine up to date with the change feed, so that
    /// what a use case just changed is what the next decision sees
    /// (read-your-writes). Other instances follow within a second.
    pub async fn engine_sees_changes(&self) {
        self.services.engine.refresh_now(&self.services.db).await;
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("actor", &self.actor).finish_non_exhaustive()
    }
}
