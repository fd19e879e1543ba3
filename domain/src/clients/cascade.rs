//! Cascades: a client delegation lasts only while the client gives the firm
//! every package it passes on. When a register import ends a REGN, REVI or
//! FFØR role (or changes a client's organisation form), when a client
//! revokes a grant to the firm, or when the agent system user is deleted,
//! the delegations that depended on it end in the same transaction, each
//! audited with its cause, and the change feed makes every instance's
//! engine rebuild (so the PDP stops permitting within its refresh interval).
//!
//! The engine also checks every delegation against what the firm holds when
//! it builds its snapshot, so a grant that simply runs out (its `valid_to`
//! passes, with no transaction to cascade from) stops the delegation from
//! giving anything at once; the delegation is ended by the next cascade
//! that looks at the pair.

use super::store::{self, Ended};
use crate::audit::{AuditEvent, Outcome, UnitOfWork};
use crate::decisions::store::{record_change, Change};
use uuid::Uuid;

/// Why delegations ended, as the audit trail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The client revoked a grant to the firm.
    GrantRevoked(Uuid),
    /// A register import ended a role (or changed a party) the delegation needed.
    RegisterImport,
    /// The agent system user was deleted.
    AgentDeleted,
    /// The system of the agent system user was deleted.
    SystemDeleted,
}

impl Cause {
    fn name(self) -> &'static str {
        match self {
            Self::GrantRevoked(_) => "grant_revoked",
            Self::RegisterImport => "register_import",
            Self::AgentDeleted => "agent_deleted",
            Self::SystemDeleted => "system_deleted",
        }
    }
}

/// Ends, inside `uow`, the delegations of `firm` for `client` (either or
/// both may be left open: every firm, every client) that the client no
/// longer supports; audits each and records the change. Returns how many ended.
pub async fn end_unsupported(uow: &mut UnitOfWork, firm: Option<Uuid>, client: Option<Uuid>, cause: Cause) -> Result<usize, sqlx::Error> {
    let ended = store::end_unsupported(uow.conn(), firm, client, cause.name()).await?;
    audit(uow, &ended, cause).await?;
    Ok(ended.len())
}

/// Ends every delegation to the agent system user `agent`, inside `uow`.
pub async fn end_for_agent(uow: &mut UnitOfWork, agent: Uuid) -> Result<usize, sqlx::Error> {
    let ended = store::end_all_of_agent(uow.conn(), agent, Cause::AgentDeleted.name()).await?;
    audit(uow, &ended, Cause::AgentDeleted).await?;
    Ok(ended.len())
}

/// Ends every delegation to an agent system user of the system `system`, inside `uow`.
pub async fn end_for_system(uow: &mut UnitOfWork, system: &str) -> Result<usize, sqlx::Error> {
    let ended = store::end_all_of_system(uow.conn(), system, Cause::SystemDeleted.name()).await?;
    audit(uow, &ended, Cause::SystemDeleted).await?;
    Ok(ended.len())
}

async fn audit(uow: &mut UnitOfWork, ended: &[Ended], cause: Cause) -> Result<(), sqlx::Error> {
    if ended.is_empty() {
        return Ok(());
    }
    for e in ended {
        let mut details = serde_json::json!({ "cause": cause.name(), "firm": e.firm, "client": e.client, "agent": e.agent });
        if let Cause::GrantRevoked(grant) = cause {
            details["grant"] = grant.to_string().into();
        }
        if !e.missing.is_empty() {
            details["missing"] = serde_json::json!(e.missing);
        }
        uow.audit(AuditEvent::new("client.delegation_ended", e.id.to_string(), Outcome::Success, details)).await?;
    }
    record_change(uow.conn(), Change::Rebuild("client_delegation")).await?;
    Ok(())
}
