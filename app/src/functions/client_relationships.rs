//! The chosen party's client relationships seen from its own side: the
//! firms acting for it, how, with which packages, and which of their agent
//! system users it is attached to. A thin adapter over
//! `domain::clients::relationships`, which decides who may see it.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How a firm holds a package for the party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeldVia {
    /// A register role, by name.
    Role(Texts),
    /// The party granted it; the grant's id, for revoking it.
    Grant(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmPackageView {
    pub package: Texts,
    pub via: HeldVia,
}

/// One of a firm's agents acting for the party: an agent system user, or a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingAgentView {
    pub name: String,
    /// An agent system user's system; `None` for a person.
    pub system_name: Option<String>,
    pub packages: Vec<Texts>,
    pub since: String,
}

/// A firm acting for the party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmView {
    pub id: String,
    pub name: String,
    pub org_number: Option<String>,
    /// Its register roles for the party, by name.
    pub roles: Vec<Texts>,
    pub packages: Vec<FirmPackageView>,
    pub agents: Vec<ActingAgentView>,
}

/// The firms acting for the chosen party, by name; for its access managers.
#[server(prefix = "/api", endpoint = "firms_acting_for_us")]
pub async fn firms_acting_for_us() -> Result<Vec<FirmView>, AppError> {
    use domain::clients::Via;
    let ctx = crate::functions::ssr::party_context().await?;
    let firms = domain::clients::relationships::firms_acting_for(&ctx).await?;
    let mut keys: Vec<String> = firms.iter().flat_map(|f| f.roles.iter().map(|r| format!("role:{r}"))).collect();
    keys.sort();
    keys.dedup();
    let names = domain::catalogue::names_of(&ctx, &keys).await.map_err(|e| crate::functions::ssr::internal(&e.to_string()))?;
    let role = |code: &str| {
        names.get(&format!("role:{code}")).map(|t| [t.nb.clone(), t.nn.clone(), t.en.clone()]).unwrap_or_else(|| [code.into(), code.into(), code.into()])
    };
    let texts = |t: &domain::system_register::Translated| -> Texts { [t.nb.clone(), t.nn.clone(), t.en.clone()] };
    Ok(firms
        .into_iter()
        .map(|f| FirmView {
            id: f.id.to_string(),
            roles: f.roles.iter().map(|r| role(r)).collect(),
            packages: f
                .packages
                .iter()
                .map(|p| FirmPackageView {
                    package: texts(&p.package.name),
                    via: match &p.via {
                        Via::Role { code } => HeldVia::Role(role(code)),
                        Via::Grant { grant } => HeldVia::Grant(grant.to_string()),
                    },
                })
                .collect(),
            agents: f
                .agents
                .into_iter()
                .map(|a| ActingAgentView {
                    packages: a.packages.iter().map(|p| texts(&p.name)).collect(),
                    since: crate::functions::ssr::moment(a.since),
                    name: a.name,
                    system_name: a.system_name,
                })
                .collect(),
            name: f.name,
            org_number: f.org_number,
        })
        .collect())
}
