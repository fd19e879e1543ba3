//! The notices of the party acted for — requests forwarded to its access
//! managers, new system users — and the addresses they are e-mailed to.
//! Thin adapters over `domain::notifications::service`, which decides who
//! may see and change them.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A notice, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    /// `system_user_request.forwarded` or `system_user.created`.
    pub kind: String,
    pub title: String,
    /// The page the notice is about.
    pub href: String,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticesView {
    pub notices: Vec<NoticeView>,
    pub addresses: Vec<String>,
}

/// The party's latest notices and its addresses.
#[server(prefix = "/api", endpoint = "notices")]
pub async fn notices() -> Result<NoticesView, AppError> {
    use crate::functions::ssr::moment;
    use domain::notifications::{service, NoticeKind};
    let ctx = crate::functions::ssr::party_context().await?;
    let list = service::list(&ctx).await.map_err(domain::error::Failure::from)?;
    let addresses = service::addresses(&ctx).await.map_err(domain::error::Failure::from)?;
    Ok(NoticesView {
        notices: list
            .into_iter()
            .map(|n| NoticeView {
                kind: n.kind.as_str().to_string(),
                title: n.title,
                href: match n.kind {
                    NoticeKind::RequestForwarded => format!("/systembrukere/foresporsel/{}", n.subject_id),
                    NoticeKind::SystemUserCreated => format!("/systembrukere/{}", n.subject_id),
                    NoticeKind::SponsorGuestExpiring => "/gjester".to_string(),
                    // Never listed: e-mails to a guest, not notices to access managers.
                    NoticeKind::GuestInvitation | NoticeKind::GuestCode | NoticeKind::GuestExpiring | NoticeKind::GuestLoginCode => "/".to_string(),
                },
                created: moment(n.created_at),
            })
            .collect(),
        addresses,
    })
}

/// Adds an address the party's notices are e-mailed to.
#[server(prefix = "/api", endpoint = "add_notification_address")]
pub async fn add_notification_address(#[server(default)] email: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::notifications::service::add_address(&ctx, &email).await.map_err(domain::error::Failure::from)?;
    Ok(())
}

/// Removes an address from the party's list.
#[server(prefix = "/api", endpoint = "remove_notification_address")]
pub async fn remove_notification_address(#[server(default)] email: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::notifications::service::remove_address(&ctx, &email).await.map_err(domain::error::Failure::from)?;
    Ok(())
}
