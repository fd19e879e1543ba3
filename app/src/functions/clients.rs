//! Client administration for the chosen firm: its agent system users, one
//! agent's clients page by page, attaching and removing a client, and "add
//! all" with its progress. Thin adapters over `domain::clients`, which
//! decides who may do what.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One of the firm's agent system users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub system_id: String,
    pub vendor: String,
    /// What it requires of each client (packages, and single rights), by name.
    pub requires: Vec<Texts>,
    pub clients: i64,
    pub created: String,
}

/// How the firm holds a package for a client, as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ViaView {
    /// A register role, by name.
    Role(Texts),
    /// The client granted it.
    Grant,
    /// The firm itself: assignable in one's own organisation.
    Own,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenView {
    pub package: Texts,
    pub via: ViaView,
}

/// A client in the list of one agent system user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub id: String,
    pub name: String,
    pub org_number: Option<String>,
    pub own_organisation: bool,
    pub given: Vec<GivenView>,
    /// Required packages the client does not give, by name.
    pub missing: Vec<Texts>,
    pub attached: bool,
}

/// A client "add all" could not attach, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedView {
    pub name: String,
    pub org_number: Option<String>,
    pub reason: AppError,
}

/// The state of the newest "add all" of an agent system user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub running: bool,
    pub total: i64,
    pub handled: i64,
    pub attached: i64,
    pub failed: Vec<FailedView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentClientsView {
    pub agent: AgentView,
    pub clients: Vec<ClientView>,
    /// The query of the next page (`etter=<id>`), when there is one.
    pub next: Option<String>,
    pub job: Option<JobView>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use domain::clients::{Agent, BulkJob, ClientRow, Requirement, Via};
    use std::collections::HashMap;

    pub type Names = HashMap<String, domain::catalogue::model::Text>;

    pub fn texts(t: &domain::system_register::Translated) -> Texts {
        [t.nb.clone(), t.nn.clone(), t.en.clone()]
    }

    fn named(names: &Names, key: &str, code: &str) -> Texts {
        names.get(key).map(|t| [t.nb.clone(), t.nn.clone(), t.en.clone()]).unwrap_or_else(|| [code.into(), code.into(), code.into()])
    }

    pub fn agent(a: Agent) -> AgentView {
        AgentView {
            id: a.id.to_string(),
            name: a.name,
            system_id: a.system_id,
            vendor: a.vendor_name,
            requires: a.requires.iter().map(|p: &Requirement| texts(&p.name)).collect(),
            clients: a.clients,
            created: crate::functions::ssr::moment(a.created_at),
        }
    }

    /// The catalogue keys a page of clients names: its roles.
    pub fn keys(rows: &[ClientRow]) -> Vec<String> {
        let mut keys: Vec<String> = rows
            .iter()
            .flat_map(|r| r.given.iter())
            .filter_map(|g| match &g.via {
                Via::Role { code } if code != "OWN" => Some(format!("role:{code}")),
                _ => None,
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    pub fn client(r: ClientRow, packages: &HashMap<String, Texts>, names: &Names) -> ClientView {
        let package = |code: &str| packages.get(code).cloned().unwrap_or_else(|| [code.into(), code.into(), code.into()]);
        ClientView {
            id: r.id.to_string(),
            given: r
                .given
                .iter()
                .map(|g| GivenView {
                    package: package(&g.need),
                    via: match &g.via {
                        Via::Role { code } if code == "OWN" => ViaView::Own,
                        Via::Role { code } => ViaView::Role(named(names, &format!("role:{code}"), code)),
                        Via::Grant { .. } => ViaView::Grant,
                    },
                })
                .collect(),
            missing: r.missing.iter().map(|m| package(m)).collect(),
            name: r.name,
            org_number: r.org_number,
            own_organisation: r.own_organisation,
            attached: r.attached,
        }
    }

    /// Why an item failed, as the error the page shows.
    fn reason(code: &str) -> AppError {
        match domain::error::Refusal::from_wire(code) {
            Some(r) => AppError::Refused(r),
            None if code == "not_allowed" => AppError::NotAllowed,
            None => AppError::Internal(code.to_string()),
        }
    }

    pub fn job(j: BulkJob) -> JobView {
        JobView {
            id: j.id.to_string(),
            running: j.running,
            total: j.total,
            handled: j.handled(),
            attached: j.attached,
            failed: j.failed.into_iter().map(|f| FailedView { reason: reason(&f.reason), name: f.name, org_number: f.org_number }).collect(),
        }
    }

    /// An id from a form, a path or a query; anything else names nothing.
    pub fn id(raw: &str, missing: domain::error::Refusal) -> Result<uuid::Uuid, AppError> {
        uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::Refused(missing))
    }
}

/// The chosen firm's agent system users, by name.
#[server(prefix = "/api", endpoint = "client_agents")]
pub async fn client_agents() -> Result<Vec<AgentView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::clients::agents(&ctx).await?.into_iter().map(convert::agent).collect())
}

