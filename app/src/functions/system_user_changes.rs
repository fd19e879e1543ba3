//! A vendor's change request for a system user, as the customer's people
//! see and decide it (`/systembrukere/endring/<id>`). Thin adapters over
//! `domain::system_user_requests::change`, which decides who may see,
//! approve and reject what.
//!
//! Approve and reject end on `…/<id>/videre`, which sends the browser on to
//! the vendor's page when the change names one, else back to the change.

use crate::error::AppError;
use crate::functions::system_user_requests::{ItemView, Texts};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub id: String,
    pub system_user_id: String,
    pub integration_title: String,
    pub system_name: Texts,
    pub vendor: String,
    /// `New`, `Accepted`, `Rejected`, `Denied` or `Timedout`.
    pub status: String,
    pub created: String,
    pub add: Vec<ItemView>,
    pub remove: Vec<ItemView>,
    pub may_approve: bool,
}

#[cfg(feature = "ssr")]
fn change_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::Refused(domain::error::Refusal::RequestNotFound))
}

/// The change `id` of the party acted for.
#[server(prefix = "/api", endpoint = "system_user_change")]
pub async fn system_user_change(id: String) -> Result<ChangeView, AppError> {
    use crate::functions::ssr::{moment, party_context};
    use domain::system_user_requests::change::{for_customer, ChangeItem, ItemForCustomer};
    let ctx = party_context().await?;
    let c = for_customer(&ctx, change_id(&id)?).await?;
    let texts = |t: &domain::system_register::Translated| [t.nb.clone(), t.nn.clone(), t.en.clone()];
    let item = |i: &ItemForCustomer| ItemView {
        name: texts(&i.name),
        description: texts(&i.description),
        action: match &i.item {
            ChangeItem::Right { action, .. } => Some(action.clone()),
            ChangeItem::Package(_) => None,
        },
        can_delegate: i.can_delegate,
    };
    Ok(ChangeView {
        id: c.request.id.to_string(),
        system_user_id: c.request.system_user_id.to_string(),
        integration_title: c.request.integration_title.clone(),
        system_name: texts(&c.system_name),
        vendor: c.vendor_name.clone().unwrap_or_else(|| c.request.vendor.clone()),
        status: c.request.status.as_str().to_string(),
        created: moment(c.request.created_at),
        add: c.add.iter().map(item).collect(),
        remove: c.remove.iter().map(item).collect(),
        may_approve: c.may_approve,
    })
}

/// Approves the change: the system user gets what it adds and loses what it removes.
#[server(prefix = "/api", endpoint = "approve_system_user_change")]
pub async fn approve_system_user_change(id: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let change = domain::system_user_requests::change::approve(&ctx, change_id(&id)?).await?;
    leptos_axum::redirect(&format!("/systembrukere/endring/{}/videre", change.id));
    Ok(())
}

/// Rejects the change; the system user stays as it is.
#[server(prefix = "/api", endpoint = "reject_system_user_change")]
pub async fn reject_system_user_change(id: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let change = domain::system_user_requests::change::reject(&ctx, change_id(&id)?).await?;
    leptos_axum::redirect(&format!("/systembrukere/endring/{}/videre", change.id));
    Ok(())
}
