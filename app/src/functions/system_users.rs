//! The chosen party's system users: the list with how much each is used,
//! one in detail (what it holds, its use day by day), deleting one, and
//! making one of a visible system. Thin adapters over `domain::system_users`
//! and `domain::system_user_requests::own`, which decide who may do what.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserView {
    pub id: String,
    pub name: String,
    pub system_id: String,
    pub system_name: String,
    pub vendor_org_number: String,
    pub vendor_name: Option<String>,
    /// An agent system user (for an accounting firm's clients), not a standard one.
    pub agent: bool,
    pub external_ref: String,
    pub created: String,
    /// Tokens issued for it in the last 30 days.
    pub recent_tokens: i64,
    pub last_used: Option<String>,
}

/// An access package or a single right, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldView {
    pub name: Texts,
    pub description: Texts,
    /// A single right's action; `None` for a package, or a right to every action.
    pub action: Option<String>,
}

/// Tokens issued on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// `dd.mm.`
    pub day: String,
    pub tokens: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUserDetailView {
    pub user: SystemUserView,
    pub system_name: Texts,
    pub system_description: Texts,
    pub packages: Vec<HeldView>,
    pub rights: Vec<HeldView>,
    /// An agent's: the packages and single rights it requires of each client.
    pub required: Vec<HeldView>,
    /// An agent's: how many clients are attached now.
    pub clients: i64,
    /// The last 30 days, oldest first.
    pub usage: Vec<DayView>,
}

/// A system the party may make a system user of, with what it would hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibleSystemView {
    pub id: String,
    pub name: Texts,
    pub description: Texts,
    /// The vendor's name, or its organisation number when the register has no name.
    pub vendor: String,
    pub packages: Vec<HeldView>,
    pub rights: Vec<HeldView>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use domain::system_register::Translated;

    pub fn texts(t: &Translated) -> Texts {
        [t.nb.clone(), t.nn.clone(), t.en.clone()]
    }

    pub fn user(s: domain::system_users::SystemUserOverview) -> SystemUserView {
        use crate::functions::ssr::moment;
        SystemUserView {
            id: s.id.to_string(),
            name: s.name,
            system_id: s.system_id,
            system_name: s.system_name,
            vendor_org_number: s.vendor_org_number,
            vendor_name: s.vendor_name,
            agent: s.kind == "agent",
            external_ref: s.external_ref,
            created: moment(s.created_at),
            recent_tokens: s.recent_tokens,
            last_used: s.last_used_at.map(moment),
        }
    }

    pub fn system(s: domain::system_register::RegisteredSystem) -> VisibleSystemView {
        VisibleSystemView {
            vendor: s.vendor_name.clone().unwrap_or_else(|| s.vendor.clone()),
            name: texts(&s.name),
            description: texts(&s.description),
            packages: s.packages.iter().map(|p| HeldView { name: texts(&p.name), description: Default::default(), action: None }).collect(),
            rights: s.rights.iter().map(|r| HeldView { name: texts(&r.title), description: Default::default(), action: r.action.clone() }).collect(),
            id: s.id,
        }
    }

    /// A system user's id from a form or a path; anything else is one that does not exist.
    pub fn id(raw: &str) -> Result<uuid::Uuid, AppError> {
        uuid::Uuid::parse_str(raw.trim()).map_err(|_| AppError::Refused(domain::error::Refusal::SystemUserNotFound))
    }
}

/// The chosen party's system users in force, by name.
#[server(prefix = "/api", endpoint = "system_user_overview")]
pub async fn system_user_overview() -> Result<Vec<SystemUserView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::system_users::overview(&ctx).await?.into_iter().map(convert::user).collect())
}

/// One of the chosen party's system users, with what it holds and its use.
#[server(prefix = "/api", endpoint = "system_user_detail")]
pub async fn system_user_detail(id: String) -> Result<SystemUserDetailView, AppError> {
    use convert::texts;
    let ctx = crate::functions::ssr::party_context().await?;
    let d = domain::system_users::detail(&ctx, convert::id(&id)?).await?;
    Ok(SystemUserDetailView {
        system_name: texts(&d.system_name),
        system_description: texts(&d.system_description),
        packages: d.packages.iter().map(|p| HeldView { name: texts(&p.name), description: texts(&p.description), action: None }).collect(),
        rights: d.rights.iter().map(|r| HeldView { name: texts(&r.title), description: Default::default(), action: Some(r.action.clone()) }).collect(),
        required: d.required.iter().map(|r| HeldView { name: texts(&r.name), description: texts(&r.description), action: None }).collect(),
        clients: d.clients,
        usage: d
            .usage
            .iter()
            .map(|u| DayView { day: u.day.format(time::macros::format_description!("[day].[month].")).unwrap_or_default(), tokens: u.tokens })
            .collect(),
        user: convert::user(d.overview),
    })
}

/// Deletes one of the chosen party's system users: every grant it holds
/// ends, and its tokens stop. Back to the list.
#[server(prefix = "/api", endpoint = "delete_system_user")]
pub async fn delete_system_user(id: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::system_users::delete(&ctx, convert::id(&id)?).await?;
    leptos_axum::redirect("/systembrukere");
    Ok(())
}

/// The systems the chosen party may make a system user of.
#[server(prefix = "/api", endpoint = "visible_systems")]
pub async fn visible_systems() -> Result<Vec<VisibleSystemView>, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::system_user_requests::own::visible_systems(&ctx).await?.into_iter().map(convert::system).collect())
}

/// Makes a system user of a visible system for the chosen party, named
/// `title` (the system's name when empty), with everything the system lists.
/// On to the new system user.
#[server(prefix = "/api", endpoint = "create_own_system_user")]
pub async fn create_own_system_user(system: String, title: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let id = domain::system_user_requests::own::create_own(&ctx, &system, &title).await?;
    leptos_axum::redirect(&format!("/systembrukere/{id}"));
    Ok(())
}
