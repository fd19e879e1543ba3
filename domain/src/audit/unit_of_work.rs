//! A transaction that must carry its own audit record.

use super::{store, Actor, AuditEvent};
use crate::clock::Clock;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum UnitOfWorkError {
    /// A programming error: a state change was about to be committed with no
    /// record of it. The transaction was rolled back.
    #[error("refused to commit a change that has no audit record")]
    NotAudited,
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// One transaction for one state change and its audit record(s).
pub struct UnitOfWork {
    tx: Transaction<'static, Postgres>,
    actor: Actor,
    audited: usize,
    now: time::OffsetDateTime,
}

impl UnitOfWork {
    pub async fn begin(pool: &PgPool, actor: Actor, clock: &dyn Clock) -> Result<Self, sqlx::Error> {
        Ok(Self { tx: pool.begin().await?, actor, audited: 0, now: clock.now() })
    }

    /// A unit of work over a transaction already begun (one that holds a
    /// row lock the work depends on, say).
    pub fn from_transaction(tx: Transaction<'static, Postgres>, actor: Actor, clock: &dyn Clock) -> Self {
        Self { tx, actor, audited: 0, now: clock.now() }
    }

    /// The connection inside the transaction, for the store functions.
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Names the party the change is made for, once the transaction has found
    /// it (the owner of a locked row, say); audit records written after this carry it.
    pub fn acting_for(&mut self, party: crate::parties::PartyId) {
        self.actor.on_behalf_of = Some(party);
    }

    /// Writes `event` in this transaction.
    pub async fn audit(&mut self, event: AuditEvent) -> Result<(), sqlx::Error> {
        store::insert(&mut self.tx, &self.actor, &event, self.now).await?;
        self.audited += 1;
        Ok(())
    }

    /// Commits the change and its audit records together, or nothing.
    pub async fn commit(self) -> Result<(), UnitOfWorkError> {
        if self.audited == 0 {
            self.tx.rollback().await?;
            return Err(UnitOfWorkError::NotAudited);
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Records an event that changes nothing else (a refusal, a login) in its own transaction.
pub async fn record(pool: &PgPool, actor: Actor, clock: &dyn Clock, event: AuditEvent) -> Result<(), UnitOfWorkError> {
    let mut uow = UnitOfWork::begin(pool, actor, clock).await?;
    uow.audit(event).await?;
    uow.commit().await
}