/// A page of the firm's clients for the agent system user `id`: `search`
/// (part of a name, or the start of a number), `hide_attached` ("1" hides
/// the attached ones), and `after` (from the page before's `next`).
#[server(prefix = "/api", endpoint = "agent_clients")]
pub async fn agent_clients(id: String, search: String, hide_attached: bool, after: String) -> Result<AgentClientsView, AppError> {
    use domain::error::Refusal;
    let ctx = crate::functions::ssr::party_context().await?;
    let agent = convert::id(&id, Refusal::AgentNotFound)?;
    let after = (!after.trim().is_empty()).then(|| uuid::Uuid::parse_str(after.trim()).ok()).flatten();
    let show = if hide_attached { domain::clients::Show::NotAttached } else { domain::clients::Show::All };
    let page = domain::clients::clients(&ctx, agent, show, &search, after).await?;
    let names = domain::catalogue::names_of(&ctx, &convert::keys(&page.clients)).await.map_err(|e| crate::functions::ssr::internal(&e.to_string()))?;
    let packages = page.agent.requires.iter().map(|p| (p.key.clone(), convert::texts(&p.name))).collect();
    let job = domain::clients::bulk::latest(&ctx, agent).await?.map(convert::job);
    Ok(AgentClientsView {
        clients: page.clients.into_iter().map(|c| convert::client(c, &packages, &names)).collect(),
        next: page.next.map(|n| n.to_string()),
        agent: convert::agent(page.agent),
        job,
    })
}

/// Attaches `client` to the agent system user `agent`; its name, for the banner.
#[server(prefix = "/api", endpoint = "attach_client")]
pub async fn attach_client(agent: String, client: String) -> Result<String, AppError> {
    use domain::error::Refusal;
    let ctx = crate::functions::ssr::party_context().await?;
    let attached = domain::clients::attach(&ctx, convert::id(&agent, Refusal::AgentNotFound)?, convert::id(&client, Refusal::ClientNotFound)?).await?;
    Ok(attached.client_name)
}

/// Removes `client` from the agent system user `agent`.
#[server(prefix = "/api", endpoint = "detach_client")]
pub async fn detach_client(agent: String, client: String) -> Result<(), AppError> {
    use domain::error::Refusal;
    let ctx = crate::functions::ssr::party_context().await?;
    domain::clients::detach(&ctx, convert::id(&agent, Refusal::AgentNotFound)?, convert::id(&client, Refusal::ClientNotFound)?).await?;
    Ok(())
}

/// Starts "add all" for the agent system user `agent` (or finds the one
/// running); the server works it, and the page shows its progress.
#[server(prefix = "/api", endpoint = "attach_all_clients")]
pub async fn attach_all_clients(agent: String) -> Result<(), AppError> {
    use domain::error::Refusal;
    let ctx = crate::functions::ssr::party_context().await?;
    domain::clients::bulk::start(&ctx, convert::id(&agent, Refusal::AgentNotFound)?).await?;
    Ok(())
}
